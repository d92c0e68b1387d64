using System.Collections.Immutable;
using System.Linq;
using BpfSharp.Compiler;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace BpfSharp.Analyzers
{
    /// <summary>
    /// BPF2xxx: C# in a [BpfProgram] method, or in a method it calls, that cannot become BPF; program and map names the object cannot carry. The same translator that
    /// writes the C for the build decides, so what this reports is exactly what keeps the object from being written.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class BpfCompilabilityAnalyzer : DiagnosticAnalyzer
    {
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
            Descriptors.UnsupportedConstruct,
            Descriptors.UnsupportedType,
            Descriptors.UnsupportedCall,
            Descriptors.UnsupportedMapUse,
            Descriptors.ObjectName,
            Descriptors.LongObjectName,
            Descriptors.ThrowingOperation);

        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();

            // A program's own body, as a symbol action: an IDE reports it for the open document while it is typed.
            context.RegisterSymbolAction(symbol =>
            {
                var method = (IMethodSymbol)symbol.Symbol;
                if (method.GetAttributes().Length == 0 || !BpfMethodCheck.IsProgram(symbol.Compilation, method))
                {
                    return;
                }

                foreach (var problem in BpfMethodCheck.Problems(symbol.Compilation, method, symbol.CancellationToken))
                {
                    symbol.ReportDiagnostic(Create(problem));
                }
            }, SymbolKind.Method);

            // Everything else the translator refuses: the methods programs call, the maps they use.
            context.RegisterCompilationAction(compilation =>
            {
                if (compilation.Compilation.GetTypeByMetadataName("BpfSharp.BpfProgramAttribute") is null)
                {
                    return;
                }

                var result = BpfTranslator.Translate(compilation.Compilation, cancellationToken: compilation.CancellationToken);
                foreach (var problem in result.Problems)
                {
                    var reportedThere = result.IsInProgram(problem) && !BpfMethodCheck.IsNameProblem(problem) && !problem.Message.StartsWith("the BPF compiler failed", System.StringComparison.Ordinal);
                    if (!reportedThere)
                    {
                        compilation.ReportDiagnostic(Create(problem));
                    }
                }
            });
        }

        private static Diagnostic Create(TranslationProblem problem) =>
            Diagnostic.Create(
                problem.Id switch
                {
                    CompilerDiagnosticIds.UnsupportedType => Descriptors.UnsupportedType,
                    CompilerDiagnosticIds.UnsupportedCall => Descriptors.UnsupportedCall,
                    CompilerDiagnosticIds.UnsupportedMapUse => Descriptors.UnsupportedMapUse,
                    CompilerDiagnosticIds.ObjectName => Descriptors.ObjectName,
                    CompilerDiagnosticIds.LongObjectName => Descriptors.LongObjectName,
                    CompilerDiagnosticIds.ThrowingOperation => Descriptors.ThrowingOperation,
                    _ => Descriptors.UnsupportedConstruct,
                },
                problem.Location,
                problem.Message);
    }
}
