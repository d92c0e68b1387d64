using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.IO;
using System.Linq;
using BpfSharp.Analyzers;
using BpfSharp.Compiler;
using BpfSharp.Generators;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace BpfSharp.Benchmarks;

/// <summary>
/// BpfSharp's share of a compilation, as <c>-p:ReportAnalyzer=true</c> reports it for Csc: the large consumer (one file
/// per program class) compiled in-process the way csc does it (generators, then the SDK's default analyzers and
/// BpfSharp's, then emit), with analyzer and generator execution times logged. Three compilations per round, interleaved:
/// the baseline (the helper stubs as source, the SDK's analyzers only), BpfSharp with nothing translated before (a
/// first build: a new csc process), and BpfSharp again on the same sources (a compiler server's next build, or an
/// IDE). Medians over warm rounds.
/// </summary>
public static class ShareBenchmark
{
    public static int Run(int rounds, int programs, bool oneFile = false)
    {
        // One file, as buildshare builds it, or one file per program class, as a project would have it.
        var sources = oneFile ? [Consumers.Large(programs)] : Consumers.LargeFiles(programs);
        var helpers = Consumers.GeneratedHelpers();
        var sdk = SdkAnalyzers.Load();
        var ours = BpfSharpAnalyzers();
        var baseline = new List<double>();
        var first = new Measured(ours);
        var again = new Measured(ours);
        for (var round = 0; round < rounds + 2; round++)
        {
            var clock = Stopwatch.StartNew();
            Compile(Consumers.Compile([.. sources, helpers]), sdk, null);
            var baselineTime = clock.Elapsed.TotalMilliseconds;
            var generator = new HelperGenerator(new TranslationCache());
            var firstRun = Compile(Consumers.Compile(sources), sdk.AddRange(ours), generator);
            var againRun = Compile(Consumers.Compile(sources), sdk.AddRange(ours), generator);
            if (round >= 2)
            {
                baseline.Add(baselineTime);
                first.Add(firstRun, ours);
                again.Add(againRun, ours);
            }
        }

        Console.WriteLine($"large consumer: {programs} programs in {sources.Length} file(s), {rounds} warm rounds, medians (ms)");
        Console.WriteLine($"  baseline (helpers as source, SDK analyzers, emit): {Median(baseline):F0}");
        first.Print("first compilation (nothing translated before, as a new csc process)", Median(baseline));
        again.Print("same sources again (a compiler server's next build; an IDE after an edit outside BPF code)", Median(baseline));
        return 0;
    }

    /// <summary>
    /// The generator as an IDE runs it (one GeneratorDriver kept between edits) over the large consumer's first
    /// <paramref name="programs"/> programs: from scratch, after an edit in a file without BPF code, after an edit inside
    /// one program's body; with every output (as a command-line build runs it) and without implementation outputs (as
    /// Roslyn's IDE runs it).
    /// </summary>
    public static int RunIde(int rounds, int programs)
    {
        var sources = Consumers.LargeFiles(programs).Append("public static class Unrelated { public static int Get() { return 1; } }").ToArray();
        foreach (var disabled in new[] { IncrementalGeneratorOutputKind.None, IncrementalGeneratorOutputKind.Implementation })
        {
            var scratch = new List<double>();
            var unrelated = new List<double>();
            var inProgram = new List<double>();
            for (var round = 0; round < rounds + 2; round++)
            {
                var compilation = Consumers.Compile(sources);
                var driver = (GeneratorDriver)CSharpGeneratorDriver.Create([new HelperGenerator(new TranslationCache()).AsSourceGenerator()], driverOptions: new GeneratorDriverOptions(disabled));
                var clock = Stopwatch.StartNew();
                driver = driver.RunGenerators(compilation);
                var scratchTime = clock.Elapsed.TotalMilliseconds;

                var last = compilation.SyntaxTrees.Last();
                compilation = compilation.ReplaceSyntaxTree(last, last.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(last.GetText().ToString().Replace("return 1;", "return 2;"))));
                clock.Restart();
                driver = driver.RunGenerators(compilation);
                var unrelatedTime = clock.Elapsed.TotalMilliseconds;

                var program = compilation.SyntaxTrees.ElementAt(programs / 2);
                compilation = compilation.ReplaceSyntaxTree(program, program.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(program.GetText().ToString().Replace("uint key = 1;", "uint key = 2;"))));
                clock.Restart();
                driver.RunGenerators(compilation);
                var inProgramTime = clock.Elapsed.TotalMilliseconds;
                if (round >= 2)
                {
                    scratch.Add(scratchTime);
                    unrelated.Add(unrelatedTime);
                    inProgram.Add(inProgramTime);
                }
            }

