using System;
using System.Linq;
using BpfSharp;
using Xunit;

namespace HelloXdp.Tests;

/// <summary>The sample's XDP program, run by the kernel on crafted frames (BPF_PROG_TEST_RUN): no interface, no traffic.</summary>
public sealed class PacketCounterTests
{
    // HelloXdp.bpf.o, written next to HelloXdp.dll by dotnet build; each test gets fresh maps.
    private static BpfObject Load()
    {
        Skip.IfNot(Environment.IsPrivilegedProcess, "kernel test skipped: loading BPF programs needs root (or CAP_BPF + CAP_NET_ADMIN)");
        return BpfObject.Load(typeof(PacketCounter).Assembly);
    }

    [SkippableFact]
    public void Udp_and_tcp_packets_are_counted_under_their_protocol_and_passed()
    {
        using var bpf = Load();
        var program = bpf.Program(nameof(PacketCounter.CountPackets));
        Assert.Equal(BpfReturnCodes.XDP_PASS, program.TestRun(Ipv4(protocol: 17), repeat: 3).ReturnValue);
        Assert.Equal(BpfReturnCodes.XDP_PASS, program.TestRun(Ipv4(protocol: 6)).ReturnValue);

        var protocols = bpf.Map(PacketCounter.Protocols);
        Assert.Equal(3ul, protocols.Lookup(17));
        Assert.Equal(1ul, protocols.Lookup(6));
    }

    [SkippableFact]
    public void Frames_that_are_not_whole_ipv4_packets_are_counted_apart()
    {
        using var bpf = Load();
        var program = bpf.Program(nameof(PacketCounter.CountPackets));
        program.TestRun(Ipv4(protocol: 17)[..20]); // cut inside the IPv4 header
        program.TestRun([.. new byte[12], 0x08, 0x06, .. new byte[28]]); // ARP

        var protocols = bpf.Map(PacketCounter.Protocols);
        Assert.Equal(2ul, protocols.Lookup(PacketCounter.NotIpv4));
        Assert.Equal([PacketCounter.NotIpv4], protocols.Keys.ToArray());
    }

    // Ethernet (zero addresses, IPv4) + an IPv4 header without options + 8 bytes of payload.
    private static byte[] Ipv4(byte protocol) =>
        [.. new byte[12], 0x08, 0x00, 0x45, 0, 0, 28, 0, 0, 0x40, 0, 64, protocol, 0, 0, 127, 0, 0, 1, 127, 0, 0, 1, .. new byte[8]];
}
