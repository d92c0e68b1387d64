using System.Collections.Immutable;
using System.Linq;
using System.Threading.Tasks;
using BpfSharp.Analyzers;
using BpfSharp.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit;

namespace BpfSharp.Tests.Compiler;

/// <summary>Code the C# compiler refuses gets its error only: no BPF2xxx repeats it, and real BPF problems beside it still show.</summary>
public class FollowOnDiagnosticsTests
{
    [Fact]
    public async Task A_plain_CSharp_error_gets_no_BPF_diagnostic_and_a_real_BPF_problem_beside_it_still_does()
    {
        const string source = """
            using BpfSharp;
            [assembly: BpfLicense("GPL")]
            public static unsafe class P
            {
                [BpfProgram("xdp")]
                public static int Run(void* ctx)
                {
                    int y = Undefined + 1;
                    Missing(y);
                    Unknown z = default;
                    var w = BpfHelpers.KtimeGetNs("no");
                    long v = Undefined2.Field;
                    int u = (int)UnknownMethod(1, 2) + y.Nope;
                    object o = new object();
                    return y;
                }
            }
            """;
        var compilation = TestCompilation.Create(source, TestCompilation.ShippedHelpersSource);
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToArray();
        Assert.Equal(7, errors.Length);

        var analyzers = compilation.WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(new BpfCompilabilityAnalyzer(), new HelperUsageAnalyzer()));
        var bpf = (await analyzers.GetAnalyzerDiagnosticsAsync()).Where(d => d.Id.StartsWith("BPF", System.StringComparison.Ordinal)).ToArray();

        // Only the allocation on line 14 (object and new object()): nothing on the lines the C# compiler refused.
        Assert.Equal(["BPF2001", "BPF2002"], bpf.Select(d => d.Id).Order().ToArray());
        Assert.All(bpf, d => Assert.Equal(13, d.Location.GetLineSpan().StartLinePosition.Line));
    }
}
