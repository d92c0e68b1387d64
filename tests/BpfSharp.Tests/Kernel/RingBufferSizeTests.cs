using System;
using System.IO;
using Xunit;

namespace BpfSharp.Tests.Kernel;

/// <summary>Ring buffer sizes that are not a power-of-two number of pages load as libbpf loads them: rounded up.</summary>
[Collection(nameof(DescriptorCounting))]
public sealed class RingBufferSizeTests : IDisposable
{
    private const string Source = """
        #include <linux/types.h>
        #include <linux/bpf.h>
        #define SEC(name) __attribute__((section(name), used))
        #define __uint(name, val) int (*name)[val]
        struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 5000); } odd SEC(".maps");
        struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 3 * 4096); } three_pages SEC(".maps");
        struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 2 * 4096); } two_pages SEC(".maps");
        static long (* const ringbuf_output)(void *ring, void *data, __u64 size, __u64 flags) = (void *) 130;
        SEC("xdp") int emit(struct xdp_md *ctx)
        {
            __u64 value = 42;
            return ringbuf_output(&odd, &value, sizeof(value), 0) == 0 && ringbuf_output(&three_pages, &value, sizeof(value), 0) == 0 ? 2 : 1;
        }
        char LICENSE[] SEC("license") = "GPL";
        """;

    private readonly string _directory = Directory.CreateTempSubdirectory("bpfsharp-ringsize-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [SkippableFact]
    public void Odd_ring_buffer_sizes_are_rounded_up_to_a_power_of_two_number_of_pages()
    {
        RunningKernel.RequireBpf();
        var clang = Tools.Find("clang");
        Skip.If(clang is null, "kernel test skipped: clang is needed (apt-get install clang)");
        Skip.If(Environment.SystemPageSize != 4096, "kernel test skipped: the sizes below are written for 4 KiB pages");
        File.WriteAllText(Path.Combine(_directory, "rings.bpf.c"), Source);
        var compiled = Tools.Run(clang!, $"-O2 -g -target bpf -I/usr/include/x86_64-linux-gnu -c {_directory}/rings.bpf.c -o {_directory}/rings.bpf.o");
        Assert.True(compiled.ExitCode == 0, compiled.Output);

        using var loaded = BpfObject.Load(Path.Combine(_directory, "rings.bpf.o"));
        Assert.Equal(8192u, loaded.Maps["odd"].MaxEntries);
        Assert.Equal(16384u, loaded.Maps["three_pages"].MaxEntries);
        Assert.Equal(8192u, loaded.Maps["two_pages"].MaxEntries); // already valid: unchanged
        Assert.Equal(BpfReturnCodes.XDP_PASS, loaded.Program("emit").TestRun(new byte[64]).ReturnValue);
        using var ring = loaded.RingBuffer("odd");
        Assert.Equal(1, ring.Drain(record => Assert.Equal(42ul, BitConverter.ToUInt64(record))));
    }
}
