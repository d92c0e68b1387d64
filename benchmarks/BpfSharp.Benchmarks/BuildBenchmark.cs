using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;

namespace BpfSharp.Benchmarks;

/// <summary>
/// Times `dotnet build` of consumer projects with and without a PackageReference to BpfSharp, interleaved, after
/// warm-ups, and prints the medians of the whole build and of the Csc task (the compilation, with the SDK's default
/// analyzers as every project has them) with their ratios. Two consumers: one file that calls no helper (what the
/// package costs a project that barely uses it) and the large consumer of <see cref="Consumers.Large"/> (without the
/// package it carries the same helper stubs as source and references the runtime library). Each is built with the
/// compiler server (the SDK's default: analyzers stay loaded and jitted between builds) and without it (a new csc
/// process per build, as CI machines that set UseSharedCompilation=false run it).
/// </summary>
public static partial class BuildBenchmark
{
    private const string OneFile = "public static class Program\n{\n    public static int Main(string[] args) => args.Length;\n}\n";

    public static int Run(int rounds, bool keep = false)
    {
        var repo = FindRepo();
        var feed = Path.Combine(repo, "artifacts", "packages");
        if (!Directory.EnumerateFiles(feed, "BpfSharp.*.nupkg").Any())
        {
            Console.Error.WriteLine($"no BpfSharp package in {feed}: run `dotnet pack Generators.sln -c Release` first");
            return 2;
        }

        var root = Path.Combine(Path.GetTempPath(), "bpfsharp-build-bench-" + Guid.NewGuid().ToString("N"));
        try
        {
            var withOneFile = Project(root, "OneFileWith", feed, OneFile, withPackage: true, outputType: "Exe");
            var withoutOneFile = Project(root, "OneFileWithout", feed, OneFile, withPackage: false, outputType: "Exe");
            var large = Consumers.Large();
            var withLarge = Project(root, "LargeWith", feed, large, withPackage: true);
            var withoutLarge = Project(root, "LargeWithout", feed, large, withPackage: false, helpers: Consumers.GeneratedHelpers(), runtime: RuntimeLibrary(root));
            foreach (var server in new[] { true, false })
            {
                var mode = server ? "compiler server" : "no compiler server";
                Compare($"one-file consumer, {mode}", withOneFile, withoutOneFile, rounds, server);
                Compare($"large consumer (500 programs, 10,000 helper calls), {mode}", withLarge, withoutLarge, rounds, server);
            }

            Dotnet(root, "build-server", "shutdown");
            return 0;
        }
        finally
        {
            if (keep)
            {
                Console.WriteLine($"projects kept in {root}");
            }
            else
            {
                Directory.Delete(root, recursive: true);
            }
        }
    }

