using System;
using System.Diagnostics;
using System.IO;
using System.Linq;

namespace BpfSharp.Tests.Kernel;

/// <summary>The outside tools the kernel tests check BpfSharp's objects with: clang, bpftool, bpffs.</summary>
public static class Tools
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

    /// <summary>bpftool: load every program of the object, test-run one with the packet, read one key of a map (bytes); everything printed.</summary>
    public static string LoadAndRun(string objectPath, string program, string map, byte[] packet, int repeat, string key = "0 0 0 0")
    {
        if (!BpfFs())
        {
            throw new InvalidOperationException("bpffs is not mounted at /sys/fs/bpf and could not be");
        }

        var bpftool = Find("bpftool")!;
        var pins = "/sys/fs/bpf/bpfsharp-test-" + Guid.NewGuid().ToString("N")[..8];
        var packetPath = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(packetPath, packet);
            Directory.CreateDirectory(pins);
            var load = Run(bpftool, $"prog loadall {objectPath} {pins}/progs pinmaps {pins}/maps");
            var run = Run(bpftool, $"prog run pinned {pins}/progs/{program} data_in {packetPath} repeat {repeat}");
            var lookup = Run(bpftool, $"map lookup pinned {pins}/maps/{map} key {key}");
            return $"load: {load.ExitCode} {load.Output}\nrun: {run.ExitCode} {run.Output}\nlookup: {lookup.ExitCode} {lookup.Output}";
        }
        finally
        {
            Run("rm", $"-rf {pins}");
            File.Delete(packetPath);
        }
    }
}
