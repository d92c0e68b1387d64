using System;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Threading;
using BpfSharp.Tests.Infrastructure;
using Xunit;

namespace BpfSharp.Tests;

/// <summary>Packs BpfSharp once, then builds throwaway consumers against the .nupkg through a local feed, offline.</summary>
public sealed class PackagedBpfSharp : IDisposable
{
    // One pack per test run, shared by every fixture: packing is the slowest step of these tests.
    private static readonly Lazy<string> s_feed = new(Pack, LazyThreadSafetyMode.ExecutionAndPublication);

    public PackagedBpfSharp()
    {
        Directory.CreateDirectory(Root);
        Package = Directory.GetFiles(Feed, "BpfSharp.*.nupkg").Single();
    }

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "bpfsharp-package-tests-" + Guid.NewGuid().ToString("N"));

    public string Feed => s_feed.Value;

    public string Package { get; }

    private static string Pack()
    {
        var feed = Path.Combine(Path.GetTempPath(), "bpfsharp-package-feed-" + Guid.NewGuid().ToString("N"));
        AppDomain.CurrentDomain.ProcessExit += (_, _) => DeleteQuietly(feed);
        var (exitCode, output) = DotNetCli.Run(RepoPaths.Root, "pack", Path.Combine(RepoPaths.Root, "pack", "BpfSharp.Package.csproj"), "-c", "Release", "-o", feed, "-p:PackageOutputPath=" + feed + "/");
        return exitCode == 0 ? feed : throw new InvalidOperationException("dotnet pack failed:\n" + output);
    }

    /// <summary>Writes a consumer project referencing the package and builds it; returns exit code and output.</summary>
    public (int ExitCode, string Output) BuildConsumer(string name, string source, string extraProperties = "", params (string Path, string Text)[] additionalFiles) =>
        DotNetCli.Run(WriteConsumer(name, source, extraProperties, additionalFiles), "build", "-nologo", "-clp:NoSummary");

    /// <summary>Writes a consumer project referencing the package (project, source, nuget.config); returns its folder.</summary>
    public string WriteConsumer(string name, string source, string extraProperties = "", params (string Path, string Text)[] additionalFiles)
    {
        var directory = Path.Combine(Root, name);
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "nuget.config"), NugetConfig);
        File.WriteAllText(Path.Combine(directory, name + ".csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                <GenerateDocumentationFile>true</GenerateDocumentationFile>
                {extraProperties}
              </PropertyGroup>
              <ItemGroup><PackageReference Include="BpfSharp" Version="*" /><AdditionalFiles Include="pages/*.md" /></ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(directory, "Program.cs"), source);
        foreach (var (path, text) in additionalFiles)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(directory, path))!);
            File.WriteAllText(Path.Combine(directory, path), text);
        }

        return directory;
    }

    /// <summary>The package feed alone, offline, restoring into this fixture's own folder.</summary>
    public string NugetConfig => $"""
        <?xml version="1.0" encoding="utf-8"?>
        <configuration>
          <config><add key="globalPackagesFolder" value="{Path.Combine(Root, "packages")}" /></config>
          <packageSources><clear /><add key="local" value="{Feed}" /></packageSources>
        </configuration>
        """;

    public void Dispose() => DeleteQuietly(Root);

    private static void DeleteQuietly(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }
}

public class PackageTests(PackagedBpfSharp packaged) : IClassFixture<PackagedBpfSharp>
{
    [Fact]
    public void The_package_holds_runtime_analyzers_scriban_and_build_props()
    {
        using var zip = ZipFile.OpenRead(packaged.Package);
        var entries = zip.Entries.Select(e => e.FullName).ToHashSet();

        Assert.Contains("lib/netstandard2.0/BpfSharp.dll", entries);
        Assert.Contains("lib/netstandard2.0/BpfSharp.xml", entries);
        Assert.Contains("analyzers/dotnet/cs/BpfSharp.Generators.dll", entries);
        Assert.Contains("analyzers/dotnet/cs/BpfSharp.Analyzers.dll", entries);
        Assert.Contains("analyzers/dotnet/cs/BpfSharp.Spec.dll", entries);
        Assert.Contains("analyzers/dotnet/cs/Scriban.Signed.dll", entries);
        Assert.Contains("tasks/netstandard2.0/BpfSharp.BuildTasks.dll", entries);
        Assert.Contains("buildTransitive/BpfSharp.props", entries);
        Assert.StartsWith("BpfSharp.", Path.GetFileName(packaged.Package));
    }

    [Fact]
    public void A_correct_xdp_program_builds_clean_against_the_package()
    {
        var (exitCode, output) = packaged.BuildConsumer("Clean", """
            using BpfSharp;
            [assembly: BpfLicense("GPL")]
            /// <summary>Queue of packet times.</summary>
            public static unsafe class Recorder
            {
                static readonly QueueMap<ulong> Times = new(64);
                /// <summary>The XDP program.</summary>
                [BpfProgram("xdp")]
                public static int Record(void* ctx)
                {
                    ulong now = BpfHelpers.KtimeGetNs();
                    return (int)BpfHelpers.MapPushElem(Times, &now, BpfFlags.BPF_EXIST);
                }
                /// <summary>Entry point.</summary>
                public static void Main() { }
            }
            """);

        Assert.True(exitCode == 0, output);
        Assert.DoesNotMatch(@"(warning|error) [A-Z]+[0-9]+", output);
        AssertGeneratorLoaded(output);
    }

