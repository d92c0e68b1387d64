using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Runtime.InteropServices;
using BpfSharp.Tests.Compiler;
using Microsoft.Win32.SafeHandles;
using Xunit;

namespace BpfSharp.Tests.Kernel;

/// <summary>Every map class the runtime declares: created from its C# field by the loader, written and read back through its view.</summary>
[Collection(nameof(DescriptorCounting))]
public sealed class MapViewTests : IDisposable
{
    // One field of every map class, as a consumer declares them; the programs use a few so the kernel acts on them.
    private const string AllMaps = """
        using BpfSharp;
        [assembly: BpfLicense("GPL")]
        public struct Prefix { public uint Length; public uint Address; }
        public static unsafe class AllMaps
        {
            public static readonly HashMap<uint, ulong> Hash = new(16);
            public static readonly LruHashMap<uint, ulong> Lru = new(16);
            public static readonly ArrayMap<ulong> Array = new(4);
            public static readonly PercpuHashMap<uint, ulong> PercpuHash = new(16);
            public static readonly PercpuArrayMap<ulong> PercpuArray = new(4);
            public static readonly LruPercpuHashMap<uint, ulong> LruPercpu = new(16);
            public static readonly LpmTrieMap<Prefix, ulong> Routes = new(16, flags: 1);
            public static readonly QueueMap<ulong> Queue = new(4);
            public static readonly StackMap<ulong> Stack = new(4);
            public static readonly BloomFilterMap<ulong> Seen = new(64);
            public static readonly RingBufMap Ring = new(4096);
            public static readonly UserRingBufMap FromUser = new(4096);
            public static readonly PerfEventArrayMap Perf = new();
            public static readonly ProgArrayMap Jumps = new(2);
            public static readonly ArrayOfMaps Tables = new(2, inner: new HashMap<uint, ulong>(16));
            public static readonly HashOfMaps<uint> TablesByKey = new(2, inner: new HashMap<uint, ulong>(16));
            public static readonly DevMap Devices = new(2);
            public static readonly DevmapHashMap DevicesByKey = new(2);
            public static readonly CpuMap Cpus = new(2);
            public static readonly XskMap Xsk = new(2);
            public static readonly SockMap Sockets = new(2);
            public static readonly SockHashMap<uint> SocketsByKey = new(2);
            public static readonly ReuseportSockArrayMap Reuseport = new(2);
            public static readonly CgroupArrayMap Cgroups = new(2);
            public static readonly SkStorageMap<ulong> PerSocket = new();
            public static readonly TaskStorageMap<ulong> PerTask = new();
            public static readonly InodeStorageMap<ulong> PerInode = new();
            public static readonly CgrpStorageMap<ulong> PerCgroup = new();
            public static readonly CgroupStorageMap<ulong> PerAttachedCgroup = new();
            public static readonly PercpuCgroupStorageMap<ulong> PerAttachedCgroupPerCpu = new();
            public static readonly StackTraceMap Stacks = new(16);
            public static readonly ArenaMap Arena = new(1, flags: 1024);
            static long LastStack = -1;

            [BpfProgram("xdp")]
            public static int Entry(void* ctx)
            {
                BpfHelpers.TailCall(ctx, Jumps, 0);
                return 2;
            }

            [BpfProgram("xdp")]
            public static int Jumped(void* ctx) => 1;

            [BpfProgram("xdp")]
            public static int UnderCgroup(void* ctx) => (int)BpfHelpers.CurrentTaskUnderCgroup(Cgroups, 0);

            [BpfProgram("cgroup_skb/egress")]
            public static int CountPerCgroup(SkBuff* skb)
            {
                ulong* sent = (ulong*)BpfHelpers.GetLocalStorage(PerAttachedCgroup, 0);
                System.Threading.Interlocked.Increment(ref *sent);
                ulong* sentOnThisCpu = (ulong*)BpfHelpers.GetLocalStorage(PerAttachedCgroupPerCpu, 0);
                *sentOnThisCpu = *sentOnThisCpu + 1;
                return 1;
            }

            [BpfProgram("raw_tracepoint/sys_enter")]
            public static int Trace(BpfRawTracepointArgs* ctx)
            {
                LastStack = BpfHelpers.GetStackid(ctx, Stacks, 0);
                return 0;
            }
        }
        """;

    private readonly string _directory = Directory.CreateTempSubdirectory("bpfsharp-maps-").FullName;
    private readonly List<string> _cgroups = new();

    public void Dispose()
    {
        foreach (var cgroup in _cgroups)
        {
            Directory.Delete(cgroup);
        }

        Directory.Delete(_directory, recursive: true);
    }

