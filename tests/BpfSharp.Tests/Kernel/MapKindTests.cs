using System;
using System.Collections.Generic;
using System.Linq;
using BpfSharp.Loader.Probing;
using BpfSharp.Spec;
using Xunit;
using Xunit.Abstractions;

namespace BpfSharp.Tests.Kernel;

/// <summary>
/// The spec's map-kind table describes maps the running kernel creates: the probe builds each map type from the table
/// alone (sizes, entries, flags, BTF), and bpftool's own probe (libbpf) says which types this kernel has.
/// </summary>
public sealed class MapKindTests(ITestOutputHelper output)
{
    [SkippableFact]
    public void Every_map_type_bpftool_finds_is_created_from_the_table()
    {
        RunningKernel.RequireBpf();
        var bpftool = Tools.Find("bpftool");
        Skip.If(bpftool is null, "kernel test skipped: bpftool is needed (apt-get install bpftool)");
        var (exit, text) = Tools.Run(bpftool!, "feature probe kernel");
        Assert.True(exit == 0, text);
        // "eBPF map_type lru_hash is available" / "is NOT available"
        var verdicts = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n').Where(l => l.StartsWith("eBPF map_type ", StringComparison.Ordinal)))
        {
            var words = line.Split(' ');
            verdicts["BPF_MAP_TYPE_" + words[2].ToUpperInvariant()] = !line.Contains("NOT available", StringComparison.Ordinal);
        }

        using var maps = new ProbeMaps();
        var compared = 0;
        var disagreements = new List<string>();
        foreach (var member in KernelTypes.MapTypes.Members.Where(m => m.MapKind is { IsKernelMade: false }))
        {
            if (!verdicts.TryGetValue(member.Name, out var available))
            {
                output.WriteLine($"{member.Name}: bpftool (libbpf 1.1) does not probe it; not compared");
                continue;
            }

            var fd = maps.Create(member.Name, out var failure);
            compared++;
            if ((fd >= 0) != available)
            {
                disagreements.Add($"{member.Name}: bpftool says {(available ? "available" : "not available")}, created from the table: {(fd >= 0 ? "yes" : failure)}");
            }
        }

        output.WriteLine($"{compared} map types compared with bpftool, {disagreements.Count} disagree");
        Assert.True(compared >= 25, $"only {compared} map types compared");
        Assert.Empty(disagreements);
    }
}
