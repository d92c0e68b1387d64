using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using BpfSharp.Spec;
using BpfSharp.Spec.Profiles;
using BpfSharp.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace BpfSharp.Tests.Kernel;

/// <summary>
/// The user's paths end to end, against the packed .nupkg: `bpfsharp probe` then a build with that profile; and
/// `dotnet build` writing a BPF object that the kernel loads and runs (through bpftool, a tool that is not ours).
/// </summary>
public class PackagedKernelTests(PackagedBpfSharp packaged, ITestOutputHelper output) : IClassFixture<PackagedBpfSharp>
{
    // A program shared with the size benchmark (benchmarks/BpfSharp.Benchmarks BpfSizeBenchmark).
    private static readonly string Counter = File.ReadAllText(Path.Combine(RepoPaths.Root, "tests", "Programs", "XdpCounter.cs"));

    private const string NoDocs = "<GenerateDocumentationFile>false</GenerateDocumentationFile>";

    [SkippableFact]
    public void Dotnet_build_writes_a_deterministic_object_that_the_kernel_loads_and_runs()
    {
        RunningKernel.RequireBpf();
        Skip.If(Tools.Find("clang") is null || Tools.Find("bpftool") is null, "kernel test skipped: clang and bpftool are needed (apt-get install clang bpftool)");
        var (exitCode, build) = packaged.BuildConsumer("ObjectA", Counter, NoDocs);
        Assert.True(exitCode == 0, build);
        Assert.DoesNotMatch(@"(warning|error) [A-Z]+[0-9]+", build);
        var objectPath = Path.Combine(packaged.Root, "ObjectA", "bin", "Debug", "net10.0", "ObjectA.bpf.o");
        Assert.True(File.Exists(objectPath), "no object next to the assembly:\n" + build);

        // The same project in another folder (another checkout): the same bytes.
        var copy = Path.Combine(packaged.Root, "elsewhere", "ObjectA");
        Directory.CreateDirectory(copy);
        foreach (var file in new[] { "ObjectA.csproj", "Program.cs", "nuget.config" })
        {
            File.Copy(Path.Combine(packaged.Root, "ObjectA", file), Path.Combine(copy, file));
        }

        var (otherExit, otherBuild) = DotNetCli.Run(copy, "build", "-nologo", "-clp:NoSummary");
        Assert.True(otherExit == 0, otherBuild);
        Assert.Equal(File.ReadAllBytes(objectPath), File.ReadAllBytes(Path.Combine(copy, "bin", "Debug", "net10.0", "ObjectA.bpf.o")));

        var run = Tools.LoadAndRun(objectPath, "Count", "Packets", packet: new byte[] { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x08, 0x00 }.Concat(new byte[50]).ToArray(), repeat: 4);
        output.WriteLine(run);
        Assert.Contains("Return value: 2", run);
        Assert.Matches("\"value\": 4\\b", run);
    }

    [SkippableFact]
    public void A_consumer_of_the_public_contract_builds_into_an_object_whose_programs_run_and_fill_their_maps()
    {
        RunningKernel.RequireBpf();
        Skip.If(Tools.Find("clang") is null || Tools.Find("bpftool") is null, "kernel test skipped: clang and bpftool are needed (apt-get install clang bpftool)");
        var (exitCode, build) = packaged.BuildConsumer("Contract", File.ReadAllText(Path.Combine(RepoPaths.Root, "tests", "Programs", "Contract.cs")), NoDocs);
        Assert.True(exitCode == 0, build);
        var objectPath = Path.Combine(packaged.Root, "Contract", "bin", "Debug", "net10.0", "Contract.bpf.o");
        Assert.True(File.Exists(objectPath), "no object next to the assembly:\n" + build);

        using var loaded = new LoadedObject(objectPath);
        Assert.True(loaded.Loaded, loaded.LoadOutput);
        byte[] udpToDiscard = Frame(protocol: 17, ports: [0x12, 0x34, 0x00, 0x09], payload: [1, 2, 3, 4]);
        byte[] tcp = Frame(protocol: 6, ports: [0x12, 0x34, 0x00, 0x50], payload: [1, 2, 3, 4, 5, 6, 7, 8, 9]);
        byte[] ipv6 = [.. new byte[12], 0x86, 0xdd, .. new byte[40]]; // the kernel test-runs IPv6 only with a whole IPv6 header

        // XDP, taking void* and casting to the consumer's own context struct; packed headers; bounds checks.
        Assert.Equal(1, loaded.Run("Filter", udpToDiscard)); // XDP_DROP
        Assert.Equal(2, loaded.Run("Filter", tcp)); // XDP_PASS
        Assert.Equal(2, loaded.Run("Filter", ipv6)); // not IPv4: passed before anything is counted
        Assert.Equal(0, loaded.Run("Filter", new byte[20])); // too short for the headers: XDP_ABORTED
        Assert.Equal(new Dictionary<string, string> { ["17"] = "1", ["6"] = "1" }, loaded.Dump("PerProtocol"));
        Assert.Equal(new[] { $"{udpToDiscard.Length:x2} 00 00 00", $"{tcp.Length:x2} 00 00 00" }, new[] { loaded.Pop("Lengths"), loaded.Pop("Lengths") });
        Assert.Equal("36", loaded.Dump("Stats")["0"]); // the stackalloc'd first eight payload bytes of the TCP frame, summed by a static method

        // TC, taking SkBuff*: drops IPv6, counts bytes through an atomic add.
        Assert.Equal(2, loaded.Run("Account", ipv6)); // TC_ACT_SHOT
        Assert.Equal(0, loaded.Run("Account", tcp)); // TC_ACT_OK
        Assert.Equal((ipv6.Length + tcp.Length).ToString(System.Globalization.CultureInfo.InvariantCulture), loaded.Dump("Stats")["1"]);
    }

