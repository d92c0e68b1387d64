using System;
using System.Runtime.InteropServices;

namespace BpfSharp.Loader.Native
{
    /// <summary>
    /// <c>perf_event_open(2)</c> for the events a perf-event-array map delivers into (software <c>BPF_OUTPUT</c> events),
    /// and the mmap/ioctl/poll calls their ring buffers need.
    /// </summary>
    internal static unsafe class PerfEventSyscall
    {
        private const int AttributesSize = 128; // PERF_ATTR_SIZE_VER7: fields past what is set stay zero
        private const uint TypeSoftware = 1; // PERF_TYPE_SOFTWARE
        private const ulong ConfigBpfOutput = 10; // PERF_COUNT_SW_BPF_OUTPUT
        private const ulong SampleRaw = 1UL << 10; // PERF_SAMPLE_RAW
        private const ulong Disabled = 1; // attr.disabled, bit 0 of the flag word: enabled once the buffer is mapped
        private const ulong FdCloexec = 1UL << 3; // PERF_FLAG_FD_CLOEXEC
        private const ulong IocEnable = 0x2400; // PERF_EVENT_IOC_ENABLE, _IO('$', 0)

        public const int ProtRead = 1;
        public const int ProtWrite = 2;
        public const int MapShared = 1;
        public const short PollIn = 1;
        public const int Interrupted = 4; // EINTR

        /// <summary>The system call number of perf_event_open, or -1 where this library does not know it.</summary>
        public static long Number => RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => 298,
            Architecture.Arm64 => 241,
            Architecture.X86 => 336,
            Architecture.Arm => 364,
            _ => -1,
        };

        /// <summary>
        /// A disabled BPF-output event on one CPU, any process, waking its reader on every sample (wakeup_events 1);
        /// its file descriptor, or -1 with the errno.
        /// </summary>
        public static int OpenBpfOutput(int cpu, out int errno)
        {
            if (!OperatingSystem.IsLinux() || Number < 0)
            {
                errno = 38; // ENOSYS
                return -1;
            }

            Span<byte> span = stackalloc byte[AttributesSize];
            span.Clear();
            AttrWriter.U32(span, 0, TypeSoftware);
            AttrWriter.U32(span, 4, AttributesSize);
            AttrWriter.U64(span, 8, ConfigBpfOutput);
            AttrWriter.U64(span, 16, 1); // sample_period: unused by bpf_perf_event_output, 1 as perf tools set it
            AttrWriter.U64(span, 24, SampleRaw);
            AttrWriter.U64(span, 40, Disabled);
            AttrWriter.U32(span, 48, 1); // wakeup_events
            fixed (byte* attr = span)
            {
                var fd = syscall(Number, attr, -1, cpu, -1, (long)FdCloexec);
                errno = fd < 0 ? Marshal.GetLastPInvokeError() : 0;
                return (int)fd;
            }
        }

        /// <summary>PERF_EVENT_IOC_ENABLE; 0, or -1 with the errno.</summary>
        public static int Enable(int fd, out int errno)
        {
            var result = ioctl(fd, IocEnable, 0);
            errno = result < 0 ? Marshal.GetLastPInvokeError() : 0;
            return result;
        }

        /// <summary>A shared mapping of the descriptor, or null with the errno.</summary>
        public static byte* Map(int fd, nuint length, int protection, out int errno)
        {
            var address = mmap(null, length, protection, MapShared, fd, 0);
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

        [StructLayout(LayoutKind.Sequential)]
        public struct PollDescriptor
        {
            public int Fd;
            public short Events;
            public short ReturnedEvents;
        }

        [DllImport("libc", SetLastError = true)]
        private static extern long syscall(long number, byte* attributes, long pid, long cpu, long groupFd, long flags);

        [DllImport("libc", SetLastError = true)]
        private static extern int ioctl(int fd, ulong request, nint argument);

        [DllImport("libc", SetLastError = true)]
        private static extern void* mmap(void* address, nuint length, int protection, int flags, int fd, long offset);

        [DllImport("libc", SetLastError = true)]
        private static extern int munmap(void* address, nuint length);

        [DllImport("libc", SetLastError = true)]
        private static extern int poll(PollDescriptor* descriptors, nuint count, int timeout);
    }
}
