using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using BpfSharp.Spec;

namespace BpfSharp.Analyzers.HelperCalls.Rules
{
    /// <summary>How the map rules (BPF0002, BPF0006) name map types, and what they hand their code fix.</summary>
    internal static class MapTypeText
    {
        public static string Name(int value) => KernelTypes.MapTypes.FindByValue(value)?.Name ?? "map type " + value.ToString(CultureInfo.InvariantCulture);

        /// <summary>For the code fix: the map classes that would work, best first.</summary>
        public static ImmutableDictionary<string, string?> ClassProperties(IEnumerable<string> mapTypes) =>
            ImmutableDictionary<string, string?>.Empty.Add(
                "MapClasses",
                string.Join(",", mapTypes.Select(n => KernelTypes.MapTypes.FindByName(n)).Where(m => m?.MapClass != null).Select(m => m!.MapClass).Distinct()));
    }
}