    [SkippableFact]
    public void A_consumer_loads_test_runs_and_reads_its_own_object_through_the_packaged_loader()
    {
        RunningKernel.RequireBpf();
        Skip.If(Tools.Find("clang") is null, "kernel test skipped: clang is needed (apt-get install clang)");
        const string Main = """

            public static class Entry
            {
                public static int Main()
                {
                    using var bpf = BpfSharp.BpfObject.Load(typeof(Contract).Assembly);
                    byte[] tcp = [.. new byte[12], 0x08, 0x00, 0x45, 0, 0, 0, 0, 0, 0x40, 0, 64, 6, 0, 0, 127, 0, 0, 1, 127, 0, 0, 1, 0x12, 0x34, 0x00, 0x50, 5, 5, 5];
                    var run = bpf.Program(nameof(Contract.Filter)).TestRun(tcp, repeat: 2);
                    var perProtocol = bpf.Map(Contract.PerProtocol);
                    var lengths = bpf.Map(Contract.Lengths);
                    lengths.TryPop(out var length);
                    System.Console.WriteLine($"return {run.ReturnValue}; tcp {perProtocol.Lookup(6)}; stats[0] {bpf.Map(Contract.Stats).Lookup(0)}; first length {length}");
                    return 0;
                }
            }
            """;
        var (exitCode, build) = packaged.BuildConsumer("SelfLoading", File.ReadAllText(Path.Combine(RepoPaths.Root, "tests", "Programs", "Contract.cs")) + Main, NoDocs + "<OutputType>Exe</OutputType>");
        Assert.True(exitCode == 0, build);
        var (runExit, printed) = Tools.Run("dotnet", Path.Combine(packaged.Root, "SelfLoading", "bin", "Debug", "net10.0", "SelfLoading.dll"));
        output.WriteLine(printed);
        Assert.True(runExit == 0, printed);
        Assert.Contains("return 2; tcp 2; stats[0] 15; first length 41", printed); // XDP_PASS; two runs; 5+5+5; 41-byte frame
    }

    [SkippableFact]
    public void The_verifiers_refusal_points_at_the_csharp_line()
    {
        RunningKernel.RequireBpf();
        Skip.If(Tools.Find("clang") is null || Tools.Find("bpftool") is null, "kernel test skipped: clang and bpftool are needed (apt-get install clang bpftool)");
        const string BoundsCheck = "if (data + sizeof(Headers) > end)\n        {\n            return XDP_ABORTED;\n        }\n";
        var source = File.ReadAllText(Path.Combine(RepoPaths.Root, "tests", "Programs", "Contract.cs")).ReplaceLineEndings("\n");
        Assert.Contains(BoundsCheck, source);
        var (exitCode, build) = packaged.BuildConsumer("Unchecked", source.Replace(BoundsCheck, string.Empty), NoDocs);
        Assert.True(exitCode == 0, build);

        using var loaded = new LoadedObject(Path.Combine(packaged.Root, "Unchecked", "bin", "Debug", "net10.0", "Unchecked.bpf.o"));
        output.WriteLine(loaded.LoadOutput);
        Assert.False(loaded.Loaded);
        var line = source.Replace(BoundsCheck, string.Empty).Split('\n').Select((text, index) => (text, index)).First(l => l.text.Contains("headers->EtherType != 0x0008")).index + 1;
        Assert.Contains("invalid access to packet", loaded.LoadOutput);
        Assert.Contains($"; if (headers->EtherType != 0x0008) @ Program.cs:{line}", loaded.LoadOutput); // BTF line info: the C# text and line
    }

    [SkippableFact]
    public void The_sample_counts_packets_per_protocol_in_the_kernel()
    {
        RunningKernel.RequireBpf();
        Skip.If(Tools.Find("clang") is null || Tools.Find("bpftool") is null, "kernel test skipped: clang and bpftool are needed (apt-get install clang bpftool)");
        var (exitCode, build) = packaged.BuildConsumer("Sample", File.ReadAllText(Path.Combine(RepoPaths.Root, "samples", "HelloXdp", "PacketCounter.cs")), NoDocs);
        Assert.True(exitCode == 0, build);

        using var loaded = new LoadedObject(Path.Combine(packaged.Root, "Sample", "bin", "Debug", "net10.0", "Sample.bpf.o"));
        Assert.True(loaded.Loaded, loaded.LoadOutput);
        foreach (var frame in new[] { Frame(6, [0, 0, 0, 0], []), Frame(17, [0, 0, 0, 0], []), Frame(17, [0, 0, 0, 0], [1]), [.. new byte[12], 0x08, 0x06, .. new byte[28]], new byte[20] })
        {
            Assert.Equal(2, loaded.Run("CountPackets", frame)); // XDP_PASS, always
        }

        Assert.Equal(new Dictionary<string, string> { ["6"] = "1", ["17"] = "2", ["256"] = "2" }, loaded.Dump("Protocols"));
    }

