using System;
using System.Buffers.Binary;
using System.Collections.Generic;

namespace BpfSharp.Loader.Objects
{
    /// <summary>A function's BTF type, at a byte offset of its section.</summary>
    internal readonly record struct FunctionInfo(uint ByteOffset, uint TypeId);

    /// <summary>A source line for the instruction at a byte offset (file and line text are BTF string offsets; line and column packed).</summary>
    internal readonly record struct LineInfo(uint ByteOffset, uint FileNameOffset, uint LineOffset, uint LineAndColumn)
    {
        public uint Line => LineAndColumn >> 10;
    }

    /// <summary>A CO-RE relocation: the instruction at a byte offset of its section, the local type, the access string ("0:1:2") and what to compute.</summary>
    internal readonly record struct CoreRelocation(uint ByteOffset, uint TypeId, string Access, CoreRelocationKind Kind);

    /// <summary>What a CO-RE relocation computes (enum bpf_core_relo_kind).</summary>
    internal enum CoreRelocationKind
    {
        FieldByteOffset = 0,
        FieldByteSize = 1,
        FieldExists = 2,
        FieldSigned = 3,
        FieldLeftShift = 4,
        FieldRightShift = 5,
        TypeIdLocal = 6,
        TypeIdTarget = 7,
        TypeExists = 8,
        TypeSize = 9,
        EnumValueExists = 10,
        EnumValue = 11,
        TypeMatches = 12,
    }

    /// <summary>
    /// The .BTF.ext section: per code section, the functions' BTF types, each instruction's source line (which #line makes a
    /// C# line) and the CO-RE relocations (which clang emits for kernel types read with preserve_access_index).
    /// </summary>
    internal sealed class BtfExt
    {
        private BtfExt(Dictionary<string, List<FunctionInfo>> functions, Dictionary<string, List<LineInfo>> lines, Dictionary<string, List<CoreRelocation>> relocations)
        {
            Functions = functions;
            Lines = lines;
            CoreRelocations = relocations;
        }

        public IReadOnlyDictionary<string, List<FunctionInfo>> Functions { get; }

        public IReadOnlyDictionary<string, List<LineInfo>> Lines { get; }

        /// <summary>CO-RE relocations by code section, in the object's order.</summary>
        public IReadOnlyDictionary<string, List<CoreRelocation>> CoreRelocations { get; }

        public static BtfExt Empty { get; } = new BtfExt(new Dictionary<string, List<FunctionInfo>>(), new Dictionary<string, List<LineInfo>>(), new Dictionary<string, List<CoreRelocation>>());

        public static BtfExt Read(string file, ReadOnlySpan<byte> section, Btf btf)
        {
            if (section.Length < 24 || BinaryPrimitives.ReadUInt16LittleEndian(section) != 0xeB9F)
            {
                throw new BpfObjectFormatException(file, "the .BTF.ext section is not BTF.ext (bad magic, or too short)");
            }

            var declaredHeader = BinaryPrimitives.ReadUInt32LittleEndian(section.Slice(4));
            if (declaredHeader < 24 || declaredHeader > (uint)section.Length)
            {
                throw new BpfObjectFormatException(file, $"the .BTF.ext header claims {declaredHeader} bytes, which is not between 24 and the section's {section.Length}");
            }

            var headerLength = (int)declaredHeader;
            var functions = new Dictionary<string, List<FunctionInfo>>();
            var lines = new Dictionary<string, List<LineInfo>>();
            ReadBlocks(file, section, btf, headerLength, 8, 8, (name, record) => Add(functions, name, new FunctionInfo(BinaryPrimitives.ReadUInt32LittleEndian(record), BinaryPrimitives.ReadUInt32LittleEndian(record.Slice(4)))));
            ReadBlocks(file, section, btf, headerLength, 16, 16, (name, record) => Add(lines, name, new LineInfo(BinaryPrimitives.ReadUInt32LittleEndian(record), BinaryPrimitives.ReadUInt32LittleEndian(record.Slice(4)), BinaryPrimitives.ReadUInt32LittleEndian(record.Slice(8)), BinaryPrimitives.ReadUInt32LittleEndian(record.Slice(12)))));
            var relocations = new Dictionary<string, List<CoreRelocation>>();
            if (headerLength >= 32)
            {
                ReadBlocks(file, section, btf, headerLength, 24, 16, (name, record) =>
                {
                    var kind = BinaryPrimitives.ReadUInt32LittleEndian(record.Slice(12));
                    if (kind > (uint)CoreRelocationKind.TypeMatches)
                    {
                        throw new BpfObjectFormatException(file, $"a CO-RE relocation in section '{name}' has kind {kind}, which this loader does not know");
                    }

                    Add(relocations, name, new CoreRelocation(BinaryPrimitives.ReadUInt32LittleEndian(record), BinaryPrimitives.ReadUInt32LittleEndian(record.Slice(4)), btf.String(BinaryPrimitives.ReadUInt32LittleEndian(record.Slice(8))), (CoreRelocationKind)kind));
                });
            }

            return new BtfExt(functions, lines, relocations);
        }

        private static void Add<T>(Dictionary<string, List<T>> table, string section, T record)
        {
            if (!table.TryGetValue(section, out var list))
            {
                table[section] = list = new List<T>();
            }

            list.Add(record);
        }

        // A part of BTF.ext: (offset, length) at headerField in the header; a record size, then per section its name and records.
        private delegate void RecordReader(string section, ReadOnlySpan<byte> record);

        private static void ReadBlocks(string file, ReadOnlySpan<byte> ext, Btf btf, int headerLength, int headerField, int minimumRecordSize, RecordReader read)
        {
            var offset = BinaryPrimitives.ReadUInt32LittleEndian(ext.Slice(headerField));
            var length = BinaryPrimitives.ReadUInt32LittleEndian(ext.Slice(headerField + 4));
            if (length == 0)
            {
                return;
            }

            if ((ulong)headerLength + offset + length > (ulong)ext.Length || length < 4)
            {
                throw new BpfObjectFormatException(file, "a part of .BTF.ext lies outside it (truncated?)");
            }

            var part = ext.Slice(headerLength + (int)offset, (int)length);
            var recordSize = (int)BinaryPrimitives.ReadUInt32LittleEndian(part);
            if (recordSize < minimumRecordSize)
            {
                throw new BpfObjectFormatException(file, $".BTF.ext records of {recordSize} bytes are too small (at least {minimumRecordSize})");
            }

            var at = 4;
            while (at + 8 <= part.Length)
            {
                var section = btf.String(BinaryPrimitives.ReadUInt32LittleEndian(part.Slice(at)));
                var count = (int)BinaryPrimitives.ReadUInt32LittleEndian(part.Slice(at + 4));
                at += 8;
                if ((long)count * recordSize > part.Length - at)
                {
                    throw new BpfObjectFormatException(file, $".BTF.ext records for section '{section}' run past the end");
                }

                for (var i = 0; i < count; i++, at += recordSize)
                {
                    read(section, part.Slice(at, recordSize));
                }
            }
        }
    }
}
