using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using Xunit;
using Xunit.Abstractions;

namespace BpfSharp.Tests.Kernel;

/// <summary>
/// Attaching to tracepoints, raw tracepoints, kprobes and cgroups: each program counts what the test itself triggers
/// (getppid calls of this thread, packets of a child process in a fresh cgroup), and stops counting once detached.
/// </summary>
[Collection(nameof(DescriptorCounting))] // counts the process's BPF, perf and cgroup descriptors: nothing else may run meanwhile
public sealed partial class AttachTests(ITestOutputHelper output) : IDisposable
{
    private const string TracingMount = "/sys/kernel/tracing";

    // getppid's system call number, as raw_tracepoint/sys_enter sees it, and its kernel entry point, per architecture.
    private static readonly (long Number, string Entry) Getppid = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? (173, "__arm64_sys_getppid") : (110, "__x64_sys_getppid");

    // Counts getppid calls per thread id, for the threads the test registered (a key present) only: other processes'
    // calls, and the test host's other threads, leave no trace.
    private static readonly string Syscalls = $$"""
        using BpfSharp;
        [assembly: BpfLicense("GPL")]
        public static unsafe class Syscalls
        {
            static readonly HashMap<uint, ulong> Counts = new(maxEntries: 16);

            [BpfProgram("tracepoint/syscalls/sys_enter_getppid")]
            public static int OnTracepoint(void* ctx)
            {
                Count();
                return 0;
            }

            [BpfProgram("raw_tracepoint/sys_enter")]
            public static int OnRawTracepoint(void* ctx)
            {
                ulong* args = (ulong*)ctx; // sys_enter(struct pt_regs *regs, long id)
                if (args[1] == {{Getppid.Number}})
                {
                    Count();
                }

                return 0;
            }

            [BpfProgram("kprobe/{{Getppid.Entry}}")]
            public static int OnKprobe(void* ctx)
            {
                Count();
                return 0;
            }

            [BpfProgram("kretprobe/{{Getppid.Entry}}")]
            public static int OnKretprobe(void* ctx)
            {
                Count();
                return 0;
            }

            static void Count()
            {
                uint thread = (uint)BpfHelpers.GetCurrentPidTgid();
                ulong* count = (ulong*)BpfHelpers.MapLookupElem(Counts, &thread);
                if (count != null)
                {
                    System.Threading.Interlocked.Increment(ref *count);
                }
            }
        }
        """;

    private const string Egress = """
        using BpfSharp;
        [assembly: BpfLicense("GPL")]
        public static unsafe class Egress
        {
            static ulong Packets;

            [BpfProgram("cgroup_skb/egress")]
            public static int CountPackets(SkBuff* skb)
            {
                System.Threading.Interlocked.Increment(ref Packets);
                return 1; // allow
            }

            [BpfProgram("cgroup_skb/egress")]
            public static int DropAll(SkBuff* skb) => 0;

            [BpfProgram("cgroup/skb")]
            public static int NoAttachType(SkBuff* skb) => 1;
        }
        """;

    private readonly string _directory = Directory.CreateTempSubdirectory("bpfsharp-attach-").FullName;
    private string? _cgroup;
    private readonly bool _tracingWasMounted = TracingMounted();

    public void Dispose()
    {
        Directory.Delete(_directory, recursive: true);
        if (_cgroup != null)
        {
            RemoveCgroup(_cgroup);
        }

        // Leave the machine as found: tracefs mounted by the loader during this test is unmounted again.
        if (!_tracingWasMounted && TracingMounted())
        {
            Tools.Run("umount", TracingMount);
        }
    }

    [LibraryImport("libc")]
    private static partial int getppid();

    [LibraryImport("libc")]
    private static partial int gettid();

    private BpfObject LoadSyscalls()
    {
        RunningKernel.RequireBpf();
        Skip.If(Tools.Find("clang") is null, "kernel test skipped: clang is needed (apt-get install clang)");
        return BpfObject.Load(Tools.CompileCSharp(Syscalls, _directory, "syscalls"));
    }

    /// <summary>Calls getppid <paramref name="times"/> times on this thread; returns how many the program counted meanwhile.</summary>
    private static ulong CountedCalls(BpfMapView<uint, ulong> counts, int times)
    {
        var before = counts.Lookup((uint)gettid());
        for (var i = 0; i < times; i++)
        {
            getppid();
        }

        return counts.Lookup((uint)gettid()) - before;
    }

