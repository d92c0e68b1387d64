using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using BpfSharp.Spec;
using Microsoft.CodeAnalysis;

namespace BpfSharp.Analyzers
{
    /// <summary>The facts a generated helper stub carries in its attributes.</summary>
    internal sealed class HelperFacts
    {
        public HelperFacts(string name, int id, ImmutableDictionary<int, string?>? programTypes, ImmutableDictionary<int, ImmutableHashSet<int>?> mapTypes)
        {
            Name = name;
            Id = id;
            ProgramTypes = programTypes;
            MapTypes = mapTypes;
        }

        public string Name { get; }

        public int Id { get; }

        /// <summary>Allowed program type values with their version tags; null when the spec states no program types.</summary>
        public ImmutableDictionary<int, string?>? ProgramTypes { get; }

        /// <summary>
        /// The map type values the verifier accepts, each with the program types it is limited to (null: any);
        /// empty when the helper takes no map.
        /// </summary>
        public ImmutableDictionary<int, ImmutableHashSet<int>?> MapTypes { get; }
    }

    /// <summary>A program a method declares, resolved to its kernel program type.</summary>
    internal readonly struct DeclaredProgram
    {
        public DeclaredProgram(int programType, string? section)
        {
            ProgramType = programType;
            Section = section;
        }

        public int ProgramType { get; }

        public string? Section { get; }
    }

    /// <summary>
    /// The BpfSharp types of one compilation, looked up once, with per-compilation caches of what the attributes say.
    /// Created in a compilation-start action; null when the compilation does not reference BpfSharp.
    /// </summary>
    internal sealed class BpfSymbols
    {
        private readonly ConcurrentDictionary<IMethodSymbol, HelperFacts?> _helpers = new ConcurrentDictionary<IMethodSymbol, HelperFacts?>(SymbolEqualityComparer.Default);
        private readonly ConcurrentDictionary<ITypeSymbol, int?> _mapTypes = new ConcurrentDictionary<ITypeSymbol, int?>(SymbolEqualityComparer.Default);

        private BpfSymbols(INamedTypeSymbol program, INamedTypeSymbol helper, INamedTypeSymbol helperProgramType, INamedTypeSymbol helperMapType, INamedTypeSymbol mapClass, INamedTypeSymbol map)
        {
            ProgramAttribute = program;
            HelperAttribute = helper;
            HelperProgramTypeAttribute = helperProgramType;
            HelperMapTypeAttribute = helperMapType;
            MapClassAttribute = mapClass;
            Map = map;
        }

        public INamedTypeSymbol ProgramAttribute { get; }

        public INamedTypeSymbol HelperAttribute { get; }

        public INamedTypeSymbol HelperProgramTypeAttribute { get; }

        public INamedTypeSymbol HelperMapTypeAttribute { get; }

        public INamedTypeSymbol MapClassAttribute { get; }

        public INamedTypeSymbol Map { get; }

        public static BpfSymbols? Create(Compilation compilation)
        {
            var program = compilation.GetTypeByMetadataName("BpfSharp.BpfProgramAttribute");
            var helper = compilation.GetTypeByMetadataName("BpfSharp.BpfHelperAttribute");
            var helperProgramType = compilation.GetTypeByMetadataName("BpfSharp.BpfHelperProgramTypeAttribute");
            var helperMapType = compilation.GetTypeByMetadataName("BpfSharp.BpfHelperMapTypeAttribute");
            var mapClass = compilation.GetTypeByMetadataName("BpfSharp.BpfMapClassAttribute");
            var map = compilation.GetTypeByMetadataName("BpfSharp.BpfMap");
            return program is null || helper is null || helperProgramType is null || helperMapType is null || mapClass is null || map is null
                ? null
                : new BpfSymbols(program, helper, helperProgramType, helperMapType, mapClass, map);
        }

        public HelperFacts? GetHelper(IMethodSymbol method) => _helpers.GetOrAdd(method.OriginalDefinition, ReadHelper);

        /// <summary>The map type of a map class (its own or an ancestor's [BpfMapClass]); null for BpfMap itself or unknown types.</summary>
        public int? GetMapType(ITypeSymbol type) => _mapTypes.GetOrAdd(type, ReadMapType);

