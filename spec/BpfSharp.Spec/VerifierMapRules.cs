using System;
using System.Collections.Generic;
using System.Linq;

namespace BpfSharp.Spec
{
    /// <summary>
    /// The kernel verifier's helper/map compatibility rules (check_map_func_compatibility): a call is rejected when the
    /// map type's row does not list the helper, or the helper's row does not list the map type. A map type or helper
    /// without a row is unconstrained in that direction.
    /// </summary>
    public static class VerifierMapRules
    {
        private static readonly Lazy<(Dictionary<string, HashSet<string>> ByMap, Dictionary<string, HashSet<string>> ByHelper)> s_rules = new(Load);

        public static bool Accepts(string helper, string mapType)
        {
            var (byMap, byHelper) = s_rules.Value;
            return (!byMap.TryGetValue(mapType, out var helpers) || helpers.Contains(helper))
                && (!byHelper.TryGetValue(helper, out var mapTypes) || mapTypes.Contains(mapType));
        }

        /// <summary>The map types (kernel names, canonical spelling) the verifier lets a helper take, in value order.</summary>
        public static IReadOnlyList<string> AcceptedMapTypes(string helper) =>
            KernelTypes.MapTypes.Members
                .Where(m => m.Value != 0)
                .Select(m => KernelTypes.MapTypes.FindByValue(m.Value)!.Name)
                .Distinct()
                .Where(name => Accepts(helper, name))
                .ToArray();

        private static (Dictionary<string, HashSet<string>>, Dictionary<string, HashSet<string>>) Load()
        {
            var byMap = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
            var byHelper = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
            foreach (var row in TsvTable.ReadResource("verifier-map-compat.tsv"))
            {
                var allowed = new HashSet<string>(row.Count > 2 ? row[2].Split(new[] { ',' }, StringSplitOptions.RemoveEmptyEntries) : Array.Empty<string>(), StringComparer.Ordinal);
                (row[0] == "map" ? byMap : byHelper)[row[1]] = allowed;
            }

            // Rows name the canonical map types; aliases share their value (and so their rules).
            foreach (var member in KernelTypes.MapTypes.Members)
            {
                var canonical = KernelTypes.MapTypes.FindByValue(member.Value)!.Name;
                if (member.Name != canonical && byMap.TryGetValue(canonical, out var helpers))
                {
                    byMap[member.Name] = helpers;
                }
            }

            return (byMap, byHelper);
        }
    }
}
