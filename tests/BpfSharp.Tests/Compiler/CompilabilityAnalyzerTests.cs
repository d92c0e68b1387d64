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
    public Task What_would_throw_in_the_new_constructs_is_reported_where_it_is_written() =>
        CompilerVerifier.VerifyAsync("""
            using BpfSharp;
            [assembly: BpfLicense("GPL")]
            public static unsafe class Programs
            {
                static byte[] Table = new byte[4];

                [BpfProgram("xdp")]
                public static int Run(XdpMd* ctx)
                {
                    int x = (int)ctx->IngressIfindex;
                    int kind = {|#0:x switch { 1 => 2, 2 => 3 }|};
                    return kind + {|#1:Table[x]|} + Table[x & 3];
                }
            }
            """,
            CompilerVerifier.Diagnostic("BPF2008").WithLocation(0).WithArguments("'x switch { 1 => 2, 2 => 3 }' has no '_ =>' arm: C# throws SwitchExpressionException for a value no arm matches, and a BPF program cannot throw"),
            CompilerVerifier.Diagnostic("BPF2008").WithLocation(1).WithArguments("'Table[x]' throws in C# when the index is outside 0..3, which a BPF program cannot: index with a constant in range or a masked value ('i & 3'), or take 'fixed (T* p = Table)' and check the index"));

    [Fact]
    public Task A_clean_program_gets_nothing() =>
        CompilerVerifier.VerifyAsync(System.IO.File.ReadAllText(System.IO.Path.Combine(Infrastructure.RepoPaths.Root, "tests", "Programs", "TcClassifier.cs")));

    [Fact]
    public Task Names_the_object_cannot_carry_are_reported_once_at_the_declaration() =>
        CompilerVerifier.VerifyAsync("""
            using BpfSharp;
            public static unsafe class A
            {
                [BpfProgram("xdp")]
                public static int Run(void* ctx) => 2;

                [BpfProgram("xdp")]
                public static int {|#0:CountEveryPacketSeen|}(void* ctx) => 2;
            }

            public static unsafe class B
            {
                [BpfProgram("xdp")]
                public static int {|#1:Run|}(void* ctx) => 2;
            }
            """,
            CompilerVerifier.Diagnostic("BPF2006").WithSeverity(Microsoft.CodeAnalysis.DiagnosticSeverity.Warning).WithLocation(0).WithArguments("program name 'CountEveryPacketSeen' has 20 characters: the kernel keeps 15 ('CountEveryPacke'), which is what bpftool and the kernel's tables will show"),
            CompilerVerifier.Diagnostic("BPF2005").WithLocation(1).WithArguments("program name 'Run' is taken by A.Run(void*): programs and maps are named after their C# members, and one object cannot hold two of one name"));
}
