using System.Collections.Immutable;
using System.IO;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using BpfSharp.Analyzers;
using BpfSharp.Generators;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace BpfSharp.Benchmarks;

/// <summary>
/// A large consumer (500 programs, 10,000 helper calls, call chains three deep) compiled to IL: once as plain C# with
/// the helper stubs already in source (baseline), once with BpfSharp's generator and analyzers running. The ratio of
/// the two is BpfSharp's overhead on that compilation.
/// </summary>
[MemoryDiagnoser]
public class AnalyzerBenchmarks
{
    private static readonly ImmutableArray<DiagnosticAnalyzer> Analyzers =
        [new HelperUsageAnalyzer(), new ProgramDeclarationAnalyzer(), new SpecPageAnalyzer()];

    private string _consumer = null!;
    private string _helpers = null!;

    [GlobalSetup]
    public void Setup()
    {
        _consumer = Consumers.Large();
        _helpers = Consumers.GeneratedHelpers();
    }

    [Benchmark(Baseline = true, Description = "compile, helpers already in source, no BpfSharp")]
    public bool CompileOnly()
    {
        using var stream = new MemoryStream();
        return Consumers.Compile(_consumer, _helpers).Emit(stream).Success;
    }

    [Benchmark(Description = "compile with BpfSharp generator + analyzers")]
    public async Task<int> CompileWithBpfSharp()
    {
        var compilation = Consumers.Compile(_consumer);
        CSharpGeneratorDriver.Create(new HelperGenerator()).RunGeneratorsAndUpdateCompilation(compilation, out var generated, out _);
        var diagnostics = await generated.WithAnalyzers(Analyzers).GetAnalyzerDiagnosticsAsync();
        using var stream = new MemoryStream();
        generated.Emit(stream);
        return diagnostics.Length;
    }
}