        /// <summary>The [BpfProgram] attributes of a method, valid or not.</summary>
        public IEnumerable<AttributeData> GetProgramAttributes(ISymbol symbol) =>
            symbol.GetAttributes().Where(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, ProgramAttribute));

        /// <summary>The programs a method declares, resolved; invalid declarations are left out (BPF0007 reports them).</summary>
        public IEnumerable<DeclaredProgram> GetPrograms(ISymbol symbol)
        {
            foreach (var attribute in GetProgramAttributes(symbol))
            {
                if (ProgramDeclaration.Resolve(attribute) is DeclaredProgram program)
                {
                    yield return program;
                }
            }
        }

        private HelperFacts? ReadHelper(IMethodSymbol method)
        {
            string? name = null;
            var id = 0;
            var programTypes = ImmutableDictionary.CreateBuilder<int, string?>();
            var hasProgramTypes = false;
            var mapTypes = ImmutableDictionary.CreateBuilder<int, ImmutableHashSet<int>?>();
            foreach (var attribute in method.GetAttributes())
            {
                var args = attribute.ConstructorArguments;
                if (SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, HelperAttribute) && args.Length == 2)
                {
                    name = args[0].Value as string;
                    id = args[1].Value is int value ? value : 0;
                }
                else if (SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, HelperProgramTypeAttribute) && args.Length == 1 && args[0].Value is int programType)
                {
                    hasProgramTypes = true;
                    programTypes[programType] = NamedString(attribute, "Since");
                }
                else if (SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, HelperMapTypeAttribute) && args.Length == 1 && args[0].Value is int mapType)
                {
                    mapTypes[mapType] = NamedIntArray(attribute, "OnlyInProgramTypes");
                }
            }

            return name is null ? null : new HelperFacts(name, id, hasProgramTypes ? programTypes.ToImmutable() : null, mapTypes.ToImmutable());
        }

        private int? ReadMapType(ITypeSymbol type)
        {
            for (var current = type as INamedTypeSymbol; current != null; current = current.BaseType)
            {
                foreach (var attribute in current.OriginalDefinition.GetAttributes())
                {
                    if (SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, MapClassAttribute)
                        && attribute.ConstructorArguments.Length == 1
                        && attribute.ConstructorArguments[0].Value is int mapType)
                    {
                        return mapType;
                    }
                }
            }

            return null;
        }

        private static ImmutableHashSet<int>? NamedIntArray(AttributeData attribute, string name)
        {
            foreach (var argument in attribute.NamedArguments)
            {
                if (argument.Key == name && argument.Value.Kind == TypedConstantKind.Array && !argument.Value.IsNull)
                {
                    return argument.Value.Values.Select(v => v.Value).OfType<int>().ToImmutableHashSet();
                }
            }

            return null;
        }

        private static string? NamedString(AttributeData attribute, string name)
        {
            foreach (var argument in attribute.NamedArguments)
            {
                if (argument.Key == name)
                {
                    return argument.Value.Value as string;
                }
            }

            return null;
        }
    }

    /// <summary>Reads one [BpfProgram] attribute: the enum form directly, the string form through libbpf's section table.</summary>
    internal static class ProgramDeclaration
    {
        public static DeclaredProgram? Resolve(AttributeData attribute)
        {
            if (attribute.ConstructorArguments.Length != 1)
            {
                return null;
            }

            var argument = attribute.ConstructorArguments[0];
            if (argument.Value is int programType)
            {
                return KernelTypes.ProgramTypes.FindByValue(programType) is null || programType == 0 ? null : new DeclaredProgram(programType, null);
            }

            if (argument.Value is string section && SectionNames.Resolve(section) is SectionDefinition definition)
            {
                return new DeclaredProgram(KernelTypes.ProgramTypes.FindByName(definition.ProgramType)!.Value, section);
            }

            return null;
        }

        /// <summary>How messages name a program type: <c>XDP (BPF_PROG_TYPE_XDP)</c>.</summary>
        public static string Describe(int programType)
        {
            var name = KernelTypes.ProgramTypes.FindByValue(programType)?.Name ?? programType.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return ShortName(name) + " (" + name + ")";
        }

        public static string ShortName(string kernelName)
        {
            var at = kernelName.IndexOf("_TYPE_", System.StringComparison.Ordinal);
            return at < 0 ? kernelName : kernelName.Substring(at + "_TYPE_".Length);
        }
    }
}
