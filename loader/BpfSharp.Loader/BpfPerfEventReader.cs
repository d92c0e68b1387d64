using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using BpfSharp.Loader.Native;

namespace BpfSharp
{
    /// <summary>A record a program output to a perf event array, copied out, with the CPU it was output on.</summary>
    /// <param name="Cpu">The CPU whose buffer held the record.</param>
    /// <param name="Data">The sample's raw bytes (see <see cref="BpfPerfEventReader"/> on their size).</param>
    public readonly record struct BpfPerfRecord(int Cpu, byte[] Data);

    /// <summary>
    /// The user-space end of a perf event array (<c>BPF_MAP_TYPE_PERF_EVENT_ARRAY</c>): one <c>BPF_OUTPUT</c> perf event
    /// per online CPU, each with its own mapped buffer, installed in the map at the CPU's index so that
    /// <c>bpf_perf_event_output(ctx, map, BPF_F_CURRENT_CPU, data, size)</c> lands in the buffer of the CPU it runs on.
    /// Records are in order per CPU, not across CPUs. A full buffer drops what is output and counts it, reported in
    /// <see cref="LostCount"/> once the kernel next writes to that buffer.
    /// <para>
    /// A record's bytes are the sample's raw data as the kernel stores it: what the program passed, then padding to a
    /// multiple of 8 bytes less 4 (the kernel keeps the <c>u32</c> size and the data together 8-byte aligned): 8 bytes
    /// output arrive as 12, 24 as 28, 4 as 4. The padding is not zeroed (the kernel skips over it, leaving what an earlier
    /// record left there) and the program's own length is not recorded: put it in the data when it varies.
    /// </para>
    /// <para>Not thread-safe; one reader per map at a time (the map has one slot per CPU).</para>
    /// </summary>
    public sealed unsafe class BpfPerfEventReader : IDisposable
    {
        private const uint RecordLost = 2; // PERF_RECORD_LOST: u64 id, u64 lost
        private const uint RecordSample = 9; // PERF_RECORD_SAMPLE: with PERF_SAMPLE_RAW only, u32 size then the raw bytes
        private const int HeaderSize = 8; // struct perf_event_header: u32 type, u16 misc, u16 size

        // struct perf_event_mmap_page: the offsets of data_head, data_tail, data_offset and data_size.
        private const int HeadAt = 1024;
        private const int TailAt = 1032;
        private const int DataOffsetAt = 1040;
        private const int DataSizeAt = 1048;

        private static readonly ConditionalWeakTable<BpfLoadedMap, BpfPerfEventReader> s_readers = new ConditionalWeakTable<BpfLoadedMap, BpfPerfEventReader>();

        private readonly BpfLoadedMap _map;
        private readonly List<CpuBuffer> _buffers = new List<CpuBuffer>();
        private byte[] _scratch = new byte[256];
        private bool _disposed;

        /// <summary>A reader of a loaded perf event array: one of an object, or one opened from its pin (<see cref="BpfLoadedMap.OpenPinned"/>).</summary>
        public BpfPerfEventReader(BpfLoadedMap map, int pagesPerCpu = 8)
        {
            ArgumentNullException.ThrowIfNull(map);
            if (pagesPerCpu <= 0 || (pagesPerCpu & (pagesPerCpu - 1)) != 0)
            {
                throw new ArgumentException($"pagesPerCpu must be a power of two (1, 2, 4, 8, ...), not {pagesPerCpu}: the kernel maps perf buffers only so", nameof(pagesPerCpu));
            }

            if (map.Type != BpfMapType.PerfEventArray)
            {
                throw new BpfException($"map '{map.Name}' is {map.Type}, not a perf event array" + (map.Type == BpfMapType.Ringbuf ? ": read it with RingBuffer()" : string.Empty));
            }

            _map = map;
            Cpus = CpuList.Online();
            lock (s_readers)
            {
                if (s_readers.TryGetValue(map, out var open) && !open._disposed)
                {
                    throw new InvalidOperationException($"perf event array '{map.Name}' already has an open reader: dispose it first (each CPU's slot holds one event)");
                }

                s_readers.AddOrUpdate(map, this);
            }

            try
            {
                var pageSize = (nuint)Environment.SystemPageSize;
                foreach (var cpu in Cpus)
                {
                    if (cpu >= map.MaxEntries)
                    {
                        throw new BpfException($"perf event array '{map.Name}' has {map.MaxEntries} entries but CPU {cpu} is online: output on it would fail; declare at least one entry per possible CPU");
                    }

                    _buffers.Add(Open(cpu, pageSize * (nuint)(1 + pagesPerCpu)));
                }
            }
            catch
            {
                Dispose();
                throw;
            }
        }

        /// <summary>The map read.</summary>
        public string Name => _map.Name;

        /// <summary>The CPUs read: those online when the reader was opened (a CPU brought online later is not read).</summary>
        public IReadOnlyList<int> Cpus { get; }

        /// <summary>Records the kernel dropped because a buffer was full, as it has reported them so far.</summary>
        public long LostCount { get; private set; }

