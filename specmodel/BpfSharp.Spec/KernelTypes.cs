using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace BpfSharp.Spec
{
    /// <summary>One member of <c>enum bpf_prog_type</c> or <c>enum bpf_map_type</c>.</summary>
    public sealed record KernelEnumMember(int Value, string Name, string? AliasOf)
    {
        /// <summary>For map types: the BpfSharp map class (e.g. <c>QueueMap</c>); null when the table names none.</summary>
        public string? MapClass { get; init; }

        /// <summary>For map types: what the key, the value and max_entries are; null for UNSPEC and older spellings.</summary>
        public MapKind? MapKind { get; init; }

        /// <summary>The C# enum member name: the suffix after the prefix, PascalCased (<c>LRU_HASH</c> gives <c>LruHash</c>).</summary>
        public string MemberName => SpecNames.PascalCase(Name.Substring(Name.IndexOf("_TYPE_", StringComparison.Ordinal) + "_TYPE_".Length));
    }

    /// <summary>The kernel's program-type and map-type enums, read from the spec's tables.</summary>
    public sealed class KernelEnum
    {
        private readonly Dictionary<string, KernelEnumMember> _byName;
        private readonly Dictionary<int, KernelEnumMember> _byValue;

        internal KernelEnum(IReadOnlyList<KernelEnumMember> members)
        {
            Members = members;
            _byName = members.ToDictionary(m => m.Name, StringComparer.Ordinal);
            _byValue = new Dictionary<int, KernelEnumMember>();
            foreach (var member in members)
            {
                // The later spelling of a value is the kernel's current name (CGROUP_STORAGE over CGROUP_STORAGE_DEPRECATED).
                _byValue[member.Value] = member;
            }
        }

        public IReadOnlyList<KernelEnumMember> Members { get; }

        public KernelEnumMember? FindByName(string name) => _byName.TryGetValue(name, out var member) ? member : null;

        public KernelEnumMember? FindByValue(int value) => _byValue.TryGetValue(value, out var member) ? member : null;
    }

    public static class KernelTypes
    {
        private static readonly Lazy<KernelEnum> s_programTypes = new Lazy<KernelEnum>(() => Load("program-types.tsv"));
        private static readonly Lazy<KernelEnum> s_mapTypes = new Lazy<KernelEnum>(() => Load("map-types.tsv"));
        private static readonly Lazy<KernelEnum> s_attachTypes = new Lazy<KernelEnum>(() => Load("attach-types.tsv"));

        public static KernelEnum ProgramTypes => s_programTypes.Value;

        public static KernelEnum MapTypes => s_mapTypes.Value;

        /// <summary>The kind of a map type by its value; a type newer than the table is treated as one with a program-defined key and value.</summary>
        public static MapKind MapKindOf(int mapType) => MapTypes.FindByValue(mapType)?.MapKind ?? s_unknownMapKind;

        private static readonly MapKind s_unknownMapKind = new MapKind(false, MapKeyKind.Any, MapValueKind.Any, true, MapEntriesRule.Any, 0);

        /// <summary>The kernel's <c>enum bpf_attach_type</c> (<c>BPF_XDP</c>, <c>BPF_CGROUP_INET4_BIND</c>, ...).</summary>
        public static KernelEnum AttachTypes => s_attachTypes.Value;

        private static KernelEnum Load(string resource)
        {
            var members = new List<KernelEnumMember>();
            foreach (var row in TsvTable.ReadResource(resource))
            {
                members.Add(new KernelEnumMember(int.Parse(row[0], System.Globalization.CultureInfo.InvariantCulture), row[1], row.Count > 2 && row[2].Length > 0 ? row[2] : null)
                {
                    MapClass = row.Count > 3 && row[3].Length > 0 ? row[3] : null,
                    MapKind = MapKind.Parse(row, first: 4),
                });
            }

            return new KernelEnum(members);
        }
    }

    /// <summary>Reads the spec's tab-separated tables: '#' lines are comments, the first other line is the header.</summary>
    internal static class TsvTable
    {
        public static IEnumerable<IReadOnlyList<string>> ReadResource(string name)
        {
            using var stream = typeof(TsvTable).Assembly.GetManifestResourceStream("BpfSharp.Spec." + name)
                ?? throw new InvalidOperationException("Missing embedded spec table " + name);
            using var reader = new StreamReader(stream);
            var rows = new List<IReadOnlyList<string>>();
            var headerSeen = false;
            string? line;
            while ((line = reader.ReadLine()) != null)
            {
                if (line.Length == 0 || line[0] == '#')
                {
                    continue;
                }

                if (!headerSeen)
                {
                    headerSeen = true;
                    continue;
                }

                rows.Add(line.Split('\t'));
            }

            return rows;
        }
    }
}
