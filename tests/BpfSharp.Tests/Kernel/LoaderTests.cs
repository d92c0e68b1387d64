using System;
using System.Buffers.Binary;
using System.IO;
using System.Collections.Generic;
using System.Linq;
using BpfSharp.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace BpfSharp.Tests.Kernel;

/// <summary>BpfSharp's own loader (BpfObject): objects loaded, test-run and read from .NET; refusals with the C# line; bad objects refused cleanly.</summary>
[Collection(nameof(DescriptorCounting))] // counts the process's BPF descriptors: nothing else may run meanwhile
public sealed class LoaderTests(ITestOutputHelper output) : IDisposable
{
    private static readonly string Contract = File.ReadAllText(Path.Combine(RepoPaths.Root, "tests", "Programs", "Contract.cs")).ReplaceLineEndings("\n");

    private readonly string _directory = Directory.CreateTempSubdirectory("bpfsharp-loader-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Compile(string source, string name)
    {
        RunningKernel.RequireBpf();
        Skip.If(Tools.Find("clang") is null, "kernel test skipped: clang is needed (apt-get install clang)");
        return Tools.CompileCSharp(source, _directory, name);
    }

    [SkippableFact]
    public void An_object_loads_its_programs_run_and_its_maps_read_back()
    {
        using var loaded = BpfObject.Load(Compile(Contract, "contract"));
        Assert.Equal(new[] { "Account", "Filter" }, loaded.Programs.Keys.Order());
        Assert.Equal(new[] { "Lengths", "PerProtocol", "Stats" }, loaded.Maps.Keys.Order());
        Assert.Equal(BpfProgramType.Xdp, loaded.Program("Filter").Type);
        Assert.Equal(BpfProgramType.SchedCls, loaded.Program("Account").Type);
        Assert.Equal(BpfMapType.Queue, loaded.Map("Lengths").Type);

        byte[] udpToDiscard = PackagedKernelTests.Frame(protocol: 17, ports: [0x12, 0x34, 0x00, 0x09], payload: [1, 2, 3, 4]);
        var run = loaded.Program("Filter").TestRun(udpToDiscard, repeat: 3);
        Assert.Equal(BpfReturnCodes.XDP_DROP, run.ReturnValue); // the constants compare as they are
        Assert.Equal(udpToDiscard, run.Data);

        var value = new byte[8];
        Assert.True(loaded.Map("PerProtocol").TryLookup(BitConverter.GetBytes(17u), value));
        Assert.Equal(3ul, BitConverter.ToUInt64(value)); // three runs, three UDP packets
        Assert.False(loaded.Map("PerProtocol").TryLookup(BitConverter.GetBytes(6u), value));
        Assert.True(loaded.Map("Stats").TryLookup(BitConverter.GetBytes(0u), value));
        Assert.Equal(10ul, BitConverter.ToUInt64(value)); // 1 + 2 + 3 + 4: the payload summed by the program

        var error = Assert.Throws<ArgumentException>(() => loaded.Map("PerProtocol").TryLookup(BitConverter.GetBytes(17ul), value));
        Assert.Contains("8-byte key", error.Message);
        Assert.Contains("4-byte keys", error.Message);
    }

    [SkippableFact]
    public void Global_data_is_set_and_read_only_data_frozen()
    {
        using var loaded = BpfObject.Load(Compile(CompiledProgramTests.WithGlobals, "globals"));
        Assert.Equal(103, loaded.Program("Filter").TestRun(new byte[64], repeat: 3).ReturnValue);
        var rodata = loaded.Maps.Values.Single(m => m.Name.EndsWith(".rodata", StringComparison.Ordinal));
        var written = Assert.Throws<BpfException>(() => rodata.Update(new byte[4], new byte[rodata.ValueSize]));
        Assert.Equal(1, written.Errno); // EPERM: frozen
    }

    [SkippableFact]
    public void A_refused_program_names_the_verifiers_complaint_and_the_csharp_line()
    {
        const string BoundsCheck = "if (data + sizeof(Headers) > end)\n        {\n            return XDP_ABORTED;\n        }\n";
        var source = Contract.Replace(BoundsCheck, string.Empty);
        var path = Compile(source, "unchecked");
        var refusal = Assert.Throws<BpfVerifierException>(() => BpfObject.Load(path));
        output.WriteLine(refusal.Message);
        var line = source.Split('\n').Select((text, index) => (text, index)).First(l => l.text.Contains("headers->EtherType != 0x0008")).index + 1;
        Assert.Equal("Filter", refusal.Program);
        Assert.Equal("Source0.cs", refusal.SourceFile);
        Assert.Equal(line, refusal.SourceLine);
        Assert.StartsWith($"Source0.cs({line}): the verifier refused program 'Filter': invalid access to packet", refusal.Message);
        Assert.Contains("processed", refusal.Log);

        // The refused load closed its maps once: the descriptor numbers the next load reuses stay that load's, also after
        // the garbage collector has run the finalizers of everything the refused load made.
        var intact = Compile(Contract, "contract");
        Assert.Throws<BpfVerifierException>(() => BpfObject.Load(path));
        using var next = BpfObject.Load(intact);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Assert.All(next.Maps.Values, map => Assert.True(BpfSharp.Loader.Native.KernelObjects.MapInfo(map.Fd, out _) is not null, $"map '{map.Name}' lost its descriptor {map.Fd}"));
        next.Map<uint, ulong>("PerProtocol").Update(6, 1);
        Assert.Equal(1ul, next.Map<uint, ulong>("PerProtocol").Lookup(6));
    }

    [SkippableFact]
    public void Truncated_and_corrupt_objects_are_refused_with_a_clear_error_and_no_descriptor_leaks()
    {
        var bytes = File.ReadAllBytes(Compile(Contract, "contract"));
        var before = OpenDescriptors();
        using (BpfObject.Load("intact.bpf.o", bytes))
        {
            Assert.Equal(before + 6, OpenDescriptors()); // BTF, three maps, two programs: the count sees them
        }

        var random = new Random(14);
        var outcomes = new Dictionary<string, int>();
        for (var i = 0; i < 300; i++)
        {
            var mutated = i < 100 ? bytes[..random.Next(bytes.Length)] : bytes.ToArray();
            if (i >= 100)
            {
                for (var flips = random.Next(1, 8); flips > 0; flips--)
                {
                    mutated[random.Next(mutated.Length)] = (byte)random.Next(256);
                }
            }

            try
            {
                using var loaded = BpfObject.Load("mutated.bpf.o", mutated);
                outcomes["loaded"] = outcomes.GetValueOrDefault("loaded") + 1;
            }
            catch (BpfException e)
            {
                Assert.False(string.IsNullOrWhiteSpace(e.Message));
                outcomes[e.GetType().Name] = outcomes.GetValueOrDefault(e.GetType().Name) + 1;
            }
        }

        output.WriteLine(string.Join(", ", outcomes.Select(o => $"{o.Key}: {o.Value}")));
        Assert.True(outcomes.GetValueOrDefault(nameof(BpfObjectFormatException)) >= 100, "every truncation must be a format error");
        Assert.Equal(before, OpenDescriptors());
    }

    // Three corruptions a held-out fuzzer found: each threw ArgumentOutOfRangeException or loaded without its programs.
    [SkippableTheory]
    [InlineData("relocation symbol index with the high bit set", "beyond the")]
    [InlineData("BTF.ext header length 0xFFFFFFF0", "header claims")]
    [InlineData("program section cut to size 0", "outside the 0 bytes")]
    public void Tables_that_point_outside_the_object_are_format_errors_never_crashes_or_silent_loss(string corruption, string expected)
    {
        var bytes = File.ReadAllBytes(Compile(Contract, "contract"));
        var sections = ElfSections(bytes);
        var program = sections.First(s => s.Type == 1 && s.Name is not ".text" && (BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(s.Header + 8)) & 4) != 0 && s.Size > 0);
        switch (corruption)
        {
            case "relocation symbol index with the high bit set":
                var relocations = sections.First(s => s.Type == 9 && s.Info == program.Index);
                BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(relocations.Offset + 12), 0x80000000);
                break;
            case "BTF.ext header length 0xFFFFFFF0":
                BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(sections.Single(s => s.Name == ".BTF.ext").Offset + 4), 0xFFFFFFF0);
                break;
            default:
                BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(program.Header + 0x20), 0);
                break;
        }

        var refused = Assert.Throws<BpfObjectFormatException>(() => BpfObject.Load("corrupt.bpf.o", bytes));
        output.WriteLine(refused.Message);
        Assert.Contains(expected, refused.Message);
    }

    private sealed record ElfSectionHeader(int Index, string Name, uint Type, int Header, int Offset, int Size, uint Info);

    // The section headers of a 64-bit little-endian ELF file, as the test needs them to corrupt one.
    private static List<ElfSectionHeader> ElfSections(byte[] elf)
    {
        var table = (int)BinaryPrimitives.ReadUInt64LittleEndian(elf.AsSpan(0x28));
        var entrySize = BinaryPrimitives.ReadUInt16LittleEndian(elf.AsSpan(0x3A));
        var count = BinaryPrimitives.ReadUInt16LittleEndian(elf.AsSpan(0x3C));
        var names = table + (BinaryPrimitives.ReadUInt16LittleEndian(elf.AsSpan(0x3E)) * entrySize);
        var namesOffset = (int)BinaryPrimitives.ReadUInt64LittleEndian(elf.AsSpan(names + 0x18));
        return Enumerable.Range(0, count).Select(i =>
        {
            var header = table + (i * entrySize);
            var nameAt = namesOffset + (int)BinaryPrimitives.ReadUInt32LittleEndian(elf.AsSpan(header));
            var name = System.Text.Encoding.ASCII.GetString(elf, nameAt, Array.IndexOf(elf, (byte)0, nameAt) - nameAt);
            return new ElfSectionHeader(i, name, BinaryPrimitives.ReadUInt32LittleEndian(elf.AsSpan(header + 4)), header,
                (int)BinaryPrimitives.ReadUInt64LittleEndian(elf.AsSpan(header + 0x18)), (int)BinaryPrimitives.ReadUInt64LittleEndian(elf.AsSpan(header + 0x20)),
                BinaryPrimitives.ReadUInt32LittleEndian(elf.AsSpan(header + 0x2C)));
        }).ToList();
    }

    [SkippableFact]
    public void An_attached_xdp_program_counts_real_loopback_packets_read_through_the_typed_view()
    {
        var sample = File.ReadAllText(Path.Combine(RepoPaths.Root, "samples", "HelloXdp", "PacketCounter.cs"));
        using var loaded = BpfObject.Load(Compile(sample, "sample"));
        var protocols = loaded.Map<uint, ulong>("Protocols");
        using var udp = new System.Net.Sockets.UdpClient();
        ulong Udp() => protocols.TryLookup(17, out var count) ? count : 0;

        using (var link = loaded.Program("CountPackets").AttachXdp("lo"))
        {
            Assert.Equal("CountPackets on lo (XDP, generic mode)", link.Description);
            for (var i = 0; i < 20; i++)
            {
                udp.Send(new byte[8], 8, "127.0.0.1", 9);
            }

            var deadline = DateTime.UtcNow.AddSeconds(5);
            while (Udp() < 20 && DateTime.UtcNow < deadline)
            {
                System.Threading.Thread.Sleep(10);
            }

            Assert.True(Udp() >= 20, $"the program counted {Udp()} UDP packets of the 20 sent over lo");
            Assert.Contains(new KeyValuePair<uint, ulong>(17, Udp()), protocols.Entries);
        }

        // Detached: what is sent now passes uncounted.
        var counted = Udp();
        for (var i = 0; i < 10; i++)
        {
            udp.Send(new byte[8], 8, "127.0.0.1", 9);
        }

        System.Threading.Thread.Sleep(100);
        Assert.Equal(counted, Udp());
    }

    [SkippableFact]
    public void Typed_views_write_read_walk_and_delete_and_refuse_the_wrong_types()
    {
        using var loaded = BpfObject.Load(Compile(Contract, "contract"));
        var perProtocol = loaded.Map<uint, ulong>("PerProtocol");
        perProtocol.Update(6, 60);
        perProtocol.Update(17, 170, flags: 1); // BPF_NOEXIST
        Assert.Equal(17, Assert.Throws<BpfException>(() => perProtocol.Update(17, 1, flags: 1)).Errno); // EEXIST
        Assert.Equal(60ul, perProtocol.Lookup(6));
        Assert.Equal(new uint[] { 6, 17 }, perProtocol.Keys.Order());
        Assert.True(perProtocol.Delete(6));
        Assert.False(perProtocol.Delete(6));
        Assert.Throws<KeyNotFoundException>(() => perProtocol.Lookup(6));

        var lengths = loaded.Queue<uint>("Lengths");
        lengths.Push(1);
        lengths.Push(2);
        Assert.True(lengths.TryPeek(out var first) && first == 1);
        Assert.True(lengths.TryPop(out first) && first == 1);
        Assert.True(lengths.TryPop(out var second) && second == 2);
        Assert.False(lengths.TryPop(out _));

        var wrong = Assert.Throws<BpfException>(() => loaded.Map<ulong, ulong>("PerProtocol"));
        Assert.Contains("4-byte keys", wrong.Message);
        Assert.Throws<KeyNotFoundException>(() => loaded.Map<uint, ulong>("Nope"));
        loaded.Dispose();
        Assert.Throws<ObjectDisposedException>(() => perProtocol.Lookup(17));
    }

    [SkippableFact]
    public async System.Threading.Tasks.Task A_ring_buffer_delivers_every_record_in_order()
    {
        const string Events = """
            using BpfSharp;
            [assembly: BpfLicense("GPL")]
            public static unsafe class Events
            {
                static readonly RingBufMap Ring = new(maxEntries: 16384);
                static ulong Sequence;

                [BpfProgram("xdp")]
                public static int Emit(void* ctx)
                {
                    Sequence = Sequence + 1;
                    ulong n = Sequence;
                    BpfHelpers.RingbufOutput(Ring, &n, 8, 0);
                    return 2;
                }
            }
            """;
        using var loaded = BpfObject.Load(Compile(Events, "events"));
        using var ring = loaded.RingBuffer("Ring");
        loaded.Program("Emit").TestRun(new byte[64], repeat: 1000);
        var received = new List<ulong>();
        Assert.Equal(1000, ring.Drain(record => received.Add(BitConverter.ToUInt64(record))));
        Assert.Equal(Enumerable.Range(1, 1000).Select(i => (ulong)i), received);
        Assert.Equal(0, ring.Poll(_ => { }, TimeSpan.FromMilliseconds(20))); // nothing more

        // Asynchronously, while the program keeps producing.
        using var cancellation = new System.Threading.CancellationTokenSource(TimeSpan.FromSeconds(10));
        var reading = ReadAsync(ring, 10, cancellation.Token);
        loaded.Program("Emit").TestRun(new byte[64], repeat: 10);
        Assert.Equal(Enumerable.Range(1001, 10).Select(i => (ulong)i), await reading);
    }

    [SkippableFact]
    public async System.Threading.Tasks.Task A_ring_buffer_of_one_struct_hands_over_typed_records()
    {
        const string Events = """
            using BpfSharp;
            [assembly: BpfLicense("GPL")]
            public struct Event { public ulong Sequence; public uint Size; public uint Twice; }
            public static unsafe class Typed
            {
                static readonly RingBufMap Records = new(maxEntries: 16384);
                static ulong Sequence;

                [BpfProgram("xdp")]
                public static int Emit(XdpMd* ctx)
                {
                    Sequence = Sequence + 1;
                    Event e = new Event { Sequence = Sequence, Size = ctx->DataEnd - ctx->Data, Twice = (uint)Sequence * 2 };
                    BpfHelpers.RingbufOutput(Records, &e, (ulong)sizeof(Event), 0);
                    ulong odd = 7;
                    if (Sequence == 5) BpfHelpers.RingbufOutput(Records, &odd, 8, 0);
                    return 2;
                }
            }
            """;
        using var loaded = BpfObject.Load(Compile(Events, "typed"));
        using var ring = loaded.RingBuffer<TypedEvent>("Records");
        loaded.Program("Emit").TestRun(new byte[64], repeat: 3);
        var received = new List<TypedEvent>();
        Assert.Equal(3, ring.Drain(received.Add));
        Assert.Equal([new TypedEvent(1, 64, 2), new TypedEvent(2, 64, 4), new TypedEvent(3, 64, 6)], received);

        using var cancellation = new System.Threading.CancellationTokenSource(TimeSpan.FromSeconds(10));
        var reading = ReadTypedAsync(ring, 1, cancellation.Token);
        loaded.Program("Emit").TestRun(new byte[80]);
        Assert.Equal([new TypedEvent(4, 80, 8)], await reading);

        // The fifth run also writes an 8-byte record: said, with both sizes, not read from half a record.
        loaded.Program("Emit").TestRun(new byte[64]);
        var error = Assert.Throws<BpfException>(() => ring.Drain(_ => { }));
        Assert.Contains("ring buffer 'Records' holds a record of 8 bytes; TypedEvent is 16 bytes", error.Message);
    }

    private readonly record struct TypedEvent(ulong Sequence, uint Size, uint Twice);

    private static async System.Threading.Tasks.Task<List<TypedEvent>> ReadTypedAsync(BpfRingBuffer<TypedEvent> ring, int count, System.Threading.CancellationToken cancellationToken)
    {
        var values = new List<TypedEvent>();
        await foreach (var record in ring.ReadAllAsync(cancellationToken))
        {
            values.Add(record);
            if (values.Count == count)
            {
                break;
            }
        }

        return values;
    }

    private static async System.Threading.Tasks.Task<List<ulong>> ReadAsync(BpfRingBuffer ring, int count, System.Threading.CancellationToken cancellationToken)
    {
        var values = new List<ulong>();
        await foreach (var record in ring.ReadAllAsync(cancellationToken))
        {
            values.Add(BitConverter.ToUInt64(record));
            if (values.Count == count)
            {
                break;
            }
        }

        return values;
    }

    [SkippableFact]
    public void Per_cpu_maps_give_one_value_per_possible_cpu()
    {
        const string PerCpu = """
            using BpfSharp;
            [assembly: BpfLicense("GPL")]
            public static unsafe class PerCpu
            {
                static readonly PercpuArrayMap<ulong> Hits = new(maxEntries: 1);

                [BpfProgram("xdp")]
                public static int Hit(void* ctx)
                {
                    uint key = 0;
                    ulong* hits = (ulong*)BpfHelpers.MapLookupElem(Hits, &key);
                    if (hits != null)
                    {
                        *hits += 1;
                    }

                    return 2;
                }
            }
            """;
        using var loaded = BpfObject.Load(Compile(PerCpu, "percpu"));
        loaded.Program("Hit").TestRun(new byte[64], repeat: 50);
        var hits = loaded.PerCpuMap<uint, ulong>("Hits");
        var values = hits.Lookup(0);
        Assert.Equal(hits.CpuCount, values.Length);
        Assert.Equal(50ul, values.Aggregate(0ul, (sum, v) => sum + v)); // on whichever CPUs the runs happened

        var written = Enumerable.Range(1, hits.CpuCount).Select(i => (ulong)i * 10).ToArray();
        hits.Update(0, written);
        Assert.Equal(written, hits.Lookup(0));
        Assert.Throws<ArgumentException>(() => hits.Update(0, new ulong[hits.CpuCount + 1]));
        Assert.Throws<BpfException>(() => loaded.PerCpuMap<uint, uint>("Hits"));
    }

    [SkippableFact]
    public void A_socket_filter_drops_what_reaches_its_socket_until_detached()
    {
        const string DropAll = """
            using BpfSharp;
            [assembly: BpfLicense("GPL")]
            public static unsafe class Filters
            {
                [BpfProgram("socket")]
                public static int DropAll(SkBuff* skb) => 0;
            }
            """;
        using var loaded = BpfObject.Load(Compile(DropAll, "dropall"));
        using var receiver = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Udp) { ReceiveTimeout = 300 };
        receiver.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        using var sender = new System.Net.Sockets.UdpClient();
        var buffer = new byte[64];

        using (var link = loaded.Program("DropAll").AttachSocket(receiver))
        {
            Assert.True(link.IsAttached);
            sender.Send(new byte[] { 1, 2, 3 }, 3, (System.Net.IPEndPoint)receiver.LocalEndPoint!);
            Assert.Throws<System.Net.Sockets.SocketException>(() => receiver.Receive(buffer)); // dropped by the filter: the receive times out
        }

        sender.Send(new byte[] { 4, 5, 6 }, 3, (System.Net.IPEndPoint)receiver.LocalEndPoint!);
        Assert.Equal(3, receiver.Receive(buffer));
        Assert.Equal(4, buffer[0]);
        Assert.Throws<InvalidOperationException>(() => loaded.Program("DropAll").AttachXdp("lo"));
    }

    [SkippableFact]
    public void Threads_sharing_one_map_read_and_write_consistently_and_a_dispose_among_them_fails_only_cleanly()
    {
        var path = Compile(Contract, "contract");
        var before = OpenDescriptors();
        const int Threads = 8;
        const int Rounds = 3000;
        using (var loaded = BpfObject.Load(path))
        {
            var perProtocol = loaded.Map<uint, ulong>("PerProtocol");
            // Each thread owns one key, written and read back while the others do the same and walk the keys.
            var mismatches = 0;
            System.Threading.Tasks.Parallel.For(0, Threads, new System.Threading.Tasks.ParallelOptions { MaxDegreeOfParallelism = Threads }, thread =>
            {
                var key = (uint)(100 + thread);
                for (var round = 0; round < Rounds; round++)
                {
                    perProtocol.Update(key, ((ulong)thread << 32) | (uint)round);
                    if (perProtocol.Lookup(key) != (((ulong)thread << 32) | (uint)round) || !perProtocol.Keys.Contains(key))
                    {
                        System.Threading.Interlocked.Increment(ref mismatches);
                    }
                }
            });
            Assert.Equal(0, mismatches);
            Assert.Equal(Enumerable.Range(100, Threads).Select(k => (uint)k), perProtocol.Keys.Order());
        }

        // Disposed while eight threads use its map and program: each call either works or says the object is disposed.
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var loaded = BpfObject.Load(path);
            var perProtocol = loaded.Map<uint, ulong>("PerProtocol");
            var filter = loaded.Program("Filter");
            var frame = PackagedKernelTests.Frame(protocol: 17, ports: [0x12, 0x34, 0x00, 0x09], payload: [1]);
            var unexpected = new System.Collections.Concurrent.ConcurrentBag<Exception>();
            var disposedSeen = 0;
            using var start = new System.Threading.Barrier(Threads + 1);
            var workers = Enumerable.Range(0, Threads).Select(thread => new System.Threading.Thread(() =>
            {
                start.SignalAndWait();
                for (var round = 0; round < 2000; round++)
                {
                    try
                    {
                        perProtocol.Update((uint)thread, (ulong)round);
                        perProtocol.TryLookup((uint)thread, out _);
                        filter.TestRun(frame);
                    }
                    catch (ObjectDisposedException)
                    {
                        System.Threading.Interlocked.Increment(ref disposedSeen);
                        return;
                    }
                    catch (Exception e)
                    {
                        unexpected.Add(e);
                        return;
                    }
                }
            })).ToList();
            workers.ForEach(worker => worker.Start());
            start.SignalAndWait();
            System.Threading.Thread.Sleep(attempt % 5);
            loaded.Dispose();
            workers.ForEach(worker => worker.Join());
            Assert.Empty(unexpected);
            Assert.Throws<ObjectDisposedException>(() => perProtocol.Lookup(0));
        }

        Assert.Equal(before, OpenDescriptors());
    }

    // The process's BPF descriptors (maps, programs, BTF, links).
    private static int OpenDescriptors() => DescriptorCounting.Open("bpf", "btf");
}

[CollectionDefinition(nameof(DescriptorCounting), DisableParallelization = true)]
public sealed class DescriptorCounting
{
    /// <summary>The process's open descriptors whose target names one of <paramref name="kinds"/> ("bpf", "perf_event", a path); all of them without.</summary>
    public static int Open(params string[] kinds) =>
        new DirectoryInfo("/proc/self/fd").GetFiles().Count(f => kinds.Length == 0 || f.LinkTarget is string target && kinds.Any(kind => target.Contains(kind, StringComparison.Ordinal)));
}