        /// <summary>
        /// Hands every record written so far to <paramref name="handler"/> (the CPU, the sample's raw bytes), oldest first on
        /// each CPU; <paramref name="lost"/> hears of dropped records (the CPU, how many). Returns how many records were handled.
        /// The span is valid only during the call.
        /// </summary>
        public int Drain(Action<int, ReadOnlySpan<byte>> handler, Action<int, long>? lost = null)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            ArgumentNullException.ThrowIfNull(handler);
            var count = 0;
            foreach (var buffer in _buffers)
            {
                count += Drain(buffer, handler, lost);
            }

            return count;
        }

        /// <summary>
        /// Waits up to <paramref name="timeout"/> (<see cref="Timeout.InfiniteTimeSpan"/>: until there are some) for records
        /// on any CPU, then drains them; returns how many were handled.
        /// </summary>
        public int Poll(Action<int, ReadOnlySpan<byte>> handler, TimeSpan timeout, Action<int, long>? lost = null)
        {
            var handled = Drain(handler, lost);
            if (handled > 0)
            {
                return handled;
            }

            Span<Posix.PollDescriptor> descriptors = _buffers.Count <= 64 ? stackalloc Posix.PollDescriptor[_buffers.Count] : new Posix.PollDescriptor[_buffers.Count];
            for (var i = 0; i < _buffers.Count; i++)
            {
                descriptors[i] = new Posix.PollDescriptor { Fd = _buffers[i].Fd, Events = Posix.PollIn };
            }

            if (Posix.Poll(descriptors, Posix.Milliseconds(timeout), out var errno) < 0 && errno != Errno.Interrupted)
            {
                throw new BpfException($"poll on the perf events of '{Name}' failed: {BpfSyscall.Describe(errno)}", errno);
            }

            return Drain(handler, lost);
        }

        /// <summary>The records as they arrive (a copy each, with its CPU), until <paramref name="cancellationToken"/> is cancelled, which ends the enumeration with <see cref="OperationCanceledException"/>.</summary>
        public IAsyncEnumerable<BpfPerfRecord> ReadAllAsync(CancellationToken cancellationToken = default) =>
            PollingReader.ReadAllAsync<BpfPerfRecord>(() => _buffers.Select(buffer => buffer.Fd).ToArray(), $"perf events of '{Name}'", batch => Drain((cpu, record) => batch.Add(new BpfPerfRecord(cpu, record.ToArray()))), cancellationToken);

        /// <summary>Takes the events out of the map, unmaps their buffers and closes them.</summary>
        public void Dispose()
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            foreach (var buffer in _buffers)
            {
                if (buffer.Installed)
                {
                    // The map holds the event too: emptying the slot stops output into a buffer no one reads.
                    try
                    {
                        _map.Delete(BitConverter.GetBytes((uint)buffer.Cpu));
                    }
                    catch (Exception e) when (e is ObjectDisposedException or BpfException)
                    {
                        // The object went first: its map, and the events with it, are gone already.
                    }
                }

                Posix.Unmap(buffer.Mapping, buffer.MappingLength);
                BpfSyscall.Close(buffer.Fd);
            }

