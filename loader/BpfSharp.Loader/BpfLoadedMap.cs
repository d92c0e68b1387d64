using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using BpfSharp.Loader.Native;

namespace BpfSharp
{
    /// <summary>A map of a loaded <see cref="BpfObject"/>: its kernel description and raw byte access.</summary>
    public sealed class BpfLoadedMap : IDisposable
    {
        private readonly KernelDescriptor _descriptor;

        internal BpfLoadedMap(string name, int fd, int type, uint keySize, uint valueSize, uint maxEntries, uint flags)
        {
            Name = name;
            _descriptor = new KernelDescriptor(fd, $"map '{name}'");
            Type = (BpfMapType)type;
            Kind = BpfSharp.Spec.KernelTypes.MapKindOf(type);
            KeySize = keySize;
            ValueSize = valueSize;
            MaxEntries = maxEntries;
            Flags = flags;
        }

        public string Name { get; }

        public BpfMapType Type { get; }

        public uint KeySize { get; }

        public uint ValueSize { get; }

        public uint MaxEntries { get; }

        public uint Flags { get; }

        /// <summary>Where the map is pinned: by name (<c>[BpfPinned]</c>), or the path it was opened from (<see cref="OpenPinned"/>); else null.</summary>
        public string? PinPath { get; init; }

        /// <summary>Whether the map existed before: found pinned by the load (instead of created), or opened from its pin.</summary>
        public bool Reused { get; init; }

        /// <summary>Pins the map at a path in bpffs: it outlives the object (and the process) until the file is deleted.</summary>
        public void Pin(string path)
        {
            using var descriptor = Use();
            Pinning.Pin(descriptor.Fd, path, $"map '{Name}'");
        }

        /// <summary>The map's file descriptor (owned by the object: valid while the object is not disposed).</summary>
        public int Fd => _descriptor.Number;

        // The descriptor held open for one call, however other threads dispose the object meanwhile.
        internal DescriptorLease Use() => _descriptor.Use();

        /// <summary>
        /// Reads the value under a key into <paramref name="value"/>; false when there is none. A per-CPU map's value is one
        /// value per possible CPU, each padded to 8 bytes.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public bool TryLookup(ReadOnlySpan<byte> key, Span<byte> value)
        {
            CheckSizes(key.Length, value.Length, "look up", ElementValueBytes);
            return TryLookupRaw(key, value);
        }

        // Without the size check: per-CPU values are one padded value per possible CPU (checked by the per-CPU view).
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        internal bool TryLookupRaw(ReadOnlySpan<byte> key, Span<byte> value) => Found(BpfCommand.MapLookupElem, key, value, "lookup");

        /// <summary>
        /// Writes a value under a key; <paramref name="flags"/> is BPF_ANY, BPF_NOEXIST or BPF_EXIST. A per-CPU map's value
        /// is one value per possible CPU, each padded to 8 bytes.
        /// </summary>
        public void Update(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, ulong flags = 0)
        {
            CheckSizes(key.Length, value.Length, "update", ElementValueBytes);
            UpdateRaw(key, value, flags);
        }

        internal void UpdateRaw(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, ulong flags)
        {
            // The kernel only reads an update's value: no copy is needed to hand it over as a writable span.
            var readOnly = MemoryMarshal.CreateSpan(ref MemoryMarshal.GetReference(value), value.Length);
            using var descriptor = Use();
            if (KernelObjects.MapElement(BpfCommand.MapUpdateElem, descriptor.Fd, key, readOnly, flags, out var errno) < 0)
            {
                throw Failure("update", errno);
            }
        }

        /// <summary>Removes the entry under the key; false when there was none.</summary>
        public bool Delete(ReadOnlySpan<byte> key)
        {
            CheckSizes(key.Length, (int)ValueSize, "delete from");
            return Found(BpfCommand.MapDeleteElem, key, Span<byte>.Empty, "delete");
        }

        /// <summary>The keys, in the kernel's order (BPF_MAP_GET_NEXT_KEY from the first).</summary>
        internal IEnumerable<TKey> Keys<TKey>()
            where TKey : unmanaged
        {
            var key = new byte[KeySize];
            var hasKey = false;
            while (NextKey(hasKey ? key : null, key))
            {
                hasKey = true;
                yield return MemoryMarshal.Read<TKey>(key);
            }
        }

        /// <summary>The key after <paramref name="key"/> (the first when it is null) into <paramref name="next"/>; false after the last.</summary>
        public bool NextKey(byte[]? key, byte[] next)
        {
            CheckSizes(next.Length, (int)ValueSize, "walk");
            return Found(BpfCommand.MapGetNextKey, key is null ? null : (byte[])key.Clone(), next, "key walk");
        }

        /// <summary>Takes a queue's or stack's next value into <paramref name="value"/>; false when empty.</summary>
        public bool Pop(Span<byte> value)
        {
            CheckSizes(0, value.Length, "pop from");
            return Found(BpfCommand.MapLookupAndDeleteElem, ReadOnlySpan<byte>.Empty, value, "pop");
        }