    private const string ArenaField = "    public static readonly ArenaMap Arena = new(1, flags: 1024);\n";

    private BpfObject Load()
    {
        RunningKernel.RequireBpf();
        Skip.If(Tools.Find("clang") is null, "kernel test skipped: clang is needed (apt-get install clang)");
        // A machine that refuses arenas (EPERM) still tests every other map: the object leaves the arena out there.
        var source = s_arenaRefusal.Value is null ? AllMaps : AllMaps.Replace(ArenaField, string.Empty, StringComparison.Ordinal);
        return BpfObject.Load(Tools.CompileCSharp(source, _directory, "all"));
    }

    // Why this machine cannot create an arena map, or null where it can: asked of the kernel with an object of one arena.
    private static readonly Lazy<string?> s_arenaRefusal = new(() =>
    {
        var directory = Directory.CreateTempSubdirectory("bpfsharp-arena-").FullName;
        try
        {
            var source = "using BpfSharp;\n[assembly: BpfLicense(\"GPL\")]\npublic static unsafe class OnlyArena\n{\n" + ArenaField
                + "    [BpfProgram(\"xdp\")]\n    public static int Run(void* ctx) => 2;\n}\n";
            using var loaded = BpfObject.Load(Tools.CompileCSharp(source, directory, "arena"));
            return null;
        }
        catch (BpfException e) when (e.Errno is 1 or 95) // EPERM, EOPNOTSUPP
        {
            return "this machine refuses to create BPF_MAP_TYPE_ARENA maps (" + e.Message + ")" + (HasCapability(24) ? string.Empty : "; root here runs without CAP_SYS_RESOURCE");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    });

    private static bool HasCapability(int bit)
    {
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("CapEff:", StringComparison.Ordinal));
        return line != null && (Convert.ToUInt64(line["CapEff:".Length..].Trim(), 16) & (1UL << bit)) != 0;
    }

    // The classes the loader creates but no view writes here, and why.
    private static readonly Dictionary<BpfMapType, string> s_createdOnly = new()
    {
        [BpfMapType.Xskmap] = "written with AF_XDP sockets, which need a UMEM this test does not set up",
        [BpfMapType.UserRingbuf] = "written through the user ring buffer writer, tested on its own (drained by a hand-written C program: the callback cannot be written in C# yet)",
        [BpfMapType.PerfEventArray] = "read through the perf event reader, tested on its own",
        [BpfMapType.Ringbuf] = "read through the ring buffer reader, tested on its own",
    };

    [SkippableFact]
    public void Every_map_class_of_the_runtime_is_created_from_its_field_or_refused_when_the_program_is_built()
    {
        var classes = typeof(BpfMap).Assembly.GetTypes()
            .Select(type => type.GetCustomAttribute<BpfMapClassAttribute>()?.MapType)
            .OfType<BpfMapType>()
            .ToHashSet();
        using var loaded = Load();
        var created = loaded.Maps.Values.Where(m => !m.Name.Contains('.', StringComparison.Ordinal)).ToDictionary(m => m.Name, m => m.Type);
        Assert.Equal(BpfMapType.LpmTrie, created["Routes"]);
        Assert.Equal(BpfMapType.ArrayOfMaps, created["Tables"]);
        Assert.Equal((uint)loaded.PerCpuMap<uint, ulong>("PercpuHash").CpuCount, loaded.Map("Perf").MaxEntries); // 0 entries: one per possible CPU
        Assert.Equal(1u, loaded.Map("PerSocket").Flags); // BPF_F_NO_PREALLOC, which local storage needs, added by the compiler

        // What the loader cannot make from a C# field is refused when the program is built, at the field.
        var refused = new[] { ("StructOpsMap", BpfMapType.StructOps), ("InsnArrayMap", BpfMapType.InsnArray) };
        foreach (var (mapClass, type) in refused)
        {
            var problems = BpfTranslatorTests.Translate(AllMaps.Replace("static long LastStack", $"public static readonly {mapClass} Refused = new(1);\n    static long LastStack", StringComparison.Ordinal)).Problems;
            Assert.Contains(problems, p => p.Id == "BPF2004" && p.Message.Contains("'Refused'", StringComparison.Ordinal) && p.Message.Contains("cannot be declared", StringComparison.Ordinal));
        }

        if (s_arenaRefusal.Value != null)
        {
            classes.Remove(BpfMapType.Arena); // tested where the machine allows it (see the arena test's skip reason)
        }

        Assert.Equal(classes.Order(), created.Values.Concat(refused.Select(r => r.Item2)).ToHashSet().Order());
    }

