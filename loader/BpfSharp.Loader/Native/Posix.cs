using System;
using System.Runtime.InteropServices;

namespace BpfSharp.Loader.Native
{
    /// <summary>The memory-mapping and waiting calls the map readers share (ring buffers, perf event buffers).</summary>
    internal static unsafe class Posix
    {
        public const int ProtRead = 1;
        public const int ProtWrite = 2;
        public const short PollIn = 1;
        private const int MapShared = 1;
        private const int FixedNoReplace = 0x100000; // MAP_FIXED_NOREPLACE: there or nowhere, never over another mapping

        /// <summary>A shared mapping of the descriptor (at <paramref name="at"/> exactly when given), or null with the errno.</summary>
        public static byte* Map(int fd, nuint length, int protection, long offset, out int errno, byte* at = null)
        {
            var address = mmap(at, length, protection, MapShared | (at == null ? 0 : FixedNoReplace), fd, offset);
            errno = address == (void*)-1 ? Marshal.GetLastPInvokeError() : 0;
            return address == (void*)-1 ? null : (byte*)address;
        }

        public static void Unmap(byte* address, nuint length)
        {
            if (address != null)
            {
                _ = munmap(address, length);
            }
        }

        /// <summary>poll(2): how many descriptors are ready, 0 on timeout, -1 with the errno.</summary>
        public static int Poll(Span<PollDescriptor> descriptors, int timeoutMilliseconds, out int errno)
        {
            fixed (PollDescriptor* pointer = descriptors)
            {
                var result = poll(pointer, (nuint)descriptors.Length, timeoutMilliseconds);
                errno = result < 0 ? Marshal.GetLastPInvokeError() : 0;
                return result;
            }
        }

        /// <summary>A timeout as poll(2) takes it: -1 waits for ever.</summary>
        public static int Milliseconds(TimeSpan timeout) =>
            timeout == System.Threading.Timeout.InfiniteTimeSpan ? -1 : (int)Math.Clamp(Math.Ceiling(timeout.TotalMilliseconds), 0, int.MaxValue);

        [StructLayout(LayoutKind.Sequential)]
        public struct PollDescriptor
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

    /// <summary>
    /// The reading loop of <c>ReadAllAsync</c>: drain what is there, else wait until the kernel says there is more (a
    /// <see cref="ReadinessWaiter"/>: poll(2) on a thread of its own, so no thread-pool thread blocks and no record waits
    /// for a timer). Cancelling ends it as .NET's own async streams end (<c>ChannelReader.ReadAllAsync</c>): with
    /// <see cref="OperationCanceledException"/>.
    /// </summary>
    internal static class PollingReader
    {
        public static async System.Collections.Generic.IAsyncEnumerable<T> ReadAllAsync<T>(Func<int[]> descriptors, string what, Func<System.Collections.Generic.List<T>, int> drainInto, [System.Runtime.CompilerServices.EnumeratorCancellation] System.Threading.CancellationToken cancellationToken)
        {
            var batch = new System.Collections.Generic.List<T>();
            ReadinessWaiter? waiter = null;
            try
            {
                while (true)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    batch.Clear();
                    if (drainInto(batch) == 0)
                    {
                        waiter ??= new ReadinessWaiter(descriptors(), what);
                        await waiter.WaitAsync(cancellationToken).ConfigureAwait(false);
                        continue;
                    }

                    foreach (var record in batch)
                    {
                        yield return record;
                    }
                }
            }
            finally
            {
                waiter?.Dispose();
            }
        }
    }
}
