using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using Xunit;
using Xunit.Abstractions;

namespace BpfSharp.Tests;

/// <summary>
/// The kernel context structs (KernelContexts.cs) and return codes (BpfReturnCodes.cs) against the C compiler: a C
/// program built with gcc from the installed UAPI headers prints the size, offset and kind of every struct and field
/// the runtime declares, and the value of every constant. The structs and fields are found by reflection, so a new one
/// is checked without touching this file. No expected value is written down here: the headers are the oracle.
/// </summary>
public class KernelContextTests(ITestOutputHelper output)
{
    // A struct's C name is what its [BpfKernelStruct] says (the BPF compiler uses the same); field names map by one
    // rule: an underscore before every capital letter but the first, then lower case (RemoteIp4 -> remote_ip4).

    /// <summary>
    /// What the runtime declares that the installed headers (Debian's 6.1 UAPI) may not have yet, with the release that
    /// added it. Each one is probed on its own: if the header has it, it is checked like everything else; if not, its
    /// test row is skipped with this reason.
    /// </summary>
    private static readonly Dictionary<string, string> NewerThanInstalledHeaders = new()
    {
        ["bpf_sock_ops.skb_hwtstamp"] = "added after Linux 6.1",
        ["TCX_NEXT"] = "Linux 6.6, with tcx",
        ["TCX_PASS"] = "Linux 6.6, with tcx",
        ["TCX_DROP"] = "Linux 6.6, with tcx",
        ["TCX_REDIRECT"] = "Linux 6.6, with tcx",
    };

    private const string Includes = "#include <stddef.h>\n#include <stdio.h>\n#include <limits.h>\n#include <linux/bpf.h>\n#include <linux/bpf_perf_event.h>\n#include <linux/pkt_cls.h>\n#include <linux/netfilter.h>\n";

    public static IEnumerable<object[]> Structs => ContextTypes.Select(t => new object[] { DisplayName(t) });

    public static IEnumerable<object[]> Fields => ContextTypes.SelectMany(t => DeclaredFields(t).Select(f => new object[] { DisplayName(t) + "." + f.Name }));

    public static IEnumerable<object[]> Constants => ReturnCodes.Select(f => new object[] { f.Name });

    [Fact]
    public void The_runtime_declares_explicit_layouts_the_test_can_name()
    {
        Assert.True(ContextTypes.Count >= 15, $"{ContextTypes.Count} context structs found");
        Assert.All(ContextTypes, t =>
        {
            Assert.True(t.StructLayoutAttribute!.Size > 0, $"{t} has no explicit size");
            Assert.All(DeclaredFields(t), f => Assert.NotNull(f.GetCustomAttribute<FieldOffsetAttribute>()));
        });
        Assert.Equal(ContextTypes.Count, ContextTypes.Select(CName).Distinct().Count());
        Assert.True(ReturnCodes.Count >= 25, $"{ReturnCodes.Count} return codes found");

        // Every entry of the "newer" list names something the runtime declares: the list cannot outlive a rename.
        var declared = ContextTypes.SelectMany(t => DeclaredFields(t).Select(f => CName(t) + "." + CName(f.Name))).Concat(ReturnCodes.Select(f => f.Name)).ToHashSet();
        Assert.All(NewerThanInstalledHeaders.Keys, k => Assert.Contains(k, declared));
    }