    [SkippableFact]
    public void A_tracepoint_program_counts_this_threads_syscalls_until_detached()
    {
        using var loaded = LoadSyscalls();
        var counts = loaded.Map<uint, ulong>("Counts");
        counts.Update((uint)gettid(), 0);
        var program = loaded.Program("OnTracepoint");

        using (var link = program.AttachTracepoint())
        {
            Assert.Equal("OnTracepoint on syscalls/sys_enter_getppid (tracepoint)", link.Description);
            Assert.True(TracingMounted(), "tracefs is mounted once a tracepoint is attached");
            Assert.Equal(25ul, CountedCalls(counts, 25));
        }

        Assert.Equal(0ul, CountedCalls(counts, 10)); // detached

        using (program.AttachTracepoint("syscalls", "sys_enter_getppid"))
        {
            Assert.Equal(7ul, CountedCalls(counts, 7));
        }

        Assert.Equal(0ul, CountedCalls(counts, 10));
        output.WriteLine(_tracingWasMounted ? "tracefs was mounted already" : "tracefs was not mounted: the loader mounted it (unmounted again after the test)");
    }

    [SkippableFact]
    public void A_raw_tracepoint_program_counts_this_threads_syscalls_until_detached()
    {
        using var loaded = LoadSyscalls();
        var counts = loaded.Map<uint, ulong>("Counts");
        counts.Update((uint)gettid(), 0);
        var program = loaded.Program("OnRawTracepoint");

        using (var link = program.AttachRawTracepoint())
        {
            Assert.Equal("OnRawTracepoint on sys_enter (raw tracepoint)", link.Description);
            Assert.Equal(30ul, CountedCalls(counts, 30));
        }

        Assert.Equal(0ul, CountedCalls(counts, 10));

        using (program.AttachRawTracepoint("sys_enter"))
        {
            Assert.Equal(4ul, CountedCalls(counts, 4));
        }

        Assert.Equal(0ul, CountedCalls(counts, 10));
    }

    [SkippableFact]
    public void A_kprobe_program_counts_calls_of_a_kernel_function_until_detached()
    {
        using var loaded = LoadSyscalls();
        var counts = loaded.Map<uint, ulong>("Counts");
        counts.Update((uint)gettid(), 0);
        var kprobe = loaded.Program("OnKprobe");
        if (!Directory.Exists("/sys/bus/event_source/devices/kprobe"))
        {
            // A kernel without kprobes (CONFIG_KPROBES off): the attach says so, and the counting cannot be shown.
            var missing = Assert.Throws<BpfException>(() => kprobe.AttachKprobe());
            output.WriteLine(missing.Message);
            Assert.Contains("no kprobe PMU", missing.Message);
            Assert.Contains("CONFIG_KPROBE_EVENTS", missing.Message);
            Skip.If(true, "kernel test skipped: this kernel has no kprobe PMU (CONFIG_KPROBES off); only the attach's clear error was checked");
        }

        using (var link = kprobe.AttachKprobe())
        {
            Assert.Equal($"OnKprobe on {Getppid.Entry} (kprobe)", link.Description);
            Assert.Equal(12ul, CountedCalls(counts, 12));
        }

        Assert.Equal(0ul, CountedCalls(counts, 10));

        using (var link = loaded.Program("OnKretprobe").AttachKprobe())
        {
            Assert.Equal($"OnKretprobe on {Getppid.Entry} (kretprobe)", link.Description);
            Assert.Equal(5ul, CountedCalls(counts, 5));
        }

        using (loaded.Program("OnKretprobe").AttachKprobe(Getppid.Entry, isReturn: true))
        {
            Assert.Equal(3ul, CountedCalls(counts, 3));
        }

        Assert.Equal(0ul, CountedCalls(counts, 10));
        var unknown = Assert.Throws<BpfException>(() => kprobe.AttachKprobe("bpfsharp_no_such_function"));
        Assert.Contains("no kernel function 'bpfsharp_no_such_function'", unknown.Message);
    }

