using System;
using System.Collections.Generic;

namespace BpfSharp.Spec
{
    /// <summary>What a map type's key is (the <c>key</c> column of <c>spec/map-types.tsv</c>).</summary>
    public enum MapKeyKind
    {
        /// <summary>The program's own key type.</summary>
        Any,

        /// <summary>A <c>u32</c> from 0 to max_entries - 1.</summary>
        Index,

        /// <summary>Any 32-bit number (a device map's or a stack map's key).</summary>
        U32,

        /// <summary>An LPM trie key: a <c>u32</c> prefix length, then the data.</summary>
        Prefix,

        /// <summary>A cgroup storage key (<c>struct bpf_cgroup_storage_key</c>, or the cgroup's 64-bit id).</summary>
        Cgroup,

        /// <summary>The descriptor of the socket, inode, task or cgroup a local-storage value belongs to.</summary>
        Owner,

        /// <summary>No key: queues, stacks, bloom filters, ring buffers, arenas.</summary>
        None,

        /// <summary>Made by the kernel or the loader, never declared by a program.</summary>
        Kernel,
    }

    /// <summary>What a map type's value is (the <c>value_kind</c> column of <c>spec/map-types.tsv</c>).</summary>
    public enum MapValueKind
    {
        /// <summary>The program's own value type.</summary>
        Any,

        /// <summary>A program's descriptor in, its id out.</summary>
        Program,

        /// <summary>A map's descriptor in, its id out (maps of maps).</summary>
        Map,

        /// <summary>A perf event's descriptor.</summary>
        PerfEvent,

        /// <summary>A cgroup directory's descriptor.</summary>
        Cgroup,

        /// <summary>An AF_XDP socket's descriptor.</summary>
        Xsk,

        /// <summary>A socket's descriptor in, its 64-bit cookie out.</summary>
        Socket,

        /// <summary>A network interface index.</summary>
        Device,

        /// <summary>A CPU's queue size.</summary>
        Cpu,

        /// <summary>Frames of 64-bit addresses.</summary>
        Stack,

        /// <summary>No value: ring buffers, arenas.</summary>
        None,

        /// <summary>Made by the kernel or the loader, never declared by a program.</summary>
        Kernel,
    }

    /// <summary>What a map type's max_entries means (the <c>entries</c> column).</summary>
    public enum MapEntriesRule
    {
        /// <summary>Any positive number of entries.</summary>
        Any,

        /// <summary>Must be 0: the map holds one value per kernel object, allocated on demand.</summary>
        None,

        /// <summary>Bytes of a ring buffer: a power-of-two number of pages.</summary>
        Ring,

        /// <summary>0 means one entry per possible CPU.</summary>
        Cpus,
    }

    /// <summary>
    /// The facts about one map type that the compiler, the loader's views and the probe all need, read from the spec's
    /// map-type table (<c>spec/map-types.tsv</c>) so that they are written down once.
    /// </summary>
    public sealed record MapKind(bool PerCpu, MapKeyKind Key, MapValueKind Value, bool TakesBtf, MapEntriesRule Entries, ulong RequiredFlags)
    {
        /// <summary><c>BPF_F_NO_PREALLOC</c>.</summary>
        public const ulong NoPreallocFlag = 1UL << 0;

        /// <summary><c>BPF_F_MMAPABLE</c>.</summary>
        public const ulong MemoryMappableFlag = 1UL << 10;

        /// <summary>Frames a stack trace map holds per entry by default (the kernel's PERF_MAX_STACK_DEPTH).</summary>
        public const int StackFrames = 127;

        /// <summary>The key's size when the map type fixes it (a cgroup storage key: 8, the id), or null when the program chooses.</summary>
        public int? FixedKeySize => Key switch
        {
            MapKeyKind.Index or MapKeyKind.U32 or MapKeyKind.Owner => 4,
            MapKeyKind.Cgroup => 8,
            MapKeyKind.None => 0,
            _ => null,
        };

        /// <summary>The value's size when the map type fixes it, or null when the program chooses.</summary>
        public int? FixedValueSize => Value switch
        {
            MapValueKind.Program or MapValueKind.Map or MapValueKind.PerfEvent or MapValueKind.Cgroup or MapValueKind.Xsk or MapValueKind.Device or MapValueKind.Cpu => 4,
            MapValueKind.Socket => 8,
            MapValueKind.Stack => StackFrames * 8,
            MapValueKind.None => 0,
            _ => null,
        };

        /// <summary>Values the kernel turns into objects: a descriptor (or index) goes in, and no program-defined type.</summary>
        public bool HoldsKernelObjects => Value is MapValueKind.Program or MapValueKind.Map or MapValueKind.PerfEvent or MapValueKind.Cgroup
            or MapValueKind.Xsk or MapValueKind.Device or MapValueKind.Cpu;

        /// <summary>True for the maps a program cannot declare: the kernel or the loader makes their contents.</summary>
        public bool IsKernelMade => Key == MapKeyKind.Kernel || Value == MapValueKind.Kernel;

        internal static MapKind? Parse(IReadOnlyList<string> row, int first)
        {
            if (row.Count <= first + 5 || row[first + 1].Length == 0)
            {
                return null;
            }

            return new MapKind(
                PerCpu: Yes(row[first]),
                Key: Word<MapKeyKind>(row[first + 1]),
                Value: Word<MapValueKind>(row[first + 2]),
                TakesBtf: Yes(row[first + 3]),
                Entries: Word<MapEntriesRule>(row[first + 4]),
                RequiredFlags: Flags(row[first + 5]));
        }

        private static bool Yes(string text) => text == "yes";

        // "perf_event" names PerfEvent.
        private static T Word<T>(string text)
            where T : struct => Enum.TryParse<T>(text.Replace("_", string.Empty), ignoreCase: true, out var value)
            ? value
            : throw new InvalidOperationException($"map-types.tsv: '{text}' is not a {typeof(T).Name}");

        private static ulong Flags(string text)
        {
            ulong flags = 0;
            foreach (var word in text.Split(new[] { ',' }, StringSplitOptions.RemoveEmptyEntries))
            {
                flags |= word.Trim() switch
                {
                    "no_prealloc" => NoPreallocFlag,
                    "mmapable" => MemoryMappableFlag,
                    _ => throw new InvalidOperationException($"map-types.tsv: '{word}' is not a map flag this table knows"),
                };
            }

            return flags;
        }
    }
}
