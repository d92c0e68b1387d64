using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.RegularExpressions;
using BpfSharp.Loader.Native;
using BpfSharp.Loader.Objects;
using BpfSharp.Spec;

namespace BpfSharp
{
    /// <summary>
    /// A BPF object (<c>&lt;AssemblyName&gt;.bpf.o</c>) loaded into the kernel: its maps created (global data written, read-only
    /// data frozen), its programs verified and loaded. Dispose closes every descriptor, which unloads what nothing else holds.
    /// </summary>
    /// <summary>How an object is loaded.</summary>
    public sealed record BpfObjectOptions
    {
        /// <summary>The bpffs folder where maps marked <c>[BpfPinned]</c> are pinned by name and looked for (libbpf's pin root).</summary>
        public string PinPath { get; init; } = "/sys/fs/bpf";

        /// <summary>
        /// Program types by ELF section name, for sections libbpf does not know (<c>socket1</c> in the kernel's samples) or
        /// whose type should differ, as bpftool's <c>type</c> argument or libbpf's <c>bpf_program__set_type</c> give it.
        /// A named section loads with that type and no expected attach type.
        /// </summary>
        public IReadOnlyDictionary<string, BpfProgramType>? ProgramTypes { get; init; }

        /// <summary>
        /// The kernel types CO-RE relocations are resolved against, for a kernel without <c>/sys/kernel/btf/vmlinux</c> or
        /// to load for another kernel's layout: a raw BTF file (as BTFHub ships them) or an ELF file with a .BTF section.
        /// Null (the default): the running kernel's.
        /// </summary>
        public string? KernelBtfPath { get; init; }

        /// <summary>
        /// Values that global variables start with instead of the object's, by name (see <see cref="WithInitialValue{T}(string, T)"/>).
        /// Read-only data (<c>static readonly</c> fields, C's <c>const volatile</c>) is frozen with them before the programs
        /// load, so the verifier knows them as constants and drops the branches they rule out, as with libbpf's skeletons.
        /// </summary>
        public IReadOnlyDictionary<string, byte[]> InitialValues { get; init; } = new Dictionary<string, byte[]>(StringComparer.Ordinal);

        /// <summary>These options, with the global variable <paramref name="name"/> (<c>Class_Field</c> for a BpfSharp program) starting at <paramref name="value"/>.</summary>
        public BpfObjectOptions WithInitialValue<T>(string name, T value)
            where T : unmanaged
        {
            var values = new Dictionary<string, byte[]>(InitialValues, StringComparer.Ordinal)
            {
                [name] = System.Runtime.InteropServices.MemoryMarshal.AsBytes(System.Runtime.InteropServices.MemoryMarshal.CreateReadOnlySpan(ref value, 1)).ToArray(),
            };
            return this with { InitialValues = values };
        }

        /// <summary>These options, with a static field of a BpfSharp program (<c>() =&gt; Config.Threshold</c>) starting at <paramref name="value"/>.</summary>
        public BpfObjectOptions WithInitialValue<T>(System.Linq.Expressions.Expression<Func<T>> field, T value)
            where T : unmanaged => WithInitialValue(BpfObject.GlobalName(field), value);
    }

    public sealed partial class BpfObject : IDisposable
    {
        private readonly Dictionary<string, BpfLoadedMap> _maps;
        private readonly Dictionary<string, BpfLoadedProgram> _programs;
        private readonly int _btfFd;
        private bool _disposed;

        private BpfObject(string name, int btfFd, Dictionary<string, BpfLoadedMap> maps, Dictionary<string, BpfLoadedProgram> programs, IReadOnlyList<GlobalSpec> globals)
        {
            Name = name;
            _btfFd = btfFd;
            _maps = maps;
            _programs = programs;
            _globals = globals;
        }

        /// <summary>The object's name (the file name without <c>.bpf.o</c>).</summary>
        public string Name { get; }