    [SkippableFact]
    public void A_cgroup_skb_program_counts_and_drops_a_child_process_packets_until_detached()
    {
        using var loaded = LoadEgress();
        var cgroup = CreateCgroup();
        var bss = loaded.Maps.Values.Single(m => m.Name.EndsWith(".bss", StringComparison.Ordinal));
        ulong Packets()
        {
            var value = new byte[8];
            Assert.True(bss.TryLookup(new byte[4], value));
            return BitConverter.ToUInt64(value);
        }

        using (var link = loaded.Program("CountPackets").AttachCgroup(cgroup))
        {
            Assert.Equal($"CountPackets on cgroup {cgroup} (BPF_CGROUP_INET_EGRESS)", link.Description);
            for (var i = 0; i < 3; i++)
            {
                Assert.Equal((0, string.Empty), SendFromChild(cgroup));
            }

            Assert.Equal(3ul, Packets()); // one datagram per child, nothing else in the cgroup
            Assert.Equal((0, string.Empty), SendFromChild(cgroup: null)); // outside the cgroup: not counted
            Assert.Equal(3ul, Packets());
        }

        Assert.Equal((0, string.Empty), SendFromChild(cgroup));
        Assert.Equal(3ul, Packets()); // detached

        // A program that returns 0 drops the send: the child's write fails with EPERM.
        using (loaded.Program("DropAll").AttachCgroup(cgroup))
        {
            var (exitCode, errors) = SendFromChild(cgroup);
            Assert.NotEqual(0, exitCode);
            Assert.Contains("Operation not permitted", errors);
        }

        Assert.Equal((0, string.Empty), SendFromChild(cgroup));
    }

    [SkippableFact]
    public void Wrong_targets_and_wrong_program_types_fail_clearly_and_nothing_leaks()
    {
        using var syscalls = LoadSyscalls();
        using var egress = LoadEgress();
        var cgroup = CreateCgroup();
        var tracepoint = syscalls.Program("OnTracepoint");
        var raw = syscalls.Program("OnRawTracepoint");
        var counter = egress.Program("CountPackets");

        var unknown = Assert.Throws<BpfException>(() => tracepoint.AttachTracepoint("syscalls", "sys_enter_bpfsharp_nothing"));
        output.WriteLine(unknown.Message);
        Assert.Contains("no tracepoint syscalls/sys_enter_bpfsharp_nothing", unknown.Message);
        Assert.Contains("/events/syscalls/sys_enter_bpfsharp_nothing/id does not exist", unknown.Message);
        Assert.Throws<ArgumentException>(() => tracepoint.AttachTracepoint("..", "x"));

        var unknownRaw = Assert.Throws<BpfException>(() => raw.AttachRawTracepoint("bpfsharp_nothing"));
        output.WriteLine(unknownRaw.Message);
        Assert.Equal(2, unknownRaw.Errno); // ENOENT
        Assert.Contains("no raw tracepoint 'bpfsharp_nothing'", unknownRaw.Message);

        var kprobe = Assert.Throws<BpfException>(() => syscalls.Program("OnKprobe").AttachKprobe("bpfsharp_no_such_function"));
        output.WriteLine(kprobe.Message);
        Assert.Matches("no kernel function 'bpfsharp_no_such_function'|no kprobe PMU", kprobe.Message);

        // Attach methods of another program type.
        var wrongType = Assert.Throws<InvalidOperationException>(() => counter.AttachTracepoint());
        Assert.Equal("AttachTracepoint attaches Tracepoint programs; 'CountPackets' is CgroupSkb (section \"cgroup_skb/egress\")", wrongType.Message);
        Assert.Throws<InvalidOperationException>(() => tracepoint.AttachRawTracepoint());
        Assert.Throws<InvalidOperationException>(() => raw.AttachKprobe("do_unlinkat"));
        Assert.Throws<InvalidOperationException>(() => counter.AttachXdp("lo"));
        var notCgroup = Assert.Throws<InvalidOperationException>(() => tracepoint.AttachCgroup(cgroup));
        Assert.Contains("'OnTracepoint' is Tracepoint", notCgroup.Message);
        var noAttachType = Assert.Throws<InvalidOperationException>(() => egress.Program("NoAttachType").AttachCgroup(cgroup));
        output.WriteLine(noAttachType.Message);
        Assert.Contains("has no attach type", noAttachType.Message);
        Assert.Contains("cgroup_skb/egress", noAttachType.Message);

        // Paths that are not cgroup v2 directories.
        var plainDirectory = Assert.Throws<BpfException>(() => counter.AttachCgroup(_directory));
        output.WriteLine(plainDirectory.Message);
        Assert.Contains($"{_directory} is not in a cgroup v2 file system", plainDirectory.Message);
        var missing = Assert.Throws<BpfException>(() => counter.AttachCgroup(cgroup + "-missing"));
        Assert.Contains("is not a cgroup v2 directory", missing.Message);
        Assert.Equal(2, missing.Errno);
        var file = Assert.Throws<BpfException>(() => counter.AttachCgroup(Path.Combine(cgroup, "cgroup.procs")));
        Assert.Contains("is not a cgroup v2 directory", file.Message);
        if (CgroupV1Directory() is string v1)
        {
            var old = Assert.Throws<BpfException>(() => counter.AttachCgroup(v1));
            output.WriteLine(old.Message);
            Assert.Contains("cgroup v1 directory", old.Message);
        }

        // Attach and detach, and fail, many times: the process holds as many descriptors after as before.
        void Round()
        {
            tracepoint.AttachTracepoint().Dispose();
            raw.AttachRawTracepoint().Dispose();
            counter.AttachCgroup(cgroup).Dispose();
            Assert.Throws<BpfException>(() => tracepoint.AttachTracepoint("syscalls", "sys_enter_bpfsharp_nothing"));
            Assert.Throws<BpfException>(() => raw.AttachRawTracepoint("bpfsharp_nothing"));
            Assert.Throws<BpfException>(() => counter.AttachCgroup(_directory));
            Assert.Throws<BpfException>(() => syscalls.Program("OnKprobe").AttachKprobe("bpfsharp_no_such_function"));
            Assert.Throws<InvalidOperationException>(() => egress.Program("NoAttachType").AttachCgroup(cgroup));
        }

        Round(); // first: tracefs mounted, code paths warmed
        var before = OpenDescriptors();
        using (tracepoint.AttachTracepoint())
        {
            Assert.Equal(before + 2, OpenDescriptors()); // the link and its perf event: the count sees them
        }

        for (var i = 0; i < 20; i++)
        {
            Round();
        }

        Assert.Equal(before, OpenDescriptors());
    }

