using System;
using System.Buffers.Binary;
using System.IO;
using System.Linq;
using BpfSharp.Tests.Infrastructure;
using Xunit;

namespace BpfSharp.Tests.Kernel;

/// <summary>
/// BpfPacket loads (BPF_LD_ABS) in a C# socket filter, test-run on random packets: each load gives what .NET reads
/// big-endian from the same bytes, and a load past the packet ends the program with 0.
/// </summary>
[Collection(nameof(DescriptorCounting))]
public sealed class PacketLoadTests : IDisposable
{
    private const string Source = """
        using BpfSharp;
        [assembly: BpfLicense("GPL")]
        public static unsafe class Loads
        {
            static ulong Seen;

            [BpfProgram("socket")]
            public static int Filter(SkBuff* skb)
            {
                // offset 0 is the network header: a socket filter sees the packet after its link-layer header
                uint word = BpfPacket.LoadWord(skb, 12);
                ushort half = BpfPacket.LoadHalf(skb, 2);
                byte first = BpfPacket.LoadByte(skb, 9);
                Seen = ((ulong)word << 32) | ((ulong)half << 8) | first;
                uint at = skb->Len;
                return BpfPacket.LoadByte(skb, at + 100) + 1; // past the end: the program returns 0 here
            }
        }
        """;

    private readonly string _directory = Directory.CreateTempSubdirectory("bpfsharp-ldabs-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [SkippableFact]
    public void Loads_read_network_order_as_dotnet_does_and_a_load_past_the_packet_returns_0()
    {
        RunningKernel.RequireBpf();
        Skip.If(Tools.Find("clang") is null, "kernel test skipped: clang is needed (apt-get install clang)");
        using var loaded = BpfObject.Load(Tools.CompileCSharp(Source, _directory, "loads"));
        var program = loaded.Program("Filter");
        var globals = loaded.Maps.Keys.Single(k => k.EndsWith(".bss", StringComparison.Ordinal));
        var random = new Random(23);
        for (var round = 0; round < 32; round++)
        {
            var frame = new byte[14 + 40];
            random.NextBytes(frame);
            frame[12] = 0x08; // IPv4, so the test run gives the program the packet after an Ethernet header
            frame[13] = 0x00;
            var run = program.TestRun(frame);
            Assert.Equal(0, run.ReturnValue);

            var ip = frame.AsSpan(14);
            var expected = ((ulong)BinaryPrimitives.ReadUInt32BigEndian(ip[12..]) << 32) | ((ulong)BinaryPrimitives.ReadUInt16BigEndian(ip[2..]) << 8) | ip[9];
            var seen = new byte[8];
            Assert.True(loaded.Maps[globals].TryLookup(new byte[4], seen));
            Assert.Equal(expected, BitConverter.ToUInt64(seen));
        }
    }
}
