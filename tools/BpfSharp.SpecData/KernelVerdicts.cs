using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using BpfSharp.Spec;
using BpfSharp.Spec.Profiles;

namespace BpfSharp.SpecData;

/// <summary>One place where the kernel's own answer and the ebpf-docs data disagree, and what the spec does.</summary>
public sealed record KernelDecision(string Helper, string ProgramType, string Disagreement, string Decision);

/// <summary>
/// Brings the ebpf-docs program-type lists in line with what real kernels' verifiers do: the profile of the newest
/// probed kernel (spec/kernels/linux-*.json) says which program-type variants may call each helper; the release that
/// widened a list comes from spec/kernels/changes.tsv, else from the kernel-source tables (spec/kernels/source-*.tsv)
/// as the first release after the newest one that still refused. Program types the probe could not load (those that
/// need a BTF attach target) keep the docs' facts.
/// </summary>
public sealed class KernelVerdicts
{
    // Condition kinds that explain a refusal on the probed machine while other kernels or programs accept the call.
    private static readonly string[] s_explaining = ["sleepable", "no_security_lockdown", "kconfig", "attach_type", "prog_trampoline"];

    private readonly KernelProfile _profile;
    private readonly KernelVersion _profileVersion;
    private readonly IReadOnlyList<(string Version, string Commit, HashSet<string> Helpers, HashSet<string>? ProgramTypes, string Conditions)> _changes;
    private readonly IReadOnlyList<(KernelVersion Version, Dictionary<(string ProgramType, string Helper), string> Allowed)> _sources;

    public KernelVerdicts(string specRoot)
    {
        var kernels = Path.Combine(specRoot, "kernels");
        var newest = Directory.GetFiles(kernels, "linux-*.json")
            .Select(p => (Path: p, Version: KernelVersion.TryParse(Path.GetFileNameWithoutExtension(p).Substring("linux-".Length), out var v) ? v : default))
            .OrderByDescending(p => p.Version)
            .First();
        _profile = KernelProfileJson.Read(File.ReadAllText(newest.Path), out var problems)
            ?? throw new InvalidDataException(newest.Path + ": " + string.Join("; ", problems.Select(p => $"({p.Line},{p.Column}) {p.Message}")));
        _profileVersion = newest.Version;
        _changes = Table(Path.Combine(kernels, "changes.tsv"))
            .Select(r => (r[0], r[1], r[3].Split(',').ToHashSet(StringComparer.Ordinal), r[4] == "*" ? null : r[4].Split(',').ToHashSet(StringComparer.Ordinal), r[5]))
            .ToArray();
        _sources = Directory.GetFiles(kernels, "source-*.tsv")
            .Select(p => (Version: KernelVersion.TryParse(Path.GetFileNameWithoutExtension(p).Substring("source-".Length), out var v) ? v : default, Rows: Table(p)))
            .OrderBy(s => s.Version)
            .Select(s => (s.Version, s.Rows.GroupBy(r => (r[0], r[1])).ToDictionary(g => g.Key, g => g.First()[2])))
            .ToArray();
    }

    /// <summary>The kernel version of the profile the spec follows.</summary>
    public KernelVersion ProfileVersion => _profileVersion;

    /// <summary>Every helper's facts with the kernel's verdicts applied: what the spec pages state.</summary>
    public IReadOnlyList<UpstreamHelper> ApplyAll(IEnumerable<UpstreamHelper> helpers, ICollection<KernelDecision> decisions) =>
        helpers.Select(h => Apply(h, decisions)).ToArray();

