using System;
using System.IO;
using System.Linq;
using System.Reflection;
using BpfSharp.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Xunit;
using Xunit.Abstractions;

namespace BpfSharp.Tests.Kernel;

/// <summary>
/// C# constructs a C programmer would write as C (struct values, byte swaps, block copies and fills, the address of a
/// global through fixed): one function
/// over a buffer, run on the CLR and, compiled, in the kernel on the same bytes; the bytes it leaves must be the same.
/// </summary>
public class ConstructDifferentialTests(ITestOutputHelper output)
{
    private const int Size = 96;

    internal const string Source = """
        using System;
        using System.Buffers.Binary;
        using System.Net;
        using System.Runtime.CompilerServices;
        using BpfSharp;
        [assembly: BpfLicense("GPL")]
        public struct Inner { public ushort Port; public byte Flags; }
        public struct Pair { public uint Packets; public ulong Bytes; public byte Tag; public Inner Where; }
        public static unsafe class Constructs
        {
            public static void Compute(byte* data)
            {
                uint a = *(uint*)data;
                ushort s = *(ushort*)(data + 4);
                ulong l = *(ulong*)(data + 8);
                Pair p = new Pair { Packets = a, Bytes = l, Tag = 7, Where = { Port = s, Flags = 3 } };
                Pair q = new Pair();
                q.Packets = BinaryPrimitives.ReverseEndianness(a);
                Pair r = new() { Bytes = BinaryPrimitives.ReverseEndianness(l) };
                *(uint*)(data + 16) = p.Packets + q.Packets + (uint)r.Bytes + p.Where.Port + p.Where.Flags + p.Tag;
                *(ulong*)(data + 24) = p.Bytes ^ (ulong)IPAddress.HostToNetworkOrder((long)l);
                *(ushort*)(data + 32) = (ushort)IPAddress.NetworkToHostOrder((short)s);
                *(int*)(data + 36) = IPAddress.HostToNetworkOrder((int)a) + BinaryPrimitives.ReverseEndianness((short)s);
                Unsafe.CopyBlock(data + 40, data, 8);
                Unsafe.InitBlock(data + 48, 0xAB, 4);
                Unsafe.InitBlockUnaligned(data + 52, (byte)a, 3);
                Buffer.MemoryCopy(&p, data + 56, 8, 4);
                Unsafe.CopyBlockUnaligned(data + 64, &p, (uint)sizeof(Pair));
                fixed (ulong* total = &Total)
                {
                    *total += a;                        // kept between runs, by the kernel as by the CLR
                    *(ulong*)(data + 88) = *total;
                }
            }

            static ulong Total;

            [BpfProgram("xdp")]
            public static int Run(XdpMd* ctx)
            {
                byte* data = (byte*)(ulong)ctx->Data;
                if (data + 96 > (byte*)(ulong)ctx->DataEnd) return 1;
                Compute(data);
                return 2;
            }
        }
        """;

