using System;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using BpfSharp.Loader.Native;
using Xunit;
using Xunit.Abstractions;

namespace BpfSharp.Tests.Kernel;

/// <summary>
/// TC programs attached to lo through the clsact qdisc (the way kernels before tcx run them), and through tcx: real UDP
/// datagrams over loopback, counted or dropped by the programs, and nothing left on lo afterwards.
/// </summary>
[Collection(nameof(DescriptorCounting))] // counts the process's BPF descriptors and sockets: nothing else may run meanwhile
public sealed class TcAttachTests(ITestOutputHelper output) : IDisposable
{
    private const string Loopback = "lo";

    // Counts datagrams per (slot, UDP destination port), for the keys the test registered only: the other traffic on lo
    // (other tests, the test host's own connections) is neither counted nor dropped. A counter returns TC_ACT_UNSPEC,
    // which lets the next classifier (or tc after tcx) run too; TC_ACT_OK would end the classification there.
    private const string Programs = """
        using BpfSharp;
        using static BpfSharp.BpfReturnCodes;
        [assembly: BpfLicense("GPL")]
        public static unsafe class Tc
        {
            static readonly HashMap<uint, ulong> Counts = new(maxEntries: 64);

            [BpfProgram("tc")]
            public static int CountA(SkBuff* skb)
            {
                Count(0, skb);
                return TC_ACT_UNSPEC;
            }

            [BpfProgram("tc")]
            public static int CountB(SkBuff* skb)
            {
                Count(1, skb);
                return TC_ACT_UNSPEC;
            }

            [BpfProgram("tc")]
            public static int CountAndPass(SkBuff* skb)
            {
                Count(3, skb);
                return TC_ACT_OK;
            }

            [BpfProgram("tc")]
            public static int DropRegistered(SkBuff* skb) => Count(2, skb) ? TC_ACT_SHOT : TC_ACT_UNSPEC;

            [BpfProgram("socket")]
            public static int KeepAll(SkBuff* skb) => -1;

            // IPv4 without options, UDP: the destination port sits at 14 + 20 + 2 in the Ethernet frame lo carries.
            static bool Count(uint slot, SkBuff* skb)
            {
                byte* frame = stackalloc byte[40];
                if (BpfHelpers.SkbLoadBytes(skb, 0, frame, 38) != 0)
                {
                    return false;
                }

                if (frame[12] != 0x08 || frame[13] != 0x00 || frame[14] != 0x45 || frame[23] != 17)
                {
                    return false;
                }

                uint key = (slot << 16) | ((uint)frame[36] << 8) | frame[37];
                ulong* count = (ulong*)BpfHelpers.MapLookupElem(Counts, &key);
                if (count == null)
                {
                    return false;
                }

                System.Threading.Interlocked.Increment(ref *count);
                return true;
            }
        }
        """;

    private static readonly string[] ProgramNames = ["CountA", "CountB", "CountAndPass", "DropRegistered"];

    private readonly string _directory = Directory.CreateTempSubdirectory("bpfsharp-tc-").FullName;
    private bool? _clsactBefore;

    public void Dispose()
    {
        Directory.Delete(_directory, recursive: true);
        if (_clsactBefore is bool before)
        {
            // Leave lo as found, whatever failed: this test's classifiers deleted, and the clsact qdisc the loader added.
            RemoveOurFilters();
            if (!before)
            {
                TcNetlink.DeleteClsact(LoopbackIndex);
            }
        }
    }

    private static int LoopbackIndex => BpfLink.InterfaceIndex(Loopback);

    private BpfObject Load()
    {
        RunningKernel.RequireBpf();
        Skip.If(Tools.Find("clang") is null, "kernel test skipped: clang is needed (apt-get install clang)");
        _clsactBefore ??= TcNetlink.HasClsact(LoopbackIndex);
        RemoveOurFilters(); // left by a crashed earlier run, they would count too
        return BpfObject.Load(Tools.CompileCSharp(Programs, _directory, "tc"));
    }

    private static void RemoveOurFilters()
    {
        foreach (var parent in new[] { TcNetlink.IngressParent, TcNetlink.EgressParent })
        {
            foreach (var filter in TcNetlink.BpfFilters(LoopbackIndex, parent).Where(f => ProgramNames.Contains(f.Name)))
            {
                TcNetlink.Detach(new TcFilter(LoopbackIndex, parent, filter.Priority, filter.Handle), "cleanup", out _);
            }
        }
    }