    [SkippableFact]
    public void Key_value_maps_write_and_read_back_through_their_views()
    {
        using var loaded = Load();
        foreach (var view in new[] { loaded.Map<uint, ulong>("Hash"), loaded.Map<uint, ulong>("Lru"), loaded.Map<uint, ulong>("Array") })
        {
            view.Update(1, 11);
            view.Update(3, 33);
            Assert.Equal(11ul, view.Lookup(1));
            Assert.Equal(33ul, view.Lookup(3));
        }

        // Longest prefix wins: 10.0.0.0/8 and 10.1.0.0/16, looked up with a /32.
        var routes = loaded.Map<Prefix, ulong>("Routes");
        routes.Update(new Prefix(8, 10), 8);
        routes.Update(new Prefix(16, 10 | 1 << 8), 16);
        Assert.Equal(16ul, routes.Lookup(new Prefix(32, 10 | 1 << 8 | 2 << 16 | 3 << 24)));
        Assert.Equal(8ul, routes.Lookup(new Prefix(32, 10 | 9 << 8)));
        Assert.False(routes.TryLookup(new Prefix(32, 11), out _));

        var seen = loaded.BloomFilter<ulong>("Seen");
        Assert.False(seen.MayContain(42));
        seen.Add(42);
        Assert.True(seen.MayContain(42));

        foreach (var (name, expected) in new[] { ("Queue", new ulong[] { 1, 2 }), ("Stack", new ulong[] { 2, 1 }) })
        {
            var queue = loaded.Queue<ulong>(name);
            queue.Push(1);
            queue.Push(2);
            Assert.True(queue.TryPop(out var first));
            Assert.True(queue.TryPop(out var second));
            Assert.Equal(expected, new[] { first, second });
        }

        foreach (var name in new[] { "PercpuHash", "PercpuArray", "LruPercpu" })
        {
            var perCpu = loaded.PerCpuMap<uint, ulong>(name);
            perCpu.Update(1, Enumerable.Range(0, perCpu.CpuCount).Select(cpu => (ulong)(cpu + 100)).ToArray());
            Assert.Equal(Enumerable.Range(0, perCpu.CpuCount).Select(cpu => (ulong)(cpu + 100)), perCpu.Lookup(1));
        }

        // Device maps hold interface indexes; a CPU map each CPU's queue size.
        var loopback = (uint)int.Parse(File.ReadAllText("/sys/class/net/lo/ifindex").Trim(), System.Globalization.CultureInfo.InvariantCulture);
        foreach (var devices in new[] { loaded.Map<uint, uint>("Devices"), loaded.Map<uint, uint>("DevicesByKey") })
        {
            devices.Update(1, loopback);
            Assert.Equal(loopback, devices.Lookup(1));
        }

        var cpus = loaded.Map<uint, uint>("Cpus");
        cpus.Update(0, 192);
        Assert.Equal(192u, cpus.Lookup(0));
    }

    [SkippableFact]
    public void A_program_array_sends_tail_calls_to_the_program_set_into_it()
    {
        using var loaded = Load();
        var jumps = loaded.ProgramArray("Jumps");
        var frame = new byte[64];
        Assert.Equal(2, loaded.Program("Entry").TestRun(frame).ReturnValue); // empty slot: the tail call falls through
        jumps.Set(0, loaded.Program("Jumped"));
        Assert.True(jumps.TryGetProgramId(0, out var id) && id > 0);
        Assert.Equal(1, loaded.Program("Entry").TestRun(frame).ReturnValue);
        Assert.True(jumps.Clear(0));
        Assert.False(jumps.TryGetProgramId(0, out _));
        Assert.Equal(2, loaded.Program("Entry").TestRun(frame).ReturnValue);
        Assert.Equal(22, Assert.Throws<BpfException>(() => jumps.Set(0, loaded.Program("Trace"))).Errno); // another program type
    }

    [SkippableFact]
    public void Maps_of_maps_hold_maps_shaped_like_their_template()
    {
        using var loaded = Load();
        foreach (var outer in new[] { loaded.MapOfMaps<uint>("Tables"), loaded.MapOfMaps<uint>("TablesByKey") })
        {
            outer.Set(1, loaded.Map("Hash"));
            Assert.True(outer.TryGetMapId(1, out var id) && id > 0);
            Assert.Equal(22, Assert.Throws<BpfException>(() => outer.Set(0, loaded.Map("Array"))).Errno); // not the template's type
            Assert.True(outer.Delete(1));
            Assert.False(outer.TryGetMapId(1, out _));
        }
    }