    [SkippableTheory]
    [MemberData(nameof(Structs))]
    public void Struct_size_is_the_kernels(string type)
    {
        var oracle = Oracle.Get();
        var t = ContextTypes.Single(c => DisplayName(c) == type);
        var cName = CName(t);
        oracle.AssertKnown(cName);
        var unknown = DeclaredFields(t).Select(f => cName + "." + CName(f.Name)).Where(oracle.Unknown.ContainsKey).ToArray();
        Assert.True(unknown.Length == 0, $"struct {cName}: the installed headers lack {string.Join(", ", unknown)}, so its size cannot match");
        var cSize = oracle.StructSize(cName);
        var managedSize = (int)typeof(Unsafe).GetMethod(nameof(Unsafe.SizeOf))!.MakeGenericMethod(t).Invoke(null, null)!;
        var marshalSize = Marshal.SizeOf(t);
        Assert.Equal(marshalSize, managedSize);

        // With fields the installed headers lack (the kernel only appends), the installed struct ends before them.
        var newer = DeclaredFields(t).Where(f => oracle.Missing.ContainsKey(cName + "." + CName(f.Name))).ToArray();
        if (newer.Length > 0)
        {
            var firstNewer = newer.Min(f => (int)Marshal.OffsetOf(t, f.Name));
            Assert.True(cSize <= firstNewer, $"struct {cName}: {cSize} bytes in the installed headers, past the newer fields at {firstNewer}");
            Skip.If(true, $"struct {cName}: has fields newer than the installed headers ({string.Join(", ", newer.Select(f => CName(f.Name)))}); its full size ({marshalSize}) is not checked");
        }

        // A flexible array member (size 0 in C) ends the C struct; the C# side bounds it with a fixed buffer.
        var flexible = DeclaredFields(t).FirstOrDefault(f => oracle.TryField(cName, CName(f.Name), out var cf) && cf.Size == 0);
        if (flexible != null)
        {
            var cf = oracle.Field(cName, CName(flexible.Name));
            var buffer = flexible.GetCustomAttribute<FixedBufferAttribute>();
            Assert.NotNull(buffer);
            Assert.Equal(cf.Offset, cSize);
            Assert.Equal(cf.Offset + buffer!.Length * Marshal.SizeOf(buffer.ElementType), marshalSize);
            output.WriteLine($"struct {cName}: {flexible.Name} is a flexible array in C (sizeof {cSize}); C# bounds it at {buffer.Length}, {marshalSize} bytes");
            return;
        }

        Assert.Equal(cSize, marshalSize);
        output.WriteLine($"struct {cName}: {cSize} bytes");
    }

    [SkippableTheory]
    [MemberData(nameof(Fields))]
    public void Field_matches_the_kernels(string member)
    {
        var oracle = Oracle.Get();
        var (t, f) = ContextTypes.SelectMany(c => DeclaredFields(c).Select(x => (Type: c, Field: x))).Single(p => DisplayName(p.Type) + "." + p.Field.Name == member);
        var cName = CName(t) + "." + CName(f.Name);
        Skip.If(oracle.Missing.TryGetValue(cName, out var since), $"{cName}: newer than the installed headers ({since}); not checked");
        oracle.AssertKnown(CName(t));
        oracle.AssertKnown(cName);

        var cf = oracle.Field(CName(t), CName(f.Name));
        var offset = (int)Marshal.OffsetOf(t, f.Name);
        Assert.True(cf.Offset == offset, $"{cName}: offset {offset} in C#, {cf.Offset} in C");

        var buffer = f.GetCustomAttribute<FixedBufferAttribute>();
        var elementType = buffer?.ElementType ?? f.FieldType;
        var elementSize = SizeOf(elementType);
        Assert.True(cf.ElementSize == elementSize, $"{cName}: element of {elementSize} bytes in C#, {cf.ElementSize} in C");
        if (cf.Size == 0)
        {
            Assert.NotNull(buffer);
            output.WriteLine($"{cName}: flexible array of {cf.ElementSize}-byte elements in C; {buffer!.Length} in C#");
        }
        else
        {
            Assert.True(cf.Size == SizeOf(f.FieldType), $"{cName}: {SizeOf(f.FieldType)} bytes in C#, {cf.Size} in C");
        }

        var kind = Kind(elementType);
        // The kernel's __bpf_md_ptr slots hold pointers; the runtime types them ulong.
        Assert.True(cf.Kind == kind || (cf.Kind == "p" && elementType == typeof(ulong)), $"{cName}: {elementType.Name} in C#, kind '{cf.Kind}' in C");
        if (cf.Kind == "r")
        {
            Assert.True(cf.SameRecord, $"{cName}: C's type is not struct {CName(elementType)}");
        }
    }

