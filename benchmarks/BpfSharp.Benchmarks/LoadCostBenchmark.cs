using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using BpfSharp.Tests.Kernel.Ports;

namespace BpfSharp.Benchmarks;

/// <summary>
/// "loadcost": what loading an object costs with BpfSharp's loader (<c>BpfObject.Load</c> and <c>Dispose</c>, in
/// process) against libbpf from C (<c>bpf_object__open_file</c>, <c>__load</c>, <c>__close</c>; HandWritten/load.c built
/// with -lbpf), on kernel selftests both load: interleaved rounds, medians of the time per load, the ratio per object
/// and their geometric mean. Needs root, clang, libbpf-dev and linux-source-6.12.
/// </summary>
public static class LoadCostBenchmark
{
    private static readonly string[] Objects =
    [
        "tools/testing/selftests/bpf/progs/test_pkt_access.c", // BPF-to-BPF calls
        "tools/testing/selftests/bpf/progs/test_global_data.c", // maps and global data
        "tools/testing/selftests/bpf/progs/test_xdp.c",
        "tools/testing/selftests/bpf/progs/test_core_reloc_kernel.c", // CO-RE against the kernel's BTF
        "tools/testing/selftests/bpf/progs/xdp_synproxy_kern.c", // kfuncs, many programs
    ];

    public static int Run(int rounds, int loadsPerRound = 20)
    {
        if (KernelSources.WhyUnavailable is { } why)
        {
            Console.Error.WriteLine("cannot run: " + why);
            return 1;
        }

        var work = Directory.CreateTempSubdirectory("bpfsharp-loadcost-").FullName;
        if (HandWrittenC.Build("load", work) is not string binary)
        {
            return 2;
        }

        Console.WriteLine($"loading an object, {loadsPerRound} loads per round, {rounds} rounds (medians of the time per load):");
        var ratios = new List<double>();
        foreach (var original in Objects)
        {
            string objectPath;
            try
            {
                objectPath = KernelSources.Compile(original, work);
            }
            catch (Exception e) when (e is InvalidOperationException or FileNotFoundException)
            {
                Console.WriteLine($"  {Path.GetFileName(original)}: not compiled here ({e.Message.Split('\n')[0]})");
                continue;
            }

            var dotnet = new List<double>();
            var reading = new List<double>();
            var libbpf = new List<double>();
            for (var round = -1; round < rounds; round++)
            {
                var clock = Stopwatch.StartNew();
                for (var i = 0; i < loadsPerRound; i++)
                {
                    BpfObject.Load(objectPath).Dispose();
                }

                var ours = clock.Elapsed.TotalMilliseconds * 1e6 / loadsPerRound;
                clock.Restart();
                for (var i = 0; i < loadsPerRound; i++)
                {
                    BpfSharp.Loader.Objects.ObjectSpec.Read(objectPath, File.ReadAllBytes(objectPath));
                }

                var read = clock.Elapsed.TotalMilliseconds * 1e6 / loadsPerRound;
                var native = Process.Start(new ProcessStartInfo(binary, $"{objectPath} {loadsPerRound}") { RedirectStandardOutput = true, RedirectStandardError = true })!;
                var output = native.StandardOutput.ReadToEnd().Trim();
                native.WaitForExit();
                if (native.ExitCode != 0)
                {
                    Console.WriteLine($"  {Path.GetFileName(original)}: libbpf does not load it here");
                    break;
                }

                if (round >= 0)
                {
                    dotnet.Add(ours);
                    reading.Add(read);
                    libbpf.Add(double.Parse(output, CultureInfo.InvariantCulture));
                }
            }

            if (dotnet.Count == rounds)
            {
                var (ourMedian, theirMedian) = (BuildBenchmark.Median(dotnet), BuildBenchmark.Median(libbpf));
                ratios.Add(ourMedian / theirMedian);
                Console.WriteLine($"  {Path.GetFileName(original),-28} BpfSharp {ourMedian / 1e6:F2} ms (reading the object {BuildBenchmark.Median(reading) / 1e6:F2} ms), libbpf {theirMedian / 1e6:F2} ms, ratio {ourMedian / theirMedian:F3}");
            }
        }

        if (ratios.Count > 0)
        {
            Console.WriteLine($"  geometric mean of the ratios over {ratios.Count} objects: {Math.Exp(ratios.Average(Math.Log)):F3} (goal: at most 1.1)");
        }

        Directory.Delete(work, recursive: true);
        return 0;
    }
}
