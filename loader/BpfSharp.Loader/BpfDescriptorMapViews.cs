using System;
using System.Collections.Generic;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using BpfSharp.Loader.Native;

namespace BpfSharp
{
    /// <summary>
    /// A program array (tail calls): each slot holds a loaded program, which a BPF program jumps to with
    /// <c>BpfHelpers.TailCall(ctx, map, index)</c>. User space writes programs and reads back their kernel ids.
    /// </summary>
    public sealed class BpfProgramArrayView
    {
        /// <summary>A view of a loaded map: one of an object, or one opened from its pin (<see cref="BpfLoadedMap.OpenPinned"/>); its type and sizes are checked now.</summary>
        public BpfProgramArrayView(BpfLoadedMap map)
        {
            ArgumentNullException.ThrowIfNull(map);
            Map = MapKinds.Require(map, "a program array", BpfMapType.ProgArray);
        }

        public BpfLoadedMap Map { get; }

        /// <summary>Puts a program into a slot (the kernel refuses a program of another type than the array's users: EINVAL).</summary>
        public void Set(uint index, BpfLoadedProgram program)
        {
            ArgumentNullException.ThrowIfNull(program);
            using var descriptor = program.Use();
            Map.Update(MapKinds.Bytes(ref index), MapKinds.Descriptor(descriptor.Fd, Map.ValueSize));
        }

        /// <summary>Empties a slot: tail calls to it fall through again. False when it was empty.</summary>
        public bool Clear(uint index) => Map.Delete(MapKinds.Bytes(ref index));

        /// <summary>The kernel id of the program in a slot; false when the slot is empty.</summary>
        public bool TryGetProgramId(uint index, out uint id) => MapKinds.TryGetId(Map, MapKinds.Bytes(ref index), out id);
    }

    /// <summary>
    /// A map of maps (array or hash): each entry holds a map shaped like the declared inner template; BPF programs look up
    /// the outer map to reach an inner one. User space writes loaded maps and reads back their kernel ids.
    /// </summary>
    public sealed class BpfMapOfMapsView<TKey>
        where TKey : unmanaged
    {
        /// <summary>A view of a loaded map: one of an object, or one opened from its pin (<see cref="BpfLoadedMap.OpenPinned"/>); its type and sizes are checked now.</summary>
        public BpfMapOfMapsView(BpfLoadedMap map)
        {
            ArgumentNullException.ThrowIfNull(map);
            Map = MapKinds.Require(map, "a map of maps", BpfMapType.ArrayOfMaps, BpfMapType.HashOfMaps);
            MapKinds.RequireKey<TKey>(map);
        }

        public BpfLoadedMap Map { get; }

        /// <summary>Stores a map under the key (the kernel refuses one that does not match the inner template: EINVAL).</summary>
        public void Set(TKey key, BpfLoadedMap inner, ulong flags = 0)
        {
            ArgumentNullException.ThrowIfNull(inner);
            using var descriptor = inner.Use();
            Map.Update(MapKinds.Bytes(ref key), MapKinds.Descriptor(descriptor.Fd, Map.ValueSize), flags);
        }

        /// <summary>Removes the entry; false when there was none.</summary>
        public bool Delete(TKey key) => Map.Delete(MapKinds.Bytes(ref key));

        /// <summary>The kernel id of the map under the key; false when there is none.</summary>
        public bool TryGetMapId(TKey key, out uint id) => MapKinds.TryGetId(Map, MapKinds.Bytes(ref key), out id);
    }

