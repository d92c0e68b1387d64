using System;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Linq;
using BpfSharp.Analyzers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace BpfSharp.Benchmarks;

/// <summary>
/// One of BpfSharp's analyzers run alone, again and again, on the large consumer (bound first, so that the time is the
/// analyzer's): a steady loop to put under <c>perf</c> (DOTNET_PerfMapEnabled=1), and how many compilations it takes
/// to reach its steady time.
/// </summary>
public static class AnalyzerLoop
{
    public static int Run(int rounds, string which)
    {
        var source = Consumers.Large();
        var helpers = Consumers.GeneratedHelpers();
        DiagnosticAnalyzer analyzer = which == "compilability" ? new BpfCompilabilityAnalyzer() : new HelperUsageAnalyzer();
        for (var i = 0; i < rounds; i++)
        {
            var compilation = Consumers.Compile(source, helpers);
            compilation.GetDiagnostics(); // bind first: the analyzer's own time only
            var clock = Stopwatch.StartNew();
            var with = compilation.WithAnalyzers([analyzer], new CompilationWithAnalyzersOptions(new AnalyzerOptions([]), null, concurrentAnalysis: false, logAnalyzerExecutionTime: true));
            var diagnostics = with.GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult();
            var time = with.GetAnalyzerTelemetryInfoAsync(analyzer, default).GetAwaiter().GetResult().ExecutionTime.TotalMilliseconds;
            Console.WriteLine($"{clock.Elapsed.TotalMilliseconds:F0} ms wall, analyzer {time:F0} ms, {diagnostics.Length} diagnostics");
        }
        return 0;
    }
}
