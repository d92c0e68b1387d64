using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using BpfSharp.Spec;
using YamlDotNet.RepresentationModel;

namespace BpfSharp.SpecData;

/// <summary>Everything the sources say about one helper, before any prose.</summary>
public sealed record UpstreamHelper(
    int Id,
    string Name,
    string Signature,
    string? Since,
    string? SinceCommit,
    IReadOnlyList<ProgramTypeUse> ProgramTypes,
    IReadOnlyList<string> MapTypes,
    bool GplOnly,
    IReadOnlyList<string> GplOnlyExceptions,
    IReadOnlyList<ProgramCondition> Conditions);

/// <summary>
/// Reads ../shared: helper ids and signatures (libbpf), GPL-only flags (kernel), versions and the per-program-type and
/// per-map-type helper lists (ebpf-docs data, groups expanded, excludes and since honoured).
/// </summary>
public sealed class UpstreamFacts
{
    private static readonly string[] ConditionKeys = ["cap", "kconfig", "attach_type", "sleepable", "prog_trampoline", "no_security_lockdown"];

    public UpstreamFacts(string sharedRoot)
    {
        SharedRoot = sharedRoot;
        var yaml = LoadYaml(Path.Combine(sharedRoot, "ebpf-docs", "data", "helpers-functions.yaml"));
        var groups = Mapping(yaml, "groups");
        var programs = new Dictionary<string, Dictionary<string, Entry>>(StringComparer.Ordinal);
        foreach (var (programType, items) in Entries(Mapping(yaml, "programs")))
        {
            programs[programType] = Expand(items, groups, new HashSet<string>());
        }

        var maps = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var (mapType, items) in Entries(Mapping(yaml, "maps")))
        {
            foreach (var item in items.OfType<YamlMappingNode>())
            {
                if (Scalar(item, "name") is string helper)
                {
                    (maps.TryGetValue(helper, out var list) ? list : maps[helper] = []).Add(mapType);
                }
            }
        }

        var versions = ReadVersions(Path.Combine(sharedRoot, "ebpf-docs", "data", "feature-versions.yaml"));
        var gpl = Rows("gpl-only.tsv").ToDictionary(r => r[1], r => r[2] == "true", StringComparer.Ordinal);
        var helpers = new List<UpstreamHelper>();
        foreach (var row in Rows("helper-signatures.tsv", header: false))
        {
            var id = int.Parse(row[0], CultureInfo.InvariantCulture);
            var name = row[1];
            var uses = programs
                .Where(p => p.Value.ContainsKey(name))
                .OrderBy(p => p.Key, StringComparer.Ordinal)
                .Select(p => (Type: p.Key, Entry: p.Value[name]))
                .ToArray();
            versions.TryGetValue(name, out var version);
            helpers.Add(new UpstreamHelper(
                id,
                name,
                row[2],
                version.Version,
                version.Commit,
                uses.Select(u => new ProgramTypeUse(u.Type, u.Entry.Since, u.Entry.SinceCommit)).ToArray(),
                maps.TryGetValue(name, out var mapTypes) ? mapTypes.OrderBy(m => m, StringComparer.Ordinal).ToArray() : [],
                gpl[name],
                GplExceptions(name),
                uses.SelectMany(u => u.Entry.Conditions.Select(c => new ProgramCondition(u.Type, c.Key, c.Value))).ToArray()));
        }

