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
    /// <summary>Everything one C file holds: helpers, structs, maps, functions and programs, written in a fixed order.</summary>
    internal sealed class TranslationUnit
    {
        // Map types whose key is a 32-bit index when the class has no key type parameter.
        private static readonly HashSet<string> s_indexedMaps = new HashSet<string>(StringComparer.Ordinal)
        {
            "BPF_MAP_TYPE_ARRAY", "BPF_MAP_TYPE_PERCPU_ARRAY", "BPF_MAP_TYPE_PROG_ARRAY", "BPF_MAP_TYPE_PERF_EVENT_ARRAY",
            "BPF_MAP_TYPE_CGROUP_ARRAY", "BPF_MAP_TYPE_DEVMAP", "BPF_MAP_TYPE_CPUMAP", "BPF_MAP_TYPE_XSKMAP", "BPF_MAP_TYPE_SOCKMAP",
            "BPF_MAP_TYPE_STACK_TRACE", "BPF_MAP_TYPE_REUSEPORT_SOCKARRAY", "BPF_MAP_TYPE_ARRAY_OF_MAPS", "BPF_MAP_TYPE_DEVMAP_HASH",
        };

        // Map types whose value is a 32-bit file descriptor or index when the class has no value type parameter.
        private static readonly HashSet<string> s_fdValues = new HashSet<string>(StringComparer.Ordinal)
        {
            "BPF_MAP_TYPE_PROG_ARRAY", "BPF_MAP_TYPE_PERF_EVENT_ARRAY", "BPF_MAP_TYPE_CGROUP_ARRAY", "BPF_MAP_TYPE_DEVMAP",
            "BPF_MAP_TYPE_CPUMAP", "BPF_MAP_TYPE_XSKMAP", "BPF_MAP_TYPE_DEVMAP_HASH",
        };

        // Socket maps take a socket's descriptor and give back its 64-bit cookie, which user space can read only from 8-byte values.
        private static readonly HashSet<string> s_socketMaps = new HashSet<string>(StringComparer.Ordinal)
        {
            "BPF_MAP_TYPE_SOCKMAP", "BPF_MAP_TYPE_SOCKHASH", "BPF_MAP_TYPE_REUSEPORT_SOCKARRAY",
        };

        // Local storage maps: keyed by the descriptor of the object the value belongs to.
        private static readonly HashSet<string> s_localStorages = new HashSet<string>(StringComparer.Ordinal)
        {
            "BPF_MAP_TYPE_SK_STORAGE", "BPF_MAP_TYPE_INODE_STORAGE", "BPF_MAP_TYPE_TASK_STORAGE", "BPF_MAP_TYPE_CGRP_STORAGE",
        };

        // Map types whose contents come from the kernel's own structures, not from a key and value type.
        private static readonly Dictionary<string, string> s_notDeclarable = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["BPF_MAP_TYPE_STRUCT_OPS"] = "a struct_ops map holds a kernel structure of BPF function pointers (tcp_congestion_ops and the like), which BpfSharp does not compile",
            ["BPF_MAP_TYPE_INSN_ARRAY"] = "an instruction array is made by the loader for a program's jump tables, not declared",
        };

        private static readonly HashSet<string> s_mapsOfMaps = new HashSet<string>(StringComparer.Ordinal) { "BPF_MAP_TYPE_ARRAY_OF_MAPS", "BPF_MAP_TYPE_HASH_OF_MAPS" };

        private const ulong NoPreallocFlag = 1; // BPF_F_NO_PREALLOC

        private static readonly HashSet<string> s_cKeywords = new HashSet<string>(StringComparer.Ordinal)
        {
            "auto", "char", "extern", "inline", "long", "register", "restrict", "short", "signed", "typedef", "union", "unsigned", "volatile", "main",
        };

        private readonly Compilation _compilation;
        private readonly CancellationToken _cancellationToken;
        private readonly SortedDictionary<int, string> _helpers = new SortedDictionary<int, string>();
        private readonly SortedSet<string> _support = new SortedSet<string>(StringComparer.Ordinal);
        private readonly List<ObjectPart> _structs = new List<ObjectPart>();
        // BPF_OBJ_NAME_LEN - 1: the kernel's program and map names.
        private const int KernelNameLength = 15;

        // Program and map names claimed in this unit; conflicts between claims are ObjectNameClaims' to judge.
        private readonly HashSet<string> _objectNames = new HashSet<string>(StringComparer.Ordinal);
        private readonly List<ObjectNameClaim> _claims = new List<ObjectNameClaim>();
        private readonly List<MethodDeclarationSyntax> _translatedBodies = new List<MethodDeclarationSyntax>();
        private readonly HashSet<string> _internalNames = new HashSet<string>(StringComparer.Ordinal);
        private readonly Dictionary<ISymbol, string> _internalNamesOf = new Dictionary<ISymbol, string>(SymbolEqualityComparer.Default);
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

        /// <summary>The C name of a static method the program calls, translated on first use.</summary>
        public string Function(IMethodSymbol method, Location at)
        {
            if (_inProgress.Contains(method.OriginalDefinition))
            {
                // Calls are inlined, and the verifier refuses call cycles in any case.
                Problem(CompilerDiagnosticIds.UnsupportedConstruct, at, $"'{method.Name}' is called while it runs (recursion): BPF programs cannot recurse");
            }

            if (_internalNamesOf.TryGetValue(method.OriginalDefinition, out var known))
            {
                return known;
            }

            var name = InternalName(Identifier(method.ContainingType.Name + "_" + method.Name));
            _internalNamesOf.Add(method.OriginalDefinition, name);

            var syntax = method.DeclaringSyntaxReferences.Select(r => r.GetSyntax(_cancellationToken)).OfType<MethodDeclarationSyntax>().FirstOrDefault();
            if (syntax is null || method.IsGenericMethod)
            {
                Problem(CompilerDiagnosticIds.UnsupportedCall, at, $"'{method.Name}' cannot be called from a BPF program: only non-generic static methods with a body in this project can");
                return name;
            }

            var writer = new FunctionWriter(this, method, syntax, isProgram: false);
            var signature = "static __attribute__((always_inline)) " + writer.Signature(name);
            _inProgress.Add(method.OriginalDefinition);
            _translatedBodies.Add(syntax);
            _functions.Add(new ObjectPart(SymbolKey(method.OriginalDefinition), name, writer.DeclarationLine() + signature + "\n" + writer.Body(), signature + ";"));
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

        /// <summary>The C name of a map field (declared in <c>.maps</c> on first use).</summary>
        public string Map(IFieldSymbol field, Location at)
        {
            if (!_mapsSeen.Add(field))
            {
                return field.Name;
            }

            if (Symbols.MapTypeOf(field.Type) is null || !field.IsStatic)
            {
                Problem(CompilerDiagnosticIds.UnsupportedMapUse, at, $"'{field.Name}' is not a static field of a BpfSharp map class");
                return field.Name;
            }

            // What is wrong with a map's declaration is said there, once, whichever program uses it first.
            at = field.Locations.FirstOrDefault() ?? at;

            var creation = Symbols.InitialiserOf(field, _cancellationToken) as IObjectCreationOperation;
            if (creation is null)
            {
                Problem(CompilerDiagnosticIds.UnsupportedMapUse, at, $"map '{field.Name}' must be initialised where it is declared, as 'new(maxEntries: N)'");
                return field.Name;
            }

            var lines = MapDefinition(field.Name, (INamedTypeSymbol)field.Type, creation, at, isInner: false);
            if (Symbols.Pinned != null && field.GetAttributes().Any(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, Symbols.Pinned)))
            {
                lines.Add("    __uint(pinning, 1); /* LIBBPF_PIN_BY_NAME */");
            }
            var name = ObjectName(field, "map");
            _maps.Add(new ObjectPart(SymbolKey(field), name, "struct {\n" + string.Join("\n", lines) + "\n} " + name + " SEC(\".maps\");"));
            return name;
        }

        // The members of a BTF map definition, as libbpf reads them.
        private List<string> MapDefinition(string mapName, INamedTypeSymbol type, IObjectCreationOperation creation, Location at, bool isInner)
        {
            var typeValue = Symbols.MapTypeOf(type)!.Value;
            var mapType = KernelTypes.MapTypes.FindByValue(typeValue)?.Name ?? typeValue.ToString(CultureInfo.InvariantCulture);
            if (s_notDeclarable.TryGetValue(mapType, out var why))
            {
                Problem(CompilerDiagnosticIds.UnsupportedMapUse, at, $"map '{mapName}' ({mapType}) cannot be declared in C#: {why}");
            }

            var (maxEntries, flags, inner) = MapArguments(mapName, creation);
            if (s_localStorages.Contains(mapType) || mapType.EndsWith("CGROUP_STORAGE", StringComparison.Ordinal))
            {
                if (maxEntries != "0")
                {
                    Problem(CompilerDiagnosticIds.UnsupportedMapUse, at, $"map '{mapName}' ({mapType}) has one value per kernel object and no max_entries: declare it with maxEntries 0");
                }

                // The kernel allocates storage per object on demand and refuses these maps without BPF_F_NO_PREALLOC.
                flags |= s_localStorages.Contains(mapType) ? NoPreallocFlag : 0;
            }

            var arguments = type.TypeArguments.Zip(type.OriginalDefinition.TypeParameters, (argument, parameter) => (argument, parameter.Name)).ToList();
            // The type by number: map types newer than the build machine's UAPI headers (arena, cgroup local storage) still compile.
            var lines = new List<string> { $"    __uint(type, {typeValue.ToString(CultureInfo.InvariantCulture)}); /* {mapType} */", $"    __uint(max_entries, {maxEntries});" };
            if (flags != 0)
            {
                lines.Add($"    __uint(map_flags, {flags});");
            }

            var key = arguments.FirstOrDefault(a => a.Name == "TKey").argument;
            var valueType = arguments.FirstOrDefault(a => a.Name == "TValue").argument;
            if (key != null)
            {
                lines.Add($"    __type(key, {CType(key, at)});");
            }
            else if (s_localStorages.Contains(mapType))
            {
                lines.Add("    __type(key, int); /* the descriptor of the socket, task, inode or cgroup */");
            }
            else if (mapType.EndsWith("CGROUP_STORAGE", StringComparison.Ordinal))
            {
                lines.Add("    __type(key, __u64); /* the cgroup's id */");
            }
            else if (s_indexedMaps.Contains(mapType))
            {
                lines.Add(s_fdValues.Contains(mapType) || s_mapsOfMaps.Contains(mapType) ? "    __uint(key_size, sizeof(__u32));" : "    __type(key, __u32);");
            }

            if (valueType != null)
            {
                lines.Add($"    __type(value, {CType(valueType, at)});");
            }
            else if (s_fdValues.Contains(mapType))
            {
                lines.Add("    __uint(value_size, sizeof(__u32));");
            }
            else if (s_socketMaps.Contains(mapType))
            {
                lines.Add("    __uint(value_size, sizeof(__u64));");
            }
            else if (mapType == "BPF_MAP_TYPE_STACK_TRACE")
            {
                lines.Add("    __uint(value_size, 127 * sizeof(__u64)); /* PERF_MAX_STACK_DEPTH frames */");
            }

            if (s_mapsOfMaps.Contains(mapType))
            {
                if (isInner)
                {
                    Problem(CompilerDiagnosticIds.UnsupportedMapUse, at, $"the inner map of '{mapName}' is itself a map of maps, which the kernel does not allow");
                }
                else if (inner is null || !(inner.Type is INamedTypeSymbol innerType) || Symbols.MapTypeOf(innerType) is null)
                {
                    Problem(CompilerDiagnosticIds.UnsupportedMapUse, at, $"map of maps '{mapName}' needs the template of the maps it holds: new(maxEntries: N, inner: new HashMap<uint, ulong>(maxEntries: M))");
                }
                else
                {
                    var innerLines = MapDefinition(mapName + " (inner)", innerType, inner, inner.Syntax.GetLocation(), isInner: true);
                    lines.Add("    __array(values, struct {\n" + string.Join("\n", innerLines.Select(l => "    " + l)) + "\n    });");
                }
            }
            else if (inner != null)
            {
                Problem(CompilerDiagnosticIds.UnsupportedMapUse, inner.Syntax.GetLocation(), $"only a map of maps has an inner map template; '{mapName}' is {mapType}");
            }

            return lines;
        }

        /// <summary>
        /// The C name of a static non-map field: global data (<c>.bss</c>/<c>.data</c>); a <c>static readonly</c> field is
        /// <c>const volatile</c> (<c>.rodata</c>), which a loader may set before loading. Initialisers must be constants.
        /// </summary>
        public string Global(IFieldSymbol field, Location at)
        {
            if (_internalNamesOf.TryGetValue(field, out var known))
            {
                return known;
            }

            var name = InternalName(Identifier(field.ContainingType.Name + "_" + field.Name));
            _internalNamesOf.Add(field, name);

            var type = CType(field.Type, at);
            var declarator = field.DeclaringSyntaxReferences.Select(r => r.GetSyntax(_cancellationToken)).OfType<VariableDeclaratorSyntax>().FirstOrDefault();
            string? initial = null;
            if (declarator?.Initializer?.Value is ExpressionSyntax value)
            {
                var constant = _compilation.GetSemanticModel(declarator.SyntaxTree).GetConstantValue(value, _cancellationToken);
                if (!constant.HasValue || constant.Value is null || !(constant.Value is IConvertible))
                {
                    Problem(CompilerDiagnosticIds.UnsupportedConstruct, value.GetLocation(), $"the initialiser of '{field.Name}' must be a constant: BPF global data is laid out before the program runs");
                }
                else
                {
                    var suffix = constant.Value switch { ulong _ => "ULL", long _ => "LL", uint _ => "U", _ => string.Empty };
                    initial = Convert.ToString(constant.Value is bool b ? (b ? 1 : 0) : constant.Value is char c ? (int)c : constant.Value, CultureInfo.InvariantCulture) + suffix;
                }
            }

            _globals.Add(new ObjectPart(SymbolKey(field), name, (field.IsReadOnly ? "const volatile " : string.Empty) + type + " " + name + " = " + (initial ?? (type.StartsWith("struct ", StringComparison.Ordinal) ? "{0}" : "0")) + ";"));
            return name;
        }

        /// <summary>The C type of a C# type; a problem (and a placeholder) for types BPF has no form of.</summary>
        public string CType(ITypeSymbol type, Location at)
        {
            switch (type.SpecialType)
            {
                case SpecialType.System_Void: return "void";
                case SpecialType.System_Boolean: return "_Bool";
                case SpecialType.System_Byte: return "__u8";
                case SpecialType.System_SByte: return "__s8";
                case SpecialType.System_Int16: return "__s16";
                case SpecialType.System_UInt16: return "__u16";
                case SpecialType.System_Char: return "__u16";
                case SpecialType.System_Int32: return "__s32";
                case SpecialType.System_UInt32: return "__u32";
                case SpecialType.System_Int64: return "__s64";
                case SpecialType.System_UInt64: return "__u64";
                case SpecialType.System_IntPtr: return "long";
                case SpecialType.System_UIntPtr: return "unsigned long";
                case SpecialType.System_Single:
                case SpecialType.System_Double:
                case SpecialType.System_Decimal:
                    Problem(CompilerDiagnosticIds.UnsupportedType, at, $"'{type.ToDisplayString()}' is floating point, which BPF programs cannot use");
                    return "__u64";
            }

            if (type is IPointerTypeSymbol pointer)
            {
                return CType(pointer.PointedAtType, at) + " *";
            }

            if (type.TypeKind == TypeKind.Enum && type is INamedTypeSymbol enumType && enumType.EnumUnderlyingType != null)
            {
                return CType(enumType.EnumUnderlyingType, at);
            }

            if (type.TypeKind == TypeKind.Struct && type is INamedTypeSymbol structType)
            {
                return Struct(structType, at);
            }

            Problem(CompilerDiagnosticIds.UnsupportedType, at, $"'{type.ToDisplayString()}' is a {(type.IsReferenceType ? "reference type" : type.TypeKind.ToString().ToLowerInvariant())}, which BPF programs cannot use: only integers, bool, enums, pointers and blittable structs");
            return "__u64";
        }

        /// <summary>A struct's C name, defined before first use; the runtime's context structs are the kernel's own.</summary>
        private string Struct(INamedTypeSymbol type, Location at)
        {
            if (KernelStructName(type) is string kernelName)
            {
                return "struct " + kernelName;
            }

            if (_structNames.TryGetValue(type, out var known))
            {
                return known;
            }

            // Two structs of one name (other namespaces, nesting) get distinct C names, numbered in the order met.
            var cName = Identifier(type.Name);
            for (var n = 2; !_structNamesTaken.Add(cName); n++)
            {
                cName = Identifier(type.Name) + "_" + n.ToString(CultureInfo.InvariantCulture);
            }

            var name = "struct " + cName;
            _structNames.Add(type, name);
            if (type.IsGenericType)
            {
                Problem(CompilerDiagnosticIds.UnsupportedType, at, $"'{type.ToDisplayString()}' is generic, which this version of the BPF compiler does not translate: declare a struct for each instantiation");
                return name;
            }

            var layout = StructLayout.Of(type);
            var fields = type.GetMembers().OfType<IFieldSymbol>().Where(f => !f.IsStatic && !f.IsConst).ToList();
            string Declaration(IFieldSymbol field) =>
                field.IsFixedSizeBuffer && field.Type is IPointerTypeSymbol element
                    ? $"{CType(element.PointedAtType, at)} {Identifier(field.Name)}[{field.FixedSize}]"
                    : $"{CType(field.Type, at)} {Identifier(field.Name)}";

            if (layout.Problem is string problem)
            {
                Problem(CompilerDiagnosticIds.UnsupportedType, at, $"'{type.ToDisplayString()}' {problem}");
                return name;
            }

            var members = layout.Kind == LayoutKind.Explicit
                ? ExplicitMembers(fields, layout, Declaration, at)
                : fields.Select(f => "    " + Declaration(f) + ";").ToList();
            if (layout.Size > 0)
            {
                // StructLayout.Size: at least that many bytes, as .NET lays it out (a multiple of the alignment, checked in StructLayout).
                members = new List<string> { "    union {", "    struct {" }.Concat(members.Select(m => "    " + m)).Concat(new[] { "    };", $"    __u8 bpfsharp_size[{layout.Size}];", "    };" }).ToList();
            }

            var definition = name + " {\n" + string.Join("\n", members) + "\n}" + (layout.Kind == LayoutKind.Explicit ? $" __attribute__((aligned({layout.Alignment})))" : string.Empty) + ";";
            _structs.Add(new ObjectPart(SymbolKey(type), cName, layout.Kind == LayoutKind.Sequential && layout.Pack > 0
                ? $"#pragma pack(push, {layout.Pack})\n{definition}\n#pragma pack(pop)"
                : definition));
            return name;
        }

        // FieldOffset(O) as C: each field in its own packed struct behind O bytes of padding, all in one union. The field keeps the
        // alignment its offset allows (so clang still loads it whole where it can), capped by Pack.
        private List<string> ExplicitMembers(List<IFieldSymbol> fields, StructLayout layout, Func<IFieldSymbol, string> declaration, Location at)
        {
            var members = new List<string> { "    union {" };
            foreach (var field in fields)
            {
                var offset = StructLayout.FieldOffset(field);
                if (offset is null)
                {
                    Problem(CompilerDiagnosticIds.UnsupportedType, field.Locations.FirstOrDefault() ?? at, $"field '{field.Name}' of a struct with an explicit layout needs [FieldOffset]");
                    continue;
                }

                var alignment = StructLayout.AlignmentOf(field.IsFixedSizeBuffer && field.Type is IPointerTypeSymbol element ? element.PointedAtType : field.Type);
                var allowed = offset.Value == 0 ? alignment : Math.Min(alignment, offset.Value & -offset.Value);
                if (layout.Pack > 0)
                {
                    allowed = Math.Min(allowed, layout.Pack);
                }

                var padding = offset.Value > 0 ? $"__u8 bpfsharp_at_{field.Name}[{offset.Value}]; " : string.Empty;
                members.Add($"    struct {{ {padding}{declaration(field)} __attribute__((aligned({allowed}))); }} __attribute__((packed));");
            }

            members.Add("    };");
            return members;
        }

        /// <summary>Whether a field belongs to one of the kernel's context structs (read through a cast: some are pointer slots).</summary>
        public static bool IsContextField(IFieldSymbol field) => KernelStructName(field.ContainingType) != null;

        /// <summary>The kernel struct a [BpfKernelStruct] type stands for, or null.</summary>
        private static string? KernelStructName(ITypeSymbol type) =>
            type.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == "BpfSharp.BpfKernelStructAttribute")?.ConstructorArguments.FirstOrDefault().Value as string;

        /// <summary>A C field name: a kernel context struct's field is the kernel's snake_case name.</summary>
        public static string FieldName(IFieldSymbol field) => IsContextField(field) ? SnakeCase(field.Name) : Identifier(field.Name);

        /// <summary>
        /// A C identifier for a C# one: C keywords get a '_', and letters beyond ASCII are spelled out (the kernel accepts
        /// only ASCII names in BTF), "Zähler" -> "Z_u00E4hler".
        /// </summary>
        public static string Identifier(string name)
        {
            if (name.All(IsAsciiNameCharacter))
            {
                return s_cKeywords.Contains(name) ? name + "_" : name;
            }

            var builder = new StringBuilder();
            foreach (var c in name)
            {
                builder.Append(IsAsciiNameCharacter(c) ? c.ToString() : "_u" + ((int)c).ToString("X4", CultureInfo.InvariantCulture));
            }

            return builder.ToString();
        }

        private static bool IsAsciiNameCharacter(char c) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';

        /// <summary>
        /// The object's name for a program or map, which is the C# name (the public contract): the kernel takes only
        /// ASCII letters, digits and '_', keeps 15 characters, and one object cannot hold two symbols of one name.
        /// </summary>
        private string ObjectName(ISymbol symbol, string kind)
        {
            var name = symbol.Name;
            var at = symbol.Locations.FirstOrDefault() ?? Location.None;
            if (!name.All(IsAsciiNameCharacter))
            {
                Problem(CompilerDiagnosticIds.ObjectName, at, $"{kind} name '{name}' has characters the kernel refuses in object names: only ASCII letters, digits and '_'");
            }
            else if (s_cKeywords.Contains(name) || name == "LICENSE" || name == "SEC" || Symbols.IsHelperName(name) || name.StartsWith("bpfsharp_", StringComparison.Ordinal) || name.StartsWith("__", StringComparison.Ordinal))
            {
                Problem(CompilerDiagnosticIds.ObjectName, at, $"{kind} name '{name}' is reserved in the object ({Reserved(name)}): rename the {(kind == "program" ? "method" : "field")}");
            }
            else if (name.Length > KernelNameLength)
            {
                Problem(CompilerDiagnosticIds.LongObjectName, at, $"{kind} name '{name}' has {name.Length} characters: the kernel keeps {KernelNameLength} ('{name.Substring(0, KernelNameLength)}'), which is what bpftool and the kernel's tables will show");
            }

            _objectNames.Add(name);
            _claims.Add(new ObjectNameClaim(name, kind, SymbolKey(symbol), symbol.ToDisplayString(), at));
            return name;
        }

        private string Reserved(string name) =>
            s_cKeywords.Contains(name) ? "a C keyword"
            : name == "LICENSE" ? "the licence's section symbol"
            : Symbols.IsHelperName(name) ? "the name of the helper " + name
            : "a name of the compiler's or the kernel headers'";

        /// <summary>A C name for a function or global of the object, numbered when two C# members would share one (same class name in two namespaces).</summary>
        private string InternalName(string wanted)
        {
            var name = wanted;
            for (var n = 2; _objectNames.Contains(name) || !_internalNames.Add(name); n++)
            {
                name = wanted + "_" + n.ToString(CultureInfo.InvariantCulture);
            }

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

        public static string Literal(string text)
        {
            var builder = new StringBuilder("\"");
            foreach (var c in text)
            {
                if (c == '"' || c == '\\')
                {
                    builder.Append('\\').Append(c);
                }
                else if (c < ' ' || c > '~')
                {
                    builder.Append("\\").Append(Convert.ToString(c & 0xff, 8).PadLeft(3, '0'));
                }
                else
                {
                    builder.Append(c);
                }
            }

            return builder.Append('"').ToString();
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

        /// <summary>A symbol's identity across units and compilations: its fully qualified name (with a method's parameter types).</summary>
        internal static string SymbolKey(ISymbol symbol) => symbol.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat.WithMemberOptions(SymbolDisplayMemberOptions.IncludeContainingType | SymbolDisplayMemberOptions.IncludeParameters));

        private (string MaxEntries, ulong Flags, IObjectCreationOperation? Inner) MapArguments(string mapName, IObjectCreationOperation creation)
        {
            string? maxEntries = null;
            ulong flags = 0;
            IObjectCreationOperation? inner = null;
            foreach (var argument in creation.Arguments)
            {
                if (argument.Parameter?.Name == "inner")
                {
                    var template = argument.Value is IConversionOperation conversion ? conversion.Operand : argument.Value;
                    inner = template as IObjectCreationOperation;
                    if (inner is null && !(template.ConstantValue.HasValue && template.ConstantValue.Value is null) && argument.ArgumentKind != ArgumentKind.DefaultValue)
                    {
                        Problem(CompilerDiagnosticIds.UnsupportedMapUse, argument.Syntax.GetLocation(), $"the inner map of '{mapName}' must be written out here, as 'new HashMap<uint, ulong>(maxEntries: N)'");
                    }

                    continue;
                }

                var constant = argument.Value.ConstantValue;
                if (!constant.HasValue || constant.Value is null)
                {
                    Problem(CompilerDiagnosticIds.UnsupportedMapUse, argument.Syntax.GetLocation(), $"the {argument.Parameter?.Name} of map '{mapName}' must be a constant: the kernel creates the map before the program runs");
                    continue;
                }

                var number = Convert.ToUInt64(constant.Value, CultureInfo.InvariantCulture);
                if (argument.Parameter?.Name == "maxEntries")
                {
                    maxEntries = number.ToString(CultureInfo.InvariantCulture);
                }
                else if (argument.Parameter?.Name == "flags")
                {
                    flags = number;
                }
            }

            return (maxEntries ?? "0", flags, inner);
        }

        // "DataEnd" -> "data_end", "RemoteIp4" -> "remote_ip4".
        private static string SnakeCase(string name)
        {
            var builder = new StringBuilder();
            for (var i = 0; i < name.Length; i++)
            {
                if (char.IsUpper(name[i]) && i > 0)
                {
                    builder.Append('_');
                }

                builder.Append(char.ToLowerInvariant(name[i]));
            }

            return builder.ToString();
        }
    }
}
