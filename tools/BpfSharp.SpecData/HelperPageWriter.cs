using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using BpfSharp.Spec;

namespace BpfSharp.SpecData;

/// <summary>Writes a helper page in the docs.ebpf.io layout the parser reads, facts from the sources and prose from us.</summary>
public static class HelperPageWriter
{
    public const string MissingProse = "TODO";

    public static string Write(UpstreamHelper facts, IReadOnlyList<HelperParameter> parameters, IReadOnlyList<HelperFlag> flags, IReadOnlyList<HelperCallback> callbacks, HelperDocs prose)
    {
        var page = new StringBuilder();
        void Line(string text = "") => page.Append(text).Append('\n');
        var name = facts.Name;

        Line("---");
        Line($"title: \"Helper Function '{name}'\"");
        Line($"description: \"BpfSharp specification of the '{name}' eBPF helper function: definition, program types and map types.\"");
        Line("---");
        Line($"# Helper function `{name}`");
        Line();
        Line($"<!-- [FEATURE_TAG]({name}) -->");
        Line(VersionTag(facts.Since, facts.SinceCommit));
        Line("<!-- [/FEATURE_TAG] -->");
        Line();
        Line("## Definition");
        Line();
        Line("<!-- [HELPER_FUNC_DEF] -->");
        Line(Prose(prose.Summary));
        Line();
        if (parameters.Count > 0)
        {
            Line("**Parameters**");
            Line();
            foreach (var parameter in parameters)
            {
                var doc = prose.Parameters.FirstOrDefault(p => p.Name == parameter.Name)?.Text;
                Line($"* _{parameter.Name}_: {Prose(doc)}");
            }

            Line();
        }

        Line("### Returns");
        Line();
        Line(Prose(prose.Returns));
        Line();
        Line($"`#!c {facts.Signature}`");
        Line("<!-- [/HELPER_FUNC_DEF] -->");
        Line();
        Line("## Usage");
        Line();
        Line(Prose(prose.Usage));
        Line();
        Line("### Program types");
        Line();
        Line("This helper call can be used in the following program types:");
        Line();
        Line("<!-- DO NOT EDIT MANUALLY -->");
        Line("<!-- [HELPER_FUNC_PROG_REF] -->");
        foreach (var use in facts.ProgramTypes)
        {
            var tag = use.Since is null ? string.Empty : " " + VersionTag(use.Since, use.SinceCommit);
            Line($" * [`{use.ProgramType}`](../program-type/{use.ProgramType}.md){tag}");
        }

        Line("<!-- [/HELPER_FUNC_PROG_REF] -->");
        if (facts.MapTypes.Count > 0)
        {
            Line();
            Line("### Map types");
            Line();
            Line("This helper call can be used with the following map types:");
            Line();
            Line("<!-- DO NOT EDIT MANUALLY -->");
            Line("<!-- [HELPER_FUNC_MAP_REF] -->");
            foreach (var mapType in facts.MapTypes)
            {
                Line($" * [`{mapType}`](../map-type/{mapType}.md)");
            }

            Line("<!-- [/HELPER_FUNC_MAP_REF] -->");
        }

        Line();
        Line("### Facts");
        Line();
        Line("<!-- [BPFSHARP_FACTS] -->");
        var exceptions = facts.GplOnlyExceptions.Count == 0 ? string.Empty : ", except " + string.Join(", ", facts.GplOnlyExceptions.Select(e => $"`{e}`"));
        Line($" * GPL-only: {(facts.GplOnly ? "yes" : "no")}{exceptions}");
        Line("<!-- [/BPFSHARP_FACTS] -->");
        if (flags.Count > 0)
        {
            Line();
            Line("### Flags");
            Line();
            Line("<!-- [BPFSHARP_FLAGS] -->");
            Line("| argument | constant | value | kind |");
            Line("|---|---|---|---|");
            foreach (var flag in flags)
            {
                Line($"| `{flag.Parameter}` | `{flag.Constant}` | {FormatValue(flag.Value)} | {flag.Kind} |");
            }

            Line("<!-- [/BPFSHARP_FLAGS] -->");
        }

        if (callbacks.Count > 0)
        {
            Line();
            Line("### Callbacks");
            Line();
            Line("<!-- [BPFSHARP_CALLBACKS] -->");
            Line("| argument | callback |");
            Line("|---|---|");
            foreach (var callback in callbacks)
            {
                Line($"| `{callback.Parameter}` | `{callback.Signature}` |");
            }

            Line("<!-- [/BPFSHARP_CALLBACKS] -->");
        }

        if (facts.Conditions.Count > 0)
        {
            Line();
            Line("### Conditions");
            Line();
            Line("<!-- [BPFSHARP_CONDITIONS] -->");
            Line("| program type | condition | values |");
            Line("|---|---|---|");
            foreach (var condition in facts.Conditions)
            {
                Line($"| `{condition.ProgramType}` | {condition.Kind} | {condition.Values} |");
            }

            Line("<!-- [/BPFSHARP_CONDITIONS] -->");
        }

        return page.ToString();
    }

    /// <summary>Values below 16 in decimal, larger ones in hex: how the UAPI header writes flags.</summary>
    public static string FormatValue(ulong value) =>
        value < 16 ? value.ToString(CultureInfo.InvariantCulture) : "0x" + value.ToString("x", CultureInfo.InvariantCulture);

    private static string VersionTag(string? version, string? commit) =>
        $"[:octicons-tag-24: v{version}](https://github.com/torvalds/linux/commit/{commit})";

    private static string Prose(string? text) => string.IsNullOrWhiteSpace(text) ? MissingProse : text!;
}
