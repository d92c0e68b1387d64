using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using BpfSharp.Loader.Native;

namespace BpfSharp
{
    /// <summary>
    /// Makes a record's value out of its bytes in the ring buffer's memory (valid only during the call). A static member of
    /// a type argument rather than a delegate, so that the read is inlined into the stream's step.
    /// </summary>
    internal unsafe interface IRecordReader<T>
    {
        static abstract T Read(BpfRingBuffer ring, byte* record, int size);
    }

    /// <summary>A copy of the record's bytes.</summary>
    internal readonly struct ByteRecords : IRecordReader<byte[]>
    {
        public static unsafe byte[] Read(BpfRingBuffer ring, byte* record, int size) => new ReadOnlySpan<byte>(record, size).ToArray();
    }

    /// <summary>
    /// A ring buffer's records as an async stream: a record already committed is taken straight from the shared memory,
    /// synchronously (no batch, no task); only an empty ring waits, for the kernel's readiness (<see cref="ReadinessWaiter"/>).
    /// Cancelling ends the stream with <see cref="OperationCanceledException"/>, as .NET's own streams end.
    /// </summary>
    internal sealed class RingBufferRecords<T, TReader> : IAsyncEnumerable<T>
        where TReader : IRecordReader<T>
    {
        private readonly BpfRingBuffer _ring;
        private readonly CancellationToken _cancellationToken;

        public RingBufferRecords(BpfRingBuffer ring, CancellationToken cancellationToken)
        {
            _ring = ring;
            _cancellationToken = cancellationToken;
        }

        public IAsyncEnumerator<T> GetAsyncEnumerator(CancellationToken cancellationToken = default) =>
            new Enumerator(this, cancellationToken);

        private sealed class Enumerator : IAsyncEnumerator<T>
        {
            private readonly BpfRingBuffer _ring;
            private readonly CancellationTokenSource? _linked;
            private readonly CancellationToken _cancellationToken;
            private ReadinessWaiter? _waiter;

            public Enumerator(RingBufferRecords<T, TReader> records, CancellationToken cancellationToken)
            {
                _ring = records._ring;
                // Either token ends the stream: the one given to ReadAllAsync, or WithCancellation's.
                if (records._cancellationToken.CanBeCanceled && cancellationToken.CanBeCanceled && records._cancellationToken != cancellationToken)
                {
                    _linked = CancellationTokenSource.CreateLinkedTokenSource(records._cancellationToken, cancellationToken);
                    _cancellationToken = _linked.Token;
                }
                else
                {
                    _cancellationToken = cancellationToken.CanBeCanceled ? cancellationToken : records._cancellationToken;
                }
            }

            public T Current { get; private set; } = default!;

            public ValueTask<bool> MoveNextAsync()
            {
                _cancellationToken.ThrowIfCancellationRequested();
                return TryTake() ? new ValueTask<bool>(true) : WaitThenTakeAsync();
            }

            public ValueTask DisposeAsync()
            {
                _waiter?.Dispose();
                _linked?.Dispose();
                return default;
            }

            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            private unsafe bool TryTake()
            {
                if (!_ring.TryPeek(out var record, out var size))
                {
                    return false;
                }

                Current = TReader.Read(_ring, record, size);
                _ring.Advance(size);
                return true;
            }

            private async ValueTask<bool> WaitThenTakeAsync()
            {
                while (true)
                {
                    _waiter ??= new ReadinessWaiter(_ring.Descriptors(), $"ring buffer '{_ring.Name}'");
                    await _waiter.WaitAsync(_cancellationToken).ConfigureAwait(false);
                    _cancellationToken.ThrowIfCancellationRequested();
                    if (TryTake())
                    {
                        return true;
                    }
                }
            }
        }
    }
}
