using System;
using System.IO;
using System.Linq;
using System.Threading;

namespace BpfSharp.Tests.Kernel.Ports;

/// <summary>
/// The BPF programs of Debian's linux-source package (samples/bpf, the BPF selftests), unpacked once per test run
/// into a temporary folder and compiled by clang as the kernel's own build would, with what they include.
/// </summary>
public static class KernelSources
{
    private static readonly Lazy<string?> s_tarball = new(FindTarball);
    private static readonly Lazy<string> s_tree = new(Unpack, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Why the originals cannot be compiled here, or null.</summary>
    public static string? WhyUnavailable =>
        s_tarball.Value is null ? "the kernel's sources are not installed (apt-get install linux-source-6.12)"
        : !File.Exists("/usr/include/bpf/bpf_helpers.h") ? "libbpf's headers are not installed (apt-get install libbpf-dev)"
        : Tools.Find("clang") is null || Tools.Find("bpftool") is null ? "clang and bpftool are needed (apt-get install clang bpftool)"
        : null;

    /// <summary>The C files of a folder of the kernel tree ("tools/testing/selftests/bpf/progs"), as paths inside the tree, in order.</summary>
    public static string[] Originals(string folder) =>
        Directory.GetFiles(Path.Combine(s_tree.Value, folder), "*.c").Select(path => Path.GetRelativePath(s_tree.Value, path)).Order(StringComparer.Ordinal).ToArray();

    /// <summary>Compiles one original (its path inside the kernel tree) into <paramref name="directory"/>; the object's path.</summary>
    public static string Compile(string original, string directory)
    {
        var tree = s_tree.Value;
        var source = Path.Combine(tree, original);
        if (!File.Exists(source))
        {
            throw new FileNotFoundException($"{original} is not in {s_tarball.Value}", source);
        }

        var includes = Path.Combine(tree, "bpfsharp-include");
        var shim = original.StartsWith("samples/", StringComparison.Ordinal) ? $"-include {includes}/kernel-internal.h " : string.Empty;
        var output = Path.Combine(directory, Path.GetFileNameWithoutExtension(original) + ".o");
        var compile = Tools.Run(Tools.Find("clang")!,
            $"-O2 -g -target bpf -D__TARGET_ARCH_x86 {shim}-I{includes} -I/usr/include/{HostMultiarch} " +
            $"-I{Path.GetDirectoryName(source)} -I{tree}/tools/testing/selftests/bpf -c {source} -o {output}");
        return compile.ExitCode == 0 ? output : throw new InvalidOperationException($"clang could not compile {original}:\n{compile.Output}");
    }

    // Debian's multiarch folder holds asm/types.h, which the UAPI headers include.
    private static string HostMultiarch => System.Runtime.InteropServices.RuntimeInformation.OSArchitecture switch
    {
        System.Runtime.InteropServices.Architecture.Arm64 => "aarch64-linux-gnu",
        _ => "x86_64-linux-gnu",
    };

    private static string? FindTarball() =>
        Directory.Exists("/usr/src")
            ? Directory.GetFiles("/usr/src", "linux-source-*.tar.xz").OrderByDescending(path => path, StringComparer.Ordinal).FirstOrDefault()
            : null;

    private static string Unpack()
    {
        var tarball = s_tarball.Value ?? throw new InvalidOperationException("no kernel sources");
        var root = Directory.CreateTempSubdirectory("bpfsharp-kernel-sources-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(root, recursive: true);
        var top = Path.GetFileName(tarball)[..^".tar.xz".Length];
        var unpack = Tools.Run("tar",
            $"-xJf {tarball} -C {root} --strip-components=1 --wildcards {top}/samples/bpf/*.[ch] " +
            $"{top}/tools/testing/selftests/bpf/*.h {top}/tools/testing/selftests/bpf/progs/*");
        if (unpack.ExitCode != 0)
        {
            throw new InvalidOperationException($"could not unpack {tarball}: {unpack.Output}");
        }

        var includes = Directory.CreateDirectory(Path.Combine(root, "bpfsharp-include")).FullName;

        // Selftests that include vmlinux.h get the running kernel's types, as their build does.
        var vmlinux = Tools.Run(Tools.Find("bpftool")!, "btf dump file /sys/kernel/btf/vmlinux format c");
        File.WriteAllText(Path.Combine(includes, "vmlinux.h"), vmlinux.ExitCode == 0 ? vmlinux.Output : "#error no kernel BTF for vmlinux.h\n");

        // glibc's headers pick their 32-bit variant under -target bpf; the kernel build sidesteps this the same way.
        Directory.CreateDirectory(Path.Combine(includes, "gnu"));
        File.WriteAllText(Path.Combine(includes, "gnu", "stubs-32.h"), string.Empty);

        // samples/bpf include <uapi/linux/...> and use a few kernel-internal definitions (its build uses the kernel's headers).
        Directory.CreateDirectory(Path.Combine(includes, "uapi"));
        Tools.Run("ln", $"-s /usr/include/linux {Path.Combine(includes, "uapi", "linux")}");
        File.WriteAllText(Path.Combine(includes, "kernel-internal.h"), """
            #include <linux/types.h>
            #include <stdbool.h>
            typedef __u8 u8; typedef __u16 u16; typedef __u32 u32; typedef __u64 u64; typedef __s32 s32; typedef __s64 s64;
            #define __force
            #define likely(x) __builtin_expect(!!(x), 1)
            #define unlikely(x) __builtin_expect(!!(x), 0)
            #define max(a, b) ((a) > (b) ? (a) : (b))
            #define min(a, b) ((a) < (b) ? (a) : (b))
            #define htons(x) ((__u16)__builtin_bswap16(x))
            #define ntohs(x) ((__u16)__builtin_bswap16(x))
            #define htonl(x) ((__u32)__builtin_bswap32(x))
            #define ntohl(x) ((__u32)__builtin_bswap32(x))

            """.Replace("\r\n", "\n"));
        return root;
    }
}
