using System;
using System.Collections.Generic;
using System.Linq;

namespace BpfSharp.Spec
{
    /// <summary>One row of libbpf's section table.</summary>
    public sealed record SectionDefinition(string Pattern, string ProgramType, string? AttachType, IReadOnlyList<string> Flags)
    {
        /// <summary>The section name without its match suffix (<c>kprobe+</c> gives <c>kprobe</c>).</summary>
        public string Prefix => Pattern.TrimEnd('+');

        public bool IsSleepable => Flags.Contains("sleepable");

        /// <summary>Whether libbpf needs an attach target after the '/' to load the program.</summary>
        public bool RequiresTarget => Flags.Contains("attach_btf");

        /// <summary>libbpf's rule: "x" is exact, "x+" is "x" or "x/...", "x/" is "x/..." only.</summary>
        public bool Matches(string section)
        {
            if (Pattern.EndsWith("/", StringComparison.Ordinal))
            {
                return section.StartsWith(Pattern, StringComparison.Ordinal);
            }

            if (Pattern.EndsWith("+", StringComparison.Ordinal))
            {
                var prefix = Prefix;
                return section.StartsWith(prefix, StringComparison.Ordinal)
                    && (section.Length == prefix.Length || section[prefix.Length] == '/');
            }

            return string.Equals(section, Pattern, StringComparison.Ordinal);
        }
    }

    /// <summary>Resolves a libbpf ELF section name to its program type the way libbpf does: first match in table order.</summary>
    public static class SectionNames
    {
        private static readonly Lazy<IReadOnlyList<SectionDefinition>> s_table = new Lazy<IReadOnlyList<SectionDefinition>>(Load);

        public static IReadOnlyList<SectionDefinition> All => s_table.Value;

        public static SectionDefinition? Resolve(string section)
        {
            foreach (var definition in All)
            {
                if (definition.Matches(section))
                {
                    return definition;
                }
            }

            return null;
        }

        /// <summary>
        /// The valid section name nearest to an invalid one (edit distance on the part before '/', the rest kept), for
        /// "did you mean". Null when nothing is reasonably close.
        /// </summary>
        public static string? Suggest(string section)
        {
            var slash = section.IndexOf('/');
            var head = slash < 0 ? section : section.Substring(0, slash);
            var tail = slash < 0 ? string.Empty : section.Substring(slash);
            string? best = null;
            var bestDistance = int.MaxValue;
            foreach (var definition in All)
            {
                var candidateHead = definition.Prefix.TrimEnd('/');
                var candidateSlash = candidateHead.IndexOf('/');
                var compared = candidateSlash < 0 ? candidateHead : candidateHead.Substring(0, candidateSlash);
                // Twice the edit distance, plus one when the candidate has a '/' part the input lacks (or the reverse).
                var distance = (2 * Distance(head.ToLowerInvariant(), compared)) + ((candidateSlash >= 0) != (slash >= 0) ? 1 : 0);
                var candidate = candidateSlash < 0
                    ? (definition.Pattern.EndsWith("+", StringComparison.Ordinal) || tail.Length == 0 ? candidateHead + (definition.Pattern.EndsWith("+", StringComparison.Ordinal) ? tail : string.Empty) : null)
                    : candidateHead;
                if (candidate is null || candidate == section || (definition.RequiresTarget && tail.Length <= 1))
                {
                    continue;
                }

                if (distance < bestDistance)
                {
                    best = candidate;
                    bestDistance = distance;
                }
            }

            return bestDistance / 2 <= Math.Max(2, head.Length / 3) && best != null && Resolve(best) != null ? best : null;
        }

        // Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours ("xpd" -> "xdp" is 1).
        private static int Distance(string a, string b)
        {
            var d = new int[a.Length + 1, b.Length + 1];
            for (var i = 0; i <= a.Length; i++)
            {
                d[i, 0] = i;
            }

            for (var j = 0; j <= b.Length; j++)
            {
                d[0, j] = j;
            }

            for (var i = 1; i <= a.Length; i++)
            {
                for (var j = 1; j <= b.Length; j++)
                {
                    var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                    d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                    if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                    {
                        d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                    }
                }
            }

            return d[a.Length, b.Length];
        }

        private static IReadOnlyList<SectionDefinition> Load() =>
            TsvTable.ReadResource("section-names.tsv")
                .Select(row => new SectionDefinition(
                    row[0],
                    row[1],
                    row.Count > 2 && row[2].Length > 0 ? row[2] : null,
                    row.Count > 3 && row[3].Length > 0 ? row[3].Split(',') : Array.Empty<string>()))
                .ToArray();
    }
}
