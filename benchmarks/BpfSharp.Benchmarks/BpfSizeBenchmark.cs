using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using BpfSharp.Compiler;
using BpfSharp.Generators;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace BpfSharp.Benchmarks;

/// <summary>
/// "bpf": the same programs compiled from C# (through BpfSharp's C) and from hand-written C, both by clang and loaded
/// by the kernel (bpftool); prints the verifier's xlated instruction counts and their ratio, and what each step took.
/// Needs root, clang and bpftool.
/// </summary>
public static class BpfSizeBenchmark
{
    private static readonly (string CSharp, string C, string Program)[] s_pairs =
    [
        ("XdpCounter.cs", "counter.bpf.c", "Count"),
        ("TcClassifier.cs", "classifier.bpf.c", "Classify"),
    ];

    public static int Run()
    {
        var root = RepoRoot();
        var work = Directory.CreateTempSubdirectory("bpfsharp-size-").FullName;
        var handWritten = Path.Combine(root, "benchmarks", "BpfSharp.Benchmarks", "HandWritten");
        Console.WriteLine($"{"program",-10} {"C# insns",9} {"C insns",8} {"ratio",6} {"translate ms",13} {"clang ms",9}");
        long totalCSharp = 0, totalC = 0;
        foreach (var (csharp, c, program) in s_pairs)
        {
            var clock = Stopwatch.StartNew();
            var translated = Translate(File.ReadAllText(Path.Combine(root, "tests", "Programs", csharp)));
            var translateMs = clock.Elapsed.TotalMilliseconds;
            var generated = Path.Combine(work, Path.GetFileNameWithoutExtension(csharp) + ".bpf.c");
            File.WriteAllText(generated, translated);
            clock.Restart();
            var fromCSharp = Compile(generated, work);
            var clangMs = clock.Elapsed.TotalMilliseconds;
            var fromC = Compile(Path.Combine(handWritten, c), work);
            var a = Xlated(fromCSharp, program);
            var b = Xlated(fromC, program);
            totalCSharp += a;
            totalC += b;
            Console.WriteLine($"{program,-10} {a,9} {b,8} {(double)a / b,6:0.000} {translateMs,13:0.0} {clangMs,9:0.0}");
        }

        Console.WriteLine($"{"total",-10} {totalCSharp,9} {totalC,8} {(double)totalCSharp / totalC,6:0.000}   (goal: at most 1.05)");
        Directory.Delete(work, recursive: true);
        return 0;
    }

    internal static string Translate(string source)
    {
        var compilation = CSharpCompilation.Create(
            "Program",
            [CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest), path: "Program.cs")],
            Consumers.References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true));
        CSharpGeneratorDriver.Create(new HelperGenerator()).RunGeneratorsAndUpdateCompilation(compilation, out var withHelpers, out _);
        return BpfTranslator.Translate(withHelpers).C ?? throw new InvalidOperationException("the program does not translate");
    }

    internal static string Compile(string source, string work)
    {
        var output = Path.Combine(work, Path.GetFileNameWithoutExtension(source) + "-" + Path.GetFileName(Path.GetDirectoryName(source)) + ".o");
        Run("clang", $"-O2 -g -target bpf -I/usr/include/x86_64-linux-gnu -c {source} -o {output}");
        return output;
    }

    private static long Xlated(string objectPath, string program)
    {
        var pins = "/sys/fs/bpf/bpfsharp-size-" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            Run("bpftool", $"prog loadall {objectPath} {pins}");
            var show = Run("bpftool", $"prog show pinned {pins}/{program} --json");
            return long.Parse(Regex.Match(show, "\"bytes_xlated\":(\\d+)").Groups[1].Value) / 8;
        }
        finally
        {
            Run("rm", $"-rf {pins}");
        }
    }

    private static string Run(string file, string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0 ? output : throw new InvalidOperationException($"{file} {arguments}: {output}");
    }

    internal static string RepoRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory != null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Generators.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("run from inside the repository");
    }
}