    [SkippableFact]
    public void Socket_maps_hold_sockets_and_give_back_their_cookies()
    {
        using var loaded = Load();
        using var udp = BoundUdp(reusePort: true);
        var cookie = Cookie(udp);
        foreach (var name in new[] { "Sockets", "SocketsByKey", "Reuseport" })
        {
            var sockets = loaded.SocketMap<uint>(name);
            sockets.Set(1, udp);
            Assert.True(sockets.TryGetCookie(1, out var stored));
            Assert.Equal(cookie, stored);
            Assert.True(sockets.Delete(1));
            Assert.False(sockets.TryGetCookie(1, out _));
        }
    }

    [SkippableFact]
    public void Local_storage_keeps_one_value_per_socket_task_inode_and_cgroup()
    {
        using var loaded = Load();
        using var udp = BoundUdp(reusePort: false);
        using var otherUdp = BoundUdp(reusePort: false);
        using var task = PidFd(Environment.ProcessId);
        using var cgroup = OpenDirectory(NewCgroup());
        using var file = File.OpenHandle(Path.Combine(_directory, "all.bpf.o"));
        using var otherFile = File.OpenHandle(Path.Combine(_directory, "all.bpf.c"));
        var owners = new (string Map, SafeHandle Owner, SafeHandle Other)[]
        {
            ("PerSocket", udp.SafeHandle, otherUdp.SafeHandle), ("PerTask", task, task), ("PerCgroup", cgroup, cgroup), ("PerInode", file, otherFile),
        };
        foreach (var (map, owner, other) in owners)
        {
            var storage = loaded.LocalStorage<ulong>(map);
            Assert.False(storage.TryLookup(owner, out _));
            storage.Update(owner, 7);
            Assert.Equal(7ul, storage.Lookup(owner));
            storage.Update(owner, 8, flags: 2); // BPF_EXIST
            Assert.Equal(8ul, storage.Lookup(owner));
            if (!ReferenceEquals(owner, other))
            {
                Assert.False(storage.TryLookup(other, out _)); // another socket has its own (empty) storage
            }

            Assert.True(storage.Delete(owner));
            Assert.False(storage.Delete(owner));
        }

        var closed = BoundUdp(reusePort: false);
        closed.Dispose();
        Assert.Throws<ObjectDisposedException>(() => loaded.LocalStorage<ulong>("PerSocket").Update(closed.SafeHandle, 1));
        Assert.Contains("not a local storage map", Assert.Throws<BpfException>(() => loaded.LocalStorage<ulong>("Hash")).Message);
        Assert.Contains("8-byte values; UInt32 is 4 bytes", Assert.Throws<BpfException>(() => loaded.LocalStorage<uint>("PerTask")).Message);
    }

    [SkippableFact]
    public void A_cgroup_array_tells_a_program_whether_the_task_is_in_the_cgroup_set_into_it()
    {
        using var loaded = Load();
        var cgroups = loaded.CgroupArray("Cgroups");
        var frame = new byte[64];
        using (var root = OpenDirectory(CgroupRoot()))
        {
            cgroups.Set(0, root);
        }

        Assert.Equal(1, loaded.Program("UnderCgroup").TestRun(frame).ReturnValue); // every task is under the root
        using (var empty = OpenDirectory(NewCgroup()))
        {
            cgroups.Set(0, empty);
        }

        Assert.Equal(0, loaded.Program("UnderCgroup").TestRun(frame).ReturnValue); // nobody is in a fresh cgroup
        Assert.True(cgroups.Clear(0));
    }

