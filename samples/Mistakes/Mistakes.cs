using BpfSharp;

[assembly: BpfLicense("GPL")]

namespace Mistakes;

public static unsafe class Mistakes
{
    public static readonly HashMap<uint, ulong> Counts = new(maxEntries: 64);
    public static readonly StackTraceMap Stacks = new(maxEntries: 128);

    // BPF0001: bpf_get_stackid is for tracing programs; XDP programs may not call it.
    [BpfProgram("xdp")]
    public static int StackOfPacket(void* context)
    {
        return (int)BpfHelpers.GetStackid(context, Stacks, 0);
    }

    // BPF0002: bpf_map_push_elem takes queue, stack and bloom filter maps, not a hash map.
    [BpfProgram(BpfProgramType.Xdp)]
    public static int PushIntoHash(void* context)
    {
        ulong value = 1;
        var counts = Counts;
        return (int)BpfHelpers.MapPushElem(counts, &value, 0);
    }
}
