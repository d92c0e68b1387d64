using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using BpfSharp.Loader;
using Xunit;

namespace BpfSharp.Tests.Kernel;

/// <summary>
/// CO-RE relocations against a kernel whose layout differs from the one the program was compiled for: a synthetic BTF
/// (a C file compiled with -g, in which the fields have moved, changed size, gone or been renamed) given to libbpf
/// (<c>btf_custom_path</c>, from a small C loader linked against the system's libbpf) and to BpfSharp's loader
/// (<see cref="BpfObjectOptions.KernelBtfPath"/>). Both must give the kernel the same instructions, and the programs the
/// same results, which are the synthetic layout's.
/// </summary>
public sealed class CoreRelocationTests : IDisposable
{
    private const string Program = """
        #include <linux/bpf.h>
        #include <bpf/bpf_helpers.h>
        #include <bpf/bpf_core_read.h>

        struct probe_target { int first; long moved; unsigned char tail; unsigned int bits : 3; int sbits : 5; } __attribute__((preserve_access_index));
        struct probe_target___old { int first; int gone; } __attribute__((preserve_access_index));
        struct probe_missing { int x; } __attribute__((preserve_access_index));
        enum probe_state { PROBE_IDLE = 0, PROBE_BUSY = 1 };

        SEC("socket") int field_offset(void *ctx) { return bpf_core_field_offset(struct probe_target, moved); }
        SEC("socket") int field_size(void *ctx) { return bpf_core_field_size(struct probe_target, tail); }
        SEC("socket") int field_exists(void *ctx) { return bpf_core_field_exists(struct probe_target___old, gone) * 10 + bpf_core_field_exists(struct probe_target, tail); }
        SEC("socket") int field_signed(void *ctx) { struct probe_target *t = 0; return __builtin_preserve_field_info(t->sbits, BPF_FIELD_SIGNED) * 10 + __builtin_preserve_field_info(t->bits, BPF_FIELD_SIGNED); }
        SEC("socket") int bitfield_shifts(void *ctx) { struct probe_target *t = 0; return __builtin_preserve_field_info(t->sbits, BPF_FIELD_LSHIFT_U64) * 100 + __builtin_preserve_field_info(t->sbits, BPF_FIELD_RSHIFT_U64); }
        SEC("socket") int type_facts(void *ctx) { return bpf_core_type_exists(struct probe_missing) * 10000 + bpf_core_type_exists(struct probe_target) * 1000 + bpf_core_type_size(struct probe_target); }
        SEC("socket") int enum_facts(void *ctx) { return bpf_core_enum_value_exists(enum probe_state, PROBE_BUSY) * 100 + bpf_core_enum_value(enum probe_state, PROBE_BUSY); }
        SEC("socket") int load_field(void *ctx)
        {
            char buffer[64];
            __builtin_memset(buffer, 7, sizeof(buffer));
            struct probe_target *t = (void *)buffer;
            return t->tail;
        }
        SEC("socket") int guarded(void *ctx)
        {
            char buffer[64];
            __builtin_memset(buffer, 3, sizeof(buffer));
            struct probe_target___old *old = (void *)buffer;
            if (bpf_core_field_exists(old->gone))
                return old->gone;
            return 42;
        }

        char LICENSE[] SEC("license") = "GPL";
        """;

    // The "kernel": every field moved, 'tail' wider, 'gone' gone, PROBE_BUSY renumbered, probe_missing absent.
    private const string Kernel = """
        struct probe_target { char pad[16]; long moved; int first; unsigned int tail; unsigned int bits : 3; int sbits : 5; long extra; };
        enum probe_state { PROBE_BUSY = 5, PROBE_IDLE = 9 };
        struct probe_target target_instance;
        enum probe_state state_instance;
        """;

    private const string Loader = """
        #include <stdio.h>
        #include <bpf/libbpf.h>
        int main(int argc, char **argv)
        {
            LIBBPF_OPTS(bpf_object_open_opts, opts, .btf_custom_path = argv[2]);
            struct bpf_object *obj = bpf_object__open_file(argv[1], &opts);
            if (!obj) { perror("open"); return 2; }
            if (bpf_object__load(obj)) { perror("load"); return 3; }
            if (bpf_object__pin_programs(obj, argv[3])) { perror("pin"); return 4; }
            return 0;
        }
        """;

    private readonly string _work = Directory.CreateTempSubdirectory("bpfsharp-core-").FullName;
    private readonly string _pins = "/sys/fs/bpf/bpfsharp-core-" + Guid.NewGuid().ToString("N")[..8];

