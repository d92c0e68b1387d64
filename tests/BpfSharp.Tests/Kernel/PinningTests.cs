using System;
using System.IO;
using Xunit;

namespace BpfSharp.Tests.Kernel;

/// <summary>Pinning in bpffs: maps pinned by name and reused across loads, pinned programs and links that outlive their object.</summary>
[Collection(nameof(DescriptorCounting))]
public sealed class PinningTests : IDisposable
{
    private const string Counter = """
        using BpfSharp;
        [assembly: BpfLicense("GPL")]
        public static unsafe class Counter
        {
            [BpfPinned]
            public static readonly HashMap<uint, ulong> Shared = new(16);
            public static readonly HashMap<uint, ulong> Private = new(16);

            [BpfProgram("xdp")]
            public static int Count(void* ctx)
            {
                uint key = 1;
                ulong* seen = (ulong*)BpfHelpers.MapLookupElem(Shared, &key);
                if (seen != null)
                {
                    System.Threading.Interlocked.Increment(ref *seen);
                    return 2;
                }

                ulong one = 1;
                BpfHelpers.MapUpdateElem(Shared, &key, &one, 1);
                BpfHelpers.MapUpdateElem(Private, &key, &one, 1);
                return 2;
            }
        }
        """;

    private readonly string _directory = Directory.CreateTempSubdirectory("bpfsharp-pin-").FullName;
    private string? _pins;

    public void Dispose()
    {
        if (_pins != null && Directory.Exists(_pins))
        {
            Directory.Delete(_pins, recursive: true);
        }

        Directory.Delete(_directory, recursive: true);
    }

    private string Compile(string source, string name)
    {
        RunningKernel.RequireBpf();
        Skip.If(Tools.Find("clang") is null, "kernel test skipped: clang is needed (apt-get install clang)");
        Skip.IfNot(Tools.BpfFs(), "kernel test skipped: bpffs is not mounted at /sys/fs/bpf and could not be");
        _pins = Directory.CreateDirectory(Path.Combine("/sys/fs/bpf", "bpfsharp-test-" + Guid.NewGuid().ToString("N")[..8])).FullName;
        return Tools.CompileCSharp(source, _directory, name);
    }

