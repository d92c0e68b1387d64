using System;
using System.Buffers.Binary;
using System.Collections.Generic;

namespace BpfSharp.Loader.Objects
{
    /// <summary>How a relocation's value is written into the instruction, or the instruction poisoned (libbpf's bpf_core_patch_insn).</summary>
    internal sealed partial class CoreRelocator
    {
        // libbpf's bpf_core_patch_insn.
        private void Patch(List<byte> code, int index, Result result, Func<string> where)
        {
            var at = index * 8;
            if (at + 8 > code.Count)
            {
                throw Unexpected(where, "lies outside the program");
            }

            var opcode = code[at];
            var instructionClass = opcode & 0x07;
            if (result.Poison)
            {
                Poison(code, index, opcode == 0x18);
                return;
            }

            switch (instructionClass)
            {
                case 0x04 or 0x07: // ALU, ALU64 with an immediate
                {
                    var immediate = BinaryPrimitives.ReadInt32LittleEndian(Span(code, at + 4, 4));
                    if ((opcode & 0x08) != 0 || (result.Validate && (ulong)(long)immediate != result.Original))
                    {
                        throw Unexpected(where, $"holds {immediate}, not the {result.Original} the object's BTF gives");
                    }

                    Write32(code, at + 4, (int)result.New);
                    break;
                }

                case 0x01 or 0x02 or 0x03: // LDX, ST, STX
                {
                    var offset = BinaryPrimitives.ReadInt16LittleEndian(Span(code, at + 2, 2));
                    if (result.Validate && (ulong)(long)offset != result.Original)
                    {
                        throw Unexpected(where, $"accesses offset {offset}, not the {result.Original} the object's BTF gives");
                    }

                    if (result.New > (ulong)short.MaxValue)
                    {
                        throw Unexpected(where, $"would access offset {result.New}, past what an instruction can hold");
                    }

                    if (result.FailSizeAdjust)
                    {
                        Poison(code, index, false);
                        return;
                    }

                    code[at + 2] = (byte)result.New;
                    code[at + 3] = (byte)(result.New >> 8);
                    if (result.NewSize != result.OriginalSize)
                    {
                        var size = (opcode & 0x18) switch { 0x00 => 4u, 0x08 => 2u, 0x10 => 1u, _ => 8u };
                        if (size != result.OriginalSize)
                        {
                            throw Unexpected(where, $"moves {size} bytes, not the {result.OriginalSize} of the field");
                        }

                        var newSize = result.NewSize switch
                        {
                            4 => 0x00,
                            2 => 0x08,
                            1 => 0x10,
                            8 => 0x18,
                            _ => throw Unexpected(where, $"would move {result.NewSize} bytes, which no instruction does"),
                        };
                        code[at] = (byte)((opcode & 0xe0) | newSize | instructionClass);
                    }

                    break;
                }

                case 0x00 when opcode == 0x18 && at + 16 <= code.Count && (code[at + 1] & 0xf0) == 0 && code[at + 2] == 0 && code[at + 3] == 0 && code[at + 8] == 0 && code[at + 9] == 0 && code[at + 10] == 0 && code[at + 11] == 0:
                {
                    var value = (ulong)(uint)BinaryPrimitives.ReadInt32LittleEndian(Span(code, at + 4, 4)) | ((ulong)(uint)BinaryPrimitives.ReadInt32LittleEndian(Span(code, at + 12, 4)) << 32);
                    if (result.Validate && value != result.Original)
                    {
                        throw Unexpected(where, $"loads {value}, not the {result.Original} the object's BTF gives");
                    }

                    Write32(code, at + 4, (int)result.New);
                    Write32(code, at + 12, (int)(result.New >> 32));
                    break;
                }

                default:
                    throw Unexpected(where, $"is an instruction (opcode 0x{opcode:x2}) a CO-RE relocation cannot patch");
            }
        }

        private static void Poison(List<byte> code, int index, bool wide)
        {
            if (wide && (index + 2) * 8 <= code.Count)
            {
                Poison(code, index + 1, false);
            }

            var at = index * 8;
            code[at] = 0x85; // BPF_JMP | BPF_CALL
            code[at + 1] = 0;
            code[at + 2] = 0;
            code[at + 3] = 0;
            Write32(code, at + 4, PoisonHelper);
        }

        private BpfObjectFormatException Unexpected(Func<string> where, string what) => new BpfObjectFormatException(_file, $"{where()}: the instruction {what}");

        private static byte[] Span(List<byte> code, int at, int count) => code.GetRange(at, count).ToArray();

        private static void Write32(List<byte> code, int at, int value)
        {
            for (var i = 0; i < 4; i++)
            {
                code[at + i] = (byte)(value >> (8 * i));
            }
        }
    }
}
