using System;
using System.Diagnostics;
using System.IO;
using System.Linq;

namespace BpfSharp.Tests.Kernel;

/// <summary>The outside tools the kernel tests check BpfSharp's objects with: clang, bpftool, bpffs.</summary>
public static partial class Tools
{
    public static string? Find(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':').Append("/usr/sbin").Append("/usr/bin")
            .Select(directory => Path.Combine(directory, name))
            .FirstOrDefault(File.Exists);

    public static (int ExitCode, string Output) Run(string file, string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr);
    }

    /// <summary>Makes sure bpffs is mounted (mounting it where it is missing, as root); false when it cannot be.</summary>
    public static bool BpfFs()
    {
        if (Run("mountpoint", "-q /sys/fs/bpf").ExitCode != 0)
        {
            Run("mount", "-t bpf bpf /sys/fs/bpf");
        }

        return Run("mountpoint", "-q /sys/fs/bpf").ExitCode == 0;
    }
}
