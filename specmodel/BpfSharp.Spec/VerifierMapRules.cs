using System;
using System.Collections.Generic;
using System.Linq;

namespace BpfSharp.Spec
{
    /// <summary>A map type the verifier lets a helper take; <see cref="OnlyInProgramTypes"/> is set when only some program types may.</summary>
    public sealed record AcceptedMapType(string MapType, IReadOnlyList<string>? OnlyInProgramTypes);

    /// <summary>
    /// The kernel verifier's helper/map compatibility rules (check_map_func_compatibility): a call is rejected when the
    /// map type's row does not list the helper, or the helper's row does not list the map type. A map type or helper
    /// without a row is unconstrained in that direction. A few pairs are accepted in some program types only
    /// (may_update_sockmap).
    /// </summary>
    public static class VerifierMapRules
    {
        private static readonly Lazy<Rules> s_rules = new Lazy<Rules>(Load);

        /// <summary>The map types (canonical kernel names, in value order) the verifier lets a helper take.</summary>
        public static IReadOnlyList<AcceptedMapType> AcceptedMapTypes(string helper)
        {
            var rules = s_rules.Value;
            var accepted = new List<AcceptedMapType>();
            foreach (var mapType in KernelTypes.MapTypes.Members.Where(m => m.Value != 0).Select(m => KernelTypes.MapTypes.FindByValue(m.Value)!.Name).Distinct())
            {
                if (rules.Refused.Contains((helper, mapType)) || rules.Refused.Contains(("*", mapType))
                    || (rules.Only.TryGetValue(helper, out var only) && !only.Contains(mapType)))
                {
                    continue;
                }

                var helperAllows = !rules.ByHelper.TryGetValue(helper, out var mapTypes) || mapTypes.Contains(mapType);
                var mapAllows = !rules.ByMap.TryGetValue(mapType, out var helpers) || helpers.Contains(helper);
                if (helperAllows && mapAllows)
                {
                    accepted.Add(new AcceptedMapType(mapType, null));
                }
                else if (helperAllows && rules.Conditional.TryGetValue((mapType, helper), out var programTypes))
                {
                    accepted.Add(new AcceptedMapType(mapType, programTypes));
                }
            }

            return accepted;
        }

        private sealed class Rules
        {
            public Dictionary<string, HashSet<string>> ByMap { get; } = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);

            public Dictionary<string, HashSet<string>> ByHelper { get; } = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);

            public Dictionary<(string MapType, string Helper), IReadOnlyList<string>> Conditional { get; } = new Dictionary<(string, string), IReadOnlyList<string>>();

            /// <summary>(helper or "*", map type) pairs other verifier checks refuse (verifier-map-refusals.tsv).</summary>
            public HashSet<(string Helper, string MapType)> Refused { get; } = new HashSet<(string, string)>();

            /// <summary>Helpers other verifier checks limit to a few map types.</summary>
            public Dictionary<string, HashSet<string>> Only { get; } = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        }

        private static Rules Load()
        {
            var rules = new Rules();
            foreach (var row in TsvTable.ReadResource("verifier-map-compat.tsv"))
            {
                var allowed = new HashSet<string>(row.Count > 2 ? row[2].Split(new[] { ',' }, StringSplitOptions.RemoveEmptyEntries) : Array.Empty<string>(), StringComparer.Ordinal);
                (row[0] == "map" ? rules.ByMap : rules.ByHelper)[Canonical(row[1])] = allowed;
            }

            foreach (var row in TsvTable.ReadResource("verifier-map-conditions.tsv"))
            {
                rules.Conditional[(Canonical(row[0]), row[1])] = row[2].Split(',');
            }

            foreach (var row in TsvTable.ReadResource("verifier-map-refusals.tsv"))
            {
                var mapTypes = row[2].Split(',').Select(Canonical);
                if (row[0] == "only")
                {
                    rules.Only[row[1]] = new HashSet<string>(mapTypes, StringComparer.Ordinal);
                }
                else
                {
                    rules.Refused.UnionWith(mapTypes.Select(m => (row[1], m)));
                }
            }

            return rules;
        }

        // Rows may name either spelling of an aliased map type; both share one value and so one set of rules.
        private static string Canonical(string name) =>
            name.StartsWith("BPF_MAP_TYPE_", StringComparison.Ordinal) && KernelTypes.MapTypes.FindByName(name) is KernelEnumMember member
                ? KernelTypes.MapTypes.FindByValue(member.Value)!.Name
                : name;
    }
}
