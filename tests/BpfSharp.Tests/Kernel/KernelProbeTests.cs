using System.Linq;
using BpfSharp.Spec.Profiles;
using Xunit;

namespace BpfSharp.Tests.Kernel;

/// <summary>What the probe reads from the running kernel, checked against facts no kernel since 5.x has changed.</summary>
public class KernelProbeTests
{
    [SkippableFact]
    public void Every_program_type_that_needs_no_BTF_target_loads()
    {
        var profile = RunningKernel.Profile;
        var loadable = profile.ProgramTypes.Where(t => t.Loadable).Select(t => t.Name).ToArray();
        Assert.Contains("BPF_PROG_TYPE_XDP", loadable);
        Assert.Contains("BPF_PROG_TYPE_SOCKET_FILTER", loadable);
        Assert.Contains("BPF_PROG_TYPE_SCHED_CLS", loadable);
        Assert.Contains("BPF_PROG_TYPE_CGROUP_SOCK_ADDR", loadable);
        Assert.All(profile.ProgramTypes.Where(t => !t.Loadable), t => Assert.False(string.IsNullOrEmpty(t.Note), t.Name + " has no reason"));
    }

    [SkippableFact]
    public void The_verifier_refuses_helpers_outside_their_program_types()
    {
        var xdp = RunningKernel.Profile.FindVariant("BPF_PROG_TYPE_XDP", null, false)!;
        Assert.True(xdp.Allows("bpf_map_lookup_elem"));
        Assert.True(xdp.Allows("bpf_xdp_adjust_head"));
        Assert.False(xdp.Allows("bpf_skb_store_bytes"), "XDP has no sk_buff");
        Assert.False(xdp.Allows("bpf_get_stackid"), "stack ids are for tracing programs");
        var kprobe = RunningKernel.Profile.FindVariant("BPF_PROG_TYPE_KPROBE", null, false)!;
        Assert.True(kprobe.Allows("bpf_get_stackid"));
        Assert.False(kprobe.Allows("bpf_xdp_adjust_head"));
    }

    [SkippableFact]
    public void Gpl_only_helpers_are_refused_to_other_licences()
    {
        var kprobe = RunningKernel.Profile.FindVariant("BPF_PROG_TYPE_KPROBE", null, false)!;
        Assert.True(kprobe.IsGplOnly("bpf_probe_read_kernel"));
        Assert.True(kprobe.IsGplOnly("bpf_trace_printk"));
        Assert.False(kprobe.IsGplOnly("bpf_map_lookup_elem"));
    }

    [SkippableFact]
    public void Map_helpers_accept_exactly_their_map_types()
    {
        var profile = RunningKernel.Profile;
        var push = profile.FindMapHelper("bpf_map_push_elem", "BPF_PROG_TYPE_XDP")!;
        Assert.Equal(new[] { "BPF_MAP_TYPE_QUEUE", "BPF_MAP_TYPE_STACK", "BPF_MAP_TYPE_BLOOM_FILTER" }.OrderBy(n => n), push.Accepted.OrderBy(n => n));
        Assert.Contains("cannot pass map_type 1 into func bpf_map_push_elem#87", push.RefusalOf("BPF_MAP_TYPE_HASH"));
        var tailCall = profile.FindMapHelper("bpf_tail_call", "BPF_PROG_TYPE_XDP")!;
        Assert.Equal(new[] { "BPF_MAP_TYPE_PROG_ARRAY" }, tailCall.Accepted);
    }

    [SkippableFact]
    public void The_profile_survives_its_own_json()
    {
        var profile = RunningKernel.Profile;
        var json = profile.ToJson();
        var read = KernelProfileJson.Read(json, out var problems);
        Assert.Empty(problems);
        Assert.Equal(json, read!.ToJson());
    }
}
