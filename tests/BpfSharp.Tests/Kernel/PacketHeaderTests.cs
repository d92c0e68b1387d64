using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Xunit;

namespace BpfSharp.Tests.Kernel;

/// <summary>
/// The network headers the runtime ships: laid out as the kernel's UAPI structs (compared with the installed headers,
/// through the host's C compiler), and parsed by an XDP program in the kernel as .NET parses the same frames.
/// </summary>
[Collection(nameof(DescriptorCounting))]
public sealed class PacketHeaderTests : IDisposable
{
    // Each header: the kernel struct, then (C# field, C member) pairs; a size line per struct.
    private static readonly (Type Type, string Kernel, string Header, (string Field, string Member)[] Fields)[] Headers =
    [
        (typeof(EthHdr), "ethhdr", "linux/if_ether.h", [("Destination", "h_dest"), ("Source", "h_source"), ("Proto", "h_proto")]),
        (typeof(IpHdr), "iphdr", "linux/ip.h", [("Tos", "tos"), ("TotLen", "tot_len"), ("Id", "id"), ("FragOff", "frag_off"), ("Ttl", "ttl"), ("Protocol", "protocol"), ("Check", "check"), ("Saddr", "saddr"), ("Daddr", "daddr")]),
        (typeof(Ipv6Hdr), "ipv6hdr", "linux/ipv6.h", [("FlowLbl", "flow_lbl"), ("PayloadLen", "payload_len"), ("Nexthdr", "nexthdr"), ("HopLimit", "hop_limit"), ("Saddr", "saddr"), ("Daddr", "daddr")]),
        (typeof(TcpHdr), "tcphdr", "linux/tcp.h", [("Source", "source"), ("Dest", "dest"), ("Seq", "seq"), ("AckSeq", "ack_seq"), ("Window", "window"), ("Check", "check"), ("UrgPtr", "urg_ptr")]),
        (typeof(UdpHdr), "udphdr", "linux/udp.h", [("Source", "source"), ("Dest", "dest"), ("Len", "len"), ("Check", "check")]),
        (typeof(IcmpHdr), "icmphdr", "linux/icmp.h", [("Type", "type"), ("Code", "code"), ("Checksum", "checksum"), ("EchoId", "un.echo.id"), ("EchoSequence", "un.echo.sequence")]),
        (typeof(Icmp6Hdr), "icmp6hdr", "linux/icmpv6.h", [("Type", "icmp6_type"), ("Code", "icmp6_code"), ("Cksum", "icmp6_cksum"), ("Data", "icmp6_dataun")]),
        (typeof(ArpHdr), "arphdr", "linux/if_arp.h", [("Hrd", "ar_hrd"), ("Pro", "ar_pro"), ("Hln", "ar_hln"), ("Pln", "ar_pln"), ("Op", "ar_op")]),
    ];

    internal const string Program = """
        using System.Buffers.Binary;
        using BpfSharp;
        [assembly: BpfLicense("GPL")]
        public static unsafe class Parse
        {
            // The destination port of a TCP or UDP packet over IPv4 or IPv6 (host order), 0 for anything else.
            [BpfProgram("xdp")]
            public static int Port(XdpMd* ctx)
            {
                byte* data = (byte*)(ulong)ctx->Data;
                byte* end = (byte*)(ulong)ctx->DataEnd;
                EthHdr* eth = (EthHdr*)data;
                if ((byte*)(eth + 1) > end) return 0;
                byte protocol;
                byte* next;
                if (eth->Proto == BinaryPrimitives.ReverseEndianness((ushort)0x0800))
                {
                    IpHdr* ip = (IpHdr*)(eth + 1);
                    if ((byte*)(ip + 1) > end) return 0;
                    protocol = ip->Protocol;
                    next = (byte*)ip + (ip->VersionAndIhl & 0xF) * 4;
                }
                else if (eth->Proto == BinaryPrimitives.ReverseEndianness((ushort)0x86DD))
                {
                    Ipv6Hdr* ip6 = (Ipv6Hdr*)(eth + 1);
                    if ((byte*)(ip6 + 1) > end) return 0;
                    protocol = ip6->Nexthdr;
                    next = (byte*)(ip6 + 1);
                }
                else
                {
                    return 0;
                }

                if (protocol == 6)
                {
                    TcpHdr* tcp = (TcpHdr*)next;
                    if ((byte*)(tcp + 1) > end) return 0;
                    return BinaryPrimitives.ReverseEndianness(tcp->Dest);
                }

                if (protocol == 17)
                {
                    UdpHdr* udp = (UdpHdr*)next;
                    if ((byte*)(udp + 1) > end) return 0;
                    return BinaryPrimitives.ReverseEndianness(udp->Dest);
                }

                return 0;
            }
        }
        """;