    [SkippableFact]
    public void The_loader_relocates_as_libbpf_does_for_a_kernel_whose_layout_differs()
    {
        var (clang, bpftool) = RequireTools();

        var program = Compile(clang, "program", Program, "-O2");
        var kernel = Compile(clang, "kernel", Kernel, "-O0");
        using var ours = LoadWithBoth(program, kernel);

        var packet = Path.Combine(_work, "packet");
        File.WriteAllBytes(packet, new byte[64]);
        var results = new Dictionary<string, long>();
        foreach (var name in new[] { "field_offset", "field_size", "field_exists", "field_signed", "bitfield_shifts", "type_facts", "enum_facts", "load_field", "guarded" })
        {
            Assert.Equal(Tools.Run(bpftool, $"prog dump xlated pinned {_pins}/libbpf/{name}"), Tools.Run(bpftool, $"prog dump xlated pinned {_pins}/ours/{name}"));
            results[name] = Run(bpftool, $"{_pins}/ours/{name}", packet);
            Assert.Equal(Run(bpftool, $"{_pins}/libbpf/{name}", packet), results[name]);
        }

        // The synthetic kernel's layout, not the one the program was compiled with.
        Assert.Equal(16, results["field_offset"]); // 8 where it was compiled
        Assert.Equal(4, results["field_size"]); // 1
        Assert.Equal(1, results["field_exists"]); // 'gone' is gone
        Assert.Equal(10, results["field_signed"]);
        Assert.Equal(5, results["enum_facts"] % 100); // renumbered
        Assert.Equal(1000, results["type_facts"] / 1000 * 1000); // probe_missing is missing
        Assert.Equal(0x07070707, results["load_field"]); // a 4-byte load now
        Assert.Equal(42, results["guarded"]); // the read of 'gone' poisoned, and never reached
    }

    // Each bit of the result is one bpf_core_type_matches() answer. clang 14 cannot emit the TYPE_MATCHES kind, so the
    // program asks bpf_core_type_exists() and the test rewrites those relocations' kind (8) to TYPE_MATCHES (12): the
    // instructions clang emits for the two are the same.
    private const string MatchProgram = """
        #include <linux/bpf.h>
        #include <bpf/bpf_helpers.h>
        #include <bpf/bpf_core_read.h>

        struct tm_other { int only_here; };
        struct tm_reordered { int a; long b; struct tm_other *p; };
        struct tm_signedness { unsigned int a; };
        struct tm_member_gone { int a; int z; };
        struct tm_array_length { int v[4]; };
        enum tm_enum { TM_A, TM_B };
        typedef struct tm_reordered tm_reordered_t;
        struct tm_nested { struct tm_signedness inner; };
        union tm_union { int i; short c; };
        struct tm_prototype { int (*callback)(struct tm_other *, long); };
        struct tm_char { char c; };

        SEC("socket") int type_matches(void *ctx)
        {
            return bpf_core_type_exists(struct tm_reordered) << 0
                | bpf_core_type_exists(struct tm_signedness) << 1
                | bpf_core_type_exists(struct tm_member_gone) << 2
                | bpf_core_type_exists(struct tm_array_length) << 3
                | bpf_core_type_exists(enum tm_enum) << 4
                | bpf_core_type_exists(tm_reordered_t) << 5
                | bpf_core_type_exists(struct tm_nested) << 6
                | bpf_core_type_exists(union tm_union) << 7
                | bpf_core_type_exists(struct tm_prototype) << 8
                | bpf_core_type_exists(struct tm_char) << 9;
        }

        char LICENSE[] SEC("license") = "GPL";
        """;

    // Matches: reordered members with one more (and a different struct behind the pointer), the enum by names whatever
    // the values, the typedef, the union, the prototype. Not: a member's integer type (also one level down), a member gone,
    // an array's length, a char of the same name and size whose signedness differs (the kernel is compiled -funsigned-char).
    private const string MatchKernel = """
        struct tm_other { long different; char members; };
        struct tm_reordered { struct tm_other *p; long b; char extra; int a; };
        struct tm_signedness { int a; };
        struct tm_member_gone { int a; };
        struct tm_array_length { int v[8]; };
        enum tm_enum { TM_B = 7, TM_C = 8, TM_A = 3 };
        typedef struct tm_reordered tm_reordered_t;
        struct tm_nested { struct tm_signedness inner; };
        union tm_union { short c; int i; long wider; };
        struct tm_prototype { int (*callback)(struct tm_other *, long); };
        struct tm_char { char c; };
        struct tm_char j;
        struct tm_reordered a; tm_reordered_t b; struct tm_signedness c; struct tm_member_gone d; struct tm_array_length e;
        enum tm_enum f; struct tm_nested g; union tm_union h; struct tm_prototype i;
        """;

    private const int ExpectedMatches = 1 << 0 | 1 << 4 | 1 << 5 | 1 << 7 | 1 << 8;

