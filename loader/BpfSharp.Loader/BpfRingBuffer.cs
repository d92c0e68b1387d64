using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;

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

        internal BpfRingBuffer(BpfLoadedMap map)
        {
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

        /// <summary>Hands every committed record to <paramref name="handler"/>, oldest first; returns how many there were.</summary>
        public int Drain(Action<ReadOnlySpan<byte>> handler)
        {
            ObjectDisposedException.ThrowIf(_consumer == null, this);
            var count = 0;
            var consumed = Volatile.Read(ref *(ulong*)_consumer);
            while (true)
            {
                var produced = Volatile.Read(ref *(ulong*)_producer);
                if (consumed >= produced)
                {
                    return count;
                }

                var header = _producer + _pageSize + (nuint)(consumed & _mask);
                var length = Volatile.Read(ref *(uint*)header);
                if ((length & Busy) != 0)
                {
                    return count; // reserved, not yet submitted: later records wait behind it
                }

                var size = length & ~(Busy | Discarded);
                if ((length & Discarded) == 0)
                {
                    handler(new ReadOnlySpan<byte>(header + HeaderSize, (int)size));
                    count++;
                }

                consumed += (size + HeaderSize + 7) & ~7UL;
                Volatile.Write(ref *(ulong*)_consumer, consumed);
            }
        }

        /// <summary>Waits up to <paramref name="timeout"/> for records, then drains them; returns how many were handled.</summary>
        public int Poll(Action<ReadOnlySpan<byte>> handler, TimeSpan timeout)
        {
            var handled = Drain(handler);
            if (handled > 0)
            {
                return handled;
            }

            var descriptor = new PollDescriptor { Fd = _map.Fd, Events = PollIn };
            _ = poll(&descriptor, 1, (int)Math.Clamp(timeout.TotalMilliseconds, 0, int.MaxValue));
            return Drain(handler);
        }

        /// <summary>The records as they arrive (a copy each), until <paramref name="cancellationToken"/> is cancelled.</summary>
        public async IAsyncEnumerable<byte[]> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            var batch = new List<byte[]>();
            while (!cancellationToken.IsCancellationRequested)
            {
                batch.Clear();
                if (Drain(record => batch.Add(record.ToArray())) == 0)
                {
                    // poll() would block a thread-pool thread; a short sleep keeps the enumerator cancellable and cheap.
                    try
                    {
                        await Task.Delay(5, cancellationToken).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        yield break;
                    }

                    continue;
                }

                foreach (var record in batch)
                {
                    yield return record;
                }
            }
        }

        public void Dispose()
        {
            if (_consumer != null)
            {
                _ = munmap(_consumer, _pageSize);
                _ = munmap(_producer, _pageSize + (2 * (nuint)_map.MaxEntries));
                _consumer = null;
                _producer = null;
            }
        }

        private byte* Map(nuint length, Protection protection, long offset)
        {
            var address = mmap(null, length, (int)protection, MapShared, _map.Fd, offset);
            if (address == (void*)-1)
            {
                var errno = Marshal.GetLastPInvokeError();
                Dispose();
                throw new BpfException($"ring buffer '{_map.Name}' could not be mapped: {Loader.Native.BpfSyscall.Describe(errno)}", errno);
            }

            return (byte*)address;
        }

        [Flags]
        private enum Protection
        {
            Read = 1,
            Write = 2,
        }

        private const int MapShared = 1;
        private const short PollIn = 1;

        [StructLayout(LayoutKind.Sequential)]
        private struct PollDescriptor
        {
            public int Fd;
            public short Events;
            public short ReturnedEvents;
        }

        [DllImport("libc", SetLastError = true)]
        private static extern void* mmap(void* address, nuint length, int protection, int flags, int fd, long offset);

        [DllImport("libc", SetLastError = true)]
        private static extern int munmap(void* address, nuint length);

        [DllImport("libc", SetLastError = true)]
        private static extern int poll(PollDescriptor* descriptors, nuint count, int timeout);
    }

    public sealed partial class BpfObject
    {
        /// <summary>A reader of the ring buffer a field declares (<c>bpf.RingBuffer(Events)</c>); dispose it before the object.</summary>
        public BpfRingBuffer RingBuffer(RingBufMap declared) => new BpfRingBuffer(Map(MapFields.NameOf(declared)));

        /// <summary>A reader of a ring-buffer map by name.</summary>
        public BpfRingBuffer RingBuffer(string name) => new BpfRingBuffer(Map(name));
    }
}
