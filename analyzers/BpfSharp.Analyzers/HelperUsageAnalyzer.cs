using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using BpfSharp.Spec;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace BpfSharp.Analyzers
{
    /// <summary>
    /// BPF0001: a helper called from a program whose type may not use it. BPF0002: a map argument of a map type the
    /// helper does not accept. Both read the facts from the attributes of the called stub.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class HelperUsageAnalyzer : DiagnosticAnalyzer
    {
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
            ImmutableArray.Create(Descriptors.HelperNotAllowedInProgramType, Descriptors.MapTypeNotAccepted);

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

                start.RegisterOperationAction(operation => AnalyzeInvocation(operation, symbols), OperationKind.Invocation);
            });
        }

        private static void AnalyzeInvocation(OperationAnalysisContext context, BpfSymbols symbols)
        {
            var invocation = (IInvocationOperation)context.Operation;
            if (symbols.GetHelper(invocation.TargetMethod) is not HelperFacts helper)
            {
                return;
            }

            CheckProgramType(context, symbols, invocation, helper);
            CheckMapArguments(context, symbols, invocation, helper);
        }

        private static void CheckProgramType(OperationAnalysisContext context, BpfSymbols symbols, IInvocationOperation invocation, HelperFacts helper)
        {
            if (helper.ProgramTypes is null || FindProgramMethod(context.ContainingSymbol, symbols) is not IMethodSymbol program)
            {
                return;
            }

            foreach (var declared in symbols.GetPrograms(program))
            {
                if (helper.ProgramTypes.ContainsKey(declared.ProgramType))
                {
                    continue;
                }

                var allowed = helper.ProgramTypes.Keys
                    .Select(v => KernelTypes.ProgramTypes.FindByValue(v)?.Name)
                    .Where(n => n != null)
                    .Select(n => ProgramDeclaration.ShortName(n!))
                    .OrderBy(n => n, System.StringComparer.Ordinal)
                    .ToArray();
                context.ReportDiagnostic(Diagnostic.Create(
                    Descriptors.HelperNotAllowedInProgramType,
                    invocation.Syntax.GetLocation(),
                    helper.Name,
                    helper.Id.ToString(CultureInfo.InvariantCulture),
                    program.Name,
                    ProgramDeclaration.Describe(declared.ProgramType),
                    allowed.Length == 0 ? "no program type" : string.Join(", ", allowed)));
            }
        }

        private static void CheckMapArguments(OperationAnalysisContext context, BpfSymbols symbols, IInvocationOperation invocation, HelperFacts helper)
        {
            if (helper.MapTypes.IsEmpty)
            {
                return;
            }

            foreach (var argument in invocation.Arguments)
            {
                if (argument.Parameter is null || !SymbolEqualityComparer.Default.Equals(argument.Parameter.Type, symbols.Map))
                {
                    continue;
                }

                var value = argument.Value;
                while (value is IConversionOperation conversion && conversion.IsImplicit)
                {
                    value = conversion.Operand;
                }

                if (value.Type is not ITypeSymbol type || symbols.GetMapType(type) is not int mapType || IsAccepted(helper, mapType, context, symbols))
                {
                    continue;
                }

                var accepted = helper.MapTypes
                    .Select(m => KernelTypes.MapTypes.FindByValue(m.Key)?.Name + (m.Value is null ? string.Empty : " (in " + string.Join(", ", m.Value.Select(p => KernelTypes.ProgramTypes.FindByValue(p)?.Name).OrderBy(n => n, System.StringComparer.Ordinal).Select(n => ProgramDeclaration.ShortName(n!))) + " programs)"))
                    .OrderBy(n => n, System.StringComparer.Ordinal);
                context.ReportDiagnostic(Diagnostic.Create(
                    Descriptors.MapTypeNotAccepted,
                    argument.Syntax.GetLocation(),
                    mapType.ToString(CultureInfo.InvariantCulture),
                    helper.Name,
                    helper.Id.ToString(CultureInfo.InvariantCulture),
                    value.Syntax.ToString(),
                    type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat),
                    KernelTypes.MapTypes.FindByValue(mapType)?.Name ?? "map type " + mapType.ToString(CultureInfo.InvariantCulture),
                    string.Join(", ", accepted)));
            }
        }

        // Accepted without condition, or only in some program types and every program around the call is one of them.
        // Outside a program the program type is unknown, so a conditional map type is not reported.
        private static bool IsAccepted(HelperFacts helper, int mapType, OperationAnalysisContext context, BpfSymbols symbols)
        {
            if (!helper.MapTypes.TryGetValue(mapType, out var onlyIn))
            {
                return false;
            }

            return onlyIn is null
                || FindProgramMethod(context.ContainingSymbol, symbols) is not IMethodSymbol program
                || symbols.GetPrograms(program).All(p => onlyIn.Contains(p.ProgramType));
        }

        // The [BpfProgram] method the code sits in; lambdas and local functions belong to the method that contains them.
        private static IMethodSymbol? FindProgramMethod(ISymbol? symbol, BpfSymbols symbols)
        {
            for (var current = symbol; current != null && current is not INamedTypeSymbol; current = current.ContainingSymbol)
            {
                if (current is IMethodSymbol method && symbols.GetProgramAttributes(method).Any())
                {
                    return method;
                }
            }

            return null;
        }
    }
}
