using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using BpfSharp;
using ExecSnoop;

// The .NET half of execsnoop: load the object `dotnet build` wrote, attach the process tracepoints, start a child that
// runs a shell which exits with status 3, and print every exec and exit seen meanwhile, ours marked.
if (!OperatingSystem.IsLinux())
{
    Console.WriteLine("Skipped: BPF programs load on Linux only.");
    return 0;
}

BpfObject loaded;
try
{
    loaded = BpfObject.Load(typeof(ExecProbes).Assembly);
}
catch (BpfException ex) when (ex.Errno is 1 or 13)
{
    Console.WriteLine($"Skipped: the kernel refused ({ex.Message}); tracing needs root, or CAP_BPF with CAP_PERFMON.");
    return 0;
}

using (loaded)
{
    using var events = loaded.RingBuffer<ProcessEvent>(ExecProbes.Events);
    var links = new[] { nameof(ExecProbes.OnFork), nameof(ExecProbes.OnExec), nameof(ExecProbes.OnExitGroup), nameof(ExecProbes.OnExit) }
        .Select(name => loaded.Program(name).AttachTracepoint()).ToList();
    int child;
    try
    {
        using var shell = Process.Start(new ProcessStartInfo("/bin/sh", ["-c", "exit 3"]))!;
        child = shell.Id;
        shell.WaitForExit();
        Console.WriteLine($"Started /bin/sh -c 'exit 3' as {child}; it exited with {shell.ExitCode}.");
        Thread.Sleep(100);
    }
    finally
    {
        links.ForEach(link => link.Dispose());
    }

    var seen = new List<ProcessEvent>();
    events.Drain(seen.Add);
    Console.WriteLine($"{"EVENT",-5} {"PCOMM",-16} {"PID",7} {"PPID",7} {"RET",4} FILENAME");
    foreach (var e in seen)
    {
        var ours = e.Pid == child;
        if (ours || seen.Count <= 30)
        {
            var ret = e.Kind == ProcessEventKind.Exit ? e.ExitCode.ToString() : "";
            Console.WriteLine($"{e.Kind,-5} {Text(e, filename: false),-16} {e.Pid,7} {e.ParentPid,7} {ret,4} {Text(e, filename: true)}{(ours ? "   <- our child" : string.Empty)}");
        }
    }

    // The child: one exec of /bin/sh (or what it links to) by a child of this process, and its exit with status 3.
    var exec = seen.Where(e => e.Pid == child && e.Kind == ProcessEventKind.Exec).ToList();
    var exit = seen.Where(e => e.Pid == child && e.Kind == ProcessEventKind.Exit).ToList();
    var expected = exec.Count == 1 && exec[0].ParentPid == Environment.ProcessId && Text(exec[0], filename: true).EndsWith("sh", StringComparison.Ordinal)
        && exit.Count == 1 && exit[0].ExitCode == 3;
    Console.WriteLine($"{seen.Count} events; our child's: {exec.Count} exec, {exit.Count} exit ({(expected ? "as expected: /bin/sh, parent this process, status 3" : "expected one exec of /bin/sh by this process's child and its exit with status 3")}).");
    return expected ? 0 : 1;
}

static unsafe string Text(ProcessEvent e, bool filename)
{
    var bytes = filename ? new ReadOnlySpan<byte>(e.Filename, 256) : new ReadOnlySpan<byte>(e.Command, 16);
    var end = bytes.IndexOf((byte)0);
    return System.Text.Encoding.UTF8.GetString(end < 0 ? bytes : bytes[..end]);
}
