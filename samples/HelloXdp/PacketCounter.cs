using System.Runtime.InteropServices;
using System.Threading;
using BpfSharp;
using static BpfSharp.BpfFlags;
using static BpfSharp.BpfReturnCodes;

[assembly: BpfLicense("GPL")]

namespace HelloXdp;

/// <summary>The start of an Ethernet frame (IEEE 802.3), as it lies in the packet.</summary>
[StructLayout(LayoutKind.Sequential, Pack = 1)]
public unsafe struct EthernetHeader
{
    public fixed byte Destination[6];
    public fixed byte Source[6];

    /// <summary>In network byte order: 0x0800 (IPv4) reads as 0x0008 on a little-endian machine.</summary>
    public ushort EtherType;
}

/// <summary>An IPv4 header without options (RFC 791).</summary>
[StructLayout(LayoutKind.Sequential, Pack = 1)]
public struct Ipv4Header
{
    public byte VersionAndLength;
    public byte TypeOfService;
    public ushort TotalLength;
    public ushort Identification;
    public ushort Fragment;
    public byte TimeToLive;
    public byte Protocol;
    public ushort Checksum;
    public uint Source;
    public uint Destination;
}

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

        // The verifier insists on these bounds checks before any read of the packet.
        EthernetHeader* ethernet = (EthernetHeader*)data;
        if (data + sizeof(EthernetHeader) > dataEnd || ethernet->EtherType != NetworkOrder(Ipv4EtherType))
        {
            Count(NotIpv4);
            return XDP_PASS;
        }

        Ipv4Header* ip = (Ipv4Header*)(data + sizeof(EthernetHeader));
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