    // Ethernet (zero MACs) + IPv4 without options + four port bytes + payload.
    internal static byte[] Frame(byte protocol, byte[] ports, byte[] payload) =>
        new byte[12].Concat(new byte[] { 0x08, 0x00, 0x45, 0, 0, 0, 0, 0, 0x40, 0, 64, protocol, 0, 0, 127, 0, 0, 1, 127, 0, 0, 1 })
            .Concat(ports).Concat(payload).ToArray();

    [SkippableFact]
    public void A_build_with_the_probed_profile_reports_exactly_the_refused_calls()
    {
        RunningKernel.RequireBpf();
        var profilePath = Path.Combine(packaged.Root, "kernel-profile.json");
        var (probeExit, probeOutput) = DotNetCli.Run(RepoPaths.Root, "run", "--project", Path.Combine(RepoPaths.Root, "cli", "BpfSharp.Cli"), "--", "probe", "--quiet", "--output", profilePath);
        Assert.True(probeExit == 0, probeOutput);
        output.WriteLine(probeOutput.Trim().Split('\n').First(l => l.StartsWith("Kernel ")));
        var profile = KernelProfileJson.Read(File.ReadAllText(profilePath), out var problems);
        Assert.Empty(problems);

        var helpers = ShippedSpec.Helpers.OrderBy(h => h.Name, System.StringComparer.Ordinal).ToArray();
        var source = new StringBuilder("using BpfSharp;\n[assembly: BpfLicense(\"GPL\")]\npublic static unsafe class Every\n{\n");
        var line = 4;
        var refusedLines = new HashSet<int>();
        foreach (var (variant, index) in profile!.Variants.Select((v, i) => (v, i)).Where(v => Declaration(v.v) != null))
        {
            source.Append($"    [BpfProgram({Declaration(variant)})]\n    public static void P{index}()\n    {{\n");
            line += 3;
            foreach (var helper in helpers)
            {
                source.Append($"        BpfHelpers.{SpecNames.HelperMethodName(helper.Name)}({string.Join(", ", helper.Parameters.Select(_ => "default!"))});\n");
                line++;
                if (!variant.Allows(helper.Name))
                {
                    refusedLines.Add(line);
                }
            }

            source.Append("    }\n");
            line++;
        }

        source.Append("    /// <summary>Entry point.</summary>\n    public static void Main() { }\n}\n");
        var (exitCode, build) = packaged.BuildConsumer(
            "Profiled",
            source.ToString(),
            "<BpfKernelProfile>kernel-profile.json</BpfKernelProfile><TreatWarningsAsErrors>false</TreatWarningsAsErrors><GenerateDocumentationFile>false</GenerateDocumentationFile>",
            ("kernel-profile.json", File.ReadAllText(profilePath)));
        var reported = Regex.Matches(build, @"Program\.cs\((\d+),\d+\): error BPF0001").Select(m => int.Parse(m.Groups[1].Value)).ToHashSet();
        output.WriteLine($"{profile.Variants.Count} variants x {helpers.Length} helpers; the profile refuses {refusedLines.Count} calls, the build reports BPF0001 on {reported.Count} lines.");

        Assert.NotEqual(0, exitCode);
        Assert.DoesNotContain("BPF0011", build);
        Assert.True(refusedLines.Count > 1000, $"only {refusedLines.Count} refused calls");
        Assert.Empty(refusedLines.Except(reported));
        Assert.Empty(reported.Except(refusedLines));
    }

    /// <summary>
    /// How a consumer declares a program of the variant: the enum where the program type's default section is the
    /// variant's, else a libbpf section name that gives its attach type and sleepability; null for a variant no section
    /// gives (a bare program type whose sections all name an attach type).
    /// </summary>
    public static string? Declaration(ProfileVariant variant)
    {
        var type = KernelTypes.ProgramTypes.FindByName(variant.ProgramType)!;
        if (DeclaredSection.FromProgramType(type.Value, out _) is DeclaredSection byType && byType.AttachType == variant.AttachType && byType.Sleepable == variant.Sleepable)
        {
            return "BpfProgramType." + type.MemberName;
        }

        var section = SectionNames.All.FirstOrDefault(s => s.ProgramType == variant.ProgramType && s.AttachType == variant.AttachType && s.IsSleepable == variant.Sleepable);
        return section is null ? null : "\"" + section.Prefix + (section.Pattern.EndsWith('+') ? "/target" : string.Empty) + "\"";
    }
}
