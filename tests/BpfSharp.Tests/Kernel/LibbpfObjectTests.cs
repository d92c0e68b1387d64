using System;
using System.IO;
using System.Linq;
using Xunit;

namespace BpfSharp.Tests.Kernel;

/// <summary>
/// Objects written in C for libbpf that BpfSharp's loader must load as libbpf does: struct_ops maps and their programs,
/// BTF the kernel refuses (the object then loads without it), ring buffers of a size libbpf rounds inside a map of maps.
/// Each is loaded by bpftool too, so the test holds only where libbpf holds.
/// </summary>
[Collection(nameof(DescriptorCounting))]
public sealed class LibbpfObjectTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("bpfsharp-libbpf-objects-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private const string StructOps = """
        #include "vmlinux.h"
        #define SEC(name) __attribute__((section(name), used))
        char LICENSE[] SEC("license") = "GPL";

        SEC("struct_ops/halve") __u32 halve(unsigned long long *ctx) { return 2; }
        SEC("struct_ops/keep") __u32 keep(unsigned long long *ctx) { return 10; }
        SEC("struct_ops/grow") void grow(unsigned long long *ctx) { }

        SEC(".struct_ops") struct tcp_congestion_ops bpfsharp_ca = {
            .ssthresh = (void *)halve,
            .undo_cwnd = (void *)keep,
            .cong_avoid = (void *)grow,
            .name = "bpfsharp_ca",
        };
        """;

    [SkippableFact]
    public void A_struct_ops_map_and_its_programs_load_with_the_kernel_struct_and_member()
    {
        var objectPath = Compile(StructOps, "structops", withVmlinux: true);
        using var libbpf = new LoadedObject(objectPath);
        Skip.If(!libbpf.Loaded, "kernel test skipped: bpftool (libbpf) does not load a tcp_congestion_ops struct_ops object here: " + libbpf.LoadOutput);

        using var loaded = BpfObject.Load(objectPath);
        var map = loaded.Maps["bpfsharp_ca"];
        Assert.Equal(BpfMapType.StructOps, map.Type);
        Assert.Equal(1u, map.MaxEntries);
        Assert.Equal(["grow", "halve", "keep"], loaded.Programs.Keys.Order(StringComparer.Ordinal));
        Assert.All(loaded.Programs.Values, program => Assert.Equal(BpfProgramType.StructOps, program.Type));
    }

    [SkippableFact]
    public void A_struct_ops_program_no_map_names_is_refused_with_its_name()
    {
        var objectPath = Compile(StructOps.Replace(".cong_avoid = (void *)grow,", string.Empty), "unnamed", withVmlinux: true);
        var refused = Assert.Throws<BpfObjectFormatException>(() => BpfObject.Load(objectPath));
        Assert.Contains("struct_ops program 'grow' is named by no struct_ops map", refused.Message);
    }

    [SkippableFact]
    public void An_object_whose_BTF_the_kernel_refuses_loads_without_it_and_says_why()
    {
        // A naked global function: clang gives its prototype unnamed parameters, which the kernel's BTF check refuses.
        var objectPath = Compile("""
            #define SEC(name) __attribute__((section(name), used))
            char LICENSE[] SEC("license") = "GPL";
            SEC("socket") __attribute__((naked)) int naked_filter(void *ctx) { asm volatile ("r0 = 0; exit;" ::: "memory"); }
            """, "naked", withVmlinux: false);
        using var libbpf = new LoadedObject(objectPath);
        Skip.If(!libbpf.Loaded, "kernel test skipped: bpftool (libbpf) does not load it here: " + libbpf.LoadOutput);

        using var loaded = BpfObject.Load(objectPath);
        Assert.Contains("naked_filter", loaded.Programs.Keys);
        Assert.NotNull(loaded.BtfRefusal);
        Assert.Contains("Invalid arg", loaded.BtfRefusal);
    }

    [SkippableFact]
    public void A_ring_buffer_libbpf_rounds_up_fits_the_map_of_maps_it_is_put_in()
    {
        var objectPath = Compile("""
            #include <linux/bpf.h>
            #include <bpf/bpf_helpers.h>
            char LICENSE[] SEC("license") = "GPL";
            struct ring { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 1000); } first SEC(".maps"), second SEC(".maps");
            struct {
                __uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
                __uint(max_entries, 3);
                __type(key, int);
                __array(values, struct ring);
            } rings SEC(".maps") = { .values = { [0] = &first, [2] = &second } };
            SEC("socket") int filter(void *ctx) { return 0; }
            """, "rings", withVmlinux: false);
        using var libbpf = new LoadedObject(objectPath);
        Skip.If(!libbpf.Loaded, "kernel test skipped: bpftool (libbpf) does not load it here: " + libbpf.LoadOutput);

        using var loaded = BpfObject.Load(objectPath);
        Assert.Equal((uint)Environment.SystemPageSize, loaded.Maps["first"].MaxEntries);
        var id = new byte[4];
        Assert.True(loaded.Maps["rings"].TryLookup(BitConverter.GetBytes(0), id), "slot 0 holds the first ring buffer");
        Assert.False(loaded.Maps["rings"].TryLookup(BitConverter.GetBytes(1), id), "slot 1 is empty");
        Assert.True(loaded.Maps["rings"].TryLookup(BitConverter.GetBytes(2), id), "slot 2 holds the second ring buffer");
    }

    private string Compile(string source, string name, bool withVmlinux)
    {
        RunningKernel.RequireBpf();
        Skip.If(Tools.Find("clang") is null || Tools.Find("bpftool") is null, "kernel test skipped: clang and bpftool are needed (apt-get install clang bpftool)");
        Skip.If(!File.Exists("/usr/include/bpf/bpf_helpers.h"), "kernel test skipped: libbpf's headers are needed (apt-get install libbpf-dev)");
        if (withVmlinux)
        {
            Skip.If(!File.Exists("/sys/kernel/btf/vmlinux"), "kernel test skipped: this kernel has no BTF (/sys/kernel/btf/vmlinux)");
            var header = Path.Combine(_directory, "vmlinux.h");
            if (!File.Exists(header))
            {
                var dump = Tools.Run(Tools.Find("bpftool")!, "btf dump file /sys/kernel/btf/vmlinux format c");
                Assert.True(dump.ExitCode == 0, dump.Output);
                File.WriteAllText(header, dump.Output);
            }
        }

        File.WriteAllText(Path.Combine(_directory, name + ".c"), source);
        var compile = Tools.Run(Tools.Find("clang")!, $"-O2 -g -target bpf -I{_directory} -I/usr/include/x86_64-linux-gnu -c {_directory}/{name}.c -o {_directory}/{name}.o");
        Assert.True(compile.ExitCode == 0, compile.Output);
        return Path.Combine(_directory, name + ".o");
    }
}
