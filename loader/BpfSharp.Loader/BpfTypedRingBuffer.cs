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
        public int Drain(Action<TRecord> handler) => _records.Drain(bytes => handler(Read(bytes)));

        /// <summary>Waits up to <paramref name="timeout"/> for records, then drains them; returns how many were handled.</summary>
        public int Poll(Action<TRecord> handler, TimeSpan timeout) => _records.Poll(bytes => handler(Read(bytes)), timeout);

        /// <summary>The records as they arrive, until <paramref name="cancellationToken"/> is cancelled, which ends the enumeration with <see cref="OperationCanceledException"/>.</summary>
        public IAsyncEnumerable<TRecord> ReadAllAsync(CancellationToken cancellationToken = default) =>
            PollingReader.ReadAllAsync<TRecord>(batch => _records.Drain(bytes => batch.Add(Read(bytes))), cancellationToken);

        public void Dispose() => _records.Dispose();

        private TRecord Read(ReadOnlySpan<byte> bytes) =>
            bytes.Length == Unsafe.SizeOf<TRecord>()
                ? MemoryMarshal.Read<TRecord>(bytes)
                : throw new BpfException($"ring buffer '{Name}' holds a record of {bytes.Length} bytes; {typeof(TRecord).Name} is {Unsafe.SizeOf<TRecord>()} bytes: read it with the type the program writes, or as bytes (RingBuffer(name))", 0);
    }
}
