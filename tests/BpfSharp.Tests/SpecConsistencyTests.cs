using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using BpfSharp.Spec;
using BpfSharp.SpecData;
using BpfSharp.Tests.Infrastructure;
using Xunit;

namespace BpfSharp.Tests;

/// <summary>The shipped spec against the sources in ../shared: every fact equal, but for the listed deviations.</summary>
public class SpecConsistencyTests
{
    // Helper -> why its page deliberately differs from the sources. Keep docs/spec.md in step.
    private static readonly Dictionary<string, string> Deviations = new(StringComparer.Ordinal);

    private static readonly Lazy<UpstreamFacts> Upstream = new(() => new UpstreamFacts(RepoPaths.Shared));

    // The sources' facts as the spec states them: ebpf-docs and the kernel tables, with the probed kernel's verdicts applied.
    private static readonly Lazy<IReadOnlyList<UpstreamHelper>> Expected = new(() => new KernelVerdicts(RepoPaths.Spec).ApplyAll(Upstream.Value.Helpers, new List<KernelDecision>()));

    private static IReadOnlyDictionary<string, HelperSpec> ShippedPages() =>
        Directory.GetFiles(RepoPaths.SpecHelpers, "*.md")
            .Select(f => HelperPageParser.Parse(f, File.ReadAllText(f)))
            .Select(r => r.Helper ?? throw new InvalidDataException(string.Join("\n", r.Diagnostics)))
            .ToDictionary(h => h.Name, StringComparer.Ordinal);

    [SkippableFact]
    public void Every_helper_has_a_page_with_the_facts_of_the_sources()
    {
        Skip.IfNot(RepoPaths.HasShared, RepoPaths.NoSharedReason);
        var pages = ShippedPages();
        var flags = FlagTable.Load(Path.Combine(RepoPaths.Root, "spec", "helper-flags.tsv"));
        var callbacks = CallbackTable.Load(Path.Combine(RepoPaths.Root, "spec", "helper-callbacks.tsv"));
        Assert.Equal(211, Upstream.Value.Helpers.Count);
        Assert.Equal(Upstream.Value.Helpers.Select(h => h.Name).OrderBy(n => n), pages.Keys.OrderBy(n => n));

        var mismatches = new List<string>();
        foreach (var source in Expected.Value.Where(h => !Deviations.ContainsKey(h.Name)))
        {
            var page = pages[source.Name];
            void Check<T>(string fact, T expected, T actual)
            {
                if (!EqualityComparer<T>.Default.Equals(expected, actual))
                {
                    mismatches.Add($"{source.Name}: {fact}: expected {expected}, page has {actual}");
                }
            }

            Check("id", source.Id, page.Id);
            Check("signature", source.Signature, page.CSignature);
            Check("version", source.Since, page.Since);
            Check("program types", string.Join(",", source.ProgramTypes), string.Join(",", page.ProgramTypes));
            Check("map types", string.Join(",", source.MapTypes), string.Join(",", page.MapTypes));
            Check("GPL-only", (bool?)source.GplOnly, page.GplOnly);
            Check("GPL-only exceptions", string.Join(",", source.GplOnlyExceptions), string.Join(",", page.GplOnlyExceptions));
            Check("conditions", string.Join(",", source.Conditions), string.Join(",", page.Conditions));
            Check("flags", string.Join(",", flags.Where(f => f.Helper == source.Name).Select(f => f.Flag)), string.Join(",", page.Flags));
            Check("callbacks", string.Join(",", callbacks.Where(c => c.Helper == source.Name).Select(c => c.Callback)), string.Join(",", page.Callbacks));
        }

        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
    }

    [SkippableFact]
    public void Spec_sync_changes_nothing_on_the_shipped_spec()
    {
        Skip.IfNot(RepoPaths.HasShared, RepoPaths.NoSharedReason);
        var changes = new SpecSynchronizer(Upstream.Value, Path.Combine(RepoPaths.Root, "spec")).Run(write: false);
        Assert.True(changes.Count == 0, string.Join("\n", changes.Select(c => $"{c.Helper}: {string.Join("; ", c.Changes)}")));
    }

    [Fact]
    public void Every_page_has_prose_and_documents_each_parameter()
    {
        foreach (var page in ShippedPages().Values)
        {
            Assert.False(page.Docs.Summary.Length == 0 || page.Docs.Summary.Contains(HelperPageWriter.MissingProse, StringComparison.Ordinal), page.Name + ": summary");
            Assert.False(page.Docs.Returns.Length == 0 || page.Docs.Returns == HelperPageWriter.MissingProse, page.Name + ": returns");
            Assert.False(page.Docs.Usage.Length == 0 || page.Docs.Usage == HelperPageWriter.MissingProse, page.Name + ": usage");
            Assert.Equal(page.Parameters.Select(p => p.Name), page.Docs.Parameters.Select(p => p.Name));
            Assert.DoesNotContain(page.Docs.Parameters, p => p.Text == HelperPageWriter.MissingProse);
        }
    }

    [Fact]
    public void Flag_constants_name_real_parameters_and_gpl_only_is_stated_everywhere()
    {
        foreach (var page in ShippedPages().Values)
        {
            Assert.NotNull(page.GplOnly);
            Assert.All(page.Flags, f => Assert.Contains(page.Parameters, p => p.Name == f.Parameter));
        }
    }

    [Fact]
    public void Every_program_type_is_reachable_from_a_section_name()
    {
        var targets = SectionNames.All.Select(s => s.ProgramType).ToHashSet();
        var missing = KernelTypes.ProgramTypes.Members.Where(m => m.Value != 0 && !targets.Contains(m.Name)).Select(m => m.Name);
        Assert.Empty(missing);
    }
}