        /// <summary>What one batch command ended with.</summary>
        internal enum BatchOutcome
        {
            /// <summary>Entries copied; more may follow from the position written to the out token.</summary>
            More,

            /// <summary>The last entries (possibly none) were copied: the kernel said ENOENT.</summary>
            Last,

            /// <summary>Nothing copied: the next hash bucket holds more entries than the batch has room for (ENOSPC).</summary>
            TooSmall,

            /// <summary>The kernel has no such batch command for this map type, or none at all (nothing copied).</summary>
            NotSupported,
        }

        /// <summary>One entry of a batch: the key's bytes and the value's (for per-CPU maps, every CPU's padded value).</summary>
        internal delegate void BatchEntry(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value);

        /// <summary>
        /// The bytes of one value in a batch or lookup: per-CPU maps hand over one value per possible CPU, each padded to
        /// 8 bytes; every other map its value size (map-of-maps values are 4-byte ids, which is also their value size).
        /// </summary>
        internal int ElementValueBytes => IsPerCpu
            ? (((int)ValueSize + 7) & ~7) * CpuList.PossibleCount
            : (int)ValueSize;

        /// <summary>Whether user space reads and writes one value per possible CPU.</summary>
        internal bool IsPerCpu => Kind.PerCpu;

        /// <summary>The map type's facts from the spec's map-type table.</summary>
        internal BpfSharp.Spec.MapKind Kind { get; }

        /// <summary>Batch commands issued on this map so far (the tests and the benchmark count them: a read that falls back shows).</summary>
        internal int BatchCalls { get; private set; }

        // The batch position token: a hash map's is its u32 bucket index, the generic walk's (arrays, LPM tries) the last key.
        private int BatchTokenBytes => Math.Max((int)KeySize, sizeof(uint));

        /// <summary>
        /// One BPF_MAP_LOOKUP_BATCH (or, with <paramref name="delete"/>, BPF_MAP_LOOKUP_AND_DELETE_BATCH) of at most
        /// <paramref name="count"/> entries, from <paramref name="position"/> (null: the start), the next position into
        /// <paramref name="next"/>. <paramref name="count"/> comes back as the number of entries copied, <paramref name="errno"/>
        /// as the kernel's; errors other than the outcomes throw.
        /// </summary>
        internal BatchOutcome LookupBatchRaw(bool delete, byte[]? position, byte[] next, Span<byte> keys, Span<byte> values, ref int count, out int errno)
        {
            if (count <= 0 || keys.Length < (long)count * KeySize || values.Length < (long)count * ElementValueBytes
                || next.Length < BatchTokenBytes || (position is not null && position.Length < BatchTokenBytes))
            {
                throw new ArgumentException($"a batch of {count} on map '{Name}' needs {(long)count * KeySize} bytes of keys (got {keys.Length}), {(long)count * ElementValueBytes} of values (got {values.Length}) and {BatchTokenBytes}-byte position tokens");
            }

            var requested = (uint)count;
            var copied = requested;
            var command = delete ? BpfCommand.MapLookupAndDeleteBatch : BpfCommand.MapLookupBatch;
            int result;
            using (var descriptor = Use())
            {
                result = KernelObjects.MapBatch(command, descriptor.Fd, position, next, keys, values, ref copied, out errno);
            }

            BatchCalls++;
            var outcome = result >= 0 ? BatchOutcome.More : errno switch
            {
                Errno.NoEntry => BatchOutcome.Last,
                Errno.NoSpace => BatchOutcome.TooSmall,
                Errno.KernelNotSupported or Errno.NotSupported => BatchOutcome.NotSupported,
                // Kernels before 5.6 do not know the commands; on the first call every other argument is one the kernel takes.
                Errno.InvalidArgument when position is null => BatchOutcome.NotSupported,
                _ => throw Failure(delete ? "lookup-and-delete batch" : "lookup batch", errno),
            };

            if (outcome is not (BatchOutcome.More or BatchOutcome.Last))
            {
                // The kernel writes the count only when it ran the command; a refusal leaves what was asked for.
                count = 0;
                return outcome;
            }

            if (copied > requested)
            {
                throw new BpfException($"{command} on map '{Name}' ({Type}) reported {copied} entries for a batch of {requested}");
            }

            count = (int)copied;
            return outcome;
        }

        /// <summary>
        /// Every entry in batches of at most <paramref name="batchSize"/> (grown when one hash bucket does not fit), handed
        /// to <paramref name="entry"/> in the kernel's order; with <paramref name="delete"/> each batch is removed as it is
        /// read. False, with the kernel's errno, when the map type has no such command (nothing was read or removed then).
        /// </summary>
        internal bool ReadBatches(bool delete, int batchSize, BatchEntry entry, out int refusedErrno)
        {
            if (batchSize <= 0)
            {
                throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "a batch holds at least one entry");
            }

