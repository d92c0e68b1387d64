using System.Net;

namespace BpfSharp
{
    // The network headers packet programs parse, laid out as the kernel's UAPI structs (linux/if_ether.h, ip.h, ipv6.h,
    // tcp.h, udp.h, icmp.h, icmpv6.h, if_arp.h; 802.1Q for VLAN tags) with natural alignment: the verifier and clang
    // then read a 16- or 32-bit field with one load, where a Pack = 1 copy reads it byte by byte. Multi-byte fields hold
    // network byte order, as they lie in the packet: compare with a swapped constant or swap the field
    // (BinaryPrimitives.ReverseEndianness, IPAddress.NetworkToHostOrder, one instruction each in a BPF program).

    /// <summary>An Ethernet header (<c>struct ethhdr</c>, 14 bytes).</summary>
    public unsafe struct EthHdr
    {
        /// <summary>Destination MAC address (<c>h_dest</c>).</summary>
        public fixed byte Destination[6];

        /// <summary>Source MAC address (<c>h_source</c>).</summary>
        public fixed byte Source[6];

        /// <summary>EtherType in network order (<c>h_proto</c>): IPv4 0x0800 reads as 0x0008 on a little-endian machine.</summary>
        public ushort Proto;

        /// <summary>The EtherType in host order (0x0800 IPv4, 0x86DD IPv6, 0x8100 a VLAN tag).</summary>
        [BpfInline("((__u16)(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? __builtin_bswap16(({0}).Proto) : (({0}).Proto)))")]
        public readonly ushort EtherType => (ushort)IPAddress.NetworkToHostOrder((short)Proto);
    }

    /// <summary>An 802.1Q VLAN tag after the Ethernet addresses (<c>struct vlan_hdr</c>, 4 bytes).</summary>
    public struct VlanHdr
    {
        /// <summary>Priority, drop eligibility and VLAN id, in network order (<c>h_vlan_TCI</c>).</summary>
        public ushort Tci;

        /// <summary>The EtherType of what follows, in network order (<c>h_vlan_encapsulated_proto</c>).</summary>
        public ushort EncapsulatedProto;

        /// <summary>The VLAN id: the low 12 bits of the tag, in host order.</summary>
        [BpfInline("((__u16)((__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? __builtin_bswap16(({0}).Tci) : (({0}).Tci)) & 0x0FFF))")]
        public readonly ushort VlanId => (ushort)(IPAddress.NetworkToHostOrder((short)Tci) & 0x0FFF);

        /// <summary>The EtherType after the tag, in host order.</summary>
        [BpfInline("((__u16)(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? __builtin_bswap16(({0}).EncapsulatedProto) : (({0}).EncapsulatedProto)))")]
        public readonly ushort EtherType => (ushort)IPAddress.NetworkToHostOrder((short)EncapsulatedProto);
    }

    /// <summary>An IPv4 header without options (<c>struct iphdr</c>, 20 bytes).</summary>
    public struct IpHdr
    {
        /// <summary>Header length in 32-bit words in the low nibble (<c>ihl</c>), version (4) in the high nibble.</summary>
        public byte VersionAndIhl;

        /// <summary>Type of service / DSCP and ECN (<c>tos</c>).</summary>
        public byte Tos;

        /// <summary>Total length in network order (<c>tot_len</c>).</summary>
        public ushort TotLen;

        /// <summary>Identification in network order (<c>id</c>).</summary>
        public ushort Id;

        /// <summary>Flags and fragment offset in network order (<c>frag_off</c>).</summary>
        public ushort FragOff;

        /// <summary>Time to live (<c>ttl</c>).</summary>
        public byte Ttl;

        /// <summary>The protocol that follows: 1 ICMP, 6 TCP, 17 UDP (<c>protocol</c>).</summary>
        public byte Protocol;

        /// <summary>Header checksum (<c>check</c>).</summary>
        public ushort Check;

        /// <summary>Source address in network order (<c>saddr</c>).</summary>
        public uint Saddr;

        /// <summary>Destination address in network order (<c>daddr</c>).</summary>
        public uint Daddr;

        /// <summary>The IP version (4), from the high nibble.</summary>
        [BpfInline("((__u8)(({0}).VersionAndIhl >> 4))")]
        public readonly byte Version => (byte)(VersionAndIhl >> 4);

        /// <summary>The header's length in bytes (ihl * 4): where the transport header starts.</summary>
        [BpfInline("((__s32)((({0}).VersionAndIhl & 0x0F) * 4))")]
        public readonly int HeaderLength => (VersionAndIhl & 0x0F) * 4;

