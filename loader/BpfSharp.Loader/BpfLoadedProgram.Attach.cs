using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;
using BpfSharp.Loader.Native;
using BpfSharp.Spec;

namespace BpfSharp
{
    public sealed partial class BpfLoadedProgram
    {
        private const int AttachPerfEvent = 41; // BPF_PERF_EVENT

        /// <summary>
        /// Attaches a tracepoint program to the tracepoint its section names (<c>tracepoint/syscalls/sys_enter_getppid</c>,
        /// <c>tp/sched/sched_switch</c>); dispose the link to detach. Needs tracefs (mounted here when missing, as root) and Linux 5.15.
        /// </summary>
        public BpfLink AttachTracepoint()
        {
            RequireType("AttachTracepoint", BpfProgramType.Tracepoint);
            var target = SectionTarget();
            var slash = target.IndexOf('/', StringComparison.Ordinal);
            if (slash <= 0 || slash == target.Length - 1)
            {
                throw new InvalidOperationException($"the section \"{Section}\" of '{Name}' names no tracepoint as <category>/<name>; use AttachTracepoint(category, name)");
            }

            return AttachTracepoint(target.Substring(0, slash), target.Substring(slash + 1));
        }

        /// <summary>
        /// Attaches a tracepoint program to a tracepoint, by category and name ("syscalls", "sys_enter_getppid": see
        /// <c>/sys/kernel/tracing/available_events</c>); dispose the link to detach.
        /// </summary>
        public BpfLink AttachTracepoint(string category, string name)
        {
            RequireType("AttachTracepoint", BpfProgramType.Tracepoint);
            RequirePathPart(category, nameof(category));
            RequirePathPart(name, nameof(name));
            var description = $"{Name} on {category}/{name} (tracepoint)";
            var idFile = Path.Combine(TraceFs.Root(), "events", category, name, "id");
            string text;
            try
            {
                text = File.ReadAllText(idFile);
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                throw new BpfException($"there is no tracepoint {category}/{name}: {idFile} does not exist (the tracepoints are listed in {Path.Combine(TraceFs.Root(), "available_events")})", Errno.NoEntry);
            }
            catch (Exception e) when (e is UnauthorizedAccessException or IOException)
            {
                throw new BpfException($"could not read the id of tracepoint {category}/{name} from {idFile}: {e.Message}");
            }

            var id = ulong.Parse(text.Trim(), CultureInfo.InvariantCulture);
            var perfFd = PerfEvents.Open(PerfEvents.TypeTracepoint, id, 0, 0, $"tracepoint {category}/{name}");
            return LinkPerfEvent(perfFd, description);
        }

        /// <summary>
        /// Attaches a raw tracepoint program to the raw tracepoint its section names (<c>raw_tracepoint/sys_enter</c>,
        /// <c>raw_tp/sched_switch</c>); dispose the link to detach. Linux 4.17+.
        /// </summary>
        public BpfLink AttachRawTracepoint()
        {
            RequireType("AttachRawTracepoint", BpfProgramType.RawTracepoint, BpfProgramType.RawTracepointWritable);
            var target = SectionTarget();
            return target.Length > 0
                ? AttachRawTracepoint(target)
                : throw new InvalidOperationException($"the section \"{Section}\" of '{Name}' names no raw tracepoint; use AttachRawTracepoint(name)");
        }

        /// <summary>Attaches a raw tracepoint program to a raw tracepoint by name ("sys_enter", "sched_switch"); dispose the link to detach.</summary>
        public BpfLink AttachRawTracepoint(string name)
        {
            RequireType("AttachRawTracepoint", BpfProgramType.RawTracepoint, BpfProgramType.RawTracepointWritable);
            ArgumentException.ThrowIfNullOrEmpty(name);
            var description = $"{Name} on {name} (raw tracepoint)";
            int fd, errno;
            using (var descriptor = Use())
            {
                fd = KernelLinks.OpenRawTracepoint(descriptor.Fd, name, out errno);
            }

            return fd >= 0
                ? new BpfLink(fd, description)
                : throw new BpfException(
                    $"could not attach {description}: {BpfSyscall.Describe(errno)}" + errno switch
                    {
                        Errno.NoEntry => $" (the kernel has no raw tracepoint '{name}')",
                        Errno.InvalidArgument => " (does the program read more arguments than the tracepoint has?)",
                        _ => string.Empty,
                    },
                    errno);
        }