            // No batch can return more entries than the map holds: a larger buffer would only be memory.
            var capacity = (int)Math.Max(1, Math.Min(MaxEntries, int.MaxValue));
            var requested = Math.Min(batchSize, capacity);
            var size = requested;
            var keySize = (int)KeySize;
            var valueSize = ElementValueBytes;
            var keys = new byte[(long)size * keySize];
            var values = new byte[(long)size * valueSize];
            byte[]? position = null;
            var next = new byte[BatchTokenBytes];
            while (true)
            {
                var count = size;
                var outcome = LookupBatchRaw(delete, position, next, keys, values, ref count, out var errno);
                switch (outcome)
                {
                    case BatchOutcome.NotSupported when position is null:
                        refusedErrno = errno;
                        return false;
                    case BatchOutcome.NotSupported:
                        throw new BpfException($"map '{Name}' ({Type}) refused a batch after accepting the first: {BpfSyscall.Describe(errno)}", errno);
                    case BatchOutcome.TooSmall when size >= capacity:
                        throw new BpfException($"map '{Name}' ({Type}) answered ENOSPC to a batch of {size}, as many entries as it can hold");
                    case BatchOutcome.TooSmall:
                        // Only for this bucket: the next call asks for the caller's batch size again.
                        size = (int)Math.Min((long)size * 2, capacity);
                        if (keys.Length < (long)size * keySize)
                        {
                            keys = new byte[(long)size * keySize];
                            values = new byte[(long)size * valueSize];
                        }

                        continue;
                }

                size = requested;

                for (var i = 0; i < count; i++)
                {
                    entry(keys.AsSpan(i * keySize, keySize), values.AsSpan(i * valueSize, valueSize));
                }

                if (outcome == BatchOutcome.Last)
                {
                    refusedErrno = 0;
                    return true;
                }

                if (count == 0)
                {
                    // A batch that neither copies nor ends would loop forever: no kernel does this, but say so if one does.
                    throw new BpfException($"a batch on map '{Name}' ({Type}) copied nothing and did not end");
                }

                position ??= new byte[BatchTokenBytes];
                (position, next) = (next, position);
            }
        }

        // One element command: true when it succeeded, false when the kernel found nothing (ENOENT), an exception otherwise.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private bool Found(BpfCommand command, ReadOnlySpan<byte> key, Span<byte> value, string operation)
        {
            using var descriptor = Use();
            if (KernelObjects.MapElement(command, descriptor.Fd, key, value, 0, out var errno) >= 0)
            {
                return true;
            }

            return errno == Errno.NoEntry ? false : throw Failure(operation, errno);
        }

        // The kernel copies a per-CPU map's value for every possible CPU: a buffer of one value would be overrun.
        private void CheckSizes(int keyLength, int valueLength, string what, int? valueBytes = null)
        {
            var expected = valueBytes ?? (int)ValueSize;
            if (keyLength != KeySize || valueLength != expected)
            {
                ThrowSizeMismatch(keyLength, valueLength, what, expected);
            }
        }

        // Apart from the check: the message's formatting stays out of every lookup's compiled code.
        [System.Diagnostics.CodeAnalysis.DoesNotReturn]
        [MethodImpl(MethodImplOptions.NoInlining)]
        private void ThrowSizeMismatch(int keyLength, int valueLength, string what, int expected)
        {
            var perCpu = expected == ValueSize ? string.Empty : $" ({expected} bytes: one per possible CPU, each padded to 8)";
            throw new ArgumentException($"cannot {what} map '{Name}' with a {keyLength}-byte key and a {valueLength}-byte value: the kernel's map has {KeySize}-byte keys and {ValueSize}-byte values{perCpu}");
        }

        private BpfException Failure(string operation, int errno) => new BpfException($"{operation} on map '{Name}' ({Type}) failed: {BpfSyscall.Describe(errno)}", errno);

        internal void Close() => _descriptor.Dispose();

        /// <summary>
        /// Closes the map's descriptor: for a map opened with <see cref="OpenPinned"/>, when done with it; for a map of an
        /// object, early (the object's <c>Dispose</c> does it anyway). Calls after it throw <see cref="ObjectDisposedException"/>.
        /// </summary>
        public void Dispose() => Close();

        /// <summary>
        /// Opens a map pinned in bpffs (by <c>[BpfPinned]</c>, <see cref="Pin"/>, bpftool or libbpf), with the kernel's type,
        /// sizes and name, for the views to read and write without the object that made it. Dispose it when done.
        /// </summary>
        public static BpfLoadedMap OpenPinned(string path)
        {
            ArgumentException.ThrowIfNullOrEmpty(path);
            var fd = KernelObjects.OpenPinned(path, out var errno);
            if (fd < 0)
            {
                throw new BpfException($"no map could be opened at {path}: {BpfSyscall.Describe(errno)}" + (errno == Errno.NoEntry ? " (nothing is pinned there)" : string.Empty), errno);
            }

            if (KernelObjects.MapInfo(fd, out errno) is not { } info)
            {
                BpfSyscall.Close(fd);
                throw new BpfException($"what is pinned at {path} is not a map (a program or a link?)", errno);
            }

            return new BpfLoadedMap(info.Name.Length > 0 ? info.Name : System.IO.Path.GetFileName(path), fd, info.Type, info.KeySize, info.ValueSize, info.MaxEntries, info.Flags) { PinPath = path, Reused = true };
        }
    }
}
