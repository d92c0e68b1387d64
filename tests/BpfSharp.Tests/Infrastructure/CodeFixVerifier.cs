using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;
using Microsoft.CodeAnalysis.Text;

namespace BpfSharp.Tests.Infrastructure;

/// <summary>
/// Runs an analyzer and a code fix offline, like <see cref="AnalyzerVerifier{TAnalyzer}"/>: .NET 8 reference assemblies
/// from a package, the BpfSharp runtime, and the BpfHelpers generated from the shipped spec as one more (auto-generated)
/// source of every project.
/// </summary>
public static class CodeFixVerifier<TAnalyzer, TCodeFix>
    where TAnalyzer : DiagnosticAnalyzer, new()
    where TCodeFix : CodeFixProvider, new()
{
    public const string HelpersPath = "BpfSharp.BpfHelpers.g.cs";

    public static DiagnosticResult Diagnostic(string id) => new DiagnosticResult(id, DiagnosticSeverity.Error);

    /// <summary>A single source before and after the fix (the helpers are added to both states).</summary>
    public static Task VerifyAsync(string source, string fixedSource, string? equivalenceKey = null)
    {
        var test = new Test { TestCode = source, FixedCode = fixedSource, CodeActionEquivalenceKey = equivalenceKey };
        return test.RunAsync(CancellationToken.None);
    }

    /// <summary>A test to set up by hand (several documents, Fix All states, no fix offered, ...).</summary>
    public static Test Create() => new Test();

    /// <summary>
    /// The analyzer's fixable diagnostics in <paramref name="source"/> (no markup) and every code action the fix offers
    /// for them, in order: for checking what is offered, which the harness only shows one action at a time.
    /// </summary>
    public static async Task<(ImmutableArray<Diagnostic> Diagnostics, IReadOnlyList<CodeAction> Actions)> GetCodeActionsAsync(string source)
    {
        using var workspace = new AdhocWorkspace();
        var project = workspace.AddProject(ProjectInfo.Create(
            ProjectId.CreateNewId(),
            VersionStamp.Default,
            "Consumer",
            "Consumer",
            LanguageNames.CSharp,
            compilationOptions: new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true, nullableContextOptions: NullableContextOptions.Enable),
            parseOptions: new CSharpParseOptions(LanguageVersion.Latest),
            metadataReferences: Basic.Reference.Assemblies.Net80.References.All.Cast<MetadataReference>().Append(TestCompilation.Runtime)));
        workspace.AddDocument(project.Id, HelpersPath, SourceText.From(TestCompilation.ShippedHelpersSource));
        var document = workspace.AddDocument(project.Id, "Test0.cs", SourceText.From(source));
        var compilation = (await document.Project.GetCompilationAsync())!;
        var tree = await document.GetSyntaxTreeAsync();
        var fix = new TCodeFix();
        var diagnostics = (await compilation.WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(new TAnalyzer())).GetAnalyzerDiagnosticsAsync())
            .Where(d => fix.FixableDiagnosticIds.Contains(d.Id) && d.Location.SourceTree == tree)
            .ToImmutableArray();
        var actions = new List<CodeAction>();
        foreach (var diagnostic in diagnostics)
        {
            await fix.RegisterCodeFixesAsync(new CodeFixContext(document, diagnostic, (action, _) => actions.Add(action), CancellationToken.None));
        }

        return (diagnostics, actions);
    }

    public sealed class Test : CSharpCodeFixTest<TAnalyzer, TCodeFix, DefaultVerifier>
    {
        public Test()
        {
            ReferenceAssemblies = new ReferenceAssemblies("net8.0-offline");
            DisabledDiagnostics.AddRange(AnalyzerVerifier<TAnalyzer>.ConditionNotes);
            TestState.AdditionalReferences.AddRange(Basic.Reference.Assemblies.Net80.References.All);
            TestState.AdditionalReferences.Add(TestCompilation.Runtime);
            // Every project, additional ones included, is a consumer of BpfSharp.
            SolutionTransforms.Add((solution, _) =>
            {
                foreach (var projectId in solution.ProjectIds)
                {
                    var options = (CSharpCompilationOptions)solution.GetProject(projectId)!.CompilationOptions!;
                    // The condition notes are off in every project (DisabledDiagnostics reaches only the primary one).
                    var notesOff = options.SpecificDiagnosticOptions.SetItems(AnalyzerVerifier<TAnalyzer>.ConditionNotes.Select(id => new KeyValuePair<string, ReportDiagnostic>(id, ReportDiagnostic.Suppress)));
                    solution = solution.WithProjectCompilationOptions(projectId, options.WithAllowUnsafe(true).WithNullableContextOptions(NullableContextOptions.Enable).WithSpecificDiagnosticOptions(notesOff));
                }

                return solution;
            });
        }

        /// <summary>Adds the generated helpers to the test and fixed states; call after the sources are set.</summary>
        public new Task RunAsync(CancellationToken cancellationToken = default)
        {
            // Additional projects (in the test and the expected states) get what the primary project has.
            foreach (var project in TestState.AdditionalProjects.Values.Concat(FixedState.AdditionalProjects.Values).Concat(BatchFixedState.AdditionalProjects.Values))
            {
                project.AdditionalReferences.AddRange(Basic.Reference.Assemblies.Net80.References.All);
                project.AdditionalReferences.Add(TestCompilation.Runtime);
                project.Sources.Add((HelpersPath, TestCompilation.ShippedHelpersSource));
            }

            TestState.Sources.Add((HelpersPath, TestCompilation.ShippedHelpersSource));
            // An empty fixed or batch-fixed state means "same as the test state": leave those alone.
            if (FixedState.Sources.Count > 0)
            {
                FixedState.Sources.Add((HelpersPath, TestCompilation.ShippedHelpersSource));
            }

            if (BatchFixedState.Sources.Count > 0)
            {
                BatchFixedState.Sources.Add((HelpersPath, TestCompilation.ShippedHelpersSource));
            }

            return base.RunAsync(cancellationToken);
        }

        protected override ParseOptions CreateParseOptions() => new CSharpParseOptions(LanguageVersion.Latest);
    }
}
