using System;
using System.Collections.Generic;
using BpfSharp.Loader.Native;
using BpfSharp.Spec;

namespace BpfSharp.Loader.Probing
{
    /// <summary>
    /// Creates one small map of each map type, with the key and value sizes, flags and BTF each type insists on, so that
    /// map helpers can be called with it. Owns the descriptors it creates.
    /// </summary>
    internal sealed class ProbeMaps : IDisposable
    {
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
            KernelTypes.MapTypes.FindByName(mapType)?.MapKind?.Key == MapKeyKind.Cgroup;

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

        // The smallest map of the type the kernel accepts, from the spec's map-kind table: fixed sizes where the type fixes
        // them, a 4-byte key and an 8-byte value where the program would choose, the flags and BTF the type requires.
        private MapCreateRequest? Request(string mapType)
        {
            if (KernelTypes.MapTypes.FindByName(mapType) is not { MapKind: MapKind kind } member || kind.IsKernelMade)
            {
                return null; // STRUCT_OPS needs a kernel struct_ops type from vmlinux BTF; newer types are unknown here
            }

            var keySize = kind.Key switch
            {
                MapKeyKind.Prefix => 8, // the prefix length and 4 bytes of data
                MapKeyKind.Cgroup => 16, // struct bpf_cgroup_storage_key: every kernel with cgroup storage takes it (the 8-byte id only since 5.9)
                _ => kind.FixedKeySize ?? 4,
            };
            var valueSize = kind.Value switch
            {
                MapValueKind.Stack => 64, // any multiple of 8 frames' bytes
                _ => kind.FixedValueSize ?? 8,
            };
            var entries = kind.Entries switch
            {
                MapEntriesRule.None => 0u,
                MapEntriesRule.Ring => 4096u,
                _ => 1u,
            };
            var request = new MapCreateRequest(member.Value, (uint)keySize, (uint)valueSize, entries) { Flags = (uint)kind.RequiredFlags };
            if (kind.Value == MapValueKind.Map)
            {
                request = request with { InnerMapFd = _innerMap.Value };
            }

            if (kind.Key == MapKeyKind.Owner)
            {
                // Local storage: BTF key int, value long long.
                request = request with { BtfFd = _btf.Value, BtfKeyTypeId = ProbeBtf.IntTypeId, BtfValueTypeId = ProbeBtf.LongTypeId };
            }

            if ((kind.RequiredFlags & MapKind.MemoryMappableFlag) != 0 && kind.Value == MapValueKind.None)
            {
                // An arena needs the user-space address it will be mapped at (map_extra) when nothing mmaps it.
                request = request with { MapExtra = 1UL << 32 };
            }

            return request;
        }

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
