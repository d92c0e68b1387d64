using System.Collections.Generic;
using System.Linq;

namespace BpfSharp.Tests.Kernel.Ports;

public static partial class RealPrograms
{
    // The original's sections (xdp_drop_vlan_4011, xdp_vlan_change, xdp_vlan_remove_outer, xdp_vlan_remove_outer2,
    // tc_vlan_push) are unknown to libbpf 1.x. Its four XDP programs load as "xdp"; its fifth, _tc_progA, calls
    // bpf_skb_vlan_push and must load as "tc" (sched_cls): as XDP the verifier refuses it. One type for the whole
    // object does not fit, so the original is loaded with a type per section.
    public static RealProgram XdpVlan => new("test_xdp_vlan", "tools/testing/selftests/bpf/progs/test_xdp_vlan.c", "XdpVlan.cs",
        [("xdp_prognum0", "DropVlan4011"), ("xdp_prognum1", "ChangeVlan"), ("xdp_prognum2", "PopOuterVlan"), ("xdp_prognum3", "PopOuterVlan2"), ("_tc_progA", "PushVlan")])
    {
        OriginalSectionTypes = new Dictionary<string, BpfProgramType>
        {
            ["xdp_drop_vlan_4011"] = BpfProgramType.Xdp,
            ["xdp_vlan_change"] = BpfProgramType.Xdp,
            ["xdp_vlan_remove_outer"] = BpfProgramType.Xdp,
            ["xdp_vlan_remove_outer2"] = BpfProgramType.Xdp,
            ["tc_vlan_push"] = BpfProgramType.SchedCls,
        },
        Runs = XdpVlanRuns(),
    };

    private static IReadOnlyList<ProgramRun> XdpVlanRuns()
    {
        // Every XDP program sees every frame: untagged, one 802.1Q tag, 802.1ad + 802.1Q (QinQ) and 802.1Q twice, with
        // VLAN 4011 (0xFAB, the one the programs act on) outside, inside or nowhere; TCIs whose bytes swapped would
        // read as 4011; the shortest frames the parser accepts (22 bytes) and refuses (21, 18, 14 bytes).
        byte[][] frames =
        [
            XdpVlanFrames.Frame([], 0x0800, XdpVlanFrames.Ipv4Udp()),
            XdpVlanFrames.Frame([], 0x86DD, XdpVlanFrames.Payload(48)),
            XdpVlanFrames.Frame([(0x8100, 0x0FAB)], 0x0800, XdpVlanFrames.Ipv4Udp()),
            XdpVlanFrames.Frame([(0x8100, 0xBFAB)], 0x0800, XdpVlanFrames.Ipv4Udp()),
            XdpVlanFrames.Frame([(0x8100, 0x1FAB)], 0x86DD, XdpVlanFrames.Payload(48)),
            XdpVlanFrames.Frame([(0x8100, 0xE064)], 0x0800, XdpVlanFrames.Ipv4Udp()),
            XdpVlanFrames.Frame([(0x8100, 0xAB0F)], 0x0800, XdpVlanFrames.Ipv4Udp()),
            XdpVlanFrames.Frame([(0x8100, 0x0FA0)], 0x0800, XdpVlanFrames.Ipv4Udp()),
            XdpVlanFrames.Frame([(0x88A8, 0x6FAB), (0x8100, 0x2064)], 0x0800, XdpVlanFrames.Ipv4Udp()),
            XdpVlanFrames.Frame([(0x88A8, 0x0064), (0x8100, 0x0FAB)], 0x0800, XdpVlanFrames.Ipv4Udp()),
            XdpVlanFrames.Frame([(0x8100, 0x3FAB), (0x8100, 0x0FAB)], 0x0806, XdpVlanFrames.Payload(28)),
            XdpVlanFrames.Frame([(0x88A8, 0x0FAB)], 0x0800, XdpVlanFrames.Ipv4Udp()),
            XdpVlanFrames.Frame([(0x8100, 0x0FAB)], 0x0800, XdpVlanFrames.Payload(4)),
            XdpVlanFrames.Frame([(0x8100, 0x0FAB)], 0x0800, XdpVlanFrames.Payload(3)),
            XdpVlanFrames.Frame([(0x8100, 0x0FAB)], 0x0800, []),
            XdpVlanFrames.Frame([], 0x0800, XdpVlanFrames.Payload(8)),
            XdpVlanFrames.Frame([], 0x0800, XdpVlanFrames.Payload(7)),
            XdpVlanFrames.Frame([], 0x0800, []),
        ];

        var runs = new List<ProgramRun>();
        foreach (var program in new[] { "xdp_prognum0", "xdp_prognum1", "xdp_prognum2", "xdp_prognum3" })
        {
            runs.AddRange(frames.Select(frame => new ProgramRun(program, frame)));
        }

        // bpf_skb_vlan_push puts the tag into the skb's metadata (it has no tag yet), not into the bytes: TC_ACT_OK,
        // the packet unchanged.
        runs.Add(new("_tc_progA", frames[0]));
        runs.Add(new("_tc_progA", frames[2]));
        runs.Add(new("_tc_progA", frames[8]));
        return runs;
    }

    private static class XdpVlanFrames
    {
        private static readonly byte[] Destination = [0x02, 0x00, 0x00, 0x00, 0x00, 0x02];
        private static readonly byte[] Source = [0x02, 0x00, 0x00, 0x00, 0x00, 0x01];

        // Ethernet addresses, each (TPID, TCI) tag in order, the EtherType, the payload.
        public static byte[] Frame((ushort Tpid, ushort Tci)[] tags, ushort etherType, byte[] payload)
        {
            var frame = new List<byte>();
            frame.AddRange(Destination);
            frame.AddRange(Source);
            foreach (var (tpid, tci) in tags)
            {
                frame.AddRange([(byte)(tpid >> 8), (byte)tpid, (byte)(tci >> 8), (byte)tci]);
            }

            frame.AddRange([(byte)(etherType >> 8), (byte)etherType]);
            frame.AddRange(payload);
            return [.. frame];
        }

        // An IPv4 UDP datagram 10.0.0.1:5353 -> 10.0.0.2:53 with 8 bytes of data (header checksum not computed).
        public static byte[] Ipv4Udp() =>
        [
            0x45, 0x00, 0x00, 0x24, 0x00, 0x01, 0x40, 0x00, 0x40, 0x11, 0x00, 0x00, 10, 0, 0, 1, 10, 0, 0, 2,
            0x14, 0xE9, 0x00, 0x35, 0x00, 0x10, 0x00, 0x00, 1, 2, 3, 4, 5, 6, 7, 8,
        ];

        public static byte[] Payload(int count) => Enumerable.Range(0, count).Select(i => (byte)(0xC0 + i)).ToArray();
    }
}