    [Fact]
    public void Mistakes_get_BPF0001_and_BPF0002_from_the_packaged_analyzers()
    {
        var (exitCode, output) = packaged.BuildConsumer("Mistakes", """
            using BpfSharp;
            public static unsafe class Mistakes
            {
                static readonly HashMap<uint, ulong> Counts = new(64);
                static readonly StackTraceMap Stacks = new(64);
                [BpfProgram(BpfProgramType.Xdp)]
                public static int Stack(void* ctx) => (int)BpfHelpers.GetStackid(ctx, Stacks, 0);
                [BpfProgram("xdp")]
                public static int Push(void* ctx) { ulong v = 1; return (int)BpfHelpers.MapPushElem(Counts, &v, 0); }
                public static void Main() { }
            }
            """);

        Assert.NotEqual(0, exitCode);
        Assert.True(output.Contains("Program.cs(7,48): error BPF0001: program of this type cannot use helper bpf_get_stackid#27"), output);
        Assert.True(output.Contains("Program.cs(9,89): error BPF0002: cannot pass map_type 1 into func bpf_map_push_elem#87"), output);
        AssertGeneratorLoaded(output);
    }

    [Fact]
    public void Every_rule_fires_on_exactly_the_expected_lines_and_nowhere_else()
    {
        var source = """
            using BpfSharp;
            using static BpfSharp.BpfFlags;
            public static unsafe class Programs
            {
                static readonly StackTraceMap Stacks = new(8);
                static readonly QueueMap<ulong> Queue = new(8);
                static readonly ArrayMap<ulong> Totals = new(8);
                [BpfProgram("kprobe/do_unlinkat")]
                public static int Probe(void* ctx) => Walk(ctx);
                [BpfProgram("tp/syscalls/sys_enter_openat")]
                public static int Point(void* ctx) => (int)BpfHelpers.KtimeGetNs();
                [BpfProgram("tc")]
                public static int Classifier(void* ctx) => Walk(ctx);
                static int Walk(void* ctx) => (int)BpfHelpers.GetStackid(ctx, Stacks, 0);
                [BpfProgram("xdp")]
                public static int Packet(void* ctx)
                {
                    ulong v = 0;
                    BpfHelpers.MapPushElem(Queue, &v, BPF_NOEXIST);
                    uint key = 0;
                    BpfHelpers.MapDeleteElem(Totals, &key);
                    return (int)BpfHelpers.RingbufQuery(null!, 0);
                }
                [BpfProgram("kprobe/x")]
                public static int Print(void* ctx) => (int)BpfHelpers.TracePrintk(null, 0);
                [BpfProgram("xdp")]
                public static int Fine(void* ctx) => (int)BpfHelpers.KtimeGetNs() + (int)BpfHelpers.Extra(0);
                public static void Main() { }
            }
            """;
        var page = ("pages/bpf_mine.md", "# Helper function `bpf_mine`\n\n`#!c static long (* const bpf_mine)(struct x y) = (void *) 9000;`\n");

        // A valid user page too: the packaged generator then renders through Scriban instead of using the shipped output.
        var extra = ("pages/bpf_extra.md", GeneratorTests.UserPage("bpf_extra", 9100).Replace("(void *map, __u64 flags)", "(__u64 flags)").Replace("v6.1", "v5.4"));

        var (_, output) = packaged.BuildConsumer("AllRules", source, "<BpfTargetKernel>5.4</BpfTargetKernel>", page, extra);

        var found = System.Text.RegularExpressions.Regex.Matches(output, @"(Program\.cs|bpf_mine\.md)\((\d+),\d+\): (?:error|warning) (BPF\d{4})")
            .Select(m => $"{m.Groups[1].Value}:{m.Groups[2].Value}:{m.Groups[3].Value}")
            .Distinct()
            .OrderBy(f => f, StringComparer.Ordinal)
            .ToArray();
        string[] expected =
        [
            "Program.cs:14:BPF0001",  // tc reaches bpf_get_stackid through Walk
            "Program.cs:14:BPF0004",  // bpf_get_stackid is GPL-only (outside perf_event) and there is no licence
            "Program.cs:19:BPF0005",  // BPF_NOEXIST for a push
            "Program.cs:21:BPF0006",  // delete on an array map
            "Program.cs:22:BPF0003",  // bpf_ringbuf_query needs 5.8, BpfTargetKernel is 5.4
            "Program.cs:22:BPF2004",  // a null map cannot be compiled: the map argument must be a static map field
            "Program.cs:25:BPF0004",  // bpf_trace_printk without licence
            "bpf_mine.md:3:BPF1003",  // a struct passed by value cannot be mapped
        ];
        Assert.True(expected.SequenceEqual(found), "found:\n" + string.Join("\n", found) + "\n\n" + output);
        AssertGeneratorLoaded(output);
    }

    private static void AssertGeneratorLoaded(string output)
    {
        Assert.DoesNotContain("AD0001", output);
        Assert.DoesNotContain("CS8785", output);
        Assert.DoesNotContain("CS9057", output);
        Assert.DoesNotContain("CS8784", output);
    }
}