        /// <summary>
        /// Null when the kernel took the object's BTF; else why it refused it. The object then loaded without it, as
        /// libbpf loads it: maps without their key and value types, programs without function and line info (verifier
        /// messages name no source line).
        /// </summary>
        public string? BtfRefusal { get; private init; }

        // The line of a BTF log that names the refused type.
        private static string LastLine(string log) =>
            log.Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.Length > 0) ?? "(no log)";

        /// <summary>The maps by name (C# field name for BpfSharp's objects; global data as <c>&lt;name&gt;.bss</c> and the like).</summary>
        public IReadOnlyDictionary<string, BpfLoadedMap> Maps => _maps;

        /// <summary>The programs by name (C# method name for BpfSharp's objects).</summary>
        public IReadOnlyDictionary<string, BpfLoadedProgram> Programs => _programs;

        /// <summary>A program by name, or an exception listing the names there are.</summary>
        public BpfLoadedProgram Program(string name)
        {
            ThrowIfDisposed();
            return _programs.TryGetValue(name, out var program)
                ? program
                : throw new KeyNotFoundException($"{Name} has no program '{name}'; it has: {string.Join(", ", _programs.Keys)}");
        }

        /// <summary>A map by name, or an exception listing the names there are.</summary>
        public BpfLoadedMap Map(string name)
        {
            ThrowIfDisposed();
            return _maps.TryGetValue(name, out var map)
                ? map
                : throw new KeyNotFoundException($"{Name} has no map '{name}'; it has: {string.Join(", ", _maps.Keys)}");
        }

        /// <summary>Loads the object that <c>dotnet build</c> wrote next to an assembly (<c>&lt;AssemblyName&gt;.bpf.o</c>).</summary>
        public static BpfObject Load(Assembly assembly, BpfObjectOptions? options = null)
        {
            var directory = Path.GetDirectoryName(assembly.Location);
            var path = Path.Combine(string.IsNullOrEmpty(directory) ? AppContext.BaseDirectory : directory, assembly.GetName().Name + ".bpf.o");
            return File.Exists(path)
                ? Load(path, options)
                : throw new FileNotFoundException($"no BPF object next to {assembly.GetName().Name}: {path} does not exist (was clang installed when it was built? see the BPF2000 warning)", path);
        }

        /// <summary>Reads, checks and loads an object file.</summary>
        public static BpfObject Load(string path, BpfObjectOptions? options = null) => Load(path, File.ReadAllBytes(path), options);

