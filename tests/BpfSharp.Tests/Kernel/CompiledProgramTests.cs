using System.IO;
using BpfSharp.Tests.Compiler;
using BpfSharp.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace BpfSharp.Tests.Kernel;

/// <summary>
/// The translated C compiled by clang into a BPF object, loaded by the kernel (through bpftool, a tool that is not
/// ours), run with BPF_PROG_TEST_RUN, and its map read back.
/// </summary>
public class CompiledProgramTests(ITestOutputHelper output)
{
    [SkippableFact]
    public void The_translated_counter_compiles_loads_runs_and_counts()
    {
        RunningKernel.RequireBpf();
        var clang = Tools.Find("clang");
        Skip.If(clang is null || Tools.Find("bpftool") is null, "kernel test skipped: clang and bpftool are needed (apt-get install clang bpftool)");
        Skip.IfNot(Tools.BpfFs(), "kernel test skipped: bpffs is not mounted at /sys/fs/bpf and could not be (mount -t bpf bpf /sys/fs/bpf)");

        var directory = Directory.CreateTempSubdirectory("bpfsharp-compiled-").FullName;
        try
        {
            var c = BpfTranslatorTests.Translate(BpfTranslatorTests.Counter).C!;
            File.WriteAllText(Path.Combine(directory, "counter.bpf.c"), c);
            var compile = Tools.Run(clang!, $"-O2 -g -target bpf -I/usr/include/x86_64-linux-gnu -c {directory}/counter.bpf.c -o {directory}/counter.bpf.o");
            Assert.True(compile.ExitCode == 0, compile.Output + "\n" + c);

            var run = Tools.LoadAndRun(Path.Combine(directory, "counter.bpf.o"), "Count", "Packets", new byte[64], repeat: 3);
            output.WriteLine(run);
            Assert.Contains("Return value: 2", run);
            Assert.Matches("\"value\": 3\\b", run); // three runs counted three packets (bpftool prints the map typed: it has BTF)
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private const string WithGlobals = """
        using BpfSharp;
        [assembly: BpfLicense("GPL")]
        public static unsafe class Globals
        {
            static readonly uint Base = 100;
            static uint Runs;

            [BpfProgram("socket")]
            public static int Filter(SkBuff* skb)
            {
                System.Threading.Interlocked.Increment(ref Runs);
                return (int)(Base + Runs);
            }
        }
        """;

    [SkippableFact]
    public void Static_fields_are_global_data_the_kernel_keeps_between_runs()
    {
        RunningKernel.RequireBpf();
        var clang = Tools.Find("clang");
        Skip.If(clang is null || Tools.Find("bpftool") is null, "kernel test skipped: clang and bpftool are needed (apt-get install clang bpftool)");
        Skip.IfNot(Tools.BpfFs(), "kernel test skipped: bpffs is not mounted at /sys/fs/bpf and could not be (mount -t bpf bpf /sys/fs/bpf)");

        var translation = BpfTranslatorTests.Translate(WithGlobals);
        Assert.True(translation.C != null, string.Join("\n", translation.Problems));
        Assert.Contains("const volatile __u32 Globals_Base = 100;", translation.C);
        Assert.Contains("__u32 Globals_Runs = 0;", translation.C);
        var directory = Directory.CreateTempSubdirectory("bpfsharp-compiled-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(directory, "globals.bpf.c"), translation.C);
            var compile = Tools.Run(clang!, $"-O2 -g -target bpf -I/usr/include/x86_64-linux-gnu -c {directory}/globals.bpf.c -o {directory}/globals.bpf.o");
            Assert.True(compile.ExitCode == 0, compile.Output + "\n" + translation.C);

            // .rodata holds Base (100), .bss Runs: three runs, the last returns 100 + 3.
            var run = Tools.LoadAndRun(Path.Combine(directory, "globals.bpf.o"), "Filter", "none", new byte[64], repeat: 3);
            output.WriteLine(run);
            Assert.Contains("Return value: 103", run);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static readonly string Classifier = File.ReadAllText(Path.Combine(RepoPaths.Root, "tests", "Programs", "TcClassifier.cs"));

    [SkippableFact]
    public void A_tc_classifier_with_switch_stackalloc_structs_and_calls_runs_in_the_kernel()
    {
        RunningKernel.RequireBpf();
        var clang = Tools.Find("clang");
        Skip.If(clang is null || Tools.Find("bpftool") is null, "kernel test skipped: clang and bpftool are needed (apt-get install clang bpftool)");
        Skip.IfNot(Tools.BpfFs(), "kernel test skipped: bpffs is not mounted at /sys/fs/bpf and could not be (mount -t bpf bpf /sys/fs/bpf)");

        var translation = BpfTranslatorTests.Translate(Classifier);
        Assert.True(translation.C != null, string.Join("\n", translation.Problems));
        var directory = Directory.CreateTempSubdirectory("bpfsharp-compiled-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(directory, "classifier.bpf.c"), translation.C);
            var compile = Tools.Run(clang!, $"-O2 -g -target bpf -I/usr/include/x86_64-linux-gnu -c {directory}/classifier.bpf.c -o {directory}/classifier.bpf.o");
            Assert.True(compile.ExitCode == 0, compile.Output + "\n" + translation.C);

            // An IPv4 frame (EtherType 0x0800): kind 4, passed, counted twice.
            var ipv4 = new byte[64];
            ipv4[12] = 0x08;
            var run = Tools.LoadAndRun(Path.Combine(directory, "classifier.bpf.o"), "Classify", "Protocols", ipv4, repeat: 2, key: "4 0 0 0");
            output.WriteLine(run);
            Assert.Contains("Return value: 0", run); // TC_ACT_OK
            Assert.Matches("\"value\": 2\\b", run);

            // An ARP frame (0x0806): kind 0, shot.
            var arp = new byte[64];
            arp[12] = 0x08;
            arp[13] = 0x06;
            var shot = Tools.LoadAndRun(Path.Combine(directory, "classifier.bpf.o"), "Classify", "Protocols", arp, repeat: 1, key: "6 0 0 0");
            output.WriteLine(shot);
            Assert.Contains("Return value: 2", shot); // TC_ACT_SHOT
            Assert.Matches("\"value\": 1\\b", shot);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
