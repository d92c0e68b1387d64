using System.Collections.Generic;

namespace BpfSharp.Tests.Kernel.Ports;

public static partial class RealPrograms
{
    /// <summary>
    /// test_parse_tcp_hdr_opt.c: an XDP program that walks the TCP options of an Ethernet + IPv6 + TCP frame (it reads
    /// no protocol field: the TCP header is at offset 54 whatever the frame says) looking for option 0xFD of length 6,
    /// whose 4 bytes are a server id. Found with a non-zero id: `server_id` takes it and XDP_PASS; otherwise XDP_DROP.
    /// The walk's state is two u8s (the option's offset in the packet and the option bytes left), at most 15 options.
    /// Inputs: frames too short for the TCP header, option space under 6 bytes, the option alone, after MSS/NOP/WS/
    /// SACK-permitted/timestamps, after an EOL, with a wrong length, cut by the end of the packet (in its id, after its
    /// kind), longer than the option space left, a zero-length option (the walk never moves), a one-byte option, a kind
    /// with one byte left, a zero id, NOPs up to and past the 15-option limit, option space used up by NOPs, and doff
    /// under 5 (the option length wraps to 236..252 as a u8, so the walk goes on past the header; with doff 0 and a
    /// 204-byte option the u8 offset wraps from 278 to 22 and finds the option in the IPv6 source address).
    /// </summary>
    public static RealProgram ParseTcpHdrOpt => new("test_parse_tcp_hdr_opt", "tools/testing/selftests/bpf/progs/test_parse_tcp_hdr_opt.c",
        "ParseTcpHdrOpt.cs", [("xdp_ingress_v6", "XdpIngressV6")])
    {
        Globals = [("server_id", "ParseTcpHdrOpt.ServerId")],
        Runs = ParseTcpHdrOptRuns(),
    };

