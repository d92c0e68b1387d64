using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading;
using BpfSharp.Loader.Native;

namespace BpfSharp
{
    /// <summary>
    /// A ring buffer whose records are all one struct (<see cref="BpfObject.RingBuffer{TRecord}(RingBufMap)"/>): each
    /// record is handed over as a <typeparamref name="TRecord"/>. A record of another size is an error that says both
    /// sizes, never a value read from part of a record; variable-sized records are read as bytes with <see cref="BpfRingBuffer"/>.
    /// </summary>
    public sealed class BpfRingBuffer<TRecord> : IDisposable
        where TRecord : unmanaged
    {
        private readonly BpfRingBuffer _records;

        internal BpfRingBuffer(BpfRingBuffer records) => _records = records;

        /// <summary>The map read.</summary>
        public string Name => _records.Name;

        /// <summary>Hands every committed record to <paramref name="handler"/>, oldest first; returns how many there were.</summary>
        public unsafe int Drain(Action<TRecord> handler)
        {
            var count = 0;
            while (_records.TryPeek(out var record, out var size))
            {
                handler(Read(record, size));
                _records.Advance(size);
                count++;
            }

            return count;
        }

        /// <summary>Waits up to <paramref name="timeout"/> for records, then drains them; returns how many were handled.</summary>
        public int Poll(Action<TRecord> handler, TimeSpan timeout)
        {
            var handled = Drain(handler);
            return handled > 0 ? handled : _records.Poll(bytes => handler(Read(bytes)), timeout);
        }

        /// <summary>The records as they arrive, until <paramref name="cancellationToken"/> is cancelled, which ends the enumeration with <see cref="OperationCanceledException"/>.</summary>
        public unsafe IAsyncEnumerable<TRecord> ReadAllAsync(CancellationToken cancellationToken = default) =>
            new RingBufferRecords<TRecord, TypedRecords<TRecord>>(_records, cancellationToken);

        public void Dispose() => _records.Dispose();

        private unsafe TRecord Read(ReadOnlySpan<byte> bytes)
        {
            fixed (byte* record = bytes)
            {
                return Read(record, bytes.Length);
            }
        }

        private unsafe TRecord Read(byte* record, int size) => TypedRecords<TRecord>.Read(_records, record, size);
    }

    /// <summary>A record read in place as the struct, when it has the struct's size.</summary>
    internal readonly struct TypedRecords<TRecord> : IRecordReader<TRecord>
        where TRecord : unmanaged
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static unsafe TRecord Read(BpfRingBuffer ring, byte* record, int size) =>
            size == sizeof(TRecord) ? Unsafe.ReadUnaligned<TRecord>(record) : throw WrongSize(ring, size);

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static BpfException WrongSize(BpfRingBuffer ring, int size) =>
            new($"ring buffer '{ring.Name}' holds a record of {size} bytes; {typeof(TRecord).Name} is {Unsafe.SizeOf<TRecord>()} bytes: read it with the type the program writes, or as bytes (RingBuffer(name))", 0);
    }
}
