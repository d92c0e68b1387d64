// C# port of samples/bpf/sockex2_kern.c (Linux 6.12).
using System.Runtime.InteropServices;
using System.Threading;
using BpfSharp;

[assembly: BpfLicense("GPL")]

namespace BpfSharp.Ports.Sockex2;

/// <summary>
/// A socket filter for a raw packet socket that dissects each frame (802.1ad/802.1Q tags, IPv4, IPv6, GRE, IP-in-IP)
/// and counts packets and bytes per destination address (an IPv6 address folded to 32 bits).
/// </summary>
public static unsafe class Sockex2
{
    /// <summary>What the dissector finds out about a flow.</summary>
    [StructLayout(LayoutKind.Explicit)]
    public struct FlowKeyRecord
    {
        [FieldOffset(0)] public uint Src;
        [FieldOffset(4)] public uint Dst;
        [FieldOffset(8)] public uint Ports;
        [FieldOffset(8)] public fixed ushort Port16[2];
        [FieldOffset(12)] public ushort Thoff;
        [FieldOffset(14)] public byte IpProto;
    }

    /// <summary>Packets and bytes seen for one destination.</summary>
    public struct Traffic
    {
        public long Packets;
        public long Bytes;
    }

    /// <summary>Traffic per destination address, as a packet load gives it (host order; IPv6 folded by XOR).</summary>
    static readonly HashMap<uint, Traffic> DstTraffic = new(maxEntries: 1024);

    const ulong EthernetHeaderLength = 14;

    const ushort EthPIp = 0x0800;
    const ushort EthPIpv6 = 0x86DD;
    const ushort EthP8021Q = 0x8100;
    const ushort EthP8021AD = 0x88A8;

    const byte IpProtoIpip = 4;
    const byte IpProtoIpv6 = 41;
    const byte IpProtoGre = 47;
    const byte IpProtoAh = 51;

    const ushort IpMoreFragments = 0x2000;
    const ushort IpFragmentOffset = 0x1FFF;

    // linux/if_tunnel.h defines the GRE flag bits in network order (__cpu_to_be16), and the original tests them
    // against the host-order value a packet load gives: these are those network-order values on a little-endian host.
    const ushort GreCsum = 0x0080;
    const ushort GreRouting = 0x0040;
    const ushort GreKey = 0x0020;
    const ushort GreSeq = 0x0010;
    const ushort GreVersion = 0x0700;

    // Offsets inside the headers read.
    const ulong VlanEncapsulatedProto = 2;
    const ulong IpFragOff = 6;
    const ulong IpProtocol = 9;
    const ulong IpSaddr = 12;
    const ulong IpDaddr = 16;
    const ulong Ipv6Nexthdr = 6;
    const ulong Ipv6Saddr = 8;
    const ulong Ipv6Daddr = 24;
    const ulong GreProto = 2;

    static int ProtoPortsOffset(byte protocol) => protocol switch
    {
        IpProtoAh => 4,
        _ => 0,
    };

    static bool IsFragment(SkBuff* skb, ulong nhoff) =>
        (BpfPacket.LoadHalf(skb, nhoff + IpFragOff) & (IpMoreFragments | IpFragmentOffset)) != 0;

    static uint Ipv6AddressHash(SkBuff* skb, ulong offset) =>
        BpfPacket.LoadWord(skb, offset) ^ BpfPacket.LoadWord(skb, offset + 4)
        ^ BpfPacket.LoadWord(skb, offset + 8) ^ BpfPacket.LoadWord(skb, offset + 12);

    static ulong ParseIp(SkBuff* skb, ulong nhoff, out byte ipProto, ref FlowKeyRecord flow)
    {
        ipProto = IsFragment(skb, nhoff) ? (byte)0 : BpfPacket.LoadByte(skb, nhoff + IpProtocol);

        if (ipProto != IpProtoGre)
        {
            flow.Src = BpfPacket.LoadWord(skb, nhoff + IpSaddr);
            flow.Dst = BpfPacket.LoadWord(skb, nhoff + IpDaddr);
        }

        byte versionAndLength = BpfPacket.LoadByte(skb, nhoff);
        if (versionAndLength == 0x45)
        {
            return nhoff + 20;
        }

        return nhoff + ((ulong)(versionAndLength & 0xF) << 2);
    }

