using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using BpfSharp.Spec;
using Microsoft.CodeAnalysis;

namespace BpfSharp.Analyzers
{
    /// <summary>A flags parameter of a helper with what its [BpfHelperFlags] accepts.</summary>
    internal sealed class FlagsParameter
    {
        public FlagsParameter(int ordinal, ulong acceptedBits, ImmutableArray<ulong>? acceptedValues, string? description)
        {
            Ordinal = ordinal;
            AcceptedBits = acceptedBits;
            AcceptedValues = acceptedValues;
            Description = description;
        }

        public int Ordinal { get; }

        public ulong AcceptedBits { get; }

        /// <summary>Values (beyond the bits) the parameter takes as a whole; null when it takes bits only.</summary>
        public ImmutableArray<ulong>? AcceptedValues { get; }

        public string? Description { get; }
    }

    /// <summary>The facts a generated helper stub carries in its attributes, and which of its parameters the checks read.</summary>
    internal sealed class HelperFacts
    {
        public HelperFacts(string name, int id, string? since, bool gplOnly, ImmutableArray<string> gplOnlyExceptions, ImmutableDictionary<int, string?>? programTypes, ImmutableArray<ProgramTypeCondition> programTypeConditions, ImmutableDictionary<int, MapTypeFact> mapTypes, ImmutableArray<int> mapParameters, ImmutableArray<FlagsParameter> flagsParameters)
        {
            Name = name;
            Id = id;
            Since = since;
            GplOnly = gplOnly;
            GplOnlyExceptions = gplOnlyExceptions;
            ProgramTypes = programTypes;
            ProgramTypeConditions = programTypeConditions;
            MapTypes = mapTypes;
            MapParameters = mapParameters;
            FlagsParameters = flagsParameters;
        }

        /// <summary>Ordinals of the parameters typed BpfMap.</summary>
        public ImmutableArray<int> MapParameters { get; }

        public ImmutableArray<FlagsParameter> FlagsParameters { get; }

        public string Name { get; }

        public int Id { get; }

        public string? Since { get; }

        public bool GplOnly { get; }

        /// <summary>Program types or attach types in which the helper is not GPL-only.</summary>
        public ImmutableArray<string> GplOnlyExceptions { get; }

        /// <summary>Allowed program type values with their version tags; null when the spec states no program types.</summary>
        public ImmutableDictionary<int, string?>? ProgramTypes { get; }

        /// <summary>Conditions on the use in a program type (capabilities, kernel config, attach type, ...), by program type value.</summary>
        public ImmutableArray<ProgramTypeCondition> ProgramTypeConditions { get; }

        /// <summary>The map type values the verifier accepts; empty when the helper takes no map.</summary>
        public ImmutableDictionary<int, MapTypeFact> MapTypes { get; }

        /// <summary>"bpf_map_push_elem#87", as the verifier names a helper.</summary>
        public override string ToString() => Name + "#" + Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>A program a method declares, resolved to its kernel program type (and attach type, when the section says).</summary>
    internal readonly struct DeclaredProgram
    {
        public DeclaredProgram(int programType, string? attachType, bool sleepable)
        {
            ProgramType = programType;
            AttachType = attachType;
            Sleepable = sleepable;
        }

        public int ProgramType { get; }

        /// <summary>The expected attach type the section gives (null: none, or declared by program type alone).</summary>
        public string? AttachType { get; }

        /// <summary>Whether the section loads the program sleepable (<c>BPF_F_SLEEPABLE</c>).</summary>
        public bool Sleepable { get; }

        public string ProgramTypeName => KernelTypes.ProgramTypes.FindByValue(ProgramType)?.Name ?? string.Empty;
    }

