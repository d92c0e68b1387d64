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
            Descriptors.PackedStruct,
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

                start.Options.AnalyzerConfigOptionsProvider.GlobalOptions.TryGetValue("build_property.MSBuildProjectDirectory", out var projectDirectory);
                var run = new Run(start.Compilation, projectDirectory, start.CancellationToken);

                // Each program with its callees, maps and structs, once the compiler has bound its body (for every analyzer
                // that reads operations), as an IDE analyses the method being typed.
                start.RegisterOperationBlockAction(block =>
                {
                    // The generator of the same build has translated the program already, most often: its clean unit is reused.
                    if (!(block.OwningSymbol is IMethodSymbol method) || method.GetAttributes().Length == 0 || !BpfMethodCheck.IsProgram(block.Compilation, method)
                        || BpfTranslator.TranslateProgram(block.Compilation, method, TranslationCache.Shared, run.Context, block.CancellationToken) is not ObjectFragment fragment)
                    {
                        return;
                    }

                    run.Report(fragment, block.ReportDiagnostic);
                    run.Claims[run.Order(method)] = (method, fragment.Claims);
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
                    run.Claims[programs.Select(run.Order).Min().AfterPrograms()] = (null, fragment.Claims);
                }, SymbolKind.NamedType);

                // Two members that would take one name in the object: only all programs together can tell.
                start.RegisterCompilationEndAction(end =>
                {
                    var units = run.Claims.OrderBy(c => c.Key).Select(c => c.Value).ToList();
                    var conflicts = ObjectNameClaim.Conflicts(units.SelectMany(u => u.Claims)).ToList();
                    if (conflicts.Any(c => c.Location == Location.None))
                    {
                        // A reused unit's names carry no location: translate the programs again to say where.
                        units = units.Select(u => u.Program is IMethodSymbol program && u.Claims.Any(c => c.Location is null)
                            ? (u.Program, BpfTranslator.TranslateProgram(end.Compilation, program, end.CancellationToken)?.Claims ?? u.Claims)
                            : u).ToList();
                        conflicts = ObjectNameClaim.Conflicts(units.SelectMany(u => u.Claims)).ToList();
                    }

                    foreach (var problem in conflicts)
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
                    CompilerDiagnosticIds.PackedStruct => Descriptors.PackedStruct,
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

            private readonly System.Lazy<TranslationContext> _context;

            public Run(Compilation compilation, string? projectDirectory, System.Threading.CancellationToken cancellationToken)
            {
                _treeOrder = compilation.SyntaxTrees.Select((tree, index) => (tree, index)).ToDictionary(t => t.tree, t => t.index);
                _context = new System.Lazy<TranslationContext>(() => TranslationCache.Shared.Context(compilation, projectDirectory, cancellationToken));
            }

            /// <summary>The compilation as the translation cache compares it, made when the first program asks.</summary>
            public TranslationContext Context => _context.Value;

            /// <summary>Each unit's names, in the object's order: programs in source order, then each class's declared maps.</summary>
            public ConcurrentDictionary<UnitOrder, (IMethodSymbol? Program, IReadOnlyList<ObjectNameClaim> Claims)> Claims { get; } = new ConcurrentDictionary<UnitOrder, (IMethodSymbol?, IReadOnlyList<ObjectNameClaim>)>();

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
