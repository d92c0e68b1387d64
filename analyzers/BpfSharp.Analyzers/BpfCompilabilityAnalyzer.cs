using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using BpfSharp.Compiler;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace BpfSharp.Analyzers
{
    /// <summary>
    /// BPF2xxx: C# in a [BpfProgram] method, or in a method it calls, that cannot become BPF; program and map names the
    /// object cannot carry. The translator that writes the C for the build decides, one program at a time (the unit the
    /// build's object is made of), on the semantic models the compiler shares between analyzers: what this reports is
    /// exactly what keeps the object from being written.
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
            context.RegisterCompilationStartAction(start =>
            {
                if (start.Compilation.GetTypeByMetadataName(BpfSharp.Spec.DeclaredSection.AttributeMetadataName) is null)
                {
                    return;
                }

                var run = new Run(start.Compilation);

                // Each program with its callees, maps and structs, once the compiler has bound its body (for every analyzer
                // that reads operations), as an IDE analyses the method being typed.
                start.RegisterOperationBlockAction(block =>
                {
                    if (!(block.OwningSymbol is IMethodSymbol method) || method.GetAttributes().Length == 0 || !BpfMethodCheck.IsProgram(block.Compilation, method)
                        || BpfTranslator.TranslateProgram(block.Compilation, method, block.CancellationToken) is not ObjectFragment fragment)
                    {
                        return;
                    }

                    run.Report(fragment, block.ReportDiagnostic);
                    run.Claims[run.Order(method)] = fragment.Claims;
                });

                // The maps a class of programs declares but none uses: the object holds them too.
                start.RegisterSymbolAction(symbol =>
                {
                    var type = (INamedTypeSymbol)symbol.Symbol;
                    var programs = type.GetMembers().OfType<IMethodSymbol>().Where(m => m.GetAttributes().Length > 0 && BpfMethodCheck.IsProgram(symbol.Compilation, m)).ToList();
                    if (programs.Count == 0 || BpfTranslator.TranslateDeclaredMaps(symbol.Compilation, type, symbol.CancellationToken) is not ObjectFragment fragment)
                    {
                        return;
                    }

                    run.Report(fragment, symbol.ReportDiagnostic);
                    run.Claims[programs.Select(run.Order).Min().AfterPrograms()] = fragment.Claims;
                }, SymbolKind.NamedType);

                // Two members that would take one name in the object: only all programs together can tell.
                start.RegisterCompilationEndAction(end =>
                {
                    foreach (var problem in ObjectNameClaim.Conflicts(run.Claims.OrderBy(c => c.Key).SelectMany(c => c.Value)))
                    {
                        end.ReportDiagnostic(Create(problem));
                    }
                });
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

        /// <summary>One compilation's analysis: problems already reported (units share callees and maps), and the names each unit takes.</summary>
        private sealed class Run
        {
            private readonly ConcurrentDictionary<(string, SyntaxTree?, TextSpan, string), bool> _reported = new ConcurrentDictionary<(string, SyntaxTree?, TextSpan, string), bool>();
            private readonly Dictionary<SyntaxTree, int> _treeOrder;

            public Run(Compilation compilation)
            {
                _treeOrder = compilation.SyntaxTrees.Select((tree, index) => (tree, index)).ToDictionary(t => t.tree, t => t.index);
            }

            /// <summary>Each unit's names, in the object's order: programs in source order, then each class's declared maps.</summary>
            public ConcurrentDictionary<UnitOrder, IReadOnlyList<ObjectNameClaim>> Claims { get; } = new ConcurrentDictionary<UnitOrder, IReadOnlyList<ObjectNameClaim>>();

            public UnitOrder Order(IMethodSymbol program)
            {
                var location = program.Locations.FirstOrDefault();
                var tree = location?.SourceTree;
                return new UnitOrder(0, tree != null && _treeOrder.TryGetValue(tree, out var index) ? index : int.MaxValue, location?.SourceSpan.Start ?? 0);
            }

            public void Report(ObjectFragment fragment, System.Action<Diagnostic> report)
            {
                foreach (var problem in fragment.Problems)
                {
                    if (_reported.TryAdd((problem.Id, problem.Location.SourceTree, problem.Location.SourceSpan, problem.Message), true))
                    {
                        report(Create(problem));
                    }
                }
            }
        }

        private readonly struct UnitOrder : System.IComparable<UnitOrder>, System.IEquatable<UnitOrder>
        {
            public UnitOrder(int phase, int tree, int position)
            {
                Phase = phase;
                Tree = tree;
                Position = position;
            }

            public int Phase { get; }

            public int Tree { get; }

            public int Position { get; }

            public UnitOrder AfterPrograms() => new UnitOrder(1, Tree, Position);

            public int CompareTo(UnitOrder other) =>
                Phase != other.Phase ? Phase.CompareTo(other.Phase) : Tree != other.Tree ? Tree.CompareTo(other.Tree) : Position.CompareTo(other.Position);

            public bool Equals(UnitOrder other) => CompareTo(other) == 0;

            public override bool Equals(object? obj) => obj is UnitOrder other && Equals(other);

            public override int GetHashCode() => (Phase * 397 + Tree) * 397 + Position;
        }
    }
}
