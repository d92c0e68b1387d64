using System;
using System.Diagnostics;
using System.Linq;
using BpfSharp.Loader.Native;

namespace BpfSharp.Benchmarks;

/// <summary>
/// "batch": reading a whole 10,000-entry hash map from .NET with the key walk (<see cref="BpfMapView{TKey, TValue}.Entries"/>:
/// two <c>bpf(2)</c> calls per entry) against <see cref="BpfMapView{TKey, TValue}.ReadAll"/> (BPF_MAP_LOOKUP_BATCH, batches of
/// 256 and 4,096), interleaved rounds, medians. Needs root.
/// </summary>
public static class BatchBenchmark
{
    public static int Run(int rounds, int entries = 10_000)
    {
        var fd = KernelObjects.CreateMap(new MapCreateRequest(1, 4, 8, (uint)entries) { Name = "batch" }, out var errno);
        if (fd < 0)
        {
            Console.Error.WriteLine($"could not create a map (root needed): {BpfSyscall.Describe(errno)}");
            return 2;
        }

        var view = new BpfMapView<uint, ulong>(new BpfLoadedMap("batch", fd, 1, 4, 8, (uint)entries, 0));
        for (var key = 0u; key < entries; key++)
        {
            view.Update(key * 2_654_435_761u, key);
        }

        var ways = new (string Name, Func<int> Read)[]
        {
            ("Entries (key walk + lookups)", () => view.Entries.Count()),
            ("ReadAll(256)", () => view.ReadAll(256).Count),
            ("ReadAll(4096)", () => view.ReadAll(4096).Count),
        };
        var times = ways.Select(_ => new double[rounds]).ToArray();
        var calls = new int[ways.Length];
        for (var round = -1; round < rounds; round++)
        {
            for (var way = 0; way < ways.Length; way++)
            {
                var before = view.Map.BatchCalls;
                var clock = Stopwatch.StartNew();
                var read = ways[way].Read();
                var ms = clock.Elapsed.TotalMilliseconds;
                if (read != entries)
                {
                    throw new InvalidOperationException($"{ways[way].Name} read {read} entries, not {entries}");
                }

                if (round >= 0)
                {
                    times[way][round] = ms;
                    calls[way] = view.Map.BatchCalls - before;
                }
            }
        }

        view.Map.Dispose(); // the map owns the descriptor
        var medians = times.Select(t => t.Order().ElementAt(rounds / 2)).ToArray();
        Console.WriteLine($"whole hash map of {entries:N0} entries, {rounds} rounds (medians):");
        for (var way = 0; way < ways.Length; way++)
        {
            var syscalls = way == 0 ? $"{(2 * entries) + 1:N0} bpf calls" : $"{calls[way]} batch calls";
            Console.WriteLine($"  {ways[way].Name,-30} {medians[way],8:F2} ms  ({syscalls}; key walk / this: {medians[0] / medians[way]:F1}x)");
        }

        return 0;
    }
}