    [SkippableTheory]
    [MemberData(nameof(Constants))]
    public void Return_code_is_the_kernels(string name)
    {
        var oracle = Oracle.Get();
        Skip.If(oracle.Missing.TryGetValue(name, out var since), $"{name}: newer than the installed headers ({since}); not checked");
        oracle.AssertKnown(name);
        var value = (int)ReturnCodes.Single(f => f.Name == name).GetRawConstantValue()!;
        Assert.Equal(oracle.Constant(name), value);
    }

    private static readonly IReadOnlyList<Type> ContextTypes = typeof(XdpMd).Assembly.GetTypes()
        .Where(t => t.IsValueType && !t.IsEnum && (t.IsPublic || t.IsNestedPublic) && t.Namespace == "BpfSharp"
            && !t.IsDefined(typeof(CompilerGeneratedAttribute)) && t.StructLayoutAttribute?.Value == LayoutKind.Explicit)
        .OrderBy(t => t.FullName, StringComparer.Ordinal)
        .ToArray();

    private static readonly IReadOnlyList<FieldInfo> ReturnCodes = typeof(BpfReturnCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral && f.FieldType == typeof(int))
        .ToArray();

    private static IEnumerable<FieldInfo> DeclaredFields(Type t) =>
        t.GetFields(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly).OrderBy(f => f.MetadataToken);

    private static int SizeOf(Type t) => t.IsPointer ? IntPtr.Size : Marshal.SizeOf(t);

    private static string DisplayName(Type t) => t.DeclaringType != null ? DisplayName(t.DeclaringType) + "." + t.Name : t.Name;

    private static string CName(Type t) =>
        ((BpfKernelStructAttribute?)Attribute.GetCustomAttribute(t, typeof(BpfKernelStructAttribute)))?.Name ?? throw new InvalidOperationException(t.Name + " has no [BpfKernelStruct]");

    private static string CName(string name) => Regex.Replace(name, "(?<=.)([A-Z])", "_$1").ToLowerInvariant();

    /// <summary>u: unsigned integer, s: signed integer, p: pointer, r: struct; as the C program classifies its fields.</summary>
    private static string Kind(Type t) =>
        t == typeof(byte) || t == typeof(ushort) || t == typeof(uint) || t == typeof(ulong) ? "u"
        : t == typeof(sbyte) || t == typeof(short) || t == typeof(int) || t == typeof(long) ? "s"
        : t.IsPointer ? "p"
        : "r";

    private readonly record struct CField(int Offset, int Size, int ElementSize, string Kind, bool SameRecord);

    /// <summary>What gcc says about the declared structs and constants, computed once for the run.</summary>
    private sealed class Oracle
    {
        private static readonly Lazy<Oracle> s_instance = new(Build, LazyThreadSafetyMode.ExecutionAndPublication);

        private readonly Dictionary<string, int> _structs = new(StringComparer.Ordinal);
        private readonly Dictionary<string, CField> _fields = new(StringComparer.Ordinal);
        private readonly Dictionary<string, long> _constants = new(StringComparer.Ordinal);

        private Oracle(string? unavailable) => Unavailable = unavailable;

        public string? Unavailable { get; }

        /// <summary>Entries of the "newer" list the installed headers lack, with the release that added them.</summary>
        public Dictionary<string, string> Missing { get; } = new(StringComparer.Ordinal);

        /// <summary>Declared names gcc does not know although the "newer" list does not excuse them, with gcc's complaint.</summary>
        public Dictionary<string, string> Unknown { get; } = new(StringComparer.Ordinal);

        public static Oracle Get()
        {
            var oracle = s_instance.Value;
            Skip.If(oracle.Unavailable != null, oracle.Unavailable);
            return oracle;
        }

