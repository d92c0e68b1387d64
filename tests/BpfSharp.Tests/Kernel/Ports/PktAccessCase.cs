using System;
using System.Linq;

namespace BpfSharp.Tests.Kernel.Ports;

public static partial class RealPrograms
{
    // The selftest (prog_tests/pkt_access.c) runs the program on its pkt_v4 and pkt_v6 (network_helpers.h: the IP
    // version nibble left 0, total/payload length 123, TCP doff 5 and urg_ptr 123 in host order) and expects 0
    // (TC_ACT_OK) for both. Each run also increments the TCP checksum word through a subprogram, once per repetition.
    // BPF_PROG_TEST_RUN takes no tc packet shorter than an Ethernet header, and (Linux 6.18) no IPv4 or IPv6 frame
    // shorter than its IP header (EINVAL): the program's truncated-IP-header branches cannot be reached by a test run.
    public static RealProgram PktAccess => new("test_pkt_access", "tools/testing/selftests/bpf/progs/test_pkt_access.c", "PktAccess.cs", [("test_pkt_access", "TestPktAccess")])
    {
        Runs =
        [
            // The selftest's packets: TC_ACT_OK, checksum word 1 (3 after three repetitions).
            new("test_pkt_access", PktAccessPackets.SelftestV4()),
            new("test_pkt_access", PktAccessPackets.SelftestV6()),
            new("test_pkt_access", PktAccessPackets.SelftestV4(), Repeat: 3),
            // TCP whose urgent pointer is not 123: TC_ACT_UNSPEC after the checksum write.
            new("test_pkt_access", PktAccessPackets.Ipv4(ihl: 5, protocol: 6, PktAccessPackets.Tcp(urgentPointer: 0x7B00, check: 0xFFFF, payload: 6))),
            new("test_pkt_access", PktAccessPackets.Ipv6(nextHeader: 6, PktAccessPackets.Tcp(urgentPointer: 0, check: 0x1234, payload: 0))),
            // IPv4 options: the TCP header at offset 54 is the farthest the write subprogram accepts (ihl 10: OK);
            // ihl 15 puts it at 74: the subprogram refuses (TC_ACT_SHOT). ihl 0 and 2 put it inside the IP header.
            new("test_pkt_access", PktAccessPackets.Ipv4(ihl: 10, protocol: 6, PktAccessPackets.Tcp(urgentPointer: 123, check: 7, payload: 0))),
            new("test_pkt_access", PktAccessPackets.Ipv4(ihl: 15, protocol: 6, PktAccessPackets.Tcp(urgentPointer: 123, check: 7, payload: 0))),
            new("test_pkt_access", PktAccessPackets.Ipv4(ihl: 0, protocol: 6, PktAccessPackets.Tcp(urgentPointer: 123, check: 7, payload: 0))),
            new("test_pkt_access", PktAccessPackets.Ipv4(ihl: 2, protocol: 6, PktAccessPackets.Tcp(urgentPointer: 123, check: 7, payload: 0))),
            // Not TCP: the word at the TCP checksum's place is still incremented, then TC_ACT_SHOT.
            new("test_pkt_access", PktAccessPackets.Ipv4(ihl: 5, protocol: 17, PktAccessPackets.Bytes(20, 0x11))),
            new("test_pkt_access", PktAccessPackets.Ipv6(nextHeader: 17, PktAccessPackets.Bytes(24, 0x22))),
            // Shorter than a TCP header after IP (a bare UDP header, or 10 bytes): TC_ACT_SHOT, nothing written.
            new("test_pkt_access", PktAccessPackets.Ipv4(ihl: 5, protocol: 17, PktAccessPackets.Bytes(8, 0x33))),
            new("test_pkt_access", PktAccessPackets.Ipv4(ihl: 5, protocol: 6, PktAccessPackets.Bytes(10, 0x44))),
            new("test_pkt_access", PktAccessPackets.Ipv6(nextHeader: 6, PktAccessPackets.Bytes(19, 0x55))),
            // Neither IPv4 nor IPv6 (ARP, a VLAN tag, a bare Ethernet header): no TCP pointer, TC_ACT_UNSPEC.
            new("test_pkt_access", PktAccessPackets.Ethernet(0x0806, PktAccessPackets.Bytes(28, 0x01))),
            new("test_pkt_access", PktAccessPackets.Ethernet(0x8100, [0x00, 0x0A, 0x08, 0x00, .. PktAccessPackets.Ipv4(ihl: 5, protocol: 6, PktAccessPackets.Tcp(123, 0, 0)).AsSpan(14)])),
            new("test_pkt_access", PktAccessPackets.Ethernet(0x88CC, [])),
        ],
    };

