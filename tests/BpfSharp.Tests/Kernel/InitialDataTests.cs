using System;
using System.IO;
using System.Linq;
using Xunit;

namespace BpfSharp.Tests.Kernel;

/// <summary>
/// Global data with initial values beyond plain constants: struct-typed static fields with object initialisers (nested
/// too), read-only ones in .rodata, and UTF-8 literals pinned with fixed. Translated, loaded, run, and read back.
/// </summary>
[Collection(nameof(DescriptorCounting))]
public sealed class InitialDataTests : IDisposable
{
    internal const string Source = """
        using BpfSharp;
        [assembly: BpfLicense("GPL")]
        public struct Inner { public ushort A; public ushort B; }
        public struct Pair { public ulong Packets; public uint Port; public Inner Where; }
        public static unsafe class Holder
        {
            static Pair Start = new Pair { Packets = 7, Port = 80, Where = { B = 3 } };
            static readonly Pair Limits = new Pair { Packets = 1, Where = new Inner { A = 2 } };

            [BpfProgram("xdp")]
            public static int Run(XdpMd* ctx)
            {
                Start.Packets += 1;
                fixed (byte* text = "BPF!\n"u8)
                {
                    return text[3] + "BPF!\n"u8.Length + (int)Start.Packets + Start.Where.B + (int)Limits.Packets + Limits.Where.A;
                }
            }
        }
        """;

    private readonly string _directory = Directory.CreateTempSubdirectory("bpfsharp-initial-data-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Struct_initialisers_become_designated_initialisers_and_u8_literals_C_strings()
    {
        var result = BpfSharp.Tests.Compiler.BpfTranslatorTests.Translate(Source);
        Assert.Empty(result.Problems);
        Assert.Contains("struct Pair Holder_Start = { .Packets = 7ULL, .Port = 80U, .Where = { .B = 3 } };", result.C);
        Assert.Contains("const volatile struct Pair Holder_Limits = { .Packets = 1ULL, .Where = { .A = 2 } };", result.C);
        Assert.Contains("__u8 * text = (__u8 *)\"BPF!\\012\";", result.C);
    }

    [Fact]
    public void An_initialiser_that_is_not_made_of_constants_is_refused_where_it_is()
    {
        var source = Source.Replace("Packets = 7,", "Packets = Seed(),").Replace("[BpfProgram(\"xdp\")]", "static ulong Seed() => 7;\n    [BpfProgram(\"xdp\")]");
        var problem = Assert.Single(BpfSharp.Tests.Compiler.BpfTranslatorTests.Translate(source).Problems);
        Assert.Equal("BPF2001", problem.Id);
        Assert.Contains("'Start' must be a constant, or a struct value of constants", problem.Message);
        Assert.StartsWith("new Pair { Packets = Seed()", problem.Location.SourceTree!.GetText().ToString(problem.Location.SourceSpan));
    }

    [SkippableFact]
    public void The_program_starts_from_the_initial_values()
    {
        RunningKernel.RequireBpf();
        Skip.If(Tools.Find("clang") is null, "kernel test skipped: clang is needed (apt-get install clang)");
        using var loaded = BpfObject.Load(Tools.CompileCSharp(Source, _directory, "initial"));

        Assert.Equal('!' + 5 + 8 + 3 + 1 + 2, loaded.Program("Run").TestRun(new byte[64]).ReturnValue);
        var start = loaded.Global<Pair>("Holder_Start").Value;
        Assert.Equal((8ul, 80u, (ushort)0, (ushort)3), (start.Packets, start.Port, start.A, start.B));
        Assert.Equal(1ul, loaded.Global<Pair>("Holder_Limits").Value.Packets);
    }

    [SkippableFact]
    public void A_struct_whose_C_is_a_union_starts_with_every_field_it_was_given()
    {
        // Explicit layouts (and StructLayout.Size) are C unions, where designated initialisers keep one member only.
        const string source = """
            using System.Runtime.InteropServices;
            using BpfSharp;
            [assembly: BpfLicense("GPL")]
            [StructLayout(LayoutKind.Explicit)] public struct Words { [FieldOffset(0)] public uint A; [FieldOffset(4)] public uint B; [FieldOffset(2)] public byte Middle; }
            [StructLayout(LayoutKind.Sequential, Size = 16)] public struct Sized { public ushort C; public uint D; }
            public struct Outer { public byte E; public Words W; public Sized S; }
            public static unsafe class Holder
            {
                static Words Start = new Words { A = 0x11111111, B = 0x22222222, Middle = 0x33 };
                static readonly Outer Nested = new Outer { E = 9, W = { B = 0x44444444 }, S = new Sized { D = 0x55555555 } };

                [BpfProgram("xdp")]
                public static int Run(XdpMd* ctx) => (int)(Start.A + Start.B + Nested.W.B + Nested.S.D + Nested.E);
            }
            """;
        var result = BpfSharp.Tests.Compiler.BpfTranslatorTests.Translate(source);
        Assert.Empty(result.Problems);
        Assert.Contains("struct Words Holder_Start = { .bpfsharp_bytes = { 0x11, 0x11, 0x33, 0x11, 0x22, 0x22, 0x22, 0x22 } };", result.C);

        RunningKernel.RequireBpf();
        Skip.If(Tools.Find("clang") is null, "kernel test skipped: clang is needed (apt-get install clang)");
        using var loaded = BpfObject.Load(Tools.CompileCSharp(source, _directory, "unions"));
        Assert.Equal(unchecked((int)(0x11331111u + 0x22222222u + 0x44444444u + 0x55555555u + 9u)), loaded.Program("Run").TestRun(new byte[64]).ReturnValue);
        Assert.Equal((0x11331111u, 0x22222222u), loaded.Global<(uint, uint)>("Holder_Start").Value);
    }

    /// <summary>The program's Pair as .NET code that loads it declares it (same layout).</summary>
    private readonly record struct Pair(ulong Packets, uint Port, ushort A, ushort B);
}