        /// <summary>Loads an object from its bytes; <paramref name="path"/> names it in messages.</summary>
        public static BpfObject Load(string path, byte[] contents, BpfObjectOptions? options = null)
        {
            options ??= new BpfObjectOptions();
            var kernelBtfPath = options.KernelBtfPath;
            var spec = ObjectSpec.Read(path, contents, options.ProgramTypes, kernelBtfPath is null ? null : () => KernelBtf.FromFile(kernelBtfPath)).WithInitialValues(options.InitialValues);
            // A descriptor belongs to its BpfLoadedMap or BpfLoadedProgram as soon as it has one (whose handle would close it
            // again when finalized): a failed load closes those through them, and only the BTF directly.
            var btfFd = -1;
            var maps = new Dictionary<string, BpfLoadedMap>(StringComparer.Ordinal);
            var programs = new Dictionary<string, BpfLoadedProgram>(StringComparer.Ordinal);
            var pinned = new List<string>();
            var loaded = false;
            try
            {
                string? btfRefusal = null;
                if (spec.BtfBlob != null)
                {
                    // Without a log, as libbpf loads it (a logged load has the kernel describe every type); again with one only to explain a refusal.
                    btfFd = KernelObjects.LoadBtf(spec.BtfBlob, out var btfErrno);
                    if (btfFd < 0)
                    {
                        var again = KernelObjects.LoadBtf(spec.BtfBlob, out _, out var btfLog);
                        if (again >= 0)
                        {
                            BpfSyscall.Close(again);
                        }

                        // As libbpf does, the object loads without BTF it does not need (maps without their types,
                        // programs without source lines); what does need it then says why it failed.
                        btfRefusal = $"the kernel refused the object's BTF: {BpfSyscall.Describe(btfErrno)}: {LastLine(btfLog)}";
                    }
                }

                foreach (var map in spec.Maps)
                {
                    var maxEntries = EntriesToCreate(map);
                    var pinPath = map.PinnedByName ? Path.Combine(options.PinPath, map.Name) : null;
                    var reused = pinPath != null ? ReusablePinnedMap(spec.Name, map, maxEntries, pinPath) : -1;
                    int fd;
                    try
                    {
                        fd = reused >= 0 ? reused : CreateMap(spec.Name, map, maxEntries, btfFd);
                    }
                    catch (BpfException e) when (btfRefusal != null && map.ValueTypeId != 0)
                    {
                        throw new BpfException($"{e.Message} (created without the object's BTF: {btfRefusal})", e.Errno);
                    }


                    maps.Add(map.Name, new BpfLoadedMap(map.Name, fd, map.Type, map.KeySize, map.ValueSize, maxEntries, map.Flags) { PinPath = pinPath, Reused = reused >= 0 });
                    if (pinPath != null && reused < 0)
                    {
                        PinNew(spec.Name, map.Name, fd, pinPath, options.PinPath);
                        pinned.Add(pinPath);
                    }
                }

                foreach (var program in spec.Programs)
                {
                    var fd = LoadProgram(spec, program, maps, btfFd, btfRefusal);
                    programs.Add(program.Name, new BpfLoadedProgram(program.Name, program.Section, fd, KernelTypes.ProgramTypes.FindByName(program.Definition.ProgramType)!.Value, program.Definition.AttachType));
                }

                foreach (var map in spec.Maps)
                {
                    FillSlots(spec.Name, map, maps, programs);
                }

                loaded = true;
                return new BpfObject(spec.Name, btfFd, maps, programs, spec.Globals) { BtfRefusal = btfRefusal };
            }
            finally
            {
                if (!loaded)
                {
                    foreach (var program in programs.Values)
                    {
                        program.Close();
                    }

                    foreach (var map in maps.Values)
                    {
                        map.Close();
                    }

                    BpfSyscall.Close(btfFd);

                    // As libbpf does: a load that fails takes back the pins it made (not the ones it reused).
                    foreach (var pin in pinned)
                    {
                        File.Delete(pin);
                    }
                }
            }
        }

        private static int LoadProgram(ObjectSpec spec, ProgramSpec program, Dictionary<string, BpfLoadedMap> maps, int btfFd, string? btfRefusal)
        {
            var code = (byte[])program.Code.Clone();
            foreach (var reference in program.Maps)
            {
                var at = reference.Instruction * 8;
                code[at + 1] = (byte)((code[at + 1] & 0x0f) | ((reference.IsData ? PseudoMapValue : PseudoMapFd) << 4));
                BinaryPrimitives.WriteInt32LittleEndian(code.AsSpan(at + 4), maps[reference.Map].Fd);
                BinaryPrimitives.WriteInt32LittleEndian(code.AsSpan(at + 12), reference.IsData ? (int)reference.DataOffset : 0);
            }

            var lineInfo = new BpfLineInfo[program.Lines.Count];
            for (var i = 0; i < lineInfo.Length; i++)
            {
                var line = program.Lines[i];
                lineInfo[i] = new BpfLineInfo { InsnOff = line.ByteOffset, FileNameOff = line.FileNameOffset, LineOff = line.LineOffset, LineCol = line.LineAndColumn };
            }

            var withBtf = btfFd >= 0 && program.Functions.Count > 0;
            var request = new ProgramLoadRequest(KernelTypes.ProgramTypes.FindByName(program.Definition.ProgramType)!.Value, Array.Empty<BpfInstruction>(), spec.License)
            {
                Code = code,
                Name = program.Name.Length > 15 ? program.Name.Substring(0, 15) : program.Name,
                // A struct_ops program attaches to its kernel struct, and says which member by its expected attach type.
                ExpectedAttachType = program.StructOps is { } member ? member.MemberIndex : program.Definition.AttachType is string attach ? KernelTypes.AttachTypes.FindByName(attach)?.Value ?? 0 : 0,
                AttachBtfId = program.StructOps is { } target ? target.KernelStructId : BpfSharp.Loader.Objects.AttachTargets.Of(program.Name, program.Section, program.Definition),
                Flags = program.Definition.IsSleepable ? ProgramLoadRequest.Sleepable : 0,
                BtfFd = withBtf ? btfFd : 0,
                FunctionInfo = withBtf ? program.Functions.Select(f => ((int)f.ByteOffset, f.TypeId)).ToList() : Array.Empty<(int, uint)>(),
                LineInfo = withBtf ? lineInfo : null,
                LogLevel = 0,
            };

            // Without a log first (the verifier is faster so); with one only to explain a refusal, as libbpf does.
            var result = KernelObjects.LoadProgram(request, logSize: 0);
            if (result.Loaded)
            {
                return result.Fd;
            }

            for (var logSize = 1 << 20; ; logSize *= 4)
            {
                result = KernelObjects.LoadProgram(request with { LogLevel = 1 }, logSize);
                if (result.Loaded)
                {
                    return result.Fd; // refused without a log, accepted with one: take it
                }

                // NoSpace: the log did not fit; try a larger one.
                if (result.Errno != Errno.NoSpace || logSize >= 1 << 26)
                {
                    throw Refusal(program.Name, result.Log, result.Errno, btfRefusal is null ? null : $"(loaded without the object's BTF: {btfRefusal})");
                }
            }
        }

