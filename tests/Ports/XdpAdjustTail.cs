// Port of samples/bpf/xdp_adjust_tail_kern.c (Linux 6.12).
using System;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using BpfSharp;
using static BpfSharp.BpfReturnCodes;

[assembly: BpfLicense("GPL")]

namespace BpfSharp.Ports.XdpAdjustTail;

/// <summary>
/// An XDP program that answers IPv4 frames longer than <see cref="MaxPacketSize"/> with an ICMP "destination
/// unreachable, fragmentation needed" message: it cuts the frame down to its first 98 bytes, puts a new IPv4 and ICMP
/// header in front of them, swaps the MAC addresses and sends the result back (XDP_TX), counting it in
/// <see cref="IcmpCount"/>. Shorter IPv4 frames and other protocols pass; frames without a whole Ethernet header are
/// dropped.
/// </summary>
public static unsafe class XdpAdjustTail
{
    private const byte DefaultTtl = 64;
    private const int IcmpTooBigSize = 98;
    private const uint IcmpTooBigPayloadSize = 92;
    private const byte IcmpDestinationUnreachable = 3;
    private const byte IcmpFragmentationNeeded = 4;
    private const byte ProtocolIcmp = 1;
    private const ushort EtherTypeIpv4 = 0x0800;

    /// <summary>The largest frame let through, in bytes; user space may change it while the program runs.</summary>
    public static volatile uint MaxPacketSize = 600;

    /// <summary>How many ICMP messages were sent back.</summary>
    public static readonly ArrayMap<ulong> IcmpCount = new(maxEntries: 1);

    [BpfProgram("xdp")]
    public static int XdpIcmp(XdpMd* xdp)
    {
        byte* data = (byte*)(ulong)xdp->Data;
        byte* dataEnd = (byte*)(ulong)xdp->DataEnd;
        EthHdr* eth = (EthHdr*)data;

        if ((byte*)(eth + 1) > dataEnd)
        {
            return XDP_DROP;
        }

        if (eth->Proto == BinaryPrimitives.ReverseEndianness(EtherTypeIpv4))
        {
            return HandleIpv4(xdp);
        }

        return XDP_PASS;
    }

    private static int HandleIpv4(XdpMd* xdp)
    {
        byte* data = (byte*)(ulong)xdp->Data;
        byte* dataEnd = (byte*)(ulong)xdp->DataEnd;
        int packetSize = (int)(dataEnd - data);

        if (packetSize > Math.Max(MaxPacketSize, IcmpTooBigSize))
        {
            int excess = packetSize - IcmpTooBigSize;
            if (BpfHelpers.XdpAdjustTail(xdp, -excess) != 0)
            {
                return XDP_PASS;
            }

            return SendIcmp4TooBig(xdp);
        }

        return XDP_PASS;
    }

    private static int SendIcmp4TooBig(XdpMd* xdp)
    {
        int headroom = sizeof(IpHdr) + sizeof(IcmpHdr);

        if (BpfHelpers.XdpAdjustHead(xdp, -headroom) != 0)
        {
            return XDP_DROP;
        }

        byte* data = (byte*)(ulong)xdp->Data;
        byte* dataEnd = (byte*)(ulong)xdp->DataEnd;

        if (data + (IcmpTooBigSize + headroom) > dataEnd)
        {
            return XDP_DROP;
        }

        // The original frame now starts after the room made for the new headers.
        EthHdr* origEth = (EthHdr*)(data + headroom);
        EthHdr* eth = (EthHdr*)data;
        IpHdr* ip = (IpHdr*)(eth + 1);
        IcmpHdr* icmp = (IcmpHdr*)(ip + 1);
        IpHdr* origIp = (IpHdr*)(icmp + 1);

        SwapMac(eth, origEth);

        icmp->Type = IcmpDestinationUnreachable;
        icmp->Code = IcmpFragmentationNeeded;
        icmp->EchoSequence = BinaryPrimitives.ReverseEndianness((ushort)(MaxPacketSize - sizeof(EthHdr))); // un.frag.mtu
        icmp->Checksum = 0;
        icmp->Checksum = Checksum(icmp, IcmpTooBigPayloadSize);

        ip->Ttl = DefaultTtl;
        ip->Daddr = origIp->Saddr;
        ip->Saddr = origIp->Daddr;
        ip->VersionAndIhl = 4 << 4 | 5;
        ip->Protocol = ProtocolIcmp;
        ip->Tos = 0;
        ip->TotLen = BinaryPrimitives.ReverseEndianness((ushort)(IcmpTooBigSize + headroom - sizeof(EthHdr)));
        ip->Check = 0;
        ip->Check = Checksum(ip, (uint)sizeof(IpHdr));

        CountIcmp();
        return XDP_TX;
    }

    private static void SwapMac(EthHdr* eth, EthHdr* origEth)
    {
        Unsafe.CopyBlock(eth->Source, origEth->Destination, 6);
        Unsafe.CopyBlock(eth->Destination, origEth->Source, 6);
        eth->Proto = origEth->Proto;
    }

    // The Internet checksum of size bytes (a multiple of 4), folded to 16 bits and complemented.
    private static ushort Checksum(void* start, uint size)
    {
        uint sum = (uint)BpfHelpers.CsumDiff(null, 0, (uint*)start, size, 0);
        sum = (sum & 0xFFFF) + (sum >> 16);
        return (ushort)~((sum & 0xFFFF) + (sum >> 16));
    }

    private static void CountIcmp()
    {
        uint key = 0;
        ulong* count = (ulong*)BpfHelpers.MapLookupElem(IcmpCount, &key);
        if (count != null)
        {
            *count += 1;
        }
    }
}
