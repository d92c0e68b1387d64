using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

// The one owner of the [BpfHelper] fact encoding. Compiled into BpfSharp.Spec (public: the emitter encodes, the
// analyzers decode) and linked as source into the runtime with BPFSHARP_RUNTIME defined (internal: the runtime is the
// only lib in the package and must not depend on BpfSharp.Spec). BCL only, for that reason.
namespace BpfSharp.Spec
{
    /// <summary>The facts of one helper by kernel enum value: what the emitter encodes and the analyzers and runtime decode.</summary>
#if BPFSHARP_RUNTIME
    internal
#else
    public
#endif
    sealed class HelperFactSet
    {
        public HelperFactSet(
            string name,
            int id,
            string? since,
            bool gplOnly,
            IReadOnlyList<string> gplOnlyExceptions,
            IReadOnlyList<ProgramTypeFact>? programTypes,
            IReadOnlyList<ProgramTypeCondition> programTypeConditions,
            IReadOnlyList<MapTypeFact>? mapTypes)
        {
            Name = name;
            Id = id;
            Since = since;
            GplOnly = gplOnly;
            GplOnlyExceptions = gplOnlyExceptions;
            ProgramTypes = programTypes;
            ProgramTypeConditions = programTypeConditions;
            MapTypes = mapTypes;
        }

        public string Name { get; }

        public int Id { get; }

        public string? Since { get; }

        public bool GplOnly { get; }

        /// <summary>Program or attach type names in which a GPL-only helper is not GPL-only (carried only when GPL-only).</summary>
        public IReadOnlyList<string> GplOnlyExceptions { get; }

        /// <summary>The program types that may call the helper; null when the spec does not say.</summary>
        public IReadOnlyList<ProgramTypeFact>? ProgramTypes { get; }

        /// <summary>Conditions on the use in a program type (cap, kconfig, attach_type, sleepable, ...).</summary>
        public IReadOnlyList<ProgramTypeCondition> ProgramTypeConditions { get; }

        /// <summary>The map types the verifier accepts for the map argument; null when the helper takes no map.</summary>
        public IReadOnlyList<MapTypeFact>? MapTypes { get; }
    }

    /// <summary>A program type (kernel value) that may call a helper, with the later kernel version that allowed it.</summary>
#if BPFSHARP_RUNTIME
    internal
#else
    public
#endif
    sealed class ProgramTypeFact
    {
        public ProgramTypeFact(int value, string? since)
        {
            Value = value;
            Since = since;
        }

        public int Value { get; }

        public string? Since { get; }
    }

    /// <summary>A map type (kernel value) the verifier accepts, whether the operation always fails on it, and the program types it is limited to (null: any).</summary>
#if BPFSHARP_RUNTIME
    internal
#else
    public
#endif
    sealed class MapTypeFact
    {
        public MapTypeFact(int value, bool alwaysFails, IReadOnlyList<int>? onlyInProgramTypes)
        {
            Value = value;
            AlwaysFails = alwaysFails;
            OnlyInProgramTypes = onlyInProgramTypes;
        }

        public int Value { get; }

        public bool AlwaysFails { get; }

        public IReadOnlyList<int>? OnlyInProgramTypes { get; }
    }

    /// <summary>A condition on a helper in one program type (kernel value): a kind such as <c>cap</c> and its values.</summary>
#if BPFSHARP_RUNTIME
    internal
#else
    public
#endif
    sealed class ProgramTypeCondition
    {
        public ProgramTypeCondition(int programType, string kind, IReadOnlyList<string> values)
        {
            ProgramType = programType;
            Kind = kind;
            Values = values;
        }

        public int ProgramType { get; }

        public string Kind { get; }

        public IReadOnlyList<string> Values { get; }
    }

    /// <summary>The [BpfHelper] attribute's arguments as they are written: constructor arguments and named ones (null: not set).</summary>
#if BPFSHARP_RUNTIME
    internal
#else
    public
#endif
    sealed class EncodedHelperFacts
    {
        public EncodedHelperFacts(string name, int id)
        {
            Name = name;
            Id = id;
        }

        public string Name { get; }

        public int Id { get; }

        public string? Since { get; set; }

        public bool GplOnly { get; set; }

        public IReadOnlyList<string>? GplOnlyExceptions { get; set; }

        public ulong? ProgramTypes { get; set; }

        public string? ProgramTypeVersions { get; set; }

        public string? ProgramTypeConditions { get; set; }

        public ulong? MapTypes { get; set; }

        public ulong AlwaysFailingMapTypes { get; set; }