        /// <summary>Fails when gcc did not know <paramref name="key"/> (a struct, <c>struct.field</c> or constant name).</summary>
        public void AssertKnown(string key) =>
            Assert.False(Unknown.TryGetValue(key, out var complaint),
                $"{key}: the installed headers do not know it. A wrong name, or one newer than the headers (then list it in NewerThanInstalledHeaders). gcc: {complaint}");

        public int StructSize(string cStruct) => _structs[cStruct];

        public bool TryField(string cStruct, string cField, out CField field) => _fields.TryGetValue(cStruct + "." + cField, out field);

        public CField Field(string cStruct, string cField) => _fields[cStruct + "." + cField];

        public long Constant(string name) => _constants[name];

        private static Oracle Build()
        {
            if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
            {
                return new Oracle($"the layouts are x86_64 Linux ones; this is {RuntimeInformation.OSDescription} on {RuntimeInformation.ProcessArchitecture}");
            }

            var directory = Directory.CreateTempSubdirectory("bpfsharp-kernel-contexts-");
            try
            {
                string? gccMissing = null;
                try
                {
                    Run("gcc", directory.FullName, "--version");
                }
                catch (Win32Exception e)
                {
                    gccMissing = "gcc is not installed: " + e.Message;
                }

                if (gccMissing != null)
                {
                    return new Oracle(gccMissing);
                }

                var headers = Compiles(directory.FullName, "headers", "int main(void) { return 0; }\n");
                if (headers != null)
                {
                    return new Oracle("the kernel UAPI headers (linux/bpf.h, linux/bpf_perf_event.h, linux/pkt_cls.h, linux/netfilter.h) do not compile: " + headers);
                }

                var oracle = new Oracle(null);
                foreach (var (item, since) in NewerThanInstalledHeaders)
                {
                    var dot = item.IndexOf('.');
                    var use = dot < 0 ? $"(long long)({item})" : $"offsetof(struct {item[..dot]}, {item[(dot + 1)..]})";
                    if (Compiles(directory.FullName, "probe", $"int main(void) {{ return (int){use}; }}\n") != null)
                    {
                        oracle.Missing.Add(item, since);
                    }
                }

                var statements = oracle.Statements();
                var program = Path.Combine(directory.FullName, "layouts");
                File.WriteAllText(program + ".c", Program(statements.Select(s => s.Statement)));
                var (exitCode, text) = Run("gcc", directory.FullName, "-std=gnu11", "-o", program, program + ".c");
                if (exitCode != 0)
                {
                    // Some declared name is unknown to the headers: find which, one at a time, so only its rows fail.
                    foreach (var (key, statement) in statements)
                    {
                        var complaint = Compiles(directory.FullName, "probe", Program([statement]));
                        if (complaint != null)
                        {
                            oracle.Unknown.Add(key, complaint.Split('\n').FirstOrDefault(l => l.Contains("error:", StringComparison.Ordinal)) ?? complaint);
                        }
                    }

                    File.WriteAllText(program + ".c", Program(statements.Where(s => !oracle.Unknown.ContainsKey(s.Key)).Select(s => s.Statement)));
                    (exitCode, text) = Run("gcc", directory.FullName, "-std=gnu11", "-o", program, program + ".c");
                    if (exitCode != 0)
                    {
                        throw new InvalidOperationException("gcc rejected the layout program:\n" + text);
                    }
                }

                (exitCode, text) = Run(program, directory.FullName);
                if (exitCode != 0)
                {
                    throw new InvalidOperationException("the layout program failed:\n" + text);
                }

                oracle.Parse(text);
                return oracle;
            }
            finally
            {
                directory.Delete(recursive: true);
            }
        }

