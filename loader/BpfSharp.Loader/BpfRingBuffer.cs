using System;
using System.Collections.Generic;
using System.Threading;
using BpfSharp.Loader.Native;

namespace BpfSharp
{
    /// <summary>
    /// The user-space end of a ring-buffer map (<c>BPF_MAP_TYPE_RINGBUF</c>): the records programs submit with
    /// <c>bpf_ringbuf_output</c>/<c>submit</c>, in order, read from the kernel's shared pages without a system call per record.
    /// Not thread-safe: one reader per ring buffer (the kernel has one consumer position).
    /// </summary>
    public sealed unsafe class BpfRingBuffer : IDisposable
    {
        private const uint Busy = 1u << 31; // BPF_RINGBUF_BUSY_BIT: the producer has not committed the record yet
        private const uint Discarded = 1u << 30; // BPF_RINGBUF_DISCARD_BIT
        private const int HeaderSize = 8; // BPF_RINGBUF_HDR_SZ

        private readonly BpfLoadedMap _map;
        private readonly nuint _pageSize;
        private readonly ulong _mask;
        private byte* _consumer;
        private byte* _producer;

        /// <summary>A reader of a loaded ring buffer: one of an object, or one opened from its pin (<see cref="BpfLoadedMap.OpenPinned"/>).</summary>
        public BpfRingBuffer(BpfLoadedMap map)
        {
            ArgumentNullException.ThrowIfNull(map);
            if (map.Type != BpfMapType.Ringbuf)
            {
                throw new BpfException($"map '{map.Name}' is {map.Type}, not a ring buffer");
            }

            _map = map;
            _pageSize = (nuint)Environment.SystemPageSize;
            _mask = map.MaxEntries - 1UL;

            // The consumer page is ours to write; the producer page and the data (mapped twice, so a record never wraps) are read-only.
            _consumer = Map(_pageSize, Protection.Read | Protection.Write, 0);
            _producer = Map(_pageSize + (2 * (nuint)map.MaxEntries), Protection.Read, (long)_pageSize);
        }

        /// <summary>The map read.</summary>
        public string Name => _map.Name;

        internal int[] Descriptors() => [_map.Fd];

        /// <summary>Hands every committed record to <paramref name="handler"/>, oldest first; returns how many there were.</summary>
        public int Drain(Action<ReadOnlySpan<byte>> handler)
        {
            var count = 0;
            while (TryPeek(out var record, out var size))
            {
                handler(new ReadOnlySpan<byte>(record, size));
                Advance(size);
                count++;
            }

            return count;
        }

        /// <summary>
        /// The oldest committed record, left in place until <see cref="Advance"/> (discarded ones are skipped); false when
        /// there is none yet, or the oldest is reserved and not yet submitted (later records wait behind it).
        /// </summary>
        internal bool TryPeek(out byte* record, out int size)
        {
            ObjectDisposedException.ThrowIf(_consumer == null, this);
            var consumed = Volatile.Read(ref *(ulong*)_consumer);
            while (consumed < Volatile.Read(ref *(ulong*)_producer))
            {
                var header = _producer + _pageSize + (nuint)(consumed & _mask);
                var length = Volatile.Read(ref *(uint*)header);
                if ((length & Busy) != 0)
                {
                    break;
                }

                var bytes = length & ~(Busy | Discarded);
                if ((length & Discarded) == 0)
                {
                    record = header + HeaderSize;
                    size = (int)bytes;
                    return true;
                }

                consumed += (bytes + HeaderSize + 7) & ~7UL;
                Volatile.Write(ref *(ulong*)_consumer, consumed);
            }

            record = null;
            size = 0;
            return false;
        }

        /// <summary>Gives the oldest record's space back to the producers (<paramref name="size"/> as <see cref="TryPeek"/> said).</summary>
        internal void Advance(int size)
        {
            var consumed = Volatile.Read(ref *(ulong*)_consumer);
            Volatile.Write(ref *(ulong*)_consumer, consumed + (((ulong)size + HeaderSize + 7) & ~7UL));
        }

        /// <summary>Waits up to <paramref name="timeout"/> for records, then drains them; returns how many were handled.</summary>
        public int Poll(Action<ReadOnlySpan<byte>> handler, TimeSpan timeout)
        {
            var handled = Drain(handler);
            if (handled > 0)
            {
                return handled;
            }

            using (var map = _map.Use())
            {
                Span<Posix.PollDescriptor> descriptor = stackalloc Posix.PollDescriptor[1];
                descriptor[0] = new Posix.PollDescriptor { Fd = map.Fd, Events = Posix.PollIn };
                _ = Posix.Poll(descriptor, Posix.Milliseconds(timeout), out _);
            }

            return Drain(handler);
        }

        /// <summary>The records as they arrive (a copy each), until <paramref name="cancellationToken"/> is cancelled, which ends the enumeration with <see cref="OperationCanceledException"/>.</summary>
        public IAsyncEnumerable<byte[]> ReadAllAsync(CancellationToken cancellationToken = default) =>
            new RingBufferRecords<byte[], ByteRecords>(this, cancellationToken);

        public void Dispose()
        {
            if (_consumer != null)
            {
                Posix.Unmap(_consumer, _pageSize);
                Posix.Unmap(_producer, _pageSize + (2 * (nuint)_map.MaxEntries));
                _consumer = null;
                _producer = null;
            }
        }

        private byte* Map(nuint length, Protection protection, long offset)
        {
            var address = Posix.Map(_map.Fd, length, (int)protection, offset, out var errno);
            if (address == null)
            {
                Dispose();
                throw new BpfException($"ring buffer '{_map.Name}' could not be mapped: {Loader.Native.BpfSyscall.Describe(errno)}", errno);
            }

            return address;
        }

        [Flags]
        private enum Protection
        {
            Read = 1,
            Write = 2,
        }
    }

    public sealed partial class BpfObject
    {
        /// <summary>A reader of the ring buffer a field declares (<c>bpf.RingBuffer(Events)</c>); dispose it before the object.</summary>
        public BpfRingBuffer RingBuffer(RingBufMap declared) => new BpfRingBuffer(Map(MapFields.NameOf(declared)));

        /// <summary>A reader of a ring-buffer map by name.</summary>
        public BpfRingBuffer RingBuffer(string name) => new BpfRingBuffer(Map(name));

        /// <summary>A ring buffer map whose records are all one struct, each read as a <typeparamref name="TRecord"/>.</summary>
        public BpfRingBuffer<TRecord> RingBuffer<TRecord>(RingBufMap declared)
            where TRecord : unmanaged => new BpfRingBuffer<TRecord>(RingBuffer(declared));

        /// <summary>A ring buffer map by name whose records are all one struct, each read as a <typeparamref name="TRecord"/>.</summary>
        public BpfRingBuffer<TRecord> RingBuffer<TRecord>(string name)
            where TRecord : unmanaged => new BpfRingBuffer<TRecord>(RingBuffer(name));
    }
}
