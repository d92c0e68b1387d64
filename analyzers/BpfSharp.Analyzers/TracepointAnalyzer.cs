using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using BpfSharp.Spec;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace BpfSharp.Analyzers
{
    /// <summary>BPF0014: a tracepoint program whose tracepoint is neither among the shipped Linux 6.18 layouts nor in the project's tracepoints.tsv.</summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class TracepointAnalyzer : DiagnosticAnalyzer
    {
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.UnknownTracepoint);

        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterCompilationStartAction(start =>
            {
                var symbols = BpfSymbols.Create(start.Compilation);
                if (symbols is null)
                {
                    return;
                }

                // The project's own layouts (bpfsharp tracepoints), read only when a tracepoint program needs them.
                var own = new Lazy<HashSet<string>>(() => new HashSet<string>(
                    start.Options.AdditionalFiles.Where(f => TracepointFormats.IsLayoutTable(f.Path))
                        .SelectMany(f => TracepointFormats.ReadTable(f.GetText(start.CancellationToken)?.ToString() ?? string.Empty))
                        .Select(f => f.Key),
                    StringComparer.Ordinal));
                start.RegisterSymbolAction(symbol => AnalyzeMethod(symbol, symbols, own), SymbolKind.Method);
            });
        }

        private static void AnalyzeMethod(SymbolAnalysisContext context, BpfSymbols symbols, Lazy<HashSet<string>> own)
        {
            foreach (var attribute in symbols.GetProgramAttributes(context.Symbol))
            {
                if (attribute.ConstructorArguments.Length != 1 || !(attribute.ConstructorArguments[0].Value is string section)
                    || !(TracepointFormats.TracepointOf(section) is string key) || TracepointFormats.Shipped.ContainsKey(key) || own.Value.Contains(key))
                {
                    continue;
                }

                var where = own.Value.Count > 0 ? "the Linux 6.18 tracepoints or this project's tracepoints.tsv" : "the Linux 6.18 tracepoints (for another kernel's, add the tracepoints.tsv that 'bpfsharp tracepoints' writes there as an AdditionalFiles item)";
                var nearest = Nearest(key, own.Value.Concat(TracepointFormats.Shipped.Keys));
                var location = attribute.ApplicationSyntaxReference?.GetSyntax(context.CancellationToken).GetLocation() ?? context.Symbol.Locations.FirstOrDefault();
                context.ReportDiagnostic(Diagnostic.Create(Descriptors.UnknownTracepoint, location, key, where, nearest is null ? string.Empty : $"; did you mean '{nearest}'?"));
            }
        }

        // The closest known name within a few edits (ties to the first in ordinal order), for a misspelt one.
        private static string? Nearest(string key, IEnumerable<string> known)
        {
            var limit = Math.Max(2, key.Length / 5);
            string? best = null;
            var bestDistance = limit + 1;
            foreach (var candidate in known)
            {
                if (Math.Abs(candidate.Length - key.Length) > limit)
                {
                    continue;
                }

                var distance = Distance(key, candidate, limit + 1);
                if (distance < bestDistance || (distance == bestDistance && best != null && string.CompareOrdinal(candidate, best) < 0))
                {
                    (best, bestDistance) = (candidate, distance);
                }
            }

            return best;
        }

        // Levenshtein distance, giving up (returning the limit) once every path exceeds it.
        private static int Distance(string a, string b, int limit)
        {
            var previous = new int[b.Length + 1];
            var current = new int[b.Length + 1];
            for (var j = 0; j <= b.Length; j++)
            {
                previous[j] = j;
            }

            for (var i = 1; i <= a.Length; i++)
            {
                current[0] = i;
                var rowMinimum = current[0];
                for (var j = 1; j <= b.Length; j++)
                {
                    current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
                    rowMinimum = Math.Min(rowMinimum, current[j]);
                }

                if (rowMinimum >= limit)
                {
                    return limit;
                }

                (previous, current) = (current, previous);
            }

            return previous[b.Length];
        }
    }
}