    /// <summary>The helper's facts with the kernel's verdicts applied, and each disagreement with its decision.</summary>
    public UpstreamHelper Apply(UpstreamHelper docs, ICollection<KernelDecision> decisions)
    {
        var uses = docs.ProgramTypes.ToDictionary(u => u.ProgramType, StringComparer.Ordinal);
        var inDocsBefore = new HashSet<string>(uses.Keys, StringComparer.Ordinal);
        var conditions = docs.Conditions.ToList();
        foreach (var programType in _profile.ProgramTypes.Where(t => t.Loadable).Select(t => t.Name))
        {
            var variants = _profile.Variants.Where(v => v.ProgramType == programType).ToArray();
            var allowing = variants.Where(v => v.Allows(docs.Name)).ToArray();
            var inDocs = uses.ContainsKey(programType);
            var own = conditions.Where(c => c.ProgramType == programType).ToArray();
            if (allowing.Length == 0)
            {
                if (!inDocs)
                {
                    continue;
                }

                var refusal = variants.SelectMany(v => v.OtherRefusals).FirstOrDefault(r => r.Key == docs.Name).Value ?? "program of this type cannot use helper " + docs.Name;
                var explained = own.FirstOrDefault(c => s_explaining.Contains(c.Kind));
                if (explained != null)
                {
                    decisions.Add(new KernelDecision(docs.Name, programType, $"ebpf-docs allow it; Linux {_profileVersion} refuses it on the probed machine ({refusal})", $"kept, with the condition '{explained.Kind}' ({explained.Values}) that explains the refusal"));
                    continue;
                }

                uses.Remove(programType);
                decisions.Add(new KernelDecision(docs.Name, programType, $"ebpf-docs allow it; Linux {_profileVersion} refuses it ({refusal})", "removed: the verifier is the judge"));
                continue;
            }

            var condition = VariantCondition(programType, variants, allowing) ?? WidenedAttachTypes(own, variants, allowing);
            var stated = condition is null ? null : own.FirstOrDefault(c => c.Kind == condition.Kind);
            if (condition != null && stated?.Values != condition.Values)
            {
                if (stated != null)
                {
                    conditions.Remove(stated);
                }

                conditions.Add(condition);
                decisions.Add(new KernelDecision(docs.Name, programType, $"Linux {_profileVersion} allows it only in {condition.Kind} variants ({condition.Values})" + (stated is null ? string.Empty : $"; ebpf-docs say {stated.Values}"), stated is null ? "the condition is added" : "the probed kernel's variants win"));
            }

            if (!inDocs)
            {
                var (since, commit, source, kernelConditions) = Since(docs.Name, programType);
                uses[programType] = new ProgramTypeUse(programType, since, commit);
                conditions.AddRange(ConditionsOf(programType, kernelConditions).Where(c => !conditions.Any(o => o.ProgramType == programType && o.Kind == c.Kind)));
                decisions.Add(new KernelDecision(docs.Name, programType, $"ebpf-docs do not list it; Linux {_profileVersion} allows it", since is null ? "added, as old as the helper (" + source + ")" : $"added since {since} ({source})"));
            }
        }

        // Capabilities and kernel options the ebpf-docs data leaves out (CAP_BPF for the base helpers behind
        // bpf_capable(), CAP_SYS_ADMIN for bpf_probe_write_user, CONFIG_IPV6_SEG6_BPF for the seg6local helpers, ...):
        // taken from the newest kernel source, or the change that added the pair. A probed machine that allowed the
        // call only shows that its kernel had the option, not that every kernel of the release has it.
        foreach (var kind in new[] { "cap", "kconfig" })
        {
            foreach (var programType in uses.Keys.ToArray())
            {
                if (conditions.Any(c => c.ProgramType == programType && c.Kind == kind))
                {
                    continue;
                }

                // Pairs ebpf-docs list were there before the changes in changes.tsv: only the sources speak for them.
                var newest = inDocsBefore.Contains(programType) ? _sources.LastOrDefault(s => s.Allowed.ContainsKey((programType, docs.Name))) : default;
                var kernelConditions = newest.Allowed is null ? Since(docs.Name, programType).Conditions : newest.Allowed[(programType, docs.Name)];
                var stated = ConditionsOf(programType, kernelConditions).FirstOrDefault(c => c.Kind == kind);
                if (stated != null)
                {
                    var source = newest.Allowed is null ? KernelSourceName(docs.Name, programType) : "the Linux " + newest.Version + " sources";
                    conditions.Add(stated);
                    decisions.Add(kind == "cap"
                        ? new KernelDecision(docs.Name, programType, "ebpf-docs state no capability; the kernel asks for " + stated.Values, "the capability is added (" + source + ")")
                        : new KernelDecision(docs.Name, programType, "ebpf-docs state no kernel option; the kernel offers it only with " + stated.Values, "the kernel option is added (" + source + ")"));
                }
            }
        }

        var exceptions = docs.GplOnlyExceptions.ToList();
        if (docs.GplOnly)
        {
            // Variants whose proto is not GPL-only (kprobe-multi style links): named by attach type, else program type.
            foreach (var variant in _profile.Variants.Where(v => v.Allows(docs.Name) && !v.IsGplOnly(docs.Name)))
            {
                var name = variant.AttachType ?? variant.ProgramType;
                if (!exceptions.Contains(name))
                {
                    exceptions.Add(name);
                    decisions.Add(new KernelDecision(docs.Name, variant.ProgramType, $"GPL-only, but Linux {_profileVersion} lets non-GPL {variant.Describe()} programs call it", "added to the GPL-only exceptions"));
                }
            }
        }

        return docs with
        {
            GplOnlyExceptions = exceptions,
            ProgramTypes = uses.Values.OrderBy(u => u.ProgramType, StringComparer.Ordinal).ToArray(),
            Conditions = conditions.OrderBy(c => c.ProgramType, StringComparer.Ordinal).ToArray(),
        };
    }