            _buffers.Clear();
            lock (s_readers)
            {
                if (s_readers.TryGetValue(_map, out var open) && ReferenceEquals(open, this))
                {
                    s_readers.Remove(_map);
                }
            }
        }

        // Opens one CPU's event, maps its buffer, enables it and installs it; each step recorded in the buffer, which the
        // caller adds to _buffers only when it is whole, so a failure here undoes what this call did.
        private CpuBuffer Open(int cpu, nuint mappingLength)
        {
            var buffer = new CpuBuffer { Cpu = cpu, Fd = PerfEventSyscall.OpenBpfOutput(cpu, out var errno) };
            if (buffer.Fd < 0)
            {
                throw new BpfException($"the perf event for CPU {cpu} of '{Name}' could not be opened: {BpfSyscall.Describe(errno)}" + (errno is Errno.NotPermitted or Errno.AccessDenied ? " (needs CAP_PERFMON or CAP_SYS_ADMIN, or a lower kernel.perf_event_paranoid)" : string.Empty), errno);
            }

            try
            {
                buffer.Mapping = Posix.Map(buffer.Fd, mappingLength, Posix.ProtRead | Posix.ProtWrite, 0, out errno);
                if (buffer.Mapping == null)
                {
                    throw new BpfException($"the perf buffer for CPU {cpu} of '{Name}' ({mappingLength} bytes) could not be mapped: {BpfSyscall.Describe(errno)}" + (errno is Errno.NotPermitted or Errno.OutOfMemory ? " (over the locked-memory limit? see kernel.perf_event_mlock_kb and RLIMIT_MEMLOCK; try fewer pages)" : string.Empty), errno);
                }

                buffer.MappingLength = mappingLength;

                // The kernel says where the data is; kernels before 4.1 leave it zero and put it after the first page.
                var page = (ulong)Environment.SystemPageSize;
                var offset = *(ulong*)(buffer.Mapping + DataOffsetAt);
                var size = *(ulong*)(buffer.Mapping + DataSizeAt);
                buffer.Data = buffer.Mapping + (offset != 0 ? offset : page);
                buffer.Size = size != 0 ? size : mappingLength - page;

                if (PerfEventSyscall.Enable(buffer.Fd, out errno) < 0)
                {
                    throw new BpfException($"the perf event for CPU {cpu} of '{Name}' could not be enabled: {BpfSyscall.Describe(errno)}", errno);
                }

                _map.Update(BitConverter.GetBytes((uint)cpu), BitConverter.GetBytes(buffer.Fd));
                buffer.Installed = true;
                return buffer;
            }
            catch
            {
                Posix.Unmap(buffer.Mapping, buffer.MappingLength);
                BpfSyscall.Close(buffer.Fd);
                throw;
            }
        }

        private int Drain(CpuBuffer buffer, Action<int, ReadOnlySpan<byte>> handler, Action<int, long>? lost)
        {
            // data_head with acquire semantics: the records before it are written. Only this reader writes data_tail.
            var head = Volatile.Read(ref *(ulong*)(buffer.Mapping + HeadAt));
            var tail = *(ulong*)(buffer.Mapping + TailAt);
            var count = 0;
            Span<byte> header = stackalloc byte[HeaderSize];
            while (tail < head)
            {
                Copy(buffer, tail, header);
                var type = BitConverter.ToUInt32(header);
                var size = BitConverter.ToUInt16(header.Slice(6));
                if (size < HeaderSize || size > head - tail)
                {
                    Publish(buffer, head); // unreadable: give the rest back rather than read past what was written
                    throw new BpfException($"the perf buffer for CPU {buffer.Cpu} of '{Name}' holds a record of {size} bytes with {head - tail} written: its data is corrupt");
                }

                var record = Contiguous(buffer, tail, size);
                if (type == RecordSample && size >= HeaderSize + 4)
                {
                    var raw = BitConverter.ToUInt32(record.Slice(HeaderSize));
                    handler(buffer.Cpu, record.Slice(HeaderSize + 4, (int)Math.Min(raw, (uint)(size - HeaderSize - 4))));
                    count++;
                }
                else if (type == RecordLost && size >= HeaderSize + 16)
                {
                    var dropped = (long)BitConverter.ToUInt64(record.Slice(HeaderSize + 8));
                    LostCount += dropped;
                    lost?.Invoke(buffer.Cpu, dropped);
                }

                // After the handler: the record's memory stays the reader's while it is handled.
                tail += size;
                Publish(buffer, tail);
            }

            return count;
        }

        // data_tail with release semantics: our reads of the records before it are done before the kernel may reuse them.
        private static void Publish(CpuBuffer buffer, ulong tail) => Volatile.Write(ref *(ulong*)(buffer.Mapping + TailAt), tail);

        // A record in one piece: in place when it does not cross the end of the data area, else copied out in two parts.
        private ReadOnlySpan<byte> Contiguous(CpuBuffer buffer, ulong position, int length)
        {
            var offset = position % buffer.Size;
            if (offset + (ulong)length <= buffer.Size)
            {
                return new ReadOnlySpan<byte>(buffer.Data + offset, length);
            }

            if (_scratch.Length < length)
            {
                _scratch = new byte[Math.Max(length, _scratch.Length * 2)];
            }

            var span = _scratch.AsSpan(0, length);
            Copy(buffer, position, span);
            return span;
        }

        private static void Copy(CpuBuffer buffer, ulong position, Span<byte> destination)
        {
            var offset = position % buffer.Size;
            var first = (int)Math.Min((ulong)destination.Length, buffer.Size - offset);
            new ReadOnlySpan<byte>(buffer.Data + offset, first).CopyTo(destination);
            new ReadOnlySpan<byte>(buffer.Data, destination.Length - first).CopyTo(destination.Slice(first));
        }

        private sealed class CpuBuffer
        {
            public int Cpu;
            public int Fd = -1;
            public byte* Mapping;
            public nuint MappingLength;
            public byte* Data;
            public ulong Size;
            public bool Installed;
        }
    }

    public sealed partial class BpfObject
    {
        /// <summary>
        /// A reader of the perf event array a field declares (<c>bpf.PerfEvents(Events)</c>): a buffer of
        /// <paramref name="pagesPerCpu"/> pages (a power of two) for each online CPU. Dispose it before the object.
        /// </summary>
        public BpfPerfEventReader PerfEvents(PerfEventArrayMap declared, int pagesPerCpu = 8)
        {
            ArgumentNullException.ThrowIfNull(declared);
            return new BpfPerfEventReader(Map(MapFields.NameOf(declared)), pagesPerCpu);
        }

        /// <summary>A reader of a perf event array by name.</summary>
        public BpfPerfEventReader PerfEvents(string mapName, int pagesPerCpu = 8) => new BpfPerfEventReader(Map(mapName), pagesPerCpu);
    }
}
