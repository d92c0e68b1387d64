using System;
using System.Collections.Generic;
using System.Linq;
using BpfSharp.Loader.Native;
using BpfSharp.Loader.Objects;
using BpfSharp.Spec;

namespace BpfSharp
{
    // Creating the object's maps: sizes as libbpf asks for them, BTF where the kernel takes it, global data written,
    // pinned maps reused or pinned, and the slots .maps sets filled once everything is loaded.
    public sealed partial class BpfObject
    {
        // What libbpf asks the kernel for: a perf event array of 0 entries gets one per possible CPU, and a ring buffer's
        // size grows to the next power-of-two number of pages (the kernel takes nothing else), so sizes C programs commonly
        // write (256 * 1024 + 1, 5000) load as they do with libbpf.
        private static uint EntriesToCreate(MapSpec map)
        {
            var entries = KernelTypes.MapKindOf(map.Type).Entries;
            if (map.MaxEntries == 0 && entries == MapEntriesRule.Cpus)
            {
                return (uint)CpuList.PossibleCount;
            }

            if (entries != MapEntriesRule.Ring || map.MaxEntries == 0)
            {
                return map.MaxEntries;
            }

            var page = (ulong)Environment.SystemPageSize;
            var pages = map.MaxEntries % page == 0 ? map.MaxEntries / page : 0;
            if (pages != 0 && (pages & (pages - 1)) == 0)
            {
                return map.MaxEntries;
            }

            for (var size = page; size <= uint.MaxValue; size *= 2)
            {
                if (size > map.MaxEntries)
                {
                    return (uint)size;
                }
            }

            return map.MaxEntries; // no such size fits in 32 bits: the kernel says no
        }

        // A map pinned by name: the descriptor of the one already pinned there when it has the declared shape, -1 when none is.
        private static int ReusablePinnedMap(string objectName, MapSpec map, uint maxEntries, string pinPath)
        {
            var fd = KernelObjects.OpenPinned(pinPath, out var errno);
            if (fd < 0)
            {
                return errno == Errno.NoEntry
                    ? -1
                    : throw new BpfException($"{objectName}: the pinned map '{map.Name}' at {pinPath} could not be opened: {BpfSyscall.Describe(errno)}", errno);
            }

            var info = KernelObjects.MapInfo(fd, out errno);
            var declared = (map.Type, map.KeySize, map.ValueSize, maxEntries, map.Flags);
            if (info is { } found && (found.Type, found.KeySize, found.ValueSize, found.MaxEntries, found.Flags) == declared)
            {
                return fd;
            }

            BpfSyscall.Close(fd);
            var what = info is { } other
                ? $"it is {Describe(other.Type, other.KeySize, other.ValueSize, other.MaxEntries, other.Flags)}, the object declares {Describe(declared.Type, declared.KeySize, declared.ValueSize, declared.maxEntries, declared.Flags)}"
                : "it is not a map";
            throw new BpfException($"{objectName}: map '{map.Name}' is pinned by name, but what is pinned at {pinPath} does not match: {what}; remove the pin (rm {pinPath}) or declare the same map", errno);
        }

        private static void PinNew(string objectName, string mapName, int fd, string pinPath, string pinFolder)
        {
            if (KernelObjects.Pin(fd, pinPath, out var errno) < 0)
            {
                throw new BpfException($"{objectName}: map '{mapName}' could not be pinned at {pinPath}: {BpfSyscall.Describe(errno)}" + (errno == Errno.NoEntry ? $" ({pinFolder} must be a folder in a mounted bpffs: mount -t bpf bpf /sys/fs/bpf)" : string.Empty), errno);
            }
        }

        private static string Describe(int type, uint keySize, uint valueSize, uint maxEntries, uint flags) =>
            $"{KernelTypes.MapTypes.FindByValue(type)?.Name ?? "type " + type}, key {keySize} B, value {valueSize} B, {maxEntries} entries, flags 0x{flags:x}";

