using System.Collections.Immutable;
using BpfSharp.Compiler;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace BpfSharp.Analyzers
{
    /// <summary>
    /// BPF2xxx: C# in a [BpfProgram] method, or in a method it calls, that cannot become BPF. The same translator that
    /// writes the C for the build decides, so what this reports is exactly what keeps the object from being written.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class BpfCompilabilityAnalyzer : DiagnosticAnalyzer
    {
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
            Descriptors.UnsupportedConstruct,
            Descriptors.UnsupportedType,
            Descriptors.UnsupportedCall,
            Descriptors.UnsupportedMapUse);

        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterCompilationAction(compilation =>
            {
                if (compilation.Compilation.GetTypeByMetadataName("BpfSharp.BpfProgramAttribute") is null)
                {
                    return;
                }

                foreach (var problem in BpfTranslator.Translate(compilation.Compilation, cancellationToken: compilation.CancellationToken).Problems)
                {
                    var descriptor = problem.Id switch
                    {
                        CompilerDiagnosticIds.UnsupportedType => Descriptors.UnsupportedType,
                        CompilerDiagnosticIds.UnsupportedCall => Descriptors.UnsupportedCall,
                        CompilerDiagnosticIds.UnsupportedMapUse => Descriptors.UnsupportedMapUse,
                        _ => Descriptors.UnsupportedConstruct,
                    };
                    compilation.ReportDiagnostic(Diagnostic.Create(descriptor, problem.Location, problem.Message));
                }
            });
        }
    }
}
