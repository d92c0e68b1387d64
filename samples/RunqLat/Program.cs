using System;
using System.Linq;
using System.Threading;
using BpfSharp;
using RunqLat;

// The .NET half of runqlat: load the object `dotnet build` wrote, attach the scheduler tracepoints, keep a few threads
// sleeping and waking for a second (each wakeup is a wait on the run queue), then print the histogram as bcc's runqlat.
if (!OperatingSystem.IsLinux())
{
    Console.WriteLine("Skipped: BPF programs load on Linux only.");
    return 0;
}

BpfObject loaded;
try
{
    loaded = BpfObject.Load(typeof(RunqProbes).Assembly);
}
catch (BpfException ex) when (ex.Errno is 1 or 13)
{
    Console.WriteLine($"Skipped: the kernel refused ({ex.Message}); tracing needs root, or CAP_BPF with CAP_PERFMON.");
    return 0;
}

using (loaded)
{
    var histogram = loaded.Map(RunqProbes.Histogram);
    using (loaded.Program(nameof(RunqProbes.OnWakeup)).AttachTracepoint())
    using (loaded.Program(nameof(RunqProbes.OnNewTask)).AttachTracepoint())
    using (loaded.Program(nameof(RunqProbes.OnSwitch)).AttachTracepoint())
    {
        Console.WriteLine("Tracing run queue latency for 1 s, with 4 threads sleeping 1 ms at a time...");
        var until = DateTime.UtcNow.AddSeconds(1);
        var sleepers = Enumerable.Range(0, 4).Select(_ => new Thread(() =>
        {
            while (DateTime.UtcNow < until)
            {
                Thread.Sleep(1);
            }
        })).ToList();
        sleepers.ForEach(t => t.Start());
        sleepers.ForEach(t => t.Join());
    }

    var counts = Enumerable.Range(0, RunqProbes.Slots).Select(slot => histogram.Lookup((uint)slot)).ToArray();
    var last = Array.FindLastIndex(counts, c => c > 0);
    var widest = counts.Max();
    Console.WriteLine($"{"usecs",15}{"",13}: {"count",-8} distribution");
    for (var slot = 0; slot <= last; slot++)
    {
        var low = slot == 0 ? 0UL : 1UL << slot;
        var high = (1UL << (slot + 1)) - 1;
        var bar = new string('*', widest == 0 ? 0 : (int)(40 * counts[slot] / widest));
        Console.WriteLine($"{low,15} -> {high,-10}: {counts[slot],-8} |{bar,-40}|");
    }

    var total = counts.Sum(c => (long)c);
    Console.WriteLine($"{total} waits on the run queue counted.");
    return total > 0 ? 0 : 1;
}
