using System;
using System.IO;
using System.Linq;
using Xunit;
using Xunit.Abstractions;

namespace BpfSharp.Tests.Kernel.Ports;

/// <summary>
/// Real programs written by others, side by side with their C# ports: the original compiled by clang from the
/// kernel's source package, the port built by `dotnet build` against the packed package; both loaded by bpftool
/// and test-run on the same inputs. Return values, output packets, maps and globals must be identical.
/// </summary>
public class RealProgramTests(PortBuilds builds, ITestOutputHelper output) : IClassFixture<PortBuilds>
{
    public static TheoryData<string> Ports => new(RealPrograms.All.Select(port => port.Name));

    [SkippableTheory]
    [MemberData(nameof(Ports))]
    public void The_port_computes_what_the_original_computes(string name)
    {
        RunningKernel.RequireBpf();
        var unavailable = KernelSources.WhyUnavailable;
        Skip.If(unavailable is not null, "kernel test skipped: " + unavailable);
        var port = RealPrograms.Named(name);
        var work = Directory.CreateTempSubdirectory("bpfsharp-port-").FullName;
        try
        {
            var originalPath = KernelSources.Compile(port.Original, work);
            var portedPath = builds.ObjectOf(port);
            using var original = port.OriginalSectionTypes is { } types ? new LoadedObject(originalPath, types) : new LoadedObject(originalPath, port.OriginalProgramType);
            using var ported = new LoadedObject(portedPath);
            Assert.True(original.Loaded, $"bpftool could not load {port.Original}: {original.LoadOutput}");
            Assert.True(ported.Loaded, $"bpftool could not load the port {port.Port}: {ported.LoadOutput}");

            foreach (var (c, csharp) in port.Programs)
            {
                int a = original.XlatedInstructions(c), b = ported.XlatedInstructions(csharp);
                output.WriteLine($"{port.Name} {c}: C {a} insns, C# {b} insns, ratio {(double)b / a:0.000}");
            }

            foreach (var entry in port.Setup)
            {
                original.Update(PinnedMap(entry.Map), entry.Key, entry.Value);
                ported.Update(MapOfPort(port, entry.Map), entry.Key, entry.Value);
            }

            for (var i = 0; i < port.Runs.Count; i++)
            {
                var run = port.Runs[i];
                var expected = original.RunWithOutput(run.Program, run.Packet, run.Repeat);
                var actual = ported.RunWithOutput(ProgramOfPort(port, run.Program), run.Packet, run.Repeat);
                var where = $"run {i} ({run.Program}, {run.Packet.Length}-byte packet)";
                Assert.True(expected.ReturnValue == actual.ReturnValue, $"{where}: the original returned {expected.ReturnValue}, the port {actual.ReturnValue}");
                Assert.True(expected.Packet.AsSpan().SequenceEqual(actual.Packet), $"{where}: the packets differ\n  C:  {Convert.ToHexString(expected.Packet)}\n  C#: {Convert.ToHexString(actual.Packet)}");
            }

            foreach (var (c, csharp) in port.Maps)
            {
                Assert.Equal(original.RawDump(PinnedMap(c)), ported.RawDump(csharp));
            }

            var originalGlobals = port.Globals.Count == 0 ? [] : Globals(original, originalPath);
            var portedGlobals = port.Globals.Count == 0 ? [] : Globals(ported, portedPath);
            foreach (var (c, csharp) in port.Globals)
            {
                var variable = csharp.Replace('.', '_');
                Assert.True(originalGlobals.ContainsKey(c), $"the original has no global '{c}': {string.Join(", ", originalGlobals.Keys)}");
                Assert.True(portedGlobals.ContainsKey(variable), $"the port has no global '{variable}': {string.Join(", ", portedGlobals.Keys)}");
                Assert.True(originalGlobals[c] == portedGlobals[variable], $"global {c}: the original holds {originalGlobals[c]}, the port {portedGlobals[variable]}");
            }
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static string MapOfPort(RealProgram port, string map) =>
        port.Maps.Where(pair => pair.C == map).Select(pair => pair.CSharp).FirstOrDefault()
        ?? throw new InvalidOperationException($"{port.Name}: the map '{map}' of a setup entry is not in Maps");

    private static string ProgramOfPort(RealProgram port, string program) =>
        port.Programs.Where(pair => pair.C == program).Select(pair => pair.CSharp).FirstOrDefault()
        ?? throw new InvalidOperationException($"{port.Name}: the program '{program}' of a run is not in Programs");

    // Every global variable's bytes (hex), by name: where it lies, from the object's BTF; its value, from the kernel's map.
    private static System.Collections.Generic.Dictionary<string, string> Globals(LoadedObject loaded, string objectPath)
    {
        // Only the layout is wanted here: any type will do for sections libbpf does not know.
        var bytes = File.ReadAllBytes(objectPath);
        var sections = BpfSharp.Loader.Objects.ElfFile.Read(objectPath, bytes).Sections.Where(s => s.IsExecutable && s.Name != ".text").Select(s => s.Name).Distinct();
        var globals = BpfSharp.Loader.Objects.ObjectSpec.Read(objectPath, bytes, sections.ToDictionary(name => name, _ => BpfProgramType.SocketFilter)).Globals;
        var data = globals.Select(g => g.MapName).Distinct().ToDictionary(map => map, map => loaded.Lookup(PinnedMap(map), new byte[4]));
        return globals.GroupBy(g => g.Name).Where(g => g.Count() == 1).Select(g => g.Single())
            .ToDictionary(g => g.Name, g => Convert.ToHexString(data[g.MapName], g.Offset, g.Size));
    }

    // bpftool pins a map under its libbpf name with '.' made '_' (".bss" of test_global_data -> "test_glo_bss").
    private static string PinnedMap(string name) => name.Replace('.', '_');
}
