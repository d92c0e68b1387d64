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
    /// <summary>BPF0007: replaces a misspelt [BpfProgram] section name with the nearest one libbpf knows.</summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(SectionNameCodeFixProvider))]
    public sealed class SectionNameCodeFixProvider : CodeFixProvider
    {
        /// <summary>One key for every suggestion, so that Fix All applies each attribute's own suggestion.</summary>
        public const string EquivalenceKey = "BpfSharp.UseSuggestedSectionName";

        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.InvalidProgramDeclaration);

        // Each fix touches only its own attribute's literal, so the batch fixer's merged edits never overlap.
        public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            if (root is null)
            {
                return;
            }

            foreach (var diagnostic in context.Diagnostics)
            {
                // BPF0007 also reports double declarations and enum values: only a section name with a suggestion is fixable.
                if (!diagnostic.Properties.TryGetValue(ProgramDeclarationAnalyzer.SuggestionProperty, out var suggestion) || string.IsNullOrEmpty(suggestion)
                    || FindLiteral(root, diagnostic) is null)
                {
                    continue;
                }

                context.RegisterCodeFix(
                    CodeAction.Create(
                        $"Use section name '{suggestion}'",
                        ct => ReplaceAsync(context.Document, diagnostic, suggestion!, ct),
                        EquivalenceKey),
                    diagnostic);
            }
        }

        private static async Task<Document> ReplaceAsync(Document document, Diagnostic diagnostic, string suggestion, CancellationToken cancellationToken)
        {
            var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
            if (root is null || FindLiteral(root, diagnostic) is not LiteralExpressionSyntax literal)
            {
                return document;
            }

            var replacement = SyntaxFactory.LiteralExpression(SyntaxKind.StringLiteralExpression, SyntaxFactory.Literal(suggestion)).WithTriviaFrom(literal);
            return document.WithSyntaxRoot(root.ReplaceNode(literal, replacement));
        }

        // Only a literal is rewritten: a constant declared elsewhere may be shared, and changing it is the user's call.
        private static LiteralExpressionSyntax? FindLiteral(SyntaxNode root, Diagnostic diagnostic)
        {
            var attribute = root.FindNode(diagnostic.Location.SourceSpan).FirstAncestorOrSelf<AttributeSyntax>();
            var argument = attribute?.ArgumentList?.Arguments.FirstOrDefault(a => a.NameEquals is null);
            return argument?.Expression is LiteralExpressionSyntax literal && literal.IsKind(SyntaxKind.StringLiteralExpression) ? literal : null;
        }
    }
}
