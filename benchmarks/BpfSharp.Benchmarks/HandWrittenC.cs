using System;
using System.Diagnostics;
using System.IO;

namespace BpfSharp.Benchmarks;

/// <summary>The C side of a benchmark against libbpf: a file of HandWritten/ built with the system's cc and -lbpf.</summary>
public static class HandWrittenC
{
    /// <summary>The built program's path, or null (said on stderr) when it cannot be built.</summary>
    public static string? Build(string name, string directory)
    {
        var source = Path.Combine(BpfSizeBenchmark.RepoRoot(), "benchmarks", "BpfSharp.Benchmarks", "HandWritten", name + ".c");
        var binary = Path.Combine(directory, name);
        var build = Process.Start(new ProcessStartInfo("cc", $"-O2 -o {binary} {source} -lbpf") { RedirectStandardError = true })!;
        var errors = build.StandardError.ReadToEnd();
        build.WaitForExit();
        if (build.ExitCode == 0)
        {
            return binary;
        }

        Console.Error.WriteLine($"could not build the C side (apt-get install libbpf-dev): {errors}");
        return null;
    }
}
