using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading;

namespace BpfSharp.Loader.Objects
{
    /// <summary>BTF type kinds (BTF_KIND_*).</summary>
    internal enum BtfKind
    {
        Unknown = 0,
        Int = 1,
        Pointer = 2,
        Array = 3,
        Struct = 4,
        Union = 5,
        Enum = 6,
        Forward = 7,
        Typedef = 8,
        Volatile = 9,
        Const = 10,
        Restrict = 11,
        Function = 12,
        FunctionPrototype = 13,
        Variable = 14,
        DataSection = 15,
        Float = 16,
        DeclarationTag = 17,
        TypeTag = 18,
        Enum64 = 19,
    }

    /// <summary>One BTF type: kind, name, the size-or-type word, and its members (struct/union members, datasec variables).</summary>
    internal sealed record BtfType(uint Id, BtfKind Kind, string Name, int VariableLength, uint SizeOrType, int Offset, IReadOnlyList<BtfMember> Members)
    {
        /// <summary>For an array: element type and count.</summary>
        public (uint ElementType, uint Count) Array { get; init; }

        /// <summary>The info word's kind flag: bitfield offsets in a struct's members, signedness of an enum.</summary>
        public bool KindFlag { get; init; }

        /// <summary>For an integer: the word after the type (encoding in bits 24-27, bit offset in 16-23, bits in 0-7).</summary>
        public uint IntInfo { get; init; }

        /// <summary>An integer's encoding: BTF_INT_SIGNED (1), BTF_INT_CHAR (2), BTF_INT_BOOL (4).</summary>
        public uint IntEncoding => (IntInfo >> 24) & 0x0f;

        /// <summary>An integer's bit offset (non-zero only for the deprecated bitfield-like integers).</summary>
        public uint IntOffset => (IntInfo >> 16) & 0xff;

        /// <summary>An integer's width in bits.</summary>
        public uint IntBits => IntInfo & 0xff;

        /// <summary>For an enum: its enumerators in order.</summary>
        public IReadOnlyList<BtfEnumerator> Enumerators { get; init; } = System.Array.Empty<BtfEnumerator>();

        /// <summary>A struct or union member's bit offset (without the bitfield size the kind flag packs with it).</summary>
        public uint MemberBitOffset(int index) => KindFlag ? Members[index].Offset & 0xffffff : Members[index].Offset;

        /// <summary>A struct or union member's bitfield size, 0 when it is no bitfield.</summary>
        public uint MemberBitfieldSize(int index) => KindFlag ? Members[index].Offset >> 24 : 0;
    }

    /// <summary>A struct/union member (name, type, bit offset), a datasec variable (type = VAR id, offset, size) or a function prototype's parameter (name, type).</summary>
    internal sealed record BtfMember(string Name, uint Type, uint Offset, uint Size);

    /// <summary>An enumerator of an enum or enum64.</summary>
    internal sealed record BtfEnumerator(string Name, long Value);

    /// <summary>
    /// The .BTF section of an object: types and strings, read with bounds checks, and written back with the fix-ups the kernel
    /// needs (clang leaves data sections' sizes and their variables' offsets to the loader, as libbpf fills them in).
    /// </summary>
    internal sealed partial class Btf
    {
        private const int HeaderLength = 24;
        private readonly byte[] _data;
        private readonly int _typesStart;
        private readonly int _stringsStart;
        private readonly int _stringsLength;

        private Btf(string file, byte[] data, int typesStart, int stringsStart, int stringsLength, List<BtfType> types)
        {
            File = file;
            _data = data;
            _typesStart = typesStart;
            _stringsStart = stringsStart;
            _stringsLength = stringsLength;
            Types = types;
        }

        public string File { get; }

        /// <summary>Types by id - 1 (id 0 is void).</summary>
        public IReadOnlyList<BtfType> Types { get; }

        public BtfType? Type(uint id) => id == 0 || id > Types.Count ? null : Types[(int)id - 1];

        private Dictionary<(BtfKind, string), BtfType>? _named;

