using System;
using System.Collections.Generic;
using System.Linq;
using BpfSharp.Spec;

namespace BpfSharp.Loader.Objects
{
    /// <summary>The kernel operation a struct_ops program implements: the kernel struct's BTF id and the member's index.</summary>
    internal readonly record struct StructOpsMember(uint KernelStructId, int MemberIndex);

    /// <summary>
    /// struct_ops maps, as libbpf reads them: each variable of a <c>.struct_ops</c> (or <c>.struct_ops.link</c>) section
    /// is a map of type STRUCT_OPS holding a kernel struct of operations (<c>tcp_congestion_ops</c>...), whose
    /// function-pointer members the section's relocations point at programs. The map's value is the kernel's wrapper
    /// (<c>bpf_struct_ops_&lt;struct&gt;</c>); each named program loads with that struct as its attach BTF id and the
    /// member's index as its expected attach type. Ids are the running kernel's, which the programs load into.
    /// </summary>
    internal sealed class StructOpsSection
    {
        private const string ValuePrefix = "bpf_struct_ops_";
        private const uint LinkFlag = 1u << 13; // BPF_F_LINK: registered through a link

        private StructOpsSection(List<MapSpec> maps, Dictionary<string, StructOpsMember> programs)
        {
            Maps = maps;
            Programs = programs;
        }

        public IReadOnlyList<MapSpec> Maps { get; }

        /// <summary>The operation each program a struct_ops map names implements, by program (function) name.</summary>
        public IReadOnlyDictionary<string, StructOpsMember> Programs { get; }

        public const string ProgramType = "BPF_PROG_TYPE_STRUCT_OPS";

        /// <summary>A struct_ops program with the kernel operation the object's struct_ops maps name it for; which one, only a map says.</summary>
        public static ProgramSpec Bind(string file, StructOpsSection? section, ProgramSpec program) =>
            section?.Programs.TryGetValue(program.Name, out var member) == true
                ? program with { StructOps = member }
                : throw new BpfObjectFormatException(file, $"struct_ops program '{program.Name}' is named by no struct_ops map, so which kernel operation it implements is unknown");

        public static bool IsStructOpsSection(string name) =>
            name == ".struct_ops" || name == ".struct_ops.link" || name.StartsWith(".struct_ops.", StringComparison.Ordinal);

