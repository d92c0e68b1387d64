using System;
using System.IO;
using System.Linq;
using Xunit;

namespace BpfSharp.Tests.Kernel;

/// <summary>
/// Span&lt;T&gt; over stackalloc in a BPF program: Length, constant indexes, Clear, Fill and CopyTo become plain accesses,
/// memset and memcpy; what would throw in C# (an index the compiler cannot check, a CopyTo that does not fit) is BPF2008.
/// </summary>
[Collection(nameof(DescriptorCounting))]
public sealed class SpanTests : IDisposable
{
    private const string Body = """
            Span<byte> a = stackalloc byte[8];
            Span<uint> b = stackalloc uint[4];
            Span<uint> c = stackalloc uint[6];
            a.Fill(3);
            a[7] = 9;
            b.Fill(0x01020304);
            b[1] = 5;
            c.Fill(7);
            b.CopyTo(c);
            int sum = a[0] + a[7] + a.Length + (int)(c[1] + c[4] + (uint)c.Length);
            a.Clear();
            sum += a[7] + a[0];
            return sum + (int)(b[0] & 0xFF) + (int)(c[3] >> 24);
        """;

    internal static readonly string Source = $$"""
        using System;
        using BpfSharp;
        [assembly: BpfLicense("GPL")]
        public static unsafe class Spans
        {
            [BpfProgram("xdp")]
            public static int Run(XdpMd* ctx)
            {
        {{Body}}
            }
        }
        """;

    private readonly string _directory = Directory.CreateTempSubdirectory("bpfsharp-spans-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [SkippableFact]
    public void Span_operations_compute_in_the_kernel_what_they_compute_on_the_CLR()
    {
        RunningKernel.RequireBpf();
        Skip.If(Tools.Find("clang") is null, "kernel test skipped: clang is needed (apt-get install clang)");
        using var loaded = BpfObject.Load(Tools.CompileCSharp(Source, _directory, "spans"));
        Assert.Equal(OnTheClr(), loaded.Program("Run").TestRun(new byte[64]).ReturnValue);
    }

    [Fact]
    public void What_would_throw_in_CSharp_is_BPF2008_where_it_is_written()
    {
        var source = Source.Replace("a[7] = 9;", "a[(int)ctx->IngressIfindex] = 9;").Replace("b.CopyTo(c);", "c.CopyTo(b);").Replace("a.Clear();", "a.Clear(); Use(a);")
            .Replace("[BpfProgram(\"xdp\")]", "static void Use(Span<byte> s) { }\n    [BpfProgram(\"xdp\")]");
        var problems = BpfSharp.Tests.Compiler.BpfTranslatorTests.Translate(source).Problems.Select(p => (p.Id, p.Location.SourceTree!.GetText().ToString(p.Location.SourceSpan))).ToList();
        Assert.Contains(("BPF2008", "(int)ctx->IngressIfindex"), problems);
        Assert.Contains(("BPF2008", "c.CopyTo(b)"), problems);
        Assert.Contains(problems, p => p.Item2 == "a" && p.Id == "BPF2001");
    }

    // The same statements, compiled by Roslyn and run by .NET.
    private static int OnTheClr()
    {
        var source = $$"""
            using System;
            public static class ClrSpans
            {
                public static int Compute()
                {
            {{Body}}
                }
            }
            """;
        var compute = BpfSharp.Tests.Infrastructure.TestCompilation.Load(BpfSharp.Tests.Infrastructure.TestCompilation.Create(source)).GetType("ClrSpans")!.GetMethod("Compute")!;
        return (int)compute.Invoke(null, null)!;
    }
}
