using System;
using System.Linq;

namespace BpfSharp.Tests.Kernel.Ports;

public static partial class RealPrograms
{
    // vip2tnl holds the selftest's two entries (prog_tests/xdp.c: protocol TCP, family only, everything else zero;
    // its pkt_v4 and pkt_v6 must come back as XDP_TX, 74 and 114 bytes long) and entries of our own: a UDP and an
    // ICMP (no port) IPv4 VIP and a TCP and an ICMPv6 IPv6 VIP with real tunnel addresses and MAC, and one VIP of
    // each family whose tunnel is of the other family (passed: the program only does v4-in-v4 and v6-in-v6).
    public static RealProgram XdpIpip => new("test_xdp", "tools/testing/selftests/bpf/progs/test_xdp.c", "XdpIpip.cs", [("_xdp_tx_iptunnel", "XdpTxIptunnel")])
    {
        Maps = [("rxcnt", "Rxcnt"), ("vip2tnl", "Vip2Tnl")],
        Setup =
        [
            new("vip2tnl", XdpIpipPackets.Vip(XdpIpipPackets.AfInet, new byte[4], 0, 6), XdpIpipPackets.Tunnel(XdpIpipPackets.AfInet, new byte[4], new byte[4], new byte[6])),
            new("vip2tnl", XdpIpipPackets.Vip(XdpIpipPackets.AfInet6, new byte[16], 0, 6), XdpIpipPackets.Tunnel(XdpIpipPackets.AfInet6, new byte[16], new byte[16], new byte[6])),
            new("vip2tnl", XdpIpipPackets.Vip(XdpIpipPackets.AfInet, XdpIpipPackets.VipV4Udp, 53, 17), XdpIpipPackets.Tunnel(XdpIpipPackets.AfInet, XdpIpipPackets.TunnelSourceV4, XdpIpipPackets.TunnelDestinationV4, XdpIpipPackets.NextHop)),
            new("vip2tnl", XdpIpipPackets.Vip(XdpIpipPackets.AfInet, XdpIpipPackets.VipV4Icmp, 0, 1), XdpIpipPackets.Tunnel(XdpIpipPackets.AfInet, XdpIpipPackets.TunnelSourceV4, XdpIpipPackets.TunnelDestinationV4, XdpIpipPackets.NextHop)),
            new("vip2tnl", XdpIpipPackets.Vip(XdpIpipPackets.AfInet, XdpIpipPackets.VipV4Mismatch, 80, 6), XdpIpipPackets.Tunnel(XdpIpipPackets.AfInet6, XdpIpipPackets.TunnelSourceV6, XdpIpipPackets.TunnelDestinationV6, XdpIpipPackets.NextHop)),
            new("vip2tnl", XdpIpipPackets.Vip(XdpIpipPackets.AfInet6, XdpIpipPackets.VipV6Tcp, 443, 6), XdpIpipPackets.Tunnel(XdpIpipPackets.AfInet6, XdpIpipPackets.TunnelSourceV6, XdpIpipPackets.TunnelDestinationV6, XdpIpipPackets.NextHop)),
            new("vip2tnl", XdpIpipPackets.Vip(XdpIpipPackets.AfInet6, XdpIpipPackets.VipV6Icmp, 0, 58), XdpIpipPackets.Tunnel(XdpIpipPackets.AfInet6, XdpIpipPackets.TunnelSourceV6, XdpIpipPackets.TunnelDestinationV6, XdpIpipPackets.NextHop)),
            new("vip2tnl", XdpIpipPackets.Vip(XdpIpipPackets.AfInet6, XdpIpipPackets.VipV6Mismatch, 53, 17), XdpIpipPackets.Tunnel(XdpIpipPackets.AfInet, XdpIpipPackets.TunnelSourceV4, XdpIpipPackets.TunnelDestinationV4, XdpIpipPackets.NextHop)),
        ],
        Runs =
        [
            // The selftest's packets: encapsulated (XDP_TX), counted under TCP.
            new("_xdp_tx_iptunnel", XdpIpipPackets.SelftestV4()),
            new("_xdp_tx_iptunnel", XdpIpipPackets.SelftestV6()),
            // IPv4 VIPs: UDP and ICMP encapsulated; a wrong port, protocol or address, or a v6 tunnel, passed.
            new("_xdp_tx_iptunnel", XdpIpipPackets.Ipv4(XdpIpipPackets.VipV4Udp, 17, XdpIpipPackets.Udp(5353, 53, 12))),
            new("_xdp_tx_iptunnel", XdpIpipPackets.Ipv4(XdpIpipPackets.VipV4Icmp, 1, XdpIpipPackets.Icmp())),
            new("_xdp_tx_iptunnel", XdpIpipPackets.Ipv4(XdpIpipPackets.VipV4Udp, 17, XdpIpipPackets.Udp(5353, 54, 12))),
            new("_xdp_tx_iptunnel", XdpIpipPackets.Ipv4(XdpIpipPackets.VipV4Udp, 6, XdpIpipPackets.Tcp(40000, 53, 0))),
            new("_xdp_tx_iptunnel", XdpIpipPackets.Ipv4(XdpIpipPackets.VipV4Mismatch, 6, XdpIpipPackets.Tcp(40000, 80, 4))),
            new("_xdp_tx_iptunnel", XdpIpipPackets.Ipv4(XdpIpipPackets.VipV4Mismatch, 1, XdpIpipPackets.Icmp())),
            new("_xdp_tx_iptunnel", XdpIpipPackets.Ipv4(XdpIpipPackets.VipV4Udp, 47, XdpIpipPackets.Bytes(24, 0x47))),
            // The outer length is the inner tot_len plus 20, in 16 bits: 0xFFF8 wraps to 0x000C.
            new("_xdp_tx_iptunnel", XdpIpipPackets.Ipv4(XdpIpipPackets.VipV4Udp, 17, XdpIpipPackets.Udp(5353, 53, 0), totalLength: 0xFFF8)),
            // The port is read right after the fixed 20-byte header, here from the IP options (ihl 6): a hit on port 53.
            new("_xdp_tx_iptunnel", XdpIpipPackets.Ipv4(XdpIpipPackets.VipV4Udp, 17, XdpIpipPackets.Udp(5353, 80, 4), options: [0x01, 0x01, 0x00, 0x35])),
            // Repeated runs work on the packet the previous one left: encapsulated once, then passed (IPIP, no VIP).
            new("_xdp_tx_iptunnel", XdpIpipPackets.Ipv4(XdpIpipPackets.VipV4Udp, 17, XdpIpipPackets.Udp(5353, 53, 12)), Repeat: 3),
            // IPv6 VIPs: TCP and ICMPv6 encapsulated; a wrong port or a v4 tunnel, passed.
            new("_xdp_tx_iptunnel", XdpIpipPackets.Ipv6(XdpIpipPackets.VipV6Tcp, 6, XdpIpipPackets.Tcp(40000, 443, 16))),
            new("_xdp_tx_iptunnel", XdpIpipPackets.Ipv6(XdpIpipPackets.VipV6Icmp, 58, XdpIpipPackets.Icmp())),
            new("_xdp_tx_iptunnel", XdpIpipPackets.Ipv6(XdpIpipPackets.VipV6Tcp, 6, XdpIpipPackets.Tcp(40000, 444, 0))),
            new("_xdp_tx_iptunnel", XdpIpipPackets.Ipv6(XdpIpipPackets.VipV6Mismatch, 17, XdpIpipPackets.Udp(5353, 53, 8))),
            new("_xdp_tx_iptunnel", XdpIpipPackets.Ipv6(XdpIpipPackets.VipV6Tcp, 17, XdpIpipPackets.Udp(5353, 443, 8))),
            new("_xdp_tx_iptunnel", XdpIpipPackets.Ipv6(XdpIpipPackets.VipV6Tcp, 6, XdpIpipPackets.Tcp(40000, 443, 0), payloadLength: 0xFFE0)),
            // Truncated headers: dropped.
            new("_xdp_tx_iptunnel", XdpIpipPackets.Ipv4(XdpIpipPackets.VipV4Udp, 17, []).AsSpan(0, 14 + 19).ToArray()),
            new("_xdp_tx_iptunnel", XdpIpipPackets.Ipv4(XdpIpipPackets.VipV4Udp, 17, XdpIpipPackets.Udp(5353, 53, 0)).AsSpan(0, 14 + 20 + 7).ToArray()),
            new("_xdp_tx_iptunnel", XdpIpipPackets.Ipv4(XdpIpipPackets.VipV4Udp, 6, XdpIpipPackets.Tcp(40000, 53, 0)).AsSpan(0, 14 + 20 + 19).ToArray()),
            new("_xdp_tx_iptunnel", XdpIpipPackets.Ipv6(XdpIpipPackets.VipV6Tcp, 6, []).AsSpan(0, 14 + 39).ToArray()),
            new("_xdp_tx_iptunnel", XdpIpipPackets.Ipv6(XdpIpipPackets.VipV6Tcp, 6, XdpIpipPackets.Tcp(40000, 443, 0)).AsSpan(0, 14 + 40 + 19).ToArray()),
            new("_xdp_tx_iptunnel", XdpIpipPackets.Ipv6(XdpIpipPackets.VipV6Mismatch, 17, XdpIpipPackets.Udp(5353, 53, 0)).AsSpan(0, 14 + 40 + 7).ToArray()),
            new("_xdp_tx_iptunnel", XdpIpipPackets.Ethernet(0x0800, [])),
            // Not IP (ARP, a VLAN tag in front of IPv4): dropped.
            new("_xdp_tx_iptunnel", XdpIpipPackets.Ethernet(0x0806, XdpIpipPackets.Bytes(28, 0x01))),
            new("_xdp_tx_iptunnel", XdpIpipPackets.Ethernet(0x8100, [0x00, 0x0A, 0x08, 0x00, .. XdpIpipPackets.Ipv4(XdpIpipPackets.VipV4Udp, 17, XdpIpipPackets.Udp(5353, 53, 0)).AsSpan(14)])),
        ],
    };

