using System.Collections.Immutable;
using System.Linq;
using BpfSharp.Spec;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace BpfSharp.Analyzers
{
    /// <summary>BPF0007: a [BpfProgram] whose section name libbpf would not accept, or a method with two program declarations.</summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class ProgramDeclarationAnalyzer : DiagnosticAnalyzer
    {
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
                if (ProgramDeclaration.Resolve(attribute) is null && attribute.ConstructorArguments.Length == 1)
                {
                    var argument = attribute.ConstructorArguments[0];
                    var message = argument.Value is string section
                        ? $"'{section}' is not a section name libbpf recognises, so the program type of '{context.Symbol.Name}' is unknown"
                        : $"'{argument.Value}' is not a program type the kernel defines";
                    Report(context, attribute, message);
                }
            }

            if (attributes.Length > 1)
            {
                Report(context, attributes[1], $"'{context.Symbol.Name}' declares {attributes.Length} BPF programs; a method is one program of one type");
            }
        }

        private static void Report(SymbolAnalysisContext context, AttributeData attribute, string message)
        {
            var location = attribute.ApplicationSyntaxReference?.GetSyntax(context.CancellationToken).GetLocation() ?? context.Symbol.Locations.FirstOrDefault();
            context.ReportDiagnostic(Diagnostic.Create(Descriptors.InvalidProgramDeclaration, location, message));
        }
    }
}