        /// <summary>
        /// Attaches a kprobe program to the kernel function its section names (<c>kprobe/do_unlinkat</c>,
        /// <c>kretprobe/do_unlinkat</c>, <c>kprobe/func+0x10</c>); dispose the link to detach.
        /// </summary>
        public BpfLink AttachKprobe()
        {
            RequireKprobe();
            var isReturn = Section.StartsWith("kretprobe/", StringComparison.Ordinal);
            if (!isReturn && !Section.StartsWith("kprobe/", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"the section \"{Section}\" of '{Name}' names no kernel function (kprobe/<function> or kretprobe/<function>); use AttachKprobe(function)");
            }

            var target = SectionTarget();
            var plus = target.IndexOf('+', StringComparison.Ordinal);
            if (plus < 0)
            {
                return AttachKprobe(target, isReturn);
            }

            var offsetText = target.Substring(plus + 1);
            var parsed = offsetText.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
                ? ulong.TryParse(offsetText.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var offset)
                : ulong.TryParse(offsetText, NumberStyles.None, CultureInfo.InvariantCulture, out offset);
            return parsed
                ? AttachKprobe(target.Substring(0, plus), isReturn, offset)
                : throw new InvalidOperationException($"the section \"{Section}\" of '{Name}' has an offset that is not a number: '{offsetText}'");
        }

        /// <summary>
        /// Attaches a kprobe program to a kernel function's entry, or its return when <paramref name="isReturn"/>;
        /// dispose the link to detach. Needs the kprobe PMU (CONFIG_KPROBE_EVENTS, Linux 4.17+) and Linux 5.15.
        /// </summary>
        public BpfLink AttachKprobe(string function, bool isReturn = false) => AttachKprobe(function, isReturn, 0);

        private unsafe BpfLink AttachKprobe(string function, bool isReturn, ulong offset)
        {
            RequireKprobe();
            ArgumentException.ThrowIfNullOrEmpty(function);

            var kind = isReturn ? "kretprobe" : "kprobe";
            var description = $"{Name} on {function}{(offset == 0 ? string.Empty : $"+0x{offset:x}")} ({kind})";
            var (type, returnBit) = PerfEvents.KprobePmu();
            var functionBytes = Encoding.ASCII.GetBytes(function + "\0");
            int perfFd;
            fixed (byte* functionPointer = functionBytes)
            {
                try
                {
                    perfFd = PerfEvents.Open(type, isReturn ? 1ul << returnBit : 0, (ulong)functionPointer, offset, $"{kind} {function}");
                }
                catch (BpfException e) when (e.Errno is Errno.NoEntry or Errno.InvalidArgument)
                {
                    var known = KernelSymbols.Contains(function);
                    throw new BpfException(
                        $"could not attach {description}: " + (known == false
                            ? $"there is no kernel function '{function}' (it is not in /proc/kallsyms)"
                            : $"the kernel refused to probe '{function}' ({BpfSyscall.Describe(e.Errno)}: functions that are inlined, notrace or on the kprobe blacklist cannot be probed)"),
                        e.Errno);
                }
            }

            return LinkPerfEvent(perfFd, description);
        }

        private void RequireKprobe()
        {
            RequireType("AttachKprobe", BpfProgramType.Kprobe);
            if (AttachType != null)
            {
                // kprobe.multi and kprobe.session programs are loaded for BPF_TRACE_KPROBE_MULTI links, not perf events.
                throw new InvalidOperationException($"AttachKprobe attaches kprobe/kretprobe programs; '{Name}' (section \"{Section}\") was loaded for {AttachType}");
            }
        }

