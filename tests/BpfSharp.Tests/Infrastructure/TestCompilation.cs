using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using BpfSharp.Generators;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;

namespace BpfSharp.Tests.Infrastructure;

/// <summary>In-memory compilations against .NET 8 reference assemblies and the BpfSharp runtime, with the generator run on them.</summary>
public static class TestCompilation
{
    public static readonly MetadataReference Runtime = MetadataReference.CreateFromFile(typeof(BpfMap).Assembly.Location);

    public static CSharpCompilation Create(params string[] sources) =>
        CSharpCompilation.Create(
            "Consumer",
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, new CSharpParseOptions(LanguageVersion.Latest), path: $"Source{i}.cs")),
            Basic.Reference.Assemblies.Net80.References.All.Cast<MetadataReference>().Append(Runtime),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true, nullableContextOptions: NullableContextOptions.Enable, generalDiagnosticOption: ReportDiagnostic.Error));

    public static GeneratorDriver CreateDriver(IEnumerable<AdditionalText>? additionalTexts = null) =>
        CSharpGeneratorDriver.Create(
            new[] { new HelperGenerator().AsSourceGenerator() },
            additionalTexts,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Runs the generator; returns the generated helper source and the compilation that includes it.</summary>
    public static (string Source, Compilation Output, ImmutableArray<Diagnostic> GeneratorDiagnostics) Generate(CSharpCompilation compilation, params AdditionalText[] additionalTexts)
    {
        var driver = CreateDriver(additionalTexts).RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);
        var result = driver.GetRunResult().Results.Single();
        if (result.Exception != null)
        {
            throw new InvalidOperationException("The generator threw", result.Exception);
        }

        var source = result.GeneratedSources.Single(s => s.HintName == HelperGenerator.HintName).SourceText.ToString();
        return (source, output, diagnostics);
    }

    /// <summary>Emits the compilation and loads it into this process, so tests can run what users compile.</summary>
    public static System.Reflection.Assembly Load(Compilation compilation)
    {
        using var image = new System.IO.MemoryStream();
        var emitted = compilation.Emit(image);
        Xunit.Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
        return System.Reflection.Assembly.Load(image.ToArray());
    }

    /// <summary>The BpfHelpers source generated from the shipped spec alone.</summary>
    public static string ShippedHelpersSource => s_shipped.Value;

    private static readonly Lazy<string> s_shipped = new(() => Generate(Create()).Source, LazyThreadSafetyMode.ExecutionAndPublication);
}

/// <summary>An AdditionalFiles item held in memory.</summary>
public sealed class InMemoryAdditionalText(string path, string text) : AdditionalText
{
    public override string Path { get; } = path;

    public override SourceText GetText(CancellationToken cancellationToken = default) => SourceText.From(text);
}