    /// <summary>
    /// A socket map (sockmap, sockhash, reuseport array): entries hold sockets, which programs redirect to or select.
    /// User space writes sockets and reads back their cookies (<c>SO_COOKIE</c>).
    /// </summary>
    public sealed class BpfSocketMapView<TKey>
        where TKey : unmanaged
    {
        /// <summary>A view of a loaded map: one of an object, or one opened from its pin (<see cref="BpfLoadedMap.OpenPinned"/>); its type and sizes are checked now.</summary>
        public BpfSocketMapView(BpfLoadedMap map)
        {
            ArgumentNullException.ThrowIfNull(map);
            Map = MapKinds.Require(map, "a socket map", BpfMapType.Sockmap, BpfMapType.Sockhash, BpfMapType.ReuseportSockarray);
            MapKinds.RequireKey<TKey>(map);
        }

        public BpfLoadedMap Map { get; }

        /// <summary>Stores a socket (the kernel takes established TCP, bound UDP and, for reuseport arrays, SO_REUSEPORT sockets).</summary>
        public void Set(TKey key, Socket socket, ulong flags = 0)
        {
            ArgumentNullException.ThrowIfNull(socket);
            MapKinds.WithDescriptor(socket.SafeHandle, fd => Map.Update(MapKinds.Bytes(ref key), MapKinds.Descriptor(fd, Map.ValueSize), flags));
        }

        /// <summary>Removes the entry; false when there was none.</summary>
        public bool Delete(TKey key) => Map.Delete(MapKinds.Bytes(ref key));

        /// <summary>The cookie of the socket under the key; false when there is none.</summary>
        public bool TryGetCookie(TKey key, out ulong cookie)
        {
            if (Map.ValueSize != sizeof(ulong))
            {
                throw new BpfException($"map '{Map.Name}' has {Map.ValueSize}-byte values: the kernel gives socket cookies only from maps with 8-byte values");
            }

            cookie = 0;
            return Map.TryLookup(MapKinds.Bytes(ref key), MemoryMarshal.AsBytes(MemoryMarshal.CreateSpan(ref cookie, 1)));
        }
    }

    /// <summary>A cgroup array: slots hold cgroup v2 directories, which programs test the current task or a packet against.</summary>
    public sealed class BpfCgroupArrayView
    {
        /// <summary>A view of a loaded map: one of an object, or one opened from its pin (<see cref="BpfLoadedMap.OpenPinned"/>); its type and sizes are checked now.</summary>
        public BpfCgroupArrayView(BpfLoadedMap map)
        {
            ArgumentNullException.ThrowIfNull(map);
            Map = MapKinds.Require(map, "a cgroup array", BpfMapType.CgroupArray);
        }

        public BpfLoadedMap Map { get; }

        /// <summary>Puts a cgroup (its directory under the cgroup v2 mount, or an open handle to it) into a slot.</summary>
        public void Set(uint index, SafeHandle cgroupDirectory)
        {
            ArgumentNullException.ThrowIfNull(cgroupDirectory);
            MapKinds.WithDescriptor(cgroupDirectory, fd => Map.Update(MapKinds.Bytes(ref index), MapKinds.Descriptor(fd, Map.ValueSize)));
        }

        /// <summary>Empties a slot; false when it was empty.</summary>
        public bool Clear(uint index) => Map.Delete(MapKinds.Bytes(ref index));
    }

    /// <summary>
    /// Local storage (socket, task, inode or cgroup storage): one value per kernel object, which user space names by an open
    /// handle to it: a socket's handle, a pidfd, a file's handle, a cgroup directory's handle.
    /// </summary>
    public sealed class BpfLocalStorageView<TValue>
        where TValue : unmanaged
    {
        /// <summary>A view of a loaded map: one of an object, or one opened from its pin (<see cref="BpfLoadedMap.OpenPinned"/>); its type and sizes are checked now.</summary>
        public BpfLocalStorageView(BpfLoadedMap map)
        {
            ArgumentNullException.ThrowIfNull(map);
            Map = MapKinds.Require(map, "a local storage map", BpfMapType.SkStorage, BpfMapType.TaskStorage, BpfMapType.InodeStorage, BpfMapType.CgrpStorage);
            MapKinds.RequireValue<TValue>(map);
        }

        public BpfLoadedMap Map { get; }

        /// <summary>The value stored for the object; false when it has none.</summary>
        public bool TryLookup(SafeHandle owner, out TValue value)
        {
            ArgumentNullException.ThrowIfNull(owner);
            TValue found = default;
            var present = MapKinds.WithDescriptor(owner, fd => Map.TryLookup(MapKinds.Bytes(ref fd), MemoryMarshal.AsBytes(MemoryMarshal.CreateSpan(ref found, 1))));
            value = found;
            return present;
        }

        /// <summary>The value stored for the object, or <see cref="KeyNotFoundException"/>.</summary>
        public TValue Lookup(SafeHandle owner) =>
            TryLookup(owner, out var value) ? value : throw new KeyNotFoundException($"map '{Map.Name}' stores nothing for this object");

        /// <summary>Stores a value for the object (<c>BPF_ANY</c>, <c>BPF_NOEXIST</c> or <c>BPF_EXIST</c>).</summary>
        public void Update(SafeHandle owner, TValue value, ulong flags = 0)
        {
            ArgumentNullException.ThrowIfNull(owner);
            MapKinds.WithDescriptor(owner, fd => Map.Update(MapKinds.Bytes(ref fd), MemoryMarshal.AsBytes(MemoryMarshal.CreateSpan(ref value, 1)), flags));
        }

        /// <summary>Removes the object's value; false when it had none.</summary>
        public bool Delete(SafeHandle owner)
        {
            ArgumentNullException.ThrowIfNull(owner);
            return MapKinds.WithDescriptor(owner, fd => Map.Delete(MapKinds.Bytes(ref fd)));
        }
    }