    /// <summary>
    /// The BpfSharp types of one compilation, looked up once, with per-compilation caches of what the attributes say.
    /// Created in a compilation-start action; null when the compilation does not reference BpfSharp.
    /// </summary>
    internal sealed class BpfSymbols
    {
        private readonly ConcurrentDictionary<IMethodSymbol, HelperFacts?> _helpers = new ConcurrentDictionary<IMethodSymbol, HelperFacts?>(SymbolEqualityComparer.Default);
        private readonly ConcurrentDictionary<ITypeSymbol, int?> _mapTypes = new ConcurrentDictionary<ITypeSymbol, int?>(SymbolEqualityComparer.Default);
        private readonly ConcurrentDictionary<ISymbol, bool> _isProgram = new ConcurrentDictionary<ISymbol, bool>(SymbolEqualityComparer.Default);
        private readonly ConcurrentDictionary<ISymbol, ImmutableArray<DeclaredProgram>> _programs = new ConcurrentDictionary<ISymbol, ImmutableArray<DeclaredProgram>>(SymbolEqualityComparer.Default);
        // The cache lookups run once per call in the compilation: their factories are made once, not per lookup.
        private readonly System.Func<IMethodSymbol, HelperFacts?> _readHelper;
        private readonly System.Func<ITypeSymbol, int?> _readMapType;
        private readonly System.Func<ISymbol, bool> _readIsProgram;
        private readonly System.Func<ISymbol, ImmutableArray<DeclaredProgram>> _readPrograms;

        private BpfSymbols(Compilation compilation, INamedTypeSymbol program, INamedTypeSymbol helper, INamedTypeSymbol mapClass, INamedTypeSymbol map)
        {
            ProgramAttribute = program;
            HelperAttribute = helper;
            MapClassAttribute = mapClass;
            Map = map;
            FlagsAttribute = compilation.GetTypeByMetadataName("BpfSharp.BpfHelperFlagsAttribute");
            LicenseAttribute = compilation.GetTypeByMetadataName("BpfSharp.BpfLicenseAttribute");
            License = ReadLicense(compilation);
            _readHelper = ReadHelper;
            _readMapType = ReadMapType;
            _readIsProgram = symbol => GetProgramAttributes(symbol).Any();
            _readPrograms = symbol => GetProgramAttributes(symbol).Select(ProgramDeclaration.Resolve).Where(p => p.HasValue).Select(p => p!.Value).ToImmutableArray();
        }

        public INamedTypeSymbol ProgramAttribute { get; }

        public INamedTypeSymbol HelperAttribute { get; }

        public INamedTypeSymbol MapClassAttribute { get; }

        public INamedTypeSymbol Map { get; }

        public INamedTypeSymbol? FlagsAttribute { get; }

        public INamedTypeSymbol? LicenseAttribute { get; }

        /// <summary>The assembly's [BpfLicense] string, or null when there is none.</summary>
        public string? License { get; }

        public static BpfSymbols? Create(Compilation compilation)
        {
            var program = compilation.GetTypeByMetadataName(DeclaredSection.AttributeMetadataName);
            var helper = compilation.GetTypeByMetadataName("BpfSharp.BpfHelperAttribute");
            var mapClass = compilation.GetTypeByMetadataName("BpfSharp.BpfMapClassAttribute");
            var map = compilation.GetTypeByMetadataName("BpfSharp.BpfMap");
            return program is null || helper is null || mapClass is null || map is null
                ? null
                : new BpfSymbols(compilation, program, helper, mapClass, map);
        }

        [System.Runtime.CompilerServices.MethodImpl(BpfSharp.Compiler.HotPath.Optimized)]
        public HelperFacts? GetHelper(IMethodSymbol method) => _helpers.GetOrAdd(method.OriginalDefinition, _readHelper);

        /// <summary>The map type of a map class (its own or an ancestor's [BpfMapClass]); null for BpfMap itself or unknown types.</summary>
        public int? GetMapType(ITypeSymbol type) => _mapTypes.GetOrAdd(type, _readMapType);

        /// <summary>The [BpfProgram] attributes of a method, valid or not.</summary>
        public IEnumerable<AttributeData> GetProgramAttributes(ISymbol symbol) =>
            symbol.GetAttributes().Where(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, ProgramAttribute));

        /// <summary>The programs a method declares, resolved; invalid declarations are left out (BPF0007 reports them).</summary>
        [System.Runtime.CompilerServices.MethodImpl(BpfSharp.Compiler.HotPath.Optimized)]
        public ImmutableArray<DeclaredProgram> GetPrograms(ISymbol symbol) =>
            _programs.GetOrAdd(symbol, _readPrograms);

        /// <summary>Whether a method declares a program (even one whose section name is invalid).</summary>
        [System.Runtime.CompilerServices.MethodImpl(BpfSharp.Compiler.HotPath.Optimized)]
        public bool IsProgram(ISymbol symbol) => _isProgram.GetOrAdd(symbol, _readIsProgram);

