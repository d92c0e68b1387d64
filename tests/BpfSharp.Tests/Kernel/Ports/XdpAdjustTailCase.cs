using System;
using System.Linq;

namespace BpfSharp.Tests.Kernel.Ports;

public static partial class RealPrograms
{
    /// <summary>
    /// xdp_adjust_tail_kern.c: IPv4 frames longer than max_pcktsz (600 bytes) are cut to 98 bytes with
    /// bpf_xdp_adjust_tail, get 28 bytes of new headers in front with bpf_xdp_adjust_head (the test run's headroom is
    /// zeroed, so the IPv4 id and fragment fields the program leaves alone are zero in both) and go back out as an ICMP
    /// "fragmentation needed" message (XDP_TX, 126 bytes: MACs swapped, both checksums through bpf_csum_diff), counted
    /// in icmpcnt. Frames of at most 600 bytes, and everything that is not IPv4 at the Ethernet level, pass.
    /// Its section "xdp_icmp" is unknown to libbpf 1.x: bpftool loads it as "xdp".
    /// </summary>
    public static RealProgram XdpAdjustTail => new("xdp_adjust_tail", "samples/bpf/xdp_adjust_tail_kern.c", "XdpAdjustTail.cs", [("_xdp_icmp", "XdpIcmp")])
    {
        OriginalProgramType = "xdp",
        // .data holds max_pcktsz alone in both objects.
        Maps = [("icmpcnt", "IcmpCount"), ("xdp_adju.data", "XdpAdjus_data")],
        Globals = [("max_pcktsz", "XdpAdjustTail.MaxPacketSize")],
        Runs =
        [
            // At most 600 bytes: passed untouched, whatever the size (a bare Ethernet header, 98, 99, 599, 600).
            new("_xdp_icmp", XdpAdjustTailPackets.Ethernet(0x0800, [])),
            new("_xdp_icmp", XdpAdjustTailPackets.Ipv4(17, 98)),
            new("_xdp_icmp", XdpAdjustTailPackets.Ipv4(17, 99)),
            new("_xdp_icmp", XdpAdjustTailPackets.Ipv4(6, 599)),
            new("_xdp_icmp", XdpAdjustTailPackets.Ipv4(17, 600)),
            // Longer: the ICMP message (601, 1000 TCP, a full 1514-byte UDP frame, a 3000-byte jumbo frame).
            new("_xdp_icmp", XdpAdjustTailPackets.Ipv4(17, 601)),
            new("_xdp_icmp", XdpAdjustTailPackets.Ipv4(6, 1000)),
            new("_xdp_icmp", XdpAdjustTailPackets.Ipv4(17, 1514)),
            new("_xdp_icmp", XdpAdjustTailPackets.Ipv4(17, 3000)),
            // The program never reads the IPv4 header length: with options, the quoted addresses are still read at
            // the fixed offsets.
            new("_xdp_icmp", XdpAdjustTailPackets.Ipv4(17, 700, options: [0x94, 0x04, 0x00, 0x00, 0x01, 0x01, 0x01, 0x00])),
            // Nor anything else of it: an IPv4 EtherType over bytes that are no IPv4 header is answered the same way.
            new("_xdp_icmp", XdpAdjustTailPackets.Ethernet(0x0800, XdpAdjustTailPackets.Pattern(800 - 14, 0xE0))),
            // Repeated runs work on the frame the previous one left: answered once (126 bytes), then passed.
            new("_xdp_icmp", XdpAdjustTailPackets.Ipv4(6, 900), Repeat: 3),
            // Not IPv4: IPv6, ARP, an 802.1Q tag in front of IPv4, all long; a bare non-IPv4 Ethernet header.
            new("_xdp_icmp", XdpAdjustTailPackets.Ethernet(0x86DD, XdpAdjustTailPackets.Pattern(1000 - 14, 0x60))),
            new("_xdp_icmp", XdpAdjustTailPackets.Ethernet(0x0806, XdpAdjustTailPackets.Pattern(28, 0x01))),
            new("_xdp_icmp", XdpAdjustTailPackets.Ethernet(0x8100, [0x00, 0x0A, 0x08, 0x00, .. XdpAdjustTailPackets.Ipv4(17, 996).AsSpan(14)])),
            new("_xdp_icmp", XdpAdjustTailPackets.Ethernet(0x86DD, [])),
            // Shorter than an Ethernet header (the program's XDP_DROP): BPF_PROG_TEST_RUN refuses XDP input under 14
            // bytes (EINVAL), so that branch cannot be test-run.
        ],
    };

    private static class XdpAdjustTailPackets
    {
        private static readonly byte[] Destination = [0x02, 0x00, 0x00, 0x00, 0x00, 0x02];
        private static readonly byte[] Source = [0x02, 0x00, 0x00, 0x00, 0x00, 0x01];
        private static readonly byte[] SourceAddress = [192, 0, 2, 10];
        private static readonly byte[] DestinationAddress = [198, 51, 100, 20];

        public static byte[] Ethernet(ushort etherType, byte[] payload) =>
            [.. Destination, .. Source, (byte)(etherType >> 8), (byte)etherType, .. payload];

        // Bytes counting up from a start value, so that every offset of a quoted frame is recognisable.
        public static byte[] Pattern(int count, byte start) => Enumerable.Range(0, count).Select(i => (byte)(start + i)).ToArray();

        // An IPv4 frame of frameLength bytes in all: header (with options, if any) with a correct checksum, DF set,
        // then a TCP or UDP header and a counting payload.
        public static byte[] Ipv4(byte protocol, int frameLength, byte[]? options = null)
        {
            options ??= [];
            var header = new byte[20 + options.Length];
            header[0] = (byte)(0x40 | header.Length / 4);
            var total = frameLength - 14;
            header[2] = (byte)(total >> 8);
            header[3] = (byte)total;
            header[4] = 0x1C;
            header[5] = 0x46;
            header[6] = 0x40;
            header[8] = 64;
            header[9] = protocol;
            SourceAddress.CopyTo(header, 12);
            DestinationAddress.CopyTo(header, 16);
            options.CopyTo(header, 20);
            var sum = InternetChecksum.Of(header);
            header[10] = (byte)(sum >> 8);
            header[11] = (byte)sum;

            var payload = Pattern(total - header.Length, 0x20);
            if (payload.Length >= 20)
            {
                // Ports 40000 -> 8080; TCP: sequence 1, data offset 5, ACK; UDP: its length.
                payload[0] = 0x9C;
                payload[1] = 0x40;
                payload[2] = 0x1F;
                payload[3] = 0x90;
                if (protocol == 6)
                {
                    payload.AsSpan(4, 16).Clear();
                    payload[7] = 1;
                    payload[12] = 0x50;
                    payload[13] = 0x10;
                }
                else
                {
                    payload[4] = (byte)(payload.Length >> 8);
                    payload[5] = (byte)payload.Length;
                    payload[6] = 0;
                    payload[7] = 0;
                }
            }

            return Ethernet(0x0800, [.. header, .. payload]);
        }
    }
}