    /// <summary>
    /// "bpfstep": what the BPF build step (reading the C from the assembly, clang) adds to an incremental build: a project
    /// with BpfCompile=true against its twin with BpfCompile=false, interleaved, for a one-file XDP program and the large consumer.
    /// </summary>
    public static int RunBpfStep(int rounds)
    {
        var repo = FindRepo();
        var feed = Path.Combine(repo, "artifacts", "packages");
        var root = Path.Combine(Path.GetTempPath(), "bpfsharp-bpfstep-bench-" + Guid.NewGuid().ToString("N"));
        try
        {
            // Two copies of each project, one with BpfCompile=false: toggling the property on one project would make
            // MSBuild's incremental clean delete the object each time, and every build would run clang.
            var consumers = new[]
            {
                ("one-file consumer (tests/Programs/XdpCounter.cs)", "Counter", File.ReadAllText(Path.Combine(repo, "tests", "Programs", "XdpCounter.cs"))),
                ("large consumer (500 programs, 10,000 helper calls)", "Large", Consumers.Large()),
            };
            foreach (var (what, name, source) in consumers)
            {
                var with = Project(root, name, feed, source, withPackage: true, properties: "<BpfCompile>true</BpfCompile>");
                var without = Project(root, name + "NoBpf", feed, source, withPackage: true, properties: "<BpfCompile>false</BpfCompile>");

                // Touched: the programs' C is unchanged, so clang is skipped. Edited: a line added at the top moves every #line, so the C changes and clang runs.
                Compare($"{what}, touched, BpfCompile=true against false, compiler server", with, without, rounds, server: true);
                Compare($"{what}, edited, BpfCompile=true against false, compiler server", with, without, rounds, server: true, edit: true);
                var objectPath = Path.Combine(with, "bin", "Debug", "net10.0", name + ".bpf.o");
                var c = Path.Combine(with, "obj", "Debug", "net10.0", name + ".bpf.c");
                Console.WriteLine(File.Exists(objectPath)
                    ? $"  object: {new FileInfo(objectPath).Length:N0} bytes from {File.ReadAllLines(c).Length:N0} lines of C"
                    : "  no object was written (is clang installed?)");
            }

            Dotnet(root, "build-server", "shutdown");
            return 0;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>
    /// "share": BpfSharp's share of the Csc task as <c>-p:ReportAnalyzer=true</c> reports it, for the large consumer built
    /// against the packed package after a touch of its source, without and with the compiler server; medians.
    /// </summary>
    public static int RunShare(int rounds)
    {
        var repo = FindRepo();
        var feed = Path.Combine(repo, "artifacts", "packages");
        var root = Path.Combine(Path.GetTempPath(), "bpfsharp-share-bench-" + Guid.NewGuid().ToString("N"));
        try
        {
            var project = Project(root, "Large", feed, Consumers.Large(), withPackage: true);
            foreach (var server in new[] { false, true })
            {
                var csc = new List<double>();
                var ours = new List<double>();
                var parts = new Dictionary<string, List<double>>();
                for (var i = 0; i < rounds + (server ? 2 : 1); i++)
                {
                    File.SetLastWriteTimeUtc(Path.Combine(project, "Program.cs"), DateTime.UtcNow);
                    var output = Dotnet(project, "build", "--no-restore", "-nologo", "-v", "d", "-clp:PerformanceSummary", "-p:ReportAnalyzer=true", "-p:UseSharedCompilation=" + (server ? "true" : "false"));
                    if (i < (server ? 2 : 1))
                    {
                        continue; // warm-up
                    }

                    csc.Add(double.Parse(CscTime().Match(output).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) / 1000);
                    var total = 0.0;
                    foreach (Match line in ComponentTime().Matches(output))
                    {
                        var seconds = double.Parse(line.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
                        total += seconds;
                        (parts.TryGetValue(line.Groups[2].Value, out var list) ? list : parts[line.Groups[2].Value] = []).Add(seconds);
                    }

                    ours.Add(total);
                    if (Environment.GetEnvironmentVariable("BPFSHARP_SHARE_LOG") is string log)
                    {
                        var path = Path.GetFullPath(log + (server ? ".server" : ".cold") + i);
                        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                        File.WriteAllText(path, output);
                    }
                }

                Console.WriteLine($"large consumer (500 programs, 10,000 helper calls, one file), touched, {(server ? "compiler server" : "a new csc per build (UseSharedCompilation=false)")}, {rounds} builds, medians:");
                Console.WriteLine($"  Csc {Median(csc):F2} s; BpfSharp {Median(ours):F2} s = {100 * Median(ours) / Median(csc):F1}% (" + string.Join(", ", parts.Select(p => $"{p.Key} {Median(p.Value):F2} s")) + ")");
            }

            var intermediate = Path.Combine(project, "obj", "Debug", "net10.0");
            Console.WriteLine($"  the C {new FileInfo(Path.Combine(intermediate, "Large.bpf.c")).Length / 1024} KiB, the units file {new FileInfo(Path.Combine(intermediate, "Large.bpf.units")).Length / 1024} KiB, the assembly {new FileInfo(Path.Combine(intermediate, "Large.dll")).Length / 1024} KiB");
            Dotnet(root, "build-server", "shutdown");
            return 0;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    // ReportAnalyzer's per-analyzer and per-generator lines for BpfSharp's own types.
    [GeneratedRegex(@"^\s+([0-9.]+)\s+[0-9<]+\s+BpfSharp\.(?:Analyzers|Generators)\.(\w+)", RegexOptions.Multiline)]
    private static partial Regex ComponentTime();

    private static void Compare(string what, string with, string without, int rounds, bool server, bool edit = false)
    {
        // The server jits as it goes: its first builds are slower than the ones a developer sees all day.
        for (var i = 0; i < (server ? 3 : 1); i++)
        {
            Build(with, server, edit);
            Build(without, server, edit);
        }

        var withTimes = new List<Timing>();
        var withoutTimes = new List<Timing>();
        for (var i = 0; i < rounds; i++)
        {
            withTimes.Add(Build(with, server, edit));
            withoutTimes.Add(Build(without, server, edit));
        }

        Console.WriteLine($"dotnet build, {what}, {rounds} rounds (medians; 95% bootstrap interval of the ratio):");
        Report("whole build", withTimes.Select(t => t.Build).ToArray(), withoutTimes.Select(t => t.Build).ToArray());
        Report("Csc task", withTimes.Select(t => t.Csc).ToArray(), withoutTimes.Select(t => t.Csc).ToArray());
    }

    private static void Report(string what, double[] with, double[] without)
    {
        var (low, high) = RatioInterval(with, without);
        Console.WriteLine($"  {what + ":",-12} with BpfSharp {Median(with):F0} ms, without {Median(without):F0} ms, ratio {Median(with) / Median(without):F3} ({low:F3}-{high:F3})");
    }

    /// <summary>
    /// How far the ratio of medians could be off on this noisy machine: resample whole rounds (a round builds both
    /// projects back to back, so a slow spell hits both) and take the middle 95% of the resampled ratios. The seed is
    /// fixed so that the same times always give the same interval.
    /// </summary>
    private static (double Low, double High) RatioInterval(double[] with, double[] without)
    {
        var random = new Random(6);
        var ratios = new double[2000];
        var sampleWith = new double[with.Length];
        var sampleWithout = new double[without.Length];
        for (var i = 0; i < ratios.Length; i++)
        {
            for (var j = 0; j < with.Length; j++)
            {
                var round = random.Next(with.Length);
                sampleWith[j] = with[round];
                sampleWithout[j] = without[round];
            }

            ratios[i] = Median(sampleWith) / Median(sampleWithout);
        }

        Array.Sort(ratios);
        return (ratios[ratios.Length / 40], ratios[ratios.Length - 1 - ratios.Length / 40]);
    }

    private static string Project(string root, string name, string feed, string source, bool withPackage, string outputType = "Library", string? helpers = null, string? runtime = null, string properties = "")
    {
        var dir = Path.Combine(root, name);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "nuget.config"), $"<configuration><config><add key=\"globalPackagesFolder\" value=\"{Path.Combine(root, "packages")}\" /></config><packageSources><clear /><add key=\"local\" value=\"{feed}\" /></packageSources></configuration>");
        var items = withPackage
            ? "<ItemGroup><PackageReference Include=\"BpfSharp\" Version=\"*\" /></ItemGroup>"
            : runtime is null ? string.Empty : $"<ItemGroup><Reference Include=\"BpfSharp\" HintPath=\"{runtime}\" /></ItemGroup>";
        File.WriteAllText(Path.Combine(dir, name + ".csproj"), $"<Project Sdk=\"Microsoft.NET.Sdk\"><PropertyGroup><OutputType>{outputType}</OutputType><TargetFramework>net10.0</TargetFramework><Nullable>enable</Nullable><AllowUnsafeBlocks>true</AllowUnsafeBlocks>{properties}</PropertyGroup>{items}</Project>");
        File.WriteAllText(Path.Combine(dir, "Program.cs"), source);
        if (helpers != null)
        {
            File.WriteAllText(Path.Combine(dir, "BpfHelpers.g.cs"), helpers);
        }

        Dotnet(dir, "restore");
        return dir;
    }

    // The runtime library the package carries, for the project that uses the stubs without the package.
    private static string RuntimeLibrary(string root) =>
        Directory.EnumerateFiles(Path.Combine(root, "packages", "bpfsharp"), "BpfSharp.dll", SearchOption.AllDirectories).Single(p => p.Contains(Path.DirectorySeparatorChar + "lib" + Path.DirectorySeparatorChar));

    private readonly record struct Timing(double Build, double Csc);

    // edit: add or take away an empty first line (every line moves), else only touch the file.
    private static Timing Build(string dir, bool server, bool edit = false)
    {
        var program = Path.Combine(dir, "Program.cs");
        if (edit)
        {
            var text = File.ReadAllText(program);
            File.WriteAllText(program, text.StartsWith('\n') ? text[1..] : "\n" + text);
        }

        File.SetLastWriteTimeUtc(program, DateTime.UtcNow);
        var watch = Stopwatch.StartNew();
        var output = Dotnet(dir, "build", "--no-restore", "-nologo", "-v", "q", "-clp:PerformanceSummary", "-p:UseSharedCompilation=" + (server ? "true" : "false"));
        var build = watch.Elapsed.TotalMilliseconds;
        var csc = CscTime().Match(output);
        return new Timing(build, csc.Success ? double.Parse(csc.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : double.NaN);
    }

    [GeneratedRegex(@"^\s*(\d+) ms\s+Csc\s", RegexOptions.Multiline)]
    private static partial Regex CscTime();

    private static string Dotnet(string dir, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet {string.Join(' ', args)} failed in {dir}:\n{output}");
        }

        return output;
    }

    /// <summary>The median (the mean of the middle two for an even count).</summary>
    internal static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    private static string FindRepo()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Generators.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Generators.sln not found");
    }
}