        /// <summary>The packet's length in bytes, header included, in host order.</summary>
        [BpfInline("((__u16)(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? __builtin_bswap16(({0}).TotLen) : (({0}).TotLen)))")]
        public readonly ushort TotalLength => (ushort)IPAddress.NetworkToHostOrder((short)TotLen);
    }

    /// <summary>An IPv6 header (<c>struct ipv6hdr</c>, 40 bytes).</summary>
    public unsafe struct Ipv6Hdr
    {
        /// <summary>Traffic class (high bits) in the low nibble (<c>priority</c>), version (6) in the high nibble.</summary>
        public byte VersionAndPriority;

        /// <summary>The rest of the traffic class and the flow label (<c>flow_lbl</c>).</summary>
        public fixed byte FlowLbl[3];

        /// <summary>Payload length in network order (<c>payload_len</c>).</summary>
        public ushort PayloadLen;

        /// <summary>The header that follows (<c>nexthdr</c>).</summary>
        public byte Nexthdr;

        /// <summary>Hop limit (<c>hop_limit</c>).</summary>
        public byte HopLimit;

        /// <summary>Source address (<c>saddr</c>), as four 32-bit words in network order.</summary>
        public fixed uint Saddr[4];

        /// <summary>Destination address (<c>daddr</c>), as four 32-bit words in network order.</summary>
        public fixed uint Daddr[4];

        /// <summary>The IP version (6), from the high nibble.</summary>
        [BpfInline("((__u8)(({0}).VersionAndPriority >> 4))")]
        public readonly byte Version => (byte)(VersionAndPriority >> 4);

        /// <summary>The payload's length in bytes, in host order.</summary>
        [BpfInline("((__u16)(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? __builtin_bswap16(({0}).PayloadLen) : (({0}).PayloadLen)))")]
        public readonly ushort PayloadLength => (ushort)IPAddress.NetworkToHostOrder((short)PayloadLen);
    }

    /// <summary>A TCP header without options (<c>struct tcphdr</c>, 20 bytes).</summary>
    public struct TcpHdr
    {
        /// <summary>Source port in network order (<c>source</c>).</summary>
        public ushort Source;

        /// <summary>Destination port in network order (<c>dest</c>).</summary>
        public ushort Dest;

        /// <summary>Sequence number in network order (<c>seq</c>).</summary>
        public uint Seq;

        /// <summary>Acknowledgement number in network order (<c>ack_seq</c>).</summary>
        public uint AckSeq;

        /// <summary>Data offset in 32-bit words in the high nibble (<c>doff</c>), reserved bits below.</summary>
        public byte DoffAndReserved;

        /// <summary>The flags, from the low bit: FIN, SYN, RST, PSH, ACK, URG, ECE, CWR.</summary>
        public byte Flags;

        /// <summary>Receive window in network order (<c>window</c>).</summary>
        public ushort Window;

        /// <summary>Checksum (<c>check</c>).</summary>
        public ushort Check;

        /// <summary>Urgent pointer in network order (<c>urg_ptr</c>).</summary>
        public ushort UrgPtr;

        /// <summary>The source port in host order.</summary>
        [BpfInline("((__u16)(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? __builtin_bswap16(({0}).Source) : (({0}).Source)))")]
        public readonly ushort SourcePort => (ushort)IPAddress.NetworkToHostOrder((short)Source);

        /// <summary>The destination port in host order.</summary>
        [BpfInline("((__u16)(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? __builtin_bswap16(({0}).Dest) : (({0}).Dest)))")]
        public readonly ushort DestinationPort => (ushort)IPAddress.NetworkToHostOrder((short)Dest);

        /// <summary>The header's length in bytes (data offset * 4), options included.</summary>
        [BpfInline("((__s32)((({0}).DoffAndReserved >> 4) * 4))")]
        public readonly int HeaderLength => (DoffAndReserved >> 4) * 4;

        /// <summary>The FIN flag.</summary>
        [BpfInline("((({0}).Flags & 0x01) != 0)")]
        public readonly bool Fin => (Flags & 0x01) != 0;

        /// <summary>The SYN flag.</summary>
        [BpfInline("((({0}).Flags & 0x02) != 0)")]
        public readonly bool Syn => (Flags & 0x02) != 0;

        /// <summary>The RST flag.</summary>
        [BpfInline("((({0}).Flags & 0x04) != 0)")]
        public readonly bool Rst => (Flags & 0x04) != 0;

