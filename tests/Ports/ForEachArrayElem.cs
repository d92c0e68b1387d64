// Port of tools/testing/selftests/bpf/progs/for_each_array_map_elem.c
using BpfSharp;

[assembly: BpfLicense("GPL")]

namespace Ports.ForEachArrayElem;

/// <summary>What the array callback adds into.</summary>
public struct CallbackCtx
{
    public int Output;
}

public static unsafe class ForEachArrayElem
{
    static readonly ArrayMap<ulong> Arraymap = new(maxEntries: 3);
    static readonly PercpuArrayMap<ulong> PercpuMap = new(maxEntries: 1);

    /// <summary>May be set before the load; 1 (the default) keeps the unused callback out of the run.</summary>
    static readonly int BypassUnused = 1;

    static uint Cpu;
    static ulong PercpuVal;
    static uint ArraymapOutput;

    // bpf_for_each_map_elem callbacks: (map, key, value, context); the helper stub types them all void*.
    static long UnusedSubprog(void* map, void* key, void* value, void* context)
    {
        CallbackCtx* data = (CallbackCtx*)context;
        data->Output = 0;
        return 1;
    }

    /// <summary>Adds each value into the context; stops the walk after key 1.</summary>
    static long CheckArrayElem(void* map, void* key, void* value, void* context)
    {
        CallbackCtx* data = (CallbackCtx*)context;
        data->Output += (int)*(ulong*)value;
        return *(uint*)key == 1 ? 1 : 0;
    }

    /// <summary>Records the CPU that ran and its value.</summary>
    static long CheckPercpuElem(void* map, void* key, void* value, void* context)
    {
        Cpu = BpfHelpers.GetSmpProcessorId();
        PercpuVal = *(ulong*)value;
        return 0;
    }

    [BpfProgram("tc")]
    public static int TestPktAccess(SkBuff* skb)
    {
        CallbackCtx data = new CallbackCtx { Output = 0 };
        BpfHelpers.ForEachMapElem(Arraymap, &CheckArrayElem, &data, 0);
        if (BypassUnused == 0)
        {
            BpfHelpers.ForEachMapElem(Arraymap, &UnusedSubprog, &data, 0);
        }

        ArraymapOutput = (uint)data.Output;

        BpfHelpers.ForEachMapElem(PercpuMap, &CheckPercpuElem, null, 0);
        return 0;
    }
}
