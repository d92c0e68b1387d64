using System;
using System.Collections.Generic;
using System.IO;
using BpfSharp.Tests.Infrastructure;
using Xunit;

namespace BpfSharp.Tests.Kernel;

/// <summary>Global variables read and written from .NET by name, typed, while the program keeps using them.</summary>
[Collection(nameof(DescriptorCounting))]
public sealed class GlobalVariableTests : IDisposable
{
    private const string Source = """
        using BpfSharp;
        [assembly: BpfLicense("GPL")]
        public static unsafe class Counters
        {
            static ulong Total;
            static uint Step = 3;
            static readonly uint Limit = 1000;

            [BpfProgram("xdp")]
            public static int Count(XdpMd* ctx)
            {
                Total += Step;
                return Total > Limit ? 1 : 2;
            }
        }
        """;

    private readonly string _directory = Directory.CreateTempSubdirectory("bpfsharp-globals-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [SkippableFact]
    public void Globals_are_read_and_written_by_name_and_read_only_data_refuses_writes()
    {
        RunningKernel.RequireBpf();
        Skip.If(Tools.Find("clang") is null, "kernel test skipped: clang is needed (apt-get install clang)");
        using var loaded = BpfObject.Load(Tools.CompileCSharp(Source, _directory, "globals"));
        var total = loaded.Global<ulong>("Counters_Total");
        var step = loaded.Global<uint>("Counters_Step");
        var limit = loaded.Global<uint>("Counters_Limit");
        var program = loaded.Program("Count");

        Assert.Equal(0ul, total.Value);
        Assert.Equal(3u, step.Value); // the initialiser, in .data
        Assert.Equal(1000u, limit.Value);
        program.TestRun(new byte[64], repeat: 4);
        Assert.Equal(12ul, total.Value);

        step.Value = 10;
        total.Value = 995;
        Assert.Equal(BpfReturnCodes.XDP_DROP, program.TestRun(new byte[64]).ReturnValue); // 1005 > 1000
        Assert.Equal(1005ul, total.Value);
        Assert.Equal(10u, step.Value);

        Assert.Contains("read-only", Assert.Throws<BpfException>(() => limit.Value = 1).Message);
        Assert.Contains("8 bytes", Assert.Throws<BpfException>(() => loaded.Global<uint>("Counters_Total")).Message);
        Assert.Contains("Counters_Total", Assert.Throws<KeyNotFoundException>(() => loaded.Global<ulong>("Total")).Message);
    }

    [SkippableFact]
    public void Initial_values_set_before_loading_are_what_the_program_starts_with_and_are_found_by_field()
    {
        RunningKernel.RequireBpf();
        Skip.If(Tools.Find("clang") is null, "kernel test skipped: clang is needed (apt-get install clang)");
        var path = Tools.CompileCSharp(Source, _directory, "initial");
        var options = new BpfObjectOptions()
            .WithInitialValue(() => Counters.Limit, 5u) // read-only: frozen at 5 before the program is verified
            .WithInitialValue("Counters_Step", 2u);
        using var loaded = BpfObject.Load(path, options);
        var program = loaded.Program("Count");

        Assert.Equal(5u, loaded.Global(() => Counters.Limit).Value);
        Assert.Equal(2u, loaded.Global(() => Counters.Step).Value);
        Assert.Equal(BpfReturnCodes.XDP_PASS, program.TestRun(new byte[64]).ReturnValue); // 2
        Assert.Equal(BpfReturnCodes.XDP_PASS, program.TestRun(new byte[64]).ReturnValue); // 4
        Assert.Equal(BpfReturnCodes.XDP_DROP, program.TestRun(new byte[64]).ReturnValue); // 6 > 5
        Assert.Equal(6ul, loaded.Global(() => Counters.Total).Value);

        Assert.Contains("Counters_Step", Assert.Throws<KeyNotFoundException>(() => BpfObject.Load(path, new BpfObjectOptions().WithInitialValue("Step", 1u))).Message);
        Assert.Contains("4 bytes", Assert.Throws<BpfException>(() => BpfObject.Load(path, new BpfObjectOptions().WithInitialValue("Counters_Step", 1ul))).Message);
        Assert.Throws<ArgumentException>(() => new BpfObjectOptions().WithInitialValue(() => 1u + Counters.Step, 1u));
    }

    /// <summary>The program's class as .NET code that loads it sees it (same names): the fields name the globals.</summary>
    private static class Counters
    {
#pragma warning disable CS0649, CS0169 // never assigned here: only their names matter
        public static ulong Total;
        public static uint Step;
        public static readonly uint Limit;
#pragma warning restore CS0649, CS0169
    }
}
