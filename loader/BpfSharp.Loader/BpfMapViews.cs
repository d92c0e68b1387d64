using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using BpfSharp.Loader.Native;

namespace BpfSharp
{
    /// <summary>
    /// A loaded map seen through the C# types the program declared: keys and values are blittable structs or integers,
    /// checked against the kernel's sizes when the view is made (a mismatch is an error, never a truncation).
    /// </summary>
    public class BpfMapView<TKey, TValue>
        where TKey : unmanaged
        where TValue : unmanaged
    {
        /// <summary>A view of a loaded map: one of an object, or one opened from its pin (<see cref="BpfLoadedMap.OpenPinned"/>); its type and sizes are checked now.</summary>
        public BpfMapView(BpfLoadedMap map)
        {
            ArgumentNullException.ThrowIfNull(map);
            Map = map;
            if (map.IsPerCpu)
            {
                // The kernel copies one value per possible CPU: a single TValue would be overrun.
                throw new BpfException($"map '{map.Name}' is {map.Type}: every key has one value per possible CPU; use PerCpuMap<{typeof(TKey).Name}, {typeof(TValue).Name}>(\"{map.Name}\")");
            }

            MapKinds.RequireKey<TKey>(map);
            MapKinds.RequireValue<TValue>(map);
        }

        /// <summary>The loaded map behind the view.</summary>
        public BpfLoadedMap Map { get; }

        /// <summary>The value under the key, or <see cref="KeyNotFoundException"/>.</summary>
        public TValue Lookup(TKey key) =>
            TryLookup(key, out var value) ? value : throw new KeyNotFoundException($"map '{Map.Name}' has no entry for key {key}");

        /// <summary>The value under the key; false when there is none.</summary>
        // The lookup path down to the syscall is compiled fully optimised at once: through dynamic PGO's tiers it cost
        // 1.6-1.9x libbpf's lookup from C, optimised 1.12x (docs/PERFORMANCE.md).
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public bool TryLookup(TKey key, out TValue value)
        {
            value = default;
            return Map.TryLookup(Bytes(ref key), MemoryMarshal.AsBytes(MemoryMarshal.CreateSpan(ref value, 1)));
        }

        /// <summary>Writes the value; <paramref name="flags"/> is <c>BPF_ANY</c> (0), <c>BPF_NOEXIST</c> (1) or <c>BPF_EXIST</c> (2).</summary>
        public void Update(TKey key, TValue value, ulong flags = 0) =>
            Map.Update(Bytes(ref key), MemoryMarshal.AsBytes(MemoryMarshal.CreateSpan(ref value, 1)), flags);

        /// <summary>Removes the entry; false when there was none (arrays cannot delete: the kernel says EINVAL).</summary>
        public bool Delete(TKey key) => Map.Delete(Bytes(ref key));

        /// <summary>The keys, in the kernel's order (a hash map's order changes as it is written).</summary>
        public IEnumerable<TKey> Keys => Map.Keys<TKey>();

        /// <summary>Every entry; an entry deleted while enumerating is skipped.</summary>
        public IEnumerable<KeyValuePair<TKey, TValue>> Entries
        {
            get
            {
                foreach (var key in Keys)
                {
                    if (TryLookup(key, out var value))
                    {
                        yield return new KeyValuePair<TKey, TValue>(key, value);
                    }
                }
            }
        }

        /// <summary>
        /// Every entry, read with BPF_MAP_LOOKUP_BATCH: one <c>bpf(2)</c> call per <paramref name="batchSize"/> entries (a hash
        /// map's walk is by bucket, so a call may return fewer and the last one says the end), against two per entry for
        /// <see cref="Entries"/>. A hash bucket larger than the batch doubles the batch for that call instead of failing.
        /// Map types without batch commands (device and CPU maps; every type before Linux 5.6) are read with the key walk,
        /// so the caller always gets the entries. Entries written or deleted while reading may or may not be seen.
        /// </summary>
        /// <param name="batchSize">Entries per system call, at least 1 (capped at the map's maximum).</param>
        public IReadOnlyList<KeyValuePair<TKey, TValue>> ReadAll(int batchSize = 256)
        {
            var entries = new List<KeyValuePair<TKey, TValue>>();
            if (!Map.ReadBatches(delete: false, batchSize, (key, value) => entries.Add(Entry(key, value)), out _))
            {
                // No batch command for this map type: the key walk reads the same entries, two calls each.
                entries.AddRange(Entries);
            }

            return entries;
        }

        /// <summary>
        /// Every entry, each removed as it is read (BPF_MAP_LOOKUP_AND_DELETE_BATCH): one <c>bpf(2)</c> call per
        /// <paramref name="batchSize"/> entries, like <see cref="ReadAll"/>. A hash map takes each bucket under its lock, so an
        /// entry is either returned or stays; one a program adds meanwhile may stay. Arrays cannot delete (their slots always
        /// exist) and other types without the command (LPM tries, device maps) throw <see cref="NotSupportedException"/>
        /// rather than emptying nothing.
        /// </summary>
        /// <param name="batchSize">Entries per system call, at least 1 (capped at the map's maximum).</param>
        public IReadOnlyList<KeyValuePair<TKey, TValue>> TakeAll(int batchSize = 256)
        {
            if (batchSize <= 0)
            {
                throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "a batch holds at least one entry");
            }

            if (Map.Type is BpfMapType.Array or BpfMapType.ArrayOfMaps)
            {
                throw new NotSupportedException($"map '{Map.Name}' is {Map.Type}: an array's slots always exist and cannot be deleted, so TakeAll cannot empty it; read it with ReadAll and write the values back with Update");
            }

            var entries = new List<KeyValuePair<TKey, TValue>>();
            if (!Map.ReadBatches(delete: true, batchSize, (key, value) => entries.Add(Entry(key, value)), out var errno))
            {
                throw new NotSupportedException(
                    $"map '{Map.Name}' ({Map.Type}) has no lookup-and-delete batch on this kernel ({BpfSyscall.Describe(errno)}): nothing was taken; read it with ReadAll and Delete each key",
                    new BpfException($"BPF_MAP_LOOKUP_AND_DELETE_BATCH on map '{Map.Name}' refused", errno));
            }

            return entries;
        }

