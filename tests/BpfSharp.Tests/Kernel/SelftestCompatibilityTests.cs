using System;
using System.Collections.Generic;
using System.Linq;
using BpfSharp.Tests.Kernel.Ports;
using Xunit;
using Xunit.Abstractions;

namespace BpfSharp.Tests.Kernel;

/// <summary>
/// The loader against libbpf, as a gate: a fixed sample of the kernel's selftests (every twelfth file) is loaded by
/// bpftool and by BpfSharp's loader. Every program both load must be identical (M of M), and BpfSharp may refuse only
/// the objects whose gap is known and documented (docs/loader.md); a new refusal or a difference fails. The whole set
/// is the compat benchmark's.
/// </summary>
public class SelftestCompatibilityTests(ITestOutputHelper output)
{
    // Objects libbpf loads here and BpfSharp does not yet, with why.
    private static readonly Dictionary<string, string> KnownGaps = new(StringComparer.Ordinal)
    {
        ["bpf_cc_cubic.c"] = "struct_ops",
        ["bpf_cubic.c"] = "struct_ops",
        ["tcp_ca_incompl_cong_ops.c"] = "struct_ops",
        ["tcp_ca_write_sk_pacing.c"] = "struct_ops",
        ["bpf_dctcp.c"] = "BTF libbpf rewrites",
        ["uninit_stack.c"] = "BTF libbpf sanitises",
        ["test_ringbuf_multi.c"] = "a ring buffer as an inner map",
    };

    [SkippableFact]
    public void A_sample_of_the_kernel_selftests_loads_as_libbpf_loads_it()
    {
        RunningKernel.RequireBpf();
        var why = KernelSources.WhyUnavailable;
        Skip.If(why != null, "kernel test skipped: " + why);
        Skip.If(Tools.Find("bpftool") is null || Tools.Find("clang") is null, "kernel test skipped: needs bpftool and clang");

        var sample = KernelSources.Originals("tools/testing/selftests/bpf/progs").Where((_, i) => i % 12 == 0).ToList();
        var outcome = SelftestCompatibility.Compare(sample);
        output.WriteLine($"{outcome.Files} selftests, {outcome.Compiled} compiled; libbpf loads {outcome.LibbpfLoads}, BpfSharp {outcome.Ours}; identical programs {outcome.Identical} of {outcome.Programs}");

        Assert.True(outcome.LibbpfLoads > 0, "libbpf loads none of the sample here: nothing was compared");
        Assert.Empty(outcome.Differences);
        Assert.Equal(outcome.Programs, outcome.Identical);
        var unexplained = outcome.Refusals.SelectMany(r => r.Value.Where(file => !KnownGaps.ContainsKey(file)).Select(file => $"{file}: {r.Key}")).ToList();
        Assert.True(unexplained.Count == 0, "refused, where libbpf loads them:\n" + string.Join("\n", unexplained));
    }
}