        /// <summary>
        /// Attaches a cgroup program (<c>cgroup_skb/egress</c>, <c>cgroup/sock_create</c>, <c>cgroup/connect4</c>, <c>sockops</c>,
        /// ...) to a cgroup v2 directory, at the attach type its section implies; dispose the link to detach. Programs
        /// already attached there keep running (each must allow). Linux 5.7+.
        /// </summary>
        public BpfLink AttachCgroup(string cgroupPath)
        {
            ArgumentException.ThrowIfNullOrEmpty(cgroupPath);
            var isCgroupType = Type is BpfProgramType.CgroupSkb or BpfProgramType.CgroupSock or BpfProgramType.CgroupSockAddr
                or BpfProgramType.SockOps or BpfProgramType.CgroupDevice or BpfProgramType.CgroupSysctl or BpfProgramType.CgroupSockopt
                || (Type == BpfProgramType.Lsm && AttachType == "BPF_LSM_CGROUP");
            if (!isCgroupType)
            {
                throw new InvalidOperationException($"AttachCgroup attaches cgroup programs (cgroup_skb/..., cgroup/..., sockops); '{Name}' is {Type} (section \"{Section}\")");
            }

            if (AttachType is null || KernelTypes.AttachTypes.FindByName(AttachType) is not { } attachType)
            {
                var sections = string.Join(", ", SectionNames.All.Where(s => s.ProgramType == SectionNames.Resolve(Section)?.ProgramType && s.AttachType != null).Select(s => s.Pattern));
                throw new InvalidOperationException($"'{Name}' (section \"{Section}\") has no attach type, so where in the cgroup it runs is unknown; use a section that names one ({sections})");
            }

            var description = $"{Name} on cgroup {cgroupPath} ({AttachType})";
            var cgroupFd = CgroupDirectory.Open(cgroupPath, description);
            try
            {
                return BpfLink.Create(this, cgroupFd, attachType.Value, 0, description);
            }
            finally
            {
                BpfSyscall.Close(cgroupFd); // the link holds the cgroup itself
            }
        }

        /// <summary>BPF_LINK_CREATE on a perf event, which the link then owns (closed here when linking fails).</summary>
        private BpfLink LinkPerfEvent(int perfFd, string description)
        {
            try
            {
                return BpfLink.Create(this, perfFd, AttachPerfEvent, 0, description, companionFd: perfFd);
            }
            catch (BpfException e)
            {
                BpfSyscall.Close(perfFd);
                throw e.Errno == Errno.InvalidArgument
                    ? new BpfException(e.Message + " (BPF links on perf events need Linux 5.15)", e.Errno)
                    : e;
            }
        }

        /// <summary>The part of the section after its first '/' (<c>syscalls/sys_enter_getppid</c> of <c>tp/syscalls/sys_enter_getppid</c>).</summary>
        private string SectionTarget()
        {
            var slash = Section.IndexOf('/', StringComparison.Ordinal);
            return slash < 0 ? string.Empty : Section.Substring(slash + 1);
        }

        private void RequireType(string method, params BpfProgramType[] types)
        {
            if (!types.Contains(Type))
            {
                throw new InvalidOperationException($"{method} attaches {string.Join(" or ", types)} programs; '{Name}' is {Type} (section \"{Section}\")");
            }
        }

        // A tracepoint's category or name becomes part of a tracefs path: nothing that could leave the events folder.
        private static void RequirePathPart(string value, string parameter)
        {
            ArgumentException.ThrowIfNullOrEmpty(value, parameter);
            if (value.Contains('/', StringComparison.Ordinal) || value is "." or "..")
            {
                throw new ArgumentException($"'{value}' is not a tracepoint {parameter}", parameter);
            }
        }
    }
}
