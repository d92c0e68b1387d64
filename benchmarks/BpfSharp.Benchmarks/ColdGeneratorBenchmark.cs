using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using BpfSharp.Compiler;
using BpfSharp.Generators;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace BpfSharp.Benchmarks;

/// <summary>
/// Where a new compiler process's generator time goes when the previous build's units are there (as in a build without
/// the compiler server): each phase of what the generator does, timed in a fresh process, so the JIT's first calls count
/// as they do in csc. One process writes the units; each of the next ones reads them and times the phases.
/// </summary>
public static class ColdGeneratorBenchmark
{
    public static int Run(int rounds)
    {
        var units = Path.Combine(Path.GetTempPath(), "bpfsharp-cold-units-" + Guid.NewGuid().ToString("N"));
        try
        {
            Self("coldgen-write", units);
            Console.WriteLine($"large consumer (500 programs), a new process per round, the previous build's units ({new FileInfo(units).Length / 1024} KiB) given; ms per phase:");
            for (var i = 0; i < rounds; i++)
            {
                Console.WriteLine("  " + Self("coldgen-measure", units).Trim());
            }

            return 0;
        }
        finally
        {
            File.Delete(units);
        }
    }

    private static string Self(string mode, string units)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!, [typeof(ColdGeneratorBenchmark).Assembly.Location, mode, units]) { RedirectStandardOutput = true };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) != "dotnet")
        {
            start = new ProcessStartInfo(Environment.ProcessPath!, [mode, units]) { RedirectStandardOutput = true };
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0 ? output : throw new InvalidOperationException(mode + " failed: " + output);
    }

    /// <summary>Translates the consumer and writes the units the build step would write.</summary>
    public static int Write(string path)
    {
        var (compilation, _) = Compilation();
        var cache = new TranslationCache();
        var context = cache.Context(compilation, "/project", default);
        BpfTranslator.Translate(compilation, context, default);
        File.WriteAllText(path, cache.Export(context));
        return 0;
    }

    /// <summary>One cold run: each phase of the generator's work, in order.</summary>
    public static int Measure(string path)
    {
        var clock = Stopwatch.StartNew();
        var (compilation, parse) = Compilation();
        var made = clock.Elapsed.TotalMilliseconds;
        var cache = new TranslationCache();
        TranslationContext? context = null;
        TranslationResult? result = null;
        string? exported = null;
        string? source = null;
        (string Name, Action Run)[] phases =
        [
            // What the compiler does for itself whoever asks first: references bound, the attribute type looked up.
            ("references", () => { foreach (var reference in compilation.References) compilation.GetAssemblyOrModuleSymbol(reference); }),
            ("lookup", () => compilation.GetTypeByMetadataName("BpfSharp.BpfProgramAttribute")),
            ("declarations", () => compilation.GetDeclarationDiagnostics()),
            ("summaries", () => { foreach (var tree in compilation.SyntaxTrees.Where(t => t.FilePath != TranslationCache.HelpersFileName)) TreeSummary.Of(tree, default); }),
            ("context", () => context = cache.Context(compilation, "/project", default)),
            ("import", () => { if (!cache.Import(context!, File.ReadAllText(path))) throw new InvalidOperationException("units not taken"); }),
            ("translate", () => result = BpfTranslator.Translate(compilation, context!, default)),
            ("export", () => exported = cache.Export(context!)),
            ("format", () => source = BpfObjectSource.Source(BpfObjectSource.BeginMarker + "\n" + result!.C + BpfObjectSource.EndMarker) + BpfObjectSource.UnitsSource(exported!)),
            ("parse", () => CSharpSyntaxTree.ParseText(source!, Consumers.ParseOptions).GetRoot()),
        ];
        var line = $"compilation {made:F0} (helpers parse {parse:F0})";
        foreach (var (name, run) in phases)
        {
            var before = clock.Elapsed.TotalMilliseconds;
            run();
            line += $", {name} {clock.Elapsed.TotalMilliseconds - before:F0}";
        }

        Console.WriteLine(line + $"; translations {cache.Translations}");
        return 0;
    }

    private static (CSharpCompilation Compilation, double HelpersParse) Compilation()
    {
        var clock = Stopwatch.StartNew();
        var helpers = CSharpSyntaxTree.ParseText(HelperGenerator.ShippedOutput, Consumers.ParseOptions, TranslationCache.HelpersFileName);
        var parse = clock.Elapsed.TotalMilliseconds;
        var trees = Consumers.LargeFiles().Select((text, i) => CSharpSyntaxTree.ParseText(text, Consumers.ParseOptions, "/project/Program" + i + ".cs")).Append(helpers);
        var compilation = CSharpCompilation.Create("Large", trees, Consumers.References, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true));
        return (compilation, parse);
    }
}
