using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using BpfSharp.Spec;
using BpfSharp.Spec.Profiles;
using Microsoft.CodeAnalysis;
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
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
            Descriptors.HelperNotAllowedInProgramType,
            Descriptors.MapTypeNotAccepted,
            Descriptors.KernelTooOld,
            Descriptors.GplOnlyHelper,
            Descriptors.FlagsNotAccepted,
            Descriptors.MapOperationAlwaysFails,
            Descriptors.InvalidTargetKernel,
            Descriptors.HelperDependsOnAttachType,
            Descriptors.HelperNeedsEnvironment,
            Descriptors.KernelProfileProblem,
            Descriptors.HelperNeedsCapability);

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

                var target = KernelTarget.Read(start.Options, start.CancellationToken, out var problems);
                var analysis = new CompilationAnalysis(symbols, target);
                // Operation actions: the operation trees are built once per method body for every analyzer that asks, and
                // the SDK's default analyzers ask in every build, so reading calls from them costs next to nothing;
                // semantic-model queries per call cost more than all the checks (docs/PERFORMANCE.md).
                start.RegisterOperationAction(analysis.AnalyzeInvocation, OperationKind.Invocation);
                start.RegisterOperationAction(analysis.AnalyzeMethodReference, OperationKind.MethodReference);
                start.RegisterCompilationEndAction(end =>
                {
                    analysis.AnalyzeReachableCalls(end);
                    foreach (var problem in problems)
                    {
                        end.ReportDiagnostic(problem);
                    }
                });
            });
        }

        /// <summary>A helper call recorded for the end-of-compilation pass.</summary>
        private sealed class HelperCall
        {
            public HelperCall(HelperFacts helper, SyntaxNode syntax, ImmutableArray<MapArgument> mapArguments)
            {
                Helper = helper;
                Syntax = syntax;
                MapArguments = mapArguments;
            }

            public HelperFacts Helper { get; }

            public SyntaxNode Syntax { get; }

            public Location Location => Syntax.GetLocation();

            /// <summary>The arguments for BpfMap parameters whose class names a map type.</summary>
            public ImmutableArray<MapArgument> MapArguments { get; }
        }

        private sealed class MapArgument
        {
            public MapArgument(SyntaxNode value, ITypeSymbol type, int mapType)
            {
                Value = value;
                Type = type;
                MapType = mapType;
            }

            /// <summary>The value passed, without a name colon: that is what is wrong.</summary>
            public SyntaxNode Value { get; }

            public Location Location => Value.GetLocation();

            public string Text => Value.ToString();

            public ITypeSymbol Type { get; }

            public int MapType { get; }
        }

        private sealed class CompilationAnalysis
        {
            private readonly BpfSymbols _symbols;
            private readonly KernelVersion? _target;
            private readonly KernelProfile? _profile;
            // Queues, not bags: a ConcurrentBag per method costs more than the analysis of its calls.
            private readonly ConcurrentDictionary<IMethodSymbol, ConcurrentQueue<IMethodSymbol>> _calls = new ConcurrentDictionary<IMethodSymbol, ConcurrentQueue<IMethodSymbol>>(SymbolEqualityComparer.Default);
            private readonly ConcurrentDictionary<IMethodSymbol, ConcurrentQueue<HelperCall>> _helperCalls = new ConcurrentDictionary<IMethodSymbol, ConcurrentQueue<HelperCall>>(SymbolEqualityComparer.Default);
            private readonly ConcurrentDictionary<IMethodSymbol, bool> _programs = new ConcurrentDictionary<IMethodSymbol, bool>(SymbolEqualityComparer.Default);

            public CompilationAnalysis(BpfSymbols symbols, KernelTarget target)
            {
                _symbols = symbols;
                _target = target.Version;
                _profile = target.Profile;
            }

            public void AnalyzeInvocation(OperationAnalysisContext context)
            {
                var invocation = (IInvocationOperation)context.Operation;
                if (Member(context.ContainingSymbol) is not IMethodSymbol caller)
                {
                    return;
                }

                if (_symbols.GetHelper(invocation.TargetMethod) is not HelperFacts helper)
                {
                    RecordCall(caller, invocation.TargetMethod);
                    return;
                }

                var call = new HelperCall(helper, invocation.Syntax, MapArgumentsOf(_symbols, invocation, helper));
                CheckWithoutProgram(context.ReportDiagnostic, call, invocation);
                _helperCalls.GetOrAdd(caller, _ => new ConcurrentQueue<HelperCall>()).Enqueue(call);
                if (_symbols.IsProgram(caller))
                {
                    _programs.TryAdd(caller, true);
                    foreach (var program in _symbols.GetPrograms(caller))
                    {
                        CheckInProgram(context.ReportDiagnostic, call, caller, program, chain: null);
                    }
                }
            }

            // A method passed as a delegate may run as part of the program: count it as called.
            public void AnalyzeMethodReference(OperationAnalysisContext context)
            {
                if (Member(context.ContainingSymbol) is IMethodSymbol caller)
                {
                    RecordCall(caller, ((IMethodReferenceOperation)context.Operation).Method);
                }
            }

            /// <summary>Every program, every method it reaches (shortest chain first, cycles cut), every helper call there.</summary>
            public void AnalyzeReachableCalls(CompilationAnalysisContext context)
            {
                var callees = new Dictionary<IMethodSymbol, IMethodSymbol[]>(SymbolEqualityComparer.Default);
                foreach (var program in _calls.Keys.Concat(_programs.Keys).Where(_symbols.IsProgram).Distinct<IMethodSymbol>(SymbolEqualityComparer.Default))
                {
                    var declared = _symbols.GetPrograms(program);
                    var previous = new Dictionary<IMethodSymbol, IMethodSymbol>(SymbolEqualityComparer.Default) { [program] = program };
                    var queue = new Queue<IMethodSymbol>();
                    queue.Enqueue(program);
                    while (queue.Count > 0)
                    {
                        var method = queue.Dequeue();
                        // A method's calls are queued in the order its body holds them: the driver runs one body's actions in turn.
                        if (!SymbolEqualityComparer.Default.Equals(method, program) && _helperCalls.TryGetValue(method, out var calls))
                        {
                            var chain = Chain(previous, method);
                            foreach (var call in calls)
                            {
                                foreach (var programDeclaration in declared)
                                {
                                    CheckInProgram(context.ReportDiagnostic, call, program, programDeclaration, chain);
                                }
                            }
                        }

                        foreach (var callee in CalleesOf(method, callees))
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

            // The methods a method calls, in declaration order so that the chain a report names is the same in every build;
            // sorted once, and only for methods some program reaches.
            private IMethodSymbol[] CalleesOf(IMethodSymbol method, Dictionary<IMethodSymbol, IMethodSymbol[]> sorted)
            {
                if (sorted.TryGetValue(method, out var callees))
                {
                    return callees;
                }

                callees = _calls.TryGetValue(method, out var recorded) ? recorded.Distinct<IMethodSymbol>(SymbolEqualityComparer.Default).ToArray() : System.Array.Empty<IMethodSymbol>();
                if (callees.Length > 1)
                {
                    System.Array.Sort(callees, DeclarationOrder.Instance);
                }

                sorted[method] = callees;
                return callees;
            }

            private void RecordCall(IMethodSymbol caller, IMethodSymbol target)
            {
                target = target.OriginalDefinition;
                if (target.MethodKind == MethodKind.LocalFunction || target.MethodKind == MethodKind.AnonymousFunction || !IsInSource(target))
                {
                    return;
                }

                _calls.GetOrAdd(caller, _ => new ConcurrentQueue<IMethodSymbol>()).Enqueue(Member(target) ?? target);
                if (_symbols.IsProgram(caller))
                {
                    _programs.TryAdd(caller, true);
                }
            }

            // Checks that hold whatever program runs the call.
            private void CheckWithoutProgram(System.Action<Diagnostic> report, HelperCall call, IInvocationOperation invocation)
            {
                var helper = call.Helper;
                if (!helper.FlagsParameters.IsEmpty)
                {
                    CheckFlags(report, helper, invocation);
                }

                // With a kernel profile the verdicts depend on the program's variant: CheckInProgram makes them.
                if (_profile is null)
                {
                    CheckSpecFacts(report, call);
                }
            }

            // The spec's verdicts that hold whatever program runs the call: map types, the helper's version, GPL-only.
            private void CheckSpecFacts(System.Action<Diagnostic> report, HelperCall call)
            {
                var helper = call.Helper;
                foreach (var map in call.MapArguments)
                {
                    if (!helper.MapTypes.ContainsKey(map.MapType))
                    {
                        report(MapRejected(helper, map));
                    }
                    else
                    {
                        CheckAlwaysFails(report, helper, map);
                    }
                }

                if (_target is KernelVersion target && KernelVersion.TryParse(helper.Since, out var since) && since.CompareTo(target) > 0)
                {
                    report(Diagnostic.Create(Descriptors.KernelTooOld, call.Location, helper.ToString(), target.ToString(), helper.Name, since.ToString(), string.Empty));
                }

                if (helper.GplOnly && helper.GplOnlyExceptions.IsEmpty && !GplLicenses.IsCompatible(_symbols.License))
                {
                    report(GplViolation(call.Location, helper));
                }
            }

            // BPF0006: a map type the verifier accepts but on which the operation cannot succeed.
            private static void CheckAlwaysFails(System.Action<Diagnostic> report, HelperFacts helper, MapArgument map)
            {
                var mapType = map.MapType;
                if (helper.MapTypes.TryGetValue(mapType, out var use) && use.AlwaysFails)
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

            private static void CheckFlags(System.Action<Diagnostic> report, HelperFacts helper, IInvocationOperation invocation)
            {
                foreach (var argument in invocation.Arguments)
                {
                    var flags = argument.Parameter is { } parameter ? helper.FlagsParameters.FirstOrDefault(f => f.Ordinal == parameter.Ordinal) : null;
                    if (flags is null)
                    {
                        continue;
                    }

                    var constant = argument.Value.ConstantValue;
                    if (!constant.HasValue || constant.Value is null || !TryUnsigned(constant.Value, out var value))
                    {
                        continue;
                    }

                    var values = flags.AcceptedValues;
                    var rest = value & ~flags.AcceptedBits;
                    if (value == 0 || rest == 0 || (values != null && values.Value.Contains(rest)))
                    {
                        continue;
                    }

                    var why = values is null
                        ? $"bits 0x{rest.ToString("x", CultureInfo.InvariantCulture)} are not flags it takes"
                        : $"0x{rest.ToString("x", CultureInfo.InvariantCulture)} is not one of its values";
                    report(Diagnostic.Create(
                        Descriptors.FlagsNotAccepted,
                        WithoutConversions(argument.Value).Syntax.GetLocation(),
                        "0x" + value.ToString("x", CultureInfo.InvariantCulture),
                        helper.ToString(),
                        why,
                        "0 or " + (flags.Description ?? "its documented flags")));
                }
            }

            // Checks that depend on the program that runs the call; chain is null for a call in the program itself.
            private void CheckInProgram(System.Action<Diagnostic> report, HelperCall call, IMethodSymbol program, DeclaredProgram declared, string? chain)
            {
                var helper = call.Helper;
                var caller = "'" + program.Name + "'" + (chain is null ? string.Empty : " (through " + chain + ")");
                var variant = _profile?.FindVariant(declared.ProgramTypeName, declared.AttachType, declared.Sleepable);
                if (variant != null)
                {
                    CheckInProfiledProgram(report, call, caller, declared, variant);
                    return;
                }

                if (_profile != null)
                {
                    CheckSpecFacts(report, call); // a variant the profile has no answer for (the probe could not load it)
                }

                CheckProgramTypeFacts(report, helper, call.Location, caller, declared);
                if (helper.GplOnly && !helper.GplOnlyExceptions.IsEmpty && !GplLicenses.IsCompatible(_symbols.License)
                    && !helper.GplOnlyExceptions.Contains(declared.ProgramTypeName) && (declared.AttachType is null || !helper.GplOnlyExceptions.Contains(declared.AttachType)))
                {
                    report(GplViolation(call.Location, helper));
                }

                foreach (var map in call.MapArguments)
                {
                    if (helper.MapTypes.TryGetValue(map.MapType, out var use) && use.OnlyInProgramTypes is { } onlyIn && !onlyIn.Contains(declared.ProgramType))
                    {
                        report(MapRejected(helper, map));
                    }
                }
            }

            // The spec's facts for the program type: listed at all, since which version, and under which conditions.
            private void CheckProgramTypeFacts(System.Action<Diagnostic> report, HelperFacts helper, Location location, string caller, DeclaredProgram declared)
            {
                var typeName = ProgramDeclaration.ShortName(declared.ProgramTypeName);
                if (helper.ProgramTypes is not { } allowed)
                {
                    return;
                }

                if (!allowed.TryGetValue(declared.ProgramType, out var typeSince))
                {
                    var names = allowed.Keys.Select(v => KernelTypes.ProgramTypes.FindByValue(v)?.Name).Where(n => n != null).Select(n => ProgramDeclaration.ShortName(n!)).OrderBy(n => n, System.StringComparer.Ordinal).ToArray();
                    report(NotAllowed(location, helper, caller, declared, names.Length == 0 ? "no program type" : string.Join(", ", names)));
                    return;
                }

                // A program type that gained the helper after the helper itself: the verifier of an older target refuses it.
                if (_target is KernelVersion target && KernelVersion.TryParse(typeSince, out var since) && since.CompareTo(target) > 0
                    && !(KernelVersion.TryParse(helper.Since, out var helperSince) && helperSince.CompareTo(since) >= 0))
                {
                    report(NotAllowed(location, helper, caller, declared, $"{typeName} programs on Linux {since} or later (BpfTargetKernel is {target})"));
                    return;
                }

                foreach (var condition in helper.ProgramTypeConditions.Where(c => c.ProgramType == declared.ProgramType))
                {
                    var values = string.Join(", ", condition.Values);
                    switch (condition.Kind)
                    {
                        case "sleepable":
                            if (!declared.Sleepable)
                            {
                                report(NotAllowed(location, helper, caller, declared, $"sleepable {typeName} programs (the verifier: helper call might sleep in a non-sleepable prog)"));
                            }

                            break;
                        case "attach_type":
                        case "prog_trampoline":
                            var attachTypes = condition.Kind == "attach_type" ? condition.Values : TrampolineAttachTypes;
                            if (declared.AttachType is null)
                            {
                                var example = SectionNames.All.FirstOrDefault(d => d.ProgramType == declared.ProgramTypeName && d.AttachType != null && attachTypes.Contains(d.AttachType));
                                report(Diagnostic.Create(Descriptors.HelperDependsOnAttachType, location, helper.ToString(), caller, typeName, string.Join(", ", attachTypes), example?.Prefix ?? "<section>"));
                            }
                            else if (!attachTypes.Contains(declared.AttachType))
                            {
                                report(NotAllowed(location, helper, caller, declared, $"{typeName} programs loaded with the attach type {string.Join(", ", attachTypes)} (this one loads with {declared.AttachType})"));
                            }

                            break;
                        case "no_security_lockdown":
                            report(Diagnostic.Create(Descriptors.HelperNeedsEnvironment, location, helper.ToString(), caller, "when the kernel does not run with lockdown (integrity or confidentiality; /sys/kernel/security/lockdown)"));
                            break;
                        case "kconfig":
                            report(Diagnostic.Create(Descriptors.HelperNeedsEnvironment, location, helper.ToString(), caller, "when the kernel is built with " + values));
                            break;
                        case "cap":
                            report(Diagnostic.Create(Descriptors.HelperNeedsCapability, location, helper.ToString(), caller, values));
                            break;
                    }
                }
            }

            // A kernel profile answers for the program's variant: exactly what that kernel's verifier said.
            private void CheckInProfiledProgram(System.Action<Diagnostic> report, HelperCall call, string caller, DeclaredProgram declared, ProfileVariant variant)
            {
                var helper = call.Helper;
                var profile = _profile!;
                if (!variant.Allows(helper.Name))
                {
                    var refusal = variant.OtherRefusals.FirstOrDefault(r => r.Key == helper.Name).Value;
                    var allowing = profile.Variants.Where(v => v.Allows(helper.Name)).Select(v => ProgramDeclaration.ShortName(v.ProgramType)).Distinct().OrderBy(n => n, System.StringComparer.Ordinal).ToArray();
                    var where = profile.MissingHelpers.Contains(helper.Name)
                        ? $"no program type: Linux {profile.Release} does not have the helper (invalid func)"
                        : allowing.Length == 0
                            ? $"no program type on Linux {profile.Release}: its verifier refused it to every program type the probe loaded{NoneBecause(helper)}"
                            : string.Join(", ", allowing) + $" on Linux {profile.Release}" + (refusal is null ? string.Empty : " (the verifier: " + refusal + ")");
                    report(NotAllowed(call.Location, helper, caller, declared, where));
                    return;
                }

                if (variant.IsGplOnly(helper.Name) && !GplLicenses.IsCompatible(_symbols.License))
                {
                    report(GplViolation(call.Location, helper));
                }

                foreach (var map in call.MapArguments)
                {
                    var mapType = KernelTypes.MapTypes.FindByValue(map.MapType);
                    var verdicts = profile.FindMapHelper(helper.Name, declared.ProgramTypeName);
                    if (mapType is null || verdicts is null || !(verdicts.Accepts(mapType.Name) || verdicts.RefusalOf(mapType.Name) != null))
                    {
                        // The probe could not decide this map type: the spec's rules stand in.
                        if (!helper.MapTypes.TryGetValue(map.MapType, out var use) || (use.OnlyInProgramTypes is { } onlyIn && !onlyIn.Contains(declared.ProgramType)))
                        {
                            report(MapRejected(helper, map));
                        }
                    }
                    else if (!verdicts.Accepts(mapType.Name))
                    {
                        report(MapRejected(helper, map));
                    }
                    else
                    {
                        CheckAlwaysFails(report, helper, map);
                    }
                }
            }

            // Why a kernel may refuse a helper to every program type: the kernel options and lockdown the spec knows it needs.
            private static string NoneBecause(HelperFacts helper)
            {
                var options = helper.ProgramTypeConditions.Where(c => c.Kind == "kconfig").SelectMany(c => c.Values).Distinct().OrderBy(n => n, System.StringComparer.Ordinal).ToArray();
                var needs = new List<string>();
                if (options.Length > 0)
                {
                    needs.Add("built with " + string.Join(" and ", options));
                }

                if (helper.ProgramTypeConditions.Any(c => c.Kind == "no_security_lockdown"))
                {
                    needs.Add("without lockdown");
                }

                return needs.Count == 0 ? string.Empty : "; it needs a kernel " + string.Join(" and ", needs);
            }

            private static Diagnostic NotAllowed(Location location, HelperFacts helper, string caller, DeclaredProgram declared, string allowedIn) =>
                Diagnostic.Create(Descriptors.HelperNotAllowedInProgramType, location, helper.ToString(), caller, ProgramDeclaration.Describe(declared.ProgramType), helper.Name, allowedIn);

            private Diagnostic GplViolation(Location location, HelperFacts helper)
            {
                var licence = _symbols.License is null ? "the assembly declares no licence ([assembly: BpfLicense] is missing)" : $"the assembly's licence \"{_symbols.License}\" is not GPL-compatible";
                return Diagnostic.Create(Descriptors.GplOnlyHelper, location, helper.ToString(), licence);
            }

            private static Diagnostic MapRejected(HelperFacts helper, MapArgument map)
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
                    map.MapType.ToString(CultureInfo.InvariantCulture),
                    helper.ToString(),
                    map.Text,
                    map.Type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat),
                    MapTypeName(map.MapType),
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

            // The constant as the parameter receives it, sign-extended as C# converts it.
            private static bool TryUnsigned(object constant, out ulong value)
            {
                switch (constant)
                {
                    case ulong u: value = u; return true;
                    case long l: value = unchecked((ulong)l); return true;
                    case uint ui: value = ui; return true;
                    case int i: value = unchecked((ulong)i); return true;
                    case ushort us: value = us; return true;
                    case short sh: value = unchecked((ulong)sh); return true;
                    case byte b: value = b; return true;
                    case sbyte sb: value = unchecked((ulong)sb); return true;
                    case char c: value = c; return true;
                    default: value = 0; return false;
                }
            }
        }

        // bpf_prog_has_trampoline(): fentry, fexit, fmod_ret and LSM programs.
        private static readonly string[] TrampolineAttachTypes = { "BPF_TRACE_FENTRY", "BPF_TRACE_FEXIT", "BPF_MODIFY_RETURN", "BPF_LSM_MAC" };

        private static ImmutableArray<MapArgument> MapArgumentsOf(BpfSymbols symbols, IInvocationOperation invocation, HelperFacts helper)
        {
            if (helper.MapParameters.IsEmpty)
            {
                return ImmutableArray<MapArgument>.Empty;
            }

            var maps = ImmutableArray.CreateBuilder<MapArgument>();
            foreach (var argument in invocation.Arguments)
            {
                // The argument's own type, before its implicit conversion to BpfMap.
                var value = WithoutConversions(argument.Value);
                if (argument.Parameter is { } parameter && helper.MapParameters.Contains(parameter.Ordinal)
                    && value.Type is ITypeSymbol type && symbols.GetMapType(type) is int mapType)
                {
                    maps.Add(new MapArgument(value.Syntax, type, mapType));
                }
            }

            return maps.ToImmutable();
        }

        private static IOperation WithoutConversions(IOperation value)
        {
            while (value is IConversionOperation conversion && conversion.IsImplicit)
            {
                value = conversion.Operand;
            }

            return value;
        }

        private static bool IsInSource(ISymbol symbol)
        {
            foreach (var location in symbol.Locations)
            {
                if (location.IsInSource)
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>Source methods by file path, then position.</summary>
        private sealed class DeclarationOrder : IComparer<IMethodSymbol>
        {
            public static readonly DeclarationOrder Instance = new DeclarationOrder();

            public int Compare(IMethodSymbol? x, IMethodSymbol? y)
            {
                var left = x!.Locations[0];
                var right = y!.Locations[0];
                var byFile = string.CompareOrdinal(left.SourceTree?.FilePath, right.SourceTree?.FilePath);
                return byFile != 0 ? byFile : left.SourceSpan.Start.CompareTo(right.SourceSpan.Start);
            }
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
