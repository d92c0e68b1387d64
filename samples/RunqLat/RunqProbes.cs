using BpfSharp;
using BpfSharp.Kernel.Tracepoints;
using static BpfSharp.BpfFlags;

[assembly: BpfLicense("GPL")]

namespace RunqLat;

/// <summary>
/// The BPF half of runqlat: how long a woken task waits on the run queue before it runs. A wakeup notes the time per
/// task; the switch that runs the task takes the difference and counts it in a log2 bucket of microseconds.
/// </summary>
public static unsafe class RunqProbes
{
    public const int Slots = 32;

    public static readonly HashMap<uint, ulong> WokenAt = new(maxEntries: 10240);

    // Slot n counts waits of 2^n to 2^(n+1) - 1 microseconds (slot 0: under 2).
    public static readonly ArrayMap<ulong> Histogram = new(maxEntries: Slots);

    [BpfProgram("tp/sched/sched_wakeup")]
    public static int OnWakeup(Sched.SchedWakeup* context) => Woken((uint)context->Pid);

    [BpfProgram("tp/sched/sched_wakeup_new")]
    public static int OnNewTask(Sched.SchedWakeupNew* context) => Woken((uint)context->Pid);

    [BpfProgram("tp/sched/sched_switch")]
    public static int OnSwitch(Sched.SchedSwitch* context)
    {
        var task = (uint)context->NextPid;
        var woken = (ulong*)BpfHelpers.MapLookupElem(WokenAt, &task);
        if (woken == null)
        {
            return 0;
        }

        var microseconds = (BpfHelpers.KtimeGetNs() - *woken) / 1000;
        BpfHelpers.MapDeleteElem(WokenAt, &task);
        uint slot = 0;
        for (var i = 0; i < Slots - 1 && microseconds > 1; i++)
        {
            microseconds >>= 1;
            slot++;
        }

        var count = (ulong*)BpfHelpers.MapLookupElem(Histogram, &slot);
        if (count != null)
        {
            System.Threading.Interlocked.Increment(ref *count);
        }

        return 0;
    }

    private static int Woken(uint task)
    {
        if (task == 0)
        {
            return 0; // the idle task
        }

        var now = BpfHelpers.KtimeGetNs();
        BpfHelpers.MapUpdateElem(WokenAt, &task, &now, BPF_ANY);
        return 0;
    }
}
