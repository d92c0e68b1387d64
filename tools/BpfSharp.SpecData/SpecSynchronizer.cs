using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using BpfSharp.Spec;

namespace BpfSharp.SpecData;

/// <summary>What the sync did to one page.</summary>
public sealed record PageChange(string Helper, string Path, IReadOnlyList<string> Changes);

/// <summary>
/// Rewrites the fact parts of every helper page from the sources (signature, version, program and map types,
/// GPL-only, flags, conditions), keeping our descriptions, and says what changed.
/// </summary>
public sealed class SpecSynchronizer(UpstreamFacts facts, string specRoot)
{
    public string HelpersDirectory => Path.Combine(specRoot, "helpers");

    /// <summary>Computes every page's new text; writes them when <paramref name="write"/> is set.</summary>
    public IReadOnlyList<PageChange> Run(bool write)
    {
        var flags = FlagTable.Load(Path.Combine(specRoot, "helper-flags.tsv"));
        var callbacks = CallbackTable.Load(Path.Combine(specRoot, "helper-callbacks.tsv"));
        var changes = new List<PageChange>();
        var verdicts = new KernelVerdicts(specRoot);
        var decisions = new List<KernelDecision>();
        foreach (var helper in verdicts.ApplyAll(facts.Helpers, decisions))
        {
            var path = Path.Combine(HelpersDirectory, helper.Name + ".md");
            var oldText = File.Exists(path) ? File.ReadAllText(path) : null;
            var old = oldText is null ? null : HelperPageParser.Parse(path, oldText);
            if (old is { Helper: null })
            {
                changes.Add(new PageChange(helper.Name, path, ["NOT UPDATED: the page does not parse: " + string.Join("; ", old.Diagnostics)]));
                continue;
            }

            var parameters = ParseParameters(helper);
            var helperFlags = flags.Where(f => f.Helper == helper.Name).Select(f => f.Flag).ToArray();
            var helperCallbacks = callbacks.Where(c => c.Helper == helper.Name).Select(c => c.Callback).ToArray();
            var newText = HelperPageWriter.Write(helper, parameters, helperFlags, helperCallbacks, old?.Helper?.Docs ?? HelperDocs.None);
            if (newText == oldText)
            {
                continue;
            }

            var updated = HelperPageParser.Parse(path, newText).Helper!;
            changes.Add(new PageChange(helper.Name, path, Describe(old?.Helper, updated)));
            if (write)
            {
                File.WriteAllText(path, newText);
            }
        }

        var decisionsPath = Path.Combine(specRoot, "kernels", "decisions.tsv");
        var decisionsText = DecisionsTable(verdicts.ProfileVersion, decisions);
        if (!File.Exists(decisionsPath) || File.ReadAllText(decisionsPath) != decisionsText)
        {
            changes.Add(new PageChange("(kernel decisions)", decisionsPath, [$"{decisions.Count} decisions"]));
            if (write)
            {
                File.WriteAllText(decisionsPath, decisionsText);
            }
        }

        return changes;
    }

    // Every disagreement between ebpf-docs and the probed kernel, with what the spec does about it (docs/spec.md).
    private static string DecisionsTable(KernelVersion version, IEnumerable<KernelDecision> decisions) =>
        "# Written by spec-sync: where the ebpf-docs program-type lists and the verifier of Linux " + version + " (spec/kernels) disagree, and the decision.\n"
        + "helper\tprogram_type\tdisagreement\tdecision\n"
        + string.Concat(decisions.Select(d => $"{d.Helper}\t{d.ProgramType}\t{d.Disagreement}\t{d.Decision}\n"));

    private static IReadOnlyList<HelperParameter> ParseParameters(UpstreamHelper helper) =>
        HelperPageParser.Parse(helper.Name, $"# Helper function `{helper.Name}`\n`#!c {helper.Signature}`\n").Helper?.Parameters.ToArray()
            ?? throw new InvalidDataException($"{helper.Name}: the libbpf signature does not parse: {helper.Signature}");

    private static IReadOnlyList<string> Describe(HelperSpec? old, HelperSpec updated)
    {
        if (old is null)
        {
            return ["new page: write its description (the prose says TODO)"];
        }

        var changes = new List<string>();
        void Compare<T>(string what, IEnumerable<T> before, IEnumerable<T> after, Func<T, string> show)
        {
            var removed = before.Except(after).Select(show).ToArray();
            var added = after.Except(before).Select(show).ToArray();
            if (removed.Length + added.Length > 0)
            {
                changes.Add(what + ": " + string.Join(", ", added.Select(a => "+" + a).Concat(removed.Select(r => "-" + r))));
            }
        }

        if (old.CSignature != updated.CSignature)
        {
            changes.Add($"signature: {old.CSignature} -> {updated.CSignature}");
        }

        if (old.Since != updated.Since)
        {
            changes.Add($"version: {old.Since} -> {updated.Since}");
        }

        Compare("program types", old.ProgramTypes, updated.ProgramTypes, p => p.ProgramType + (p.Since is null ? string.Empty : "@" + p.Since));
        Compare("map types", old.MapTypes, updated.MapTypes, m => m);
        if (old.GplOnly != updated.GplOnly || !old.GplOnlyExceptions.Equals(updated.GplOnlyExceptions))
        {
            changes.Add($"GPL-only: {old.GplOnly?.ToString() ?? "unstated"} -> {updated.GplOnly}");
        }

        Compare("flags", old.Flags, updated.Flags, f => $"{f.Parameter}:{f.Constant}={f.Value.ToString(CultureInfo.InvariantCulture)}");
        Compare("callbacks", old.Callbacks, updated.Callbacks, c => $"{c.Parameter}:{c.Signature}");
        Compare("conditions", old.Conditions, updated.Conditions, c => $"{c.ProgramType}:{c.Kind}={c.Values}");
        if (changes.Count == 0)
        {
            changes.Add("layout only");
        }

        return changes;
    }
}

/// <summary>spec/helper-flags.tsv: helper, parameter, constant, value, kind.</summary>
public static class FlagTable
{
    public static IReadOnlyList<(string Helper, HelperFlag Flag)> Load(string path) =>
        File.ReadLines(path)
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Skip(1)
            .Select(l => l.Split('\t'))
            .Select(r => (r[0], new HelperFlag(r[1], r[2], ParseValue(r[3]), r[4])))
            .ToArray();

    public static ulong ParseValue(string text) =>
        text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? ulong.Parse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture)
            : ulong.Parse(text, CultureInfo.InvariantCulture);
}

/// <summary>spec/helper-callbacks.tsv: helper, parameter, the C type of the callback function.</summary>
public static class CallbackTable
{
    public static IReadOnlyList<(string Helper, HelperCallback Callback)> Load(string path) =>
        File.ReadLines(path)
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Skip(1)
            .Select(l => l.Split('\t'))
            .Select(r => (r[0], new HelperCallback(r[1], r[2])))
            .ToArray();
}
