using BpfSharp;
using static BpfSharp.BpfFlags;

// BPF0004 below: a licence the kernel does not count as GPL-compatible (the code fix changes it to "GPL").
[assembly: BpfLicense("Proprietary")]

namespace Mistakes;

public static unsafe class Mistakes
{
    public static readonly HashMap<uint, ulong> Counts = new(maxEntries: 64);
    public static readonly StackTraceMap Stacks = new(maxEntries: 128);
    public static readonly ArrayMap<ulong> Totals = new(maxEntries: 16);
    public static readonly QueueMap<ulong> Events = new(maxEntries: 16);

    // BPF0001: bpf_get_stackid is for tracing programs; XDP programs may not call it.
    [BpfProgram("xdp")]
    public static int StackOfPacket(void* context)
    {
        return (int)BpfHelpers.GetStackid(context, Stacks, 0);
    }

    // BPF0001 through a chain of calls: the diagnostic sits on the helper call and names the chain.
    [BpfProgram("tc")]
    public static int Classify(void* context) => Inspect(context);

    private static int Inspect(void* context) => (int)BpfHelpers.OverrideReturn(context, 0);

    // BPF0002: bpf_map_push_elem takes queue, stack and bloom filter maps, not a hash map (the code fix makes Counts a QueueMap).
    [BpfProgram(BpfProgramType.Xdp)]
    public static int PushIntoHash(void* context)
    {
        ulong value = 1;
        return (int)BpfHelpers.MapPushElem(Counts, &value, 0);
    }

    // BPF0003 (warning): bpf_map_push_elem needs Linux 4.20, BpfTargetKernel is 4.19.
    // BPF0005: bpf_map_push_elem accepts 0 or BPF_EXIST, not BPF_NOEXIST.
    [BpfProgram("xdp")]
    public static int PushTooEarly(void* context)
    {
        ulong value = 1;
        return (int)BpfHelpers.MapPushElem(Events, &value, BPF_NOEXIST);
    }

    // BPF0004: bpf_trace_printk is GPL-only and the assembly's licence is not GPL-compatible.
    [BpfProgram("kprobe/do_unlinkat")]
    public static int Trace(void* context)
    {
        return (int)BpfHelpers.TracePrintk(null, 0);
    }

    // BPF0006 (warning): the verifier accepts deleting from an array map, but it can never succeed (the code fix makes
    // Totals a HashMap).
    [BpfProgram("xdp")]
    public static int DeleteFromArray(void* context)
    {
        uint key = 0;
        return (int)BpfHelpers.MapDeleteElem(Totals, &key);
    }

    // BPF0007: 'xpd' is not a libbpf section name (the code fix replaces it with 'xdp').
    [BpfProgram("xpd")]
    public static int Typo(void* context) => 0;

    // BPF0014 (warning): Linux has no tracepoint syscalls/sys_enter_opnat; the message names syscalls/sys_enter_openat.
    [BpfProgram("tp/syscalls/sys_enter_opnat")]
    public static int OnOpen(void* context) => 0;
}
