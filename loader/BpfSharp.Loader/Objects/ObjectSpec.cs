using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using BpfSharp.Spec;

namespace BpfSharp.Loader.Objects
{
    /// <summary>What an object file holds, read and checked before anything goes to the kernel.</summary>
    internal sealed class ObjectSpec
    {
        private const uint ReadOnlyProgram = 1u << 7; // BPF_F_RDONLY_PROG
        private const uint MemoryMappable = 1u << 10; // BPF_F_MMAPABLE

        private ObjectSpec(string name, string license, Btf? btf, byte[]? btfBlob, List<MapSpec> maps, List<ProgramSpec> programs, List<GlobalSpec> globals)
        {
            Name = name;
            License = license;
            Btf = btf;
            BtfBlob = btfBlob;
            Maps = maps;
            Programs = programs;
            Globals = globals;
        }

        public string Name { get; }

        public string License { get; }

        public Btf? Btf { get; }

        /// <summary>The BTF to load into the kernel (data sections fixed up), or null when the object has none.</summary>
        public byte[]? BtfBlob { get; }

        public IReadOnlyList<MapSpec> Maps { get; }

        /// <summary>The variables of the global data sections, by the data map that holds them.</summary>
        public IReadOnlyList<GlobalSpec> Globals { get; }

        public IReadOnlyList<ProgramSpec> Programs { get; }

        /// <summary>This object with some global variables starting at other values (the bytes of each, by variable name).</summary>
        public ObjectSpec WithInitialValues(IReadOnlyDictionary<string, byte[]> values)
        {
            if (values.Count == 0)
            {
                return this;
            }

            var data = Maps.Where(m => m.InitialData != null).ToDictionary(m => m.Name, m => (byte[])m.InitialData!.Clone(), StringComparer.Ordinal);
            foreach (var (name, bytes) in values)
            {
                var global = GlobalSpec.Find(Name, Globals, name, bytes.Length, "the value given");
                bytes.CopyTo(data[global.MapName], global.Offset);
            }

            var maps = Maps.Select(m => data.TryGetValue(m.Name, out var bytes) ? m with { InitialData = bytes } : m).ToList();
            return new ObjectSpec(Name, License, Btf, BtfBlob, maps, Programs.ToList(), Globals.ToList());
        }

        private static Btf RunningKernelBtf() =>
            KernelBtf.RunningOrRefuse("the object has CO-RE relocations", "; give one with BpfObjectOptions.KernelBtfPath");

