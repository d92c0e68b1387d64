using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;
using Xunit;
using Xunit.Abstractions;

namespace BpfSharp.Tests.Kernel;

/// <summary>The perf-event-array reader: records from every CPU, wrap-around, lost records, async reading, clean disposal.</summary>
[Collection(nameof(DescriptorCounting))] // counts the process's descriptors and pins threads to CPUs: nothing else may run meanwhile
public sealed class PerfEventTests(ITestOutputHelper output) : IDisposable
{
    // The program's map, as a field of this assembly too: PerfEvents(Out) finds the map by this field's name.
    private static readonly PerfEventArrayMap Out = new(maxEntries: 64);

    // Emit outputs an 8-byte sequence number, EmitWide a 24-byte record (sequence, its complement, a product) whose
    // 40-byte perf record does not divide a page: some record must cross the end of a one-page buffer.
    private const string Events = """
        using BpfSharp;
        [assembly: BpfLicense("GPL")]
        public struct Wide
        {
            public ulong Sequence;
            public ulong Complement;
            public ulong Product;
        }

        public static unsafe class Events
        {
            static readonly PerfEventArrayMap Out = new(maxEntries: 64);
            static readonly PerfEventArrayMap Narrow = new(maxEntries: 1);
            static ulong Sequence;

            [BpfProgram("xdp")]
            public static int Emit(void* ctx)
            {
                Sequence = Sequence + 1;
                ulong n = Sequence;
                BpfHelpers.PerfEventOutput(ctx, Out, 0xFFFFFFFFUL, &n, 8);
                return 2;
            }

            [BpfProgram("xdp")]
            public static int EmitWide(void* ctx)
            {
                Sequence = Sequence + 1;
                Wide w;
                w.Sequence = Sequence;
                w.Complement = ~Sequence;
                w.Product = Sequence * 2654435761UL;
                BpfHelpers.PerfEventOutput(ctx, Out, 0xFFFFFFFFUL, &w, 24);
                return 2;
            }

            [BpfProgram("xdp")]
            public static int EmitNarrow(void* ctx)
            {
                ulong n = 1;
                BpfHelpers.PerfEventOutput(ctx, Narrow, 0xFFFFFFFFUL, &n, 8);
                return 2;
            }
        }
        """;

    private const int WideRecordBytes = 8 + 4 + 28; // perf_event_header, u32 size, 24 bytes padded to 28

