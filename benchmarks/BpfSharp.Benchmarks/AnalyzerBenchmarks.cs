using System.Collections.Immutable;
using System.IO;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BpfSharp.Analyzers;
using BpfSharp.Generators;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace BpfSharp.Benchmarks;

/// <summary>
/// A large consumer (500 programs, 10,000 helper calls, call chains three deep) analysed and compiled to IL, in two
/// settings, each with its own baseline:
/// <list type="bullet">
/// <item>"bare": no analyzer at all; the baseline has the helper stubs already in source. The ratio is BpfSharp's
/// cost against a compiler that binds nothing but what it emits, the worst case.</item>
/// <item>"like dotnet build": the .NET SDK's default analyzers (as every project gets them) run in both; BpfSharp adds
/// its generator and analyzers. The ratio is what BpfSharp adds to a real build's compilation.</item>
/// </list>
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class AnalyzerBenchmarks
{
    private static readonly ImmutableArray<DiagnosticAnalyzer> BpfSharpAnalyzers =
        [new HelperUsageAnalyzer(), new ProgramDeclarationAnalyzer(), new SpecPageAnalyzer()];

    private string _consumer = null!;
    private string _helpers = null!;
    private ImmutableArray<DiagnosticAnalyzer> _sdkAnalyzers;

    [GlobalSetup]
    public void Setup()
    {
        _consumer = Consumers.Large();
        _helpers = Consumers.GeneratedHelpers();
        _sdkAnalyzers = SdkAnalyzers.Load();
    }

    [Benchmark(Baseline = true, Description = "helpers in source, no analyzer")]
    [BenchmarkCategory("bare")]
    public Task<int> Bare() => AnalyzeAndEmit(Consumers.Compile(_consumer, _helpers), []);

    [Benchmark(Description = "BpfSharp generator + analyzers")]
    [BenchmarkCategory("bare")]
    public Task<int> BareWithBpfSharp() => AnalyzeAndEmit(Generate(Consumers.Compile(_consumer)), BpfSharpAnalyzers);

    [Benchmark(Baseline = true, Description = "helpers in source, SDK analyzers")]
    [BenchmarkCategory("like dotnet build")]
    public Task<int> Sdk() => AnalyzeAndEmit(Consumers.Compile(_consumer, _helpers), _sdkAnalyzers);

    [Benchmark(Description = "SDK analyzers + BpfSharp generator + analyzers")]
    [BenchmarkCategory("like dotnet build")]
    public Task<int> SdkWithBpfSharp() => AnalyzeAndEmit(Generate(Consumers.Compile(_consumer)), _sdkAnalyzers.AddRange(BpfSharpAnalyzers));

    private static Compilation Generate(Compilation compilation)
    {
        CSharpGeneratorDriver.Create(new HelperGenerator()).RunGeneratorsAndUpdateCompilation(compilation, out var generated, out _);
        return generated;
    }

    // What the command-line compiler does: analyzer diagnostics, then emit.
    private static async Task<int> AnalyzeAndEmit(Compilation compilation, ImmutableArray<DiagnosticAnalyzer> analyzers)
    {
        var diagnostics = analyzers.IsEmpty ? [] : await compilation.WithAnalyzers(analyzers).GetAnalyzerDiagnosticsAsync();
        using var stream = new MemoryStream();
        return compilation.Emit(stream).Success ? diagnostics.Length : -1;
    }
}
