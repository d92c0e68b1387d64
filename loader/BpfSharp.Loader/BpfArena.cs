using System;
using System.Runtime.CompilerServices;
using BpfSharp.Loader.Native;

namespace BpfSharp
{
    /// <summary>
    /// An arena map's memory mapped into this process (<c>BPF_MAP_TYPE_ARENA</c>, Linux 6.9+): the pages BPF programs share
    /// with user space. The kernel places every mapping of one arena at the same address, and allocates a page on the
    /// first touch; what is written stays in the arena after the mapping is disposed. Map it once at a time in a process
    /// (another process must map it at <see cref="Address"/>).
    /// </summary>
    public sealed unsafe class BpfArena : IDisposable
    {
        private static readonly ConditionalWeakTable<BpfLoadedMap, StrongBox<nuint>> s_addresses = new ConditionalWeakTable<BpfLoadedMap, StrongBox<nuint>>();

        private readonly BpfLoadedMap _map;
        private byte* _memory;

        /// <summary>Maps the whole arena (its <c>max_entries</c> pages), readable and writable.</summary>
        public BpfArena(BpfLoadedMap map)
        {
            ArgumentNullException.ThrowIfNull(map);
            _map = MapKinds.Require(map, "an arena", BpfMapType.Arena);
            Length = checked((nuint)map.MaxEntries * (nuint)Environment.SystemPageSize);
            using var descriptor = map.Use();
            // The kernel fixes an arena's address at its first mapping: every later one must ask for exactly that address.
            var at = s_addresses.TryGetValue(map, out var known) ? (byte*)known.Value : null;
            _memory = Posix.Map(descriptor.Fd, Length, Posix.ProtRead | Posix.ProtWrite, 0, out var errno, at);
            if (_memory == null)
            {
                throw new BpfException($"arena '{map.Name}' could not be mapped: {BpfSyscall.Describe(errno)}" + (errno is Errno.Busy or Errno.Exists ? " (it is mapped already: one mapping at a time)" : string.Empty), errno);
            }

            s_addresses.AddOrUpdate(map, new StrongBox<nuint>((nuint)_memory));
        }

        /// <summary>The arena's size in bytes.</summary>
        public nuint Length { get; }

        /// <summary>Where the arena starts in this process (the address BPF programs' arena pointers are relative to).</summary>
        public nuint Address => (nuint)Start();

        /// <summary>The arena's bytes (at most 2 GiB of them as a span).</summary>
        public Span<byte> Memory => new Span<byte>(Start(), (int)Math.Min(Length, (nuint)int.MaxValue));

        private byte* Start() => _memory != null ? _memory : throw new ObjectDisposedException(_map.Name, $"the mapping of arena '{_map.Name}' is disposed");

        /// <summary>Unmaps the memory; the arena keeps its pages.</summary>
        public void Dispose()
        {
            Posix.Unmap(_memory, Length);
            _memory = null;
        }
    }

    public sealed partial class BpfObject
    {
        /// <summary>The memory of the arena a field declares, mapped into this process; dispose it before the object.</summary>
        public BpfArena Map(ArenaMap declared) => new BpfArena(Map(MapFields.NameOf(declared)));

        /// <summary>The memory of an arena map by name.</summary>
        public BpfArena Arena(string name) => new BpfArena(Map(name));
    }
}
