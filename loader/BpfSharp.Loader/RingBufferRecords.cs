using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using BpfSharp.Loader.Native;

namespace BpfSharp
{
    /// <summary>Makes a record's value out of its bytes in the ring buffer's memory (valid only during the call).</summary>
    internal unsafe delegate T RecordReader<T>(byte* record, int size);

    /// <summary>
    /// A ring buffer's records as an async stream: a record already committed is taken straight from the shared memory,
    /// synchronously (no batch, no task); only an empty ring waits, for the kernel's readiness (<see cref="ReadinessWaiter"/>).
    /// Cancelling ends the stream with <see cref="OperationCanceledException"/>, as .NET's own streams end.
    /// </summary>
    internal sealed class RingBufferRecords<T> : IAsyncEnumerable<T>
    {
        private readonly BpfRingBuffer _ring;
        private readonly RecordReader<T> _read;
        private readonly CancellationToken _cancellationToken;

        public RingBufferRecords(BpfRingBuffer ring, RecordReader<T> read, CancellationToken cancellationToken)
        {
            _ring = ring;
            _read = read;
            _cancellationToken = cancellationToken;
        }

        public IAsyncEnumerator<T> GetAsyncEnumerator(CancellationToken cancellationToken = default) =>
            new Enumerator(this, cancellationToken);

        private sealed class Enumerator : IAsyncEnumerator<T>
        {
            private readonly RingBufferRecords<T> _records;
            private readonly CancellationTokenSource? _linked;
            private readonly CancellationToken _cancellationToken;
            private ReadinessWaiter? _waiter;

            public Enumerator(RingBufferRecords<T> records, CancellationToken cancellationToken)
            {
                _records = records;
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

            private unsafe bool TryTake()
            {
                if (!_records._ring.TryPeek(out var record, out var size))
                {
                    return false;
                }

                Current = _records._read(record, size);
                _records._ring.Advance(size);
                return true;
            }

            private async ValueTask<bool> WaitThenTakeAsync()
            {
                while (true)
                {
                    _waiter ??= new ReadinessWaiter(_records._ring.Descriptors(), $"ring buffer '{_records._ring.Name}'");
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
