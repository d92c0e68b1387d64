using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Xunit;

namespace BpfSharp.Tests.Kernel;

/// <summary>Batch reads (BPF_MAP_LOOKUP_BATCH, BPF_MAP_LOOKUP_AND_DELETE_BATCH) through the map views, on the running kernel.</summary>
[Collection(nameof(DescriptorCounting))]
public sealed class BatchReadTests : IDisposable
{
    private const string Maps = """
        using BpfSharp;
        [assembly: BpfLicense("GPL")]
        public struct Prefix { public uint Length; public uint Address; }
        public static unsafe class BatchMaps
        {
            public static readonly HashMap<uint, ulong> Hash = new(4096);
            public static readonly HashMap<uint, ulong> Empty = new(64);
            public static readonly LruHashMap<uint, ulong> Lru = new(1024);
            public static readonly ArrayMap<ulong> Array = new(64);
            public static readonly PercpuHashMap<uint, ulong> PerCpu = new(256);
            public static readonly PercpuHashMap<uint, uint> PerCpuNarrow = new(64);
            public static readonly PercpuArrayMap<ulong> PerCpuArray = new(8);
            public static readonly LpmTrieMap<Prefix, ulong> Routes = new(16, flags: 1);
            public static readonly DevMap Devices = new(4);
            public static readonly DevmapHashMap DevicesByKey = new(8);

            [BpfProgram("xdp")]
            public static int P(void* ctx) => 2;
        }
        """;

