using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace BpfSharp.Compiler
{
    /// <summary>
    /// Translated programs kept between compilations (an IDE's keystrokes, a compiler server's builds), so that a program
    /// is translated again only when something it is made of changed. A kept unit is reused when
    /// <list type="bullet">
    /// <item>every declaration of the compilation outside method bodies is unchanged (types, fields, signatures,
    /// attributes, usings: whatever could change what a name in the program binds to), as are the options and the
    /// referenced assemblies;</item>
    /// <item>every method whose body the unit translated is unchanged, down to its whitespace and starting line (the
    /// <c>#line</c> directives follow from both).</item>
    /// </list>
    /// An edit inside some other method's body changes neither, so it costs no translation.
    /// </summary>
    public sealed class TranslationCache
    {
        private readonly ConcurrentDictionary<string, Entry> _entries = new ConcurrentDictionary<string, Entry>(StringComparer.Ordinal);
        private readonly int _capacity;
        private int _translations;

        public TranslationCache(int capacity = 8192) => _capacity = capacity;

        /// <summary>
        /// The cache of the process: the generator keeps what it translates, and the analyzers of the same compilation
        /// (in csc, right after it) find the programs already translated.
        /// </summary>
        public static TranslationCache Shared { get; } = new TranslationCache();

        /// <summary>The file name the helper stubs have, whether the generator parsed them for itself or added them to the compilation.</summary>
        public const string HelpersFileName = "BpfSharp.BpfHelpers.g.cs";

        /// <summary>The generated tracepoint contexts' file name (the generator adds it to the compilation it translates, as to the user's).</summary>
        public const string TracepointContextsFileName = "BpfSharp.Kernel.Tracepoints.g.cs";

        /// <summary>The file name of the generated C constant, which no program depends on.</summary>
        public const string ObjectSourceFileName = "BpfSharp.BpfObject.g.cs";

        /// <summary>The file name of the generated constant that carries the kept units to the next compiler process, which no program depends on either.</summary>
        public const string UnitsSourceFileName = "BpfSharp.BpfUnits.g.cs";

        /// <summary>How many units were translated (not found) since this cache was made.</summary>
        public int Translations => Volatile.Read(ref _translations);

        /// <summary>What a compilation's kept units are checked against.</summary>
        public TranslationContext Context(Compilation compilation, string? sourceRoot, CancellationToken cancellationToken) =>
            new TranslationContext(this, compilation, sourceRoot, cancellationToken);

        /// <summary>
        /// The object last written for this project, when its declarations (and so its programs, their sections and the
        /// licence) are the compilation's and every unit it was written from is still valid: nothing to bind or write.
        /// </summary>
        public TranslatedObject? FindObject(TranslationContext context)
        {
            if (!_entries.TryGetValue(context.Scope + "\nobject", out var entry) || entry.Fingerprint != context.Fingerprint || entry.Object is null
                || entry.Object.Fragments.Count != entry.Object.Units.Count)
            {
                return null; // nothing kept, or a plan read from the previous process's file (its units merge on first use)
            }

            for (var i = 0; i < entry.Object.Units.Count; i++)
            {
                var key = entry.Object.Units[i];
                if (!ReferenceEquals(Kept(context, key), entry.Object.Fragments[i]) || Find(context, key) is null)
                {
                    return null; // a unit was translated again since (another project state), or is stale now
                }
            }

            return entry.Object;
        }

        /// <summary>The object last written for this project, when its declarations are the compilation's (its units may be stale).</summary>
        public TranslatedObject? FindPlan(TranslationContext context) =>
            _entries.TryGetValue(context.Scope + "\nobject", out var entry) && entry.Fingerprint == context.Fingerprint ? entry.Object : null;

        internal void KeepObject(TranslationContext context, TranslatedObject translated) =>
            _entries[context.Scope + "\nobject"] = new Entry(context.Fingerprint, null, translated);

        /// <summary>
        /// The project's kept units as text for the next compiler process (<see cref="KeptUnitsFile"/>), or null when no
        /// written object is kept for this compilation.
        /// </summary>
        public string? Export(TranslationContext context)
        {
            if (!_entries.TryGetValue(context.Scope + "\nobject", out var entry) || entry.Fingerprint != context.Fingerprint || entry.Object?.C is null
                || entry.Object.Fragments.Count != entry.Object.Units.Count)
            {
                return null;
            }

            return entry.Object.Exported ??= KeptUnitsFile.Write(context.Fingerprint, context.SourceRoot, entry.Object);
        }

        /// <summary>
        /// Takes the units a previous compiler process exported for this project, when this process keeps none for the
        /// compilation's declarations and they were kept for the same declarations by this translator; false otherwise.
        /// Units whose methods changed since are translated again as usual.
        /// </summary>
        public bool Import(TranslationContext context, string text)
        {
            if (FindPlan(context) != null || KeptUnitsFile.Fingerprint(text) != context.Fingerprint || !(KeptUnitsFile.Read(text, context.SourceRoot) is var (units, fragments, programs)))
            {
                return false;
            }

            for (var i = 0; i < units.Count; i++)
            {
                _entries[context.Scope + "\n" + units[i]] = new Entry(context.Fingerprint, fragments[i], null);
            }

            _entries[context.Scope + "\nobject"] = new Entry(context.Fingerprint, null, new TranslatedObject(units, new List<ObjectFragment>(), programs.ToImmutableArray(), null) { Exported = text });
            return true;
        }

        /// <summary>The unit kept under this key, when still valid for the compilation.</summary>
        [System.Runtime.CompilerServices.MethodImpl(HotPath.Optimized)]
        public ObjectFragment? Find(TranslationContext context, string key) =>
            _entries.TryGetValue(context.Scope + "\n" + key, out var entry)
            && entry.Fingerprint == context.Fingerprint
            && entry.Fragment != null
            && entry.Fragment.Dependencies.All(context.IsUnchanged)
                ? entry.Fragment
                : null;

        internal ObjectFragment? Kept(TranslationContext context, string key) =>
            _entries.TryGetValue(context.Scope + "\n" + key, out var entry) ? entry.Fragment : null;

        /// <summary>Keeps a fresh unit (without its Roslyn objects) and gives it back.</summary>
        public ObjectFragment Keep(TranslationContext context, string key, ObjectFragment fresh)
        {
            Interlocked.Increment(ref _translations);
            if (_entries.Count >= _capacity)
            {
                _entries.Clear(); // bounded: a server that saw many projects starts over
            }

            _entries[context.Scope + "\n" + key] = new Entry(context.Fingerprint, fresh.Detached(), null);
            return fresh;
        }

        private sealed class Entry
        {
            public Entry(string fingerprint, ObjectFragment? fragment, TranslatedObject? translated)
            {
                Fingerprint = fingerprint;
                Fragment = fragment;
                Object = translated;
            }

            public string Fingerprint { get; }

            public ObjectFragment? Fragment { get; }

            public TranslatedObject? Object { get; }
        }
    }

    /// <summary>An object as written: its units in object order (programs in source order, then each class's declared maps), its programs' names, its C.</summary>
    public sealed class TranslatedObject
    {
        internal TranslatedObject(List<string> units, List<ObjectFragment> fragments, ImmutableArray<string> programs, string? c)
        {
            Units = units;
            Fragments = fragments;
            Programs = programs;
            C = c;
        }

        internal List<string> Units { get; }

        // The kept fragments (as the cache holds them) the C was written from.
        internal List<ObjectFragment> Fragments { get; }

        public ImmutableArray<string> Programs { get; }

        /// <summary>The C, or null when a problem stopped the object.</summary>
        public string? C { get; }

        // What Export made of it: a compiler server's next build of the same object writes nothing again.
        internal string? Exported { get; set; }
    }

    /// <summary>A compilation as <see cref="TranslationCache"/> compares it: its project, and a fingerprint of everything outside method bodies.</summary>
    public sealed class TranslationContext
    {
        // By path; null where two trees share one (no kept unit can be checked against either).
        private readonly Dictionary<string, TreeSummary?> _trees = new Dictionary<string, TreeSummary?>(StringComparer.Ordinal);

        private readonly TranslationCache _cache;

        internal TranslationContext(TranslationCache cache, Compilation compilation, string? sourceRoot, CancellationToken cancellationToken)
        {
            _cache = cache;
            SourceRoot = sourceRoot;
            Scope = compilation.AssemblyName + "\n" + sourceRoot;
            // Paths are hashed relative to the project and references by identity: the fingerprint, carried in the
            // assembly with the units, is the same in any checkout (the scope tells projects apart).
            var hash = new SourceHash();
            hash.Add(compilation.Options.CheckOverflow ? "checked" : "unchecked");
            hash.Add(((CSharpCompilationOptions)compilation.Options).AllowUnsafe ? "unsafe" : "safe");
            // The trees in path order: the generator adds its outputs to the compilation it translates in its own order,
            // the compiler gives the analyzers them in another, and both must come to one fingerprint.
            var entries = new List<string>();
            foreach (var tree in compilation.SyntaxTrees)
            {
                // The generator translates before its outputs exist and the analyzers after: one compilation to both.
                var path = tree.FilePath.EndsWith(TranslationCache.HelpersFileName, StringComparison.Ordinal) ? TranslationCache.HelpersFileName
                    : tree.FilePath.EndsWith(TranslationCache.TracepointContextsFileName, StringComparison.Ordinal) ? TranslationCache.TracepointContextsFileName
                    : tree.FilePath;
                if (path.EndsWith(TranslationCache.ObjectSourceFileName, StringComparison.Ordinal) || path.EndsWith(TranslationCache.UnitsSourceFileName, StringComparison.Ordinal))
                {
                    continue;
                }

                // The generated texts' hashes say all (no program body lives there), and cost no syntax walk.
                var summary = path == TranslationCache.HelpersFileName || path == TranslationCache.TracepointContextsFileName ? TreeSummary.OfText(tree, cancellationToken) : TreeSummary.Of(tree, cancellationToken);
                _trees[path] = _trees.ContainsKey(path) ? null : summary;
                var hashed = KeptUnitsFile.Relative(path, sourceRoot) + "\n" + summary.Skeleton.ToString("x16", CultureInfo.InvariantCulture);
                if (tree.Options is CSharpParseOptions options)
                {
                    hashed += "\n" + options.LanguageVersion.ToString() + "\n" + string.Join(",", options.PreprocessorSymbolNames);
                }

                entries.Add(hashed);
            }

            entries.Sort(StringComparer.Ordinal);
            foreach (var entry in entries)
            {
                hash.Add(entry);
            }

            var trees = entries.Count;
            foreach (var reference in compilation.References)
            {
                if (compilation.GetAssemblyOrModuleSymbol(reference) is IAssemblySymbol assembly)
                {
                    hash.Add(assembly.Identity.GetDisplayName());
                    var module = assembly.GetMetadata()?.GetModules().FirstOrDefault();
                    hash.Add(module?.GetModuleVersionId().ToString() ?? string.Empty);
                }
                else
                {
                    hash.Add(reference.Display ?? string.Empty);
                }
            }

            Fingerprint = hash.Value.ToString("x16", CultureInfo.InvariantCulture) + ":" + trees.ToString(CultureInfo.InvariantCulture);
        }

        /// <summary>The cache whose kept units this context is compared with.</summary>
        public TranslationCache Cache => _cache;

        /// <summary>The project directory <c>#line</c> paths are relative to.</summary>
        public string? SourceRoot { get; }

        /// <summary>The project: kept units of one project are never offered to another.</summary>
        public string Scope { get; }

        public string Fingerprint { get; }

        /// <summary>Keeps the object as written from the units kept under these keys (only when they merged without one unit's help).</summary>
        public void Keep(List<string> units, ImmutableArray<string> programs, string? c) =>
            _cache.KeepObject(this, new TranslatedObject(units, units.Select(key => _cache.Kept(this, key)).ToList()!, programs, c));

        /// <summary>The same, for an object merged from a plan's units with none translated again: what the plan exported still holds.</summary>
        internal void Keep(TranslatedObject plan, string? c) =>
            _cache.KeepObject(this, new TranslatedObject(plan.Units, plan.Units.Select(key => _cache.Kept(this, key)).ToList()!, plan.Programs, c) { Exported = plan.Exported });

        /// <summary>Whether a translated method declaration is still there, where it was, as it was.</summary>
        [System.Runtime.CompilerServices.MethodImpl(HotPath.Optimized)]
        public bool IsUnchanged(MethodDependency dependency) =>
            _trees.TryGetValue(dependency.Path, out var tree)
            && tree != null
            && tree.Methods.TryGetValue(dependency.Member, out var now)
            && now.Line == dependency.Line
            && now.Hash == dependency.Hash;
    }

    /// <summary>One syntax tree, hashed once per tree instance (an IDE keeps the instances of unedited documents).</summary>
    internal sealed class TreeSummary
    {
        private static readonly ConditionalWeakTable<SyntaxTree, TreeSummary> s_summaries = new ConditionalWeakTable<SyntaxTree, TreeSummary>();

        // Apart from the syntax summaries: a tree summarised both ways must not be given the other kind.
        private static readonly ConditionalWeakTable<SyntaxTree, TreeSummary> s_textSummaries = new ConditionalWeakTable<SyntaxTree, TreeSummary>();

        private TreeSummary(ulong skeleton, Dictionary<string, (int Line, ulong Hash)> methods)
        {
            Skeleton = skeleton;
            Methods = methods;
        }

        /// <summary>The tokens outside method bodies.</summary>
        public ulong Skeleton { get; }

        /// <summary>Each method declaration: where it starts and its full text's hash.</summary>
        public Dictionary<string, (int Line, ulong Hash)> Methods { get; }

        public static TreeSummary Of(SyntaxTree tree, CancellationToken cancellationToken) =>
            s_summaries.GetValue(tree, t => Summarise(t, cancellationToken));

        /// <summary>A tree known by its whole text alone, with no method to find in it.</summary>
        public static TreeSummary OfText(SyntaxTree tree, CancellationToken cancellationToken) =>
            s_textSummaries.GetValue(tree, t => new TreeSummary(SourceHash.Of(t.GetText(cancellationToken).ToString()), new Dictionary<string, (int, ulong)>(StringComparer.Ordinal)));

        [System.Runtime.CompilerServices.MethodImpl(HotPath.Optimized)]
        private static TreeSummary Summarise(SyntaxTree tree, CancellationToken cancellationToken)
        {
            var root = tree.GetRoot(cancellationToken);
            var skeleton = new SourceHash();
            foreach (var token in root.DescendantTokens(node => !IsMethodBody(node)))
            {
                skeleton.Add(token.Text);
            }

            var methods = new Dictionary<string, (int, ulong)>(StringComparer.Ordinal);
            foreach (var method in root.DescendantNodes(node => !(node is MemberDeclarationSyntax) || node is BaseNamespaceDeclarationSyntax || node is TypeDeclarationSyntax).OfType<MethodDeclarationSyntax>())
            {
                var dependency = MethodDependency.Of(method);
                if (!methods.ContainsKey(dependency.Member))
                {
                    methods.Add(dependency.Member, (dependency.Line, dependency.Hash));
                }
            }

            return new TreeSummary(skeleton.Value, methods);
        }

        private static bool IsMethodBody(SyntaxNode node) =>
            (node is BlockSyntax || node is ArrowExpressionClauseSyntax) && node.Parent is BaseMethodDeclarationSyntax;
    }

    /// <summary>FNV-1a, 64 bits, over UTF-16 code units, with a separator between strings.</summary>
    internal struct SourceHash
    {
        private const ulong Prime = 1099511628211;
        private ulong _value;
        private bool _started;

        public ulong Value => _started ? _value : 14695981039346656037;

        [System.Runtime.CompilerServices.MethodImpl(HotPath.Optimized)]
        public void Add(string text)
        {
            if (!_started)
            {
                _value = 14695981039346656037;
                _started = true;
            }

            foreach (var c in text)
            {
                _value = (_value ^ c) * Prime;
            }

            _value = (_value ^ 0xFFFF) * Prime;
        }

        public static ulong Of(string text)
        {
            var hash = new SourceHash();
            hash.Add(text);
            return hash.Value;
        }

        /// <summary>The same as <see cref="Of(string)"/> of the span's text, read from the source text in chunks (no string made).</summary>
        [System.Runtime.CompilerServices.MethodImpl(HotPath.Optimized)]
        public static ulong Of(SourceText text, TextSpan span)
        {
            var value = 14695981039346656037;
            var buffer = new char[Math.Min(span.Length, 4096)];
            for (var at = span.Start; at < span.End; at += buffer.Length)
            {
                var count = Math.Min(buffer.Length, span.End - at);
                text.CopyTo(at, buffer, 0, count);
                for (var i = 0; i < count; i++)
                {
                    value = (value ^ buffer[i]) * Prime;
                }
            }

            return (value ^ 0xFFFF) * Prime;
        }
    }
}
