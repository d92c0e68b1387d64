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

    [SkippableFact]
    public void Struct_values_byte_swaps_and_block_copies_leave_the_CLR_bytes_in_the_kernel()
    {
        RunningKernel.RequireBpf();
        Skip.If(Tools.Find("clang") is null, "kernel test skipped: clang is needed (apt-get install clang)");

        var compute = TestCompilation.Load(TestCompilation.Generate(TestCompilation.Create(Source)).Output).GetType("Constructs")!.GetMethod("Compute")!;

        var directory = Directory.CreateTempSubdirectory("bpfsharp-constructs-").FullName;
        try
        {
            using var bpf = BpfObject.Load(Tools.CompileCSharp(Source, directory, "constructs"));
            var program = bpf.Program("Run");
            var random = new Random(7);
            for (var round = 0; round < 32; round++)
            {
                var input = new byte[Size];
                random.NextBytes(input.AsSpan(0, 16));
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