    /// <summary>A bloom filter: values are added, never removed; a test says "maybe present" or "certainly absent".</summary>
    public sealed class BpfBloomFilterView<TValue>
        where TValue : unmanaged
    {
        /// <summary>A view of a loaded map: one of an object, or one opened from its pin (<see cref="BpfLoadedMap.OpenPinned"/>); its type and sizes are checked now.</summary>
        public BpfBloomFilterView(BpfLoadedMap map)
        {
            ArgumentNullException.ThrowIfNull(map);
            Map = MapKinds.Require(map, "a bloom filter", BpfMapType.BloomFilter);
            MapKinds.RequireValue<TValue>(map);
        }

        public BpfLoadedMap Map { get; }

        /// <summary>Adds a value.</summary>
        public void Add(TValue value) => Map.Update(ReadOnlySpan<byte>.Empty, MemoryMarshal.AsBytes(MemoryMarshal.CreateSpan(ref value, 1)));

        /// <summary>False when the value was certainly never added; true when it may have been (false positives are possible).</summary>
        public bool MayContain(TValue value) => Map.TryLookup(ReadOnlySpan<byte>.Empty, MemoryMarshal.AsBytes(MemoryMarshal.CreateSpan(ref value, 1)));
    }

    /// <summary>A stack trace map: <c>BpfHelpers.GetStackid</c> returns an id under which the stack's addresses are kept.</summary>
    public sealed class BpfStackTraceView
    {
        /// <summary>A view of a loaded map: one of an object, or one opened from its pin (<see cref="BpfLoadedMap.OpenPinned"/>); its type and sizes are checked now.</summary>
        public BpfStackTraceView(BpfLoadedMap map)
        {
            ArgumentNullException.ThrowIfNull(map);
            Map = MapKinds.Require(map, "a stack trace map", BpfMapType.StackTrace);
        }

        public BpfLoadedMap Map { get; }

        /// <summary>The addresses of the stack with this id, innermost first; false when there is none.</summary>
        public bool TryLookup(uint stackId, out ulong[] addresses)
        {
            var frames = new ulong[Map.ValueSize / sizeof(ulong)];
            if (!Map.TryLookup(MapKinds.Bytes(ref stackId), MemoryMarshal.AsBytes(frames.AsSpan())))
            {
                addresses = Array.Empty<ulong>();
                return false;
            }

            var depth = Array.IndexOf(frames, 0ul);
            addresses = depth < 0 ? frames : frames.AsSpan(0, depth).ToArray();
            return true;
        }

        /// <summary>Forgets a stack (its id may then be reused); false when there was none.</summary>
        public bool Delete(uint stackId) => Map.Delete(MapKinds.Bytes(ref stackId));
    }

    /// <summary>Views of the maps whose entries are kernel objects or that have no key/value pairs, found by their declaring field.</summary>
    public sealed partial class BpfObject
    {
        /// <summary>The program array a field declares.</summary>
        public BpfProgramArrayView Map(ProgArrayMap declared) => new BpfProgramArrayView(Map(MapFields.NameOf(declared)));

        /// <summary>The array of maps a field declares.</summary>
        public BpfMapOfMapsView<uint> Map(ArrayOfMaps declared) => new BpfMapOfMapsView<uint>(Map(MapFields.NameOf(declared)));

        /// <summary>The hash of maps a field declares.</summary>
        public BpfMapOfMapsView<TKey> Map<TKey>(HashOfMaps<TKey> declared)
            where TKey : unmanaged => new BpfMapOfMapsView<TKey>(Map(MapFields.NameOf(declared)));

        /// <summary>The sockmap a field declares.</summary>
        public BpfSocketMapView<uint> Map(SockMap declared) => new BpfSocketMapView<uint>(Map(MapFields.NameOf(declared)));

