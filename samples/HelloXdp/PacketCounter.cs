using System.Threading;
using BpfSharp;
using static BpfSharp.BpfFlags;
using static BpfSharp.BpfReturnCodes;

[assembly: BpfLicense("GPL")]

namespace HelloXdp;

/// <summary>
/// An XDP program that counts the packets it sees per IP protocol (6 = TCP, 17 = UDP, 1 = ICMP, ...), with every
/// other kind of frame under <see cref="NotIpv4"/>, and lets them all pass.
/// </summary>
public static unsafe class PacketCounter
{
    /// <summary>The key under which frames that are not IPv4 (or too short to be) are counted.</summary>
    public const uint NotIpv4 = 256;

    private const ushort Ipv4EtherType = 0x0800;

    /// <summary>Packets seen, per IP protocol number (or <see cref="NotIpv4"/>).</summary>
    public static readonly HashMap<uint, ulong> Protocols = new(maxEntries: 257);

    [BpfProgram("xdp")]
    public static int CountPackets(XdpMd* context)
    {
        byte* data = (byte*)(ulong)context->Data;
        byte* dataEnd = (byte*)(ulong)context->DataEnd;

        // The verifier insists on these bounds checks before any read of the packet. EthHdr and IpHdr have the kernel's
        // layout, naturally aligned, so each field is one load (a Pack = 1 struct would be read byte by byte).
        EthHdr* ethernet = (EthHdr*)data;
        if (data + sizeof(EthHdr) > dataEnd || ethernet->Proto != NetworkOrder(Ipv4EtherType))
        {
            Count(NotIpv4);
            return XDP_PASS;
        }

        IpHdr* ip = (IpHdr*)(data + sizeof(EthHdr));
        if ((byte*)(ip + 1) > dataEnd)
        {
            Count(NotIpv4);
            return XDP_PASS;
        }

        Count(ip->Protocol);
        return XDP_PASS;
    }

    /// <summary>Adds one to the protocol's counter, creating it on the first packet.</summary>
    private static void Count(uint protocol)
    {
        ulong* packets = (ulong*)BpfHelpers.MapLookupElem(Protocols, &protocol);
        if (packets != null)
        {
            Interlocked.Increment(ref *packets);
            return;
        }

        ulong first = 1;
        BpfHelpers.MapUpdateElem(Protocols, &protocol, &first, BPF_NOEXIST);
    }

    private static ushort NetworkOrder(ushort value) => (ushort)((value >> 8) | (value << 8));
}
