using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using BpfSharp.Loader.Native;

namespace BpfSharp.Benchmarks;

/// <summary>
/// "lookup": the cost of one hash-map lookup from .NET (a typed view, <see cref="BpfMapView{TKey, TValue}"/>) against the
/// same lookup through libbpf from C (HandWritten/lookup.c, built with the system's cc and -lbpf), interleaved rounds,
/// medians of ns per lookup. Needs root and libbpf-dev.
/// </summary>
public static class LookupBenchmark
{
    public static int Run(int rounds, int lookups = 1_000_000)
    {
        if (HandWrittenC.Build("lookup", Directory.CreateTempSubdirectory("bpfsharp-lookup-").FullName) is not string binary)
        {
            return 2;
        }

        var fd = KernelObjects.CreateMap(new MapCreateRequest(1, 4, 8, 64) { Name = "lookup" }, out var errno);
        if (fd < 0)
        {
            Console.Error.WriteLine($"could not create a map (root needed): {BpfSyscall.Describe(errno)}");
            return 2;
        }

        var view = new BpfMapView<uint, ulong>(new BpfLoadedMap("lookup", fd, 1, 4, 8, 64, 0));
        view.Update(17, 42);
        var dotnet = new double[rounds];
        var c = new double[rounds];
        for (var round = -1; round < rounds; round++)
        {
            var ns = TimeLookups(view, lookups);
            var native = Process.Start(new ProcessStartInfo(binary, lookups.ToString(System.Globalization.CultureInfo.InvariantCulture)) { RedirectStandardOutput = true })!;
            var nativeNs = double.Parse(native.StandardOutput.ReadToEnd().Trim(), System.Globalization.CultureInfo.InvariantCulture);
            native.WaitForExit();
            if (round >= 0)
            {
                dotnet[round] = ns;
                c[round] = nativeNs;
            }
        }

        view.Map.Dispose(); // the map owns the descriptor
        Array.Sort(dotnet);
        Array.Sort(c);
        var (dotnetMedian, cMedian) = (dotnet[rounds / 2], c[rounds / 2]);
        Console.WriteLine($"hash map lookup, {lookups:N0} per round, {rounds} rounds (medians): .NET typed view {dotnetMedian:F1} ns, libbpf from C {cMedian:F1} ns, ratio {dotnetMedian / cMedian:F3}");
        return 0;
    }

    // Lookups in calls of 1,000, as an application makes them (one per event): the called method is compiled like user
    // code (tiered, with its profile), where one long loop would run for ever in its first, on-stack-replaced compilation.
    private static double TimeLookups(BpfMapView<uint, ulong> view, int lookups)
    {
        const int PerCall = 1000;
        var clock = Stopwatch.StartNew();
        for (var done = 0; done < lookups; done += PerCall)
        {
            LookUp(view, PerCall);
        }

        return clock.Elapsed.TotalNanoseconds / lookups;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void LookUp(BpfMapView<uint, ulong> view, int count)
    {
        for (var i = 0; i < count; i++)
        {
            if (!view.TryLookup(17, out var value) || value != 42)
            {
                throw new InvalidOperationException("lookup failed");
            }
        }
    }
}
