using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using BpfSharp.Spec;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace BpfSharp.Compiler
{
    /// <summary>
    /// One translation: a program (or a class's declared maps) with the functions, helpers, structs, maps and globals it
    /// needs, as an <see cref="ObjectFragment"/>. Its maps, types and names each have their own file.
    /// </summary>
    internal sealed partial class TranslationUnit
    {
        private readonly Compilation _compilation;
        private readonly CancellationToken _cancellationToken;
        private readonly SortedDictionary<int, string> _helpers = new SortedDictionary<int, string>();
        private readonly SortedSet<string> _support = new SortedSet<string>(StringComparer.Ordinal);
        private readonly List<ObjectPart> _structs = new List<ObjectPart>();
        // Program and map names claimed in this unit; conflicts between claims are ObjectNameClaims' to judge.
        private readonly HashSet<string> _objectNames = new HashSet<string>(StringComparer.Ordinal);
        private readonly List<ObjectNameClaim> _claims = new List<ObjectNameClaim>();
        private readonly List<MethodDeclarationSyntax> _translatedBodies = new List<MethodDeclarationSyntax>();
        private readonly HashSet<string> _internalNames = new HashSet<string>(StringComparer.Ordinal);
        private readonly Dictionary<ISymbol, string> _internalNamesOf = new Dictionary<ISymbol, string>(SymbolEqualityComparer.Default);
        private readonly Dictionary<string, string> _functionNames = new Dictionary<string, string>(StringComparer.Ordinal); // by SymbolKey and bound maps
        // The methods whose bodies are being written: a call to one of them is recursion.
        private readonly HashSet<IMethodSymbol> _inProgress = new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default);
        private readonly Dictionary<ITypeSymbol, string> _structNames = new Dictionary<ITypeSymbol, string>(SymbolEqualityComparer.Default);
        private readonly HashSet<string> _structNamesTaken = new HashSet<string>(StringComparer.Ordinal);
        private readonly List<ObjectPart> _maps = new List<ObjectPart>();
        private readonly List<ObjectPart> _globals = new List<ObjectPart>();
        private readonly HashSet<IFieldSymbol> _mapsSeen = new HashSet<IFieldSymbol>(SymbolEqualityComparer.Default);
        private readonly List<ObjectPart> _functions = new List<ObjectPart>();
        private readonly List<ObjectPart> _programs = new List<ObjectPart>();

        private readonly string? _sourceRoot;

        public TranslationUnit(Compilation compilation, KnownSymbols symbols, string? sourceRoot, CancellationToken cancellationToken)
        {
            _compilation = compilation;
            _sourceRoot = sourceRoot?.Replace('\\', '/').TrimEnd('/');
            Symbols = symbols;
            _cancellationToken = cancellationToken;
        }

        public KnownSymbols Symbols { get; }

        public SemanticModel Model(SyntaxTree tree) => _compilation.GetSemanticModel(tree);

        /// <summary>A source path as <c>#line</c> names it: relative to the project directory when it lies below it.</summary>
        public string SourcePath(string path)
        {
            path = path.Replace('\\', '/');
            return _sourceRoot != null && _sourceRoot.Length > 0 && path.StartsWith(_sourceRoot + "/", StringComparison.Ordinal) ? path.Substring(_sourceRoot.Length + 1) : path;
        }

        public List<TranslationProblem> Problems { get; } = new List<TranslationProblem>();

        public void AddProgram(IMethodSymbol method, MethodDeclarationSyntax syntax, string section)
        {
            var writer = new FunctionWriter(this, method, syntax, isProgram: true);
            _inProgress.Add(method.OriginalDefinition);
            _translatedBodies.Add(syntax);
            var name = ObjectName(method, "program");
            _programs.Add(new ObjectPart(SymbolKey(method), name, "SEC(" + Literal(section) + ")\n" + writer.DeclarationLine() + writer.Signature(name) + "\n" + writer.Body()));
            _inProgress.Remove(method.OriginalDefinition);
        }

        /// <summary>
        /// Declares every map field of a class that holds programs, used or not (after the used ones, in declaration
        /// order), as libbpf creates every map of <c>.maps</c>: user space fills program arrays, reads maps no program
        /// names yet, and finds them all in the object.
        /// </summary>
        public void AddDeclaredMaps(INamedTypeSymbol programClass)
        {
            foreach (var field in programClass.GetMembers().OfType<IFieldSymbol>().Where(f => f.IsStatic && Symbols.MapTypeOf(f.Type) != null))
            {
                if (!_mapsSeen.Contains(field))
                {
                    Map(field, field.Locations.FirstOrDefault() ?? Location.None);
                }
            }
        }

        /// <summary>
        /// The C name of a static method the program calls, translated on first use: inlined, unless the method says
        /// [MethodImpl(MethodImplOptions.NoInlining)] or is passed as a callback (then a BPF-to-BPF call, a subprogram
        /// with its own BTF func info, which keeps large programs under the stack and complexity limits).
        /// </summary>
        public string Function(IMethodSymbol method, Location at, FunctionUse use = FunctionUse.Call, IReadOnlyDictionary<IParameterSymbol, IFieldSymbol>? maps = null)
        {
            if (_inProgress.Contains(method.OriginalDefinition))
            {
                // The verifier refuses call cycles, inlined or not.
                Problem(CompilerDiagnosticIds.UnsupportedConstruct, at, $"'{method.Name}' is called while it runs (recursion): BPF programs cannot recurse");
            }

            // A method with map parameters is written once per set of maps it is called with: the maps are known in each copy.
            maps ??= new Dictionary<IParameterSymbol, IFieldSymbol>(SymbolEqualityComparer.Default);
            var boundMaps = method.Parameters.Where(maps.ContainsKey).Select(p => maps[p]).ToList();
            var key = SymbolKey(method.OriginalDefinition) + (boundMaps.Count == 0 ? string.Empty : " with " + string.Join(", ", boundMaps.Select(SymbolKey)));
            if (_functionNames.TryGetValue(key, out var known))
            {
                return known;
            }

            var name = InternalName(CNames.Member(method.ContainingType.Name, method.Name + string.Concat(boundMaps.Select(m => "_" + m.Name))));
            _functionNames.Add(key, name);

            var syntax = method.DeclaringSyntaxReferences.Select(r => r.GetSyntax(_cancellationToken)).OfType<MethodDeclarationSyntax>().FirstOrDefault();
            if (syntax is null || method.IsGenericMethod)
            {
                Problem(CompilerDiagnosticIds.UnsupportedCall, at, $"'{method.Name}' cannot be called from a BPF program: only non-generic static methods with a body in this project can");
                return name;
            }

            var writer = new FunctionWriter(this, method, syntax, isProgram: false, maps);
            var inlined = use == FunctionUse.Call && (method.MethodImplementationFlags & System.Reflection.MethodImplAttributes.NoInlining) == 0;
            var signature = (inlined ? "static __attribute__((always_inline)) " : "static __attribute__((noinline)) ") + writer.Signature(name);
            _inProgress.Add(method.OriginalDefinition);
            _translatedBodies.Add(syntax);
            _functions.Add(new ObjectPart(key, name, writer.DeclarationLine() + signature + "\n" + writer.Body(), signature + ";"));
            _inProgress.Remove(method.OriginalDefinition);
            return name;
        }

        /// <summary>Declares a helper stub's kernel function once, typed from the stub's C# parameters.</summary>
        public string Helper(string name, int id, IMethodSymbol stub, Location at)
        {
            if (!_helpers.ContainsKey(id))
            {
                var parameters = stub.Parameters.Select(p => p.IsParams ? "..." : SymbolEqualityComparer.Default.Equals(p.Type, Symbols.Map) ? "void *" : CType(p.Type, at)).ToList();
                _helpers[id] = $"static {CType(stub.ReturnType, at)} (* const {name})({(parameters.Count == 0 ? "void" : string.Join(", ", parameters))}) = (void *) {id.ToString(CultureInfo.InvariantCulture)};";
            }

            return name;
        }

        /// <summary>Writes one of IntegerSemantics' support functions into the file (once).</summary>
        public void Support(string name) => _support.Add(name);

        /// <summary>
        /// The C name of a static non-map field: global data (<c>.bss</c>/<c>.data</c>); a <c>static readonly</c> field is
        /// <c>const volatile</c> (<c>.rodata</c>), which a loader may set before loading. Initialisers must be constants or
        /// struct values of constants.
        /// </summary>
        public string Global(IFieldSymbol field, Location at)
        {
            if (_internalNamesOf.TryGetValue(field, out var known))
            {
                return known;
            }

            var name = InternalName(CNames.Member(field.ContainingType.Name, field.Name));
            _internalNamesOf.Add(field, name);

            var type = CType(field.Type, at);
            var declarator = field.DeclaringSyntaxReferences.Select(r => r.GetSyntax(_cancellationToken)).OfType<VariableDeclaratorSyntax>().FirstOrDefault();
            string? initial = null;
            if (declarator?.Initializer?.Value is ExpressionSyntax value)
            {
                var model = _compilation.GetSemanticModel(declarator.SyntaxTree);
                var constant = model.GetConstantValue(value, _cancellationToken);
                if (constant.HasValue && constant.Value is IConvertible)
                {
                    initial = ConstantText(constant.Value);
                }
                else if (field.Type.TypeKind == TypeKind.Struct && model.GetOperation(value, _cancellationToken) is IOperation creation)
                {
                    initial = StructInitialiser(creation);
                }

                if (initial is null)
                {
                    Problem(CompilerDiagnosticIds.UnsupportedConstruct, value.GetLocation(), $"the initialiser of '{field.Name}' must be a constant, or a struct value of constants ('new Pair {{ Packets = 1 }}'): BPF global data is laid out before the program runs");
                }
            }

            _globals.Add(new ObjectPart(SymbolKey(field), name, (field.IsReadOnly ? "const volatile " : field.IsVolatile ? "volatile " : string.Empty) + type + " " + name + " = " + (initial ?? (type.StartsWith("struct ", StringComparison.Ordinal) ? "{0}" : "0")) + ";"));
            return name;
        }

        /// <summary>Records a problem; the same complaint about overlapping code (a float local and its float initialiser) is made once.</summary>
        public void Problem(string id, Location at, string message)
        {
            var repeated = Problems.Any(p => p.Id == id && p.Message == message && p.Location.SourceTree == at.SourceTree
                && (p.Location.SourceSpan.Contains(at.SourceSpan) || at.SourceSpan.Contains(p.Location.SourceSpan)));
            if (!repeated)
            {
                Problems.Add(new TranslationProblem(id, at, message));
            }
        }

        /// <summary>What this unit puts in the object, for <see cref="ObjectFile"/> to write (alone or merged with other units').</summary>
        public ObjectFragment ToFragment() =>
            new ObjectFragment(
                _helpers.ToDictionary(h => h.Key, h => h.Value),
                _support.ToList(),
                _structs.ToList(),
                _maps.ToList(),
                _globals.ToList(),
                _functions.ToList(),
                _programs.ToList(),
                _claims.ToList(),
                Problems.ToList(),
                _translatedBodies.ToList().Select(MethodDependency.Of).ToList,
                Problems.Any(p => CompilerDiagnosticIds.StopsTheObject(p.Id)));

    }

    /// <summary>How a program uses a static method: called, or passed (its address) as a helper's callback.</summary>
    internal enum FunctionUse
    {
        Call,
        Callback,
    }
}