        private static KeyValuePair<TKey, TValue> Entry(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value) =>
            new KeyValuePair<TKey, TValue>(MemoryMarshal.Read<TKey>(key), MemoryMarshal.Read<TValue>(value));

        private static ReadOnlySpan<byte> Bytes(ref TKey key) => MemoryMarshal.AsBytes(MemoryMarshal.CreateReadOnlySpan(ref key, 1));
    }

    /// <summary>A queue or stack map (no keys): push, pop, peek.</summary>
    public sealed class BpfQueueView<TValue>
        where TValue : unmanaged
    {
        /// <summary>A view of a loaded map: one of an object, or one opened from its pin (<see cref="BpfLoadedMap.OpenPinned"/>); its type and sizes are checked now.</summary>
        public BpfQueueView(BpfLoadedMap map)
        {
            ArgumentNullException.ThrowIfNull(map);
            Map = map;
            if (map.KeySize != 0 || map.ValueSize != (uint)Unsafe.SizeOf<TValue>())
            {
                throw new BpfException($"map '{map.Name}' ({map.Type}) has {map.ValueSize}-byte values and {map.KeySize}-byte keys; a queue view of {typeof(TValue).Name} needs {Unsafe.SizeOf<TValue>()}-byte values and no key");
            }
        }

        public BpfLoadedMap Map { get; }

        /// <summary>Adds a value; with <c>BPF_EXIST</c> (2) a full queue drops its oldest value instead of refusing.</summary>
        public void Push(TValue value, ulong flags = 0) => Map.Update(ReadOnlySpan<byte>.Empty, MemoryMarshal.AsBytes(MemoryMarshal.CreateSpan(ref value, 1)), flags);

        /// <summary>Takes the next value (oldest for a queue, newest for a stack); false when empty.</summary>
        public bool TryPop(out TValue value)
        {
            value = default;
            return Map.Pop(MemoryMarshal.AsBytes(MemoryMarshal.CreateSpan(ref value, 1)));
        }

        /// <summary>Reads the next value without taking it; false when empty.</summary>
        public bool TryPeek(out TValue value)
        {
            value = default;
            return Map.TryLookup(ReadOnlySpan<byte>.Empty, MemoryMarshal.AsBytes(MemoryMarshal.CreateSpan(ref value, 1)));
        }
    }

    /// <summary>Views of a loaded object's maps, found by the C# map field the program uses or by name.</summary>
    public sealed partial class BpfObject
    {
        /// <summary>The map a program's field declares (<c>loaded.Map(PacketCounter.Protocols)</c>), typed as declared.</summary>
        public BpfMapView<TKey, TValue> Map<TKey, TValue>(HashMap<TKey, TValue> declared)
            where TKey : unmanaged
            where TValue : unmanaged => new BpfMapView<TKey, TValue>(Map(MapFields.NameOf(declared)));

        /// <inheritdoc cref="Map{TKey, TValue}(HashMap{TKey, TValue})"/>
        public BpfMapView<TKey, TValue> Map<TKey, TValue>(LruHashMap<TKey, TValue> declared)
            where TKey : unmanaged
            where TValue : unmanaged => new BpfMapView<TKey, TValue>(Map(MapFields.NameOf(declared)));

        /// <summary>An array map a field declares: its keys are the indexes.</summary>
        public BpfMapView<uint, TValue> Map<TValue>(ArrayMap<TValue> declared)
            where TValue : unmanaged => new BpfMapView<uint, TValue>(Map(MapFields.NameOf(declared)));

        /// <summary>A queue map a field declares.</summary>
        public BpfQueueView<TValue> Map<TValue>(QueueMap<TValue> declared)
            where TValue : unmanaged => new BpfQueueView<TValue>(Map(MapFields.NameOf(declared)));

        /// <summary>A stack map a field declares.</summary>
        public BpfQueueView<TValue> Map<TValue>(StackMap<TValue> declared)
            where TValue : unmanaged => new BpfQueueView<TValue>(Map(MapFields.NameOf(declared)));

        /// <summary>A map by name, typed by the caller (checked against the kernel's key and value sizes).</summary>
        public BpfMapView<TKey, TValue> Map<TKey, TValue>(string name)
            where TKey : unmanaged
            where TValue : unmanaged => new BpfMapView<TKey, TValue>(Map(name));

        /// <summary>A queue or stack map by name.</summary>
        public BpfQueueView<TValue> Queue<TValue>(string name)
            where TValue : unmanaged => new BpfQueueView<TValue>(Map(name));
    }

    /// <summary>Which static field holds a map instance: its name is the map's name in the object.</summary>
    internal static class MapFields
    {
        private static readonly ConditionalWeakTable<BpfMap, string> s_names = new ConditionalWeakTable<BpfMap, string>();

        public static string NameOf(BpfMap map)
        {
            if (s_names.TryGetValue(map, out var known))
            {
                return known;
            }

            foreach (var assembly in AppDomain.CurrentDomain.GetAssemblies())
            {
                if (assembly.IsDynamic || assembly.GetName().Name is string name && (name.StartsWith("System", StringComparison.Ordinal) || name.StartsWith("Microsoft", StringComparison.Ordinal)))
                {
                    continue;
                }

                Type[] types;
                try
                {
                    types = assembly.GetTypes();
                }
                catch (System.Reflection.ReflectionTypeLoadException e)
                {
                    types = Array.FindAll(e.Types, t => t != null)!;
                }

                foreach (var type in types)
                {
                    if (type.ContainsGenericParameters)
                    {
                        continue;
                    }

                    foreach (var field in type.GetFields(System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.DeclaredOnly))
                    {
                        if (typeof(BpfMap).IsAssignableFrom(field.FieldType) && ReferenceEquals(field.GetValue(null), map))
                        {
                            s_names.AddOrUpdate(map, field.Name);
                            return field.Name;
                        }
                    }
                }
            }

            throw new ArgumentException($"this {map.GetType().Name} is not held by any static field of the loaded assemblies: BpfSharp names a map after the static field that declares it; pass the field itself, or use Map<TKey, TValue>(name)", nameof(map));
        }
    }
}