    private readonly string _directory = Directory.CreateTempSubdirectory("bpfsharp-headers-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [SkippableFact]
    public void Every_header_has_the_kernels_size_and_field_offsets()
    {
        var compiler = Tools.Find("gcc") ?? Tools.Find("cc");
        Skip.If(compiler is null || !File.Exists("/usr/include/linux/ip.h"), "test skipped: a host C compiler and the kernel's UAPI headers are needed (apt-get install gcc linux-libc-dev)");
        var c = new System.Text.StringBuilder("#include <stdio.h>\n#include <stddef.h>\n");
        foreach (var header in Headers.Select(h => h.Header).Distinct())
        {
            c.Append("#include <").Append(header).Append(">\n");
        }

        c.Append("int main(void) {\n");
        foreach (var (_, name, _, fields) in Headers)
        {
            c.Append($"    printf(\"{name} size %zu\\n\", sizeof(struct {name}));\n");
            foreach (var (_, member) in fields)
            {
                c.Append($"    printf(\"{name} {member} %zu\\n\", offsetof(struct {name}, {member}));\n");
            }
        }

        c.Append("    return 0;\n}\n");
        File.WriteAllText(Path.Combine(_directory, "layout.c"), c.ToString());
        var built = Tools.Run(compiler!, $"-o {_directory}/layout {_directory}/layout.c");
        Assert.True(built.ExitCode == 0, built.Output);
        var kernel = Tools.Run(Path.Combine(_directory, "layout"), string.Empty).Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' ')).ToDictionary(parts => parts[0] + " " + parts[1], parts => int.Parse(parts[2]));

        Assert.Equal(Headers.Sum(h => h.Fields.Length + 1), kernel.Count);
        var ours = new Dictionary<string, int>();
        foreach (var (type, name, _, fields) in Headers)
        {
            ours[name + " size"] = (int)typeof(Unsafe).GetMethod(nameof(Unsafe.SizeOf))!.MakeGenericMethod(type).Invoke(null, null)!;
            foreach (var (field, member) in fields)
            {
                ours[name + " " + member] = (int)Marshal.OffsetOf(type, field);
            }
        }

        Assert.Equal(kernel.OrderBy(e => e.Key), ours.OrderBy(e => e.Key));
    }

    [SkippableFact]
    public void An_xdp_program_parses_frames_with_them_as_dotnet_does()
    {
        RunningKernel.RequireBpf();
        Skip.If(Tools.Find("clang") is null, "kernel test skipped: clang is needed (apt-get install clang)");
        using var loaded = BpfObject.Load(Tools.CompileCSharp(Program, _directory, "headers"));
        var program = loaded.Program("Port");
        var random = new Random(20261207);
        for (var i = 0; i < 24; i++)
        {
            var frame = Frame(random, ipv6: i % 2 == 1, protocol: (byte)(i % 3 == 0 ? 6 : i % 3 == 1 ? 17 : 1), options: i % 4 == 0 ? 2 : 0);
            Assert.Equal(ExpectedPort(frame), program.TestRun(frame).ReturnValue);
        }
    }

    // Ethernet, IPv4 (with options) or IPv6, then a TCP, UDP or ICMP header with random ports.
    private static byte[] Frame(Random random, bool ipv6, byte protocol, int options)
    {
        var ipLength = ipv6 ? 40 : 20 + (options * 4);
        var frame = new byte[14 + ipLength + 20 + 8];
        random.NextBytes(frame);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), ipv6 ? (ushort)0x86DD : (ushort)0x0800);
        if (ipv6)
        {
            frame[14] = 0x60;
            frame[14 + 6] = protocol;
        }
        else
        {
            frame[14] = (byte)(0x40 | (5 + options));
            frame[14 + 9] = protocol;
        }

        return frame;
    }

    private static int ExpectedPort(byte[] frame)
    {
        var ipv6 = BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(12)) == 0x86DD;
        var protocol = ipv6 ? frame[14 + 6] : frame[14 + 9];
        var next = 14 + (ipv6 ? 40 : (frame[14] & 0xF) * 4);
        return protocol is 6 or 17 ? BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(next + 2)) : 0;
    }
}
