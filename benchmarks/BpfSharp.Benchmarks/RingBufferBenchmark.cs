using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;

namespace BpfSharp.Benchmarks;

/// <summary>
/// "ringbuf": reading a ring buffer's records from .NET, every way BpfSharp offers (a span per record, a typed record,
/// the async streams of bytes and of typed records), against libbpf's <c>ring_buffer__consume</c> from C
/// (HandWritten/ringbuf.c), in one run: the same object (HandWritten/ringbuf.bpf.c, built by clang) fills the ring
/// buffer by test runs, then each reader takes the records; medians of ns per record. Needs root, clang and libbpf-dev.
/// </summary>
public static class RingBufferBenchmark
{
    [StructLayout(LayoutKind.Sequential)]
    private struct Record
    {
        public ulong Sequence;
        public ulong Value;
    }

    public static int Run(int rounds, int records = 100_000)
    {
        var work = Directory.CreateTempSubdirectory("bpfsharp-ringbuf-").FullName;
        try
        {
            var objectPath = Path.Combine(work, "ringbuf.bpf.o");
            var source = Path.Combine(BpfSizeBenchmark.RepoRoot(), "benchmarks", "BpfSharp.Benchmarks", "HandWritten", "ringbuf.bpf.c");
            var clang = Process.Start(new ProcessStartInfo("clang", $"-O2 -g -target bpf -I/usr/include/x86_64-linux-gnu -c {source} -o {objectPath}") { RedirectStandardError = true })!;
            var clangErrors = clang.StandardError.ReadToEnd();
            clang.WaitForExit();
            if (clang.ExitCode != 0 || HandWrittenC.Build("ringbuf", work) is not string binary)
            {
                Console.Error.WriteLine("could not build the benchmark's object (clang, libbpf-dev): " + clangErrors);
                return 2;
            }

            var native = Process.Start(new ProcessStartInfo(binary, $"{objectPath} {records} {rounds + 1}") { RedirectStandardOutput = true, RedirectStandardError = true })!;
            var nativeLines = native.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            var nativeErrors = native.StandardError.ReadToEnd();
            native.WaitForExit();
            if (native.ExitCode != 0)
            {
                Console.Error.WriteLine("the C side failed: " + nativeErrors);
                return 2;
            }

            var libbpf = BuildBenchmark.Median(nativeLines.Skip(1).Select(l => double.Parse(l, CultureInfo.InvariantCulture)).ToArray());

            using var bpf = BpfObject.Load(objectPath);
            var producer = bpf.Programs["produce"];
            using var bytes = bpf.RingBuffer("records");
            using var typed = bpf.RingBuffer<Record>("records");
            var ways = new (string Name, Func<int, double> Read)[]
            {
                ("Drain, a span per record", n => Time(n, () => Sum(bytes, n))),
                ("Drain of typed records", n => Time(n, () => Sum(typed, n))),
                ("ReadAllAsync, a byte[] per record", n => Time(n, () => SumAsync(bytes, n).GetAwaiter().GetResult())),
                ("ReadAllAsync of typed records", n => Time(n, () => SumAsync(typed, n).GetAwaiter().GetResult())),
                // No ring buffer: what await foreach itself costs per element, the floor of any async stream.
                ("floor: await foreach of records in memory", n => Time(n, () => SumAsync(new InMemoryRecords(n), n).GetAwaiter().GetResult())),
            };
            var times = ways.Select(_ => new double[rounds]).ToArray();
            var packet = new byte[64];
            for (var round = -1; round < rounds; round++)
            {
                for (var way = 0; way < ways.Length; way++)
                {
                    if (!ways[way].Name.StartsWith("floor", StringComparison.Ordinal))
                    {
                        producer.TestRun(packet, repeat: records); // the records this reader takes
                    }

                    var ns = ways[way].Read(records);
                    if (round >= 0)
                    {
                        times[way][round] = ns;
                    }
                }
            }

            Console.WriteLine($"ring buffer, {records:N0} records of 16 bytes per round, {rounds} rounds (medians, ns per record):");
            Console.WriteLine($"  {"libbpf ring_buffer__consume from C",-40} {libbpf,8:F2}");
            for (var way = 0; way < ways.Length; way++)
            {
                var median = BuildBenchmark.Median(times[way]);
                Console.WriteLine($"  {ways[way].Name,-40} {median,8:F2}  ratio {median / libbpf:F2}");
            }

            return 0;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static async Task<ulong> SumAsync(InMemoryRecords records, int count)
    {
        ulong sum = 0;
        var read = 0;
        await foreach (var record in records)
        {
            sum += record.Value;
            if (++read == count)
            {
                break;
            }
        }

        return sum;
    }

    // The cheapest async stream: every element is there, each MoveNextAsync completes synchronously.
    private sealed class InMemoryRecords(int count) : IAsyncEnumerable<Record>, IAsyncEnumerator<Record>
    {
        private int _next;

        public Record Current { get; private set; }

        public IAsyncEnumerator<Record> GetAsyncEnumerator(System.Threading.CancellationToken cancellationToken = default) => this;

        public ValueTask<bool> MoveNextAsync()
        {
            if (_next == count)
            {
                return new ValueTask<bool>(false);
            }

            Current = new Record { Sequence = (ulong)_next, Value = 7 };
            _next++;
            return new ValueTask<bool>(true);
        }

        public ValueTask DisposeAsync() => default;
    }

    private static double Time(int records, Func<ulong> read)
    {
        var clock = Stopwatch.StartNew();
        var sum = read();
        var ns = clock.Elapsed.TotalNanoseconds / records;
        return sum == 7UL * (ulong)records ? ns : throw new InvalidOperationException($"read a sum of {sum}, not {7UL * (ulong)records}");
    }

    private static ulong Sum(BpfRingBuffer ring, int records)
    {
        ulong sum = 0;
        var read = ring.Drain(span => sum += MemoryMarshal.Read<Record>(span).Value);
        return read == records ? sum : throw new InvalidOperationException($"drained {read} of {records}");
    }

    private static ulong Sum(BpfRingBuffer<Record> ring, int records)
    {
        ulong sum = 0;
        var read = ring.Drain(record => sum += record.Value);
        return read == records ? sum : throw new InvalidOperationException($"drained {read} of {records}");
    }

    private static async Task<ulong> SumAsync(BpfRingBuffer ring, int records)
    {
        ulong sum = 0;
        var read = 0;
        await foreach (var record in ring.ReadAllAsync())
        {
            sum += MemoryMarshal.Read<Record>(record).Value;
            if (++read == records)
            {
                break;
            }
        }

        return sum;
    }

    private static async Task<ulong> SumAsync(BpfRingBuffer<Record> ring, int records)
    {
        ulong sum = 0;
        var read = 0;
        await foreach (var record in ring.ReadAllAsync())
        {
            sum += record.Value;
            if (++read == records)
            {
                break;
            }
        }

        return sum;
    }
}
