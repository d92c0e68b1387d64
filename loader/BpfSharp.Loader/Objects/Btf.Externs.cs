using System;
using System.Buffers.Binary;
using System.Linq;
using System.Text;

namespace BpfSharp.Loader.Objects
{
    /// <summary>The object's BTF as the kernel accepts it when the object declares externs the kernel resolves (<c>__ksym</c>).</summary>
    internal sealed partial class Btf
    {
        /// <summary>The data section clang puts <c>__ksym</c> externs (kfuncs and kernel variables) in.</summary>
        public const string KernelSymbolsSection = ".ksyms";

        private const uint GlobalAllocated = 1; // BTF_VAR_GLOBAL_ALLOCATED
        private const uint GlobalFunction = 1; // BTF_FUNC_GLOBAL

        // As libbpf rewrites it: the kernel takes only allocated variables in a data section, so every extern becomes a
        // 4-byte int slot; a variable keeps its own VAR (now an allocated int), a function gives its slot to one dummy int
        // variable added for them, becomes global, and lends that variable's name to its unnamed parameters.
        private byte[] WithKernelSymbols(byte[] blob, BtfType section)
        {
            var intId = Types.FirstOrDefault(t => t.Kind == BtfKind.Int && t.IntBits == 32)?.Id
                ?? throw new BpfObjectFormatException(File, "the object declares __ksym externs, and its BTF has no 32-bit int to give them");
            uint dummyId = 0;
            uint dummyName = 0;
            if (section.Members.Any(m => Type(m.Type)?.Kind == BtfKind.Function))
            {
                (blob, dummyId, dummyName) = WithVariable(blob, "dummy_ksym", intId);
            }

            var at = _typesStart + section.Offset;
            for (var i = 0; i < section.Members.Count; i++)
            {
                var entry = at + 12 + (i * 12);
                var external = Type(section.Members[i].Type) ?? throw new BpfObjectFormatException(File, $"the {KernelSymbolsSection} section names BTF type {section.Members[i].Type}, which does not exist");
                var typeAt = _typesStart + external.Offset;
                if (external.Kind == BtfKind.Function)
                {
                    var prototype = Type(external.SizeOrType);
                    if (prototype?.Kind == BtfKind.FunctionPrototype)
                    {
                        for (var p = 0; p < prototype.Members.Count; p++)
                        {
                            var parameter = _typesStart + prototype.Offset + 12 + (p * 8);
                            if (prototype.Members[p].Type != 0 && BinaryPrimitives.ReadUInt32LittleEndian(blob.AsSpan(parameter)) == 0)
                            {
                                BinaryPrimitives.WriteUInt32LittleEndian(blob.AsSpan(parameter), dummyName);
                            }
                        }
                    }

                    var info = BinaryPrimitives.ReadUInt32LittleEndian(blob.AsSpan(typeAt + 4));
                    BinaryPrimitives.WriteUInt32LittleEndian(blob.AsSpan(typeAt + 4), (info & ~0xffffu) | GlobalFunction);
                    BinaryPrimitives.WriteUInt32LittleEndian(blob.AsSpan(entry), dummyId);
                }
                else if (external.Kind == BtfKind.Variable)
                {
                    BinaryPrimitives.WriteUInt32LittleEndian(blob.AsSpan(typeAt + 8), intId);
                    BinaryPrimitives.WriteUInt32LittleEndian(blob.AsSpan(typeAt + 12), GlobalAllocated);
                }

                BinaryPrimitives.WriteUInt32LittleEndian(blob.AsSpan(entry + 4), (uint)(i * 4));
                BinaryPrimitives.WriteUInt32LittleEndian(blob.AsSpan(entry + 8), 4);
            }

            BinaryPrimitives.WriteUInt32LittleEndian(blob.AsSpan(at + 8), (uint)(section.Members.Count * 4));
            return blob;
        }

        // The blob with an allocated VAR appended to the types (its name to the strings): its id and name offset.
        private (byte[] Blob, uint Id, uint NameOffset) WithVariable(byte[] blob, string name, uint type)
        {
            var typesLength = (int)BinaryPrimitives.ReadUInt32LittleEndian(blob.AsSpan(12));
            var typesEnd = _typesStart + typesLength;
            if (_stringsStart != typesEnd || _stringsStart + _stringsLength != blob.Length)
            {
                throw new BpfObjectFormatException(File, "the object's BTF does not keep its strings right after its types, so no type can be added to it");
            }

            var nameBytes = Encoding.UTF8.GetBytes(name + "\0");
            var variable = new byte[16];
            BinaryPrimitives.WriteUInt32LittleEndian(variable, (uint)_stringsLength);
            BinaryPrimitives.WriteUInt32LittleEndian(variable.AsSpan(4), (uint)BtfKind.Variable << 24);
            BinaryPrimitives.WriteUInt32LittleEndian(variable.AsSpan(8), type);
            BinaryPrimitives.WriteUInt32LittleEndian(variable.AsSpan(12), GlobalAllocated);
            var grown = new byte[blob.Length + variable.Length + nameBytes.Length];
            blob.AsSpan(0, typesEnd).CopyTo(grown);
            variable.CopyTo(grown, typesEnd);
            blob.AsSpan(typesEnd).CopyTo(grown.AsSpan(typesEnd + variable.Length));
            nameBytes.CopyTo(grown, blob.Length + variable.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(grown.AsSpan(12), (uint)(typesLength + variable.Length));
            BinaryPrimitives.WriteUInt32LittleEndian(grown.AsSpan(16), BinaryPrimitives.ReadUInt32LittleEndian(blob.AsSpan(16)) + (uint)variable.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(grown.AsSpan(20), (uint)(_stringsLength + nameBytes.Length));
            return (grown, (uint)Types.Count + 1, (uint)_stringsLength);
        }
    }
}