        private static int CreateMap(string objectName, MapSpec map, uint maxEntries, int btfFd)
        {
            // Types only with a value type: the kernel reads a key type id as a reason to open BTF descriptor 0 otherwise.
            var withBtf = btfFd >= 0 && map.ValueTypeId != 0 && MapKinds.TakesBtf((BpfMapType)map.Type);
            var request = new MapCreateRequest(map.Type, map.KeySize, map.ValueSize, maxEntries)
            {
                Flags = map.Flags,
                Name = map.Name,
                BtfFd = withBtf ? btfFd : 0,
                BtfKeyTypeId = withBtf ? map.KeyTypeId : 0,
                BtfValueTypeId = withBtf ? map.ValueTypeId : 0,
            };
            if (map.KernelValueTypeId != 0)
            {
                // A struct_ops map: its value is the kernel's type, and the kernel wants the object's BTF all the same.
                request = btfFd >= 0
                    ? request with { BtfFd = btfFd, BtfKernelValueTypeId = map.KernelValueTypeId }
                    : throw new BpfException($"{objectName}: struct_ops map '{map.Name}' needs the object's BTF loaded in the kernel", 0);
            }
            var innerFd = -1;
            if (map.Inner is MapSpec inner)
            {
                // The kernel learns what the map's maps look like from a template map, closed once the outer one exists;
                // sized as its members are (a ring buffer's rounded size), or the kernel refuses them as unlike it.
                var innerEntries = EntriesToCreate(inner);
                innerFd = KernelObjects.CreateMap(new MapCreateRequest(inner.Type, inner.KeySize, inner.ValueSize, innerEntries) { Flags = inner.Flags }, out var innerErrno);
                if (innerFd < 0)
                {
                    throw new BpfException($"{objectName}: the inner map of '{map.Name}' ({Describe(inner.Type, inner.KeySize, inner.ValueSize, innerEntries, inner.Flags)}) could not be created: {BpfSyscall.Describe(innerErrno)}", innerErrno);
                }

                request = request with { InnerMapFd = innerFd };
            }

            var fd = KernelObjects.CreateMap(request, out var errno);
            if (fd < 0 && request.BtfFd != 0 && map.KernelValueTypeId == 0)
            {
                // As libbpf does: a kernel that will not take the map's BTF still takes the map.
                fd = KernelObjects.CreateMap(request with { BtfFd = 0, BtfKeyTypeId = 0, BtfValueTypeId = 0 }, out errno);
            }

            BpfSyscall.Close(innerFd);
            if (fd < 0)
            {
                throw new BpfException($"{objectName}: map '{map.Name}' ({Describe(map.Type, map.KeySize, map.ValueSize, maxEntries, map.Flags)}) could not be created: {BpfSyscall.Describe(errno)}", errno);
            }

            // Global data: written when it is not all zeros (the kernel's fresh map is), frozen when read-only.
            if (map.InitialData is byte[] data && (map.Freeze || data.Any(b => b != 0)))
            {
                Span<byte> key = stackalloc byte[4];
                key.Clear();
                if (KernelObjects.MapElement(BpfCommand.MapUpdateElem, fd, key, data, 0, out errno) < 0 || (map.Freeze && KernelObjects.FreezeMap(fd, out errno) < 0))
                {
                    BpfSyscall.Close(fd);
                    throw new BpfException($"{objectName}: the global data of '{map.DataSection}' could not be set: {BpfSyscall.Describe(errno)}", errno);
                }
            }

            return fd;
        }

        // The slots .maps sets, as libbpf fills them: each program's or inner map's descriptor under its index.
        private static void FillSlots(string objectName, MapSpec map, Dictionary<string, BpfLoadedMap> maps, Dictionary<string, BpfLoadedProgram> programs)
        {
            if (maps[map.Name].Reused)
            {
                return; // a pinned map reused keeps what it holds, as with libbpf
            }

            foreach (var slot in map.InitialSlots)
            {
                var fd = maps.TryGetValue(slot.Target, out var inner) ? inner.Fd
                    : programs.TryGetValue(slot.Target, out var program) ? program.Fd
                    : throw new BpfException($"{objectName}: map '{map.Name}' slot {slot.Index} names '{slot.Target}', which the object did not load", 0);
                var index = slot.Index;
                if (KernelObjects.MapElement(BpfCommand.MapUpdateElem, maps[map.Name].Fd, MapKinds.Bytes(ref index), MapKinds.Descriptor(fd, map.ValueSize), 0, out var errno) < 0)
                {
                    throw new BpfException($"{objectName}: map '{map.Name}' slot {slot.Index} could not be set to '{slot.Target}': {BpfSyscall.Describe(errno)}", errno);
                }
            }
        }
    }
}