        /// <summary>One printf per struct, field and constant the runtime declares, keyed by C name; the newer ones the headers lack left out.</summary>
        private List<(string Key, string Statement)> Statements()
        {
            var statements = new List<(string Key, string Statement)>();
            foreach (var t in ContextTypes)
            {
                var s = "struct " + CName(t);
                statements.Add((CName(t), $"printf(\"S {CName(t)} %zu\\n\", sizeof({s}));"));
                foreach (var f in DeclaredFields(t))
                {
                    var name = CName(t) + "." + CName(f.Name);
                    if (Missing.ContainsKey(name))
                    {
                        continue;
                    }

                    var member = $"(({s} *)0)->{CName(f.Name)}";
                    var element = f.GetCustomAttribute<FixedBufferAttribute>() != null ? member + "[0]" : member;
                    var same = Kind(f.FieldType) == "r" && !f.FieldType.IsDefined(typeof(CompilerGeneratedAttribute))
                        ? $"__builtin_types_compatible_p(__typeof__({member}), struct {CName(f.FieldType)})"
                        : "0";
                    statements.Add((name, $"printf(\"F {name} %zu %zu %zu %s %d\\n\", offsetof({s}, {CName(f.Name)}), sizeof({member}), sizeof({element}), KIND({element}), {same});"));
                }
            }

            foreach (var f in ReturnCodes.Where(f => !Missing.ContainsKey(f.Name)))
            {
                statements.Add((f.Name, $"printf(\"C {f.Name} %lld\\n\", (long long)({f.Name}));"));
            }

            return statements;
        }

        /// <summary>The C program around <paramref name="statements"/>. KIND classifies a value as the test's <see cref="Kind"/> does.</summary>
        private static string Program(IEnumerable<string> statements)
        {
            var c = new StringBuilder(Includes);
            c.Append("""
                #define KIND(x) _Generic((x), \
                    _Bool: "u", unsigned char: "u", unsigned short: "u", unsigned int: "u", unsigned long: "u", unsigned long long: "u", \
                    char: (CHAR_MIN < 0 ? "s" : "u"), signed char: "s", short: "s", int: "s", long: "s", long long: "s", \
                    default: (__builtin_classify_type(x) == 5 ? "p" : "r"))
                int main(void)
                {

                """);
            foreach (var statement in statements)
            {
                c.Append("    ").Append(statement).Append('\n');
            }

            c.Append("    return 0;\n}\n");
            return c.ToString();
        }

        private void Parse(string text)
        {
            foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var p = line.Split(' ');
                switch (p[0])
                {
                    case "S":
                        _structs[p[1]] = int.Parse(p[2], CultureInfo.InvariantCulture);
                        break;
                    case "F":
                        _fields[p[1]] = new CField(int.Parse(p[2], CultureInfo.InvariantCulture), int.Parse(p[3], CultureInfo.InvariantCulture),
                            int.Parse(p[4], CultureInfo.InvariantCulture), p[5], p[6] == "1");
                        break;
                    case "C":
                        _constants[p[1]] = long.Parse(p[2], CultureInfo.InvariantCulture);
                        break;
                    default:
                        throw new InvalidOperationException("unexpected line from the layout program: " + line);
                }
            }
        }

        /// <summary>Null when <paramref name="body"/> compiles after the includes, otherwise gcc's complaint.</summary>
        private static string? Compiles(string directory, string name, string body)
        {
            var file = Path.Combine(directory, name + ".c");
            File.WriteAllText(file, Includes + body);
            var (exitCode, text) = Run("gcc", directory, "-std=gnu11", "-fsyntax-only", file);
            return exitCode == 0 ? null : text.Trim();
        }

        private static (int ExitCode, string Output) Run(string fileName, string directory, params string[] arguments)
        {
            var start = new ProcessStartInfo(fileName)
            {
                WorkingDirectory = directory,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start)!;
            var error = process.StandardError.ReadToEndAsync();
            var standardOutput = process.StandardOutput.ReadToEnd();
            if (!process.WaitForExit(TimeSpan.FromMinutes(1)))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException(fileName + " did not finish in a minute");
            }

            return (process.ExitCode, standardOutput + error.Result);
        }
    }
}
