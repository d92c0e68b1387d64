using System.Collections.Immutable;
using BpfSharp.Analyzers.HelperCalls;
using BpfSharp.Analyzers.HelperCalls.Rules;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace BpfSharp.Analyzers
{
    /// <summary>
    /// Everything the verifier would say about a helper call (facts from the attributes of the called stub), judged
    /// while each method body is analysed: the calls in a [BpfProgram] method for that program, and the calls in any
    /// other method for every program that reaches it through calls (<see cref="CallGraph"/>). So an IDE shows every
    /// verdict as the file is typed, with its default settings. The verdicts come from the spec or from a kernel
    /// profile (<see cref="IHelperVerdicts"/>); each rule's message is in its file under Rules/. BpfPacket loads
    /// (BPF0013) follow the same calls.
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
            Descriptors.HelperNeedsCapability,
            Descriptors.PacketLoadNotAllowed);

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
                var spec = new SpecVerdicts(target.Version);
                var analysis = new MethodAnalysis(symbols, target.Profile is null ? spec : new ProfileVerdicts(target.Profile, spec), new CallGraph(start.Compilation, symbols));
                // Operation blocks: the driver builds each body's operation tree once for every analyzer that asks.
                start.RegisterOperationBlockAction(analysis.Analyze);
                if (problems.Count > 0)
                {
                    start.RegisterCompilationEndAction(end =>
                    {
                        foreach (var problem in problems)
                        {
                            end.ReportDiagnostic(problem);
                        }
                    });
                }
            });
        }

        private sealed class MethodAnalysis
        {
            private readonly BpfSymbols _symbols;
            private readonly IHelperVerdicts _verdicts;
            private readonly CallGraph _graph;

            public MethodAnalysis(BpfSymbols symbols, IHelperVerdicts verdicts, CallGraph graph)
            {
                _symbols = symbols;
                _verdicts = verdicts;
                _graph = graph;
            }

            [System.Runtime.CompilerServices.MethodImpl(BpfSharp.Compiler.HotPath.Optimized)]
            public void Analyze(OperationBlockAnalysisContext context)
            {
                if (CallGraph.Member(context.OwningSymbol) is not IMethodSymbol method)
                {
                    return;
                }

                var calls = _graph.Record(method, context.OperationBlocks);
                var helperCalls = calls.HelperCalls;
                if (helperCalls.IsEmpty && calls.PacketLoads.IsEmpty)
                {
                    return;
                }

                System.Action<Diagnostic> report = context.ReportDiagnostic;
                var sites = ImmutableArray.CreateBuilder<CallSite>(helperCalls.Length);
                foreach (var call in helperCalls)
                {
                    var site = new CallSite(report, call, _symbols.License);
                    sites.Add(site);
                    FlagsRule.Check(site);
                    _verdicts.JudgeCall(site);
                }

                if (_symbols.IsProgram(method))
                {
                    Judge(report, sites, calls.PacketLoads, method, chain: null);
                }

                foreach (var (program, chain) in _graph.ProgramsReaching(method, context.CancellationToken))
                {
                    Judge(report, sites, calls.PacketLoads, program, chain);
                }
            }

            [System.Runtime.CompilerServices.MethodImpl(BpfSharp.Compiler.HotPath.Optimized)]
            private void Judge(System.Action<Diagnostic> report, ImmutableArray<CallSite>.Builder sites, ImmutableArray<IInvocationOperation> packetLoads, IMethodSymbol program, string? chain)
            {
                foreach (var declared in _symbols.GetPrograms(program))
                {
                    foreach (var site in sites)
                    {
                        _verdicts.JudgeInProgram(new ProgramSite(site, program, declared, chain));
                    }

                    foreach (var load in packetLoads)
                    {
                        PacketLoadRule.Check(report, load, program, declared, chain);
                    }
                }
            }
        }
    }
}
