using System;
using System.Collections.Generic;
using BpfSharp.Loader.Native;

namespace BpfSharp.Loader.Probing
{
    /// <summary>
    /// Creates one small map of each map type, with the key and value sizes, flags and BTF each type insists on, so that
    /// map helpers can be called with it. Owns the descriptors it creates.
    /// </summary>
    internal sealed class ProbeMaps : IDisposable
    {
        private const uint NoPrealloc = 1u << 0;
        private const uint Mmapable = 1u << 10;
        private readonly List<int> _fds = new List<int>();
        private readonly Lazy<int> _btf;
        private readonly Lazy<int> _innerMap;

        public ProbeMaps()
        {
            _btf = new Lazy<int>(() => Track(KernelObjects.LoadBtf(ProbeBtf.Build(), out _)));
            _innerMap = new Lazy<int>(() => Track(KernelObjects.CreateMap(new MapCreateRequest(2, 4, 8, 1), out _)));
        }

        /// <summary>The probe's BTF (loaded once): storage maps' key and value types, and the functions of callbacks.</summary>
        public int BtfFd => _btf.Value;

        /// <summary>
        /// Map types the kernel binds to the first program that uses them (cgroup storage): each probe program needs a
        /// fresh map of these, created with <see cref="CreateUntracked"/> and closed by the caller.
        /// </summary>
        public static bool IsBoundToOneProgram(string mapType) =>
            mapType == "BPF_MAP_TYPE_CGROUP_STORAGE" || mapType == "BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE";

        /// <summary>A map the caller owns (and closes), or -1.</summary>
        public int CreateUntracked(string mapType) =>
            Request(mapType) is MapCreateRequest request ? KernelObjects.CreateMap(request, out _) : -1;

        /// <summary>A map of the type, or -1 with the reason the kernel gave.</summary>
        public int Create(string mapType, out string? failure)
        {
            var request = Request(mapType);
            if (request is null)
            {
                failure = "the probe does not know how to create this map type";
                return -1;
            }

            var fd = KernelObjects.CreateMap(request, out var errno);
            failure = fd < 0 ? "BPF_MAP_CREATE failed: " + BpfSyscall.Describe(errno) : null;
            return Track(fd);
        }

        private MapCreateRequest? Request(string mapType)
        {
            switch (mapType)
            {
                case "BPF_MAP_TYPE_HASH": return Plain(1);
                case "BPF_MAP_TYPE_ARRAY": return Plain(2);
                case "BPF_MAP_TYPE_PROG_ARRAY": return new MapCreateRequest(3, 4, 4, 1);
                case "BPF_MAP_TYPE_PERF_EVENT_ARRAY": return new MapCreateRequest(4, 4, 4, 1);
                case "BPF_MAP_TYPE_PERCPU_HASH": return Plain(5);
                case "BPF_MAP_TYPE_PERCPU_ARRAY": return Plain(6);
                case "BPF_MAP_TYPE_STACK_TRACE": return new MapCreateRequest(7, 4, 64, 1);
                case "BPF_MAP_TYPE_CGROUP_ARRAY": return new MapCreateRequest(8, 4, 4, 1);
                case "BPF_MAP_TYPE_LRU_HASH": return Plain(9);
                case "BPF_MAP_TYPE_LRU_PERCPU_HASH": return Plain(10);
                case "BPF_MAP_TYPE_LPM_TRIE": return new MapCreateRequest(11, 8, 8, 1) { Flags = NoPrealloc };
                case "BPF_MAP_TYPE_ARRAY_OF_MAPS": return new MapCreateRequest(12, 4, 4, 1) { InnerMapFd = _innerMap.Value };
                case "BPF_MAP_TYPE_HASH_OF_MAPS": return new MapCreateRequest(13, 4, 4, 1) { InnerMapFd = _innerMap.Value };
                case "BPF_MAP_TYPE_DEVMAP": return new MapCreateRequest(14, 4, 4, 1);
                case "BPF_MAP_TYPE_SOCKMAP": return new MapCreateRequest(15, 4, 4, 1);
                case "BPF_MAP_TYPE_CPUMAP": return new MapCreateRequest(16, 4, 4, 1);
                case "BPF_MAP_TYPE_XSKMAP": return new MapCreateRequest(17, 4, 4, 1);
                case "BPF_MAP_TYPE_SOCKHASH": return new MapCreateRequest(18, 4, 4, 1);
                // Key: struct bpf_cgroup_storage_key (u64 cgroup inode id, u32 attach type, padded to 16).
                case "BPF_MAP_TYPE_CGROUP_STORAGE": return new MapCreateRequest(19, 16, 8, 0);
                case "BPF_MAP_TYPE_REUSEPORT_SOCKARRAY": return new MapCreateRequest(20, 4, 8, 1);
                case "BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE": return new MapCreateRequest(21, 16, 8, 0);
                case "BPF_MAP_TYPE_QUEUE": return new MapCreateRequest(22, 0, 8, 1);
                case "BPF_MAP_TYPE_STACK": return new MapCreateRequest(23, 0, 8, 1);
                case "BPF_MAP_TYPE_SK_STORAGE": return Storage(24);
                case "BPF_MAP_TYPE_DEVMAP_HASH": return new MapCreateRequest(25, 4, 4, 1);
                case "BPF_MAP_TYPE_RINGBUF": return new MapCreateRequest(27, 0, 0, 4096);
                case "BPF_MAP_TYPE_INODE_STORAGE": return Storage(28);
                case "BPF_MAP_TYPE_TASK_STORAGE": return Storage(29);
                case "BPF_MAP_TYPE_BLOOM_FILTER": return new MapCreateRequest(30, 0, 8, 1);
                case "BPF_MAP_TYPE_USER_RINGBUF": return new MapCreateRequest(31, 0, 0, 4096);
                case "BPF_MAP_TYPE_CGRP_STORAGE": return Storage(32);
                // An arena needs the user-space address it will be mapped at (map_extra) when nothing mmaps it.
                case "BPF_MAP_TYPE_ARENA": return new MapCreateRequest(33, 0, 0, 1) { Flags = Mmapable, MapExtra = 1UL << 32 };
                default: return null; // STRUCT_OPS needs a kernel struct_ops type from vmlinux BTF; newer types are unknown here
            }
        }

        private static MapCreateRequest Plain(int type) => new MapCreateRequest(type, 4, 8, 1);

        // Local storage maps: BTF key int, value long long, no preallocation, no max_entries.
        private MapCreateRequest Storage(int type) =>
            new MapCreateRequest(type, 4, 8, 0) { Flags = NoPrealloc, BtfFd = _btf.Value, BtfKeyTypeId = ProbeBtf.IntTypeId, BtfValueTypeId = ProbeBtf.LongTypeId };

        private int Track(int fd)
        {
            if (fd >= 0)
            {
                _fds.Add(fd);
            }

            return fd;
        }

        public void Dispose()
        {
            foreach (var fd in _fds)
            {
                BpfSyscall.Close(fd);
            }

            _fds.Clear();
        }
    }
}
