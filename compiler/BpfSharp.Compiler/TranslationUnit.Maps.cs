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
            var kind = KernelTypes.MapKindOf(typeValue);
            if (kind.IsKernelMade)
            {
                Problem(CompilerDiagnosticIds.UnsupportedMapUse, at, $"map '{mapName}' ({mapType}) cannot be declared in C#: the kernel or the loader makes its contents (a struct_ops map's kernel structure of BPF functions, a program's jump tables), not a key and value type");
            }

            var (maxEntries, flags, inner) = MapArguments(mapName, creation);
            if (kind.Entries == MapEntriesRule.None && maxEntries != "0")
            {
                Problem(CompilerDiagnosticIds.UnsupportedMapUse, at, $"map '{mapName}' ({mapType}) has one value per kernel object and no max_entries: declare it with maxEntries 0");
            }

            // The kernel refuses these maps without their flags (local storage and LPM tries without BPF_F_NO_PREALLOC, arenas
            // without BPF_F_MMAPABLE): added rather than left to fail at load time.
            flags |= kind.RequiredFlags;

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
            else if (kind.Key == MapKeyKind.Owner)
            {
                lines.Add("    __type(key, int); /* the descriptor of the socket, task, inode or cgroup */");
            }
            else if (kind.Key == MapKeyKind.Cgroup)
            {
                lines.Add("    __type(key, __u64); /* the cgroup's id */");
            }
            else if (kind.Key is MapKeyKind.Index or MapKeyKind.U32)
            {
                // Maps of kernel objects take no BTF key type: libbpf would drop it.
                lines.Add(kind.HoldsKernelObjects ? "    __uint(key_size, sizeof(__u32));" : "    __type(key, __u32);");
            }

            if (valueType != null)
            {
                lines.Add($"    __type(value, {CType(valueType, at)});");
            }
            else if (kind.Value == MapValueKind.Stack)
            {
                lines.Add($"    __uint(value_size, {MapKind.StackFrames} * sizeof(__u64)); /* PERF_MAX_STACK_DEPTH frames */");
            }
            else if (kind.Value != MapValueKind.Map && kind.FixedValueSize is int size && size > 0)
            {
                lines.Add($"    __uint(value_size, sizeof(__u{size * 8}));");
            }

            if (kind.Value == MapValueKind.Map)
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
