using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using BpfSharp.Spec;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace BpfSharp.Analyzers
{
    /// <summary>
    /// Everything the verifier would say about a helper call. Facts come from the attributes of the called stub.
    /// Checks that need the program type (BPF0001, per-type BPF0003, BPF0004 exceptions, conditional BPF0002) run at
    /// once for calls inside a [BpfProgram] method, and at the end of the compilation for calls in methods that
    /// programs reach through a chain of calls.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class HelperUsageAnalyzer : DiagnosticAnalyzer
    {
        private const string TargetKernelProperty = "build_property.BpfTargetKernel";

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
            Descriptors.HelperNotAllowedInProgramType,
            Descriptors.MapTypeNotAccepted,
            Descriptors.KernelTooOld,
            Descriptors.GplOnlyHelper,
            Descriptors.FlagsNotAccepted,
            Descriptors.MapOperationAlwaysFails,
            Descriptors.InvalidTargetKernel);

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

                start.Options.AnalyzerConfigOptionsProvider.GlobalOptions.TryGetValue(TargetKernelProperty, out var targetText);
                KernelVersion? target = KernelVersion.TryParse(targetText, out var parsed) ? parsed : null;
                if (!string.IsNullOrWhiteSpace(targetText) && target is null)
                {
                    start.RegisterCompilationEndAction(end => end.ReportDiagnostic(Diagnostic.Create(Descriptors.InvalidTargetKernel, Location.None, targetText)));
                }

                var analysis = new CompilationAnalysis(symbols, target);
                // Syntax-node actions, not operation actions: operation trees for every method body would cost more
                // than the checks; only helper calls are turned into operations.
                start.RegisterSyntaxNodeAction(analysis.AnalyzeInvocation, SyntaxKind.InvocationExpression);
                start.RegisterSyntaxNodeAction(analysis.AnalyzeMethodGroup, SyntaxKind.IdentifierName, SyntaxKind.SimpleMemberAccessExpression);
                start.RegisterCompilationEndAction(analysis.AnalyzeReachableCalls);
            });
        }

        /// <summary>A helper call recorded for the end-of-compilation pass.</summary>
        private sealed class HelperCall
        {
            public HelperCall(HelperFacts helper, IInvocationOperation invocation, ImmutableArray<MapArgument> mapArguments)
            {
                Helper = helper;
                Location = invocation.Syntax.GetLocation();
                MapArguments = mapArguments;
            }

            public HelperFacts Helper { get; }

            public Location Location { get; }

            public ImmutableArray<MapArgument> MapArguments { get; }
        }

        private sealed class MapArgument
        {
            public MapArgument(IArgumentOperation argument, IOperation value, ITypeSymbol type)
            {
                Location = argument.Syntax.GetLocation();
                Text = value.Syntax.ToString();
                Type = type;
            }

            public Location Location { get; }

            public string Text { get; }

            public ITypeSymbol Type { get; }
        }

        private sealed class CompilationAnalysis
        {
            private readonly BpfSymbols _symbols;
            private readonly KernelVersion? _target;
            private readonly ConcurrentDictionary<IMethodSymbol, ConcurrentBag<IMethodSymbol>> _calls = new ConcurrentDictionary<IMethodSymbol, ConcurrentBag<IMethodSymbol>>(SymbolEqualityComparer.Default);
            private readonly ConcurrentDictionary<IMethodSymbol, ConcurrentBag<HelperCall>> _helperCalls = new ConcurrentDictionary<IMethodSymbol, ConcurrentBag<HelperCall>>(SymbolEqualityComparer.Default);
            private readonly ConcurrentBag<IMethodSymbol> _programs = new ConcurrentBag<IMethodSymbol>();

            public CompilationAnalysis(BpfSymbols symbols, KernelVersion? target)
            {
                _symbols = symbols;
                _target = target;
            }

            public void AnalyzeInvocation(SyntaxNodeAnalysisContext context)
            {
                if (Member(context.ContainingSymbol) is not IMethodSymbol caller
                    || context.SemanticModel.GetSymbolInfo(context.Node, context.CancellationToken).Symbol is not IMethodSymbol target)
                {
                    return;
                }

                if (_symbols.GetHelper(target) is not HelperFacts helper)
                {
                    RecordCall(caller, target);
                    return;
                }

                if (context.SemanticModel.GetOperation(context.Node, context.CancellationToken) is not IInvocationOperation invocation)
                {
                    return;
                }

                var call = new HelperCall(helper, invocation, MapArgumentsOf(invocation, _symbols.Map));
                CheckWithoutProgram(context.ReportDiagnostic, invocation, call);
                _helperCalls.GetOrAdd(caller, _ => new ConcurrentBag<HelperCall>()).Add(call);
                if (_symbols.IsProgram(caller))
                {
                    _programs.Add(caller);
                    foreach (var program in _symbols.GetPrograms(caller))
                    {
                        CheckInProgram(context.ReportDiagnostic, call, caller, program, chain: null);
                    }
                }
            }

            // A method passed as a delegate may run as part of the program: count it as called. Only names in the
            // places a method group can stand (argument, initializer, assignment, return) are looked up.
            public void AnalyzeMethodGroup(SyntaxNodeAnalysisContext context)
            {
                var node = context.Node;
                var parent = node.Parent;
                var isValue = parent is ArgumentSyntax || parent is EqualsValueClauseSyntax || parent is ReturnStatementSyntax || parent is ArrowExpressionClauseSyntax
                    || (parent is AssignmentExpressionSyntax assignment && assignment.Right == node);
                if (!isValue || Member(context.ContainingSymbol) is not IMethodSymbol caller)
                {
                    return;
                }

                var info = context.SemanticModel.GetSymbolInfo(node, context.CancellationToken);
                var method = info.Symbol as IMethodSymbol ?? (info.CandidateReason == CandidateReason.MemberGroup ? info.CandidateSymbols.OfType<IMethodSymbol>().FirstOrDefault() : null);
                if (method != null)
                {
                    RecordCall(caller, method);
                }
            }

            /// <summary>Every program, every method it reaches (shortest chain first, cycles cut), every helper call there.</summary>
            public void AnalyzeReachableCalls(CompilationAnalysisContext context)
            {
                foreach (var program in _calls.Keys.Concat(_programs).Where(_symbols.IsProgram).Distinct<IMethodSymbol>(SymbolEqualityComparer.Default))
                {
                    var declared = _symbols.GetPrograms(program);
                    var previous = new Dictionary<IMethodSymbol, IMethodSymbol>(SymbolEqualityComparer.Default) { [program] = program };
                    var queue = new Queue<IMethodSymbol>();
                    queue.Enqueue(program);
                    while (queue.Count > 0)
                    {
                        var method = queue.Dequeue();
                        if (!SymbolEqualityComparer.Default.Equals(method, program) && _helperCalls.TryGetValue(method, out var calls))
                        {
                            var chain = Chain(previous, method);
                            foreach (var call in calls.OrderBy(c => c.Location.SourceSpan.Start))
                            {
                                foreach (var programDeclaration in declared)
                                {
                                    CheckInProgram(context.ReportDiagnostic, call, program, programDeclaration, chain);
                                }
                            }
                        }

                        if (_calls.TryGetValue(method, out var callees))
                        {
                            foreach (var callee in callees.Distinct<IMethodSymbol>(SymbolEqualityComparer.Default).OrderBy(c => c.ToDisplayString(), System.StringComparer.Ordinal))
                            {
                                if (!previous.ContainsKey(callee))
                                {
                                    previous[callee] = method;
                                    queue.Enqueue(callee);
                                }
                            }
                        }
                    }
                }
            }

            private void RecordCall(IMethodSymbol caller, IMethodSymbol target)
            {
                target = target.OriginalDefinition;
                if (target.MethodKind == MethodKind.LocalFunction || target.MethodKind == MethodKind.AnonymousFunction || !target.Locations.Any(l => l.IsInSource))
                {
                    return;
                }

                _calls.GetOrAdd(caller, _ => new ConcurrentBag<IMethodSymbol>()).Add(Member(target) ?? target);
                if (_symbols.IsProgram(caller))
                {
                    _programs.Add(caller);
                }
            }

            // Checks that hold whatever program runs the call.
            private void CheckWithoutProgram(System.Action<Diagnostic> report, IInvocationOperation invocation, HelperCall call)
            {
                var helper = call.Helper;
                foreach (var map in call.MapArguments)
                {
                    if (_symbols.GetMapType(map.Type) is not int mapType)
                    {
                        continue;
                    }

                    if (!helper.MapTypes.TryGetValue(mapType, out var use))
                    {
                        report(MapRejected(helper, map, mapType));
                    }
                    else if (use.AlwaysFails)
                    {
                        var working = helper.MapTypes.Where(m => !m.Value.AlwaysFails).Select(m => MapTypeName(m.Key)).OrderBy(n => n, System.StringComparer.Ordinal).ToArray();
                        var unconditional = helper.MapTypes.Where(m => !m.Value.AlwaysFails && m.Value.OnlyInProgramTypes is null).Select(m => MapTypeName(m.Key));
                        report(Diagnostic.Create(
                            Descriptors.MapOperationAlwaysFails,
                            map.Location,
                            MapClassProperties(helper, unconditional),
                            helper.ToString(),
                            map.Text,
                            MapTypeName(mapType),
                            helper.Name,
                            working.Length == 0 ? "no map type" : string.Join(", ", working)));
                    }
                }

                if (_target is KernelVersion target && KernelVersion.TryParse(helper.Since, out var since) && since.CompareTo(target) > 0)
                {
                    report(Diagnostic.Create(Descriptors.KernelTooOld, invocation.Syntax.GetLocation(), helper.ToString(), target.ToString(), helper.Name, since.ToString(), string.Empty));
                }

                if (helper.GplOnly && helper.GplOnlyExceptions.IsEmpty && !GplLicenses.IsCompatible(_symbols.License))
                {
                    report(GplViolation(invocation.Syntax.GetLocation(), helper));
                }

                CheckFlags(report, invocation, helper);
            }

            private void CheckFlags(System.Action<Diagnostic> report, IInvocationOperation invocation, HelperFacts helper)
            {
                foreach (var argument in invocation.Arguments)
                {
                    var attribute = argument.Parameter?.GetAttributes().FirstOrDefault(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, _symbols.FlagsAttribute));
                    if (attribute is null || attribute.ConstructorArguments.Length != 1 || attribute.ConstructorArguments[0].Value is not ulong bits)
                    {
                        continue;
                    }

                    var constant = argument.Value.ConstantValue;
                    if (!constant.HasValue || constant.Value is null || !TryUnsigned(constant.Value, out var value))
                    {
                        continue;
                    }

                    var values = BpfSymbols.Named(attribute, "AcceptedValues") is TypedConstant { Kind: TypedConstantKind.Array, IsNull: false } list
                        ? list.Values.Select(v => v.Value).OfType<ulong>().ToArray()
                        : null;
                    var rest = value & ~bits;
                    if (value == 0 || rest == 0 || (values != null && values.Contains(rest)))
                    {
                        continue;
                    }

                    var why = values is null
                        ? $"bits 0x{rest.ToString("x", CultureInfo.InvariantCulture)} are not flags it takes"
                        : $"0x{rest.ToString("x", CultureInfo.InvariantCulture)} is not one of its values";
                    report(Diagnostic.Create(
                        Descriptors.FlagsNotAccepted,
                        argument.Syntax.GetLocation(),
                        "0x" + value.ToString("x", CultureInfo.InvariantCulture),
                        helper.ToString(),
                        why,
                        "0 or " + (BpfSymbols.Named(attribute, "Description")?.Value as string ?? "its documented flags")));
                }
            }

            // Checks that depend on the program that runs the call; chain is null for a call in the program itself.
            private void CheckInProgram(System.Action<Diagnostic> report, HelperCall call, IMethodSymbol program, DeclaredProgram declared, string? chain)
            {
                var helper = call.Helper;
                var who = "'" + program.Name + "'" + (chain is null ? string.Empty : " (through " + chain + ")");
                if (helper.ProgramTypes is { } allowed && !allowed.ContainsKey(declared.ProgramType))
                {
                    var names = allowed.Keys.Select(v => KernelTypes.ProgramTypes.FindByValue(v)?.Name).Where(n => n != null).Select(n => ProgramDeclaration.ShortName(n!)).OrderBy(n => n, System.StringComparer.Ordinal).ToArray();
                    report(Diagnostic.Create(
                        Descriptors.HelperNotAllowedInProgramType,
                        call.Location,
                        helper.ToString(),
                        who,
                        ProgramDeclaration.Describe(declared.ProgramType),
                        helper.Name,
                        names.Length == 0 ? "no program type" : string.Join(", ", names)));
                }
                else if (_target is KernelVersion target && helper.ProgramTypes is { } versions
                    && versions.TryGetValue(declared.ProgramType, out var typeSince) && KernelVersion.TryParse(typeSince, out var since) && since.CompareTo(target) > 0
                    && !(KernelVersion.TryParse(helper.Since, out var helperSince) && helperSince.CompareTo(since) >= 0))
                {
                    report(Diagnostic.Create(Descriptors.KernelTooOld, call.Location, helper.ToString(), target.ToString(), helper.Name, since.ToString(), " in " + ProgramDeclaration.ShortName(declared.ProgramTypeName) + " programs"));
                }

                if (helper.GplOnly && !helper.GplOnlyExceptions.IsEmpty && !GplLicenses.IsCompatible(_symbols.License)
                    && !helper.GplOnlyExceptions.Contains(declared.ProgramTypeName) && (declared.AttachType is null || !helper.GplOnlyExceptions.Contains(declared.AttachType)))
                {
                    report(GplViolation(call.Location, helper));
                }

                foreach (var map in call.MapArguments)
                {
                    if (_symbols.GetMapType(map.Type) is int mapType && helper.MapTypes.TryGetValue(mapType, out var use)
                        && use.OnlyInProgramTypes is { } onlyIn && !onlyIn.Contains(declared.ProgramType))
                    {
                        report(MapRejected(helper, map, mapType));
                    }
                }
            }

            private Diagnostic GplViolation(Location location, HelperFacts helper)
            {
                var licence = _symbols.License is null ? "the assembly declares no licence ([assembly: BpfLicense] is missing)" : $"the assembly's licence \"{_symbols.License}\" is not GPL-compatible";
                return Diagnostic.Create(Descriptors.GplOnlyHelper, location, helper.ToString(), licence);
            }

            private static Diagnostic MapRejected(HelperFacts helper, MapArgument map, int mapType)
            {
                var accepted = helper.MapTypes
                    .Select(m => MapTypeName(m.Key) + (m.Value.OnlyInProgramTypes is null ? string.Empty : " (in " + string.Join(", ", m.Value.OnlyInProgramTypes.Select(p => ProgramDeclaration.ShortName(KernelTypes.ProgramTypes.FindByValue(p)?.Name ?? "?")).OrderBy(n => n, System.StringComparer.Ordinal)) + " programs)"))
                    .OrderBy(n => n, System.StringComparer.Ordinal)
                    .ToArray();
                var working = helper.MapTypes.Where(m => !m.Value.AlwaysFails && m.Value.OnlyInProgramTypes is null).Select(m => MapTypeName(m.Key)).ToArray();
                return Diagnostic.Create(
                    Descriptors.MapTypeNotAccepted,
                    map.Location,
                    MapClassProperties(helper, working),
                    mapType.ToString(CultureInfo.InvariantCulture),
                    helper.ToString(),
                    map.Text,
                    map.Type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat),
                    MapTypeName(mapType),
                    helper.Name,
                    accepted.Length == 0 ? "no map type" : string.Join(", ", accepted));
            }

            // For the code fix: the map classes that would work, best first.
            private static ImmutableDictionary<string, string?> MapClassProperties(HelperFacts helper, IEnumerable<string> mapTypes) =>
                ImmutableDictionary<string, string?>.Empty.Add(
                    "MapClasses",
                    string.Join(",", mapTypes.Select(n => KernelTypes.MapTypes.FindByName(n)).Where(m => m?.MapClass != null).Select(m => m!.MapClass).Distinct()));

            private static string MapTypeName(int value) => KernelTypes.MapTypes.FindByValue(value)?.Name ?? "map type " + value.ToString(CultureInfo.InvariantCulture);

            private static string Chain(Dictionary<IMethodSymbol, IMethodSymbol> previous, IMethodSymbol method)
            {
                var names = new List<string>();
                for (var current = method; ; current = previous[current])
                {
                    names.Add(current.Name);
                    if (SymbolEqualityComparer.Default.Equals(previous[current], current))
                    {
                        break;
                    }
                }

                names.Reverse();
                return string.Join(" -> ", names);
            }

            private static bool TryUnsigned(object constant, out ulong value)
            {
                switch (constant)
                {
                    case ulong u: value = u; return true;
                    case long l: value = unchecked((ulong)l); return true;
                    case uint ui: value = ui; return true;
                    case int i: value = unchecked((ulong)i); return true;
                    default: value = 0; return false;
                }
            }
        }

        private static ImmutableArray<MapArgument> MapArgumentsOf(IInvocationOperation invocation, INamedTypeSymbol bpfMap)
        {
            var maps = ImmutableArray.CreateBuilder<MapArgument>();
            foreach (var argument in invocation.Arguments)
            {
                if (argument.Parameter is null || !SymbolEqualityComparer.Default.Equals(argument.Parameter.Type, bpfMap))
                {
                    continue;
                }

                var value = argument.Value;
                while (value is IConversionOperation conversion && conversion.IsImplicit)
                {
                    value = conversion.Operand;
                }

                if (value.Type is ITypeSymbol type)
                {
                    maps.Add(new MapArgument(argument, value, type));
                }
            }

            return maps.ToImmutable();
        }

        // The method whose body holds the code: lambdas and local functions belong to the method that contains them.
        private static IMethodSymbol? Member(ISymbol? symbol)
        {
            for (var current = symbol; current != null && current is not INamedTypeSymbol; current = current.ContainingSymbol)
            {
                if (current is IMethodSymbol method && method.MethodKind != MethodKind.LocalFunction && method.MethodKind != MethodKind.AnonymousFunction)
                {
                    return method;
                }
            }

            return null;
        }
    }
}