        /// <summary>The first type of a kind with a name (indexed when first asked: a kernel's BTF holds over 100,000 types).</summary>
        public BtfType? Named(BtfKind kind, string name)
        {
            var named = Volatile.Read(ref _named);
            if (named is null)
            {
                named = new Dictionary<(BtfKind, string), BtfType>();
                foreach (var type in Types.Where(t => t.Name.Length > 0))
                {
                    named.TryAdd((type.Kind, type.Name), type);
                }

                Volatile.Write(ref _named, named);
            }

            return named.TryGetValue((kind, name), out var found) ? found : null;
        }

        // A member's or parameter's name; most are anonymous (offset 0).
        private string NameAt(uint offset) => offset == 0 ? string.Empty : String(offset);

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        public string String(uint offset)
        {
            if (offset >= _stringsLength)
            {
                throw new BpfObjectFormatException(File, $"BTF string offset {offset} lies outside the string section ({_stringsLength} bytes)");
            }

            var start = _stringsStart + (int)offset;
            var end = System.Array.IndexOf(_data, (byte)0, start, _stringsStart + _stringsLength - start);
            return Encoding.UTF8.GetString(_data, start, (end < 0 ? _stringsStart + _stringsLength : end) - start);
        }

        /// <summary>The type behind typedefs and qualifiers.</summary>
        public BtfType? Resolve(uint id)
        {
            for (var hops = 0; hops < 64; hops++)
            {
                var type = Type(id);
                if (type is null || !(type.Kind is BtfKind.Typedef or BtfKind.Volatile or BtfKind.Const or BtfKind.Restrict or BtfKind.TypeTag))
                {
                    return type;
                }

                id = type.SizeOrType;
            }

            throw new BpfObjectFormatException(File, $"BTF type {id} is a loop of typedefs and qualifiers");
        }

        /// <summary>The size in bytes of a value of the type.</summary>
        public uint SizeOf(uint id)
        {
            var type = Resolve(id) ?? throw new BpfObjectFormatException(File, $"BTF type {id} does not exist, or is void: it has no size");
            return type.Kind switch
            {
                BtfKind.Int or BtfKind.Struct or BtfKind.Union or BtfKind.Enum or BtfKind.Enum64 or BtfKind.DataSection or BtfKind.Float => type.SizeOrType,
                BtfKind.Pointer => 8,
                BtfKind.Array => type.Array.Count * SizeOf(type.Array.ElementType),
                BtfKind.Variable => SizeOf(type.SizeOrType),
                _ => throw new BpfObjectFormatException(File, $"BTF type {id} ({type.Kind}) has no size"),
            };
        }

        /// <summary>
        /// The blob with data sections sized and their variables placed (section name -> size, section and variable name -> offset),
        /// and the functions named in <paramref name="staticFunctions"/> made static.
        /// </summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        public byte[] WithDataSections(Func<string, int?> sectionSize, Func<string, string, ulong?> variableOffset, ISet<string>? staticFunctions = null)
        {
            var blob = (byte[])_data.Clone();
            foreach (var function in Types.Where(t => t.Kind == BtfKind.Function && staticFunctions?.Contains(t.Name) == true))
            {
                // As libbpf does for __hidden functions: the verifier then checks them in their callers' context, as static ones.
                var info = BinaryPrimitives.ReadUInt32LittleEndian(blob.AsSpan(_typesStart + function.Offset + 4));
                BinaryPrimitives.WriteUInt32LittleEndian(blob.AsSpan(_typesStart + function.Offset + 4), info & ~0xffffu);
            }

            foreach (var section in Types.Where(t => t.Kind == BtfKind.DataSection))
            {
                if (section.Name == KernelSymbolsSection)
                {
                    blob = WithKernelSymbols(blob, section);
                    continue;
                }

                var at = _typesStart + section.Offset;
                if (BinaryPrimitives.ReadUInt32LittleEndian(blob.AsSpan(at + 8)) == 0)
                {
                    var size = sectionSize(section.Name) ?? throw new BpfObjectFormatException(File, $"BTF names a data section '{section.Name}' that the object does not have");
                    BinaryPrimitives.WriteUInt32LittleEndian(blob.AsSpan(at + 8), (uint)size);
                    for (var i = 0; i < section.Members.Count; i++)
                    {
                        var variable = Type(section.Members[i].Type);
                        if (variable != null && variableOffset(section.Name, variable.Name) is ulong offset)
                        {
                            BinaryPrimitives.WriteUInt32LittleEndian(blob.AsSpan(at + 12 + (i * 12) + 4), (uint)offset);
                        }

                        if (section.Name == KconfigSection.SectionName && variable?.Kind == BtfKind.Variable)
                        {
                            // An extern the loader fills in: the kernel takes only allocated variables, each with its size.
                            BinaryPrimitives.WriteUInt32LittleEndian(blob.AsSpan(_typesStart + variable.Offset + 12), GlobalAllocated);
                            BinaryPrimitives.WriteUInt32LittleEndian(blob.AsSpan(at + 12 + (i * 12) + 8), SizeOf(variable.SizeOrType));
                        }
                    }

                    SortByOffset(blob, at, section.Members.Count);
                }
            }

            return blob;
        }