    private static class XdpIpipPackets
    {
        public const ushort AfInet = 2;
        public const ushort AfInet6 = 10;

        public static readonly byte[] VipV4Udp = [10, 0, 0, 2];
        public static readonly byte[] VipV4Icmp = [10, 0, 0, 3];
        public static readonly byte[] VipV4Mismatch = [10, 0, 0, 4];
        public static readonly byte[] VipV6Tcp = V6(0xFD00, 2);
        public static readonly byte[] VipV6Icmp = V6(0xFD00, 3);
        public static readonly byte[] VipV6Mismatch = V6(0xFD00, 4);
        public static readonly byte[] TunnelSourceV4 = [192, 168, 1, 1];
        public static readonly byte[] TunnelDestinationV4 = [192, 168, 1, 2];
        public static readonly byte[] TunnelSourceV6 = V6(0x2001, 0x11);
        public static readonly byte[] TunnelDestinationV6 = V6(0x2001, 0x22);
        public static readonly byte[] NextHop = [0x02, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE];

        private static readonly byte[] Destination = [0x02, 0x00, 0x00, 0x00, 0x00, 0x02];
        private static readonly byte[] Source = [0x02, 0x00, 0x00, 0x00, 0x00, 0x01];
        private static readonly byte[] ClientV4 = [172, 16, 0, 9];
        private static readonly byte[] ClientV6 = V6(0xFD00, 0x99);