        /// <summary>The verifier's complaint and the source line it is about, from its log.</summary>
        internal static BpfVerifierException Refusal(string program, string log, int errno, string? note = null)
        {
            var lines = log.Split('\n').Select(l => l.TrimEnd()).ToList();
            var end = lines.FindLastIndex(l => l.StartsWith("processed ", StringComparison.Ordinal));
            if (end < 0)
            {
                end = lines.Count;
            }

            var lastInstruction = end > 0 ? lines.FindLastIndex(end - 1, end, l => Instruction().IsMatch(l)) : -1;
            var message = string.Join("\n", lines.Skip(lastInstruction + 1).Take(end - lastInstruction - 1).Where(l => l.Length > 0 && !l.StartsWith(";", StringComparison.Ordinal) && !l.StartsWith("-- END", StringComparison.Ordinal)));
            if (message.Length == 0)
            {
                message = log.Length == 0 ? "no log (the kernel refused the program before verifying it)" : lines.LastOrDefault(l => l.Length > 0) ?? string.Empty;
            }

            if (note != null)
            {
                message += "\n" + note;
            }

            var source = lines.Take(end).Select(l => SourceLine().Match(l)).LastOrDefault(m => m.Success);
            return new BpfVerifierException(
                program,
                message,
                source?.Groups["file"].Value,
                source is null ? null : int.Parse(source.Groups["line"].Value, System.Globalization.CultureInfo.InvariantCulture),
                source?.Groups["text"].Value,
                log,
                errno);
        }

        private const int PseudoMapFd = 1; // BPF_PSEUDO_MAP_FD
        private const int PseudoMapValue = 2; // BPF_PSEUDO_MAP_VALUE

        // The verifier's instruction lines ("12: (71) r2 = ...") and the line info it prints ("; text @ file:line").
        [GeneratedRegex(@"^\d+: \([0-9a-f]{2}\)")]
        private static partial Regex Instruction();

        [GeneratedRegex(@"^; (?<text>.*) @ (?<file>[^:@]+):(?<line>\d+)$")]
        private static partial Regex SourceLine();

        private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

        /// <summary>Closes the programs, maps and BTF: the kernel frees what no link, pin or other process still holds.</summary>
        public void Dispose()
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            foreach (var program in _programs.Values)
            {
                program.Close();
            }

            foreach (var map in _maps.Values)
            {
                map.Close();
            }

            BpfSyscall.Close(_btfFd);
        }
    }
}
