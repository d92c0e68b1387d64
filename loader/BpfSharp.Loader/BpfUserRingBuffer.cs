using System;
using System.Threading;
using BpfSharp.Loader.Native;

namespace BpfSharp
{
    /// <summary>
    /// The user-space end of a user ring buffer (<c>BPF_MAP_TYPE_USER_RINGBUF</c>, Linux 6.1+): records written here are
    /// drained by programs with <c>bpf_user_ringbuf_drain</c>, in order. The records go straight into the kernel's shared
    /// pages, without a system call. Not thread-safe: one writer per user ring buffer (the kernel has one producer position).
    /// </summary>
    public sealed unsafe class BpfUserRingBuffer : IDisposable
    {
        private const int HeaderSize = 8; // BPF_RINGBUF_HDR_SZ: the length, then a word the kernel does not read here

        private readonly BpfLoadedMap _map;
        private readonly nuint _pageSize;
        private byte* _consumer;
        private byte* _producer;

        /// <summary>A writer of a loaded user ring buffer: one of an object, or one opened from its pin (<see cref="BpfLoadedMap.OpenPinned"/>).</summary>
        public BpfUserRingBuffer(BpfLoadedMap map)
        {
            ArgumentNullException.ThrowIfNull(map);
            _map = MapKinds.Require(map, "a user ring buffer", BpfMapType.UserRingbuf);
            _pageSize = (nuint)Environment.SystemPageSize;

            // The kernel's consumer position is read-only here; the producer page and the data (mapped twice, so a record
            // never wraps in this process's view) are ours to write.
            using var descriptor = map.Use();
            _consumer = Posix.Map(descriptor.Fd, _pageSize, Posix.ProtRead, 0, out var errno);
            _producer = _consumer == null ? null : Posix.Map(descriptor.Fd, _pageSize + (2 * (nuint)map.MaxEntries), Posix.ProtRead | Posix.ProtWrite, (long)_pageSize, out errno);
            if (_producer == null)
            {
                Dispose();
                throw new BpfException($"user ring buffer '{map.Name}' could not be mapped: {BpfSyscall.Describe(errno)}", errno);
            }
        }

        /// <summary>The map written.</summary>
        public string Name => _map.Name;

        /// <summary>The bytes of the ring not yet drained by a program (headers and padding included).</summary>
        public long Pending => (long)(Volatile.Read(ref *(ulong*)Producer()) - Volatile.Read(ref *(ulong*)_consumer));

        /// <summary>Adds a record for programs to drain; false when the ring has no room for it until they drain some.</summary>
        public bool TryWrite(ReadOnlySpan<byte> record)
        {
            var producer = Producer();
            var total = (ulong)((record.Length + HeaderSize + 7) & ~7);
            if (record.IsEmpty || total > _map.MaxEntries)
            {
                throw new ArgumentException($"a record of user ring buffer '{_map.Name}' must have 1 to {_map.MaxEntries - HeaderSize} bytes, not {record.Length}", nameof(record));
            }

            var produced = *(ulong*)producer; // only this writer moves it
            if (produced + total - Volatile.Read(ref *(ulong*)_consumer) > _map.MaxEntries)
            {
                return false;
            }

            var header = producer + _pageSize + (nuint)(produced & (_map.MaxEntries - 1UL));
            *(uint*)header = (uint)record.Length;
            *(uint*)(header + 4) = 0;
            record.CopyTo(new Span<byte>(header + HeaderSize, record.Length));

            // Published with release semantics: the kernel reads the position, then the record behind it.
            Volatile.Write(ref *(ulong*)producer, produced + total);
            return true;
        }

        /// <summary>Adds a record, or throws when the ring is full.</summary>
        public void Write(ReadOnlySpan<byte> record)
        {
            if (!TryWrite(record))
            {
                throw new BpfException($"user ring buffer '{_map.Name}' is full ({Pending} of {_map.MaxEntries} bytes wait to be drained by a program)");
            }
        }

        private byte* Producer() => _producer != null ? _producer : throw new ObjectDisposedException(_map.Name, $"the writer of user ring buffer '{_map.Name}' is disposed");

        /// <summary>Unmaps the ring; what was written stays for programs to drain.</summary>
        public void Dispose()
        {
            Posix.Unmap(_consumer, _pageSize);
            Posix.Unmap(_producer, _pageSize + (2 * (nuint)_map.MaxEntries));
            _consumer = null;
            _producer = null;
        }
    }

    public sealed partial class BpfObject
    {
        /// <summary>A writer of the user ring buffer a field declares; dispose it before the object.</summary>
        public BpfUserRingBuffer Map(UserRingBufMap declared) => new BpfUserRingBuffer(Map(MapFields.NameOf(declared)));

        /// <summary>A writer of a user ring buffer by name.</summary>
        public BpfUserRingBuffer UserRingBuffer(string name) => new BpfUserRingBuffer(Map(name));
    }
}