        private static byte[] V6(ushort prefix, byte last)
        {
            var address = new byte[16];
            address[0] = (byte)(prefix >> 8);
            address[1] = (byte)prefix;
            address[2] = 0x0D;
            address[3] = 0xB8;
            address[15] = last;
            return address;
        }

        // struct vip: the address (IPv4 in the first 4 of 16 bytes), the port in network order, the family in host
        // order, the protocol, 3 bytes of padding.
        public static byte[] Vip(ushort family, byte[] address, ushort port, byte protocol)
        {
            var key = new byte[24];
            address.CopyTo(key, 0);
            key[16] = (byte)(port >> 8);
            key[17] = (byte)port;
            key[18] = (byte)family;
            key[19] = (byte)(family >> 8);
            key[20] = protocol;
            return key;
        }

        // struct iptnl_info: source and destination (16 bytes each), the family in host order, the next hop's MAC.
        public static byte[] Tunnel(ushort family, byte[] source, byte[] destination, byte[] mac)
        {
            var value = new byte[40];
            source.CopyTo(value, 0);
            destination.CopyTo(value, 16);
            value[32] = (byte)family;
            value[33] = (byte)(family >> 8);
            mac.CopyTo(value, 34);
            return value;
        }

        // pkt_v4 of the selftests: zero MACs and addresses, ihl 5 (version 0), TCP, tot_len 123, TCP doff 5, urg_ptr 123.
        public static byte[] SelftestV4()
        {
            var ip = new byte[20];
            ip[0] = 0x05;
            ip[3] = 123;
            ip[9] = 6;
            return [.. new byte[12], 0x08, 0x00, .. ip, .. SelftestTcp()];
        }

