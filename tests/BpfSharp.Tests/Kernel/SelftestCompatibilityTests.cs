using System;
using System.Linq;
using BpfSharp.Tests.Kernel.Ports;
using Xunit;
using Xunit.Abstractions;

namespace BpfSharp.Tests.Kernel;

/// <summary>
/// The loader against libbpf, as a gate: the kernel's selftests are loaded by bpftool and by BpfSharp's loader; every
/// object libbpf loads, BpfSharp must load (M of M), and every program must be identical. A fixed sample (every twelfth
/// file, about 30 s) by default; every selftest (several minutes) when BPFSHARP_SELFTESTS=all, as .ci/run sets it.
/// </summary>
public class SelftestCompatibilityTests(ITestOutputHelper output)
{
    [SkippableFact]
    public void The_kernel_selftests_load_as_libbpf_loads_them()
    {
        RunningKernel.RequireBpf();
        var why = KernelSources.WhyUnavailable;
        Skip.If(why != null, "kernel test skipped: " + why);
        Skip.If(Tools.Find("bpftool") is null || Tools.Find("clang") is null, "kernel test skipped: needs bpftool and clang");

        var all = Environment.GetEnvironmentVariable("BPFSHARP_SELFTESTS") == "all";
        var sample = KernelSources.Originals("tools/testing/selftests/bpf/progs").Where((_, i) => all || i % 12 == 0).ToList();
        var outcome = SelftestCompatibility.Compare(sample);
        output.WriteLine($"{(all ? "every selftest" : "every twelfth selftest")}: {outcome.Files} files, {outcome.Compiled} compiled; loads {outcome.Ours} of {outcome.LibbpfLoads}, xlated identical for {outcome.Identical} of {outcome.Programs}, the same slots filled in {outcome.SlotMapsIdentical} of {outcome.SlotMaps} maps of programs or maps");

        Assert.True(outcome.LibbpfLoads > 0, "libbpf loads none of them here: nothing was compared");
        Assert.Empty(outcome.Differences);
        Assert.Equal(outcome.Programs, outcome.Identical);
        Assert.Equal(outcome.SlotMaps, outcome.SlotMapsIdentical);
        var refused = outcome.Refusals.SelectMany(r => r.Value.Select(file => $"{file}: {r.Key}")).ToList();
        Assert.True(refused.Count == 0, $"loads {outcome.Ours} of {outcome.LibbpfLoads}; refused, where libbpf loads them:\n" + string.Join("\n", refused));
        Assert.Equal(outcome.LibbpfLoads, outcome.Ours);
    }
}
