using System;
using System.IO;
using System.Linq;
using BpfSharp.Tests.Kernel;
using BpfSharp.Tests.Kernel.Ports;

namespace BpfSharp.Benchmarks;

/// <summary>
/// "ports": the real programs of tests/Ports (originals read from the kernel's source package, compiled by clang as
/// their build does) against their C# ports (through BpfSharp's C and the same clang); both loaded by bpftool.
/// Prints the verifier's xlated instruction counts per program, their ratio, the geometric mean and the worst.
/// Needs root, clang, bpftool, linux-source-6.12 and libbpf-dev.
/// </summary>
public static class PortSizeBenchmark
{
    public static int Run()
    {
        if (KernelSources.WhyUnavailable is { } why)
        {
            Console.Error.WriteLine("cannot run: " + why);
            return 1;
        }

        var root = BpfSizeBenchmark.RepoRoot();
        var work = Directory.CreateTempSubdirectory("bpfsharp-ports-").FullName;
        Console.WriteLine($"{"original",-28} {"program",-22} {"C insns",8} {"C# insns",9} {"ratio",6}");
        double logSum = 0;
        var count = 0;
        var worst = (Ratio: 0.0, Program: string.Empty);
        foreach (var port in RealPrograms.All)
        {
            var translated = Path.Combine(work, Path.GetFileNameWithoutExtension(port.Port) + ".bpf.c");
            File.WriteAllText(translated, BpfSizeBenchmark.Translate(File.ReadAllText(Path.Combine(root, "tests", "Ports", port.Port))));
            using var original = port.OriginalSectionTypes is { } types ? new LoadedObject(KernelSources.Compile(port.Original, work), types) : new LoadedObject(KernelSources.Compile(port.Original, work), port.OriginalProgramType);
            using var ported = new LoadedObject(BpfSizeBenchmark.Compile(translated, work));
            if (!original.Loaded || !ported.Loaded)
            {
                Console.WriteLine($"{Path.GetFileName(port.Original),-28} not loaded: {(original.Loaded ? ported.LoadOutput : original.LoadOutput).Trim()}");
                continue;
            }

            foreach (var (c, csharp) in port.Programs)
            {
                int a = original.XlatedInstructions(c), b = ported.XlatedInstructions(csharp);
                var ratio = (double)b / a;
                logSum += Math.Log(ratio);
                count++;
                worst = ratio > worst.Ratio ? (ratio, c) : worst;
                Console.WriteLine($"{Path.GetFileName(port.Original),-28} {c,-22} {a,8} {b,9} {ratio,6:0.000}");
            }
        }

        Console.WriteLine($"geometric mean {Math.Exp(logSum / Math.Max(count, 1)):0.000} over {count} programs (goal: at most 1.05); worst {worst.Ratio:0.000} ({worst.Program}; goal: none above 1.25)");
        Directory.Delete(work, recursive: true);
        return 0;
    }
}