        /// <summary>The object's struct_ops maps, or null when it has none.</summary>
        public static StructOpsSection? Read(string file, Btf? btf, ElfFile elf, Func<Btf?> kernelBtf)
        {
            var sections = elf.Sections.Where(s => IsStructOpsSection(s.Name) && s.Size > 0).ToList();
            if (sections.Count == 0)
            {
                return null;
            }

            if (btf is null)
            {
                throw new BpfObjectFormatException(file, $"section '{sections[0].Name}' declares struct_ops maps, but the object has no BTF to describe them (compile with -g)");
            }

            var kernel = kernelBtf() ?? throw new BpfException($"{file}: the object has struct_ops maps, and the running kernel has no BTF to find their structs in ({KernelBtf.VmlinuxPath} is missing)", 0);
            var maps = new List<MapSpec>();
            var programs = new Dictionary<string, StructOpsMember>(StringComparer.Ordinal);
            foreach (var section in sections)
            {
                var datasec = btf.Types.FirstOrDefault(t => t.Kind == BtfKind.DataSection && t.Name == section.Name)
                    ?? throw new BpfObjectFormatException(file, $"BTF has no data section for '{section.Name}' to say what its struct_ops maps are");
                var variables = new List<(string Name, BtfType Struct, ulong Offset, BtfType KernelStruct)>();
                foreach (var member in datasec.Members)
                {
                    var variable = btf.Type(member.Type);
                    if (variable?.Kind != BtfKind.Variable)
                    {
                        continue;
                    }

                    var type = btf.Resolve(variable.SizeOrType);
                    if (type?.Kind != BtfKind.Struct)
                    {
                        throw new BpfObjectFormatException(file, $"struct_ops map '{variable.Name}' is not a struct");
                    }

                    var kernelStruct = kernel.Named(BtfKind.Struct, type.Name);
                    var wrapper = kernel.Named(BtfKind.Struct, ValuePrefix + type.Name);
                    if (kernelStruct is null || wrapper is null)
                    {
                        throw new BpfException($"{file}: struct_ops map '{variable.Name}' implements 'struct {type.Name}', which the running kernel does not offer as struct_ops (its BTF has no {(kernelStruct is null ? "struct " + type.Name : ValuePrefix + type.Name)})", 0);
                    }

                    var symbol = elf.Symbols.FirstOrDefault(s => s.Name == variable.Name && !s.IsSection && s.SectionIndex == section.Index)
                        ?? throw new BpfObjectFormatException(file, $"struct_ops map '{variable.Name}' has no symbol in '{section.Name}'");
                    variables.Add((variable.Name, type, symbol.Value, kernelStruct));
                    maps.Add(new MapSpec(variable.Name, (int)BpfMapType.StructOps, 4, wrapper.SizeOrType, 1, section.Name == ".struct_ops.link" ? LinkFlag : 0)
                    {
                        KernelValueTypeId = wrapper.Id,
                    });
                }

                foreach (var relocation in elf.RelocationsOf(section))
                {
                    if (relocation.SymbolIndex <= 0 || relocation.SymbolIndex >= elf.Symbols.Count)
                    {
                        throw new BpfObjectFormatException(file, $"a relocation of '{section.Name}' names symbol {relocation.SymbolIndex}, which the symbol table does not have");
                    }

                    var owner = variables.FirstOrDefault(v => relocation.Offset >= v.Offset && relocation.Offset < v.Offset + v.Struct.SizeOrType);
                    if (owner.Name is null)
                    {
                        throw new BpfObjectFormatException(file, $"a relocation of '{section.Name}' at offset {relocation.Offset} lies in no struct_ops map");
                    }

                    var program = ProgramNamed(file, elf.Symbols[relocation.SymbolIndex], relocation.Offset);
                    var index = Enumerable.Range(0, owner.Struct.Members.Count).FirstOrDefault(i => owner.Struct.MemberBitOffset(i) == (relocation.Offset - owner.Offset) * 8, -1);
                    var memberName = index < 0 ? null : owner.Struct.Members[index].Name;
                    if (memberName is null)
                    {
                        throw new BpfObjectFormatException(file, $"struct_ops map '{owner.Name}' points at program '{program}' from offset {relocation.Offset - owner.Offset}, where 'struct {owner.Struct.Name}' has no member");
                    }

                    var kernelStruct = owner.KernelStruct;
                    var kernelIndex = Enumerable.Range(0, kernelStruct.Members.Count).FirstOrDefault(i => kernelStruct.Members[i].Name == memberName, -1);
                    if (kernelIndex < 0)
                    {
                        throw new BpfException($"{file}: struct_ops map '{owner.Name}' sets '{memberName}' to program '{program}', but the running kernel's 'struct {owner.Struct.Name}' has no member '{memberName}'", 0);
                    }

                    var target = new StructOpsMember(kernelStruct.Id, kernelIndex);
                    if (programs.TryGetValue(program, out var earlier) && earlier != target)
                    {
                        throw new BpfException($"{file}: program '{program}' implements two different struct_ops operations; a program loads for one", 0);
                    }

                    programs[program] = target;
                }
            }

            return new StructOpsSection(maps, programs);
        }

        // The program a member points at: clang names the function's own symbol (anything else is no program).
        private static string ProgramNamed(string file, ElfSymbol symbol, ulong at)
        {
            if (symbol.IsFunction)
            {
                return symbol.Name;
            }

            throw new BpfObjectFormatException(file, $"a struct_ops member at offset {at} names '{symbol.Name}', which is not a program");
        }
    }
}
