using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Runtime.CompilerServices;
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
        public static TranslationResult Translate(Compilation compilation, string? sourceRoot = null, CancellationToken cancellationToken = default) =>
            Translate(compilation, sourceRoot, null, cancellationToken);

        /// <summary>
        /// Translates each program in its own unit (reusing the units <paramref name="cache"/> holds for programs whose
        /// sources are unchanged) and writes the object from the units' fragments. An object found whole in the cache
        /// comes without its problems (the analyzers report them).
        /// </summary>
        public static TranslationResult Translate(Compilation compilation, string? sourceRoot, TranslationCache? cache, CancellationToken cancellationToken) =>
            Translate(compilation, sourceRoot, cache, null, cancellationToken);

        /// <summary>The same, for a compilation whose context the caller has already made (to import or export kept units).</summary>
        public static TranslationResult Translate(Compilation compilation, TranslationContext context, CancellationToken cancellationToken) =>
            Translate(compilation, context.SourceRoot, context.Cache, context, cancellationToken);

        private static TranslationResult Translate(Compilation compilation, string? sourceRoot, TranslationCache? cache, TranslationContext? madeContext, CancellationToken cancellationToken)
        {
            // Declarations unchanged and every unit kept: the object is written without binding a thing.
            var symbols = KnownSymbols.Create(compilation);
            var context = symbols is null ? null : madeContext ?? cache?.Context(compilation, sourceRoot, cancellationToken);
            if (context != null && cache!.FindObject(context) is TranslatedObject kept)
            {
                return new TranslationResult(kept.C, kept.Programs, ImmutableArray<TranslationProblem>.Empty);
            }

            if (context != null && Retranslated(compilation, symbols!, context, cache!, sourceRoot, cancellationToken) is TranslationResult edited)
            {
                return edited;
            }

            var programs = symbols is null ? new List<ProgramDeclaration>() : Programs(compilation, symbols, cancellationToken);
            if (symbols is null || programs.Count == 0)
            {
                context?.Keep(new List<string>(), ImmutableArray<string>.Empty, null);
                return new TranslationResult(null, ImmutableArray<string>.Empty, ImmutableArray<TranslationProblem>.Empty);
            }

            var names = programs.Select(p => p.Method.Name).ToImmutableArray();
            try
            {
                var fragments = new List<ObjectFragment>();
                var keys = new List<string>();
                foreach (var program in programs)
                {
                    var key = "program " + TranslationUnit.SymbolKey(program.Method);
                    keys.Add(key);
                    fragments.Add(cache?.Find(context!, key) ?? cache?.Keep(context!, key, TranslateProgram(compilation, symbols, program, sourceRoot, cancellationToken))
                        ?? TranslateProgram(compilation, symbols, program, sourceRoot, cancellationToken));
                }

                foreach (var programClass in ProgramClasses(programs))
                {
                    var key = "class " + TranslationUnit.SymbolKey(programClass);
                    keys.Add(key);
                    fragments.Add(cache?.Find(context!, key) ?? cache?.Keep(context!, key, DeclaredMaps(compilation, symbols, programClass, sourceRoot, cancellationToken))
                        ?? DeclaredMaps(compilation, symbols, programClass, sourceRoot, cancellationToken));
                }

                var license = symbols.License ?? "Proprietary";
                var result = Write(compilation, license, names, fragments, () => WholeUnit(compilation, symbols, programs, sourceRoot, cancellationToken), out var asOneUnit);
                if (!asOneUnit)
                {
                    context?.Keep(keys, names, result.C);
                }

                return result;
            }
            catch (Exception e) when (!(e is OperationCanceledException))
            {
                // A translator bug must not break the user's build: it becomes a located problem, and no object.
                return new TranslationResult(null, names, ImmutableArray.Create(Failure(programs[0].Syntax, e)));
            }
        }

        // Declarations unchanged, some bodies edited: only the programs whose translated bodies changed are found (by the
        // place their kept unit recorded) and translated again; null when that is not enough.
        private static TranslationResult? Retranslated(Compilation compilation, KnownSymbols symbols, TranslationContext context, TranslationCache cache, string? sourceRoot, CancellationToken cancellationToken)
        {
            if (cache.FindPlan(context) is not TranslatedObject plan)
            {
                return null;
            }

            var fragments = new List<ObjectFragment>();
            var retranslated = false;
            foreach (var key in plan.Units)
            {
                if (cache.Find(context, key) is ObjectFragment found)
                {
                    fragments.Add(found);
                    continue;
                }

                retranslated = true;

                var where = cache.Kept(context, key)?.Dependencies.FirstOrDefault();
                var tree = where is null ? null : compilation.SyntaxTrees.FirstOrDefault(t => t.FilePath == where.Path);
                var syntax = tree?.GetRoot(cancellationToken).DescendantNodes(n => !(n is MemberDeclarationSyntax) || n is BaseNamespaceDeclarationSyntax || n is TypeDeclarationSyntax)
                    .OfType<MethodDeclarationSyntax>().FirstOrDefault(m => MethodDependency.MemberName(m) == where!.Member);
                if (!key.StartsWith("program ", StringComparison.Ordinal) || syntax is null
                    || !(compilation.GetSemanticModel(syntax.SyntaxTree).GetDeclaredSymbol(syntax, cancellationToken) is IMethodSymbol method)
                    || "program " + TranslationUnit.SymbolKey(method) != key || !(symbols.Section(method) is string section))
                {
                    return null;
                }

                fragments.Add(cache.Keep(context, key, TranslateProgram(compilation, symbols, new ProgramDeclaration(method, syntax, section), sourceRoot, cancellationToken)));
            }

            var result = Write(compilation, symbols.License ?? "Proprietary", plan.Programs, fragments, null, out _);
            if (result.C is null && !fragments.Any(f => f.StopsObject) && !ObjectNameClaim.Conflicts(fragments.SelectMany(f => f.Claims)).Any())
            {
                return null; // the units no longer merge: one unit must name them apart
            }

            if (retranslated)
            {
                context.Keep(plan.Units, plan.Programs, result.C);
            }
            else
            {
                context.Keep(plan, result.C);
            }

            return result;
        }

        // The object from the units' fragments, or from one unit when units translated alone gave one C name to two members.
        private static TranslationResult Write(Compilation compilation, string license, ImmutableArray<string> programs, IReadOnlyList<ObjectFragment> fragments, Func<ObjectFragment>? wholeUnit, out bool asOneUnit)
        {
            asOneUnit = false;
            var problems = Distinct(fragments.SelectMany(f => f.Problems).Concat(ObjectNameClaim.Conflicts(fragments.SelectMany(f => f.Claims)))).ToImmutableArray();
            if (fragments.Any(f => f.StopsObject) || ObjectNameClaim.Conflicts(fragments.SelectMany(f => f.Claims)).Any())
            {
                return new TranslationResult(null, programs, problems);
            }

            var text = ObjectFile.Write(compilation.AssemblyName, license, fragments);
            if (text is null && wholeUnit != null)
            {
                asOneUnit = true; // never kept as an object (see TranslationContext.Keep), so kept fragments always merge
                text = ObjectFile.Write(compilation.AssemblyName, license, new[] { wholeUnit() });
            }

            return new TranslationResult(text, programs, problems);
        }

        /// <summary>
        /// One program translated alone, with the methods it calls and the maps and structs it uses: its problems (but
        /// not name conflicts with other programs' members, which need them all) and its share of the object.
        /// </summary>
        public static ObjectFragment? TranslateProgram(Compilation compilation, IMethodSymbol method, CancellationToken cancellationToken = default) =>
            TranslateProgram(compilation, method, null, null, cancellationToken);

        /// <summary>
        /// The same, or the unit <paramref name="cache"/> keeps for the program when that is still valid and had nothing
        /// to report (its name claims then carry no location); a fresh unit is kept for the next compilation.
        /// </summary>
        public static ObjectFragment? TranslateProgram(Compilation compilation, IMethodSymbol method, TranslationCache? cache, TranslationContext? context, CancellationToken cancellationToken = default)
        {
            var key = cache is null || context is null ? null : "program " + TranslationUnit.SymbolKey(method);
            if (key != null && cache!.Find(context!, key) is { Clean: true } kept)
            {
                return kept;
            }

            var symbols = KnownSymbols.Create(compilation);
            var syntax = method.DeclaringSyntaxReferences.Select(r => r.GetSyntax(cancellationToken)).OfType<MethodDeclarationSyntax>().FirstOrDefault();
            if (symbols is null || syntax is null || symbols.Section(method) is not string section)
            {
                return null;
            }

            try
            {
                var fresh = TranslateProgram(compilation, symbols, new ProgramDeclaration(method, syntax, section), context?.SourceRoot, cancellationToken);
                return key is null ? fresh : cache!.Keep(context!, key, fresh);
            }
            catch (Exception e) when (!(e is OperationCanceledException))
            {
                return Failed(Failure(syntax, e));
            }
        }

        /// <summary>The maps a class that holds programs declares but no program uses (libbpf creates them all).</summary>
        public static ObjectFragment? TranslateDeclaredMaps(Compilation compilation, INamedTypeSymbol programClass, CancellationToken cancellationToken = default)
        {
            var symbols = KnownSymbols.Create(compilation);
            if (symbols is null)
            {
                return null;
            }

            try
            {
                return DeclaredMaps(compilation, symbols, programClass, null, cancellationToken);
            }
            catch (Exception e) when (!(e is OperationCanceledException))
            {
                return Failed(new TranslationProblem(CompilerDiagnosticIds.UnsupportedConstruct, programClass.Locations.FirstOrDefault() ?? Location.None, "the BPF compiler failed on the maps of this class (" + e.GetType().Name + ": " + e.Message + "); please report it"));
            }
        }

        private static ObjectFragment TranslateProgram(Compilation compilation, KnownSymbols symbols, ProgramDeclaration program, string? sourceRoot, CancellationToken cancellationToken)
        {
            var unit = new TranslationUnit(compilation, symbols, sourceRoot, cancellationToken);
            unit.AddProgram(program.Method, program.Syntax, program.Section);
            return unit.ToFragment();
        }

        private static ObjectFragment DeclaredMaps(Compilation compilation, KnownSymbols symbols, INamedTypeSymbol programClass, string? sourceRoot, CancellationToken cancellationToken)
        {
            var unit = new TranslationUnit(compilation, symbols, sourceRoot, cancellationToken);
            unit.AddDeclaredMaps(programClass);
            return unit.ToFragment();
        }

        /// <summary>The object as one unit translating every program writes it (what the units translated alone must add up to).</summary>
        internal static string? TranslateAsOneUnit(Compilation compilation, string? sourceRoot = null)
        {
            var symbols = KnownSymbols.Create(compilation)!;
            var fragment = WholeUnit(compilation, symbols, Programs(compilation, symbols, default), sourceRoot, default);
            return ObjectFile.Write(compilation.AssemblyName, symbols.License ?? "Proprietary", new[] { fragment });
        }

        // All programs in one unit, which numbers apart the C names that units translated alone would give to two members.
        private static ObjectFragment WholeUnit(Compilation compilation, KnownSymbols symbols, List<ProgramDeclaration> programs, string? sourceRoot, CancellationToken cancellationToken)
        {
            var unit = new TranslationUnit(compilation, symbols, sourceRoot, cancellationToken);
            foreach (var program in programs)
            {
                unit.AddProgram(program.Method, program.Syntax, program.Section);
            }

            foreach (var programClass in ProgramClasses(programs))
            {
                unit.AddDeclaredMaps(programClass);
            }

            return unit.ToFragment();
        }

        private static List<ProgramDeclaration> Programs(Compilation compilation, KnownSymbols symbols, CancellationToken cancellationToken)
        {
            var programs = new List<ProgramDeclaration>();
            foreach (var tree in compilation.SyntaxTrees)
            {
                SemanticModel? model = null;
                foreach (var declaration in tree.GetRoot(cancellationToken).DescendantNodes(n => !(n is MemberDeclarationSyntax) || n is BaseNamespaceDeclarationSyntax || n is TypeDeclarationSyntax).OfType<MethodDeclarationSyntax>().Where(m => m.AttributeLists.Count > 0))
                {
                    model ??= compilation.GetSemanticModel(tree);
                    if (model.GetDeclaredSymbol(declaration, cancellationToken) is IMethodSymbol method && symbols.Section(method) is string section)
                    {
                        programs.Add(new ProgramDeclaration(method, declaration, section));
                    }
                }
            }

            return programs;
        }

        private static IEnumerable<INamedTypeSymbol> ProgramClasses(List<ProgramDeclaration> programs) =>
            programs.Select(p => p.Method.ContainingType).Distinct<INamedTypeSymbol>(SymbolEqualityComparer.Default);

        // Units translated alone meet the same callee, struct or map problem more than once.
        private static IEnumerable<TranslationProblem> Distinct(IEnumerable<TranslationProblem> problems)
        {
            var seen = new HashSet<(string, SyntaxTree?, Microsoft.CodeAnalysis.Text.TextSpan, string)>();
            return problems.Where(p => seen.Add((p.Id, p.Location.SourceTree, p.Location.SourceSpan, p.Message)));
        }

        private static TranslationProblem Failure(MethodDeclarationSyntax program, Exception e) =>
            new TranslationProblem(CompilerDiagnosticIds.UnsupportedConstruct, program.Identifier.GetLocation(), "the BPF compiler failed on this program (" + e.GetType().Name + ": " + e.Message + "); please report it");

        private static ObjectFragment Failed(TranslationProblem problem) =>
            new ObjectFragment(
                new Dictionary<int, string>(), Array.Empty<string>(), Array.Empty<ObjectPart>(), Array.Empty<ObjectPart>(), Array.Empty<ObjectPart>(), Array.Empty<ObjectPart>(), Array.Empty<ObjectPart>(),
                Array.Empty<ObjectNameClaim>(), new[] { problem }, () => Array.Empty<MethodDependency>(), stopsObject: true);

        private sealed class ProgramDeclaration
        {
            public ProgramDeclaration(IMethodSymbol method, MethodDeclarationSyntax syntax, string section)
            {
                Method = method;
                Syntax = syntax;
                Section = section;
            }

            public IMethodSymbol Method { get; }

            public MethodDeclarationSyntax Syntax { get; }

            public string Section { get; }
        }
    }

    /// <summary>Whether a problem is about a program's or map's name, which only the whole object can judge.</summary>
    public static class BpfMethodCheck
    {
        public static bool IsNameProblem(TranslationProblem problem) =>
            problem.Id == CompilerDiagnosticIds.ObjectName || problem.Id == CompilerDiagnosticIds.LongObjectName;

        /// <summary>Whether a method declares a BPF program.</summary>
        public static bool IsProgram(Compilation compilation, IMethodSymbol method) =>
            KnownSymbols.Create(compilation) is KnownSymbols symbols && symbols.Section(method) != null;
    }

    /// <summary>The BpfSharp types a translation needs, looked up once.</summary>
    internal sealed class KnownSymbols
    {
        private readonly Compilation _compilation;

        private KnownSymbols(Compilation compilation)
        {
            _compilation = compilation;
            Program = compilation.GetTypeByMetadataName(DeclaredSection.AttributeMetadataName)!;
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

        // Map field initialisers, bound once per compilation however many programs use the map.
        private readonly System.Collections.Concurrent.ConcurrentDictionary<IFieldSymbol, IOperation?> _initialisers = new System.Collections.Concurrent.ConcurrentDictionary<IFieldSymbol, IOperation?>(SymbolEqualityComparer.Default);

        /// <summary>The operation of a static field's initialiser (its declaration's), or null.</summary>
        public IOperation? InitialiserOf(IFieldSymbol field, CancellationToken cancellationToken) =>
            _initialisers.GetOrAdd(field, f =>
            {
                var declarator = f.DeclaringSyntaxReferences.Select(r => r.GetSyntax(cancellationToken)).OfType<VariableDeclaratorSyntax>().FirstOrDefault();
                return declarator?.Initializer?.Value is ExpressionSyntax value ? _compilation.GetSemanticModel(declarator.SyntaxTree).GetOperation(value, cancellationToken) : null;
            });

        private HashSet<string>? _helperNames;

        /// <summary>Whether a C name is a helper's (every helper the generated BpfHelpers knows, used or not).</summary>
        public bool IsHelperName(string name)
        {
            if (!name.StartsWith("bpf_", StringComparison.Ordinal))
            {
                return false; // every helper's name has the prefix: the stubs' attributes are read only for such a name
            }

            var names = Volatile.Read(ref _helperNames);
            if (names is null)
            {
                names = new HashSet<string>(
                    (_compilation.GetTypeByMetadataName("BpfSharp.BpfHelpers")?.GetMembers().OfType<IMethodSymbol>() ?? Enumerable.Empty<IMethodSymbol>())
                        .Select(m => HelperOf(m)?.Name).OfType<string>(),
                    StringComparer.Ordinal);
                Volatile.Write(ref _helperNames, names);
            }

            return names.Contains(name);
        }

        // One per compilation: every program translated alone (an analyzer's unit, a generator's) shares the lookups.
        private static readonly ConditionalWeakTable<Compilation, KnownSymbols?> s_perCompilation = new ConditionalWeakTable<Compilation, KnownSymbols?>();

        public static KnownSymbols? Create(Compilation compilation) =>
            s_perCompilation.GetValue(compilation, c =>
                c.GetTypeByMetadataName(DeclaredSection.AttributeMetadataName) is null || c.GetTypeByMetadataName("BpfSharp.BpfMap") is null
                    ? null
                    : new KnownSymbols(c));

        /// <summary>The ELF section of a program method: the section name as written, or the canonical one of its program type.</summary>
        public string? Section(IMethodSymbol method)
        {
            var attribute = method.GetAttributes().FirstOrDefault(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, Program));
            if (attribute is null || attribute.ConstructorArguments.Length != 1)
            {
                return null;
            }

            // What BPF0007 refuses is no program here: the build fails on the analyzer's error.
            return DeclaredSection.FromArgument(attribute.ConstructorArguments[0].Value, out _)?.Section;
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