        /// <summary>The object in an ELF file; <paramref name="kernelBtf"/> gives the kernel's types for CO-RE relocations (asked only when the object has some; the running kernel's by default).</summary>
        public static ObjectSpec Read(string path, byte[] data, IReadOnlyDictionary<string, BpfProgramType>? programTypes = null, Func<Btf>? kernelBtf = null)
        {
            var file = System.IO.Path.GetFileName(path);
            var elf = ElfFile.Read(file, data);
            var name = ObjectName(file);
            var btfSection = elf.Section(".BTF");
            var btf = btfSection is null ? null : Btf.Read(file, elf.Bytes(btfSection));
            var ext = btf != null && elf.Section(".BTF.ext") is ElfSection extSection ? BtfExt.Read(file, elf.Bytes(extSection), btf) : BtfExt.Empty;
            var core = btf is null || ext.CoreRelocations.Count == 0 ? null : new CoreRelocator(file, btf, kernelBtf ?? RunningKernelBtf);

            var licenseSection = elf.Section("license");
            var license = licenseSection is null ? string.Empty : Encoding.ASCII.GetString(elf.Bytes(licenseSection).ToArray()).Split('\0')[0];

            var maps = new List<MapSpec>();
            if (elf.Section("maps") is ElfSection legacy && legacy.Size > 0)
            {
                throw new BpfObjectFormatException(file, "the object declares maps in the legacy 'maps' section; only BTF-defined maps (.maps) are supported");
            }

            if (elf.Section(".maps") is ElfSection mapsSection)
            {
                if (btf is null)
                {
                    throw new BpfObjectFormatException(file, "the object has a .maps section but no BTF to describe it (compile with -g)");
                }

                maps.AddRange(BtfMaps(file, btf, mapsSection, elf));
            }

            var dataSections = elf.Sections.Where(IsDataSection).ToList();
            foreach (var section in dataSections)
            {
                var datasec = btf?.Types.FirstOrDefault(t => t.Kind == BtfKind.DataSection && t.Name == section.Name);
                var readOnly = section.Name.StartsWith(".rodata", StringComparison.Ordinal);
                maps.Add(DataMap(name, section.Name, datasec?.Id ?? 0, elf.Bytes(section).ToArray(), readOnly) with { DataSection = section.Name });
            }

            var structOps = StructOpsSection.Read(file, btf, elf, () => KernelBtf.Running);
            if (structOps != null)
            {
                maps.AddRange(structOps.Maps);
            }

            var kconfig = KconfigSection.Create(file, name, btf, elf);
            if (kconfig != null)
            {
                maps.Add(kconfig.Map);
            }

            var programs = new List<ProgramSpec>();
            var linker = new ProgramLinker(file, elf, ext, maps, core, new KernelExterns(file, btf, kconfig));
            foreach (var section in elf.Sections.Where(s => s.IsExecutable))
            {
                var functions = elf.Symbols.Where(s => s.SectionIndex == section.Index && s.IsFunction && s.IsGlobal).OrderBy(s => s.Value).ToList();
                _ = elf.RelocationsOf(section); // checked against the section's size even when it is empty
                if (section.Size == 0)
                {
                    if (functions.Count > 0)
                    {
                        // A program would be lost without a word: refuse, as libbpf does.
                        throw new BpfObjectFormatException(file, $"section '{section.Name}' is empty, yet the symbol table puts program '{functions[0].Name}' in it");
                    }

                    continue;
                }

                if (section.Name == ".text")
                {
                    continue; // subprograms: linked into the programs that call them
                }

                var definition = Given(file, section.Name, programTypes) ?? SectionNames.Resolve(section.Name)
                    ?? throw new BpfObjectFormatException(file, $"section '{section.Name}' is not a program section libbpf knows, so its program type is unknown; give it one with BpfObjectOptions.ProgramTypes");
                foreach (var function in functions)
                {
                    var program = linker.Link(section, function, definition);
                    programs.Add(definition.ProgramType == StructOpsSection.ProgramType ? StructOpsSection.Bind(file, structOps, program) : program);
                }
            }

            if (programs.Count == 0)
            {
                throw new BpfObjectFormatException(file, "the object holds no BPF program");
            }

            var blob = btf?.WithDataSections(
                sectionName => sectionName == KconfigSection.SectionName ? (int?)kconfig?.Map.ValueSize : elf.Section(sectionName)?.Size,
                // A variable's place is its symbol's in the section of that name (data, .maps, licence, .struct_ops...).
                (sectionName, variable) => kconfig != null && kconfig.Offsets.TryGetValue(variable, out var offset) ? (ulong)offset : elf.Symbols.FirstOrDefault(s => s.Name == variable && !s.IsSection && s.SectionIndex > 0 && s.SectionIndex < elf.Sections.Count && elf.Sections[s.SectionIndex].Name == sectionName)?.Value,
                new HashSet<string>(elf.Symbols.Where(symbol => symbol.IsHiddenFunction).Select(symbol => symbol.Name), StringComparer.Ordinal));
            var globals = (
                from symbol in elf.Symbols
                where symbol.IsObject && symbol.SectionIndex > 0 && symbol.SectionIndex < elf.Sections.Count
                let section = elf.Sections[symbol.SectionIndex]
                where IsDataSection(section) && symbol.Value + symbol.Size <= (ulong)section.Size
                let map = maps.First(m => m.DataSection == section.Name)
                select new GlobalSpec(symbol.Name, map.Name, (int)symbol.Value, (int)symbol.Size, map.Freeze)).ToList();
            return new ObjectSpec(name, license, btf, blob, maps, programs, globals);
        }

        // A program type the caller gives a section (BpfObjectOptions.ProgramTypes), with no expected attach type.
        private static SectionDefinition? Given(string file, string section, IReadOnlyDictionary<string, BpfProgramType>? programTypes)
        {
            if (programTypes is null || !programTypes.TryGetValue(section, out var type))
            {
                return null;
            }

            var name = KernelTypes.ProgramTypes.FindByValue((int)type)?.Name
                ?? throw new BpfObjectFormatException(file, $"section '{section}': {(int)type} is not a program type this loader knows");
            return new SectionDefinition(section, name, null, Array.Empty<string>());
        }

