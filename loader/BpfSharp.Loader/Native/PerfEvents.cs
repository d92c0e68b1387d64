using System;
using System.Globalization;
using System.IO;
using System.Linq;

namespace BpfSharp.Loader.Native
{
    /// <summary><c>perf_event_open(2)</c> for tracepoints and kprobes.</summary>
    internal static class PerfEvents
    {
        public const uint TypeTracepoint = 2; // PERF_TYPE_TRACEPOINT
        private const string KprobePmuPath = "/sys/bus/event_source/devices/kprobe";

        /// <summary>
        /// A perf event counting on CPU 0 for every process: BPF programs on tracepoints and kprobes run on every CPU
        /// whatever the event's CPU, so one event is enough. <paramref name="what"/> names it in errors.
        /// </summary>
        public static int Open(uint type, ulong config, ulong config1, ulong config2, string what)
        {
            var fd = PerfEventSyscall.Open(type, config, sampleType: 0, flagBits: 0, wakeupEvents: 0, config1, config2, cpu: 0, out var errno);
            if (fd < 0)
            {
                throw new BpfException(
                    $"perf_event_open for {what} failed: {BpfSyscall.Describe(errno)}"
                    + (errno is Errno.NotPermitted or Errno.AccessDenied ? " (it needs root or CAP_PERFMON; see /proc/sys/kernel/perf_event_paranoid)" : string.Empty),
                    errno);
            }

            return fd;
        }

        /// <summary>The kprobe PMU's perf type and the config bit that makes a kretprobe, from sysfs.</summary>
        public static (uint Type, int ReturnBit) KprobePmu()
        {
            var typeFile = Path.Combine(KprobePmuPath, "type");
            if (!File.Exists(typeFile))
            {
                throw new BpfException($"this kernel has no kprobe PMU ({KprobePmuPath} does not exist): kprobes need CONFIG_KPROBES and CONFIG_KPROBE_EVENTS (Linux 4.17+)");
            }

            var type = uint.Parse(File.ReadAllText(typeFile).Trim(), CultureInfo.InvariantCulture);
            var format = File.ReadAllText(Path.Combine(KprobePmuPath, "format", "retprobe")).Trim(); // "config:0"
            return format.StartsWith("config:", StringComparison.Ordinal) && int.TryParse(format.AsSpan(7), NumberStyles.None, CultureInfo.InvariantCulture, out var bit) && bit < 64
                ? (type, bit)
                : throw new BpfException($"the kprobe PMU's retprobe format is '{format}', not config:<bit>");
        }
    }
}