        public string? MapTypeConditions { get; set; }
    }

    /// <summary>
    /// Facts to attribute arguments and back. Bit sets are indexed by kernel enum value; strings are space-separated
    /// entries: <c>ProgramTypeVersions</c> "value:version" (<c>"6:6.10"</c>), <c>MapTypeConditions</c>
    /// "map:program,program" (<c>"15:26,1"</c>), <c>ProgramTypeConditions</c> "program:kind=value,value"
    /// (<c>"6:cap=CAP_BPF,CAP_PERFMON"</c>). Encoding throws on facts it cannot carry; decoding skips what it cannot read.
    /// </summary>
#if BPFSHARP_RUNTIME
    internal
#else
    public
#endif
    static class HelperFactEncoding
    {
        // The named arguments of [BpfHelper], for the emitter that writes them and the analyzer that reads them.
        public const string SinceArgument = "Since";
        public const string GplOnlyArgument = "GplOnly";
        public const string GplOnlyExceptionsArgument = "GplOnlyExceptions";
        public const string ProgramTypesArgument = "ProgramTypes";
        public const string ProgramTypeVersionsArgument = "ProgramTypeVersions";
        public const string ProgramTypeConditionsArgument = "ProgramTypeConditions";
        public const string MapTypesArgument = "MapTypes";
        public const string AlwaysFailingMapTypesArgument = "AlwaysFailingMapTypes";
        public const string MapTypeConditionsArgument = "MapTypeConditions";

        private static readonly char[] s_entrySeparator = { ' ' };
        private static readonly char[] s_listSeparator = { ',' };

        /// <summary>Whether a condition kind or value can be carried: not empty, no whitespace and none of <c>, : =</c>.</summary>
        public static bool IsConditionToken(string text) =>
            text.Length > 0 && text.All(c => !char.IsWhiteSpace(c) && c != ',' && c != ':' && c != '=');

        /// <summary>Encodes the facts; throws when one does not fit (an enum value outside 0..63, a separator in a token).</summary>
        public static EncodedHelperFacts Encode(HelperFactSet facts)
        {
            var encoded = new EncodedHelperFacts(facts.Name, facts.Id)
            {
                Since = facts.Since,
                GplOnly = facts.GplOnly,
                GplOnlyExceptions = facts.GplOnly && facts.GplOnlyExceptions.Count > 0 ? facts.GplOnlyExceptions.ToArray() : null,
            };

            if (facts.ProgramTypes is { } programTypes)
            {
                encoded.ProgramTypes = ToBits(programTypes.Select(p => p.Value), ProgramTypesArgument);
                var versions = programTypes.Where(p => p.Since != null).GroupBy(p => p.Value).Select(g => g.First()).OrderBy(p => p.Value)
                    .Select(p => Number(p.Value) + ":" + Token(p.Since!, ProgramTypeVersionsArgument, allowSeparators: true));
                encoded.ProgramTypeVersions = JoinOrNull(versions);
            }

            // Ordered by program type, page order within one: the same facts always give the same text.
            encoded.ProgramTypeConditions = JoinOrNull(facts.ProgramTypeConditions.OrderBy(c => c.ProgramType).Select(c =>
                NonNegative(c.ProgramType, ProgramTypeConditionsArgument) + ":" + Token(c.Kind, ProgramTypeConditionsArgument, allowSeparators: false) + "="
                + string.Join(",", c.Values.Select(v => Token(v, ProgramTypeConditionsArgument, allowSeparators: false)))));

            if (facts.MapTypes is { } mapTypes)
            {
                encoded.MapTypes = ToBits(mapTypes.Select(m => m.Value), MapTypesArgument);
                encoded.AlwaysFailingMapTypes = ToBits(mapTypes.Where(m => m.AlwaysFails).Select(m => m.Value), AlwaysFailingMapTypesArgument);
                encoded.MapTypeConditions = JoinOrNull(mapTypes.Where(m => m.OnlyInProgramTypes != null).OrderBy(m => m.Value).Select(m =>
                    Number(m.Value) + ":" + string.Join(",", m.OnlyInProgramTypes!.Select(p => NonNegative(p, MapTypeConditionsArgument)))));
            }

            return encoded;
        }

