using System;
using System.IO;
using Xunit;

namespace BpfSharp.Tests.Kernel;

/// <summary>
/// C# methods that become BPF-to-BPF calls: one marked [MethodImpl(NoInlining)], and one passed to bpf_loop as a
/// callback (<c>&amp;AddIndex</c>). Translated, compiled by clang, linked and loaded by BpfSharp's loader, and run.
/// </summary>
[Collection(nameof(DescriptorCounting))]
public sealed class CSharpSubprogramTests : IDisposable
{
    internal const string Source = """
        using System.Runtime.CompilerServices;
        using BpfSharp;
        [assembly: BpfLicense("GPL")]
        public static unsafe class Work
        {
            static ulong Sum;

            [MethodImpl(MethodImplOptions.NoInlining)]
            static int Scale(int value, int factor) => value * factor + 1;

            static long AddIndex(ulong index, void* context)
            {
                Sum += index;
                return 0;
            }

            [BpfProgram("xdp")]
            public static int Run(XdpMd* ctx)
            {
                BpfHelpers.Loop(10, &AddIndex, null, 0);
                return Scale(4, 2) + Scale(3, 3) + (int)Sum;
            }
        }
        """;

    private readonly string _directory = Directory.CreateTempSubdirectory("bpfsharp-csharp-subprograms-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void NoInlining_methods_and_callbacks_become_subprograms_in_the_C()
    {
        var c = BpfSharp.Tests.Compiler.BpfTranslatorTests.Translate(Source).C!;
        Assert.Contains("static __attribute__((noinline)) __s32 Work_Scale(__s32 value, __s32 factor)", c);
        Assert.Contains("static __attribute__((noinline)) __s64 Work_AddIndex(__u64 index, void * context)", c);
        Assert.Contains("bpf_loop(10U, (&Work_AddIndex), ((void *)0), 0ULL)", c);
    }

    [Fact]
    public void A_callback_of_the_wrong_shape_is_a_located_CSharp_error()
    {
        // The stub's parameter is the kernel's callback type (delegate*<ulong, void*, long> for bpf_loop), so C# checks it.
        var wrong = Source.Replace("static long AddIndex(ulong index, void* context)", "static int AddIndex(uint index)");
        var compilation = BpfSharp.Tests.Infrastructure.TestCompilation.Generate(BpfSharp.Tests.Infrastructure.TestCompilation.Create(wrong)).Output;
        var error = Assert.Single(compilation.GetDiagnostics(), d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error);
        Assert.Equal("&AddIndex", error.Location.SourceTree!.GetText().ToString(error.Location.SourceSpan));
        Assert.Contains("delegate*<ulong, void*, long>", error.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    [SkippableFact]
    public void NoInlining_methods_and_callbacks_run_as_subprograms()
    {
        RunningKernel.RequireBpf();
        Skip.If(Tools.Find("clang") is null, "kernel test skipped: clang is needed (apt-get install clang)");
        using var loaded = BpfObject.Load(Tools.CompileCSharp(Source, _directory, "subprograms"));
        var program = loaded.Program("Run");

        Assert.Equal(9 + 10 + 45, program.TestRun(new byte[64]).ReturnValue); // bpf_loop ran the callback for 0..9
        Assert.Equal(9 + 10 + 90, program.TestRun(new byte[64]).ReturnValue);
        Assert.Equal(90ul, loaded.Global<ulong>("Work_Sum").Value);
    }
}
