using System;
using System.Runtime.InteropServices;

namespace BpfSharp.Loader.Native
{
    /// <summary>
    /// <c>perf_event_open(2)</c>: the events a perf-event-array map delivers into (software <c>BPF_OUTPUT</c> events) and
    /// the tracepoint and kprobe events programs attach to.
    /// </summary>
    internal static unsafe class PerfEventSyscall
    {
        private const uint TypeSoftware = 1; // PERF_TYPE_SOFTWARE
        private const ulong ConfigBpfOutput = 10; // PERF_COUNT_SW_BPF_OUTPUT
        private const ulong SampleRaw = 1UL << 10; // PERF_SAMPLE_RAW
        private const ulong Disabled = 1; // attr.disabled, bit 0 of the flag word: enabled once the buffer is mapped
        private const ulong FdCloexec = 1UL << 3; // PERF_FLAG_FD_CLOEXEC
        private const ulong IocEnable = 0x2400; // PERF_EVENT_IOC_ENABLE, _IO('$', 0)

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
        public static int OpenBpfOutput(int cpu, out int errno) => Open(TypeSoftware, ConfigBpfOutput, SampleRaw, Disabled, wakeupEvents: 1, 0, 0, cpu, out errno);

        /// <summary>
        /// perf_event_open for any process on one CPU (tracepoints, kprobes, BPF output), with the attribute fields BpfSharp
        /// sets; the file descriptor, or -1 with the errno.
        /// </summary>
        public static int Open(uint type, ulong config, ulong sampleType, ulong flagBits, uint wakeupEvents, ulong config1, ulong config2, int cpu, out int errno)
        {
            if (!OperatingSystem.IsLinux() || Number < 0)
            {
                errno = Errno.NoSystemCall;
                return -1;
            }

            var attr = new PerfEventAttributes
            {
                Type = type,
                Size = (uint)sizeof(PerfEventAttributes), // the version of the struct: how much of it the kernel reads
                Config = config,
                SamplePeriod = 1, // as perf tools set it
                SampleType = sampleType,
                Flags = flagBits,
                WakeupEvents = wakeupEvents,
                Config1 = config1,
                Config2 = config2,
            };
            var fd = syscall(Number, &attr, -1, cpu, -1, (long)FdCloexec);
            errno = fd < 0 ? Marshal.GetLastPInvokeError() : 0;
            return (int)fd;
        }

        /// <summary>PERF_EVENT_IOC_ENABLE; 0, or -1 with the errno.</summary>
        public static int Enable(int fd, out int errno)
        {
            var result = ioctl(fd, IocEnable, 0);
            errno = result < 0 ? Marshal.GetLastPInvokeError() : 0;
            return result;
        }

        [DllImport("libc", SetLastError = true)]
        private static extern long syscall(long number, PerfEventAttributes* attributes, long pid, long cpu, long groupFd, long flags);

        [DllImport("libc", SetLastError = true)]
        private static extern int ioctl(int fd, ulong request, nint argument);
    }
}
