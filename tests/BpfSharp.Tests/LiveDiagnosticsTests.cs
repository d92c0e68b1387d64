using System.Collections.Immutable;
using System.Linq;
using System.Threading.Tasks;
using BpfSharp.Analyzers;
using BpfSharp.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit;

namespace BpfSharp.Tests;

/// <summary>
/// What an IDE with default settings shows while a file is typed: the analysis of that file alone (no compilation-end
/// action runs then). A helper a program reaches through calls in another file is reported there, at the call.
/// </summary>
public class LiveDiagnosticsTests
{
    private const string ProgramFile = """
        using BpfSharp;
        [assembly: BpfLicense("GPL")]
        public static unsafe class Programs
        {
            [BpfProgram("xdp")]
            public static int Run(void* ctx) => Steps.First(ctx);
        }
        """;

    private const string StepsFile = """
        using BpfSharp;
        public static unsafe class Steps
        {
            public static int First(void* ctx) => Second(ctx);
            static int Second(void* ctx) { return (int)BpfHelpers.GetStackid(ctx, null!, 0); }
        }
        """;

    [Fact]
    public async Task A_helper_reached_through_calls_in_another_file_is_reported_in_that_files_analysis()
    {
        var compilation = TestCompilation.Create(ProgramFile, StepsFile, TestCompilation.ShippedHelpersSource);
        var analyzers = compilation.WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(new HelperUsageAnalyzer()));
        var steps = compilation.SyntaxTrees.ElementAt(1);

        var diagnostics = await analyzers.GetAnalyzerSemanticDiagnosticsAsync(compilation.GetSemanticModel(steps), null, default);

        var reported = Assert.Single(diagnostics, d => d.Id == DiagnosticIds.HelperNotAllowedInProgramType);
        Assert.Equal(steps, reported.Location.SourceTree);
        Assert.Equal(4, reported.Location.GetLineSpan().StartLinePosition.Line);
        Assert.Contains("'Run' (through Run -> First -> Second) is a program of type XDP", reported.GetMessage());
    }

    // Same-named private methods in many classes, a public step reached from two programs, a method passed as a
    // delegate, and mentions in a comment and a string: each file's own analysis names exactly the programs that reach it.
    [Fact]
    public async Task Each_files_analysis_names_the_programs_that_reach_it_and_no_others()
    {
        const string xdp = """
            using BpfSharp;
            [assembly: BpfLicense("GPL")]
            public static unsafe class XdpProgram
            {
                [BpfProgram("xdp")]
                public static int Run(void* ctx) => Step(ctx);
                static int Step(void* ctx) => Shared.Count(ctx); // Later(ctx) is not called
            }
            """;
        const string kprobe = """
            using BpfSharp;
            public static unsafe class KprobeProgram
            {
                [BpfProgram("kprobe/do_unlinkat")]
                public static int Run(void* ctx) => Step(ctx);
                static int Step(void* ctx) { System.Func<long> later = Shared.Later; return (int)later() + Shared.Count(ctx); }
            }
            """;
        const string shared = """
            using BpfSharp;
            public static unsafe class Shared
            {
                public static int Count(void* ctx) => (int)BpfHelpers.GetStackid(ctx, null!, 0);
                public static long Later() { string s = "Step(ctx)"; return BpfHelpers.XdpAdjustHead(null, 0); }
                static int Step(void* ctx) => (int)BpfHelpers.GetStackid(ctx, null!, 0);
            }
            """;
        var compilation = TestCompilation.Create(xdp, kprobe, shared, TestCompilation.ShippedHelpersSource);
        var analyzers = compilation.WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(new HelperUsageAnalyzer()));
        var tree = compilation.SyntaxTrees.ElementAt(2);

        var diagnostics = await analyzers.GetAnalyzerSemanticDiagnosticsAsync(compilation.GetSemanticModel(tree), null, default);

        var notAllowed = diagnostics.Where(d => d.Id == DiagnosticIds.HelperNotAllowedInProgramType).ToArray();
        // Count reaches GetStackid from the XDP program only (kprobes may call it); Shared.Step is reached by no program.
        var count = Assert.Single(notAllowed, d => d.Location.GetLineSpan().StartLinePosition.Line == 3);
        Assert.Contains("'Run' (through Run -> Step -> Count) is a program of type XDP", count.GetMessage());
        Assert.DoesNotContain(notAllowed, d => d.Location.GetLineSpan().StartLinePosition.Line == 5);
        // Later is passed as a delegate by the kprobe program only (the XDP program's comment does not call it).
        var later = Assert.Single(notAllowed, d => d.Location.GetLineSpan().StartLinePosition.Line == 4);
        Assert.Contains("'Run' (through Run -> Step -> Later) is a program of type KPROBE", later.GetMessage());
        Assert.Equal(2, notAllowed.Length);
    }
}
