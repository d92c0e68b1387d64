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
    /// BPF0002, BPF0006: changes the declared type of the map passed to the helper (field, property or local declared in
    /// source) to a map class the helper works with, as listed by the analyzer in the "MapClasses" property.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(ChangeMapTypeCodeFixProvider))]
    public sealed class ChangeMapTypeCodeFixProvider : CodeFixProvider
    {
        /// <summary>Followed by the map class name; one key per class so that Fix All applies the same class everywhere.</summary>
        public const string EquivalenceKeyPrefix = "BpfSharp.ChangeMapType.";

        /// <summary>The diagnostic property the analyzer fills with the working map classes, best first.</summary>
        public const string MapClassesProperty = "MapClasses";

        // More than a few choices drown the light bulb; the analyzer orders them best first.
        private const int MaxActions = 3;

        private const string RuntimeNamespace = "BpfSharp";

        public override ImmutableArray<string> FixableDiagnosticIds { get; } =
            ImmutableArray.Create(DiagnosticIds.MapTypeNotAccepted, DiagnosticIds.MapOperationAlwaysFails);

        // Two diagnostics on one map produce the same edit of the same declaration, which the batch fixer merges into one.
        public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            var model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
            if (root is null || model is null)
            {
                return;
            }

            foreach (var diagnostic in context.Diagnostics)
            {
                if (!diagnostic.Properties.TryGetValue(MapClassesProperty, out var classes) || string.IsNullOrEmpty(classes))
                {
                    continue;
                }

                // The diagnostic sits on the argument; the node found may be the argument or its expression.
                var node = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
                var expression = node is ArgumentSyntax argument ? argument.Expression : node as ExpressionSyntax;
                if (expression is null
                    || model.GetSymbolInfo(expression, context.CancellationToken).Symbol is not ISymbol symbol
                    || await MapDeclaration.FindAsync(context.Document.Project.Solution, symbol, context.CancellationToken).ConfigureAwait(false) is not MapDeclaration declaration)
                {
                    continue;
                }

                var offered = 0;
                foreach (var name in classes!.Split(',').Select(c => c.Trim()).Where(c => c.Length > 0).Distinct())
                {
                    if (declaration.Retype(name) is not INamedTypeSymbol newType)
                    {
                        continue;
                    }

                    context.RegisterCodeFix(
                        CodeAction.Create(
                            $"Change '{symbol.Name}' to {newType.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat)}",
                            ct => declaration.ApplyAsync(newType, ct),
                            EquivalenceKeyPrefix + name),
                        diagnostic);
                    if (++offered == MaxActions)
                    {
                        break;
                    }
                }
            }
        }

        /// <summary>Where a map variable is declared: its written type (null for <c>var</c>) and its explicit <c>new</c>, if any.</summary>
        private sealed class MapDeclaration
        {
            private readonly Document _document;
            private readonly SemanticModel _model;
            private readonly TypeSyntax? _declaredType;
            private readonly ObjectCreationExpressionSyntax? _creation;
            private readonly INamedTypeSymbol? _oldMap;

            private MapDeclaration(Document document, SemanticModel model, TypeSyntax? declaredType, ObjectCreationExpressionSyntax? creation, INamedTypeSymbol? oldMap)
            {
                _document = document;
                _model = model;
                _declaredType = declaredType;
                _creation = creation;
                _oldMap = oldMap;
            }

            public static async Task<MapDeclaration?> FindAsync(Solution solution, ISymbol symbol, CancellationToken cancellationToken)
            {
                var type = symbol switch
                {
                    IFieldSymbol field => field.Type,
                    IPropertySymbol property => property.Type,
                    ILocalSymbol local => local.Type,
                    _ => null,
                };

                // Metadata symbols have no declaration to edit; generated documents are not in the solution.
                if (type is null || symbol.DeclaringSyntaxReferences.Length != 1
                    || solution.GetDocument(symbol.DeclaringSyntaxReferences[0].SyntaxTree) is not Document document)
                {
                    return null;
                }

                TypeSyntax? declaredType;
                ExpressionSyntax? initializer;
                switch (await symbol.DeclaringSyntaxReferences[0].GetSyntaxAsync(cancellationToken).ConfigureAwait(false))
                {
                    // A shared declaration (A = ..., B = ...) would silently retype the other variables too.
                    case VariableDeclaratorSyntax { Parent: VariableDeclarationSyntax { Parent: FieldDeclarationSyntax or LocalDeclarationStatementSyntax, Variables.Count: 1 } declaration } declarator:
                        declaredType = declaration.Type.IsVar ? null : declaration.Type;
                        initializer = declarator.Initializer?.Value;
                        break;
                    case PropertyDeclarationSyntax property:
                        declaredType = property.Type;
                        initializer = property.Initializer?.Value ?? property.ExpressionBody?.Expression;
                        break;
                    default:
                        return null;
                }

                while (initializer is ParenthesizedExpressionSyntax parenthesized)
                {
                    initializer = parenthesized.Expression;
                }

                var creation = initializer as ObjectCreationExpressionSyntax;

                // A var local takes its type from the initializer: without an explicit new there is nothing to change.
                if (declaredType is null && creation is null)
                {
                    return null;
                }

                var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
                return model is null ? null : new MapDeclaration(document, model, declaredType, creation, RuntimeMapClass(type));
            }

            /// <summary>
            /// The map class <paramref name="name"/> with type arguments carried over by parameter name (TKey, TValue) from
            /// the old class; a parameter the old class lacks gets uint for a key (an array index) and ulong for a value.
            /// </summary>
            public INamedTypeSymbol? Retype(string name)
            {
                var compilation = _model.Compilation;
                var newClass = Enumerable.Range(0, 3)
                    .Select(arity => compilation.GetTypeByMetadataName(RuntimeNamespace + "." + name + (arity == 0 ? string.Empty : "`" + arity.ToString(System.Globalization.CultureInfo.InvariantCulture))))
                    .FirstOrDefault(t => t != null);
                if (newClass is null || SymbolEqualityComparer.Default.Equals(newClass, _oldMap?.OriginalDefinition))
                {
                    return null;
                }

                if (newClass.Arity == 0)
                {
                    return newClass;
                }

                var old = new Dictionary<string, ITypeSymbol>();
                if (_oldMap != null)
                {
                    for (var i = 0; i < _oldMap.Arity; i++)
                    {
                        old[_oldMap.OriginalDefinition.TypeParameters[i].Name] = _oldMap.TypeArguments[i];
                    }
                }

                var arguments = newClass.TypeParameters
                    .Select(p => old.TryGetValue(p.Name, out var argument)
                        ? argument
                        : compilation.GetSpecialType(p.Name == "TKey" ? SpecialType.System_UInt32 : SpecialType.System_UInt64))
                    .ToArray();
                return newClass.Construct(arguments);
            }

            public async Task<Solution> ApplyAsync(INamedTypeSymbol newType, CancellationToken cancellationToken)
            {
                var root = await _document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
                if (root is null)
                {
                    return _document.Project.Solution;
                }

                // A nullable annotation on the declared type stays; only the map type inside it changes.
                var replaced = new List<TypeSyntax>();
                if (_declaredType != null)
                {
                    replaced.Add(_declaredType is NullableTypeSyntax nullable ? nullable.ElementType : _declaredType);
                }

                // An explicit new of the old type would no longer convert; a target-typed new() follows the declaration.
                if (_creation != null)
                {
                    replaced.Add(_creation.Type);
                }

                var newRoot = root.ReplaceNodes(
                    replaced,
                    (original, _) => SyntaxFactory.ParseTypeName(newType.ToMinimalDisplayString(_model, original.SpanStart)).WithTriviaFrom(original));
                return _document.WithSyntaxRoot(newRoot).Project.Solution;
            }

            // The BpfSharp class the variable's type is or derives from (a user subclass keeps its base's type arguments).
            private static INamedTypeSymbol? RuntimeMapClass(ITypeSymbol type)
            {
                for (var current = type as INamedTypeSymbol; current != null; current = current.BaseType)
                {
                    if (current.ContainingNamespace is { ContainingNamespace.IsGlobalNamespace: true, Name: RuntimeNamespace })
                    {
                        return current;
                    }
                }

                return null;
            }
        }
    }
}