    private readonly string _directory = Directory.CreateTempSubdirectory("bpfsharp-perf-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private BpfObject Load() => BpfObject.Load(Compile());

    private string Compile()
    {
        RunningKernel.RequireBpf();
        Skip.If(Tools.Find("clang") is null, "kernel test skipped: clang is needed (apt-get install clang)");
        return Tools.CompileCSharp(Events, _directory, "perfevents");
    }

    [SkippableFact]
    public void Every_record_arrives_once_in_order_per_cpu_padded_to_12_bytes()
    {
        using var loaded = Load();
        using var reader = loaded.PerfEvents(Out);
        Assert.Equal("Out", reader.Name);
        Assert.Equal(BpfSharp.Loader.Native.CpuList.Online(), reader.Cpus);

        loaded.Program("Emit").TestRun(new byte[64], repeat: 1000);
        var received = new List<(int Cpu, ulong Sequence)>();
        var sizes = new HashSet<int>();
        var delivered = reader.Drain((cpu, record) =>
        {
            sizes.Add(record.Length); // the 4 bytes of padding are not asserted: the kernel skips them, leaving what was there
            received.Add((cpu, BitConverter.ToUInt64(record)));
        });

        output.WriteLine("records per CPU: " + string.Join(", ", received.GroupBy(r => r.Cpu).Select(g => $"{g.Key}: {g.Count()}")));
        Assert.Equal(1000, delivered);
        Assert.Equal(new[] { 12 }, sizes); // 8 bytes output: the raw sample is padded so that u32 size + data is a multiple of 8
        Assert.Equal(Enumerable.Range(1, 1000).Select(i => (ulong)i), received.Select(r => r.Sequence).Order());
        foreach (var cpu in received.GroupBy(r => r.Cpu))
        {
            Assert.Contains(cpu.Key, reader.Cpus);
            var sequence = cpu.Select(r => r.Sequence).ToList();
            Assert.Equal(sequence.Order(), sequence);
        }

        Assert.Equal(0, reader.LostCount);
        Assert.Equal(0, reader.Poll((_, _) => { }, TimeSpan.FromMilliseconds(20))); // nothing more

        // A poll that is waiting wakes at the next record (wakeup_events 1), long before its timeout.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var waiting = Task.Run(() => reader.Poll((_, record) => Assert.Equal(1001ul, BitConverter.ToUInt64(record)), TimeSpan.FromSeconds(20)));
        Thread.Sleep(100);
        loaded.Program("Emit").TestRun(new byte[64], repeat: 1);
        Assert.True(waiting.Wait(TimeSpan.FromSeconds(10)), "the poll did not wake");
        Assert.Equal(1, waiting.Result);
        output.WriteLine($"poll woke after {clock.ElapsedMilliseconds} ms");
    }

    [SkippableFact]
    public void Records_that_wrap_around_a_one_page_buffer_arrive_intact()
    {
        using var loaded = Load();
        using var reader = loaded.PerfEvents("Out", pagesPerCpu: 1);
        var perRound = (Environment.SystemPageSize / WideRecordBytes) * 2 / 3; // fits even if every run is on one CPU
        const int Rounds = 20;
        var received = new List<(int Cpu, ulong Sequence)>();
        for (var round = 0; round < Rounds; round++)
        {
            loaded.Program("EmitWide").TestRun(new byte[64], repeat: perRound);
            Assert.Equal(perRound, reader.Poll((cpu, record) =>
            {
                Assert.Equal(28, record.Length);
                var sequence = BitConverter.ToUInt64(record);
                Assert.Equal(~sequence, BitConverter.ToUInt64(record.Slice(8)));
                Assert.Equal(sequence * 2654435761UL, BitConverter.ToUInt64(record.Slice(16)));
                received.Add((cpu, sequence));
            }, TimeSpan.FromSeconds(1)));
        }

        // Record k on a CPU starts at 40k in its buffer: the first to cross the end of a page is number 103, and some CPU had that many.
        var perCpu = received.GroupBy(r => r.Cpu).ToDictionary(g => g.Key, g => g.Count());
        output.WriteLine($"{perRound} records a round; per CPU: " + string.Join(", ", perCpu.Select(p => $"{p.Key}: {p.Value}")));
        Assert.True(perCpu.Values.Max() * WideRecordBytes > Environment.SystemPageSize + WideRecordBytes, "no record crossed the end of the buffer");
        Assert.True(Rounds * perRound * WideRecordBytes > 2 * Environment.SystemPageSize * reader.Cpus.Count, "more data than the buffers hold");
        Assert.Equal(Enumerable.Range(1, Rounds * perRound).Select(i => (ulong)i), received.Select(r => r.Sequence).Order());
        Assert.Equal(0, reader.LostCount);
    }

    [SkippableFact]
    public void A_full_buffer_drops_records_and_reports_them_lost_on_the_next_write()
    {
        using var loaded = Load();
        using var reader = loaded.PerfEvents("Out", pagesPerCpu: 1);
        var received = new List<ulong>();
        var lostReports = new List<(int Cpu, long Lost)>();
        void Record(int cpu, ReadOnlySpan<byte> record)
        {
            var sequence = BitConverter.ToUInt64(record);
            Assert.Equal(~sequence, BitConverter.ToUInt64(record.Slice(8)));
            Assert.Equal(sequence * 2654435761UL, BitConverter.ToUInt64(record.Slice(16)));
            received.Add(sequence);
        }

        // On one CPU, so that the counts are exact: 1000 records of 40 bytes into 4096.
        using (OnOneCpu(out var cpu))
        {
            loaded.Program("EmitWide").TestRun(new byte[64], repeat: 1000);
            reader.Drain(Record, (c, lost) => lostReports.Add((c, lost)));
            var fitted = received.Count;
            output.WriteLine($"CPU {cpu}: {fitted} records fitted, lost reported before the next write: {reader.LostCount}");
            Assert.Equal(Environment.SystemPageSize / WideRecordBytes, fitted); // as many as fit (102 in 4096 bytes)
            Assert.Equal(Enumerable.Range(1, fitted).Select(i => (ulong)i), received); // the first ones, intact
            Assert.Equal(0, reader.LostCount); // the kernel reports a loss in the buffer, so only once there is room again

            loaded.Program("EmitWide").TestRun(new byte[64], repeat: 1);
            Assert.Equal(1, reader.Drain(Record, (c, lost) => lostReports.Add((c, lost))));
            Assert.Equal(1000 - fitted, reader.LostCount);
            Assert.Equal(new[] { (cpu, 1000L - fitted) }, lostReports);
            Assert.Equal(1001ul, received[^1]);
        }
    }

    [SkippableFact]
    public async Task Reading_asynchronously_gets_what_is_output_after_it_starts_and_stops_on_cancellation()
    {
        using var loaded = Load();
        using var reader = loaded.PerfEvents("Out");
        loaded.Program("Emit").TestRun(new byte[64], repeat: 5); // before: read by the first enumeration too, as it drains what is there

        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            var reading = ReadAsync(reader, 15, timeout.Token);
            loaded.Program("Emit").TestRun(new byte[64], repeat: 10);
            var records = await reading;
            Assert.Equal(Enumerable.Range(1, 15).Select(i => (ulong)i), records.Select(r => BitConverter.ToUInt64(r.Data)).Order());
            Assert.All(records, r => Assert.Contains(r.Cpu, reader.Cpus));
            Assert.All(records, r => Assert.Equal(12, r.Data.Length));
        }

        // Cancelled while waiting: the enumeration ends as .NET's async streams do, with OperationCanceledException,
        // having read only what came before.
        using var cancellation = new CancellationTokenSource();
        var counted = 0;
        var enumeration = Task.Run(async () =>
        {
            await foreach (var record in reader.ReadAllAsync(cancellation.Token))
            {
                counted++;
                if (counted == 3)
                {
                    cancellation.CancelAfter(100);
                }
            }
        });
        loaded.Program("Emit").TestRun(new byte[64], repeat: 3);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => enumeration.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(3, counted);
        Assert.True(cancellation.IsCancellationRequested);
    }

