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
        Skip.If(Tools.Find("clang") is null || Tools.Find("bpftool") is null, "kernel test skipped: clang and bpftool are needed (apt-get install clang bpftool)");
        Skip.IfNot(Tools.BpfFs(), "kernel test skipped: bpffs is not mounted at /sys/fs/bpf and could not be (mount -t bpf bpf /sys/fs/bpf)");

        var directory = Directory.CreateTempSubdirectory("bpfsharp-compiled-").FullName;
        try
        {
            var run = Tools.LoadAndRun(Tools.CompileCSharp(BpfTranslatorTests.Counter, directory, "counter"), "Count", "Packets", new byte[64], repeat: 3);
            output.WriteLine(run);
            Assert.Contains("Return value: 2", run);
            Assert.Matches("\"value\": 3\\b", run); // three runs counted three packets (bpftool prints the map typed: it has BTF)
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    internal const string WithGlobals = """
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
        Skip.If(Tools.Find("clang") is null || Tools.Find("bpftool") is null, "kernel test skipped: clang and bpftool are needed (apt-get install clang bpftool)");
        Skip.IfNot(Tools.BpfFs(), "kernel test skipped: bpffs is not mounted at /sys/fs/bpf and could not be (mount -t bpf bpf /sys/fs/bpf)");

        var translation = BpfTranslatorTests.Translate(WithGlobals);
        Assert.True(translation.C != null, string.Join("\n", translation.Problems));
        Assert.Contains("const volatile __u32 Globals_Base = 100;", translation.C);
        Assert.Contains("__u32 Globals_Runs = 0;", translation.C);
        var directory = Directory.CreateTempSubdirectory("bpfsharp-compiled-").FullName;
        try
        {
            // .rodata holds Base (100), .bss Runs: three runs, the last returns 100 + 3.
            var run = Tools.LoadAndRun(Tools.CompileCSharp(WithGlobals, directory, "globals"), "Filter", "none", new byte[64], repeat: 3);
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
        Skip.If(Tools.Find("clang") is null || Tools.Find("bpftool") is null, "kernel test skipped: clang and bpftool are needed (apt-get install clang bpftool)");
        Skip.IfNot(Tools.BpfFs(), "kernel test skipped: bpffs is not mounted at /sys/fs/bpf and could not be (mount -t bpf bpf /sys/fs/bpf)");

        var directory = Directory.CreateTempSubdirectory("bpfsharp-compiled-").FullName;
        try
        {
            var objectPath = Tools.CompileCSharp(Classifier, directory, "classifier");

            // An IPv4 frame (EtherType 0x0800): kind 4, passed, counted twice.
            var ipv4 = new byte[64];
            ipv4[12] = 0x08;
            var run = Tools.LoadAndRun(objectPath, "Classify", "Protocols", ipv4, repeat: 2, key: "4 0 0 0");
            output.WriteLine(run);
            Assert.Contains("Return value: 0", run); // TC_ACT_OK
            Assert.Matches("\"value\": 2\\b", run);

            // An ARP frame (0x0806): kind 0, shot.
            var arp = new byte[64];
            arp[12] = 0x08;
            arp[13] = 0x06;
            var shot = Tools.LoadAndRun(objectPath, "Classify", "Protocols", arp, repeat: 1, key: "6 0 0 0");
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
