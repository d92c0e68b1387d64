using System;
using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Linq;

using BpfSharp.Spec;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace BpfSharp.Analyzers
{
    /// <summary>
    /// BPF1xxx: problems in the helper pages a project adds as AdditionalFiles, at the page's file and line: what the
    /// parser finds in each page, then helpers defined twice and ids that two helpers claim.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class SpecPageAnalyzer : DiagnosticAnalyzer
    {
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = Descriptors.SpecProblems.Values.OrderBy(d => d.Id, StringComparer.Ordinal).ToImmutableArray();

        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterCompilationStartAction(start =>
            {
                var pages = new ConcurrentBag<(AdditionalText File, SourceText Text, HelperSpec Helper)>();
                start.RegisterAdditionalFileAction(file =>
                {
                    if (!HelperPageParser.IsPageFileName(file.AdditionalFile.Path) || file.AdditionalFile.GetText(file.CancellationToken) is not SourceText text)
                    {
                        return;
                    }

                    var content = text.ToString();
                    if (!HelperPageParser.LooksLikeHelperPage(content))
                    {
                        return;
                    }

                    var result = HelperPageParser.Parse(file.AdditionalFile.Path, content);
                    foreach (var problem in result.Diagnostics)
                    {
                        file.ReportDiagnostic(Diagnostic.Create(Descriptors.SpecProblems[problem.Id], At(file.AdditionalFile.Path, text, problem.Line), problem.Message));
                    }

                    if (result.Helper != null)
                    {
                        pages.Add((file.AdditionalFile, text, result.Helper));
                    }
                });
                start.RegisterCompilationEndAction(end => ReportClashes(end, pages.ToArray()));
            });
        }

        // The generator keeps the first page of a helper by path; the later ones are the duplicates.
        private static void ReportClashes(CompilationAnalysisContext context, (AdditionalText File, SourceText Text, HelperSpec Helper)[] pages)
        {
            if (pages.Length == 0)
            {
                return; // nothing can clash, and the shipped spec is not worth parsing for nothing
            }

            var ordered = pages.OrderBy(p => p.File.Path, StringComparer.Ordinal).ToArray();
            var used = ordered.GroupBy(p => p.Helper.Name, StringComparer.Ordinal).Select(g => g.First()).ToArray();
            foreach (var page in ordered.Except(used))
            {
                var first = used.First(u => u.Helper.Name == page.Helper.Name);
                context.ReportDiagnostic(Diagnostic.Create(
                    Descriptors.SpecDuplicateHelper,
                    At(page.File.Path, page.Text, page.Helper.HeadingLine),
                    $"'{page.Helper.Name}' is already defined by {first.File.Path}; this page is ignored"));
            }

            // Every helper the build ends up with: shipped ones not overridden, plus the user's pages.
            var overridden = used.Select(u => u.Helper.Name).ToImmutableHashSet(StringComparer.Ordinal);
            var all = ShippedSpec.Helpers.Where(h => !overridden.Contains(h.Name)).Select(h => (Name: h.Name, h.Id, Source: "the shipped spec"))
                .Concat(used.Select(u => (Name: u.Helper.Name, u.Helper.Id, Source: u.File.Path)))
                .ToArray();
            foreach (var page in used)
            {
                var clash = all.FirstOrDefault(h => h.Id == page.Helper.Id && h.Name != page.Helper.Name);
                if (clash.Name != null)
                {
                    context.ReportDiagnostic(Diagnostic.Create(
                        Descriptors.SpecHelperIdClash,
                        At(page.File.Path, page.Text, page.Helper.SignatureLine),
                        $"helper id {page.Helper.Id} of '{page.Helper.Name}' is already the id of '{clash.Name}' ({clash.Source})"));
                }
            }
        }

        private static Location At(string path, SourceText text, int line)
        {
            var index = Math.Max(0, Math.Min(line - 1, text.Lines.Count - 1));
            var span = text.Lines.Count == 0 ? new TextSpan(0, 0) : text.Lines[index].Span;
            return Location.Create(path, span, text.Lines.Count == 0 ? default : text.Lines.GetLinePositionSpan(span));
        }
    }
}
