using System;
using System.Collections.Generic;

namespace BpfSharp.Loader.Native
{
    /// <summary>One eBPF instruction (<c>struct bpf_insn</c>, 8 bytes): opcode, registers, offset, immediate.</summary>
    internal readonly record struct BpfInstruction(byte Code, byte Destination, byte Source, short Offset, int Immediate)
    {
        // Opcode parts from include/uapi/linux/bpf_common.h and bpf.h.
        private const byte Alu64 = 0x07, Jmp = 0x05, St = 0x02, Ld = 0x00;
        private const byte Mov = 0xb0, Add = 0x00, Call = 0x80, Exit = 0x90;
        private const byte K = 0x00, X = 0x08, Mem = 0x60, Imm = 0x00, DoubleWord = 0x18;

        /// <summary>The stack pointer register (read-only frame pointer).</summary>
        public const byte FramePointer = 10;

        /// <summary><c>src_reg</c> of a 64-bit immediate load that names a map by file descriptor.</summary>
        public const byte PseudoMapFd = 1;

        public static BpfInstruction MoveImmediate(byte destination, int value) => new((byte)(Alu64 | Mov | K), destination, 0, 0, value);

        public static BpfInstruction MoveRegister(byte destination, byte source) => new((byte)(Alu64 | Mov | X), destination, source, 0, 0);

        public static BpfInstruction AddImmediate(byte destination, int value) => new((byte)(Alu64 | Add | K), destination, 0, 0, value);

        /// <summary><c>*(u64 *)(destination + offset) = value</c>.</summary>
        public static BpfInstruction StoreDoubleWord(byte destination, short offset, int value) => new((byte)(St | Mem | DoubleWord), destination, 0, offset, value);

        public static BpfInstruction CallHelper(int helperId) => new((byte)(Jmp | Call), 0, 0, 0, helperId);

        public static BpfInstruction Return() => new((byte)(Jmp | Exit), 0, 0, 0, 0);

        /// <summary>The two instructions of <c>destination = map</c> (a 64-bit immediate load the kernel resolves to the map).</summary>
        public static IEnumerable<BpfInstruction> LoadMap(byte destination, int mapFd) => LoadPseudo(destination, PseudoMapFd, mapFd);

        /// <summary><c>src_reg</c> of a 64-bit immediate load that names a subprogram (a callback) by instruction offset.</summary>
        public const byte PseudoFunction = 4;

        /// <summary>The two instructions of <c>destination = &amp;subprogram</c>, the subprogram <paramref name="offset"/> instructions after the first one's successor.</summary>
        public static IEnumerable<BpfInstruction> LoadFunction(byte destination, int offset) => LoadPseudo(destination, PseudoFunction, offset);

        // A 64-bit immediate load whose src_reg says what the kernel resolves the immediate to; it takes two slots.
        private static IEnumerable<BpfInstruction> LoadPseudo(byte destination, byte kind, int immediate) =>
            new[] { new BpfInstruction((byte)(Ld | Imm | DoubleWord), destination, kind, 0, immediate), default };

        /// <summary>The instructions as the kernel reads them.</summary>
        public static byte[] Encode(IReadOnlyList<BpfInstruction> instructions)
        {
            var bytes = new byte[instructions.Count * 8];
            for (var i = 0; i < instructions.Count; i++)
            {
                var instruction = instructions[i];
                var at = bytes.AsSpan(i * 8);
                at[0] = instruction.Code;
                at[1] = (byte)((instruction.Destination & 0x0f) | (instruction.Source << 4));
                System.Buffers.Binary.BinaryPrimitives.WriteInt16LittleEndian(at.Slice(2), instruction.Offset);
                System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(at.Slice(4), instruction.Immediate);
            }

            return bytes;
        }
    }
}
