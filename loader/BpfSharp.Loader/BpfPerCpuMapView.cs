using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using BpfSharp.Loader.Native;

namespace BpfSharp
{
    /// <summary>
    /// A per-CPU map (<c>PERCPU_HASH</c>, <c>PERCPU_ARRAY</c>, <c>LRU_PERCPU_HASH</c>) through its C# types: every key has
    /// one value per possible CPU, which user space reads and writes all at once (the kernel pads each to 8 bytes).
    /// </summary>
    public sealed class BpfPerCpuMapView<TKey, TValue>
        where TKey : unmanaged
        where TValue : unmanaged
    {
        private readonly int _stride;

        /// <summary>A view of a loaded map: one of an object, or one opened from its pin (<see cref="BpfLoadedMap.OpenPinned"/>); its type and sizes are checked now.</summary>
        public BpfPerCpuMapView(BpfLoadedMap map)
        {
            ArgumentNullException.ThrowIfNull(map);
            if (!map.IsPerCpu)
            {
                throw new BpfException($"map '{map.Name}' is {map.Type}, not a per-CPU map");
            }

            MapKinds.RequireKey<TKey>(map);
            MapKinds.RequireValue<TValue>(map);
            Map = map;
            _stride = (Unsafe.SizeOf<TValue>() + 7) & ~7;
        }

        public BpfLoadedMap Map { get; }

        /// <summary>The number of possible CPUs: the length of every value array.</summary>
        public int CpuCount => CpuList.PossibleCount;

        /// <summary>The key's value on each possible CPU; false when the key has no entry.</summary>
        public bool TryLookup(TKey key, out TValue[] values)
        {
            var buffer = new byte[_stride * CpuCount];
            if (!Map.TryLookupRaw(MemoryMarshal.AsBytes(MemoryMarshal.CreateReadOnlySpan(ref key, 1)), buffer))
            {
                values = Array.Empty<TValue>();
                return false;
            }

            values = Values(buffer);
            return true;
        }

        /// <summary>The key's value on each possible CPU, or <see cref="KeyNotFoundException"/>.</summary>
        public TValue[] Lookup(TKey key) => TryLookup(key, out var values) ? values : throw new KeyNotFoundException($"map '{Map.Name}' has no entry for key {key}");

        /// <summary>Writes one value per possible CPU (exactly <see cref="CpuCount"/> of them).</summary>
        public void Update(TKey key, IReadOnlyList<TValue> values, ulong flags = 0)
        {
            if (values.Count != CpuCount)
            {
                throw new ArgumentException($"map '{Map.Name}' is per-CPU: give one value for each of the {CpuCount} possible CPUs, not {values.Count}", nameof(values));
            }

            var buffer = new byte[_stride * CpuCount];
            for (var cpu = 0; cpu < CpuCount; cpu++)
            {
                var value = values[cpu];
                MemoryMarshal.Write(buffer.AsSpan(cpu * _stride), in value);
            }

            Map.UpdateRaw(MemoryMarshal.AsBytes(MemoryMarshal.CreateReadOnlySpan(ref key, 1)), buffer, flags);
        }

        /// <summary>
        /// Every key with its value on each possible CPU, read with BPF_MAP_LOOKUP_BATCH: one <c>bpf(2)</c> call per
        /// <paramref name="batchSize"/> entries (fewer per call for a hash map's buckets; a bucket larger than the batch
        /// doubles it), against two per key for a key walk. Without the batch command (before Linux 5.6) the key walk is used,
        /// so the caller always gets the entries.
        /// </summary>
        /// <param name="batchSize">Entries per system call, at least 1 (capped at the map's maximum).</param>
        public IReadOnlyList<KeyValuePair<TKey, TValue[]>> ReadAll(int batchSize = 256)
        {
            var entries = new List<KeyValuePair<TKey, TValue[]>>();
            if (Map.ReadBatches(delete: false, batchSize, (key, value) => entries.Add(new KeyValuePair<TKey, TValue[]>(MemoryMarshal.Read<TKey>(key), Values(value))), out _))
            {
                return entries;
            }

            foreach (var key in Map.Keys<TKey>())
            {
                if (TryLookup(key, out var values))
                {
                    entries.Add(new KeyValuePair<TKey, TValue[]>(key, values));
                }
            }

            return entries;
        }

        // One padded value per possible CPU, as the kernel lays them out.
        private TValue[] Values(ReadOnlySpan<byte> buffer)
        {
            var values = new TValue[CpuCount];
            for (var cpu = 0; cpu < values.Length; cpu++)
            {
                values[cpu] = MemoryMarshal.Read<TValue>(buffer.Slice(cpu * _stride));
            }

            return values;
        }
    }

    public sealed partial class BpfObject
    {
        /// <summary>The per-CPU hash map a field declares.</summary>
        public BpfPerCpuMapView<TKey, TValue> Map<TKey, TValue>(PercpuHashMap<TKey, TValue> declared)
            where TKey : unmanaged
            where TValue : unmanaged => new BpfPerCpuMapView<TKey, TValue>(Map(MapFields.NameOf(declared)));

        /// <summary>The per-CPU LRU hash map a field declares.</summary>
        public BpfPerCpuMapView<TKey, TValue> Map<TKey, TValue>(LruPercpuHashMap<TKey, TValue> declared)
            where TKey : unmanaged
            where TValue : unmanaged => new BpfPerCpuMapView<TKey, TValue>(Map(MapFields.NameOf(declared)));

        /// <summary>The per-CPU array map a field declares.</summary>
        public BpfPerCpuMapView<uint, TValue> Map<TValue>(PercpuArrayMap<TValue> declared)
            where TValue : unmanaged => new BpfPerCpuMapView<uint, TValue>(Map(MapFields.NameOf(declared)));

        /// <summary>A per-CPU map by name.</summary>
        public BpfPerCpuMapView<TKey, TValue> PerCpuMap<TKey, TValue>(string name)
            where TKey : unmanaged
            where TValue : unmanaged => new BpfPerCpuMapView<TKey, TValue>(Map(name));
    }
}
