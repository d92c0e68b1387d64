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
