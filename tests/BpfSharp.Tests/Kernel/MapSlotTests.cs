using System;
using System.IO;
using Xunit;

namespace BpfSharp.Tests.Kernel;

/// <summary>
/// Program arrays and maps of maps whose slots the object sets in .maps (<c>.values = { [1] = &amp;callee }</c>), as
/// libbpf fills them: hand-written C (BpfSharp's compiler does not write .values), loaded by BpfSharp's loader, the
/// slots proved by what the programs do with them.
/// </summary>
[Collection(nameof(DescriptorCounting))]
public sealed class MapSlotTests : IDisposable
{
    private const string Source = """
        #include <linux/types.h>
        #include <linux/bpf.h>
        #define SEC(name) __attribute__((section(name), used))
        #define __uint(name, val) int (*name)[val]
        #define __type(name, val) typeof(val) *name
        #define __array(name, val) typeof(val) *name[]
        static long (* const tail_call)(void *ctx, void *map, __u32 index) = (void *) 12;
        static void *(* const map_lookup_elem)(void *map, const void *key) = (void *) 1;

        SEC("xdp") int callee(struct xdp_md *ctx) { return 2; }
        struct {
            __uint(type, BPF_MAP_TYPE_PROG_ARRAY);
            __uint(max_entries, 4);
            __uint(key_size, 4);
            __array(values, int (void *));
        } jumps SEC(".maps") = { .values = { [1] = (void *)&callee } };

        struct inner { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, __u32); };
        struct inner first SEC(".maps"), second SEC(".maps");
        struct {
            __uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
            __uint(max_entries, 3);
            __type(key, __u32);
            __array(values, struct inner);
        } outer SEC(".maps") = { .values = { [0] = &second, [2] = &first } };

        SEC("xdp") int entry(struct xdp_md *ctx) { tail_call(ctx, &jumps, 1); return 1; }
        static int read(__u32 slot)
        {
            void *map = map_lookup_elem(&outer, &slot);
            if (!map) return 100;
            __u32 zero = 0;
            __u32 *value = map_lookup_elem(map, &zero);
            return value ? *value : 101;
        }
        SEC("xdp") int read_slot0(struct xdp_md *ctx) { return read(0); }
        SEC("xdp") int read_slot1(struct xdp_md *ctx) { return read(1); }
        SEC("xdp") int read_slot2(struct xdp_md *ctx) { return read(2); }
        char LICENSE[] SEC("license") = "GPL";
        """;

    private readonly string _directory = Directory.CreateTempSubdirectory("bpfsharp-slots-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [SkippableFact]
    public void Slots_set_in_maps_hold_their_programs_and_maps_after_the_load()
    {
        RunningKernel.RequireBpf();
        var clang = Tools.Find("clang");
        Skip.If(clang is null, "kernel test skipped: clang is needed (apt-get install clang)");
        File.WriteAllText(Path.Combine(_directory, "slots.bpf.c"), Source);
        var compiled = Tools.Run(clang!, $"-O2 -g -target bpf -I/usr/include/x86_64-linux-gnu -c {_directory}/slots.bpf.c -o {_directory}/slots.bpf.o");
        Assert.True(compiled.ExitCode == 0, compiled.Output);

        using var loaded = BpfObject.Load(Path.Combine(_directory, "slots.bpf.o"));
        var frame = new byte[64];
        Assert.Equal(BpfReturnCodes.XDP_PASS, loaded.Program("entry").TestRun(frame).ReturnValue); // slot 1 jumps to callee

        loaded.Map<uint, uint>("first").Update(0, 7);
        loaded.Map<uint, uint>("second").Update(0, 9);
        Assert.Equal(9, loaded.Program("read_slot0").TestRun(frame).ReturnValue);
        Assert.Equal(100, loaded.Program("read_slot1").TestRun(frame).ReturnValue); // left empty
        Assert.Equal(7, loaded.Program("read_slot2").TestRun(frame).ReturnValue);
    }
}
