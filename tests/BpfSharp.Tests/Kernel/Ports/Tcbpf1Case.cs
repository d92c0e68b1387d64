using System;
using System.Buffers.Binary;
using System.Linq;

namespace BpfSharp.Tests.Kernel.Ports;

public static partial class RealPrograms
{
    // tcbpf1's classifier rewrites TCP/IPv4 frames in place (TOS 8, source 1.1.1.10, destination port 0x8913 as the
    // original stores them), fixing the checksums incrementally: the runs give it TCP frames with valid checksums
    // (with and without payload, with IP options, which it does not account for), frames it leaves alone (UDP, ICMP,
    // non-IP), an IPv6 frame whose byte 23 happens to be 6 (it tests no EtherType), and TCP frames cut short at each
    // step: before the TCP checksum (the helper fails, the program goes on), before the destination port and before
    // the source address (the packet load ends the program, after the rewrites done so far), before the protocol.
    // The two redirect programs are run too (the test run returns TC_ACT_REDIRECT and redirects nothing). The two
    // clone-redirect programs are not run: in a test run bpf_clone_redirect really sends a copy of the packet out of
    // (or into) the interface with the next index after the loopback's, whatever that is on the machine, and they
    // return TC_ACT_SHOT whatever happens.
    public static RealProgram Tcbpf1 => new("tcbpf1", "samples/bpf/tcbpf1_kern.c", "Tcbpf1.cs",
        [
            ("bpf_prog1", "RewriteTcp"),
            ("_redirect_xmit", "RedirectXmit"),
            ("_redirect_recv", "RedirectRecv"),
            ("_clone_redirect_xmit", "CloneRedirXmit"),
            ("_clone_redirect_recv", "CloneRedirRecv"),
        ])
    {
        OriginalProgramType = "classifier",
        Runs =
        [
            new("bpf_prog1", Tcbpf1Frame(0x0800, Tcbpf1Ipv4(6, Tcbpf1Tcp(40000, 80, payload: 0)))),
            new("bpf_prog1", Tcbpf1Frame(0x0800, Tcbpf1Ipv4(6, Tcbpf1Tcp(12345, 443, payload: 33), tos: 0x10)), Repeat: 2),
            new("bpf_prog1", Tcbpf1Frame(0x0800, Tcbpf1Ipv4(6, Tcbpf1Tcp(1, 5001, payload: 100), tos: 8))),
            new("bpf_prog1", Tcbpf1Frame(0x0800, Tcbpf1Ipv4(6, Tcbpf1Tcp(2222, 22, payload: 8), ihl: 6))),
            new("bpf_prog1", Tcbpf1Frame(0x0800, Tcbpf1Ipv4(17, Tcbpf1Bytes(16)))),
            new("bpf_prog1", Tcbpf1Frame(0x0800, Tcbpf1Ipv4(1, Tcbpf1Bytes(16)))),
            new("bpf_prog1", Tcbpf1Frame(0x0806, Tcbpf1Bytes(28))),
            new("bpf_prog1", Tcbpf1Frame(0x86DD, [0x60, 0, 0, 0, 0, 20, 6, 64, 0xFE, 6, .. new byte[30], .. Tcbpf1Bytes(20)])),
            new("bpf_prog1", Tcbpf1Frame(0x0800, Tcbpf1Ipv4(6, Tcbpf1Tcp(40000, 80, payload: 0))).AsSpan(0, 14 + 20 + 10).ToArray()),
            new("bpf_prog1", Tcbpf1Frame(0x0800, Tcbpf1Ipv4(6, Tcbpf1Tcp(40000, 80, payload: 0))).AsSpan(0, 14 + 20 + 3).ToArray()),
            // (an IPv4 EtherType needs 20 bytes after the Ethernet header, or the test run refuses the packet: these
            // two carry the cut IPv4 bytes under a local experimental EtherType, which the classifier never reads)
            new("bpf_prog1", Tcbpf1Frame(0x88B5, Tcbpf1Ipv4(6, Tcbpf1Tcp(40000, 80, payload: 0)).AsSpan(0, 15).ToArray())),
            new("bpf_prog1", Tcbpf1Frame(0x88B5, Tcbpf1Bytes(9))),
            new("_redirect_xmit", Tcbpf1Frame(0x0800, Tcbpf1Ipv4(6, Tcbpf1Tcp(40000, 80, payload: 0)))),
            new("_redirect_recv", Tcbpf1Frame(0x0800, Tcbpf1Ipv4(17, Tcbpf1Bytes(16)))),
        ],
    };

    private static byte[] Tcbpf1Frame(ushort etherType, byte[] payload)
    {
        byte[] frame = [0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01, 0, 0, .. payload];
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), etherType);
        return frame;
    }

    // 192.168.1.1 -> 192.168.1.2, with a valid header checksum; IP options (NOPs) for ihl > 5.
    private static byte[] Tcbpf1Ipv4(byte protocol, byte[] payload, byte tos = 0, int ihl = 5)
    {
        var header = new byte[ihl * 4];
        header[0] = (byte)(0x40 | ihl);
        header[1] = tos;
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(2), (ushort)(header.Length + payload.Length));
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(4), 0x4321);
        header[8] = 64;
        header[9] = protocol;
        byte[] addresses = [192, 168, 1, 1, 192, 168, 1, 2];
        addresses.CopyTo(header, 12);
        header.AsSpan(20).Fill(0x01);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(10), InternetChecksum.Of(header));
        if (protocol == 6)
        {
            // the TCP checksum over the pseudo-header (addresses, protocol, TCP length) and the segment
            byte[] pseudo = [.. addresses, 0, 6, (byte)(payload.Length >> 8), (byte)payload.Length, .. payload];
            BinaryPrimitives.WriteUInt16BigEndian(payload.AsSpan(16), InternetChecksum.Of(pseudo));
        }
        return [.. header, .. payload];
    }

    private static byte[] Tcbpf1Tcp(ushort source, ushort destination, int payload)
    {
        var segment = new byte[20 + payload];
        BinaryPrimitives.WriteUInt16BigEndian(segment, source);
        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(2), destination);
        BinaryPrimitives.WriteUInt32BigEndian(segment.AsSpan(4), 0x01020304);
        segment[12] = 0x50;
        segment[13] = 0x18; // PSH, ACK
        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(14), 0xFFFF);
        Tcbpf1Bytes(payload).CopyTo(segment, 20);
        return segment;
    }

    private static byte[] Tcbpf1Bytes(int length) => Enumerable.Range(0, length).Select(i => (byte)(0x41 + i)).ToArray();
}
