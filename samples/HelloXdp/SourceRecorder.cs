using BpfSharp;
using static BpfSharp.BpfFlags;

[assembly: BpfLicense("GPL")]

namespace HelloXdp;

/// <summary>An XDP program that records when packets arrive, in a queue that user space drains.</summary>
public static unsafe class SourceRecorder
{
    private const int XdpPass = 2;

    /// <summary>Arrival times, oldest first; when full, the oldest is dropped (BPF_EXIST).</summary>
    public static readonly QueueMap<ulong> Arrivals = new(maxEntries: 1024);

    [BpfProgram("xdp")]
    public static int RecordArrival(void* context)
    {
        ulong now = BpfHelpers.KtimeGetNs();
        BpfHelpers.MapPushElem(Arrivals, &now, BPF_EXIST);
        return XdpPass;
    }
}