    static ulong ParseIpv6(SkBuff* skb, ulong nhoff, out byte ipProto, ref FlowKeyRecord flow)
    {
        ipProto = BpfPacket.LoadByte(skb, nhoff + Ipv6Nexthdr);
        flow.Src = Ipv6AddressHash(skb, nhoff + Ipv6Saddr);
        flow.Dst = Ipv6AddressHash(skb, nhoff + Ipv6Daddr);
        return nhoff + (ulong)sizeof(Ipv6Hdr);
    }

    static bool Dissect(SkBuff* skb, ref FlowKeyRecord flow)
    {
        ulong nhoff = EthernetHeaderLength;
        byte ipProto;
        ushort proto = BpfPacket.LoadHalf(skb, 12);

        if (proto == EthP8021AD)
        {
            proto = BpfPacket.LoadHalf(skb, nhoff + VlanEncapsulatedProto);
            nhoff += (ulong)sizeof(VlanHdr);
        }

        if (proto == EthP8021Q)
        {
            proto = BpfPacket.LoadHalf(skb, nhoff + VlanEncapsulatedProto);
            nhoff += (ulong)sizeof(VlanHdr);
        }

        if (proto == EthPIp)
        {
            nhoff = ParseIp(skb, nhoff, out ipProto, ref flow);
        }
        else if (proto == EthPIpv6)
        {
            nhoff = ParseIpv6(skb, nhoff, out ipProto, ref flow);
        }
        else
        {
            return false;
        }

        switch (ipProto)
        {
            case IpProtoGre:
            {
                ushort greFlags = BpfPacket.LoadHalf(skb, nhoff);
                ushort greProto = BpfPacket.LoadHalf(skb, nhoff + GreProto);

                if ((greFlags & (GreVersion | GreRouting)) != 0)
                {
                    break;
                }

                proto = greProto;
                nhoff += 4;
                if ((greFlags & GreCsum) != 0)
                {
                    nhoff += 4;
                }
                if ((greFlags & GreKey) != 0)
                {
                    nhoff += 4;
                }
                if ((greFlags & GreSeq) != 0)
                {
                    nhoff += 4;
                }

                if (proto == EthP8021Q)
                {
                    proto = BpfPacket.LoadHalf(skb, nhoff + VlanEncapsulatedProto);
                    nhoff += (ulong)sizeof(VlanHdr);
                }

                if (proto == EthPIp)
                {
                    nhoff = ParseIp(skb, nhoff, out ipProto, ref flow);
                }
                else if (proto == EthPIpv6)
                {
                    nhoff = ParseIpv6(skb, nhoff, out ipProto, ref flow);
                }
                else
                {
                    return false;
                }
                break;
            }
            case IpProtoIpip:
                nhoff = ParseIp(skb, nhoff, out ipProto, ref flow);
                break;
            case IpProtoIpv6:
                nhoff = ParseIpv6(skb, nhoff, out ipProto, ref flow);
                break;
        }

        flow.IpProto = ipProto;
        int portsOffset = ProtoPortsOffset(ipProto);
        if (portsOffset >= 0)
        {
            nhoff += (ulong)portsOffset;
            flow.Ports = BpfPacket.LoadWord(skb, nhoff);
        }

        flow.Thoff = (ushort)nhoff;
        return true;
    }

    [BpfProgram("socket")]
    public static int DissectFlows(SkBuff* skb)
    {
        var flow = new FlowKeyRecord();
        if (!Dissect(skb, ref flow))
        {
            return 0;
        }

        uint key = flow.Dst;
        Traffic* traffic = (Traffic*)BpfHelpers.MapLookupElem(DstTraffic, &key);
        if (traffic != null)
        {
            Interlocked.Increment(ref traffic->Packets);
            Interlocked.Add(ref traffic->Bytes, skb->Len);
        }
        else
        {
            var first = new Traffic { Packets = 1, Bytes = skb->Len };
            BpfHelpers.MapUpdateElem(DstTraffic, &key, &first, BpfFlags.BPF_ANY);
        }

        return 0;
    }
}
