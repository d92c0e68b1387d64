using System.Collections.Immutable;
using System.Linq;
using BpfSharp.Spec;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace BpfSharp.Analyzers
{
    /// <summary>BPF0007: a [BpfProgram] whose section name libbpf would not accept, a program type with no section to default to, or a method with two program declarations.</summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class ProgramDeclarationAnalyzer : DiagnosticAnalyzer
    {
        /// <summary>Diagnostic property with the nearest valid section name, for the code fix.</summary>
        public const string SuggestionProperty = "Suggestion";

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.InvalidProgramDeclaration);

        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterCompilationStartAction(start =>
            {
                var symbols = BpfSymbols.Create(start.Compilation);
                if (symbols != null)
                {
                    start.RegisterSymbolAction(symbol => AnalyzeMethod(symbol, symbols), SymbolKind.Method);
                }
            });
        }

        private static void AnalyzeMethod(SymbolAnalysisContext context, BpfSymbols symbols)
        {
            var attributes = symbols.GetProgramAttributes(context.Symbol).ToArray();
            foreach (var attribute in attributes)
            {
                if (attribute.ConstructorArguments.Length != 1)
                {
                    continue;
                }

                var argument = attribute.ConstructorArguments[0];
                if (argument.Kind == TypedConstantKind.Error || DeclaredSection.FromArgument(argument.Value, out var problem) != null || problem is null)
                {
                    continue;
                }

                // A program type without a default section is refused too: the compiler does not guess a target.
                var suggestion = argument.Value is string section ? SectionNames.Suggest(section) : null;
                var properties = suggestion is null ? ImmutableDictionary<string, string?>.Empty : ImmutableDictionary<string, string?>.Empty.Add(SuggestionProperty, suggestion);
                Report(context, attribute, problem + (suggestion is null ? string.Empty : $"; did you mean '{suggestion}'?"), properties);
            }

            if (attributes.Length > 1)
            {
                Report(context, attributes[1], $"'{context.Symbol.Name}' declares {attributes.Length} BPF programs; a method is one program of one type", ImmutableDictionary<string, string?>.Empty);
            }
        }

        private static void Report(SymbolAnalysisContext context, AttributeData attribute, string message, ImmutableDictionary<string, string?> properties)
        {
            var location = attribute.ApplicationSyntaxReference?.GetSyntax(context.CancellationToken).GetLocation() ?? context.Symbol.Locations.FirstOrDefault();
            context.ReportDiagnostic(Diagnostic.Create(Descriptors.InvalidProgramDeclaration, location, properties, message));
        }
    }
}