        public static byte[] SelftestV6()
        {
            var ip6 = new byte[40];
            ip6[5] = 123;
            ip6[6] = 6;
            return [.. new byte[12], 0x86, 0xDD, .. ip6, .. SelftestTcp()];
        }

        private static byte[] SelftestTcp()
        {
            var tcp = new byte[20];
            tcp[12] = 0x50;
            tcp[18] = 123;
            return tcp;
        }

        public static byte[] Ethernet(ushort etherType, byte[] payload) =>
            [.. Destination, .. Source, (byte)(etherType >> 8), (byte)etherType, .. payload];

        // IPv4 from ClientV4 to the address, with a correct header checksum; the total length may be forced.
        public static byte[] Ipv4(byte[] destination, byte protocol, byte[] payload, int? totalLength = null, byte[]? options = null)
        {
            options ??= [];
            var header = new byte[20 + options.Length];
            header[0] = (byte)(0x40 | header.Length / 4);
            var total = totalLength ?? header.Length + payload.Length;
            header[2] = (byte)(total >> 8);
            header[3] = (byte)total;
            header[4] = 0xBE;
            header[5] = 0xEF;
            header[6] = 0x40;
            header[8] = 64;
            header[9] = protocol;
            ClientV4.CopyTo(header, 12);
            destination.CopyTo(header, 16);
            options.CopyTo(header, 20);
            var sum = InternetChecksum.Of(header);
            header[10] = (byte)(sum >> 8);
            header[11] = (byte)sum;
            return Ethernet(0x0800, [.. header, .. payload]);
        }

        public static byte[] Ipv6(byte[] destination, byte nextHeader, byte[] payload, int? payloadLength = null)
        {
            var header = new byte[40];
            header[0] = 0x6A;
            header[1] = 0xB1;
            header[2] = 0x23;
            header[3] = 0x45;
            var length = payloadLength ?? payload.Length;
            header[4] = (byte)(length >> 8);
            header[5] = (byte)length;
            header[6] = nextHeader;
            header[7] = 64;
            ClientV6.CopyTo(header, 8);
            destination.CopyTo(header, 24);
            return Ethernet(0x86DD, [.. header, .. payload]);
        }

        public static byte[] Tcp(ushort sourcePort, ushort destinationPort, int payload)
        {
            var tcp = new byte[20 + payload];
            tcp[0] = (byte)(sourcePort >> 8);
            tcp[1] = (byte)sourcePort;
            tcp[2] = (byte)(destinationPort >> 8);
            tcp[3] = (byte)destinationPort;
            tcp[7] = 1;
            tcp[12] = 0x50;
            tcp[13] = 0x02;
            tcp[14] = 0xFF;
            tcp[15] = 0xFF;
            for (var i = 20; i < tcp.Length; i++)
            {
                tcp[i] = (byte)(0xA0 + i);
            }

            return tcp;
        }

        public static byte[] Udp(ushort sourcePort, ushort destinationPort, int payload)
        {
            var udp = new byte[8 + payload];
            udp[0] = (byte)(sourcePort >> 8);
            udp[1] = (byte)sourcePort;
            udp[2] = (byte)(destinationPort >> 8);
            udp[3] = (byte)destinationPort;
            udp[4] = (byte)(udp.Length >> 8);
            udp[5] = (byte)udp.Length;
            for (var i = 8; i < udp.Length; i++)
            {
                udp[i] = (byte)(0x30 + i);
            }

            return udp;
        }

        // An echo request (ICMP or ICMPv6: the program only reads the protocol number).
        public static byte[] Icmp() => [0x08, 0x00, 0x12, 0x34, 0x00, 0x01, 0x00, 0x07, .. Bytes(16, 0x61)];

        public static byte[] Bytes(int count, byte value) => Enumerable.Repeat(value, count).ToArray();
    }
}
