using BenchmarkDotNet.Attributes;
using BpfSharp.Generators;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace BpfSharp.Benchmarks;

/// <summary>The generator on the full spec: a full run with a fresh driver, and the incremental no-op after an unrelated edit.</summary>
[MemoryDiagnoser]
public class GeneratorBenchmarks
{
    private CSharpCompilation _compilation = null!;
    private CSharpCompilation _edited = null!;
    private GeneratorDriver _warmDriver = null!;
    private bool _flip;

    [GlobalSetup]
    public void Setup()
    {
        _compilation = Consumers.Compile("class A { }", "class B { }");
        _edited = (CSharpCompilation)_compilation.ReplaceSyntaxTree(_compilation.SyntaxTrees[1], CSharpSyntaxTree.ParseText("class B { int x; }", Consumers.ParseOptions, path: "File1.cs"));
        _warmDriver = CSharpGeneratorDriver.Create(new HelperGenerator()).RunGenerators(_compilation);
    }

    [Benchmark(Description = "full generation, new driver (211 helpers)")]
    public GeneratorDriverRunResult FullGeneration() =>
        CSharpGeneratorDriver.Create(new HelperGenerator()).RunGenerators(_compilation).GetRunResult();

    [Benchmark(Description = "incremental run after an unrelated edit")]
    public GeneratorDriver IncrementalNoOp()
    {
        _flip = !_flip;
        _warmDriver = _warmDriver.RunGenerators(_flip ? _edited : _compilation);
        return _warmDriver;
    }
}
