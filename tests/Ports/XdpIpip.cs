// Port of tools/testing/selftests/bpf/progs/test_xdp.c (Linux 6.12), with test_iptunnel_common.h.
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using BpfSharp;
using static BpfSharp.BpfReturnCodes;

[assembly: BpfLicense("GPL")]

namespace BpfSharp.Ports.XdpIpip;

/// <summary>An IPv4 or IPv6 address, as test_iptunnel_common.h's union of the two (16 bytes).</summary>
[StructLayout(LayoutKind.Explicit)]
public unsafe struct TunnelAddress
{
    [FieldOffset(0)] public fixed uint V6[4];
    [FieldOffset(0)] public uint V4;
}

/// <summary>The key of <see cref="XdpIpip.Vip2Tnl"/>: a virtual IP, port and protocol (<c>struct vip</c>, 24 bytes).</summary>
public struct Vip
{
    public TunnelAddress Daddr;
    public ushort Dport;
    public ushort Family;
    public byte Protocol;
}

/// <summary>Where to tunnel a virtual IP's packets (<c>struct iptnl_info</c>, 40 bytes).</summary>
public unsafe struct IptnlInfo
{
    public TunnelAddress Saddr;
    public TunnelAddress Daddr;
    public ushort Family;
    public fixed byte Dmac[6];
}

/// <summary>
/// An XDP program that encapsulates packets sent to a known virtual IP: IPv4 in IPv4 (IPIP) or IPv6 in IPv6, new
/// outer addresses and next-hop MAC from <see cref="Vip2Tnl"/>, and bounces them back out (XDP_TX), counting them per
/// inner protocol in <see cref="Rxcnt"/>. Other IP packets pass; non-IP frames and truncated headers are dropped.
/// </summary>
public static unsafe class XdpIpip
{
    public const uint MaxIptnlEntries = 256;

    private const ushort AfInet = 2;
    private const ushort AfInet6 = 10;
    private const ushort EtherTypeIpv4 = 0x0800;
    private const ushort EtherTypeIpv6 = 0x86DD;
    private const byte ProtocolIpip = 4;
    private const byte ProtocolTcp = 6;
    private const byte ProtocolUdp = 17;
    private const byte ProtocolIpv6 = 41;

    public static readonly PercpuArrayMap<ulong> Rxcnt = new(maxEntries: 256);
    public static readonly HashMap<Vip, IptnlInfo> Vip2Tnl = new(maxEntries: MaxIptnlEntries);

    [BpfProgram("xdp")]
    public static int XdpTxIptunnel(XdpMd* xdp)
    {
        byte* data = (byte*)(ulong)xdp->Data;
        byte* dataEnd = (byte*)(ulong)xdp->DataEnd;
        EthHdr* eth = (EthHdr*)data;

        if ((byte*)(eth + 1) > dataEnd)
        {
            return XDP_DROP;
        }

        ushort etherType = eth->Proto;
        if (etherType == BinaryPrimitives.ReverseEndianness(EtherTypeIpv4))
        {
            return HandleIpv4(xdp);
        }

        if (etherType == BinaryPrimitives.ReverseEndianness(EtherTypeIpv6))
        {
            return HandleIpv6(xdp);
        }

        return XDP_DROP;
    }

    private static void CountTx(uint protocol)
    {
        ulong* count = (ulong*)BpfHelpers.MapLookupElem(Rxcnt, &protocol);
        if (count != null)
        {
            *count += 1;
        }
    }

    // The destination port as it lies in the packet (network order), 0 for protocols without ports, -1 if truncated.
    private static int DestinationPort(byte* transport, byte* dataEnd, byte protocol)
    {
        switch (protocol)
        {
            case ProtocolTcp:
                TcpHdr* tcp = (TcpHdr*)transport;
                if ((byte*)(tcp + 1) > dataEnd)
                {
                    return -1;
                }

                return tcp->Dest;
            case ProtocolUdp:
                UdpHdr* udp = (UdpHdr*)transport;
                if ((byte*)(udp + 1) > dataEnd)
                {
                    return -1;
                }

                return udp->Dest;
            default:
                return 0;
        }
    }

    private static void SetEthHdr(EthHdr* newEth, EthHdr* oldEth, IptnlInfo* tunnel, ushort etherType)
    {
        Unsafe.CopyBlock(newEth->Source, oldEth->Destination, 6);
        Unsafe.CopyBlock(newEth->Destination, tunnel->Dmac, 6);
        newEth->Proto = etherType;
    }

