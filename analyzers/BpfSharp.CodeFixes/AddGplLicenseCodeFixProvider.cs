using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using BpfSharp.Analyzers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace BpfSharp.CodeFixes
{
    /// <summary>
    /// BPF0004: declares the assembly's licence as "GPL", by rewriting an existing [assembly: BpfLicense] or by adding
    /// one to the document of the diagnostic.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddGplLicenseCodeFixProvider))]
    public sealed class AddGplLicenseCodeFixProvider : CodeFixProvider
    {
        public const string EquivalenceKey = "BpfSharp.AddGplLicense";

        private const string LicenseAttributeName = "BpfSharp.BpfLicenseAttribute";
        private const string Gpl = "GPL";

        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.GplOnlyHelper);

        // The licence is one attribute per assembly: the batch fixer would add it once per diagnostic (CS0579).
        public override FixAllProvider GetFixAllProvider() => OncePerProjectFixAllProvider.Instance;

        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            var compilation = await context.Document.Project.GetCompilationAsync(context.CancellationToken).ConfigureAwait(false);
            if (compilation?.GetTypeByMetadataName(LicenseAttributeName) is not INamedTypeSymbol licenseType)
            {
                return;
            }

            var title = FindLicense(compilation, licenseType) is null
                ? "Declare [assembly: BpfLicense(\"GPL\")]"
                : "Change the BpfLicense to \"GPL\"";

            // Every BPF0004 of the document has the same cure, so one action covers them all.
            context.RegisterCodeFix(
                CodeAction.Create(title, ct => ApplyAsync(context.Document.Project.Solution, context.Document.Id, ct), EquivalenceKey),
                context.Diagnostics);
        }

        /// <summary>Makes the licence of the document's project "GPL"; leaves the solution as it is when that cannot be done.</summary>
        private static async Task<Solution> ApplyAsync(Solution solution, DocumentId documentId, CancellationToken cancellationToken)
        {
            var document = solution.GetDocument(documentId);
            var compilation = document is null ? null : await document.Project.GetCompilationAsync(cancellationToken).ConfigureAwait(false);
            if (document is null || compilation?.GetTypeByMetadataName(LicenseAttributeName) is not INamedTypeSymbol licenseType)
            {
                return solution;
            }

            if (FindLicense(compilation, licenseType) is AttributeData existing)
            {
                return await ReplaceLicenseAsync(solution, existing, cancellationToken).ConfigureAwait(false);
            }

            var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false) as CompilationUnitSyntax;
            var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
            return root is null || model is null
                ? solution
                : solution.WithDocumentSyntaxRoot(documentId, AddLicense(root, model, licenseType));
        }

        private static AttributeData? FindLicense(Compilation compilation, INamedTypeSymbol licenseType) =>
            compilation.Assembly.GetAttributes().FirstOrDefault(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, licenseType));

        // The attribute may sit in any document of the project; AllowMultiple is false, so it is rewritten rather than added.
        private static async Task<Solution> ReplaceLicenseAsync(Solution solution, AttributeData existing, CancellationToken cancellationToken)
        {
            if (existing.ApplicationSyntaxReference is not SyntaxReference reference
                || solution.GetDocument(reference.SyntaxTree) is not Document document
                || await reference.GetSyntaxAsync(cancellationToken).ConfigureAwait(false) is not AttributeSyntax attribute
                || attribute.ArgumentList?.Arguments.FirstOrDefault(a => a.NameEquals is null) is not AttributeArgumentSyntax argument)
            {
                return solution;
            }

            var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
            var literal = SyntaxFactory.LiteralExpression(SyntaxKind.StringLiteralExpression, SyntaxFactory.Literal(Gpl)).WithTriviaFrom(argument.Expression);
            return root is null ? solution : solution.WithDocumentSyntaxRoot(document.Id, root.ReplaceNode(argument.Expression, literal));
        }

        private static CompilationUnitSyntax AddLicense(CompilationUnitSyntax root, SemanticModel model, INamedTypeSymbol licenseType)
        {
            var eol = SyntaxFactory.EndOfLine(root.ToFullString().Contains("\r\n") ? "\r\n" : "\n");
            var list = SyntaxFactory.AttributeList(
                    SyntaxFactory.AttributeTargetSpecifier(SyntaxFactory.Token(SyntaxKind.AssemblyKeyword)),
                    SyntaxFactory.SingletonSeparatedList(LicenseAttribute(model, root, licenseType)))
                .WithTrailingTrivia(eol);

            if (root.AttributeLists.Count > 0)
            {
                return root.AddAttributeLists(list);
            }

            var first = root.Members.FirstOrDefault();
            if (root.Usings.Count > 0 || root.Externs.Count > 0)
            {
                // Set off from the using directives by a blank line; the member keeps its own leading blank line.
                return root.AddAttributeLists(list.WithLeadingTrivia(eol));
            }

            if (first is null)
            {
                return root.AddAttributeLists(list);
            }

            // At the top of the file: a header set off by a blank line stays above the attribute; comments that touch
            // the member (its documentation) stay with it.
            var trivia = first.GetLeadingTrivia();
            var split = HeaderLength(trivia);
            var header = SyntaxFactory.TriviaList(trivia.Take(split));
            var rest = SyntaxFactory.TriviaList(new[] { eol }.Concat(trivia.Skip(split)));
            return root.ReplaceNode(first, first.WithLeadingTrivia(rest)).AddAttributeLists(list.WithLeadingTrivia(header));
        }

        // The number of trivia up to and including the last blank line.
        private static int HeaderLength(SyntaxTriviaList trivia)
        {
            var length = 0;
            var blank = true;
            for (var i = 0; i < trivia.Count; i++)
            {
                if (trivia[i].IsKind(SyntaxKind.EndOfLineTrivia))
                {
                    length = blank ? i + 1 : length;
                    blank = true;
                }
                else if (!trivia[i].IsKind(SyntaxKind.WhitespaceTrivia))
                {
                    // A comment line, or structured trivia (a doc comment) that carries its own line end.
                    blank = false;
                }
            }

            return length;
        }

        // The shortest name that binds to BpfLicenseAttribute where assembly attributes go (usings, global usings, aliases).
        private static AttributeSyntax LicenseAttribute(SemanticModel model, CompilationUnitSyntax root, INamedTypeSymbol licenseType)
        {
            var position = root.AttributeLists.LastOrDefault()?.Span.End ?? root.Members.FirstOrDefault()?.SpanStart ?? root.EndOfFileToken.SpanStart;
            var arguments = SyntaxFactory.ParseAttributeArgumentList("(\"GPL\")");
            foreach (var name in new[] { "BpfLicense", "BpfSharp.BpfLicense" })
            {
                var attribute = SyntaxFactory.Attribute(SyntaxFactory.ParseName(name), arguments);
                if (model.GetSpeculativeSymbolInfo(position, attribute).Symbol is IMethodSymbol constructor
                    && SymbolEqualityComparer.Default.Equals(constructor.ContainingType, licenseType))
                {
                    return attribute;
                }
            }

            return SyntaxFactory.Attribute(SyntaxFactory.ParseName("global::BpfSharp.BpfLicense"), arguments);
        }

        /// <summary>Applies the licence once to each project in scope, however many BPF0004 it has and in however many documents.</summary>
        private sealed class OncePerProjectFixAllProvider : FixAllProvider
        {
            public static readonly OncePerProjectFixAllProvider Instance = new OncePerProjectFixAllProvider();

            public override IEnumerable<FixAllScope> GetSupportedFixAllScopes() =>
                new[] { FixAllScope.Document, FixAllScope.Project, FixAllScope.Solution };

            public override async Task<CodeAction?> GetFixAsync(FixAllContext fixAllContext)
            {
                if (fixAllContext.CodeActionEquivalenceKey != EquivalenceKey)
                {
                    return null;
                }

                // One target document per project: the triggering document when it has a BPF0004, else the first one that has.
                var targets = new List<DocumentId>();
                var projects = fixAllContext.Scope == FixAllScope.Solution ? fixAllContext.Solution.Projects : new[] { fixAllContext.Project };
                foreach (var project in projects)
                {
                    var diagnostics = fixAllContext.Scope == FixAllScope.Document
                        ? (fixAllContext.Document is null ? ImmutableArray<Diagnostic>.Empty : await fixAllContext.GetDocumentDiagnosticsAsync(fixAllContext.Document).ConfigureAwait(false))
                        : await fixAllContext.GetAllDiagnosticsAsync(project).ConfigureAwait(false);
                    var trees = diagnostics.Where(d => d.Location.IsInSource).Select(d => d.Location.SourceTree!).ToList();
                    var target = fixAllContext.Document is Document trigger && trigger.Project.Id == project.Id
                        && await trigger.GetSyntaxTreeAsync(fixAllContext.CancellationToken).ConfigureAwait(false) is SyntaxTree triggerTree && trees.Contains(triggerTree)
                        ? trigger
                        : trees.OrderBy(t => t.FilePath, System.StringComparer.Ordinal).Select(project.GetDocument).FirstOrDefault(d => d != null);
                    if (target != null)
                    {
                        targets.Add(target.Id);
                    }
                }

                if (targets.Count == 0)
                {
                    return null;
                }

                return CodeAction.Create(
                    "Make the BpfLicense \"GPL\" in each project",
                    async ct =>
                    {
                        var solution = fixAllContext.Solution;
                        foreach (var target in targets)
                        {
                            solution = await ApplyAsync(solution, target, ct).ConfigureAwait(false);
                        }

                        return solution;
                    },
                    EquivalenceKey);
            }
        }
    }
}
