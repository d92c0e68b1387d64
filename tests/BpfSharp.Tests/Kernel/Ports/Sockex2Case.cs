using System;
using System.Buffers.Binary;
using System.Linq;

namespace BpfSharp.Tests.Kernel.Ports;

public static partial class RealPrograms
{
    // sockex2 dissects the frame a packet socket shows its filter (from the Ethernet header on) and counts packets and
    // bytes per destination address. The runs cover each EtherType it follows (IPv4, IPv6, 802.1ad, 802.1Q, other),
    // IPv4 with and without options and fragments, each tunnel it enters (GRE with each flag it tests, and its
    // VLAN/IPv4/IPv6/other payloads; IP-in-IP; IPv6-in-IPv4; tunnels inside IPv6), the AH ports offset, and packets
    // cut short at each load, which end the program before it counts. Some destinations repeat, and one is in the
    // map beforehand, so the lookup-hit path adds to existing counters.
    public static RealProgram Sockex2 => new("sockex2", "samples/bpf/sockex2_kern.c", "Sockex2.cs", [("bpf_prog2", "DissectFlows")])
    {
        OriginalProgramType = "socket",
        Maps = [("hash_map", "DstTraffic")],
        Setup =
        [
            // 10.0.0.2 already seen: 5 packets, 1000 bytes (the key is the address as a packet load gives it, in host order)
            new("hash_map", BitConverter.GetBytes(0x0A000002u), [.. BitConverter.GetBytes(5L), .. BitConverter.GetBytes(1000L)]),
        ],
        Runs =
        [
            // plain IPv4: TCP, UDP with repeat, to the destination already in the map
            Sockex2Run(Sockex2Eth(0x0800), Sockex2Ipv4(6, 1, 2, payload: 20)),
            Sockex2Run(3, Sockex2Eth(0x0800), Sockex2Ipv4(17, 1, 3, payload: 8)),
            // IPv4 with options (header length 6 and 15 words)
            Sockex2Run(Sockex2Eth(0x0800), Sockex2Ipv4(17, 1, 4, ihl: 6, payload: 8)),
            Sockex2Run(Sockex2Eth(0x0800), Sockex2Ipv4(6, 1, 4, ihl: 15, payload: 8)),
            // IPv4 fragments: more-fragments flag, a fragment offset, and the don't-fragment flag (not a fragment)
            Sockex2Run(Sockex2Eth(0x0800), Sockex2Ipv4(6, 1, 5, fragOff: 0x2000, payload: 8)),
            Sockex2Run(Sockex2Eth(0x0800), Sockex2Ipv4(47, 1, 5, fragOff: 0x0010, payload: 8)),
            Sockex2Run(Sockex2Eth(0x0800), Sockex2Ipv4(6, 1, 6, fragOff: 0x4000, payload: 8)),
            // AH: the ports four bytes further on
            Sockex2Run(Sockex2Eth(0x0800), Sockex2Ipv4(51, 1, 7, payload: 12)),
            // IPv6, TCP and UDP to the same address
            Sockex2Run(Sockex2Eth(0x86DD), Sockex2Ipv6(6, 0x20, 0x30, payload: 20)),
            Sockex2Run(Sockex2Eth(0x86DD), Sockex2Ipv6(17, 0x21, 0x30, payload: 8)),
            // VLAN tags: 802.1Q, 802.1ad + 802.1Q, 802.1ad alone, 802.1ad over IPv6, 802.1Q over something else
            Sockex2Run(Sockex2Eth(0x8100), Sockex2Vlan(0x0800), Sockex2Ipv4(6, 1, 8, payload: 20)),
            Sockex2Run(Sockex2Eth(0x88A8), Sockex2Vlan(0x8100), Sockex2Vlan(0x0800), Sockex2Ipv4(17, 1, 9, payload: 8)),
            Sockex2Run(Sockex2Eth(0x88A8), Sockex2Vlan(0x0800), Sockex2Ipv4(17, 1, 10, payload: 8)),
            Sockex2Run(Sockex2Eth(0x88A8), Sockex2Vlan(0x86DD), Sockex2Ipv6(17, 0x22, 0x31, payload: 8)),
            Sockex2Run(Sockex2Eth(0x8100), Sockex2Vlan(0x0806), Sockex2Bytes(28)),
            // not IP at all: ARP, IPX-ish, 802.1Q inside 802.1Q (only one level is followed)
            Sockex2Run(Sockex2Eth(0x0806), Sockex2Bytes(28)),
            Sockex2Run(Sockex2Eth(0x8137), Sockex2Bytes(40)),
            Sockex2Run(Sockex2Eth(0x8100), Sockex2Vlan(0x8100), Sockex2Vlan(0x0800), Sockex2Ipv4(6, 1, 11, payload: 20)),
            // GRE over IPv4, no flags: IPv4, IPv6, 802.1Q + IPv4, transparent Ethernet (not followed) inside
            Sockex2Run(Sockex2Eth(0x0800), Sockex2Ipv4(47, 1, 12, payload: 4 + 28), Sockex2Gre(0x0000, 0x0800), Sockex2Ipv4(17, 2, 13, payload: 8)),
            Sockex2Run(Sockex2Eth(0x0800), Sockex2Ipv4(47, 1, 12, payload: 4 + 48), Sockex2Gre(0x0000, 0x86DD), Sockex2Ipv6(17, 0x23, 0x32, payload: 8)),
            Sockex2Run(Sockex2Eth(0x0800), Sockex2Ipv4(47, 1, 12, payload: 8 + 40), Sockex2Gre(0x0000, 0x8100), Sockex2Vlan(0x0800), Sockex2Ipv4(6, 2, 14, payload: 20)),
            Sockex2Run(Sockex2Eth(0x0800), Sockex2Ipv4(47, 1, 12, payload: 4 + 14), Sockex2Gre(0x0000, 0x6558), Sockex2Bytes(14)),
            // GRE flags as the original tests them (network-order constants against a host-order field): bit 0x0080
            // (checksum), 0x0020 (key), 0x0010 (sequence), all three, the real wire checksum bit 0x8000 (not seen as
            // one), and the routing (0x0040) and version (0x0700) bits, which stop the dissection at the GRE header
            Sockex2Run(Sockex2Eth(0x0800), Sockex2Ipv4(47, 1, 12, payload: 8 + 28), Sockex2Gre(0x0080, 0x0800), Sockex2Bytes(4), Sockex2Ipv4(17, 2, 15, payload: 8)),
            Sockex2Run(Sockex2Eth(0x0800), Sockex2Ipv4(47, 1, 12, payload: 8 + 28), Sockex2Gre(0x0020, 0x0800), Sockex2Bytes(4), Sockex2Ipv4(17, 2, 16, payload: 8)),
            Sockex2Run(Sockex2Eth(0x0800), Sockex2Ipv4(47, 1, 12, payload: 8 + 28), Sockex2Gre(0x0010, 0x0800), Sockex2Bytes(4), Sockex2Ipv4(17, 2, 17, payload: 8)),
            Sockex2Run(Sockex2Eth(0x0800), Sockex2Ipv4(47, 1, 12, payload: 16 + 28), Sockex2Gre(0x00B0, 0x0800), Sockex2Bytes(12), Sockex2Ipv4(17, 2, 18, payload: 8)),
            Sockex2Run(Sockex2Eth(0x0800), Sockex2Ipv4(47, 1, 12, payload: 8 + 28), Sockex2Gre(0x8000, 0x0800), Sockex2Bytes(4), Sockex2Ipv4(17, 2, 19, payload: 8)),
            Sockex2Run(Sockex2Eth(0x0800), Sockex2Ipv4(47, 1, 12, payload: 4 + 28), Sockex2Gre(0x0040, 0x0800), Sockex2Ipv4(17, 2, 20, payload: 8)),
            Sockex2Run(Sockex2Eth(0x0800), Sockex2Ipv4(47, 1, 12, payload: 4 + 28), Sockex2Gre(0x0100, 0x0800), Sockex2Ipv4(17, 2, 21, payload: 8)),
            // GRE over IPv6, IP-in-IP, IPv6-in-IPv4, IP-in-IPv6, IPv6-in-IPv6
            Sockex2Run(Sockex2Eth(0x86DD), Sockex2Ipv6(47, 0x24, 0x33, payload: 4 + 28), Sockex2Gre(0x0000, 0x0800), Sockex2Ipv4(17, 2, 22, payload: 8)),
            Sockex2Run(Sockex2Eth(0x0800), Sockex2Ipv4(4, 1, 23, payload: 28), Sockex2Ipv4(17, 2, 24, payload: 8)),
            Sockex2Run(Sockex2Eth(0x0800), Sockex2Ipv4(4, 1, 23, payload: 28), Sockex2Ipv4(47, 2, 25, payload: 8)),
            Sockex2Run(Sockex2Eth(0x0800), Sockex2Ipv4(41, 1, 26, payload: 48), Sockex2Ipv6(17, 0x25, 0x34, payload: 8)),
            Sockex2Run(Sockex2Eth(0x86DD), Sockex2Ipv6(4, 0x26, 0x35, payload: 28), Sockex2Ipv4(6, 2, 27, payload: 8)),
            Sockex2Run(Sockex2Eth(0x86DD), Sockex2Ipv6(41, 0x27, 0x36, payload: 48), Sockex2Ipv6(6, 0x28, 0x37, payload: 8)),
            // cut short: at the EtherType, inside the VLAN tag, before the fragment field, the protocol, the
            // destination, inside an IPv6 destination, inside the GRE header, inside the inner IPv4 header
            Sockex2Run(Sockex2Bytes(13)),
            Sockex2Run(Sockex2Eth(0x8100), Sockex2Bytes(3)),
            Sockex2Run(Sockex2Eth(0x0800), Sockex2Ipv4(6, 1, 40).AsSpan(0, 7).ToArray()),
            Sockex2Run(Sockex2Eth(0x0800), Sockex2Ipv4(6, 1, 41).AsSpan(0, 9).ToArray()),
            Sockex2Run(Sockex2Eth(0x0800), Sockex2Ipv4(6, 1, 42).AsSpan(0, 19).ToArray()),
            Sockex2Run(Sockex2Eth(0x86DD), Sockex2Ipv6(6, 0x29, 0x38).AsSpan(0, 39).ToArray()),
            Sockex2Run(Sockex2Eth(0x0800), Sockex2Ipv4(47, 1, 43, payload: 3), Sockex2Gre(0x0000, 0x0800).AsSpan(0, 3).ToArray()),
            Sockex2Run(Sockex2Eth(0x0800), Sockex2Ipv4(47, 1, 44, payload: 4 + 19), Sockex2Gre(0x0000, 0x0800), Sockex2Ipv4(17, 2, 45).AsSpan(0, 19).ToArray()),
            // header only, nothing after it: the ports would be read past the end
            Sockex2Run(Sockex2Eth(0x0800), Sockex2Ipv4(6, 1, 46)),
            Sockex2Run(Sockex2Eth(0x86DD), Sockex2Ipv6(17, 0x2A, 0x39)),
        ],
    };