    /// <summary>This test's classifiers on lo's hook, by name, as the kernel lists them.</summary>
    private static string[] Attached(TcDirection direction) =>
        TcNetlink.BpfFilters(LoopbackIndex, direction == TcDirection.Ingress ? TcNetlink.IngressParent : TcNetlink.EgressParent)
            .Where(f => ProgramNames.Contains(f.Name)).Select(f => f.Name!).Order().ToArray();

    /// <summary>What <c>tc filter show dev lo ingress|egress</c> prints, or null without tc.</summary>
    private static string? TcShow(TcDirection direction) =>
        Tools.Find("tc") is string tc ? Tools.Run(tc, $"filter show dev {Loopback} {direction.ToString().ToLowerInvariant()}").Output : null;

    private static uint Key(int slot, int port) => ((uint)slot << 16) | (uint)port;

    /// <summary>A UDP socket bound on 127.0.0.1 and a sender: datagrams sent, and how many arrived.</summary>
    private sealed class Datagrams : IDisposable
    {
        private readonly Socket _receiver = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveTimeout = 300 };
        private readonly Socket _sender = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);

        public Datagrams()
        {
            _receiver.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        }

        public int Port => ((IPEndPoint)_receiver.LocalEndPoint!).Port;

        /// <summary>Sends <paramref name="count"/> datagrams, one at a time, each waited for: how many were received.</summary>
        public int Exchange(int count)
        {
            var received = 0;
            var buffer = new byte[64];
            for (var i = 0; i < count; i++)
            {
                _sender.SendTo(new byte[] { 1, 2, 3, (byte)i }, _receiver.LocalEndPoint!);
                try
                {
                    received += _receiver.Receive(buffer) == 4 ? 1 : 0;
                }
                catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut)
                {
                    // dropped
                }
            }

            return received;
        }

        public void Dispose()
        {
            _receiver.Dispose();
            _sender.Dispose();
        }
    }

    [SkippableFact]
    public void A_clsact_classifier_on_lo_ingress_counts_real_datagrams_until_disposed_and_leaves_no_filter()
    {
        using var loaded = Load();
        var counts = loaded.Map<uint, ulong>("Counts");
        using var datagrams = new Datagrams();
        var key = Key(0, datagrams.Port);
        counts.Update(key, 0);
        var program = loaded.Program("CountA");

        using (var link = program.AttachTc(Loopback, TcDirection.Ingress, TcAttachMode.Clsact))
        {
            Assert.Equal("CountA on lo (clsact ingress)", link.Description);
            Assert.True(link.IsAttached);
            Assert.True(TcNetlink.HasClsact(LoopbackIndex));
            var filter = Assert.Single(TcNetlink.BpfFilters(LoopbackIndex, TcNetlink.IngressParent), f => f.Name == "CountA");
            output.WriteLine($"attached: priority {filter.Priority}, handle {filter.Handle}, program id {filter.ProgramId}");
            Assert.True(filter.DirectAction);
            Assert.NotEqual(0u, filter.ProgramId);
            Assert.Empty(Attached(TcDirection.Egress));
            if (TcShow(TcDirection.Ingress) is string shown)
            {
                output.WriteLine(shown);
                Assert.Contains("CountA", shown);
                Assert.Contains("direct-action", shown);
                Assert.Contains($"pref {filter.Priority} bpf", shown);
            }

            Assert.Equal(10, datagrams.Exchange(10));
            Assert.Equal(10ul, counts.Lookup(key));

            // Not a kernel link: nothing to pin.
            var pin = Assert.Throws<InvalidOperationException>(() => link.Pin("/sys/fs/bpf/bpfsharp-tc-never"));
            Assert.Contains("not a kernel link", pin.Message);
        }

        Assert.Empty(Attached(TcDirection.Ingress));
        if (TcShow(TcDirection.Ingress) is string after)
        {
            Assert.DoesNotContain("CountA", after);
        }

        Assert.Equal(5, datagrams.Exchange(5));
        Assert.Equal(10ul, counts.Lookup(key)); // detached: not counted

        using (var again = program.AttachTc(Loopback, TcDirection.Ingress, TcAttachMode.Clsact))
        {
            Assert.Equal(new[] { "CountA" }, Attached(TcDirection.Ingress));
            Assert.Equal(3, datagrams.Exchange(3));
            Assert.Equal(13ul, counts.Lookup(key));
            again.Dispose();
            Assert.False(again.IsAttached);
            again.Dispose(); // twice: nothing more happens
        }

        Assert.Empty(Attached(TcDirection.Ingress));
        Assert.Equal(2, datagrams.Exchange(2));
        Assert.Equal(13ul, counts.Lookup(key));
    }

    [SkippableFact]
    public void Two_clsact_classifiers_on_lo_egress_both_run_and_disposing_one_leaves_the_other()
    {
        using var loaded = Load();
        var counts = loaded.Map<uint, ulong>("Counts");
        using var datagrams = new Datagrams();
        var (a, b) = (Key(0, datagrams.Port), Key(1, datagrams.Port));
        counts.Update(a, 0);
        counts.Update(b, 0);

        var first = loaded.Program("CountA").AttachTc(Loopback, TcDirection.Egress, TcAttachMode.Clsact);
        try
        {
            using var second = loaded.Program("CountB").AttachTc(Loopback, TcDirection.Egress, TcAttachMode.Clsact);
            Assert.Equal("CountA on lo (clsact egress)", first.Description);
            Assert.Equal("CountB on lo (clsact egress)", second.Description);
            Assert.Equal(new[] { "CountA", "CountB" }, Attached(TcDirection.Egress));
            Assert.Empty(Attached(TcDirection.Ingress));
            var priorities = TcNetlink.BpfFilters(LoopbackIndex, TcNetlink.EgressParent).Where(f => ProgramNames.Contains(f.Name)).Select(f => f.Priority).ToArray();
            output.WriteLine($"priorities the kernel chose: {string.Join(", ", priorities)}");
            Assert.Equal(2, priorities.Distinct().Count());
            if (TcShow(TcDirection.Egress) is string shown)
            {
                output.WriteLine(shown);
                Assert.Contains("CountA", shown);
                Assert.Contains("CountB", shown);
            }

            Assert.Equal(7, datagrams.Exchange(7));
            Assert.Equal(7ul, counts.Lookup(a));
            Assert.Equal(7ul, counts.Lookup(b));

            first.Dispose();
            Assert.Equal(new[] { "CountB" }, Attached(TcDirection.Egress));
            Assert.Equal(4, datagrams.Exchange(4));
            Assert.Equal(7ul, counts.Lookup(a));
            Assert.Equal(11ul, counts.Lookup(b));
        }
        finally
        {
            first.Dispose();
        }

        Assert.Empty(Attached(TcDirection.Egress));
        Assert.Equal(3, datagrams.Exchange(3));
        Assert.Equal(7ul, counts.Lookup(a));
        Assert.Equal(11ul, counts.Lookup(b));

        // Lower priority numbers run first, and the kernel gives a newer filter a lower one: a program returning
        // TC_ACT_OK attached after CountB runs before it and ends the classification, so CountB sees nothing.
        var ok = Key(3, datagrams.Port);
        counts.Update(ok, 0);
        using (loaded.Program("CountB").AttachTc(Loopback, TcDirection.Egress, TcAttachMode.Clsact))
        using (loaded.Program("CountAndPass").AttachTc(Loopback, TcDirection.Egress, TcAttachMode.Clsact))
        {
            var order = TcNetlink.BpfFilters(LoopbackIndex, TcNetlink.EgressParent).Where(f => ProgramNames.Contains(f.Name)).OrderBy(f => f.Priority).Select(f => f.Name).ToArray();
            Assert.Equal(new[] { "CountAndPass", "CountB" }, order);
            Assert.Equal(5, datagrams.Exchange(5));
            Assert.Equal(5ul, counts.Lookup(ok));
            Assert.Equal(11ul, counts.Lookup(b));
        }
    }

    [SkippableFact]
    public void A_clsact_classifier_returning_shot_on_lo_egress_drops_the_datagrams_until_disposed()
    {
        using var loaded = Load();
        var counts = loaded.Map<uint, ulong>("Counts");
        using var datagrams = new Datagrams();
        var (ingress, dropped) = (Key(0, datagrams.Port), Key(2, datagrams.Port));
        counts.Update(ingress, 0);
        counts.Update(dropped, 0);

        using var counter = loaded.Program("CountA").AttachTc(Loopback, TcDirection.Ingress, TcAttachMode.Clsact);
        using (var link = loaded.Program("DropRegistered").AttachTc(Loopback, TcDirection.Egress, TcAttachMode.Clsact))
        {
            Assert.Equal("DropRegistered on lo (clsact egress)", link.Description);
            Assert.Equal(0, datagrams.Exchange(3)); // each receive timed out
            Assert.Equal(3ul, counts.Lookup(dropped));
            Assert.Equal(0ul, counts.Lookup(ingress)); // dropped before lo turned them around
        }

        Assert.Equal(4, datagrams.Exchange(4));
        Assert.Equal(3ul, counts.Lookup(dropped));
        Assert.Equal(4ul, counts.Lookup(ingress));
    }

    [SkippableFact]
    public void Auto_attaches_through_tcx_where_the_kernel_has_it_and_tcx_runs_before_a_clsact_classifier()
    {
        using var loaded = Load();
        var counts = loaded.Map<uint, ulong>("Counts");
        using var datagrams = new Datagrams();
        var (a, b) = (Key(0, datagrams.Port), Key(1, datagrams.Port));
        counts.Update(a, 0);
        counts.Update(b, 0);
        var hasTcx = Environment.OSVersion.Version >= new Version(6, 6);

        using (var auto = loaded.Program("CountA").AttachTc(Loopback))
        using (var clsact = loaded.Program("CountB").AttachTc(Loopback, mode: TcAttachMode.Clsact))
        {
            output.WriteLine($"{Environment.OSVersion}: {auto.Description}");
            Assert.Equal(hasTcx ? "CountA on lo (tcx ingress)" : "CountA on lo (clsact ingress)", auto.Description);
            Assert.Equal(hasTcx ? new[] { "CountB" } : new[] { "CountA", "CountB" }, Attached(TcDirection.Ingress)); // a tcx link is no classifier
            Assert.Equal(6, datagrams.Exchange(6));
            Assert.Equal(6ul, counts.Lookup(a));
            Assert.Equal(6ul, counts.Lookup(b)); // tcx's TCX_NEXT (-1) goes on to the clsact classifiers
        }

        Assert.Empty(Attached(TcDirection.Ingress));
        if (hasTcx)
        {
            using var tcx = loaded.Program("CountA").AttachTc(Loopback, TcDirection.Egress, TcAttachMode.Tcx);
            Assert.Equal("CountA on lo (tcx egress)", tcx.Description);
            Assert.Equal(2, datagrams.Exchange(2));
            Assert.Equal(8ul, counts.Lookup(a));
        }
        else
        {
            var none = Assert.Throws<BpfException>(() => loaded.Program("CountA").AttachTc(Loopback, TcDirection.Egress, TcAttachMode.Tcx));
            Assert.Equal(22, none.Errno);
        }
    }

    [SkippableFact]
    public void Wrong_interfaces_programs_and_hooks_fail_clearly_and_nothing_leaks()
    {
        using var loaded = Load();
        var counter = loaded.Program("CountA");
        var socketFilter = loaded.Program("KeepAll");

        var unknown = Assert.Throws<BpfException>(() => counter.AttachTc("bpfsharp-none0", TcDirection.Egress, TcAttachMode.Clsact));
        Assert.Equal("there is no network interface 'bpfsharp-none0' (see 'ip link')", unknown.Message);
        Assert.Throws<BpfException>(() => counter.AttachTc("bpfsharp-none0"));
        var wrongType = Assert.Throws<InvalidOperationException>(() => socketFilter.AttachTc(Loopback, mode: TcAttachMode.Clsact));
        Assert.Equal("AttachTc attaches SchedCls programs; 'KeepAll' is SocketFilter (section \"socket\")", wrongType.Message);

        // What only the kernel can refuse, through the netlink layer: it says which interface and hook, and why.
        var noDevice = Assert.Throws<BpfException>(() => TcNetlink.Attach(int.MaxValue - 7, TcNetlink.IngressParent, counter.Fd, "CountA", "bpfsharp-gone ingress"));
        output.WriteLine(noDevice.Message);
        Assert.Equal(19, noDevice.Errno); // ENODEV
        Assert.StartsWith("could not add the clsact qdisc to bpfsharp-gone ingress: ", noDevice.Message);
        var notTc = Assert.Throws<BpfException>(() => TcNetlink.Attach(LoopbackIndex, TcNetlink.EgressParent, socketFilter.Fd, "KeepAll", "lo egress"));
        output.WriteLine(notTc.Message);
        Assert.Equal(22, notTc.Errno); // EINVAL: not a sched_cls program
        Assert.StartsWith("could not add KeepAll as a bpf classifier on lo egress (clsact): ", notTc.Message);
        var noHook = Assert.Throws<BpfException>(() => TcNetlink.Attach(LoopbackIndex, 0xFFFF_FFF4, counter.Fd, "CountA", "lo nowhere"));
        output.WriteLine(noHook.Message);
        Assert.StartsWith("could not add CountA as a bpf classifier on lo nowhere (clsact): ", noHook.Message);
        Assert.Empty(Attached(TcDirection.Ingress));
        Assert.Empty(Attached(TcDirection.Egress));

        // A filter deleted behind the link's back (tc filter del): disposing the link is quiet.
        var link = counter.AttachTc(Loopback, mode: TcAttachMode.Clsact);
        var filter = Assert.Single(TcNetlink.BpfFilters(LoopbackIndex, TcNetlink.IngressParent), f => f.Name == "CountA");
        Assert.Equal(0, TcNetlink.Detach(new TcFilter(LoopbackIndex, TcNetlink.IngressParent, filter.Priority, filter.Handle), "test", out _));
        Assert.Equal(2, TcNetlink.Detach(new TcFilter(LoopbackIndex, TcNetlink.IngressParent, filter.Priority, filter.Handle), "test", out _)); // ENOENT
        link.Dispose();
        if (_clsactBefore == false)
        {
            // The qdisc deleted under it (tc qdisc del dev lo clsact, only where this test added it): quiet too.
            link = counter.AttachTc(Loopback, TcDirection.Egress, TcAttachMode.Clsact);
            var orphan = Assert.Single(TcNetlink.BpfFilters(LoopbackIndex, TcNetlink.EgressParent), f => f.Name == "CountA");
            Assert.True(TcNetlink.DeleteClsact(LoopbackIndex));
            Assert.False(TcNetlink.HasClsact(LoopbackIndex));
            Assert.Empty(Attached(TcDirection.Egress));
            var gone = TcNetlink.Detach(new TcFilter(LoopbackIndex, TcNetlink.EgressParent, orphan.Priority, orphan.Handle), "test", out var why);
            output.WriteLine($"deleting a filter of a deleted qdisc: errno {gone}, {why}");
            Assert.Equal(22, gone); // EINVAL, which the link takes for "gone"
            link.Dispose();
        }

        // Attach and detach, and fail, many times: the process holds as many BPF descriptors and sockets after as before.
        void Round()
        {
            counter.AttachTc(Loopback, TcDirection.Ingress, TcAttachMode.Clsact).Dispose();
            counter.AttachTc(Loopback, TcDirection.Egress, TcAttachMode.Clsact).Dispose();
            counter.AttachTc(Loopback, TcDirection.Egress).Dispose();
            using (counter.AttachTc(Loopback, TcDirection.Ingress, TcAttachMode.Clsact))
            using (loaded.Program("CountB").AttachTc(Loopback, TcDirection.Ingress, TcAttachMode.Clsact))
            {
            }

            Assert.Throws<BpfException>(() => counter.AttachTc("bpfsharp-none0", mode: TcAttachMode.Clsact));
            Assert.Throws<InvalidOperationException>(() => socketFilter.AttachTc(Loopback, mode: TcAttachMode.Clsact));
            Assert.Throws<BpfException>(() => TcNetlink.Attach(int.MaxValue - 7, TcNetlink.IngressParent, counter.Fd, "CountA", "bpfsharp-gone ingress"));
            Assert.Throws<BpfException>(() => TcNetlink.Attach(LoopbackIndex, TcNetlink.EgressParent, socketFilter.Fd, "KeepAll", "lo egress"));
        }

        Round(); // first: code paths warmed
        var before = OpenDescriptors();
        using (counter.AttachTc(Loopback, mode: TcAttachMode.Clsact))
        {
            Assert.Equal(before, OpenDescriptors()); // a classifier holds no descriptor of this process
        }

        for (var i = 0; i < 20; i++)
        {
            Round();
        }

        Assert.Equal(before, OpenDescriptors());
        Assert.Empty(Attached(TcDirection.Ingress));
        Assert.Empty(Attached(TcDirection.Egress));
    }

    // What attaching opens: BPF links and programs, and netlink sockets.
    private static int OpenDescriptors() => DescriptorCounting.Open("bpf", "socket:");
}