        // The kernel wants a data section's variables in the order of their offsets (the loader may have placed them otherwise), as libbpf sorts them.
        private static void SortByOffset(byte[] blob, int section, int count)
        {
            var sorted = true;
            for (var i = 1; i < count && sorted; i++)
            {
                sorted = BinaryPrimitives.ReadUInt32LittleEndian(blob.AsSpan(section + 12 + ((i - 1) * 12) + 4)) <= BinaryPrimitives.ReadUInt32LittleEndian(blob.AsSpan(section + 12 + (i * 12) + 4));
            }

            if (sorted)
            {
                return; // as clang most often leaves them
            }

            var entries = Enumerable.Range(0, count).Select(i => blob.AsSpan(section + 12 + (i * 12), 12).ToArray())
                .OrderBy(entry => BinaryPrimitives.ReadUInt32LittleEndian(entry.AsSpan(4))).ToList();
            for (var i = 0; i < count; i++)
            {
                entries[i].CopyTo(blob, section + 12 + (i * 12));
            }
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        public static Btf Read(string file, ReadOnlySpan<byte> section)
        {
            if (section.Length < HeaderLength || BinaryPrimitives.ReadUInt16LittleEndian(section) != 0xeB9F)
            {
                throw new BpfObjectFormatException(file, "the .BTF section is not BTF (bad magic, or too short)");
            }

            var headerLength = (int)BinaryPrimitives.ReadUInt32LittleEndian(section.Slice(4));
            var typesOffset = BinaryPrimitives.ReadUInt32LittleEndian(section.Slice(8));
            var typesLength = BinaryPrimitives.ReadUInt32LittleEndian(section.Slice(12));
            var stringsOffset = BinaryPrimitives.ReadUInt32LittleEndian(section.Slice(16));
            var stringsLength = BinaryPrimitives.ReadUInt32LittleEndian(section.Slice(20));
            if (headerLength < HeaderLength || (ulong)headerLength + typesOffset + typesLength > (ulong)section.Length || (ulong)headerLength + stringsOffset + stringsLength > (ulong)section.Length)
            {
                throw new BpfObjectFormatException(file, "the .BTF section's types or strings lie outside it (truncated?)");
            }

            var data = section.ToArray();
            var typesStart = headerLength + (int)typesOffset;
            var types = new List<BtfType>();
            var btf = new Btf(file, data, typesStart, headerLength + (int)stringsOffset, (int)stringsLength, types);
            var at = 0;
            while (at < typesLength)
            {
                // One pass, each type built as it is read: a kernel's BTF holds over 100,000 of them.
                var id = (uint)types.Count + 1;
                if (at + 12 > typesLength)
                {
                    throw new BpfObjectFormatException(file, $"BTF type {id} is cut short");
                }

                var header = data.AsSpan(typesStart + at);
                var info = BinaryPrimitives.ReadUInt32LittleEndian(header.Slice(4));
                var kind = (BtfKind)((info >> 24) & 0x1f);
                var variableLength = (int)(info & 0xffff);
                var kindFlag = (info >> 31) != 0;
                var extra = kind switch
                {
                    BtfKind.Int or BtfKind.Variable or BtfKind.DeclarationTag => 4,
                    BtfKind.Array => 12,
                    BtfKind.Struct or BtfKind.Union or BtfKind.DataSection or BtfKind.Enum64 => variableLength * 12,
                    BtfKind.Enum or BtfKind.FunctionPrototype => variableLength * 8,
                    BtfKind.Pointer or BtfKind.Forward or BtfKind.Typedef or BtfKind.Volatile or BtfKind.Const or BtfKind.Restrict or BtfKind.Function or BtfKind.Float or BtfKind.TypeTag => 0,
                    _ => throw new BpfObjectFormatException(file, $"BTF type {id} has kind {(int)kind}, which this loader does not know"),
                };
                if (at + 12 + extra > typesLength)
                {
                    throw new BpfObjectFormatException(file, $"BTF type {id} is cut short");
                }

                var body = header.Slice(12);
                IReadOnlyList<BtfMember> members = System.Array.Empty<BtfMember>();
                IReadOnlyList<BtfEnumerator> enumerators = System.Array.Empty<BtfEnumerator>();
                (uint, uint) array = default;
                uint intInfo = 0;
                switch (kind)
                {
                    case BtfKind.Int:
                        intInfo = BinaryPrimitives.ReadUInt32LittleEndian(body);
                        break;
                    case BtfKind.Array:
                        array = (BinaryPrimitives.ReadUInt32LittleEndian(body), BinaryPrimitives.ReadUInt32LittleEndian(body.Slice(8)));
                        break;
                    case BtfKind.Enum or BtfKind.Enum64:
                        var values = new BtfEnumerator[variableLength];
                        for (var i = 0; i < variableLength; i++)
                        {
                            var entry = body.Slice(i * (kind == BtfKind.Enum ? 8 : 12));
                            var low = BinaryPrimitives.ReadUInt32LittleEndian(entry.Slice(4));
                            values[i] = new BtfEnumerator(
                                btf.String(BinaryPrimitives.ReadUInt32LittleEndian(entry)),
                                kind == BtfKind.Enum64 ? (long)(((ulong)BinaryPrimitives.ReadUInt32LittleEndian(entry.Slice(8)) << 32) | low) : kindFlag ? (int)low : (long)low);
                        }

                        enumerators = values;
                        members = System.Array.Empty<BtfMember>();
                        break;
                    case BtfKind.FunctionPrototype:
                        // Parameters: (name, type).
                        var parameters = new BtfMember[variableLength];
                        for (var i = 0; i < variableLength; i++)
                        {
                            var entry = body.Slice(i * 8);
                            parameters[i] = new BtfMember(btf.NameAt(BinaryPrimitives.ReadUInt32LittleEndian(entry)), BinaryPrimitives.ReadUInt32LittleEndian(entry.Slice(4)), 0, 0);
                        }

                        members = parameters;
                        break;
                    case BtfKind.Struct or BtfKind.Union or BtfKind.DataSection:
                        // Members (name, type, offset); a data section's variables (type, offset, size).
                        var fields = new BtfMember[variableLength];
                        for (var i = 0; i < variableLength; i++)
                        {
                            var entry = body.Slice(i * 12);
                            var (first, second, third) = (BinaryPrimitives.ReadUInt32LittleEndian(entry), BinaryPrimitives.ReadUInt32LittleEndian(entry.Slice(4)), BinaryPrimitives.ReadUInt32LittleEndian(entry.Slice(8)));
                            fields[i] = kind == BtfKind.DataSection ? new BtfMember(string.Empty, first, second, third) : new BtfMember(btf.NameAt(first), second, third, 0);
                        }

                        members = fields;
                        break;
                }

                types.Add(new BtfType(id, kind, btf.String(BinaryPrimitives.ReadUInt32LittleEndian(header)), variableLength, BinaryPrimitives.ReadUInt32LittleEndian(header.Slice(8)), at, members)
                {
                    Array = array,
                    KindFlag = kindFlag,
                    IntInfo = intInfo,
                    Enumerators = enumerators,
                });
                at += 12 + extra;
            }

            return btf;
        }
    }
}
