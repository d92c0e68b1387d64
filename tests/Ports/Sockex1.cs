// C# port of samples/bpf/sockex1_kern.c (Linux 6.12).
using System.Threading;
using BpfSharp;

[assembly: BpfLicense("GPL")]

namespace BpfSharp.Ports.Sockex1;

/// <summary>
/// A socket filter for a raw packet socket: adds the length of every outgoing packet to the counter of its IPv4
/// protocol number. It lets every packet through unchanged (it returns 0 and only counts).
/// </summary>
public static unsafe class Sockex1
{
    const int EthernetHeaderLength = 14;
    const int IpProtocolOffset = 9;      // offset of the protocol byte in an IPv4 header
    const uint PacketOutgoing = 4;       // PACKET_OUTGOING of linux/if_packet.h

    /// <summary>Bytes sent, by IP protocol number.</summary>
    static readonly ArrayMap<long> ProtoBytes = new(maxEntries: 256);

    [BpfProgram("socket")]
    public static int CountOutgoing(SkBuff* skb)
    {
        // A packet socket's filter sees the frame from its Ethernet header on.
        int protocol = BpfPacket.LoadByte(skb, EthernetHeaderLength + IpProtocolOffset);

        if (skb->PktType != PacketOutgoing)
        {
            return 0;
        }

        long* bytes = (long*)BpfHelpers.MapLookupElem(ProtoBytes, &protocol);
        if (bytes != null)
        {
            Interlocked.Add(ref *bytes, skb->Len);
        }

        return 0;
    }
}
