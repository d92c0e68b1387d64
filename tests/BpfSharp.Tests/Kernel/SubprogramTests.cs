using System;
using System.IO;
using System.Linq;
using Xunit;

namespace BpfSharp.Tests.Kernel;

/// <summary>
/// BPF-to-BPF calls and callbacks, linked by BpfSharp's loader as libbpf links them: static and global functions in
/// .text called from two programs and from each other, a map and global data used inside them, and a static callback
/// passed to bpf_loop. Hand-written C compiled by clang; what each program returns proves the calls landed.
/// </summary>
[Collection(nameof(DescriptorCounting))]
public sealed class SubprogramTests : IDisposable
{
    private const string Source = """
        #include <linux/types.h>
        #include <linux/bpf.h>
        #define SEC(name) __attribute__((section(name), used))
        #define __uint(name, val) int (*name)[val]
        #define __type(name, val) typeof(val) *name
        static void *(* const map_lookup_elem)(void *map, const void *key) = (void *) 1;
        static long (* const loop)(__u32 count, void *callback, void *context, __u64 flags) = (void *) 181;

        struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, __u64); } calls SEC(".maps");
        __u64 looped;

        static __attribute__((noinline)) int count_and_scale(int value, int factor)
        {
            __u32 zero = 0;
            __u64 *count = map_lookup_elem(&calls, &zero);
            if (count) __sync_fetch_and_add(count, 1);
            return value * factor + 1;
        }
        static __attribute__((noinline)) int twice(int value) { return count_and_scale(value, 2) + count_and_scale(value, 3); }
        __attribute__((noinline)) int global_square(int value) { return value * value; }
        static long add_index(__u32 index, void *context) { looped += index; return 0; }

        SEC("xdp") int uses_twice(struct xdp_md *ctx) { return twice(4); }
        SEC("xdp") int uses_scale(struct xdp_md *ctx) { return count_and_scale(5, 5) + global_square(3); }
        SEC("xdp") int uses_loop(struct xdp_md *ctx) { loop(10, add_index, 0, 0); return (int)looped; }
        char LICENSE[] SEC("license") = "GPL";
        """;

    private readonly string _directory = Directory.CreateTempSubdirectory("bpfsharp-subprograms-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [SkippableFact]
    public void Calls_and_callbacks_into_text_are_linked_into_each_program()
    {
        RunningKernel.RequireBpf();
        using var loaded = BpfObject.Load(Compile());
        var frame = new byte[64];

        Assert.Equal((4 * 2) + 1 + (4 * 3) + 1, loaded.Program("uses_twice").TestRun(frame).ReturnValue);
        Assert.Equal((5 * 5) + 1 + 9, loaded.Program("uses_scale").TestRun(frame).ReturnValue);
        Assert.Equal(3UL, loaded.Map<uint, ulong>("calls").Lookup(0)); // the map used inside the subprogram is the object's
        Assert.Equal(45, loaded.Program("uses_loop").TestRun(frame).ReturnValue); // 0 + 1 + ... + 9, through the callback
        Assert.Equal(90, loaded.Program("uses_loop").TestRun(frame).ReturnValue); // the callback's global is the object's
    }

    [SkippableFact]
    public void A_call_that_lands_inside_a_function_is_refused_with_the_program_named()
    {
        var path = Compile();
        var bytes = File.ReadAllBytes(path);
        // twice's first call is relative within .text (no relocation): 0x85 with source register 1. One further is mid-function.
        var call = Enumerable.Range(0, bytes.Length / 8).Select(i => i * 8).First(at => bytes[at] == 0x85 && bytes[at + 1] == 0x10 && BitConverter.ToInt32(bytes, at + 4) > 0);
        BitConverter.GetBytes(BitConverter.ToInt32(bytes, call + 4) + 1).CopyTo(bytes, call + 4);
        var broken = Path.Combine(_directory, "broken.bpf.o");
        File.WriteAllBytes(broken, bytes);

        var error = Assert.Throws<BpfObjectFormatException>(() => BpfObject.Load(broken));
        Assert.Contains("program 'uses_twice' calls instruction", error.Message);
        Assert.Contains("where no function starts", error.Message);
    }

    private string Compile()
    {
        var clang = Tools.Find("clang");
        Skip.If(clang is null, "test skipped: clang is needed (apt-get install clang)");
        File.WriteAllText(Path.Combine(_directory, "subprograms.bpf.c"), Source);
        var compiled = Tools.Run(clang!, $"-O2 -g -target bpf -I/usr/include/x86_64-linux-gnu -c {_directory}/subprograms.bpf.c -o {_directory}/subprograms.bpf.o");
        Assert.True(compiled.ExitCode == 0, compiled.Output);
        return Path.Combine(_directory, "subprograms.bpf.o");
    }
}