    private static ProgramRun Sockex2Run(params byte[][] frame) => Sockex2Run(1, frame);

    // BPF_PROG_TEST_RUN of a socket filter consumes an Ethernet header and starts the program's data after it; a
    // packet socket shows its filter the frame from its Ethernet header on. So the frame goes after a 14-byte header
    // the test run strips, whose local experimental EtherType (0x88B5) keeps the kernel from asking for an IP header.
    private static ProgramRun Sockex2Run(int repeat, params byte[][] frame)
    {
        byte[] strippedByTestRun = [0x02, 0, 0, 0, 0, 0x01, 0x02, 0, 0, 0, 0, 0x02, 0x88, 0xB5];
        return new("bpf_prog2", [.. strippedByTestRun, .. frame.SelectMany(part => part)], repeat);
    }

    private static byte[] Sockex2Eth(ushort etherType)
    {
        byte[] header = [0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x00, 0x66, 0x77, 0x88, 0x99, 0xAA, 0, 0];
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(12), etherType);
        return header;
    }

    private static byte[] Sockex2Vlan(ushort encapsulated)
    {
        var tag = new byte[4];
        BinaryPrimitives.WriteUInt16BigEndian(tag, 0x2064); // priority 1, VLAN 100
        BinaryPrimitives.WriteUInt16BigEndian(tag.AsSpan(2), encapsulated);
        return tag;
    }

    // An IPv4 header (10.0.0.src -> 10.0.0.dst) with ihl words, the options filled with NOPs; the payload length only
    // sets tot_len (the payload is appended by the caller, or as filler bytes by Sockex2Bytes).
    private static byte[] Sockex2Ipv4(byte protocol, byte src, byte dst, int ihl = 5, ushort fragOff = 0, int payload = 0)
    {
        var header = new byte[ihl * 4];
        header[0] = (byte)(0x40 | ihl);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(2), (ushort)(header.Length + payload));
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(4), 0x1234);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(6), fragOff);
        header[8] = 64;
        header[9] = protocol;
        header[12] = 10; header[15] = src;
        header[16] = 10; header[19] = dst;
        header.AsSpan(20).Fill(0x01);
        return protocol is 6 or 17 or 51 && payload > 0 ? [.. header, .. Sockex2Bytes(payload)] : header;
    }

    // An IPv6 header from 2001:db8::s:1 to 2001:db8::d:2 (the bytes differ per word, so the folded hash does too).
    private static byte[] Sockex2Ipv6(byte nextHeader, byte src, byte dst, int payload = 0)
    {
        var header = new byte[40];
        header[0] = 0x60;
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(4), (ushort)payload);
        header[6] = nextHeader;
        header[7] = 64;
        byte[] prefix = [0x20, 0x01, 0x0D, 0xB8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        prefix.CopyTo(header, 8);
        header[8 + 13] = src; header[8 + 15] = 1;
        prefix.CopyTo(header, 24);
        header[24 + 9] = 0x77; header[24 + 13] = dst; header[24 + 15] = 2;
        return nextHeader is 6 or 17 && payload > 0 ? [.. header, .. Sockex2Bytes(payload)] : header;
    }

    private static byte[] Sockex2Gre(ushort flags, ushort protocol)
    {
        var header = new byte[4];
        BinaryPrimitives.WriteUInt16BigEndian(header, flags);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(2), protocol);
        return header;
    }

    // Filler: a transport header's worth of distinct bytes (ports 0x1000+, ...).
    private static byte[] Sockex2Bytes(int length) => Enumerable.Range(0, length).Select(i => (byte)(0x10 + i * 3)).ToArray();
}