        /// <summary>Decodes attribute arguments; never throws on what a user may have written, malformed entries are left out.</summary>
        public static HelperFactSet Decode(EncodedHelperFacts encoded)
        {
            IReadOnlyList<ProgramTypeFact>? programTypes = null;
            if (encoded.ProgramTypes is ulong programBits)
            {
                var versions = Pairs(encoded.ProgramTypeVersions);
                programTypes = FromBits(programBits).Select(v => new ProgramTypeFact(v, versions.TryGetValue(v, out var since) ? since : null)).ToArray();
            }

            IReadOnlyList<MapTypeFact>? mapTypes = null;
            if (encoded.MapTypes is ulong mapBits)
            {
                var conditions = Pairs(encoded.MapTypeConditions);
                mapTypes = FromBits(mapBits).Select(v => new MapTypeFact(
                    v,
                    (encoded.AlwaysFailingMapTypes & (1UL << v)) != 0,
                    conditions.TryGetValue(v, out var onlyIn) ? List(onlyIn).Select(ParseNumber).Where(p => p >= 0).ToArray() : null)).ToArray();
            }

            return new HelperFactSet(
                encoded.Name,
                encoded.Id,
                encoded.Since,
                encoded.GplOnly,
                encoded.GplOnlyExceptions?.Where(e => e != null).ToArray() ?? Array.Empty<string>(),
                programTypes,
                DecodeConditions(encoded.ProgramTypeConditions),
                mapTypes);
        }

        /// <summary>The bit set of enum values; throws for a value the 64 bits cannot hold instead of wrapping it.</summary>
        public static ulong ToBits(IEnumerable<int> values, string fact)
        {
            var bits = 0UL;
            foreach (var value in values)
            {
                if (value < 0 || value >= 64)
                {
                    throw new ArgumentOutOfRangeException(nameof(values), value, $"{fact}: the kernel enum value {Number(value)} does not fit the attribute's 64-bit set (values 0 to 63); the encoding must be widened before such a value can ship.");
                }

                bits |= 1UL << value;
            }

            return bits;
        }

        /// <summary>The enum values in a bit set, ascending.</summary>
        public static IEnumerable<int> FromBits(ulong bits)
        {
            for (var value = 0; value < 64; value++)
            {
                if ((bits & (1UL << value)) != 0)
                {
                    yield return value;
                }
            }
        }

        private static IReadOnlyList<ProgramTypeCondition> DecodeConditions(string? text)
        {
            var conditions = new List<ProgramTypeCondition>();
            foreach (var entry in Entries(text))
            {
                var colon = entry.IndexOf(':');
                var equals = colon < 0 ? -1 : entry.IndexOf('=', colon + 1);
                var programType = colon < 0 ? -1 : ParseNumber(entry.Substring(0, colon));
                if (programType < 0 || equals < 0)
                {
                    continue;
                }

                var kind = entry.Substring(colon + 1, equals - colon - 1);
                if (IsConditionToken(kind))
                {
                    conditions.Add(new ProgramTypeCondition(programType, kind, List(entry.Substring(equals + 1)).ToArray()));
                }
            }

            return conditions;
        }

        // "6:6.10 3:6.10" gives {6: "6.10", 3: "6.10"}; a repeated key keeps its last value.
        private static Dictionary<int, string> Pairs(string? text)
        {
            var pairs = new Dictionary<int, string>();
            foreach (var entry in Entries(text))
            {
                var colon = entry.IndexOf(':');
                var key = colon < 0 ? -1 : ParseNumber(entry.Substring(0, colon));
                if (key >= 0)
                {
                    pairs[key] = entry.Substring(colon + 1);
                }
            }

            return pairs;
        }

        private static string[] Entries(string? text) => (text ?? string.Empty).Split(s_entrySeparator, StringSplitOptions.RemoveEmptyEntries);

        private static string[] List(string text) => text.Split(s_listSeparator, StringSplitOptions.RemoveEmptyEntries);

        // A non-negative decimal, or -1.
        private static int ParseNumber(string text) =>
            int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : -1;

        private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

        private static string NonNegative(int value, string fact) =>
            value >= 0 ? Number(value) : throw new ArgumentOutOfRangeException(nameof(value), value, $"{fact}: the kernel enum value {Number(value)} is negative.");

        private static string Token(string text, string fact, bool allowSeparators)
        {
            var valid = allowSeparators ? text.Length > 0 && !text.Any(char.IsWhiteSpace) : IsConditionToken(text);
            return valid ? text : throw new ArgumentException($"{fact}: '{text}' cannot be encoded: it is empty or holds whitespace{(allowSeparators ? string.Empty : " or one of , : =")}.", nameof(text));
        }

        private static string? JoinOrNull(IEnumerable<string> entries)
        {
            var text = string.Join(" ", entries);
            return text.Length == 0 ? null : text;
        }
    }
}