    [SkippableFact]
    public void Type_match_relocations_agree_with_libbpf()
    {
        var (clang, bpftool) = RequireTools();

        var program = Compile(clang, "matches", MatchProgram, "-O2");
        Assert.Equal(10, RewriteRelocationKinds(program, from: 8, to: 12));
        var kernel = Compile(clang, "match-kernel", MatchKernel, "-O0 -funsigned-char");
        using var ours = LoadWithBoth(program, kernel);

        var packet = Path.Combine(_work, "packet");
        File.WriteAllBytes(packet, new byte[64]);
        Assert.Equal(Tools.Run(bpftool, $"prog dump xlated pinned {_pins}/libbpf/type_matches"), Tools.Run(bpftool, $"prog dump xlated pinned {_pins}/ours/type_matches"));
        Assert.Equal(ExpectedMatches, Run(bpftool, $"{_pins}/libbpf/type_matches", packet));
        Assert.Equal(ExpectedMatches, Run(bpftool, $"{_pins}/ours/type_matches", packet));
    }

    private static (string Clang, string Bpftool) RequireTools()
    {
        RunningKernel.RequireBpf();
        var clang = Tools.Find("clang");
        var gcc = Tools.Find("gcc");
        var bpftool = Tools.Find("bpftool");
        Skip.If(clang is null || gcc is null || bpftool is null || !File.Exists("/usr/include/bpf/libbpf.h"), "kernel test skipped: needs clang, gcc, bpftool and libbpf-dev (apt-get install clang gcc bpftool libbpf-dev)");
        Skip.If(!Tools.BpfFs(), "kernel test skipped: bpffs is not mounted at /sys/fs/bpf and could not be");
        return (clang!, bpftool!);
    }

    // The object loaded for the synthetic kernel twice: by libbpf (pinned under libbpf/) and by BpfSharp (under ours/).
    private BpfObject LoadWithBoth(string program, string kernel)
    {
        File.WriteAllText(Path.Combine(_work, "load.c"), Loader);
        var (built, builtOutput) = Tools.Run(Tools.Find("gcc")!, $"-o {_work}/load {_work}/load.c -lbpf");
        Assert.True(built == 0, builtOutput);

        Directory.CreateDirectory(_pins);
        var (loaded, loadOutput) = Tools.Run($"{_work}/load", $"{program} {kernel} {_pins}/libbpf");
        Assert.True(loaded == 0, "libbpf: " + loadOutput);
        var ours = BpfObject.Load(program, new BpfObjectOptions { KernelBtfPath = kernel });
        Directory.CreateDirectory($"{_pins}/ours");
        foreach (var (name, loadedProgram) in ours.Programs)
        {
            loadedProgram.Pin($"{_pins}/ours/{name}");
        }

        return ours;
    }

    // Rewrites the kind of every CO-RE relocation record of one kind in the object's .BTF.ext; returns how many.
    private static int RewriteRelocationKinds(string objectPath, uint from, uint to)
    {
        var bytes = File.ReadAllBytes(objectPath);
        var section = BpfSharp.Loader.Objects.ElfFile.Read(objectPath, bytes).Section(".BTF.ext") ?? throw new InvalidOperationException("no .BTF.ext");
        var ext = bytes.AsSpan(section.Offset, section.Size);
        var headerLength = (int)BitConverter.ToUInt32(ext[4..]);
        var coreOffset = headerLength + (int)BitConverter.ToUInt32(ext[24..]);
        var coreLength = (int)BitConverter.ToUInt32(ext[28..]);
        var recordSize = (int)BitConverter.ToUInt32(ext[coreOffset..]);
        var rewritten = 0;
        for (var at = coreOffset + 4; at < coreOffset + coreLength;)
        {
            var count = (int)BitConverter.ToUInt32(ext[(at + 4)..]);
            at += 8;
            for (var i = 0; i < count; i++, at += recordSize)
            {
                if (BitConverter.ToUInt32(ext[(at + 12)..]) == from)
                {
                    BitConverter.TryWriteBytes(ext[(at + 12)..], to);
                    rewritten++;
                }
            }
        }

        File.WriteAllBytes(objectPath, bytes);
        return rewritten;
    }

    private string Compile(string clang, string name, string source, string optimisation)
    {
        File.WriteAllText(Path.Combine(_work, name + ".c"), source);
        var output = Path.Combine(_work, name + ".o");
        var (exitCode, text) = Tools.Run(clang, $"{optimisation} -g -target bpf -I/usr/include/x86_64-linux-gnu -c {_work}/{name}.c -o {output}");
        Assert.True(exitCode == 0, text);
        return output;
    }

    private static long Run(string bpftool, string pinned, string packet)
    {
        var (exitCode, output) = Tools.Run(bpftool, $"-j prog run pinned {pinned} data_in {packet}");
        using var json = System.Text.Json.JsonDocument.Parse(exitCode == 0 ? output : throw new InvalidOperationException($"bpftool prog run {pinned}: {output}"));
        return json.RootElement.GetProperty("retval").GetInt64();
    }

    public void Dispose()
    {
        try
        {
            if (Directory.Exists(_pins))
            {
                Directory.Delete(_pins, recursive: true);
            }
        }
        catch (IOException)
        {
        }

        Directory.Delete(_work, recursive: true);
    }
}
