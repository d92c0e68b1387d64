using System;
using System.IO;
using BpfSharp.Loader;
using Xunit;

namespace BpfSharp.Tests.Kernel;

/// <summary>
/// Externs the running kernel resolves (<c>__ksym</c>): a kfunc call, a typeless kernel symbol and a weak
/// variable the kernel lacks, loaded by bpftool (libbpf) and by BpfSharp's loader: the same instructions, the same
/// results. A non-weak extern the kernel lacks is refused by name.
/// </summary>
public sealed class KernelExternTests : IDisposable
{
    private const string Program = """
        #include <linux/bpf.h>
        #include <bpf/bpf_helpers.h>

        extern void *bpf_cast_to_kern_ctx(void *obj) __ksym;
        extern const int bpf_no_such_variable __ksym __weak;
        extern const void runqueues __ksym;

        SEC("xdp") int kfunc_call(struct xdp_md *ctx)
        {
            void *kernel = bpf_cast_to_kern_ctx(ctx);
            return kernel ? XDP_PASS : XDP_DROP;
        }

        SEC("xdp") int typeless_symbol(struct xdp_md *ctx)
        {
            return &runqueues != 0 ? XDP_PASS : XDP_DROP;
        }

        SEC("xdp") int weak_variable(struct xdp_md *ctx)
        {
            return &bpf_no_such_variable == 0 ? XDP_TX : XDP_DROP;
        }

        char LICENSE[] SEC("license") = "GPL";
        """;

    private readonly string _work = Directory.CreateTempSubdirectory("bpfsharp-externs-").FullName;

    [SkippableFact]
    public void Kfuncs_and_kernel_symbols_resolve_as_with_libbpf()
    {
        RunningKernel.RequireBpf();
        var clang = Tools.Find("clang");
        Skip.If(clang is null || Tools.Find("bpftool") is null || !File.Exists("/usr/include/bpf/bpf_helpers.h"), "kernel test skipped: needs clang, bpftool and libbpf-dev (apt-get install clang bpftool libbpf-dev)");
        Skip.If(!File.Exists("/sys/kernel/btf/vmlinux"), "kernel test skipped: the running kernel has no BTF (/sys/kernel/btf/vmlinux), which kfuncs are resolved in");
        var source = Path.Combine(_work, "externs.c");
        var objectPath = Path.Combine(_work, "externs.o");
        File.WriteAllText(source, Program);
        var (compiled, output) = Tools.Run(clang!, $"-O2 -g -target bpf -I/usr/include/x86_64-linux-gnu -c {source} -o {objectPath}");
        Assert.True(compiled == 0, output);

        using var libbpf = new LoadedObject(objectPath);
        Assert.True(libbpf.Loaded, libbpf.LoadOutput);
        using var ours = BpfObject.Load(objectPath);
        var pins = libbpf.Pins + "/ours";
        Directory.CreateDirectory(pins);
        foreach (var (name, program) in ours.Programs)
        {
            program.Pin($"{pins}/{name}");
        }

        var packet = new byte[64];
        foreach (var (name, expected) in new[] { ("kfunc_call", 2L), ("typeless_symbol", 2L), ("weak_variable", 3L) })
        {
            Assert.Equal(libbpf.Bpftool($"prog dump xlated pinned {libbpf.Pins}/progs/{name}"), libbpf.Bpftool($"prog dump xlated pinned {pins}/{name}"));
            Assert.Equal(expected, libbpf.Run(name, packet));
        }
    }

    [SkippableFact]
    public void A_kfunc_the_kernel_lacks_is_refused_by_name()
    {
        RunningKernel.RequireBpf();
        var clang = Tools.Find("clang");
        Skip.If(clang is null || !File.Exists("/usr/include/bpf/bpf_helpers.h"), "kernel test skipped: needs clang and libbpf-dev (apt-get install clang libbpf-dev)");
        Skip.If(!File.Exists("/sys/kernel/btf/vmlinux"), "kernel test skipped: the running kernel has no BTF (/sys/kernel/btf/vmlinux)");
        var source = Path.Combine(_work, "missing.c");
        var objectPath = Path.Combine(_work, "missing.o");
        File.WriteAllText(source, """
            #include <linux/bpf.h>
            #include <bpf/bpf_helpers.h>
            extern void bpf_no_such_kfunc(void) __ksym;
            SEC("xdp") int missing(struct xdp_md *ctx) { bpf_no_such_kfunc(); return XDP_PASS; }
            char LICENSE[] SEC("license") = "GPL";
            """);
        var (compiled, output) = Tools.Run(clang!, $"-O2 -g -target bpf -I/usr/include/x86_64-linux-gnu -c {source} -o {objectPath}");
        Assert.True(compiled == 0, output);

        var refusal = Assert.Throws<BpfException>(() => BpfObject.Load(objectPath));
        Assert.Contains("kernel function 'bpf_no_such_kfunc'", refusal.Message);
        Assert.Contains("program 'missing'", refusal.Message);
    }

    public void Dispose() => Directory.Delete(_work, recursive: true);
}
