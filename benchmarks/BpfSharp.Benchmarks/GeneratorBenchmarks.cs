using System.Linq;
using BenchmarkDotNet.Attributes;
using BpfSharp.Spec;
using BpfSharp.Generators;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace BpfSharp.Benchmarks;

/// <summary>
/// The generator on the full spec: generation from scratch (parse the 211 shipped pages, render them all: what the
/// prerender tool does when the generator is built), a run with a fresh driver without user pages (that prerendered
/// output), the same with one user page (parse it, merge, Scriban render of all 212 helpers), and the incremental run
/// after an unrelated edit.
/// </summary>
[MemoryDiagnoser]
public class GeneratorBenchmarks
{
    private CSharpCompilation _compilation = null!;
    private CSharpCompilation _edited = null!;
    private GeneratorDriver _warmDriver = null!;
    private bool _flip;

    private (string Path, string Text)[] _shippedPages = [];

    [GlobalSetup]
    public void Setup()
    {
        _shippedPages = [.. ShippedSpec.PageTexts()];
        _compilation = Consumers.Compile("class A { }", "class B { }");
        _edited = (CSharpCompilation)_compilation.ReplaceSyntaxTree(_compilation.SyntaxTrees[1], CSharpSyntaxTree.ParseText("class B { int x; }", Consumers.ParseOptions, path: "File1.cs"));
        _warmDriver = CSharpGeneratorDriver.Create(new HelperGenerator()).RunGenerators(_compilation);
    }

    [Benchmark(Description = "from scratch: parse the 211 shipped pages, render them")]
    public string FromScratch() =>
        HelperEmitter.Emit(HelperSpecMerger.Merge(_shippedPages.Select(p => HelperPageParser.Parse(p.Path, p.Text).Helper!), []));

    [Benchmark(Description = "new driver, no user page (211 helpers)")]
    public GeneratorDriverRunResult ShippedSpecOnly() =>
        CSharpGeneratorDriver.Create(new HelperGenerator()).RunGenerators(_compilation).GetRunResult();

    [Benchmark(Description = "new driver, one user page (parse + Scriban render, 212 helpers)")]
    public GeneratorDriverRunResult WithUserPage() =>
        CSharpGeneratorDriver.Create([new HelperGenerator().AsSourceGenerator()], [UserPage]).RunGenerators(_compilation).GetRunResult();

    private static readonly AdditionalText UserPage = new PageText("pages/bpf_custom.md", """
        # Helper function `bpf_custom`

        <!-- [HELPER_FUNC_DEF] -->
        Does custom things.

        ### Returns

        Zero.

        `#!c static long (* const bpf_custom)(__u64 flags) = (void *) 9001;`
        <!-- [/HELPER_FUNC_DEF] -->

        ### Program types

        <!-- [HELPER_FUNC_PROG_REF] -->
         * [`BPF_PROG_TYPE_XDP`](../program-type/BPF_PROG_TYPE_XDP.md)
        <!-- [/HELPER_FUNC_PROG_REF] -->
        """);

    private sealed class PageText(string path, string text) : AdditionalText
    {
        public override string Path { get; } = path;

        public override Microsoft.CodeAnalysis.Text.SourceText GetText(System.Threading.CancellationToken cancellationToken = default) =>
            Microsoft.CodeAnalysis.Text.SourceText.From(text);
    }

    [Benchmark(Description = "incremental run after an unrelated edit")]
    public GeneratorDriver IncrementalNoOp()
    {
        _flip = !_flip;
        _warmDriver = _warmDriver.RunGenerators(_flip ? _edited : _compilation);
        return _warmDriver;
    }
}
