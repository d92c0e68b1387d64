using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace BpfSharp.Loader.Objects
{
    /// <summary>A section of an ELF file: its name, kind, flags and bytes.</summary>
    internal sealed record ElfSection(int Index, string Name, uint Type, ulong Flags, int Offset, int Size, uint Link, uint Info)
    {
        public const uint ProgramBits = 1; // SHT_PROGBITS
        public const uint SymbolTable = 2; // SHT_SYMTAB
        public const uint Relocations = 9; // SHT_REL
        public const uint NoBits = 8; // SHT_NOBITS (.bss)
        public const ulong Executable = 0x4; // SHF_EXECINSTR

        public bool IsExecutable => (Flags & Executable) != 0;
    }

    /// <summary>An ELF symbol: name, section, value (offset in the section) and size.</summary>
    internal sealed record ElfSymbol(int Index, string Name, byte Info, int SectionIndex, ulong Value, ulong Size)
    {
        public bool IsFunction => (Info & 0xf) == 2; // STT_FUNC

        public bool IsGlobal => (Info >> 4) == 1 || (Info >> 4) == 2; // STB_GLOBAL, STB_WEAK

        public bool IsSection => (Info & 0xf) == 3; // STT_SECTION

        public bool IsObject => (Info & 0xf) == 1; // STT_OBJECT: a variable

        /// <summary>st_other's visibility (STV_DEFAULT 0, STV_INTERNAL 1, STV_HIDDEN 2, STV_PROTECTED 3).</summary>
        public byte Visibility { get; init; }

        /// <summary>A global function hidden from other objects (<c>__hidden</c>): libbpf has the verifier check it as a static one.</summary>
        public bool IsHiddenFunction => IsFunction && IsGlobal && (Visibility == 1 || Visibility == 2);
    }

    /// <summary>A relocation of a section: the byte offset it patches, its symbol and its type.</summary>
    internal sealed record ElfRelocation(ulong Offset, int SymbolIndex, uint Type)
    {
        public const uint BpfAbsolute64 = 1; // R_BPF_64_64: a 64-bit immediate (ld_imm64) naming a map or data
    }

    /// <summary>
    /// A reader for the 64-bit little-endian relocatable ELF files clang writes for the BPF target: sections, symbols,
    /// relocations. Every offset is checked against the file, so a truncated or corrupt object is a clear error.
    /// </summary>
    internal sealed class ElfFile
    {
        private const ushort MachineBpf = 247; // EM_BPF

        private ElfFile(string name, byte[] data, List<ElfSection> sections, List<ElfSymbol> symbols)
        {
            Name = name;
            Data = data;
            Sections = sections;
            Symbols = symbols;
        }

        public string Name { get; }

        public byte[] Data { get; }

        public IReadOnlyList<ElfSection> Sections { get; }

        public IReadOnlyList<ElfSymbol> Symbols { get; }

        public ElfSection? Section(string name) => Sections.FirstOrDefault(s => s.Name == name);

        public ReadOnlySpan<byte> Bytes(ElfSection section) =>
            section.Type == ElfSection.NoBits ? new byte[section.Size] : Data.AsSpan(section.Offset, section.Size);

        /// <summary>The relocations that apply to a section (from the SHT_REL section whose sh_info names it).</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        public IReadOnlyList<ElfRelocation> RelocationsOf(ElfSection target)
        {
            var result = new List<ElfRelocation>();
            foreach (var section in Sections.Where(s => s.Type == ElfSection.Relocations && s.Info == target.Index))
            {
                var bytes = Bytes(section);
                for (var at = 0; at + 16 <= bytes.Length; at += 16)
                {
                    var info = BinaryPrimitives.ReadUInt64LittleEndian(bytes.Slice(at + 8));
                    var symbol = info >> 32;
                    if (symbol >= (ulong)Symbols.Count)
                    {
                        throw Corrupt($"relocation #{at / 16} of {target.Name} names symbol {symbol}, beyond the {Symbols.Count} symbols");
                    }

                    // libbpf refuses what would patch outside the code ("invalid offset ... for relo #N"), so does this.
                    var offset = BinaryPrimitives.ReadUInt64LittleEndian(bytes.Slice(at));
                    if (offset % 8 != 0 || offset + 8 > (ulong)target.Size)
                    {
                        throw Corrupt($"relocation #{at / 16} in {section.Name} is at offset 0x{offset:x}, outside the {target.Size} bytes of {target.Name} or not on an instruction");
                    }

                    result.Add(new ElfRelocation(offset, (int)symbol, (uint)info));
                }
            }

            return result;
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        public static ElfFile Read(string name, byte[] data)
        {
            if (data.Length < 64 || data[0] != 0x7f || data[1] != (byte)'E' || data[2] != (byte)'L' || data[3] != (byte)'F')
            {
                throw new BpfObjectFormatException(name, "not an ELF file");
            }

            if (data[4] != 2 || data[5] != 1)
            {
                throw new BpfObjectFormatException(name, "not a 64-bit little-endian ELF file (BPF objects are)");
            }

            var machine = BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(18));
            if (machine != MachineBpf)
            {
                throw new BpfObjectFormatException(name, $"an ELF file for machine {machine}, not BPF ({MachineBpf}): was it built with clang -target bpf?");
            }

            var sectionTable = BinaryPrimitives.ReadUInt64LittleEndian(data.AsSpan(40));
            var entrySize = BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(58));
            var count = BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(60));
            var namesIndex = BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(62));
            if (entrySize != 64 || sectionTable > (ulong)data.Length || sectionTable + ((ulong)count * 64) > (ulong)data.Length || namesIndex >= count)
            {
                throw new BpfObjectFormatException(name, "the section table lies outside the file (truncated?)");
            }

            var headers = new List<(uint NameOffset, uint Type, ulong Flags, int Offset, int Size, uint Link, uint Info)>();
            for (var i = 0; i < count; i++)
            {
                var header = data.AsSpan((int)sectionTable + (i * 64), 64);
                var type = BinaryPrimitives.ReadUInt32LittleEndian(header.Slice(4));
                var offset = BinaryPrimitives.ReadUInt64LittleEndian(header.Slice(24));
                var size = BinaryPrimitives.ReadUInt64LittleEndian(header.Slice(32));
                if (type != ElfSection.NoBits && type != 0 && (offset > (ulong)data.Length || offset + size > (ulong)data.Length))
                {
                    throw new BpfObjectFormatException(name, $"section {i} lies outside the file (offset {offset}, size {size}, file {data.Length} bytes; truncated?)");
                }

                headers.Add((BinaryPrimitives.ReadUInt32LittleEndian(header), type, BinaryPrimitives.ReadUInt64LittleEndian(header.Slice(8)), (int)offset, (int)size, BinaryPrimitives.ReadUInt32LittleEndian(header.Slice(40)), BinaryPrimitives.ReadUInt32LittleEndian(header.Slice(44))));
            }

            var names = headers[namesIndex];
            var sections = headers.Select((h, i) => new ElfSection(i, CString(name, data, names.Offset, names.Size, h.NameOffset), h.Type, h.Flags, h.Offset, h.Size, h.Link, h.Info)).ToList();

            var symbols = new List<ElfSymbol>();
            var symbolTable = sections.FirstOrDefault(s => s.Type == ElfSection.SymbolTable);
            if (symbolTable != null)
            {
                if (symbolTable.Link >= sections.Count)
                {
                    throw new BpfObjectFormatException(name, "the symbol table names no string table");
                }

                var strings = sections[(int)symbolTable.Link];
                for (var at = 0; at + 24 <= symbolTable.Size; at += 24)
                {
                    var entry = data.AsSpan(symbolTable.Offset + at, 24);
                    symbols.Add(new ElfSymbol(
                        at / 24,
                        CString(name, data, strings.Offset, strings.Size, BinaryPrimitives.ReadUInt32LittleEndian(entry)),
                        entry[4],
                        BinaryPrimitives.ReadUInt16LittleEndian(entry.Slice(6)),
                        BinaryPrimitives.ReadUInt64LittleEndian(entry.Slice(8)),
                        BinaryPrimitives.ReadUInt64LittleEndian(entry.Slice(16)))
                    {
                        Visibility = (byte)(entry[5] & 0x3),
                    });
                }
            }

            return new ElfFile(name, data, sections, symbols);
        }

        private BpfObjectFormatException Corrupt(string what) => new BpfObjectFormatException(Name, what);

        private static string CString(string file, byte[] data, int tableOffset, int tableSize, uint offset)
        {
            if (offset >= tableSize)
            {
                throw new BpfObjectFormatException(file, $"a name at offset {offset} lies outside its string table ({tableSize} bytes)");
            }

            var start = tableOffset + (int)offset;
            var end = Array.IndexOf(data, (byte)0, start, tableOffset + tableSize - start);
            return Encoding.UTF8.GetString(data, start, (end < 0 ? tableOffset + tableSize : end) - start);
        }
    }
}