        // Global data: allocated, writable or read-only sections that are neither code nor maps nor the licence.
        private static bool IsDataSection(ElfSection section) =>
            (section.Name is ".bss" or ".data" or ".rodata" || section.Name.StartsWith(".data.", StringComparison.Ordinal) || section.Name.StartsWith(".rodata.", StringComparison.Ordinal))
            && section.Size > 0 && (section.Type == ElfSection.ProgramBits || section.Type == ElfSection.NoBits);

        // A map's definition in .maps: a struct whose members encode numbers as pointers to arrays of that length
        // (__uint) and types as pointers to them (__type), as libbpf's bpf_helpers.h macros write them.
        private static IEnumerable<MapSpec> BtfMaps(string file, Btf btf, ElfSection section, ElfFile elf)
        {
            var datasec = btf.Types.FirstOrDefault(t => t.Kind == BtfKind.DataSection && t.Name == ".maps") ?? throw new BpfObjectFormatException(file, "BTF has no .maps data section");
            var relocations = new Lazy<IReadOnlyList<ElfRelocation>>(() => elf.RelocationsOf(section)); // read once, for the maps that set slots
            foreach (var member in datasec.Members)
            {
                var variable = btf.Type(member.Type);
                if (variable?.Kind != BtfKind.Variable)
                {
                    throw new BpfObjectFormatException(file, $"the .maps section holds BTF type {member.Type}, not a variable");
                }

                var definition = btf.Resolve(variable.SizeOrType);
                if (definition?.Kind != BtfKind.Struct)
                {
                    throw new BpfObjectFormatException(file, $"map '{variable.Name}' is not defined by a struct");
                }

                var map = MapDefinition(file, btf, variable.Name, definition, out var valuesOffset);
                var symbol = elf.Symbols.FirstOrDefault(s => s.Name == variable.Name && s.SectionIndex == section.Index)
                    ?? throw new BpfObjectFormatException(file, $"map '{variable.Name}' has no symbol in the object");
                yield return valuesOffset is uint offset ? map with { InitialSlots = Slots(file, elf, section, relocations.Value, map, symbol, offset) } : map;
            }
        }

        // The slots .values sets: relocations of .maps inside the variable, after the member's offset, one pointer each.
        private static List<MapSlot> Slots(string file, ElfFile elf, ElfSection section, IReadOnlyList<ElfRelocation> relocations, MapSpec map, ElfSymbol variable, uint valuesOffset)
        {
            var slots = new List<MapSlot>();
            var start = variable.Value + valuesOffset;
            foreach (var relocation in relocations.Where(r => r.Offset >= start && r.Offset < variable.Value + variable.Size))
            {
                var index = (uint)((relocation.Offset - start) / 8);
                var target = elf.Symbols[relocation.SymbolIndex];
                var isProgram = KernelTypes.MapKindOf(map.Type).Value == MapValueKind.Program;
                var targetSection = target.SectionIndex > 0 && target.SectionIndex < elf.Sections.Count ? elf.Sections[target.SectionIndex] : null;
                if (isProgram ? !(target.IsFunction && targetSection?.IsExecutable == true) : targetSection != section)
                {
                    throw new BpfObjectFormatException(file, $"map '{map.Name}': slot {index} is set to '{target.Name}', which is not a {(isProgram ? "program" : "map")}");
                }

                if (index >= map.MaxEntries)
                {
                    throw new BpfObjectFormatException(file, $"map '{map.Name}': slot {index} is set, but the map has {map.MaxEntries} entries");
                }

                slots.Add(new MapSlot(index, target.Name));
            }

            return slots;
        }