    [SkippableFact]
    public void A_map_pinned_by_name_is_created_once_and_reused_by_later_loads_and_other_objects()
    {
        var path = Compile(Counter, "counter");
        var options = new BpfObjectOptions { PinPath = _pins! };
        var frame = new byte[64];
        using (var first = BpfObject.Load(path, options))
        {
            Assert.False(first.Map("Shared").Reused);
            Assert.Equal(Path.Combine(_pins!, "Shared"), first.Map("Shared").PinPath);
            Assert.Null(first.Map("Private").PinPath);
            first.Program("Count").TestRun(frame, repeat: 3); // 1, then 2 increments
            using var second = BpfObject.Load(path, options); // while the first is loaded: one map for both
            Assert.True(second.Map("Shared").Reused);
            second.Program("Count").TestRun(frame, repeat: 2);
            Assert.Equal(5ul, first.Map<uint, ulong>("Shared").Lookup(1));
            Assert.False(second.Map<uint, ulong>("Private").TryLookup(1, out _)); // not pinned: each object has its own
        }

        Assert.True(File.Exists(Path.Combine(_pins!, "Shared"))); // the pin outlives the objects
        using (var third = BpfObject.Load(path, options))
        {
            Assert.True(third.Map("Shared").Reused);
            Assert.Equal(5ul, third.Map<uint, ulong>("Shared").Lookup(1));
        }

        // Without any object: the pinned map opened by path, read and written through a view, closed again.
        var descriptors = DescriptorCounting.Open("bpf");
        using (var pinned = BpfLoadedMap.OpenPinned(Path.Combine(_pins!, "Shared")))
        {
            Assert.Equal(("Shared", BpfMapType.Hash, 4u, 8u, 16u), (pinned.Name, pinned.Type, pinned.KeySize, pinned.ValueSize, pinned.MaxEntries));
            var view = new BpfMapView<uint, ulong>(pinned);
            Assert.Equal(5ul, view.Lookup(1));
            view.Update(1, 50);
            Assert.Throws<BpfException>(() => new BpfMapView<uint, uint>(pinned)); // the kernel's sizes still decide
        }

        Assert.Equal(descriptors, DescriptorCounting.Open("bpf"));
        Assert.Contains("nothing is pinned there", Assert.Throws<BpfException>(() => BpfLoadedMap.OpenPinned(Path.Combine(_pins!, "missing"))).Message);

        using (var reloaded = BpfObject.Load(path, options))
        {
            Assert.Equal(50ul, reloaded.Map<uint, ulong>("Shared").Lookup(1)); // what was written through the pin
        }

        // An object that declares another shape under the pinned name is refused, saying what differs.
        var other = Tools.CompileCSharp(Counter.Replace("HashMap<uint, ulong> Shared = new(16)", "HashMap<uint, uint> Shared = new(16)", StringComparison.Ordinal).Replace("ulong* seen", "uint* seen", StringComparison.Ordinal).Replace("ulong one", "uint one", StringComparison.Ordinal), _directory, "other");
        var refused = Assert.Throws<BpfException>(() => BpfObject.Load(other, options));
        Assert.Contains("does not match", refused.Message);
        Assert.Contains("value 8 B", refused.Message);
        Assert.Contains("value 4 B", refused.Message);

        // A load that fails after pinning takes its new pins back (as libbpf does): here the verifier refuses the program.
        var fresh = Counter.Replace("Shared", "Fresh", StringComparison.Ordinal);
        var lastReturn = fresh.LastIndexOf("return 2;", StringComparison.Ordinal);
        var refusedProgram = Tools.CompileCSharp(fresh[..lastReturn] + "return *(int*)((byte*)ctx + 100);" + fresh[(lastReturn + "return 2;".Length)..], _directory, "refused");
        Assert.Throws<BpfVerifierException>(() => BpfObject.Load(refusedProgram, options));
        Assert.False(File.Exists(Path.Combine(_pins!, "Fresh")));

        // Without the pin, the next load starts afresh.
        File.Delete(Path.Combine(_pins!, "Shared"));
        using var afresh = BpfObject.Load(path, options);
        Assert.False(afresh.Map("Shared").Reused);
        Assert.False(afresh.Map<uint, ulong>("Shared").TryLookup(1, out _));
    }

    [SkippableFact]
    public void A_pinned_link_keeps_its_program_attached_after_the_object_is_disposed_until_the_pin_is_deleted()
    {
        var path = Compile(Counter, "counter");
        var linkPin = Path.Combine(_pins!, "link");
        var programPin = Path.Combine(_pins!, "program");
        using (var loaded = BpfObject.Load(path, new BpfObjectOptions { PinPath = _pins! }))
        {
            using var link = loaded.Program("Count").AttachXdp("lo");
            link.Pin(linkPin);
            loaded.Program("Count").Pin(programPin);
            loaded.Map("Private").Pin(Path.Combine(_pins!, "private"));
            Assert.Equal(17, Assert.Throws<BpfException>(() => link.Pin(linkPin)).Errno); // EEXIST, said so
        }

        // Still attached: lo's XDP hook is taken, so another program cannot attach there.
        using (var again = BpfObject.Load(path, new BpfObjectOptions { PinPath = _pins! }))
        {
            var busy = Assert.Throws<BpfException>(() => again.Program("Count").AttachXdp("lo"));
            Assert.Equal(16, busy.Errno); // EBUSY
            File.Delete(linkPin);
            using var attached = AttachWhenFree(again.Program("Count")); // detached with the pin
            Assert.True(attached.IsAttached);
        }

        Assert.True(File.Exists(programPin));
        Assert.Contains("is not a map", Assert.Throws<BpfException>(() => BpfLoadedMap.OpenPinned(programPin)).Message);
        using var last = BpfObject.Load(path, new BpfObjectOptions { PinPath = _pins! });
        Assert.Contains("bpffs", Assert.Throws<BpfException>(() => last.Map("Private").Pin(Path.Combine(_directory, "not-bpffs"))).Message);
    }

    // The kernel frees a link whose last pin is deleted a moment later (deferred release): the hook is free within a second.
    private static BpfLink AttachWhenFree(BpfLoadedProgram program)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return program.AttachXdp("lo");
            }
            catch (BpfException e) when (e.Errno == 16 && attempt < 100)
            {
                System.Threading.Thread.Sleep(10);
            }
        }
    }
}
