using System;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;

namespace BpfSharp.Loader.Native
{
    /// <summary>
    /// Waits for descriptors (a ring buffer, perf event buffers) to become readable, for an async reader: a thread of its
    /// own blocks in poll(2) each time the reader asks, with an eventfd beside them to stop it. poll is level-triggered on
    /// these maps, so a record that arrives between a drain and the wait is never missed.
    /// </summary>
    internal sealed class ReadinessWaiter : IDisposable
    {
        private const int PollInvalid = 0x20; // POLLNVAL: the descriptor is closed
        private const int PollError = 0x8; // POLLERR

        private readonly int[] _descriptors;
        private readonly string _what;
        private readonly int _stop;
        private readonly SemaphoreSlim _asked = new(0);
        private readonly SemaphoreSlim _ready = new(0);
        private readonly Thread _thread;
        private volatile string? _failure;
        private volatile bool _stopping;

        public ReadinessWaiter(int[] descriptors, string what)
        {
            _descriptors = descriptors;
            _what = what;
            _stop = eventfd(0, EventFdCloseOnExec | EventFdNonBlocking);
            if (_stop < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                throw new BpfException($"{what}: could not make an eventfd to wait with: {BpfSyscall.Describe(errno)}", errno);
            }

            _thread = new Thread(Run) { IsBackground = true, Name = "BpfSharp poll: " + what };
            _thread.Start();
        }

        /// <summary>Completes when a descriptor is readable (or at once, after an earlier wait was cancelled).</summary>
        public async Task WaitAsync(CancellationToken cancellationToken)
        {
            _asked.Release();
            await _ready.WaitAsync(cancellationToken).ConfigureAwait(false);
            if (_failure is string failure)
            {
                throw new BpfException(failure, 0);
            }
        }

        public void Dispose()
        {
            if (_stopping)
            {
                return;
            }

            _stopping = true;
            Signal(_stop);
            _asked.Release();
            _thread.Join();
            _ = close(_stop);
            _asked.Dispose();
            _ready.Dispose();
        }

        private void Run()
        {
            var descriptors = new Posix.PollDescriptor[_descriptors.Length + 1];
            while (true)
            {
                _asked.Wait();
                if (_stopping)
                {
                    return;
                }

                for (var i = 0; i < _descriptors.Length; i++)
                {
                    descriptors[i] = new Posix.PollDescriptor { Fd = _descriptors[i], Events = Posix.PollIn };
                }

                descriptors[^1] = new Posix.PollDescriptor { Fd = _stop, Events = Posix.PollIn };
                int result, errno;
                do
                {
                    result = Posix.Poll(descriptors, -1, out errno);
                }
                while (result < 0 && errno == Errno.Interrupted);

                if (_stopping || descriptors[^1].ReturnedEvents != 0)
                {
                    return;
                }

                if (result < 0)
                {
                    _failure = $"{_what}: poll failed: {BpfSyscall.Describe(errno)}";
                }
                else if (Array.Exists(descriptors, d => (d.ReturnedEvents & (PollInvalid | PollError)) != 0))
                {
                    _failure = $"{_what}: its descriptor was closed while it was read";
                }

                _ready.Release();
                if (_failure != null)
                {
                    return;
                }
            }
        }

        private static unsafe void Signal(int eventFd)
        {
            ulong one = 1;
            _ = write(eventFd, &one, 8);
        }

        private const int EventFdCloseOnExec = 0x80000; // EFD_CLOEXEC
        private const int EventFdNonBlocking = 0x800; // EFD_NONBLOCK

        [DllImport("libc", SetLastError = true)]
        private static extern int eventfd(uint initial, int flags);

        [DllImport("libc", SetLastError = true)]
        private static extern unsafe nint write(int fd, void* buffer, nuint count);

        [DllImport("libc", SetLastError = true)]
        private static extern int close(int fd);
    }
}
