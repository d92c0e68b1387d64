using System.IO;
using BpfSharp.Tests.Compiler;
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
}
