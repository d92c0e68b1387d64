// C# port of samples/bpf/tcbpf1_kern.c (Linux 6.12).
using System.Buffers.Binary;
using BpfSharp;
using static BpfSharp.BpfReturnCodes;

[assembly: BpfLicense("GPL")]

namespace BpfSharp.Ports.Tcbpf1;

/// <summary>
/// tc classifiers: one rewrites TCP/IPv4 packets (TOS, source address, destination port, with the checksums fixed up
/// incrementally), four redirect or clone-redirect every packet to the interface after the one it is on.
/// </summary>
public static unsafe class Tcbpf1
{
    const uint EthernetHeaderLength = 14;
    const uint IpTosOffset = EthernetHeaderLength + 1;
    const uint IpProtocolOffset = EthernetHeaderLength + 9;
    const uint IpCheckOffset = EthernetHeaderLength + 10;
    const uint IpSaddrOffset = EthernetHeaderLength + 12;
    const uint TcpDestOffset = EthernetHeaderLength + 20 + 2;    // after an IPv4 header without options
    const uint TcpCheckOffset = EthernetHeaderLength + 20 + 16;

    const byte IpProtoTcp = 6;

    /// <summary>Writes the destination MAC address (unused by the programs, as in the original).</summary>
    static void SetDestinationMac(SkBuff* skb, byte* mac) =>
        BpfHelpers.SkbStoreBytes(skb, 0, mac, 6, BpfFlags.BPF_F_RECOMPUTE_CSUM);

    static void SetIpTos(SkBuff* skb, byte newTos)
    {
        byte oldTos = BpfPacket.LoadByte(skb, IpTosOffset);

        BpfHelpers.L3CsumReplace(skb, IpCheckOffset, BinaryPrimitives.ReverseEndianness((ushort)oldTos),
            BinaryPrimitives.ReverseEndianness((ushort)newTos), sizeof(ushort));
        BpfHelpers.SkbStoreBytes(skb, IpTosOffset, &newTos, sizeof(byte), 0);
    }

    static void SetTcpIpSource(SkBuff* skb, uint newIp)
    {
        uint oldIp = BinaryPrimitives.ReverseEndianness(BpfPacket.LoadWord(skb, IpSaddrOffset));

        BpfHelpers.L4CsumReplace(skb, TcpCheckOffset, oldIp, newIp, BpfFlags.BPF_F_PSEUDO_HDR | sizeof(uint));
        BpfHelpers.L3CsumReplace(skb, IpCheckOffset, oldIp, newIp, sizeof(uint));
        BpfHelpers.SkbStoreBytes(skb, IpSaddrOffset, &newIp, sizeof(uint), 0);
    }

    static void SetTcpDestinationPort(SkBuff* skb, ushort newPort)
    {
        ushort oldPort = BinaryPrimitives.ReverseEndianness(BpfPacket.LoadHalf(skb, TcpDestOffset));

        BpfHelpers.L4CsumReplace(skb, TcpCheckOffset, oldPort, newPort, sizeof(ushort));
        BpfHelpers.SkbStoreBytes(skb, TcpDestOffset, &newPort, sizeof(ushort), 0);
    }

    [BpfProgram("tc")]
    public static int RewriteTcp(SkBuff* skb)
    {
        byte protocol = BpfPacket.LoadByte(skb, IpProtocolOffset);

        if (protocol == IpProtoTcp)
        {
            SetIpTos(skb, 8);
            SetTcpIpSource(skb, 0xA010101);
            SetTcpDestinationPort(skb, 5001);
        }

        return TC_ACT_OK;
    }

    [BpfProgram("tc")]
    public static int RedirectXmit(SkBuff* skb) => (int)BpfHelpers.Redirect(skb->Ifindex + 1, 0);

    [BpfProgram("tc")]
    public static int RedirectRecv(SkBuff* skb) => (int)BpfHelpers.Redirect(skb->Ifindex + 1, BpfFlags.BPF_F_INGRESS);

    [BpfProgram("tc")]
    public static int CloneRedirXmit(SkBuff* skb)
    {
        BpfHelpers.CloneRedirect(skb, skb->Ifindex + 1, 0);
        return TC_ACT_SHOT;
    }

    [BpfProgram("tc")]
    public static int CloneRedirRecv(SkBuff* skb)
    {
        BpfHelpers.CloneRedirect(skb, skb->Ifindex + 1, BpfFlags.BPF_F_INGRESS);
        return TC_ACT_SHOT;
    }
}