    private static List<ProgramRun> ParseTcpHdrOptRuns()
    {
        byte[] id = [0xde, 0xad, 0xbe, 0xef];
        byte[] tpr = [0xfd, 6, .. id];
        byte[] mss = [2, 4, 0x05, 0xb4];
        byte[] nop = [1];
        byte[] windowScale = [3, 3, 7];
        byte[] sackPermitted = [4, 2];
        byte[] timestamps = [8, 10, 0, 0, 0x12, 0x34, 0, 0, 0, 0];
        var packets = new List<byte[]>
        {
            // Too short for the TCP header (60 of 74 bytes), then exactly the header with no options.
            ParseTcpHdrOptFrame(5, [])[..60],
            ParseTcpHdrOptFrame(5, []),
            // 4 bytes of option space: less than the option's 6.
            ParseTcpHdrOptFrame(6, [1, 1, 1, 1]),
            // The option alone, padded with NOPs; padded with EOL (found before the EOL is read).
            ParseTcpHdrOptFrame(7, [.. tpr, 1, 1]),
            ParseTcpHdrOptFrame(7, [.. tpr, 0, 0]),
            // After the usual SYN options.
            ParseTcpHdrOptFrame(10, [.. mss, .. nop, .. nop, .. sackPermitted, .. nop, .. windowScale, .. tpr, 0, 0]),
            ParseTcpHdrOptFrame(11, [.. nop, .. nop, .. timestamps, .. mss, .. tpr, .. nop, .. nop]),
            // An EOL ends the walk before the option.
            ParseTcpHdrOptFrame(8, [.. mss, 0, 0, .. tpr]),
            // The option with length 4 and 8.
            ParseTcpHdrOptFrame(7, [0xfd, 4, .. id, 1, 1]),
            ParseTcpHdrOptFrame(8, [0xfd, 8, .. id, 0, 0, 0, 0, 0, 0]),
            // The packet ends inside the id, right after the option's kind, and after a NOP (doff still says 7).
            ParseTcpHdrOptFrame(7, [.. tpr, 1, 1])[..(74 + 4)],
            ParseTcpHdrOptFrame(7, [.. tpr, 1, 1])[..(74 + 1)],
            ParseTcpHdrOptFrame(7, [1, .. tpr, 1])[..(74 + 1)],
            // An option longer than the option space left (MSS claims 12 of 8).
            ParseTcpHdrOptFrame(7, [2, 12, 0x05, 0xb4, 1, 1, 1, 1, .. tpr]),
            // A zero-length option: the walk reads it 15 times and stops.
            ParseTcpHdrOptFrame(8, [0x22, 0, 1, 1, .. tpr, 1, 1]),
            // A one-byte option: its length byte is read as the next kind (a NOP), then a NOP, then the option.
            ParseTcpHdrOptFrame(8, [0x22, 1, 1, .. tpr, 1, 1, 1]),
            // A kind other than NOP with one byte of option space left.
            ParseTcpHdrOptFrame(7, [.. windowScale, .. sackPermitted, 1, 1, 0x22]),
            // The option with id 0: found, but dropped.
            ParseTcpHdrOptFrame(7, [0xfd, 6, 0, 0, 0, 0, 1, 1]),
            // 14 NOPs, then the option (the 15th look); 15 NOPs, then the option (not looked at).
            ParseTcpHdrOptFrame(10, [.. ParseTcpHdrOptRepeat(1, 14), .. tpr]),
            ParseTcpHdrOptFrame(11, [.. ParseTcpHdrOptRepeat(1, 15), .. tpr, 1, 1, 1]),
            // NOPs use up the option space before the option (doff 7: 8 NOPs).
            ParseTcpHdrOptFrame(7, [.. ParseTcpHdrOptRepeat(1, 8), .. tpr]),
            // 40 bytes of options, the option last.
            ParseTcpHdrOptFrame(15, [.. timestamps, .. timestamps, .. timestamps, 1, 1, 1, 1, .. tpr]),
            // doff 4: the option space is 252 as a u8; the walk starts after the 20-byte header all the same.
            ParseTcpHdrOptFrame(4, [.. ParseTcpHdrOptRepeat(1, 4), .. tpr]),
            // doff 0 and a 204-byte option: the u8 offset wraps to 22, where the source address holds the option.
            ParseTcpHdrOptFrame(0, [0x22, 204, 1, 1], sourceAddress: [.. tpr, .. ParseTcpHdrOptRepeat(0, 10)]),
            // doff 0, the same 204-byte option, the default source address fd00::1 at 22: 0xfd of length 0, refused.
            ParseTcpHdrOptFrame(0, [0x22, 204, 1, 1]),
            // Last, a distinct id, so that server_id shows the last frame that carried one.
            ParseTcpHdrOptFrame(8, [.. mss, 1, 1, 0xfd, 6, 0x01, 0x02, 0x03, 0x04]),
        };
        var runs = new List<ProgramRun>();
        foreach (byte[] packet in packets)
        {
            runs.Add(new ProgramRun("xdp_ingress_v6", packet));
        }

        return runs;
    }

    private static byte[] ParseTcpHdrOptRepeat(byte value, int count)
    {
        byte[] bytes = new byte[count];
        System.Array.Fill(bytes, value);
        return bytes;
    }

    /// <summary>
    /// Ethernet + IPv6 + TCP (SYN, 1234 -> 80) with data offset <paramref name="doff"/> (32-bit words) followed by
    /// <paramref name="options"/> and 8 payload bytes; the source address may be given (16 bytes, zero-padded).
    /// </summary>
    private static byte[] ParseTcpHdrOptFrame(int doff, byte[] options, byte[]? sourceAddress = null)
    {
        var frame = new List<byte>
        {
            0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01, 0x86, 0xdd,            // Ethernet, IPv6
            0x60, 0, 0, 0, 0, (byte)(20 + options.Length + 8), 6, 64,              // IPv6: payload length, TCP, hop limit
        };
        byte[] source = new byte[16];
        if (sourceAddress is null)
        {
            source[0] = 0xfd;
            source[15] = 1;
        }
        else
        {
            sourceAddress.CopyTo(source, 0);
        }

        frame.AddRange(source);
        frame.AddRange([0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2]);   // destination address
        frame.AddRange(
        [
            0x04, 0xd2, 0x00, 0x50, 0, 0, 0x10, 0, 0, 0, 0, 0,                   // ports, sequence, acknowledgement
            (byte)(doff << 4), 0x02, 0xff, 0xff, 0, 0, 0, 0,                     // data offset, SYN, window, check, urgent
        ]);
        frame.AddRange(options);
        frame.AddRange([0x70, 0x61, 0x79, 0x6c, 0x6f, 0x61, 0x64, 0x21]);       // "payload!"
        return frame.ToArray();
    }
}
