using System;
using System.Linq;
using BpfSharp.Tests.Kernel.Ports;

namespace BpfSharp.Benchmarks;

/// <summary>
/// "compat": the kernel's BPF selftests (Debian's linux-source package), compiled by clang against this kernel's
/// vmlinux.h; every object libbpf (bpftool) loads is loaded by BpfSharp's loader too, and each program's instructions
/// compared (the kernel's tag, which ignores map ids, and the xlated size). Prints "loads N of M, xlated identical for
/// P of Q" and BpfSharp's refusals by reason. Needs root, clang, bpftool, linux-source-6.12 and libbpf-dev; minutes.
/// </summary>
public static class CompatibilityBenchmark
{
    public static int Run(string? filter, int limit)
    {
        if (KernelSources.WhyUnavailable is { } why)
        {
            Console.Error.WriteLine("cannot run: " + why);
            return 1;
        }

        var originals = KernelSources.Originals("tools/testing/selftests/bpf/progs")
            .Where(path => filter is null || path.Contains(filter, StringComparison.Ordinal)).Take(limit).ToArray();
        var outcome = SelftestCompatibility.Compare(originals);
        Console.WriteLine($"{outcome.Files} selftest files, {outcome.Compiled} compiled; libbpf (bpftool) loads {outcome.LibbpfLoads} objects with programs");
        Console.WriteLine($"BpfSharp loads {outcome.Ours} of {outcome.LibbpfLoads}, xlated identical for {outcome.Identical} of {outcome.Programs} programs, the same slots filled in {outcome.SlotMapsIdentical} of {outcome.SlotMaps} maps of programs or maps");
        foreach (var (reason, files) in outcome.Refusals.OrderByDescending(r => r.Value.Count))
        {
            Console.WriteLine($"  refused {files.Count,3}: {reason}  (e.g. {string.Join(", ", files.Take(3))})");
        }

        foreach (var difference in outcome.Differences.Take(20))
        {
            Console.WriteLine("  differs: " + difference);
        }

        return 0;
    }
}
