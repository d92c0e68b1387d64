using System;
using System.IO;
using System.Collections.Generic;
using System.Linq;
using BpfSharp.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace BpfSharp.Tests.Kernel;

/// <summary>BpfSharp's own loader (BpfObject): objects loaded, test-run and read from .NET; refusals with the C# line; bad objects refused cleanly.</summary>
[Collection(nameof(DescriptorCounting))] // counts the process's BPF descriptors: nothing else may run meanwhile
public sealed class LoaderTests(ITestOutputHelper output) : IDisposable
{
    private static readonly string Contract = File.ReadAllText(Path.Combine(RepoPaths.Root, "tests", "Programs", "Contract.cs")).ReplaceLineEndings("\n");

    private readonly string _directory = Directory.CreateTempSubdirectory("bpfsharp-loader-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Compile(string source, string name)
    {
        RunningKernel.RequireBpf();
        Skip.If(Tools.Find("clang") is null, "kernel test skipped: clang is needed (apt-get install clang)");
        return Tools.CompileCSharp(source, _directory, name);
    }

    [SkippableFact]
    public void An_object_loads_its_programs_run_and_its_maps_read_back()
    {
        using var loaded = BpfObject.Load(Compile(Contract, "contract"));
        Assert.Equal(new[] { "Account", "Filter" }, loaded.Programs.Keys.Order());
        Assert.Equal(new[] { "Lengths", "PerProtocol", "Stats" }, loaded.Maps.Keys.Order());
        Assert.Equal(BpfProgramType.Xdp, loaded.Program("Filter").Type);
        Assert.Equal(BpfProgramType.SchedCls, loaded.Program("Account").Type);
        Assert.Equal(BpfMapType.Queue, loaded.Map("Lengths").Type);

        byte[] udpToDiscard = [.. new byte[12], 0x08, 0x00, 0x45, 0, 0, 0, 0, 0, 0x40, 0, 64, 17, 0, 0, 127, 0, 0, 1, 127, 0, 0, 1, 0x12, 0x34, 0x00, 0x09, 1, 2, 3, 4];
        var run = loaded.Program("Filter").TestRun(udpToDiscard, repeat: 3);
        Assert.Equal(1u, run.ReturnValue); // XDP_DROP
        Assert.Equal(udpToDiscard, run.Data);

        var value = new byte[8];
        Assert.True(loaded.Map("PerProtocol").TryLookup(BitConverter.GetBytes(17u), value));
        Assert.Equal(3ul, BitConverter.ToUInt64(value)); // three runs, three UDP packets
        Assert.False(loaded.Map("PerProtocol").TryLookup(BitConverter.GetBytes(6u), value));
        Assert.True(loaded.Map("Stats").TryLookup(BitConverter.GetBytes(0u), value));
        Assert.Equal(10ul, BitConverter.ToUInt64(value)); // 1 + 2 + 3 + 4: the payload summed by the program

        var error = Assert.Throws<ArgumentException>(() => loaded.Map("PerProtocol").TryLookup(BitConverter.GetBytes(17ul), value));
        Assert.Contains("8-byte key", error.Message);
        Assert.Contains("4-byte keys", error.Message);
    }

    [SkippableFact]
    public void Global_data_is_set_and_read_only_data_frozen()
    {
        using var loaded = BpfObject.Load(Compile(CompiledProgramTests.WithGlobals, "globals"));
        Assert.Equal(103u, loaded.Program("Filter").TestRun(new byte[64], repeat: 3).ReturnValue);
        var rodata = loaded.Maps.Values.Single(m => m.Name.EndsWith(".rodata", StringComparison.Ordinal));
        var written = Assert.Throws<BpfException>(() => rodata.Update(new byte[4], new byte[rodata.ValueSize]));
        Assert.Equal(1, written.Errno); // EPERM: frozen
    }

    [SkippableFact]
    public void A_refused_program_names_the_verifiers_complaint_and_the_csharp_line()
    {
        const string BoundsCheck = "if (data + sizeof(Headers) > end)\n        {\n            return XDP_ABORTED;\n        }\n";
        var source = Contract.Replace(BoundsCheck, string.Empty);
        var path = Compile(source, "unchecked");
        var refusal = Assert.Throws<BpfVerifierException>(() => BpfObject.Load(path));
        output.WriteLine(refusal.Message);
        var line = source.Split('\n').Select((text, index) => (text, index)).First(l => l.text.Contains("headers->EtherType != 0x0008")).index + 1;
        Assert.Equal("Filter", refusal.Program);
        Assert.Equal("Source0.cs", refusal.SourceFile);
        Assert.Equal(line, refusal.SourceLine);
        Assert.StartsWith($"Source0.cs({line}): the verifier refused program 'Filter': invalid access to packet", refusal.Message);
        Assert.Contains("processed", refusal.Log);
    }

    [SkippableFact]
    public void Truncated_and_corrupt_objects_are_refused_with_a_clear_error_and_no_descriptor_leaks()
    {
        var bytes = File.ReadAllBytes(Compile(Contract, "contract"));
        var before = OpenDescriptors();
        using (BpfObject.Load("intact.bpf.o", bytes))
        {
            Assert.Equal(before + 6, OpenDescriptors()); // BTF, three maps, two programs: the count sees them
        }

        var random = new Random(14);
        var outcomes = new Dictionary<string, int>();
        for (var i = 0; i < 300; i++)
        {
            var mutated = i < 100 ? bytes[..random.Next(bytes.Length)] : bytes.ToArray();
            if (i >= 100)
            {
                for (var flips = random.Next(1, 8); flips > 0; flips--)
                {
                    mutated[random.Next(mutated.Length)] = (byte)random.Next(256);
                }
            }

            try
            {
                using var loaded = BpfObject.Load("mutated.bpf.o", mutated);
                outcomes["loaded"] = outcomes.GetValueOrDefault("loaded") + 1;
            }
            catch (BpfException e)
            {
                Assert.False(string.IsNullOrWhiteSpace(e.Message));
                outcomes[e.GetType().Name] = outcomes.GetValueOrDefault(e.GetType().Name) + 1;
            }
        }

        output.WriteLine(string.Join(", ", outcomes.Select(o => $"{o.Key}: {o.Value}")));
        Assert.True(outcomes.GetValueOrDefault(nameof(BpfObjectFormatException)) >= 100, "every truncation must be a format error");
        Assert.Equal(before, OpenDescriptors());
    }

    // The process's BPF descriptors (maps, programs, BTF, links).
    private static int OpenDescriptors() => new DirectoryInfo("/proc/self/fd").GetFiles().Count(f => f.LinkTarget?.Contains("bpf", StringComparison.Ordinal) == true || f.LinkTarget?.Contains("btf", StringComparison.Ordinal) == true);
}

[CollectionDefinition(nameof(DescriptorCounting), DisableParallelization = true)]
public sealed class DescriptorCounting
{
}