    private static int HandleIpv4(XdpMd* xdp)
    {
        byte* data = (byte*)(ulong)xdp->Data;
        byte* dataEnd = (byte*)(ulong)xdp->DataEnd;
        IpHdr* ip = (IpHdr*)(data + sizeof(EthHdr));

        if ((byte*)(ip + 1) > dataEnd)
        {
            return XDP_DROP;
        }

        int port = DestinationPort((byte*)(ip + 1), dataEnd, ip->Protocol);
        if (port == -1)
        {
            return XDP_DROP;
        }

        Vip vip = new Vip
        {
            Protocol = ip->Protocol,
            Family = AfInet,
            Daddr = { V4 = ip->Daddr },
            Dport = (ushort)port,
        };
        ushort payloadLength = BinaryPrimitives.ReverseEndianness(ip->TotLen);

        IptnlInfo* tunnel = (IptnlInfo*)BpfHelpers.MapLookupElem(Vip2Tnl, &vip);
        if (tunnel == null || tunnel->Family != AfInet)
        {
            return XDP_PASS; // IPv4 in IPv4 only
        }

        if (BpfHelpers.XdpAdjustHead(xdp, -sizeof(IpHdr)) != 0)
        {
            return XDP_DROP;
        }

        data = (byte*)(ulong)xdp->Data;
        dataEnd = (byte*)(ulong)xdp->DataEnd;
        EthHdr* newEth = (EthHdr*)data;
        ip = (IpHdr*)(data + sizeof(EthHdr));
        EthHdr* oldEth = (EthHdr*)(data + sizeof(IpHdr));

        if ((byte*)(newEth + 1) > dataEnd || (byte*)(oldEth + 1) > dataEnd || (byte*)(ip + 1) > dataEnd)
        {
            return XDP_DROP;
        }

        SetEthHdr(newEth, oldEth, tunnel, BinaryPrimitives.ReverseEndianness(EtherTypeIpv4));

        ip->VersionAndIhl = (byte)(4 << 4 | sizeof(IpHdr) >> 2);
        ip->FragOff = 0;
        ip->Protocol = ProtocolIpip;
        ip->Check = 0;
        ip->Tos = 0;
        ip->TotLen = BinaryPrimitives.ReverseEndianness((ushort)(payloadLength + sizeof(IpHdr)));
        ip->Daddr = tunnel->Daddr.V4;
        ip->Saddr = tunnel->Saddr.V4;
        ip->Ttl = 8;

        ushort* word = (ushort*)ip;
        uint sum = 0;
        for (int i = 0; i < sizeof(IpHdr) >> 1; i++)
        {
            sum += *word++;
        }

        ip->Check = (ushort)~((sum & 0xFFFF) + (sum >> 16));

        CountTx(vip.Protocol);
        return XDP_TX;
    }

    private static int HandleIpv6(XdpMd* xdp)
    {
        byte* data = (byte*)(ulong)xdp->Data;
        byte* dataEnd = (byte*)(ulong)xdp->DataEnd;
        Ipv6Hdr* ip6 = (Ipv6Hdr*)(data + sizeof(EthHdr));

        if ((byte*)(ip6 + 1) > dataEnd)
        {
            return XDP_DROP;
        }

        int port = DestinationPort((byte*)(ip6 + 1), dataEnd, ip6->Nexthdr);
        if (port == -1)
        {
            return XDP_DROP;
        }

        Vip vip = new Vip
        {
            Protocol = ip6->Nexthdr,
            Family = AfInet6,
        };
        Unsafe.CopyBlock(vip.Daddr.V6, ip6->Daddr, 16);
        vip.Dport = (ushort)port;
        ushort payloadLength = ip6->PayloadLen;

        IptnlInfo* tunnel = (IptnlInfo*)BpfHelpers.MapLookupElem(Vip2Tnl, &vip);
        if (tunnel == null || tunnel->Family != AfInet6)
        {
            return XDP_PASS; // IPv6 in IPv6 only
        }

        if (BpfHelpers.XdpAdjustHead(xdp, -sizeof(Ipv6Hdr)) != 0)
        {
            return XDP_DROP;
        }

        data = (byte*)(ulong)xdp->Data;
        dataEnd = (byte*)(ulong)xdp->DataEnd;
        EthHdr* newEth = (EthHdr*)data;
        ip6 = (Ipv6Hdr*)(data + sizeof(EthHdr));
        EthHdr* oldEth = (EthHdr*)(data + sizeof(Ipv6Hdr));

        if ((byte*)(newEth + 1) > dataEnd || (byte*)(oldEth + 1) > dataEnd || (byte*)(ip6 + 1) > dataEnd)
        {
            return XDP_DROP;
        }

        SetEthHdr(newEth, oldEth, tunnel, BinaryPrimitives.ReverseEndianness(EtherTypeIpv6));

        ip6->VersionAndPriority = 6 << 4;
        Unsafe.InitBlock(ip6->FlowLbl, 0, 3);
        ip6->PayloadLen = BinaryPrimitives.ReverseEndianness((ushort)(BinaryPrimitives.ReverseEndianness(payloadLength) + sizeof(Ipv6Hdr)));
        ip6->Nexthdr = ProtocolIpv6;
        ip6->HopLimit = 8;
        Unsafe.CopyBlock(ip6->Saddr, tunnel->Saddr.V6, 16);
        Unsafe.CopyBlock(ip6->Daddr, tunnel->Daddr.V6, 16);

        CountTx(vip.Protocol);
        return XDP_TX;
    }
}