    private static async Task<List<BpfPerfRecord>> ReadAsync(BpfPerfEventReader reader, int count, CancellationToken cancellationToken)
    {
        var records = new List<BpfPerfRecord>();
        await foreach (var record in reader.ReadAllAsync(cancellationToken))
        {
            records.Add(record);
            if (records.Count == count)
            {
                break;
            }
        }

        return records;
    }

    [SkippableFact]
    public async Task Disposing_closes_every_descriptor_and_mapping_and_bad_input_is_refused_clearly()
    {
        using var loaded = Load();
        var (descriptors, perfDescriptors, mappings) = (OpenDescriptors(), PerfDescriptors(), PerfMappings());
        var reader = loaded.PerfEvents("Out", pagesPerCpu: 2);
        Assert.Equal(perfDescriptors + reader.Cpus.Count, PerfDescriptors());
        Assert.Equal(mappings + reader.Cpus.Count, PerfMappings());
        var second = Assert.Throws<InvalidOperationException>(() => loaded.PerfEvents("Out"));
        Assert.Contains("already has an open reader", second.Message);
        reader.Dispose();
        reader.Dispose(); // harmless
        Assert.Equal(descriptors, OpenDescriptors());
        Assert.Equal(perfDescriptors, PerfDescriptors());
        Assert.Equal(mappings, PerfMappings());

        Assert.Throws<ObjectDisposedException>(() => reader.Drain((_, _) => { }));
        Assert.Throws<ObjectDisposedException>(() => reader.Poll((_, _) => { }, TimeSpan.Zero));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () =>
        {
            await foreach (var record in reader.ReadAllAsync())
            {
            }
        });

        // The slots were emptied: output finds no event (the program still runs), and a new reader opens.
        loaded.Program("Emit").TestRun(new byte[64], repeat: 3);
        using (var again = loaded.PerfEvents("Out"))
        {
            loaded.Program("Emit").TestRun(new byte[64], repeat: 2);
            Assert.Equal(2, again.Drain((_, _) => { }));
        }