        /// <summary>The PSH flag.</summary>
        [BpfInline("((({0}).Flags & 0x08) != 0)")]
        public readonly bool Psh => (Flags & 0x08) != 0;

        /// <summary>The ACK flag.</summary>
        [BpfInline("((({0}).Flags & 0x10) != 0)")]
        public readonly bool Ack => (Flags & 0x10) != 0;

        /// <summary>The URG flag.</summary>
        [BpfInline("((({0}).Flags & 0x20) != 0)")]
        public readonly bool Urg => (Flags & 0x20) != 0;
    }

    /// <summary>A UDP header (<c>struct udphdr</c>, 8 bytes).</summary>
    public struct UdpHdr
    {
        /// <summary>Source port in network order (<c>source</c>).</summary>
        public ushort Source;

        /// <summary>Destination port in network order (<c>dest</c>).</summary>
        public ushort Dest;

        /// <summary>Length of header and data in network order (<c>len</c>).</summary>
        public ushort Len;

        /// <summary>Checksum (<c>check</c>).</summary>
        public ushort Check;

        /// <summary>The source port in host order.</summary>
        [BpfInline("((__u16)(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? __builtin_bswap16(({0}).Source) : (({0}).Source)))")]
        public readonly ushort SourcePort => (ushort)IPAddress.NetworkToHostOrder((short)Source);

        /// <summary>The destination port in host order.</summary>
        [BpfInline("((__u16)(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? __builtin_bswap16(({0}).Dest) : (({0}).Dest)))")]
        public readonly ushort DestinationPort => (ushort)IPAddress.NetworkToHostOrder((short)Dest);

        /// <summary>The datagram's length in bytes, header included, in host order.</summary>
        [BpfInline("((__u16)(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? __builtin_bswap16(({0}).Len) : (({0}).Len)))")]
        public readonly ushort Length => (ushort)IPAddress.NetworkToHostOrder((short)Len);
    }

    /// <summary>An ICMP header (<c>struct icmphdr</c>, 8 bytes).</summary>
    public struct IcmpHdr
    {
        /// <summary>Message type: 0 echo reply, 8 echo request, ... (<c>type</c>).</summary>
        public byte Type;

        /// <summary>Message code (<c>code</c>).</summary>
        public byte Code;

        /// <summary>Checksum (<c>checksum</c>).</summary>
        public ushort Checksum;

        /// <summary>
        /// Echo identifier in network order (<c>un.echo.id</c>), or the first half of the type's own word (the high half
        /// of a redirect's gateway, <c>un.gateway</c>).
        /// </summary>
        public ushort EchoId;

        /// <summary>
        /// Echo sequence number in network order (<c>un.echo.sequence</c>), or the second half: the next hop's MTU of a
        /// "fragmentation needed" message (<c>un.frag.mtu</c>). The headers are sequential structs: a C# union
        /// (explicit layout) in a referenced assembly is one whose layout Roslyn does not show the compiler.
        /// </summary>
        public ushort EchoSequence;
    }

    /// <summary>An ICMPv6 header (<c>struct icmp6hdr</c>, 8 bytes).</summary>
    public struct Icmp6Hdr
    {
        /// <summary>Message type: 128 echo request, 129 echo reply, ... (<c>icmp6_type</c>).</summary>
        public byte Type;

        /// <summary>Message code (<c>icmp6_code</c>).</summary>
        public byte Code;

        /// <summary>Checksum (<c>icmp6_cksum</c>).</summary>
        public ushort Cksum;

        /// <summary>The type's own 32 bits (<c>icmp6_dataun</c>): echo identifier and sequence, MTU, pointer, ...</summary>
        public uint Data;
    }

    /// <summary>An ARP header without addresses (<c>struct arphdr</c>, 8 bytes).</summary>
    public struct ArpHdr
    {
        /// <summary>Hardware type in network order (<c>ar_hrd</c>): 1 Ethernet.</summary>
        public ushort Hrd;

        /// <summary>Protocol type in network order (<c>ar_pro</c>): 0x0800 IPv4.</summary>
        public ushort Pro;

        /// <summary>Hardware address length (<c>ar_hln</c>).</summary>
        public byte Hln;

        /// <summary>Protocol address length (<c>ar_pln</c>).</summary>
        public byte Pln;

        /// <summary>Operation in network order (<c>ar_op</c>): 1 request, 2 reply.</summary>
        public ushort Op;
    }
}