    private BpfObject LoadEgress()
    {
        RunningKernel.RequireBpf();
        Skip.If(Tools.Find("clang") is null, "kernel test skipped: clang is needed (apt-get install clang)");
        return BpfObject.Load(Tools.CompileCSharp(Egress, _directory, "egress"));
    }

    /// <summary>A fresh cgroup v2 directory, removed when the test ends.</summary>
    private string CreateCgroup()
    {
        var root = File.ReadLines("/proc/self/mounts").Select(l => l.Split(' ')).FirstOrDefault(f => f.Length > 2 && f[2] == "cgroup2")?[1];
        Skip.If(root is null, "kernel test skipped: no cgroup v2 file system is mounted");
        _cgroup = Path.Combine(root!, "bpfsharp-test-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(_cgroup);
        return _cgroup;
    }

    private static void RemoveCgroup(string cgroup)
    {
        // The children have been waited for, but the kernel may take a moment to empty the cgroup.
        for (var attempt = 0; Directory.Exists(cgroup); attempt++)
        {
            try
            {
                Directory.Delete(cgroup);
            }
            catch (IOException) when (attempt < 50)
            {
                System.Threading.Thread.Sleep(20);
            }
        }
    }

    /// <summary>A child bash that moves itself into the cgroup (or stays put), then sends one UDP datagram to 127.0.0.1:9.</summary>
    internal static (int ExitCode, string Errors) SendFromChild(string? cgroup)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardError = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add((cgroup is null ? string.Empty : $"echo $$ > {cgroup}/cgroup.procs && ") + "exec bash -c 'echo x > /dev/udp/127.0.0.1/9'");
        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, errors.Trim());
    }

    private static bool TracingMounted() => Directory.Exists(Path.Combine(TracingMount, "events")) || Directory.Exists("/sys/kernel/debug/tracing/events");

    private static string? CgroupV1Directory() =>
        File.ReadLines("/proc/self/mounts").Select(l => l.Split(' ')).FirstOrDefault(f => f.Length > 2 && f[2] == "cgroup")?[1];

    // What attaching opens: BPF links and programs, perf events, cgroup directories.
    private static int OpenDescriptors() => DescriptorCounting.Open("bpf", "perf_event", "/sys/fs/cgroup");
}
