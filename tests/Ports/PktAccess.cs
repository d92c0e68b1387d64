// Port of tools/testing/selftests/bpf/progs/test_pkt_access.c (Linux 6.12).
using System;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Threading;
using BpfSharp;
using static BpfSharp.BpfReturnCodes;

[assembly: BpfLicense("GPL")]

namespace BpfSharp.Ports.PktAccess;

/// <summary>
/// A tc classifier that reads and writes the packet directly and calls BPF-to-BPF subprograms: the subprograms'
/// results must agree with what the program computes itself, and the TCP checksum word is incremented through one
/// of them. Returns TC_ACT_OK for a TCP segment whose urgent pointer word reads 123, TC_ACT_UNSPEC for anything else
/// that gets through, TC_ACT_SHOT for truncated headers and disagreeing subprograms.
/// </summary>
public static unsafe class PktAccess
{
    private const ushort EtherTypeIpv4 = 0x0800;
    private const ushort EtherTypeIpv6 = 0x86DD;
    private const byte ProtocolTcp = 6;

    // What each of the two stack-hungry subprograms keeps on its own frame: the BPF stack is 512 bytes in all.
    private const int FrameBytes = 512 - 2 * 32;

    [BpfProgram("tc")]
    public static int TestPktAccess(SkBuff* skb)
    {
        byte* data = (byte*)(ulong)skb->Data;
        byte* dataEnd = (byte*)(ulong)skb->DataEnd;
        EthHdr* eth = (EthHdr*)data;
        TcpHdr* tcp = null;
        byte protocol = 255;

        if ((byte*)(eth + 1) > dataEnd)
        {
            return TC_ACT_SHOT;
        }

        if (eth->Proto == BinaryPrimitives.ReverseEndianness(EtherTypeIpv4))
        {
            IpHdr* ip = (IpHdr*)(eth + 1);
            if ((byte*)(ip + 1) > dataEnd)
            {
                return TC_ACT_SHOT;
            }

            ulong headerBytes = (ulong)(ip->VersionAndIhl & 0x0F) * 4;
            protocol = ip->Protocol;
            tcp = (TcpHdr*)((byte*)ip + headerBytes);
        }
        else if (eth->Proto == BinaryPrimitives.ReverseEndianness(EtherTypeIpv6))
        {
            Ipv6Hdr* ip6 = (Ipv6Hdr*)(eth + 1);
            if ((byte*)(ip6 + 1) > dataEnd)
            {
                return TC_ACT_SHOT;
            }

            protocol = ip6->Nexthdr;
            tcp = (TcpHdr*)(ip6 + 1);
        }

        // The subprograms return int; the C compares them with the unsigned length (as 32-bit unsigned values).
        if ((uint)DoubleLength(skb) != skb->Len * 2)
        {
            return TC_ACT_SHOT;
        }

        if ((uint)ScaledLength(2, skb) != skb->Len * 2)
        {
            return TC_ACT_SHOT;
        }

        if ((uint)LengthTimesIfindex(3, skb) != skb->Len * 3 * skb->Ifindex)
        {
            return TC_ACT_SHOT;
        }

        if (tcp != null)
        {
            if (BumpTcpChecksum(skb, (uint)((byte*)tcp - data)) != 0)
            {
                return TC_ACT_SHOT;
            }

            if ((byte*)tcp + 20 > dataEnd || protocol != ProtocolTcp)
            {
                return TC_ACT_SHOT;
            }

            if ((byte*)tcp + 18 > dataEnd)
            {
                return TC_ACT_SHOT;
            }

            if (tcp->UrgPtr == 123)
            {
                return TC_ACT_OK;
            }
        }

        return TC_ACT_UNSPEC;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int DoubleLength(SkBuff* skb) => (int)(skb->Len * 2);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int ScaledLength(int factor, SkBuff* skb) => (int)skb->Len * factor;

    // The original zeroes a 448-byte volatile buffer here and in ScaledIfindex and reads its last byte, so that their
    // frames plus the callers' approach the 512-byte limit. C# has no volatile arrays: the read stays (Volatile.Read),
    // the zeroing and the frame do not.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int SkbLength(SkBuff* skb)
    {
        Span<byte> frame = stackalloc byte[FrameBytes];
        _ = Volatile.Read(ref frame[FrameBytes - 1]);
        return (int)skb->Len;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int Constant(long value) => (int)(value - 122);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int LengthTimesIfindex(int factor, SkBuff* skb) => SkbLength(skb) * ScaledIfindex(factor, skb, Constant(123));

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int ScaledIfindex(int factor, SkBuff* skb, int extra)
    {
        Span<byte> frame = stackalloc byte[FrameBytes];
        _ = Volatile.Read(ref frame[FrameBytes - 1]);
        return (int)skb->Ifindex * factor * extra;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int BumpTcpChecksum(SkBuff* skb, uint offset)
    {
        byte* data = (byte*)(ulong)skb->Data;
        byte* dataEnd = (byte*)(ulong)skb->DataEnd;

        if (offset > sizeof(EthHdr) + sizeof(Ipv6Hdr))
        {
            return -1;
        }

        TcpHdr* tcp = (TcpHdr*)(data + offset);
        if ((byte*)(tcp + 1) > dataEnd)
        {
            return -1;
        }

        tcp->Check++;
        return 0;
    }
}