    // A helper that only some variants of a program type may call: only sleepable ones, or only some attach types.
    private static ProgramCondition? VariantCondition(string programType, IReadOnlyList<ProfileVariant> variants, IReadOnlyList<ProfileVariant> allowing)
    {
        if (allowing.Count == variants.Count)
        {
            return null;
        }

        if (allowing.All(v => v.Sleepable) && variants.Where(v => v.Sleepable).All(allowing.Contains))
        {
            return new ProgramCondition(programType, "sleepable", "true");
        }

        var attachTypes = allowing.Select(v => v.AttachType).Distinct().ToArray();
        return attachTypes.All(a => a != null)
            ? new ProgramCondition(programType, "attach_type", string.Join(", ", attachTypes.OrderBy(a => a, StringComparer.Ordinal)))
            : null;
    }

    // An attach-type condition from the docs that names fewer attach types than the probed kernel allows: the probed
    // variants that allow the helper join the list, those that refuse it leave it; attach types not probed stay.
    private static ProgramCondition? WidenedAttachTypes(IReadOnlyList<ProgramCondition> own, IReadOnlyList<ProfileVariant> variants, IReadOnlyList<ProfileVariant> allowing)
    {
        var stated = own.FirstOrDefault(c => c.Kind == "attach_type");
        if (stated is null)
        {
            return null;
        }

        var values = stated.Values.Split(", ").ToList();
        var widened = values.Union(allowing.Select(v => v.AttachType).OfType<string>())
            .Except(variants.Except(allowing).Select(v => v.AttachType).OfType<string>())
            .ToArray();
        return widened.Length == values.Count && !widened.Except(values).Any() ? null : stated with { Values = string.Join(", ", widened) };
    }

    // The release that first allowed the pair: a known change, else one after the newest source table that refuses it;
    // with the conditions that source states.
    private (string? Since, string? Commit, string Source, string Conditions) Since(string helper, string programType)
    {
        var change = _changes.FirstOrDefault(c => c.Helpers.Contains(helper) && (c.ProgramTypes is null || c.ProgramTypes.Contains(programType)));
        if (change.Version != null)
        {
            return (change.Version, change.Commit, "commit " + change.Commit, change.Conditions);
        }

        var allowing = _sources.LastOrDefault(s => s.Allowed.ContainsKey((programType, helper)));
        var stated = allowing.Allowed is null ? "-" : allowing.Allowed[(programType, helper)];
        var refusing = _sources.LastOrDefault(s => !s.Allowed.ContainsKey((programType, helper)));
        if (refusing.Allowed is null)
        {
            return (null, null, _sources.Count == 0 ? "no kernel-source table to date it" : "the Linux " + _sources[0].Version + " sources allow it already", stated);
        }

        var next = string.Format(CultureInfo.InvariantCulture, "{0}.{1}", refusing.Version.Major, refusing.Version.Minor + 1);
        return (next, null, $"the Linux {refusing.Version} sources refuse it: the first release after them, the earliest it can be", stated);
    }

    // Where a pair's conditions were read: the change that added it, else the newest source table that has it.
    private string KernelSourceName(string helper, string programType)
    {
        var change = _changes.FirstOrDefault(c => c.Helpers.Contains(helper) && (c.ProgramTypes is null || c.ProgramTypes.Contains(programType)));
        return change.Version != null ? "commit " + change.Commit : "the Linux " + _sources.Last(s => s.Allowed.ContainsKey((programType, helper))).Version + " sources";
    }

    // The source tables' conditions ("cap=CAP_BPF;cap=CAP_PERFMON;lockdown") as the pages' kinds; a row with
    // alternatives (" | ") or an attach-type test says nothing certain here (the probe's variants decide those).
    private static IEnumerable<ProgramCondition> ConditionsOf(string programType, string conditions)
    {
        if (conditions == "-" || conditions.Contains(" | "))
        {
            yield break;
        }

        var words = conditions.Split(';');
        var caps = words.Where(w => w.StartsWith("cap=", StringComparison.Ordinal)).Select(w => w.Substring(4)).ToArray();
        if (caps.Length > 0)
        {
            yield return new ProgramCondition(programType, "cap", string.Join(", ", caps));
        }

        var kconfig = words.Where(w => w.StartsWith("kconfig=", StringComparison.Ordinal) && !w.Contains('!')).Select(w => w.Substring(8)).ToArray();
        if (kconfig.Length > 0)
        {
            yield return new ProgramCondition(programType, "kconfig", string.Join(", ", kconfig));
        }

        if (words.Contains("lockdown"))
        {
            yield return new ProgramCondition(programType, "no_security_lockdown", "true");
        }
    }

    private static IEnumerable<string[]> Table(string path) =>
        File.Exists(path)
            ? File.ReadLines(path).Where(l => l.Length > 0 && !l.StartsWith('#')).Skip(1).Select(l => l.Split('\t'))
            : [];
}
