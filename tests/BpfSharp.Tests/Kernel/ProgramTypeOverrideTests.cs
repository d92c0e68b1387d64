using System;
using System.Collections.Generic;
using System.IO;
using Xunit;

namespace BpfSharp.Tests.Kernel;

/// <summary>A section libbpf does not know (the kernel's samples name socket filters "socket1") loads with the type the caller gives it.</summary>
[Collection(nameof(DescriptorCounting))]
public sealed class ProgramTypeOverrideTests : IDisposable
{
    private const string Source = """
        #include <linux/types.h>
        #include <linux/bpf.h>
        #define SEC(name) __attribute__((section(name), used))
        SEC("socket1") int keep_seven(struct __sk_buff *skb) { return 7; }
        char LICENSE[] SEC("license") = "GPL";
        """;

    private readonly string _directory = Directory.CreateTempSubdirectory("bpfsharp-sectiontype-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [SkippableFact]
    public void An_unknown_section_is_refused_by_name_and_loads_with_the_program_type_given()
    {
        RunningKernel.RequireBpf();
        var clang = Tools.Find("clang");
        Skip.If(clang is null, "kernel test skipped: clang is needed (apt-get install clang)");
        File.WriteAllText(Path.Combine(_directory, "sample.bpf.c"), Source);
        var compiled = Tools.Run(clang!, $"-O2 -g -target bpf -I/usr/include/x86_64-linux-gnu -c {_directory}/sample.bpf.c -o {_directory}/sample.bpf.o");
        Assert.True(compiled.ExitCode == 0, compiled.Output);
        var path = Path.Combine(_directory, "sample.bpf.o");

        var refused = Assert.Throws<BpfObjectFormatException>(() => BpfObject.Load(path));
        Assert.Contains("'socket1'", refused.Message);
        Assert.Contains("BpfObjectOptions.ProgramTypes", refused.Message);

        var options = new BpfObjectOptions { ProgramTypes = new Dictionary<string, BpfProgramType> { ["socket1"] = BpfProgramType.SocketFilter } };
        using var loaded = BpfObject.Load(path, options);
        var program = loaded.Program("keep_seven");
        Assert.Equal(BpfProgramType.SocketFilter, program.Type);
        Assert.Equal(7, program.TestRun(new byte[64]).ReturnValue);
    }
}