        // The members of a BTF map definition. "values" is an array of pointers: to the inner map's definition for a map
        // of maps, to a function prototype for a program array; its offset is where .maps holds the initial slots.
        private static MapSpec MapDefinition(string file, Btf btf, string name, BtfType definition, out uint? valuesOffset, bool isInner = false)
        {
            uint type = 0, maxEntries = 0, flags = 0, keySize = 0, valueSize = 0, keyType = 0, valueType = 0, pinning = 0;
            MapSpec? inner = null;
            valuesOffset = null;
            var programValues = false;
            foreach (var field in definition.Members)
            {
                var member = btf.Resolve(field.Type);
                if (field.Name == "values" && !isInner && member?.Kind == BtfKind.Array && btf.Resolve(member.Array.ElementType) is { Kind: BtfKind.Pointer } element)
                {
                    var pointee = btf.Resolve(element.SizeOrType);
                    if (pointee?.Kind == BtfKind.Struct)
                    {
                        inner = MapDefinition(file, btf, name + ".inner", pointee, out _, isInner: true);
                    }
                    else if (pointee?.Kind == BtfKind.FunctionPrototype)
                    {
                        programValues = true;
                    }
                    else
                    {
                        throw new BpfObjectFormatException(file, $"map '{name}': 'values' points neither to a map definition nor to a function");
                    }

                    valuesOffset = field.Offset / 8;
                    valueSize = 4; // a descriptor when written, an id when read
                    continue;
                }

                if (member?.Kind != BtfKind.Pointer)
                {
                    throw new BpfObjectFormatException(file, $"map '{name}': member '{field.Name}' is not a pointer, so not a BTF map definition");
                }

                var target = btf.Resolve(member.SizeOrType);
                uint Number() => target?.Kind == BtfKind.Array ? target.Array.Count : throw new BpfObjectFormatException(file, $"map '{name}': member '{field.Name}' does not encode a number");
                switch (field.Name)
                {
                    case "type": type = Number(); break;
                    case "max_entries": maxEntries = Number(); break;
                    case "map_flags": flags = Number(); break;
                    case "key_size": keySize = Number(); break;
                    case "value_size": valueSize = Number(); break;
                    case "key": keyType = member.SizeOrType; keySize = btf.SizeOf(keyType); break;
                    case "value": valueType = member.SizeOrType; valueSize = btf.SizeOf(valueType); break;
                    case "pinning": pinning = Number(); break;
                    case "numa_node" or "map_extra": break;
                    default: throw new BpfObjectFormatException(file, $"map '{name}': member '{field.Name}' is not supported by this loader");
                }
            }

            var kind = KernelTypes.MapKindOf((int)type);
            if (programValues && kind.Value != MapValueKind.Program)
            {
                throw new BpfObjectFormatException(file, $"map '{name}': only a program array holds programs ('values')");
            }

            if ((kind.Value == MapValueKind.Map) != (inner != null))
            {
                throw new BpfObjectFormatException(file, isInner ? $"map '{name}': a map of maps inside a map of maps is not supported" : $"map '{name}': " + (inner is null ? "a map of maps needs its inner map's definition ('values')" : "only a map of maps has inner maps ('values')"));
            }

            if (pinning > 1)
            {
                throw new BpfObjectFormatException(file, $"map '{name}': pinning {pinning} is not one libbpf knows (0: none, 1: by name)");
            }

            return new MapSpec(name, (int)type, keySize, valueSize, maxEntries, flags) { KeyTypeId = keyType, ValueTypeId = valueType, Inner = inner, PinnedByName = pinning == 1 };
        }

        // "HelloXdp.bpf.o" -> "HelloXdp".
        private static string ObjectName(string file)
        {
            var name = file.EndsWith(".bpf.o", StringComparison.Ordinal) ? file.Substring(0, file.Length - 6) : System.IO.Path.GetFileNameWithoutExtension(file);
            return name.Length == 0 ? "object" : name;
        }

        // libbpf's convention: as much of the object's name as fits before the section's, within the kernel's 15 characters.
        /// <summary>
        /// A map holding a section's data as libbpf makes one (a one-entry memory-mappable array, named after object and
        /// section), frozen and read-only to programs when <paramref name="readOnly"/>.
        /// </summary>
        internal static MapSpec DataMap(string objectName, string section, uint valueTypeId, byte[] initialData, bool readOnly) =>
            new MapSpec(DataMapName(objectName, section), (int)BpfMapType.Array, 4, (uint)initialData.Length, 1, MemoryMappable | (readOnly ? ReadOnlyProgram : 0))
            {
                ValueTypeId = valueTypeId,
                InitialData = initialData,
                Freeze = readOnly,
            };

        private static string DataMapName(string objectName, string section)
        {
            var suffix = section.Length > 15 ? section.Substring(0, 15) : section;
            var prefix = new string(objectName.Take(Math.Min(8, 15 - suffix.Length)).Select(c => char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_').ToArray());
            return prefix + suffix;
        }
    }
}