    private readonly string _directory = Directory.CreateTempSubdirectory("bpfsharp-batch-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private BpfObject Load()
    {
        RunningKernel.RequireBpf();
        Skip.If(Tools.Find("clang") is null, "kernel test skipped: clang is needed (apt-get install clang)");
        return BpfObject.Load(Tools.CompileCSharp(Maps, _directory, "batch"));
    }

    [SkippableFact]
    public void A_hash_map_reads_back_whole_in_batches_of_any_size()
    {
        using var loaded = Load();
        var hash = loaded.Map<uint, ulong>("Hash");
        var written = Enumerable.Range(0, 3000).ToDictionary(i => unchecked((uint)i * 2_654_435_761u), i => ((ulong)i << 32) | 7);
        foreach (var (key, value) in written)
        {
            hash.Update(key, value);
        }

        // Calls per read: a hash batch stops at a bucket boundary, so it may carry a few entries less than asked; a batch
        // of one takes one bucket a call (a bucket of n costs log2(n) calls more: ENOSPC, then a batch twice as large).
        foreach (var (batchSize, fewestCalls, mostCalls) in new[] { (1, 1000, 3000 * 2), (7, 3000 / 7, 3000 / 4), (256, 3000 / 256, 3000 / 200), (10_000, 1, 1) })
        {
            var before = hash.Map.BatchCalls;
            var read = hash.ReadAll(batchSize);
            Assert.Equal(3000, read.Count); // no entry twice
            Assert.Equal(written, read.ToDictionary(e => e.Key, e => e.Value));
            Assert.InRange(hash.Map.BatchCalls - before, fewestCalls, mostCalls);
        }

        Assert.Equal(hash.Entries.ToDictionary(e => e.Key, e => e.Value), hash.ReadAll().ToDictionary(e => e.Key, e => e.Value));
        Assert.Throws<ArgumentOutOfRangeException>(() => hash.ReadAll(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => hash.ReadAll(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => hash.TakeAll(0));

        // The reads above went through the batch command (no fallback), and a batch of one met a bucket of two or more
        // (3,000 keys in 4,096 buckets), which the kernel refuses with ENOSPC and ReadAll(1) must have grown past.
        var map = loaded.Map("Hash");
        var (keys, values, next) = (new byte[4], new byte[8], new byte[4]);
        byte[]? position = null;
        var outcomes = new List<BpfLoadedMap.BatchOutcome>();
        for (var calls = 0; calls < 10_000; calls++)
        {
            var count = 1;
            var outcome = map.LookupBatchRaw(delete: false, position, next, keys, values, ref count, out _);
            outcomes.Add(outcome);
            if (outcome is not BpfLoadedMap.BatchOutcome.More)
            {
                break;
            }

            position ??= new byte[4];
            (position, next) = (next, position);
        }

        Assert.DoesNotContain(BpfLoadedMap.BatchOutcome.NotSupported, outcomes);
        Assert.Equal(BpfLoadedMap.BatchOutcome.TooSmall, outcomes[^1]);
    }

    [SkippableFact]
    public void An_array_reads_every_index_and_refuses_to_be_taken()
    {
        using var loaded = Load();
        var array = loaded.Map<uint, ulong>("Array");
        for (var i = 0u; i < 64; i++)
        {
            array.Update(i, (i * i) + 5);
        }

        var read = array.ReadAll(batchSize: 10);
        Assert.Equal(Enumerable.Range(0, 64).Select(i => (uint)i), read.Select(e => e.Key)); // every index, in order
        Assert.All(read, e => Assert.Equal((e.Key * e.Key) + 5, e.Value));

        var refused = Assert.Throws<NotSupportedException>(() => array.TakeAll());
        Assert.Contains("'Array'", refused.Message);
        Assert.Contains("cannot be deleted", refused.Message);
        Assert.Equal(69ul, array.Lookup(8)); // untouched
    }

    [SkippableFact]
    public void Taking_a_hash_map_returns_every_entry_and_leaves_it_empty()
    {
        using var loaded = Load();
        foreach (var name in new[] { "Hash", "Lru" })
        {
            var hash = loaded.Map<uint, ulong>(name);
            var written = Enumerable.Range(1, 700).ToDictionary(i => (uint)i, i => (ulong)i * 1000);
            foreach (var (key, value) in written)
            {
                hash.Update(key, value);
            }

            var taken = hash.TakeAll(batchSize: 64);
            Assert.Equal(700, taken.Count);
            Assert.Equal(written, taken.ToDictionary(e => e.Key, e => e.Value));
            Assert.Empty(hash.Keys);
            Assert.Empty(hash.ReadAll());
            Assert.Empty(hash.TakeAll()); // taking an empty map is no error
        }
    }

    [SkippableFact]
    public void A_per_cpu_map_reads_one_value_per_possible_cpu_for_each_key()
    {
        using var loaded = Load();
        var perCpu = loaded.PerCpuMap<uint, ulong>("PerCpu");
        var cpus = perCpu.CpuCount;
        var written = Enumerable.Range(0, 200).ToDictionary(i => (uint)i + 10, i => Enumerable.Range(0, cpus).Select(cpu => ((ulong)i * 100) + (ulong)cpu + 1).ToArray());
        foreach (var (key, values) in written)
        {
            perCpu.Update(key, values);
        }

        foreach (var batchSize in new[] { 1, 16, 256 })
        {
            var read = perCpu.ReadAll(batchSize);
            Assert.Equal(200, read.Count);
            Assert.All(read, e => Assert.Equal(written[e.Key], e.Value));
        }

        // Values narrower than 8 bytes: each CPU's is padded to 8, which the view must step over.
        var narrow = loaded.PerCpuMap<uint, uint>("PerCpuNarrow");
        for (var key = 0u; key < 50; key++)
        {
            narrow.Update(key, Enumerable.Range(0, cpus).Select(cpu => (key << 8) | (uint)cpu).ToArray());
        }

        var narrowRead = narrow.ReadAll(batchSize: 7);
        Assert.Equal(50, narrowRead.Count);
        Assert.All(narrowRead, e => Assert.Equal(Enumerable.Range(0, cpus).Select(cpu => (e.Key << 8) | (uint)cpu), e.Value));

        var array = loaded.PerCpuMap<uint, ulong>("PerCpuArray");
        array.Update(3, Enumerable.Range(0, cpus).Select(cpu => (ulong)cpu + 30).ToArray());
        var arrayRead = array.ReadAll(batchSize: 3);
        Assert.Equal(Enumerable.Range(0, 8).Select(i => (uint)i), arrayRead.Select(e => e.Key));
        Assert.Equal(Enumerable.Range(0, cpus).Select(cpu => (ulong)cpu + 30), arrayRead[3].Value);
        Assert.All(arrayRead.Where(e => e.Key != 3), e => Assert.All(e.Value, v => Assert.Equal(0ul, v)));

        // A plain view of a per-CPU map would let the kernel write every CPU's value over one TValue.
        Assert.Contains("PerCpuMap", Assert.Throws<BpfException>(() => loaded.Map<uint, ulong>("PerCpu")).Message);
        Assert.Contains("one per possible CPU", Assert.Throws<ArgumentException>(() => loaded.Map("PerCpu").TryLookup(BitConverter.GetBytes(10u), new byte[8])).Message);
        var raw = new byte[8 * cpus];
        Assert.True(loaded.Map("PerCpu").TryLookup(BitConverter.GetBytes(10u), raw));
        Assert.Equal(written[10], Enumerable.Range(0, cpus).Select(cpu => BitConverter.ToUInt64(raw, cpu * 8)));
    }

    [SkippableFact]
    public void Map_types_without_batch_commands_are_read_through_the_key_walk()
    {
        using var loaded = Load();
        var loopback = uint.Parse(File.ReadAllText("/sys/class/net/lo/ifindex").Trim(), System.Globalization.CultureInfo.InvariantCulture);
        var byKey = loaded.Map<uint, uint>("DevicesByKey");
        var slots = loaded.Map<uint, uint>("Devices");
        foreach (var key in new uint[] { 3, 5, 40 })
        {
            byKey.Update(key, loopback);
        }

        slots.Update(1, loopback);
        slots.Update(2, loopback);

        foreach (var name in new[] { "Devices", "DevicesByKey" })
        {
            // This kernel has no batch command for device maps: ENOTSUPP (524), so the result below is the fallback's.
            var count = 4;
            Assert.Equal(BpfLoadedMap.BatchOutcome.NotSupported, loaded.Map(name).LookupBatchRaw(false, null, new byte[4], new byte[16], new byte[16], ref count, out var errno));
            Assert.Equal(524, errno);
        }

        Assert.Equal(new Dictionary<uint, uint> { [3] = loopback, [5] = loopback, [40] = loopback }, byKey.ReadAll().ToDictionary(e => e.Key, e => e.Value));
        Assert.Equal(new Dictionary<uint, uint> { [1] = loopback, [2] = loopback }, slots.ReadAll(batchSize: 1).ToDictionary(e => e.Key, e => e.Value));

        var refused = Assert.Throws<NotSupportedException>(() => byKey.TakeAll());
        Assert.Contains("'DevicesByKey'", refused.Message);
        Assert.Equal(524, Assert.IsType<BpfException>(refused.InnerException).Errno);
        Assert.Equal(3, byKey.Keys.Count()); // nothing taken

        // An LPM trie reads whole (by batch where the kernel has it, 6.x does); it has no lookup-and-delete batch.
        var routes = loaded.Map<Prefix, ulong>("Routes");
        routes.Update(new Prefix(8, 10), 8);
        routes.Update(new Prefix(16, 10 | 1 << 8), 16);
        routes.Update(new Prefix(24, 192 | 168 << 8), 24);
        Assert.Equal(
            new Dictionary<Prefix, ulong> { [new Prefix(8, 10)] = 8, [new Prefix(16, 10 | 1 << 8)] = 16, [new Prefix(24, 192 | 168 << 8)] = 24 },
            routes.ReadAll(batchSize: 2).ToDictionary(e => e.Key, e => e.Value));
        Assert.Throws<NotSupportedException>(() => routes.TakeAll());
        Assert.Equal(3, routes.ReadAll().Count);
    }

    [SkippableFact]
    public void An_empty_map_reads_as_an_empty_list()
    {
        using var loaded = Load();
        var empty = loaded.Map<uint, ulong>("Empty");
        Assert.Empty(empty.ReadAll());
        Assert.Empty(empty.ReadAll(batchSize: 1));
        Assert.Empty(empty.TakeAll());
        Assert.Empty(loaded.PerCpuMap<uint, ulong>("PerCpu").ReadAll());

        empty.Update(9, 99); // and the same map, once written, is read (the empty answer was not a failure to read)
        Assert.Equal(new[] { KeyValuePair.Create(9u, 99ul) }, empty.ReadAll());
    }
}