        Helpers = helpers;
    }

    public string SharedRoot { get; }

    public IReadOnlyList<UpstreamHelper> Helpers { get; }

    /// <summary>The variant protos of two helpers differ in gpl_only (gpl-only.tsv's notes).</summary>
    private static IReadOnlyList<string> GplExceptions(string helper) => helper switch
    {
        "bpf_get_stackid" => ["BPF_PROG_TYPE_PERF_EVENT"],
        "bpf_get_func_ip" => ["BPF_TRACE_KPROBE_MULTI", "BPF_TRACE_UPROBE_MULTI"],
        _ => [],
    };

    private IEnumerable<string[]> Rows(string file, bool header = true) =>
        File.ReadLines(Path.Combine(SharedRoot, "kernel", file))
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Skip(header ? 1 : 0)
            .Select(l => l.Split('\t'));

    private sealed record Entry(string? Since, string? SinceCommit, IReadOnlyList<KeyValuePair<string, string>> Conditions);

    // Items in order: "name" adds a helper, "group" adds a group's helpers, "exclude" removes one after all are added.
    // The first mention of a helper wins (its since and conditions). A group that the data never defines adds nothing.
    private static Dictionary<string, Entry> Expand(YamlSequenceNode items, YamlMappingNode groups, HashSet<string> visiting)
    {
        var result = new Dictionary<string, Entry>(StringComparer.Ordinal);
        var excluded = new List<string>();
        foreach (var item in items.OfType<YamlMappingNode>())
        {
            if (Scalar(item, "name") is string name)
            {
                result.TryAdd(name, ReadEntry(item));
            }
            else if (Scalar(item, "group") is string group)
            {
                if (!visiting.Add(group))
                {
                    continue;
                }

                var groupItems = groups.Children.TryGetValue(new YamlScalarNode(group), out var node) && node is YamlSequenceNode sequence ? sequence : new YamlSequenceNode();
                var groupSince = ReadEntry(item);
                foreach (var (helper, entry) in Expand(groupItems, groups, visiting))
                {
                    result.TryAdd(helper, groupSince.Since is null ? entry : entry with { Since = groupSince.Since, SinceCommit = groupSince.SinceCommit });
                }

                visiting.Remove(group);
            }
            else if (Scalar(item, "exclude") is string exclude)
            {
                excluded.Add(exclude);
            }
        }

        foreach (var helper in excluded)
        {
            result.Remove(helper);
        }

        return result;
    }

    private static Entry ReadEntry(YamlMappingNode item)
    {
        string? since = null, commit = null;
        if (item.Children.TryGetValue(new YamlScalarNode("since"), out var sinceNode) && sinceNode is YamlMappingNode sinceMap)
        {
            since = Scalar(sinceMap, "version")?.TrimStart('v');
            commit = Scalar(sinceMap, "commit");
        }

        var conditions = new List<KeyValuePair<string, string>>();
        foreach (var key in ConditionKeys)
        {
            if (!item.Children.TryGetValue(new YamlScalarNode(key), out var value))
            {
                continue;
            }

            var text = value is YamlSequenceNode list
                ? string.Join(", ", list.Children.OfType<YamlScalarNode>().Select(s => s.Value))
                : ((YamlScalarNode)value).Value ?? string.Empty;
            conditions.Add(new KeyValuePair<string, string>(key, text));
        }

        return new Entry(since, commit, conditions);
    }

    private static Dictionary<string, (string? Version, string? Commit)> ReadVersions(string path)
    {
        var result = new Dictionary<string, (string?, string?)>(StringComparer.Ordinal);
        var root = (YamlSequenceNode)LoadYamlNode(path);
        foreach (var group in root.Children.OfType<YamlMappingNode>().Where(g => Scalar(g, "name") == "helpers"))
        {
            foreach (var feature in ((YamlSequenceNode)group.Children[new YamlScalarNode("features")]).Children.OfType<YamlMappingNode>())
            {
                result[Scalar(feature, "name")!] = (Scalar(feature, "version")?.TrimStart('v'), Scalar(feature, "commit"));
            }
        }

        return result;
    }

    private static IEnumerable<(string Key, YamlSequenceNode Items)> Entries(YamlMappingNode mapping) =>
        mapping.Children.Select(c => (((YamlScalarNode)c.Key).Value!, c.Value as YamlSequenceNode ?? new YamlSequenceNode()));

    private static YamlMappingNode Mapping(YamlMappingNode node, string key) => (YamlMappingNode)node.Children[new YamlScalarNode(key)];

    private static string? Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) && value is YamlScalarNode scalar ? scalar.Value : null;

    private static YamlMappingNode LoadYaml(string path) => (YamlMappingNode)LoadYamlNode(path);

    private static YamlNode LoadYamlNode(string path)
    {
        using var reader = new StreamReader(path);
        var stream = new YamlStream();
        stream.Load(reader);
        return stream.Documents[0].RootNode;
    }
}
