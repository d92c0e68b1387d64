using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Threading;
using BpfSharp.Spec;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace BpfSharp.Compiler
{
    /// <summary>
    /// Translates the [BpfProgram] methods of a compilation, the static methods they call and the map fields they use
    /// into one C file for <c>clang -O2 -g -target bpf</c>: programs keep their method names and sections, maps their
    /// field names, and every statement carries a <c>#line</c> back to its C# line so that BTF line info (and so the
    /// verifier's log) points at C#.
    /// </summary>
    public static class BpfTranslator
    {
        /// <summary>Translates; <paramref name="sourceRoot"/> (the project directory) makes <c>#line</c> paths relative, so the object is the same in every checkout.</summary>
        public static TranslationResult Translate(Compilation compilation, string? sourceRoot = null, CancellationToken cancellationToken = default)
        {
            var symbols = KnownSymbols.Create(compilation);
            if (symbols is null)
            {
                return new TranslationResult(null, ImmutableArray<string>.Empty, ImmutableArray<TranslationProblem>.Empty);
            }

            var programs = new List<(IMethodSymbol Method, MethodDeclarationSyntax Syntax, string Section)>();
            foreach (var tree in compilation.SyntaxTrees)
            {
                var model = compilation.GetSemanticModel(tree);
                foreach (var declaration in tree.GetRoot(cancellationToken).DescendantNodes().OfType<MethodDeclarationSyntax>().Where(m => m.AttributeLists.Count > 0))
                {
                    if (model.GetDeclaredSymbol(declaration, cancellationToken) is IMethodSymbol method && symbols.Section(method) is string section)
                    {
                        programs.Add((method, declaration, section));
                    }
                }
            }

            if (programs.Count == 0)
            {
                return new TranslationResult(null, ImmutableArray<string>.Empty, ImmutableArray<TranslationProblem>.Empty);
            }

            var names = programs.Select(p => p.Method.Name).ToImmutableArray();
            var bodies = programs.Select(p => p.Syntax.GetLocation()).ToImmutableArray();
            try
            {
                var unit = new TranslationUnit(compilation, symbols, sourceRoot, cancellationToken);
                foreach (var (method, syntax, section) in programs)
                {
                    unit.AddProgram(method, syntax, section);
                }

                foreach (var programClass in programs.Select(p => p.Method.ContainingType).Distinct<INamedTypeSymbol>(SymbolEqualityComparer.Default))
                {
                    unit.AddDeclaredMaps(programClass);
                }

                var text = unit.Write();
                var stopped = unit.Problems.Any(p => CompilerDiagnosticIds.StopsTheObject(p.Id));
                return new TranslationResult(stopped ? null : text, names, unit.Problems.ToImmutableArray(), bodies);
            }
            catch (Exception e) when (!(e is OperationCanceledException))
            {
                // A translator bug must not break the user's build: it becomes a located problem, and no object.
                var problem = new TranslationProblem(CompilerDiagnosticIds.UnsupportedConstruct, programs[0].Syntax.Identifier.GetLocation(), "the BPF compiler failed on this program (" + e.GetType().Name + ": " + e.Message + "); please report it");
                return new TranslationResult(null, names, ImmutableArray.Create(problem), bodies);
            }
        }
    }

    /// <summary>Per-method checks, for an IDE that analyses one method while it is typed.</summary>
    public static class BpfMethodCheck
    {
        /// <summary>Whether a problem is about a program's or map's name, which only the whole object can judge.</summary>
        public static bool IsNameProblem(TranslationProblem problem) =>
            problem.Id == CompilerDiagnosticIds.ObjectName || problem.Id == CompilerDiagnosticIds.LongObjectName;

        /// <summary>Whether a method declares a BPF program.</summary>
        public static bool IsProgram(Compilation compilation, IMethodSymbol method) =>
            KnownSymbols.Create(compilation) is KnownSymbols symbols && symbols.Section(method) != null;

        /// <summary>
        /// The problems inside one [BpfProgram] method's own body (its callees are translated to know their
        /// signatures, and their problems left to the compilation-wide check).
        /// </summary>
        public static ImmutableArray<TranslationProblem> Problems(Compilation compilation, IMethodSymbol method, CancellationToken cancellationToken = default)
        {
            var symbols = KnownSymbols.Create(compilation);
            var syntax = method.DeclaringSyntaxReferences.Select(r => r.GetSyntax(cancellationToken)).OfType<MethodDeclarationSyntax>().FirstOrDefault();
            if (symbols is null || syntax is null || symbols.Section(method) is not string section)
            {
                return ImmutableArray<TranslationProblem>.Empty;
            }

            try
            {
                var unit = new TranslationUnit(compilation, symbols, null, cancellationToken);
                unit.AddProgram(method, syntax, section);
                // Names are checked against the whole object, by the compilation-wide check.
                return unit.Problems.Where(p => !IsNameProblem(p) && p.Location.SourceTree == syntax.SyntaxTree && syntax.Span.Contains(p.Location.SourceSpan)).ToImmutableArray();
            }
            catch (Exception e) when (!(e is OperationCanceledException))
            {
                return ImmutableArray<TranslationProblem>.Empty; // the compilation-wide check reports translator failures
            }
        }
    }

    /// <summary>The BpfSharp types a translation needs, looked up once.</summary>
    internal sealed class KnownSymbols
    {
        private readonly Compilation _compilation;

        private KnownSymbols(Compilation compilation)
        {
            _compilation = compilation;
            Program = compilation.GetTypeByMetadataName("BpfSharp.BpfProgramAttribute")!;
            Helper = compilation.GetTypeByMetadataName("BpfSharp.BpfHelperAttribute")!;
            MapClass = compilation.GetTypeByMetadataName("BpfSharp.BpfMapClassAttribute")!;
            Map = compilation.GetTypeByMetadataName("BpfSharp.BpfMap")!;
            Pinned = compilation.GetTypeByMetadataName("BpfSharp.BpfPinnedAttribute");
            License = compilation.Assembly.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == "BpfSharp.BpfLicenseAttribute")?.ConstructorArguments.FirstOrDefault().Value as string;
        }

        public INamedTypeSymbol Program { get; }

        public INamedTypeSymbol Helper { get; }

        public INamedTypeSymbol MapClass { get; }

        public INamedTypeSymbol Map { get; }

        /// <summary>[BpfPinned], absent from runtimes older than pinning.</summary>
        public INamedTypeSymbol? Pinned { get; }

        public string? License { get; }

        private HashSet<string>? _helperNames;

        /// <summary>Whether a C name is a helper's (every helper the generated BpfHelpers knows, used or not).</summary>
        public bool IsHelperName(string name) =>
            (_helperNames ??= new HashSet<string>(
                (_compilation.GetTypeByMetadataName("BpfSharp.BpfHelpers")?.GetMembers().OfType<IMethodSymbol>() ?? Enumerable.Empty<IMethodSymbol>())
                    .Select(m => HelperOf(m)?.Name).OfType<string>(),
                StringComparer.Ordinal)).Contains(name);

        public static KnownSymbols? Create(Compilation compilation) =>
            compilation.GetTypeByMetadataName("BpfSharp.BpfProgramAttribute") is null || compilation.GetTypeByMetadataName("BpfSharp.BpfMap") is null
                ? null
                : new KnownSymbols(compilation);

        /// <summary>The ELF section of a program method: the section name as written, or the canonical one of its program type.</summary>
        public string? Section(IMethodSymbol method)
        {
            var attribute = method.GetAttributes().FirstOrDefault(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, Program));
            if (attribute is null || attribute.ConstructorArguments.Length != 1)
            {
                return null;
            }

            var argument = attribute.ConstructorArguments[0].Value;
            if (argument is string section)
            {
                return SectionNames.Resolve(section) is null ? null : section;
            }

            return argument is int value && KernelTypes.ProgramTypes.FindByValue(value) is KernelEnumMember type
                ? SectionNames.All.FirstOrDefault(d => d.ProgramType == type.Name && !d.RequiresTarget && !d.Pattern.EndsWith("+", StringComparison.Ordinal) && !d.Pattern.EndsWith("/", StringComparison.Ordinal))?.Pattern
                  ?? SectionNames.All.FirstOrDefault(d => d.ProgramType == type.Name && !d.RequiresTarget)?.Prefix
                : null;
        }

        /// <summary>The helper a stub stands for: (kernel name, id), or null.</summary>
        public (string Name, int Id)? HelperOf(IMethodSymbol method)
        {
            var attribute = method.GetAttributes().FirstOrDefault(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, Helper));
            return attribute is { ConstructorArguments: { Length: 2 } arguments } && arguments[0].Value is string name && arguments[1].Value is int id
                ? (name, id)
                : ((string, int)?)null;
        }

        /// <summary>The kernel map type of a map class (its own or an ancestor's [BpfMapClass]).</summary>
        public int? MapTypeOf(ITypeSymbol type)
        {
            for (var current = type as INamedTypeSymbol; current != null; current = current.BaseType)
            {
                var attribute = current.OriginalDefinition.GetAttributes().FirstOrDefault(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, MapClass));
                if (attribute?.ConstructorArguments.FirstOrDefault().Value is int mapType)
                {
                    return mapType;
                }
            }

            return null;
        }
    }
}
