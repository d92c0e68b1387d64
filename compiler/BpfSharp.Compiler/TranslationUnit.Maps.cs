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
    /// <summary>The unit's maps: which map kinds take which key and value, and each map field's BTF definition in <c>.maps</c>.</summary>
    internal sealed partial class TranslationUnit
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
    }
}