        /// <summary>The sockhash a field declares.</summary>
        public BpfSocketMapView<TKey> Map<TKey>(SockHashMap<TKey> declared)
            where TKey : unmanaged => new BpfSocketMapView<TKey>(Map(MapFields.NameOf(declared)));

        /// <summary>The reuseport socket array a field declares.</summary>
        public BpfSocketMapView<uint> Map(ReuseportSockArrayMap declared) => new BpfSocketMapView<uint>(Map(MapFields.NameOf(declared)));

        /// <summary>The cgroup array a field declares.</summary>
        public BpfCgroupArrayView Map(CgroupArrayMap declared) => new BpfCgroupArrayView(Map(MapFields.NameOf(declared)));

        /// <summary>The socket storage a field declares.</summary>
        public BpfLocalStorageView<TValue> Map<TValue>(SkStorageMap<TValue> declared)
            where TValue : unmanaged => new BpfLocalStorageView<TValue>(Map(MapFields.NameOf(declared)));

        /// <summary>The task storage a field declares (objects named by pidfd).</summary>
        public BpfLocalStorageView<TValue> Map<TValue>(TaskStorageMap<TValue> declared)
            where TValue : unmanaged => new BpfLocalStorageView<TValue>(Map(MapFields.NameOf(declared)));

        /// <summary>The inode storage a field declares (objects named by an open file).</summary>
        public BpfLocalStorageView<TValue> Map<TValue>(InodeStorageMap<TValue> declared)
            where TValue : unmanaged => new BpfLocalStorageView<TValue>(Map(MapFields.NameOf(declared)));

        /// <summary>The cgroup storage a field declares (objects named by an open cgroup directory).</summary>
        public BpfLocalStorageView<TValue> Map<TValue>(CgrpStorageMap<TValue> declared)
            where TValue : unmanaged => new BpfLocalStorageView<TValue>(Map(MapFields.NameOf(declared)));

        /// <summary>The bloom filter a field declares.</summary>
        public BpfBloomFilterView<TValue> Map<TValue>(BloomFilterMap<TValue> declared)
            where TValue : unmanaged => new BpfBloomFilterView<TValue>(Map(MapFields.NameOf(declared)));

        /// <summary>The stack trace map a field declares.</summary>
        public BpfStackTraceView Map(StackTraceMap declared) => new BpfStackTraceView(Map(MapFields.NameOf(declared)));

        /// <summary>The device map a field declares: interface indexes by slot.</summary>
        public BpfMapView<uint, uint> Map(DevMap declared) => new BpfMapView<uint, uint>(Map(MapFields.NameOf(declared)));

        /// <summary>The device hash map a field declares: interface indexes by key.</summary>
        public BpfMapView<uint, uint> Map(DevmapHashMap declared) => new BpfMapView<uint, uint>(Map(MapFields.NameOf(declared)));

        /// <summary>The CPU map a field declares: each CPU's queue size (0: not a redirect target).</summary>
        public BpfMapView<uint, uint> Map(CpuMap declared) => new BpfMapView<uint, uint>(Map(MapFields.NameOf(declared)));

        /// <summary>A program array by name.</summary>
        public BpfProgramArrayView ProgramArray(string name) => new BpfProgramArrayView(Map(name));

        /// <summary>A map of maps by name.</summary>
        public BpfMapOfMapsView<TKey> MapOfMaps<TKey>(string name)
            where TKey : unmanaged => new BpfMapOfMapsView<TKey>(Map(name));

        /// <summary>A sockmap, sockhash or reuseport array by name.</summary>
        public BpfSocketMapView<TKey> SocketMap<TKey>(string name)
            where TKey : unmanaged => new BpfSocketMapView<TKey>(Map(name));

        /// <summary>A cgroup array by name.</summary>
        public BpfCgroupArrayView CgroupArray(string name) => new BpfCgroupArrayView(Map(name));

        /// <summary>A socket, task, inode or cgroup storage map by name.</summary>
        public BpfLocalStorageView<TValue> LocalStorage<TValue>(string name)
            where TValue : unmanaged => new BpfLocalStorageView<TValue>(Map(name));

        /// <summary>A bloom filter by name.</summary>
        public BpfBloomFilterView<TValue> BloomFilter<TValue>(string name)
            where TValue : unmanaged => new BpfBloomFilterView<TValue>(Map(name));

        /// <summary>A stack trace map by name.</summary>
        public BpfStackTraceView StackTraces(string name) => new BpfStackTraceView(Map(name));