    // What the ports of real programs asked for: switch expressions and patterns, integer Math, ref/out/in parameters,
    // discards, overlapping block copies (memmove, as the CLR copies), Volatile, a volatile global.
    internal const string PatternSource = """
        using System;
        using System.Runtime.CompilerServices;
        using System.Threading;
        using BpfSharp;
        [assembly: BpfLicense("GPL")]
        public static unsafe class Constructs
        {
            static volatile uint Seen;
            static byte[] Greeting = [.. "abc"u8, 0, 0, 0];
            static readonly ushort[] Weights = { 1, 2, 300, 4 };
            static byte[] Scratch = new byte[8];
            static byte[] Text = "hello"u8.ToArray();

            public static void Compute(byte* data)
            {
                int a = *(int*)data;
                uint b = *(uint*)(data + 4);
                byte c = data[8];
                short d = *(short*)(data + 10);
                IpHdr* ip = (IpHdr*)data;
                Ipv6Hdr* ip6 = (Ipv6Hdr*)data;
                TcpHdr* tcp = (TcpHdr*)(data + 4);
                UdpHdr* udp = (UdpHdr*)(data + 8);
                EthHdr* eth = (EthHdr*)data;
                VlanHdr* vlan = (VlanHdr*)(data + 2);
                *(int*)(data + 36) = ip->Version + ip->HeaderLength + ip->TotalLength + ip6->Version + ip6->PayloadLength
                    + tcp->SourcePort + tcp->DestinationPort + tcp->HeaderLength + (tcp->Syn ? 1 : 0) + (tcp->Ack ? 2 : 0) + (tcp->Fin ? 4 : 0)
                    + (tcp->Rst ? 8 : 0) + (tcp->Psh ? 16 : 0) + (tcp->Urg ? 32 : 0) + udp->Length + udp->SourcePort + udp->DestinationPort
                    + eth->EtherType + vlan->VlanId + vlan->EtherType;
                *(int*)(data + 16) = c switch { 0 => 10, 1 or 2 => 20, > 200 and not 255 => 30, < 50 when a > 0 => 40, _ => 50 + c };
                *(int*)(data + 20) = ((b & 1) == 0) switch { true => 1, false => 2 };
                data[24] = (byte)(c is 3 or 7 or > 100 ? 1 : 0);
                Span<byte> buffer = stackalloc byte[8];
                SetByte(ref buffer[3], c);
                Volatile.Write(ref buffer[5], (byte)(c + 1));
                data[25] = buffer[3];
                data[26] = buffer[5];
                Scratch[c & 7] = (byte)(Scratch[c & 7] + c);
                Greeting[4] = (byte)(Greeting[4] + 1);
                fixed (byte* g = Greeting) { g[5] ^= c; }
                data[27] = (byte)(Greeting[0] + Greeting[4] + Greeting[5] + Greeting.Length + Weights[b & 3] + Weights[3] + Scratch[b % 8] + Text[4] + Text.Length + Scratch[(byte)a % 8]);
                *(int*)(data + 28) = Math.Max(a, d) - Math.Min(a, (int)d) + Math.Max((byte)c, (byte)9);
                *(uint*)(data + 32) = Math.Clamp(b, 10u, 1000u) + Math.Min(b, 7u);
                Split(a, out int hi, out var lo);
                Swap(ref hi, ref lo);
                *(int*)(data + 40) = hi;
                *(int*)(data + 44) = lo;
                *(int*)(data + 48) = Sum(in a, d);
                _ = Twice(ref a);
                *(int*)(data + 52) = a;
                Buffer.MemoryCopy(data + 56, data + 60, 36, 12);
                Unsafe.CopyBlock(data + 72, data + 76, 12);
                var window = new Span<byte>(data + 56, 8);
                window.CopyTo(new Span<byte>(data + 58, 8));
                new Span<byte>(data + 66, 2).Clear();
                Span<ushort> words = new Span<ushort>(data + 68, 2);
                words.Fill((ushort)(words.Length + window[1]));
                Volatile.Write(ref *(uint*)(data + 88), Volatile.Read(ref *(uint*)(data + 4)) + 1);
                Seen += 1;
                *(uint*)(data + 92) = Seen;
            }

            static void Split(int v, out int hi, out int lo) { hi = v >> 16; lo = v & 0xffff; }
            static void Swap(ref int x, ref int y) { int t = x; x = y; y = t; }
            static void SetByte(ref byte b, byte v) => b = v;
            static int Sum(in int x, in short y) => x + y;
            static int Twice(ref int x) { x *= 2; return x; }

            [BpfProgram("xdp")]
            public static int Run(XdpMd* ctx)
            {
                byte* data = (byte*)(ulong)ctx->Data;
                if (data + 96 > (byte*)(ulong)ctx->DataEnd) return 1;
                Compute(data);
                return 2;
            }
        }
        """;

    [SkippableFact]
    public void Struct_values_byte_swaps_and_block_copies_leave_the_CLR_bytes_in_the_kernel() => SameBytes(Source, "constructs");

    [SkippableFact]
    public void Patterns_Math_by_reference_parameters_and_overlapping_copies_leave_the_CLR_bytes_in_the_kernel() => SameBytes(PatternSource, "patterns");

    private void SameBytes(string source, string name)
    {
        RunningKernel.RequireBpf();
        Skip.If(Tools.Find("clang") is null, "kernel test skipped: clang is needed (apt-get install clang)");

        var compute = TestCompilation.Load(TestCompilation.Generate(TestCompilation.Create(source)).Output).GetType("Constructs")!.GetMethod("Compute")!;

        var directory = Directory.CreateTempSubdirectory("bpfsharp-constructs-").FullName;
        try
        {
            using var bpf = BpfObject.Load(Tools.CompileCSharp(source, directory, name));
            var program = bpf.Program("Run");
            var random = new Random(7);
            for (var round = 0; round < 32; round++)
            {
                var input = new byte[Size];
                random.NextBytes(input.AsSpan(0, 16));
                random.NextBytes(input.AsSpan(56, 32)); // bytes clang cannot know, for the overlapping copies
                input[8] = round < 12 ? (byte)new[] { 0, 1, 2, 3, 7, 201, 255, 49, 50, 100, 101, 240 }[round] : input[8]; // every arm
                var clr = (byte[])input.Clone();
                Compute(compute, clr);
                var run = program.TestRun(input);
                Assert.Equal(2, run.ReturnValue);
                Assert.Equal(Convert.ToHexString(clr), Convert.ToHexString(run.Data));
            }

            output.WriteLine("32 random inputs: the kernel left the CLR's bytes each time");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static unsafe void Compute(MethodInfo compute, byte[] buffer)
    {
        fixed (byte* data = buffer)
        {
            compute.Invoke(null, [Pointer.Box(data, typeof(byte*))]);
        }
    }
}
