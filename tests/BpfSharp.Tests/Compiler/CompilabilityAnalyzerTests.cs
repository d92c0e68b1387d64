using System.Threading.Tasks;
using BpfSharp.Analyzers;
using Xunit;
using CompilerVerifier = BpfSharp.Tests.Infrastructure.AnalyzerVerifier<BpfSharp.Analyzers.BpfCompilabilityAnalyzer>;

namespace BpfSharp.Tests.Compiler;

/// <summary>BPF2xxx from the analyzer: a program's own body per method (as the IDE analyses it), its callees with the whole compilation, each once.</summary>
public class CompilabilityAnalyzerTests
{
    [Fact]
    public Task What_cannot_run_in_the_kernel_is_reported_in_the_program_and_in_what_it_calls() =>
        CompilerVerifier.VerifyAsync("""
            using BpfSharp;
            [assembly: BpfLicense("GPL")]
            public static unsafe class Programs
            {
                [BpfProgram("xdp")]
                public static int Run(void* ctx)
                {
                    object {|#0:box = null|};
                    return Helper(1);
                }

                static int Helper(int x)
                {
                    if (x > 1) {|#1:throw new System.InvalidOperationException();|}
                    return 2;
                }

                public static int NotAProgram() => (int)new object().GetHashCode();
            }
            """,
            CompilerVerifier.Diagnostic("BPF2002").WithLocation(0).WithArguments("'object' is a reference type, which BPF programs cannot use: only integers, bool, enums, pointers and blittable structs"),
            CompilerVerifier.Diagnostic("BPF2001").WithLocation(1).WithArguments("'throw' (exceptions) cannot run in a BPF program"));

    [Fact]
    public Task A_clean_program_gets_nothing() =>
        CompilerVerifier.VerifyAsync(System.IO.File.ReadAllText(System.IO.Path.Combine(Infrastructure.RepoPaths.Root, "tests", "Programs", "TcClassifier.cs")));
}
