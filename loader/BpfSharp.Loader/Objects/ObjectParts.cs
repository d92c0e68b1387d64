using System;
using System.Collections.Generic;
using System.Linq;
using BpfSharp.Spec;

namespace BpfSharp.Loader.Objects
{
    /// <summary>A map the object declares: a BTF-defined map in .maps, or a global data section (.bss, .data, .rodata).</summary>
    internal sealed record MapSpec(string Name, int Type, uint KeySize, uint ValueSize, uint MaxEntries, uint Flags)
    {
        public uint KeyTypeId { get; init; }

        public uint ValueTypeId { get; init; }

        /// <summary>For a global data section: its ELF section name and initial bytes.</summary>
        public string? DataSection { get; init; }

        public byte[]? InitialData { get; init; }

        /// <summary>Read-only global data: frozen after it is written.</summary>
        public bool Freeze { get; init; }

        /// <summary>Pinned by name (LIBBPF_PIN_BY_NAME): reused from, or pinned into, the loader's pin folder.</summary>
        public bool PinnedByName { get; init; }

        /// <summary>For a struct_ops map: the running kernel's BTF id of its value (<c>bpf_struct_ops_&lt;struct&gt;</c>).</summary>
        public uint KernelValueTypeId { get; init; }

        /// <summary>For a map of maps: what every map put into it must look like.</summary>
        public MapSpec? Inner { get; init; }

        /// <summary>A program array's or map of maps' slots set in .maps (<c>.values = { [0] = &amp;x }</c>): filled once all is loaded.</summary>
        public IReadOnlyList<MapSlot> InitialSlots { get; init; } = Array.Empty<MapSlot>();
    }

    /// <summary>A global variable: where in which data map it lies.</summary>
    internal sealed record GlobalSpec(string Name, string MapName, int Offset, int Size, bool ReadOnly)
    {
        /// <summary>
        /// The one global of the name, which must be <paramref name="size"/> bytes (those of <paramref name="sizeOf"/>);
        /// else an error that lists the globals there are, or says the two sizes.
        /// </summary>
        public static GlobalSpec Find(string objectName, IReadOnlyList<GlobalSpec> globals, string name, int size, string sizeOf)
        {
            var matches = globals.Where(g => g.Name == name).ToList();
            if (matches.Count != 1)
            {
                var known = globals.Count == 0 ? "it has no global variables" : "it has: " + string.Join(", ", globals.Select(g => g.Name));
                throw new KeyNotFoundException(matches.Count == 0 ? $"{objectName} has no global variable '{name}'; {known}" : $"{objectName} has {matches.Count} global variables named '{name}' (in {string.Join(", ", matches.Select(g => g.MapName))})");
            }

            return matches[0].Size == size
                ? matches[0]
                : throw new BpfException($"global variable '{name}' is {matches[0].Size} bytes; {sizeOf} is {size} bytes: use the type the program declares", 0);
        }
    }

    /// <summary>A slot of a map whose values are programs or maps, and the program or map (by name) that fills it.</summary>
    internal readonly record struct MapSlot(uint Index, string Target);

    /// <summary>Where an instruction names a map: the map, and for global data the offset into its value.</summary>
    internal sealed record MapReference(int Instruction, string Map, bool IsData, uint DataOffset);

    /// <summary>A program: its function in a code section, its instructions, maps, and BTF func/line info rebased to it.</summary>
    internal sealed record ProgramSpec(string Name, string Section, SectionDefinition Definition, byte[] Code, IReadOnlyList<MapReference> Maps, IReadOnlyList<FunctionInfo> Functions, IReadOnlyList<LineInfo> Lines)
    {
        /// <summary>For a struct_ops program: the kernel operation a struct_ops map names it for.</summary>
        public StructOpsMember? StructOps { get; init; }
    }
}
