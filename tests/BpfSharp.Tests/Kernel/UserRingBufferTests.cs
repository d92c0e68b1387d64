using System;
using System.IO;
using System.Linq;
using Xunit;

namespace BpfSharp.Tests.Kernel;

/// <summary>
/// A user ring buffer written from .NET and drained by a program. The draining program needs a callback, which BpfSharp's
/// compiler cannot write yet, so it is hand-written C, loaded and run by bpftool (a tool that is not ours); .NET opens the
/// pinned maps.
/// </summary>
[Collection(nameof(DescriptorCounting))]
public sealed class UserRingBufferTests : IDisposable
{
    // Sums the 8-byte records it drains into global data and counts any that arrive out of order; XDP so bpftool can test-run it.
    private const string Drainer = """
        #include <linux/types.h>
        #include <linux/bpf.h>
        #define SEC(name) __attribute__((section(name), used))
        #define __uint(name, val) int (*name)[val]
        struct { __uint(type, 31); __uint(max_entries, 4096); } input SEC(".maps"); /* BPF_MAP_TYPE_USER_RINGBUF */
        __u64 sum = 0;
        __u64 drained = 0;
        __u64 out_of_order = 0;
        __u64 last = 0;
        static long (* const user_ringbuf_drain)(void *map, void *callback, void *ctx, __u64 flags) = (void *) 209;
        static long (* const dynptr_read)(void *dst, __u32 len, const struct bpf_dynptr *src, __u32 offset, __u64 flags) = (void *) 201;
        static long add(struct bpf_dynptr *record, void *context)
        {
            __u64 value = 0;
            if (dynptr_read(&value, sizeof(value), record, 0, 0))
                return 1;
            sum += value;
            drained += 1;
            if (value <= last)
                out_of_order += 1;
            last = value;
            return 0;
        }
        SEC("xdp") int drain(void *ctx)
        {
            return user_ringbuf_drain(&input, add, 0, 0) < 0 ? 0 : 2;
        }
        char LICENSE[] SEC("license") = "GPL";
        """;

    private readonly string _directory = Directory.CreateTempSubdirectory("bpfsharp-userring-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [SkippableFact]
    public void Records_written_from_dotnet_are_drained_by_a_program_in_order_and_the_ring_refills()
    {
        RunningKernel.RequireBpf();
        var clang = Tools.Find("clang");
        Skip.If(clang is null || Tools.Find("bpftool") is null, "kernel test skipped: clang and bpftool are needed (apt-get install clang bpftool)");
        File.WriteAllText(Path.Combine(_directory, "drainer.bpf.c"), Drainer);
        var compiled = Tools.Run(clang!, $"-O2 -g -target bpf -I/usr/include/x86_64-linux-gnu -c {_directory}/drainer.bpf.c -o {_directory}/drainer.bpf.o");
        Assert.True(compiled.ExitCode == 0, compiled.Output);
        using var loaded = new LoadedObject(Path.Combine(_directory, "drainer.bpf.o"));
        Assert.True(loaded.Loaded, loaded.LoadOutput);

        var before = DescriptorCounting.Open("bpf");
        using (var map = BpfLoadedMap.OpenPinned(Path.Combine(loaded.Pins, "maps", "input")))
        using (var ring = new BpfUserRingBuffer(map))
        using (var globals = BpfLoadedMap.OpenPinned(Directory.GetFiles(Path.Combine(loaded.Pins, "maps")).Single(path => path.EndsWith("bss", StringComparison.Ordinal)))) // bpftool pins it as drainer_bss
        {
            for (ulong value = 1; value <= 100; value++)
            {
                Assert.True(ring.TryWrite(BitConverter.GetBytes(value)));
            }

            Assert.Equal(1600, ring.Pending); // 100 records of 8 bytes behind 8-byte headers
            Assert.Equal(2, loaded.Run("drain", new byte[64]));
            Assert.Equal((5050ul, 100ul, 0ul), Totals(globals));
            Assert.Equal(0, ring.Pending);

            // Full: 4096 bytes hold 256 records; the 257th waits for a drain. The next round wraps around the ring's end.
            var written = 0;
            while (ring.TryWrite(BitConverter.GetBytes((ulong)(1000 + written))))
            {
                written++;
            }

            Assert.Equal(256, written);
            Assert.Contains("is full", Assert.Throws<BpfException>(() => ring.Write(BitConverter.GetBytes(1ul))).Message);
            loaded.Run("drain", new byte[64]);
            for (var i = 0; i < 200; i++)
            {
                ring.Write(BitConverter.GetBytes((ulong)(2000 + i)));
            }

            loaded.Run("drain", new byte[64]);
            var expected = 5050ul + (ulong)Enumerable.Range(1000, 256).Sum() + (ulong)Enumerable.Range(2000, 200).Sum();
            Assert.Equal((expected, 556ul, 0ul), Totals(globals));
            Assert.Throws<ArgumentException>(() => ring.Write(ReadOnlySpan<byte>.Empty));
            Assert.Throws<ArgumentException>(() => ring.Write(new byte[4096]));
        }

        Assert.Equal(before, DescriptorCounting.Open("bpf"));
    }

    private static (ulong Sum, ulong Drained, ulong OutOfOrder) Totals(BpfLoadedMap globals)
    {
        var bss = new byte[globals.ValueSize];
        Assert.True(globals.TryLookup(new byte[4], bss));
        return (BitConverter.ToUInt64(bss), BitConverter.ToUInt64(bss, 8), BitConverter.ToUInt64(bss, 16));
    }
}