    private static class PktAccessPackets
    {
        private static readonly byte[] Destination = [0x02, 0x00, 0x00, 0x00, 0x00, 0x02];
        private static readonly byte[] Source = [0x02, 0x00, 0x00, 0x00, 0x00, 0x01];

        // pkt_v4 of the selftests: ihl 5 with version 0, protocol TCP, tot_len 123, TCP doff 5, urg_ptr 123 (host order).
        public static byte[] SelftestV4()
        {
            var ip = new byte[20];
            ip[0] = 0x05;
            ip[2] = 0;
            ip[3] = 123;
            ip[9] = 6;
            return Ethernet(0x0800, [.. ip, .. SelftestTcp()], zeroMacs: true);
        }

        // pkt_v6 of the selftests: nexthdr TCP, payload_len 123, the same TCP header; everything else zero.
        public static byte[] SelftestV6()
        {
            var ip6 = new byte[40];
            ip6[4] = 0;
            ip6[5] = 123;
            ip6[6] = 6;
            return Ethernet(0x86DD, [.. ip6, .. SelftestTcp()], zeroMacs: true);
        }

        private static byte[] SelftestTcp()
        {
            var tcp = new byte[20];
            tcp[12] = 0x50;
            tcp[18] = 123;
            return tcp;
        }

        public static byte[] Ethernet(ushort etherType, byte[] payload, bool zeroMacs = false) =>
            [.. zeroMacs ? new byte[12] : [.. Destination, .. Source], (byte)(etherType >> 8), (byte)etherType, .. payload];

        // An IPv4 header of ihl 32-bit words (version 4; options, if any, are NOPs), then the payload.
        public static byte[] Ipv4(int ihl, byte protocol, byte[] payload)
        {
            var header = new byte[Math.Max(20, ihl * 4)];
            header[0] = (byte)(0x40 | ihl);
            var total = header.Length + payload.Length;
            header[2] = (byte)(total >> 8);
            header[3] = (byte)total;
            header[4] = 0x12;
            header[5] = 0x34;
            header[8] = 64;
            header[9] = protocol;
            byte[] addresses = [10, 0, 0, 1, 10, 0, 0, 2];
            addresses.CopyTo(header, 12);
            for (var i = 20; i < header.Length; i++)
            {
                header[i] = 0x01;
            }

            return Ethernet(0x0800, [.. header, .. payload]);
        }

        public static byte[] Ipv6(byte nextHeader, byte[] payload)
        {
            var header = new byte[40];
            header[0] = 0x60;
            header[4] = (byte)(payload.Length >> 8);
            header[5] = (byte)payload.Length;
            header[6] = nextHeader;
            header[7] = 64;
            header[8] = 0xFD;
            header[23] = 1;
            header[24] = 0xFD;
            header[39] = 2;
            return Ethernet(0x86DD, [.. header, .. payload]);
        }

        // A TCP header (doff 5, ACK) whose urgent pointer and checksum are stored little-endian: the program compares
        // the urgent pointer word with 123 as it lies in memory, and increments the checksum word the same way.
        public static byte[] Tcp(ushort urgentPointer, ushort check, int payload)
        {
            var tcp = new byte[20 + payload];
            tcp[0] = 0x30;
            tcp[1] = 0x39;
            tcp[2] = 0x00;
            tcp[3] = 0x50;
            tcp[4] = 0x01;
            tcp[12] = 0x50;
            tcp[13] = 0x10;
            tcp[14] = 0x20;
            tcp[16] = (byte)check;
            tcp[17] = (byte)(check >> 8);
            tcp[18] = (byte)urgentPointer;
            tcp[19] = (byte)(urgentPointer >> 8);
            for (var i = 20; i < tcp.Length; i++)
            {
                tcp[i] = (byte)i;
            }

            return tcp;
        }

        public static byte[] Bytes(int count, byte value) => Enumerable.Repeat(value, count).ToArray();
    }
}
