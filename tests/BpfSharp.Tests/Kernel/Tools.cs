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

    /// <summary>C# program source -> BpfSharp's C -> clang: the object's path in <paramref name="directory"/>.</summary>
    public static string CompileCSharp(string source, string directory, string name)
    {
        var clang = Find("clang") ?? throw new InvalidOperationException("clang is not installed");
        var translation = BpfSharp.Tests.Compiler.BpfTranslatorTests.Translate(source);
        if (translation.C is null)
        {
            throw new InvalidOperationException("the translator refused the program: " + string.Join("\n", translation.Problems));
        }

        File.WriteAllText(Path.Combine(directory, name + ".bpf.c"), translation.C);
        var compile = Run(clang, $"-O2 -g -target bpf -I/usr/include/x86_64-linux-gnu -c {directory}/{name}.bpf.c -o {directory}/{name}.bpf.o");
        return compile.ExitCode == 0 ? Path.Combine(directory, name + ".bpf.o") : throw new InvalidOperationException(compile.Output + "\n" + translation.C);
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
        using var loaded = new LoadedObject(objectPath);
        var run = loaded.Bpftool($"prog run pinned {loaded.Pins}/progs/{program} data_in {loaded.Packet(packet)} repeat {repeat}");
        var lookup = loaded.Bpftool($"map lookup pinned {loaded.Pins}/maps/{map} key {key}");
        return $"load: {loaded.LoadOutput}\nrun: {run.ExitCode} {run.Output}\nlookup: {lookup.ExitCode} {lookup.Output}";
    }
}

/// <summary>An object loaded by bpftool (`prog loadall`), its programs and maps pinned under a bpffs folder removed on dispose.</summary>
public sealed class LoadedObject : IDisposable
{
    private readonly string _bpftool = Tools.Find("bpftool") ?? throw new InvalidOperationException("bpftool is not installed");
    private readonly string _files = Directory.CreateTempSubdirectory("bpfsharp-packets-").FullName;

    public LoadedObject(string objectPath)
    {
        if (!Tools.BpfFs())
        {
            throw new InvalidOperationException("bpffs is not mounted at /sys/fs/bpf and could not be");
        }

        Directory.CreateDirectory(Pins);
        var load = Bpftool($"prog loadall {objectPath} {Pins}/progs pinmaps {Pins}/maps");
        LoadOutput = $"{load.ExitCode} {load.Output}";
        Loaded = load.ExitCode == 0;
    }

    public string Pins { get; } = "/sys/fs/bpf/bpfsharp-test-" + Guid.NewGuid().ToString("N")[..8];

    public bool Loaded { get; }

    public string LoadOutput { get; }

    public (int ExitCode, string Output) Bpftool(string arguments) => Tools.Run(_bpftool, arguments);

    /// <summary>Writes the packet to a file for `data_in`; returns its path.</summary>
    public string Packet(byte[] packet)
    {
        var path = Path.Combine(_files, Guid.NewGuid().ToString("N"));
        File.WriteAllBytes(path, packet);
        return path;
    }

    /// <summary>BPF_PROG_TEST_RUN through bpftool; the program's return value.</summary>
    public long Run(string program, byte[] packet)
    {
        var (exitCode, output) = Bpftool($"-j prog run pinned {Pins}/progs/{program} data_in {Packet(packet)}");
        using var json = System.Text.Json.JsonDocument.Parse(exitCode == 0 ? output : throw new InvalidOperationException($"bpftool prog run {program}: {output}"));
        return json.RootElement.GetProperty("retval").GetInt64();
    }

    /// <summary>The map's entries as bpftool formats them with the object's BTF: key -> value, both as JSON text.</summary>
    public System.Collections.Generic.Dictionary<string, string> Dump(string map)
    {
        var (exitCode, output) = Bpftool($"-j map dump pinned {Pins}/maps/{map}");
        using var json = System.Text.Json.JsonDocument.Parse(exitCode == 0 ? output : throw new InvalidOperationException($"bpftool map dump {map}: {output}"));
        return json.RootElement.EnumerateArray().Select(e => e.GetProperty("formatted"))
            .ToDictionary(f => f.GetProperty("key").GetRawText(), f => f.GetProperty("value").GetRawText());
    }

    /// <summary>Pops the oldest value of a queue map, as bpftool's hex bytes ("2e 00 00 00").</summary>
    public string Pop(string map)
    {
        var (exitCode, output) = Bpftool($"map pop pinned {Pins}/maps/{map}");
        return exitCode == 0 ? output.Replace("value:", string.Empty).Trim() : throw new InvalidOperationException($"bpftool map pop {map}: {output}");
    }

    public void Dispose()
    {
        Tools.Run("rm", $"-rf {Pins}");
        Directory.Delete(_files, recursive: true);
    }
}