    [SkippableFact]
    public void Cgroup_storage_holds_a_value_per_cgroup_a_program_using_it_is_attached_to()
    {
        using var loaded = Load();
        var cgroup = NewCgroup();
        var storage = loaded.Map<ulong, ulong>("PerAttachedCgroup"); // keyed by the cgroup's id (its directory's inode)
        var id = ulong.Parse(Tools.Run("stat", $"-c %i {cgroup}").Output.Trim(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.False(storage.TryLookup(id, out _)); // nothing attached: no storage
        using (loaded.Program("CountPerCgroup").AttachCgroup(cgroup))
        {
            Assert.Equal(0ul, storage.Lookup(id)); // attaching made it, zeroed
            for (var i = 0; i < 3; i++)
            {
                Assert.Equal(0, AttachTests.SendFromChild(cgroup).ExitCode);
            }

            Assert.True(storage.Lookup(id) >= 3, $"{storage.Lookup(id)} packets counted"); // bash may send more than the datagram
            Assert.Equal(storage.Lookup(id), loaded.PerCpuMap<ulong, ulong>("PerAttachedCgroupPerCpu").Lookup(id).Aggregate(0ul, (sum, count) => sum + count));
            storage.Update(id, 100, flags: 2); // BPF_EXIST: user space writes it too
            Assert.Equal(100ul, storage.Lookup(id));
            Assert.Equal([id], storage.Keys.ToArray());
        }
    }

    [SkippableFact]
    public void An_arena_is_memory_that_keeps_what_is_written_into_it_between_mappings()
    {
        RunningKernel.RequireBpf();
        Skip.If(Tools.Find("clang") is null, "kernel test skipped: clang is needed (apt-get install clang)");
        Skip.If(s_arenaRefusal.Value != null, "kernel test skipped: " + s_arenaRefusal.Value);
        using var loaded = Load();
        nuint address;
        using (var arena = loaded.Arena("Arena"))
        {
            Assert.Equal((nuint)Environment.SystemPageSize, arena.Length); // one page declared
            "hello from .NET"u8.CopyTo(arena.Memory);
            address = arena.Address;
            Assert.Throws<BpfException>(() => loaded.Arena("Arena")); // one mapping at a time
        }

        using (var again = loaded.Arena("Arena"))
        {
            Assert.Equal(address, again.Address); // the kernel puts an arena at one address
            Assert.Equal("hello from .NET"u8.ToArray(), again.Memory[..15].ToArray());
        }

        var disposed = loaded.Arena("Arena");
        disposed.Dispose();
        Assert.Throws<ObjectDisposedException>(() => disposed.Memory.Length);
        Assert.Contains("not an arena", Assert.Throws<BpfException>(() => loaded.Arena("Hash")).Message);
    }

    [SkippableFact]
    public void A_stack_trace_map_keeps_the_kernel_stack_a_program_saw()
    {
        using var loaded = Load();
        loaded.Program("Trace").TestRun([], context: new byte[16]);
        var stackId = BitConverter.ToInt64(Global(loaded, ".data"));
        Assert.True(stackId >= 0, $"bpf_get_stackid returned {stackId}");
        var stacks = loaded.StackTraces("Stacks");
        Assert.True(stacks.TryLookup((uint)stackId, out var addresses));
        Assert.NotEmpty(addresses);
        Assert.All(addresses, address => Assert.True(address >= 0xffff_8000_0000_0000, $"{address:x} is not a kernel address"));
        Assert.True(stacks.Delete((uint)stackId));
        Assert.False(stacks.TryLookup((uint)stackId, out _));
    }

    private static byte[] Global(BpfObject loaded, string section)
    {
        var data = loaded.Maps.Values.Single(m => m.Name.EndsWith(section, StringComparison.Ordinal));
        var value = new byte[data.ValueSize];
        Assert.True(data.TryLookup(new byte[4], value));
        return value;
    }

    private static Socket BoundUdp(bool reusePort)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        if (reusePort)
        {
            socket.SetRawSocketOption(1, 15, BitConverter.GetBytes(1)); // SOL_SOCKET, SO_REUSEPORT
        }

        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return socket;
    }

    private static ulong Cookie(Socket socket)
    {
        var cookie = new byte[8];
        socket.GetRawSocketOption(1, 57, cookie); // SOL_SOCKET, SO_COOKIE
        return BitConverter.ToUInt64(cookie);
    }

    private static string CgroupRoot()
    {
        var root = new[] { "/sys/fs/cgroup/unified", "/sys/fs/cgroup" }.FirstOrDefault(path => File.Exists(Path.Combine(path, "cgroup.subtree_control")));
        Skip.If(root is null, "kernel test skipped: no cgroup v2 hierarchy is mounted");
        return root!;
    }

    private string NewCgroup()
    {
        var path = Path.Combine(CgroupRoot(), "bpfsharp-test-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(path);
        _cgroups.Add(path);
        return path;
    }

    private static SafeFileHandle OpenDirectory(string path)
    {
        var fd = Open(path, 0x10000 | 0x80000); // O_RDONLY | O_DIRECTORY | O_CLOEXEC
        return fd >= 0 ? new SafeFileHandle(fd, ownsHandle: true) : throw new IOException($"cannot open {path}: errno {Marshal.GetLastPInvokeError()}");
    }

    private static SafeFileHandle PidFd(int pid)
    {
        var fd = (int)Syscall(434, pid, 0); // pidfd_open
        return fd >= 0 ? new SafeFileHandle(fd, ownsHandle: true) : throw new IOException($"pidfd_open failed: errno {Marshal.GetLastPInvokeError()}");
    }

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int Open(string path, int flags);

    [DllImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static extern long Syscall(long number, long first, long second);
}

public record struct Prefix(uint Length, uint Address);
