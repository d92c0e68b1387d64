using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using System.Threading;
using BpfSharp;
using OpenSnoop;

// The .NET half of opensnoop: load the object `dotnet build` wrote, attach openat's entry and exit tracepoints, open a
// file of our own among whatever the machine opens meanwhile, and print the opens as opensnoop does.
if (!OperatingSystem.IsLinux())
{
    Console.WriteLine("Skipped: BPF programs load on Linux only.");
    return 0;
}

BpfObject loaded;
try
{
    loaded = BpfObject.Load(typeof(OpenProbes).Assembly);
}
catch (BpfException ex) when (ex.Errno is 1 or 13)
{
    Console.WriteLine($"Skipped: the kernel refused ({ex.Message}); tracing needs root, or CAP_BPF with CAP_PERFMON.");
    return 0;
}

using (loaded)
{
    using var events = loaded.RingBuffer<OpenEvent>(OpenProbes.Events);
    using var enter = loaded.Program(nameof(OpenProbes.OnEnter)).AttachTracepoint();
    using var exit = loaded.Program(nameof(OpenProbes.OnExit)).AttachTracepoint();
    Console.WriteLine($"Attached {enter.Description} and {exit.Description}.");

    var path = Path.Combine(Path.GetTempPath(), $"opensnoop-{Environment.ProcessId}.txt");
    File.WriteAllText(path, "written by opensnoop");
    File.ReadAllText(path);
    var missing = Path.Combine(Path.GetTempPath(), $"opensnoop-{Environment.ProcessId}-missing.txt");
    try
    {
        using var stream = File.OpenRead(missing); // fails: ENOENT
    }
    catch (FileNotFoundException)
    {
    }

    Thread.Sleep(200);
    var seen = new List<OpenEvent>();
    events.Drain(seen.Add);
    File.Delete(path);

    Console.WriteLine($"{"PID",-7} {"COMM",-16} {"FD",3} {"ERR",3} PATH");
    var ours = new List<OpenEvent>();
    foreach (var e in seen)
    {
        var file = Text(e, path: true);
        var mine = e.Pid == Environment.ProcessId && (file == path || file == missing);
        if (mine)
        {
            ours.Add(e);
        }

        if (mine || seen.Count <= 20)
        {
            Console.WriteLine($"{e.Pid,-7} {Text(e, path: false),-16} {(e.Result >= 0 ? e.Result : -1),3} {(e.Result < 0 ? -e.Result : 0),3} {file}{(mine ? "   <- this process" : string.Empty)}");
        }
    }

    // Ours: the write and the read of the file (descriptors), then the missing file (ENOENT, 2).
    var expected = ours.Count == 3 && ours[0].Result >= 0 && ours[1].Result >= 0 && ours[2].Result == -2;
    Console.WriteLine($"{seen.Count} opens seen on this machine; this process's own: {ours.Count} ({(expected ? "as expected: two descriptors, then ENOENT" : "expected two descriptors, then ENOENT")}).");
    return expected ? 0 : 1;
}

static unsafe string Text(OpenEvent e, bool path)
{
    var bytes = path ? new ReadOnlySpan<byte>(e.Path, 256) : new ReadOnlySpan<byte>(e.Command, 16);
    var end = bytes.IndexOf((byte)0);
    return System.Text.Encoding.UTF8.GetString(end < 0 ? bytes : bytes[..end]);
}
