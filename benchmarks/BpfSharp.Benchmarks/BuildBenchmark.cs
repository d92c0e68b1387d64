using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;

namespace BpfSharp.Benchmarks;

/// <summary>
/// Times `dotnet build` of one small console project, with and without a PackageReference to BpfSharp, interleaved,
/// after a warm-up of each; prints the medians and their ratio.
/// </summary>
public static class BuildBenchmark
{
    public static int Run(int rounds)
    {
        var repo = FindRepo();
        var feed = Path.Combine(repo, "artifacts", "packages");
        if (!Directory.EnumerateFiles(feed, "BpfSharp.*.nupkg").Any())
        {
            Console.Error.WriteLine($"no BpfSharp package in {feed}: run `dotnet pack Generators.sln -c Release` first");
            return 2;
        }

        var root = Path.Combine(Path.GetTempPath(), "bpfsharp-build-bench-" + Guid.NewGuid().ToString("N"));
        var with = Project(root, "WithBpfSharp", feed, reference: true);
        var without = Project(root, "WithoutBpfSharp", feed, reference: false);
        try
        {
            Dotnet(with, "restore");
            Dotnet(without, "restore");
            Build(with);
            Build(without);
            var withTimes = new List<double>();
            var withoutTimes = new List<double>();
            for (var i = 0; i < rounds; i++)
            {
                withTimes.Add(Build(with));
                withoutTimes.Add(Build(without));
            }

            var a = Median(withTimes);
            var b = Median(withoutTimes);
            Console.WriteLine($"dotnet build, one-file consumer, {rounds} rounds (median): with BpfSharp {a:F0} ms, without {b:F0} ms, ratio {a / b:F3}");
            return 0;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static string Project(string root, string name, string feed, bool reference)
    {
        var dir = Path.Combine(root, name);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "nuget.config"), $"<configuration><config><add key=\"globalPackagesFolder\" value=\"{Path.Combine(root, "packages")}\" /></config><packageSources><clear /><add key=\"local\" value=\"{feed}\" /></packageSources></configuration>");
        var package = reference ? "<ItemGroup><PackageReference Include=\"BpfSharp\" Version=\"*\" /></ItemGroup>" : string.Empty;
        File.WriteAllText(Path.Combine(dir, name + ".csproj"), $"<Project Sdk=\"Microsoft.NET.Sdk\"><PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework><Nullable>enable</Nullable><AllowUnsafeBlocks>true</AllowUnsafeBlocks></PropertyGroup>{package}</Project>");
        File.WriteAllText(Path.Combine(dir, "Program.cs"), "public static class Program\n{\n    public static int Main(string[] args) => args.Length;\n}\n");
        return dir;
    }

    private static double Build(string dir)
    {
        File.SetLastWriteTimeUtc(Path.Combine(dir, "Program.cs"), DateTime.UtcNow);
        var watch = Stopwatch.StartNew();
        Dotnet(dir, "build", "--no-restore", "-nologo", "-v", "q");
        return watch.Elapsed.TotalMilliseconds;
    }

    private static void Dotnet(string dir, params string[] args)
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
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

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