            Console.WriteLine($"generator in a kept driver, {programs} programs, {(disabled == IncrementalGeneratorOutputKind.None ? "every output (a command-line build)" : "no implementation output (Roslyn's IDE)")}, medians (ms):");
            Console.WriteLine($"  from scratch {Median(scratch):F1}; edit outside BPF code {Median(unrelated):F1} ({100 * Median(unrelated) / Median(scratch):F1}%); edit inside one program {Median(inProgram):F1} ({100 * Median(inProgram) / Median(scratch):F1}%)");
        }

        return 0;
    }

    private sealed class Measured(ImmutableArray<DiagnosticAnalyzer> analyzers)
    {
        private readonly List<double> _total = [];
        private readonly List<double> _generator = [];
        private readonly Dictionary<string, List<double>> _analyzers = analyzers.ToDictionary(a => a.GetType().Name, _ => new List<double>());

        public void Add((double Total, double Generator, Dictionary<string, double> Analyzers) run, ImmutableArray<DiagnosticAnalyzer> ours)
        {
            _total.Add(run.Total);
            _generator.Add(run.Generator);
            foreach (var analyzer in ours)
            {
                _analyzers[analyzer.GetType().Name].Add(run.Analyzers[analyzer.GetType().Name]);
            }
        }

        public void Print(string what, double baseline)
        {
            var total = Median(_total);
            var ours = Median(_generator) + _analyzers.Values.Sum(Median);
            Console.WriteLine($"  {what}: {total:F0}, {total / baseline:F2}x the baseline");
            Console.WriteLine($"    HelperGenerator {Median(_generator):F0}; " + string.Join("; ", _analyzers.OrderByDescending(a => Median(a.Value)).Select(a => $"{a.Key} {Median(a.Value):F0}")));
            Console.WriteLine($"    BpfSharp's share as ReportAnalyzer counts it: {ours:F0} of {total:F0} = {100 * ours / total:F1}%");
        }
    }

    private static (double Total, double Generator, Dictionary<string, double> Analyzers) Compile(Compilation compilation, ImmutableArray<DiagnosticAnalyzer> analyzers, HelperGenerator? generator)
    {
        var clock = Stopwatch.StartNew();
        var generatorTime = 0.0;
        if (generator != null)
        {
            var driver = CSharpGeneratorDriver.Create(generator).RunGeneratorsAndUpdateCompilation(compilation, out compilation, out _);
            generatorTime = driver.GetTimingInfo().ElapsedTime.TotalMilliseconds;
        }

        var withAnalyzers = compilation.WithAnalyzers(analyzers, new CompilationWithAnalyzersOptions(new AnalyzerOptions([]), null, concurrentAnalysis: true, logAnalyzerExecutionTime: true));
        var diagnostics = withAnalyzers.GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult();
        using (var stream = new MemoryStream())
        {
            if (!compilation.Emit(stream).Success)
            {
                throw new InvalidOperationException("the consumer does not compile");
            }
        }

        var total = clock.Elapsed.TotalMilliseconds;
        if (diagnostics.FirstOrDefault(d => d.Id.StartsWith("BPF", StringComparison.Ordinal) && d.Severity == DiagnosticSeverity.Error) is Diagnostic error)
        {
            throw new InvalidOperationException("the consumer has BPF errors: " + error);
        }

        var times = analyzers.Where(a => a.GetType().Assembly == typeof(HelperUsageAnalyzer).Assembly)
            .ToDictionary(a => a.GetType().Name, a => withAnalyzers.GetAnalyzerTelemetryInfoAsync(a, default).GetAwaiter().GetResult().ExecutionTime.TotalMilliseconds);
        return (total, generatorTime, times);
    }

    private static ImmutableArray<DiagnosticAnalyzer> BpfSharpAnalyzers() =>
        [.. typeof(HelperUsageAnalyzer).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && typeof(DiagnosticAnalyzer).IsAssignableFrom(t) && t.GetConstructor(Type.EmptyTypes) != null)
            .OrderBy(t => t.Name, StringComparer.Ordinal)
            .Select(t => (DiagnosticAnalyzer)Activator.CreateInstance(t)!)];

    private static double Median(List<double> values)
    {
        var sorted = values.OrderBy(v => v).ToList();
        return sorted.Count == 0 ? 0 : sorted[sorted.Count / 2];
    }
}
