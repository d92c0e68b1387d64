using System;
using System.IO;
using BpfSharp.Loader;
using Xunit;

namespace BpfSharp.Tests.Kernel;

/// <summary>
/// Externs the running kernel resolves: a kfunc call, a typeless kernel symbol and a weak variable the kernel lacks
/// (<c>__ksym</c>), its version and build options (<c>__kconfig</c>), loaded by bpftool (libbpf) and by BpfSharp's loader: the same instructions, the same
/// results. A non-weak extern the kernel lacks is refused by name.
/// </summary>
public sealed class KernelExternTests : IDisposable
{
    private const string Program = """
        #include <linux/bpf.h>
        #include <bpf/bpf_helpers.h>

        extern void *bpf_cast_to_kern_ctx(void *obj) __ksym;
        extern const int bpf_no_such_variable __ksym __weak;
        extern unsigned int LINUX_KERNEL_VERSION __kconfig;
        extern int CONFIG_HZ __kconfig;
        extern _Bool CONFIG_BPF_SYSCALL __kconfig;
        extern enum libbpf_tristate CONFIG_NET_SCH_INGRESS __kconfig __weak;
        extern int CONFIG_BPFSHARP_NO_SUCH_OPTION __kconfig __weak;
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

        SEC("xdp") int kernel_version(struct xdp_md *ctx) { return LINUX_KERNEL_VERSION; }

        SEC("xdp") int kernel_hz(struct xdp_md *ctx) { return CONFIG_HZ; }

        SEC("xdp") int kernel_options(struct xdp_md *ctx)
        {
            return CONFIG_BPF_SYSCALL * 100 + CONFIG_BPFSHARP_NO_SUCH_OPTION * 10 + CONFIG_NET_SCH_INGRESS;
        }

        char LICENSE[] SEC("license") = "GPL";
        """;

    private readonly string _work = Directory.CreateTempSubdirectory("bpfsharp-externs-").FullName;

    [SkippableFact]
    public void Kfuncs_kernel_symbols_and_kconfig_values_resolve_as_with_libbpf()
    {
        RunningKernel.RequireBpf();
        var clang = Tools.Find("clang");
        Skip.If(clang is null || Tools.Find("bpftool") is null || !File.Exists("/usr/include/bpf/bpf_helpers.h"), "kernel test skipped: needs clang, bpftool and libbpf-dev (apt-get install clang bpftool libbpf-dev)");
        Skip.If(!File.Exists("/sys/kernel/btf/vmlinux"), "kernel test skipped: the running kernel has no BTF (/sys/kernel/btf/vmlinux), which kfuncs are resolved in");
        Skip.If(!File.Exists("/proc/config.gz") && !File.Exists("/boot/config-" + File.ReadAllText("/proc/sys/kernel/osrelease").Trim()), "kernel test skipped: the running kernel's configuration (/proc/config.gz or /boot/config-<release>) is not there for .kconfig externs");
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

        // .kconfig externs: read from a map each loader fills (whose id the dump names), so the kernel's tag is compared.
        var packetFile = libbpf.Packet(packet);
        foreach (var name in new[] { "kernel_version", "kernel_hz", "kernel_options" })
        {
            Assert.Equal(Tag(libbpf, $"{libbpf.Pins}/progs/{name}"), Tag(libbpf, $"{pins}/{name}"));
            Assert.Equal(Run(libbpf, $"{libbpf.Pins}/progs/{name}", packetFile), Run(libbpf, $"{pins}/{name}", packetFile));
        }

        var release = File.ReadAllText("/proc/sys/kernel/osrelease").Trim().Split('.', '-');
        Assert.Equal((long)((int.Parse(release[0]) << 16) + (int.Parse(release[1]) << 8) + Math.Min(int.Parse(release[2]), 255)), Run(libbpf, $"{pins}/kernel_version", packetFile));
        Assert.Equal(100 + 0 + (Config().Contains("CONFIG_NET_SCH_INGRESS=y\n") ? 1 : Config().Contains("CONFIG_NET_SCH_INGRESS=m\n") ? 2 : 0), Run(libbpf, $"{pins}/kernel_options", packetFile));
        Assert.Contains($"CONFIG_HZ={Run(libbpf, $"{pins}/kernel_hz", packetFile)}\n", Config());
    }

    private static string Tag(LoadedObject loaded, string pinned)
    {
        var (exitCode, output) = loaded.Bpftool($"-j prog show pinned {pinned}");
        using var json = System.Text.Json.JsonDocument.Parse(exitCode == 0 ? output : throw new InvalidOperationException(output));
        return json.RootElement.GetProperty("tag").GetString() + " " + json.RootElement.GetProperty("bytes_xlated").GetInt32();
    }

    private static long Run(LoadedObject loaded, string pinned, string packet)
    {
        var (exitCode, output) = loaded.Bpftool($"-j prog run pinned {pinned} data_in {packet}");
        using var json = System.Text.Json.JsonDocument.Parse(exitCode == 0 ? output : throw new InvalidOperationException(output));
        return json.RootElement.GetProperty("retval").GetInt64();
    }

    // The running kernel's options, as libbpf and the loader read them.
    private static string Config()
    {
        var boot = "/boot/config-" + File.ReadAllText("/proc/sys/kernel/osrelease").Trim();
        if (File.Exists(boot))
        {
            return File.ReadAllText(boot);
        }

        using var reader = new StreamReader(new System.IO.Compression.GZipStream(File.OpenRead("/proc/config.gz"), System.IO.Compression.CompressionMode.Decompress));
        return reader.ReadToEnd();
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
