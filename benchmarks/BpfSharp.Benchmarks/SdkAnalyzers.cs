using System;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.InteropServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace BpfSharp.Benchmarks;

/// <summary>
/// The C# analyzers the .NET SDK gives every project (Microsoft.CodeAnalysis.NetAnalyzers), from the newest SDK beside
/// the running runtime, with the rules their "default" analysis level turns off left out by the options.
/// </summary>
public static class SdkAnalyzers
{
    /// <summary>Rules the SDK's analysislevel_*_default.globalconfig sets to none.</summary>
    public static readonly ImmutableDictionary<string, ReportDiagnostic> DefaultLevelOptions =
        ImmutableDictionary<string, ReportDiagnostic>.Empty.Add("CA1516", ReportDiagnostic.Suppress);

    public static ImmutableArray<DiagnosticAnalyzer> Load()
    {
        var dotnetRoot = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
        var folder = Directory.GetDirectories(Path.Combine(dotnetRoot, "sdk"))
            .Select(sdk => (Version: Version.TryParse(Path.GetFileName(sdk).Split('-')[0], out var v) ? v : null, Analyzers: Path.Combine(sdk, "Sdks", "Microsoft.NET.Sdk", "analyzers")))
            .Where(s => s.Version != null && Directory.Exists(s.Analyzers))
            .OrderBy(s => s.Version)
            .LastOrDefault().Analyzers
            ?? throw new InvalidOperationException($"no .NET SDK with analyzers under {dotnetRoot}");
        var loader = new Loader();
        return [.. new[] { "Microsoft.CodeAnalysis.NetAnalyzers.dll", "Microsoft.CodeAnalysis.CSharp.NetAnalyzers.dll" }
            .SelectMany(file => new AnalyzerFileReference(Path.Combine(folder, file), loader).GetAnalyzers(LanguageNames.CSharp))];
    }

    private sealed class Loader : IAnalyzerAssemblyLoader
    {
        public void AddDependencyLocation(string fullPath)
        {
        }

        public Assembly LoadFromPath(string fullPath) => Assembly.LoadFrom(fullPath);
    }
}
