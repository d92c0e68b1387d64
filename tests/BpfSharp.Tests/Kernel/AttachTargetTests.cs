using System;
using System.IO;
using Xunit;

namespace BpfSharp.Tests.Kernel;

/// <summary>
/// Tracing programs that name a kernel type in their section (tp_btf/X, iter/X) load with that type's id from the
/// running kernel's BTF, as libbpf loads them; a target the kernel does not have is an error naming it.
/// </summary>
[Collection(nameof(DescriptorCounting))]
public sealed class AttachTargetTests : IDisposable
{
    private const string Source = """
        #include <linux/types.h>
        #define SEC(name) __attribute__((section(name), used))
        __u64 switches;
        SEC("tp_btf/sched_switch") int on_switch(__u64 *ctx) { __sync_fetch_and_add(&switches, 1); return 0; }
        SEC("iter/bpf_map") int each_map(void *ctx) { return 0; }
        char LICENSE[] SEC("license") = "GPL";
        """;

    private readonly string _directory = Directory.CreateTempSubdirectory("bpfsharp-attach-targets-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [SkippableFact]
    public void A_tp_btf_and_an_iter_program_load_with_their_kernel_type_as_with_libbpf()
    {
        RunningKernel.RequireBpf();
        Skip.If(!File.Exists("/sys/kernel/btf/vmlinux"), "kernel test skipped: this kernel has no BTF (/sys/kernel/btf/vmlinux)");
        var objectPath = Compile(Source, "targets");

        using var libbpf = new LoadedObject(objectPath);
        Assert.True(libbpf.Loaded, "bpftool (libbpf) loads it: " + libbpf.LoadOutput);
        using var loaded = BpfObject.Load(objectPath);
        Assert.Contains("on_switch", loaded.Programs.Keys);
        Assert.Contains("each_map", loaded.Programs.Keys);
    }

    [SkippableFact]
    public void A_target_the_kernel_does_not_have_is_an_error_naming_it()
    {
        RunningKernel.RequireBpf();
        Skip.If(!File.Exists("/sys/kernel/btf/vmlinux"), "kernel test skipped: this kernel has no BTF (/sys/kernel/btf/vmlinux)");
        var objectPath = Compile(Source.Replace("tp_btf/sched_switch", "tp_btf/no_such_tracepoint"), "missing");
        var refused = Assert.ThrowsAny<BpfException>(() => BpfObject.Load(objectPath));
        Assert.Contains("'btf_trace_no_such_tracepoint', which the running kernel's BTF", refused.Message);
    }

    private string Compile(string source, string name)
    {
        Skip.If(Tools.Find("clang") is null, "kernel test skipped: clang is needed (apt-get install clang)");
        File.WriteAllText(Path.Combine(_directory, name + ".c"), source);
        var compile = Tools.Run(Tools.Find("clang")!, $"-O2 -g -target bpf -I/usr/include/x86_64-linux-gnu -c {_directory}/{name}.c -o {_directory}/{name}.o");
        Assert.True(compile.ExitCode == 0, compile.Output);
        return Path.Combine(_directory, name + ".o");
    }
}