        // Decodes the one [BpfHelper] attribute of a stub with the codec the emitter encoded it with.
        private HelperFacts? ReadHelper(IMethodSymbol method)
        {
            var attribute = method.GetAttributes().FirstOrDefault(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, HelperAttribute));
            if (attribute is null || attribute.ConstructorArguments.Length != 2 || attribute.ConstructorArguments[0].Value is not string name)
            {
                return null;
            }

            var facts = HelperFactEncoding.Decode(new EncodedHelperFacts(name, attribute.ConstructorArguments[1].Value is int id ? id : 0)
            {
                Since = Named(attribute, HelperFactEncoding.SinceArgument)?.Value as string,
                GplOnly = Named(attribute, HelperFactEncoding.GplOnlyArgument)?.Value is true,
                GplOnlyExceptions = NamedArray<string>(attribute, HelperFactEncoding.GplOnlyExceptionsArgument),
                ProgramTypes = Named(attribute, HelperFactEncoding.ProgramTypesArgument)?.Value as ulong?,
                ProgramTypeVersions = Named(attribute, HelperFactEncoding.ProgramTypeVersionsArgument)?.Value as string,
                ProgramTypeConditions = Named(attribute, HelperFactEncoding.ProgramTypeConditionsArgument)?.Value as string,
                MapTypes = Named(attribute, HelperFactEncoding.MapTypesArgument)?.Value as ulong?,
                AlwaysFailingMapTypes = Named(attribute, HelperFactEncoding.AlwaysFailingMapTypesArgument)?.Value is ulong failing ? failing : 0,
                MapTypeConditions = Named(attribute, HelperFactEncoding.MapTypeConditionsArgument)?.Value as string,
            });

            var mapParameters = method.Parameters.Where(p => SymbolEqualityComparer.Default.Equals(p.Type, Map)).Select(p => p.Ordinal).ToImmutableArray();
            var flagsParameters = method.Parameters.Select(ReadFlags).Where(f => f != null).Select(f => f!).ToImmutableArray();
            return new HelperFacts(
                facts.Name,
                facts.Id,
                facts.Since,
                facts.GplOnly,
                facts.GplOnlyExceptions.ToImmutableArray(),
                facts.ProgramTypes?.ToImmutableDictionary(p => p.Value, p => p.Since),
                facts.ProgramTypeConditions.ToImmutableArray(),
                (facts.MapTypes ?? Enumerable.Empty<MapTypeFact>()).ToImmutableDictionary(m => m.Value),
                mapParameters,
                flagsParameters);
        }

        private FlagsParameter? ReadFlags(IParameterSymbol parameter)
        {
            var attribute = parameter.GetAttributes().FirstOrDefault(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, FlagsAttribute));
            if (attribute is null || attribute.ConstructorArguments.Length != 1 || attribute.ConstructorArguments[0].Value is not ulong bits)
            {
                return null;
            }

            return new FlagsParameter(parameter.Ordinal, bits, NamedArray<ulong>(attribute, "AcceptedValues"), Named(attribute, "Description")?.Value as string);
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

        private string? ReadLicense(Compilation compilation)
        {
            foreach (var attribute in compilation.Assembly.GetAttributes())
            {
                if (LicenseAttribute != null && SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, LicenseAttribute)
                    && attribute.ConstructorArguments.Length == 1)
                {
                    return attribute.ConstructorArguments[0].Value as string;
                }
            }

            return null;
        }

        // A named array argument's elements, or null when the attribute does not set it.
        private static ImmutableArray<T>? NamedArray<T>(AttributeData attribute, string name) =>
            Named(attribute, name) is TypedConstant { Kind: TypedConstantKind.Array, IsNull: false } list
                ? list.Values.Select(v => v.Value).OfType<T>().ToImmutableArray()
                : (ImmutableArray<T>?)null;

        private static TypedConstant? Named(AttributeData attribute, string name)
        {
            foreach (var argument in attribute.NamedArguments)
            {
                if (argument.Key == name)
                {
                    return argument.Value;
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

            // The section the compiler writes is the one judged: a bare program type is its default section.
            return DeclaredSection.FromArgument(attribute.ConstructorArguments[0].Value, out _) is DeclaredSection declared
                ? new DeclaredProgram(declared.ProgramType, declared.AttachType, declared.Sleepable)
                : (DeclaredProgram?)null;
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
