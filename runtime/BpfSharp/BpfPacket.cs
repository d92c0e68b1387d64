using System;

namespace BpfSharp
{
    /// <summary>
    /// Classic packet loads (<c>BPF_LD_ABS</c>) for socket filters and tc programs: a byte, or a 16- or 32-bit field
    /// read big-endian (network order) and given back in host order, at an offset from the start of the packet data
    /// the program sees (the network header for a socket filter). One instruction each, no bounds check to write: when
    /// the offset lies beyond the packet, the program ends there and returns 0. The verifier accepts them only in
    /// <see cref="BpfProgramType.SocketFilter"/>, <see cref="BpfProgramType.SchedCls"/> and
    /// <see cref="BpfProgramType.SchedAct"/> programs. Like the helpers, they run only in the kernel. The offset is 64-bit,
    /// as the instruction's register is: an offset kept in a <c>ulong</c> reaches it without the zero-extension a
    /// <c>uint</c> costs (two instructions per load whose offset clang cannot bound).
    /// </summary>
    public static unsafe class BpfPacket
    {
        /// <summary>The byte at <paramref name="offset"/>.</summary>
        public static byte LoadByte(SkBuff* skb, ulong offset) => throw NotInKernel(nameof(LoadByte));

        /// <summary>The 16-bit big-endian field at <paramref name="offset"/>, in host order (an EtherType, a port).</summary>
        public static ushort LoadHalf(SkBuff* skb, ulong offset) => throw NotInKernel(nameof(LoadHalf));

        /// <summary>The 32-bit big-endian field at <paramref name="offset"/>, in host order (an IPv4 address).</summary>
        public static uint LoadWord(SkBuff* skb, ulong offset) => throw NotInKernel(nameof(LoadWord));

        private static NotSupportedException NotInKernel(string load) =>
            new NotSupportedException($"BpfPacket.{load} is a BPF instruction (BPF_LD_ABS): it runs only in a loaded eBPF program, not in .NET code.");
    }
}