        /// <summary>
        /// The cgroup storage a field declares: one value per cgroup a program using it is attached to, keyed by the
        /// cgroup's id (the inode number of its directory); entries exist while such a program is attached.
        /// </summary>
        public BpfMapView<ulong, TValue> Map<TValue>(CgroupStorageMap<TValue> declared)
            where TValue : unmanaged => new BpfMapView<ulong, TValue>(Map(MapFields.NameOf(declared)));

        /// <summary>The per-CPU cgroup storage a field declares (see the cgroup storage above), one value per possible CPU.</summary>
        public BpfPerCpuMapView<ulong, TValue> Map<TValue>(PercpuCgroupStorageMap<TValue> declared)
            where TValue : unmanaged => new BpfPerCpuMapView<ulong, TValue>(Map(MapFields.NameOf(declared)));

        /// <summary>The LPM trie a field declares: lookups find the longest matching prefix.</summary>
        public BpfMapView<TKey, TValue> Map<TKey, TValue>(LpmTrieMap<TKey, TValue> declared)
            where TKey : unmanaged
            where TValue : unmanaged => new BpfMapView<TKey, TValue>(Map(MapFields.NameOf(declared)));
    }

    /// <summary>What the views of special maps share: type and size checks, descriptors as values, ids read back.</summary>
    internal static class MapKinds
    {
        /// <summary>
        /// Whether the kernel takes BTF key and value types for a map of this type. libbpf drops them up front for the
        /// others (the kernel would refuse the map, and a retry without BTF doubles the cost), and so does this loader.
        /// </summary>
        public static bool TakesBtf(BpfMapType type) => BpfSharp.Spec.KernelTypes.MapKindOf((int)type).TakesBtf;

        public static BpfLoadedMap Require(BpfLoadedMap map, string what, params BpfMapType[] types) =>
            Array.IndexOf(types, map.Type) >= 0 ? map : throw new BpfException($"map '{map.Name}' is {map.Type}, not {what} ({string.Join(" or ", types)})");

        public static void RequireKey<TKey>(BpfLoadedMap map)
            where TKey : unmanaged
        {
            if (map.KeySize != (uint)Unsafe.SizeOf<TKey>())
            {
                throw new BpfException($"map '{map.Name}' ({map.Type}) has {map.KeySize}-byte keys; {typeof(TKey).Name} is {Unsafe.SizeOf<TKey>()} bytes: use the key type the program declares");
            }
        }

        public static void RequireValue<TValue>(BpfLoadedMap map)
            where TValue : unmanaged
        {
            if (map.ValueSize != (uint)Unsafe.SizeOf<TValue>())
            {
                throw new BpfException($"map '{map.Name}' ({map.Type}) has {map.ValueSize}-byte values; {typeof(TValue).Name} is {Unsafe.SizeOf<TValue>()} bytes: use the value type the program declares");
            }
        }

        public static ReadOnlySpan<byte> Bytes<T>(ref T value)
            where T : unmanaged => MemoryMarshal.AsBytes(MemoryMarshal.CreateReadOnlySpan(ref value, 1));

        // A descriptor as the map's value: 4 bytes, or 8 where the map's values are 64-bit (socket maps).
        public static byte[] Descriptor(int fd, uint valueSize) =>
            valueSize == sizeof(ulong) ? BitConverter.GetBytes((ulong)fd) : BitConverter.GetBytes(fd);

        // Reading a descriptor map gives the id of the object in it (fd in, id out).
        public static bool TryGetId(BpfLoadedMap map, ReadOnlySpan<byte> key, out uint id)
        {
            id = 0;
            return map.TryLookup(key, MemoryMarshal.AsBytes(MemoryMarshal.CreateSpan(ref id, 1)));
        }

        // The handle stays open while the kernel uses its descriptor, even if another thread disposes it meanwhile.
        public static T WithDescriptor<T>(SafeHandle handle, Func<int, T> use)
        {
            using var lease = DescriptorLease.Of(handle, s_closedHandle);
            return use(lease.Fd);
        }

        private static readonly Func<SafeHandle, Exception> s_closedHandle = _ => new ObjectDisposedException("handle", "the handle given to name a kernel object is closed");

        public static void WithDescriptor(SafeHandle handle, Action<int> use) => WithDescriptor(handle, fd => { use(fd); return true; });
    }
}