        var notPerf = Assert.Throws<BpfException>(() => loaded.PerfEvents(loaded.Maps.Keys.Single(k => k.EndsWith(".bss", StringComparison.Ordinal))));
        Assert.Contains("not a perf event array", notPerf.Message);
        Assert.Contains("pagesPerCpu", Assert.Throws<ArgumentException>(() => loaded.PerfEvents("Out", pagesPerCpu: 3)).Message);
        Assert.Throws<ArgumentException>(() => loaded.PerfEvents("Out", pagesPerCpu: 0));
        Assert.Throws<ArgumentException>(() => loaded.PerfEvents("Out", pagesPerCpu: -8));
        Assert.Throws<KeyNotFoundException>(() => loaded.PerfEvents("Nope"));

        // Too big for the kernel: refused at the first CPU's mapping, its event closed.
        var huge = Assert.Throws<BpfException>(() => loaded.PerfEvents("Out", pagesPerCpu: 1 << 30));
        output.WriteLine(huge.Message);
        Assert.Contains("could not be mapped", huge.Message);
        Assert.Equal(descriptors, OpenDescriptors());

        // A map with fewer slots than online CPUs fails midway, at the first CPU without a slot: what was opened is closed.
        if (reader.Cpus.Count > 1)
        {
            var narrow = Assert.Throws<BpfException>(() => loaded.PerfEvents("Narrow"));
            output.WriteLine(narrow.Message);
            Assert.Contains("has 1 entries but CPU", narrow.Message);
            Assert.Equal(descriptors, OpenDescriptors());
            Assert.Equal(mappings, PerfMappings());
        }

        loaded.Dispose();
        Assert.Throws<ObjectDisposedException>(() => loaded.PerfEvents("Out"));
    }

    [SkippableFact]
    public void A_reader_disposed_after_its_object_still_reads_and_closes_cleanly()
    {
        var path = Compile();
        var descriptors = OpenDescriptors();
        var loaded = BpfObject.Load(path);
        var reader = loaded.PerfEvents("Out");
        loaded.Program("Emit").TestRun(new byte[64], repeat: 4);
        loaded.Dispose();
        Assert.Equal(4, reader.Drain((_, _) => { })); // the buffers are the reader's: what was output is still there
        reader.Dispose();
        Assert.Equal(descriptors, OpenDescriptors());
    }

    [Fact]
    public void Cpu_lists_are_read_as_the_kernel_writes_them()
    {
        Assert.Equal(new[] { 0, 1 }, BpfSharp.Loader.Native.CpuList.Parse("0-1\n"));
        Assert.Equal(new[] { 0 }, BpfSharp.Loader.Native.CpuList.Parse("0\n"));
        Assert.Equal(new[] { 0, 2, 3, 4, 7 }, BpfSharp.Loader.Native.CpuList.Parse("0,2-4,7\n"));
    }

    // BPF and perf descriptors only: the runtime opens others of its own (thread pool, test host) at any time.
    private static int OpenDescriptors() => DescriptorCounting.Open("bpf", "perf_event");

    private static int PerfDescriptors() => DescriptorCounting.Open("perf_event");

    private static int PerfMappings() => File.ReadAllLines("/proc/self/maps").Count(l => l.Contains("perf_event", StringComparison.Ordinal));

    // Pins the calling thread to the CPU it is on until disposed (test runs of XDP programs run on the caller's CPU).
    private static IDisposable OnOneCpu(out int cpu)
    {
        cpu = sched_getcpu();
        Skip.If(cpu < 0 || cpu >= 64, "kernel test skipped: this test pins itself to a CPU below 64");
        ulong previous = 0;
        Assert.Equal(0, sched_getaffinity(0, sizeof(ulong), ref previous));
        var only = 1UL << cpu;
        Assert.Equal(0, sched_setaffinity(0, sizeof(ulong), ref only));
        return new Restore(previous);
    }

    private sealed class Restore(ulong mask) : IDisposable
    {
        public void Dispose() => _ = sched_setaffinity(0, sizeof(ulong), ref mask);
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int sched_getcpu();

    [DllImport("libc", SetLastError = true)]
    private static extern int sched_getaffinity(int pid, nint size, ref ulong mask);

    [DllImport("libc", SetLastError = true)]
    private static extern int sched_setaffinity(int pid, nint size, ref ulong mask);
}
