using System;
using System.IO;
using System.Linq;
using System.Collections.Generic;
using BpfSharp.Loader;

namespace BpfSharp.Tests.Kernel;

/// <summary>
/// An object loaded by bpftool (`prog loadall`), its programs and maps pinned under a bpffs folder removed on dispose,
/// and examined through bpftool.
/// </summary>
public sealed class LoadedObject : IDisposable
{
    private readonly BpfObject? _loadedByBpfSharp;
    private readonly string _bpftool = Tools.Find("bpftool") ?? throw new InvalidOperationException("bpftool is not installed");
    private readonly string _files = Directory.CreateTempSubdirectory("bpfsharp-packets-").FullName;

    /// <param name="programType">bpftool's `type` for every program, where the section names do not say it.</param>
    public LoadedObject(string objectPath, string? programType = null)
    {
        if (!Tools.BpfFs())
        {
            throw new InvalidOperationException("bpffs is not mounted at /sys/fs/bpf and could not be");
        }

        Directory.CreateDirectory(Pins);
        var type = programType is null ? string.Empty : " type " + programType;
        var load = Bpftool($"prog loadall {objectPath} {Pins}/progs{type} pinmaps {Pins}/maps");
        LoadOutput = $"{load.ExitCode} {load.Output}";
        Loaded = load.ExitCode == 0;
    }

    /// <summary>
    /// An object whose sections need a program type each, which bpftool cannot give (samples whose XDP and tc programs
    /// share an object under section names libbpf 1.x does not know): loaded by BpfSharp's loader, then pinned as bpftool
    /// pins (maps under their names with '.' made '_'), and examined through bpftool as the others.
    /// </summary>
    public LoadedObject(string objectPath, IReadOnlyDictionary<string, BpfProgramType> sectionTypes)
    {
        if (!Tools.BpfFs())
        {
            throw new InvalidOperationException("bpffs is not mounted at /sys/fs/bpf and could not be");
        }

        Directory.CreateDirectory(Pins + "/progs");
        Directory.CreateDirectory(Pins + "/maps");
        try
        {
            _loadedByBpfSharp = BpfObject.Load(objectPath, new BpfObjectOptions { ProgramTypes = sectionTypes });
            foreach (var (name, program) in _loadedByBpfSharp.Programs)
            {
                program.Pin($"{Pins}/progs/{name}");
            }

            foreach (var (name, map) in _loadedByBpfSharp.Maps)
            {
                map.Pin($"{Pins}/maps/{name.Replace('.', '_')}");
            }

            LoadOutput = "loaded by BpfSharp.Loader";
            Loaded = true;
        }
        catch (BpfException e)
        {
            LoadOutput = e.Message;
        }
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

    /// <summary>BPF_PROG_TEST_RUN through bpftool: the return value and the packet as the program left it.</summary>
    public (long ReturnValue, byte[] Packet) RunWithOutput(string program, byte[] packet, int repeat = 1)
    {
        var output = Path.Combine(_files, Guid.NewGuid().ToString("N"));
        // On one CPU: per-CPU maps then hold the same numbers in the same slot, run after run.
        var arguments = $"-j prog run pinned {Pins}/progs/{program} data_in {Packet(packet)} data_out {output} repeat {repeat}";
        var (exitCode, text) = Tools.Find("taskset") is { } taskset ? Tools.Run(taskset, $"-c 0 {_bpftool} {arguments}") : Bpftool(arguments);
        using var json = System.Text.Json.JsonDocument.Parse(exitCode == 0 ? text : throw new InvalidOperationException($"bpftool prog run {program}: {text}"));
        return (json.RootElement.GetProperty("retval").GetInt64(), File.Exists(output) ? File.ReadAllBytes(output) : []);
    }

    /// <summary>The map's entries as raw bytes (key -> value, or the per-CPU values), in key order, as JSON text.</summary>
    public System.Collections.Generic.List<string> RawDump(string map)
    {
        var (exitCode, output) = Bpftool($"-j map dump pinned {Pins}/maps/{map}");
        using var json = System.Text.Json.JsonDocument.Parse(exitCode == 0 ? output : throw new InvalidOperationException($"bpftool map dump {map}: {output}"));
        return json.RootElement.EnumerateArray()
            .Select(e => e.GetProperty("key").GetRawText() + " -> " + (e.TryGetProperty("value", out var value) ? value : e.GetProperty("values")).GetRawText())
            .Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>Writes one entry of a map (bytes), as `bpftool map update` does.</summary>
    public void Update(string map, byte[] key, byte[] value)
    {
        static string Hex(byte[] bytes) => string.Join(' ', bytes.Select(b => b.ToString("x2")));
        var (exitCode, output) = Bpftool($"map update pinned {Pins}/maps/{map} key hex {Hex(key)} value hex {Hex(value)}");
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"bpftool map update {map}: {output}");
        }
    }

    /// <summary>The value bytes of one key of the map (key 0 of a global-data map is all of its data).</summary>
    public byte[] Lookup(string map, byte[] key)
    {
        var (exitCode, output) = Bpftool($"-j map lookup pinned {Pins}/maps/{map} key hex {string.Join(' ', key.Select(b => b.ToString("x2")))}");
        using var json = System.Text.Json.JsonDocument.Parse(exitCode == 0 ? output : throw new InvalidOperationException($"bpftool map lookup {map}: {output}"));
        return json.RootElement.GetProperty("value").EnumerateArray().Select(b => Convert.ToByte(b.GetString(), 16)).ToArray();
    }

    /// <summary>The program's size after the verifier's rewrites, in instructions (bpftool's bytes_xlated / 8).</summary>
    public int XlatedInstructions(string program)
    {
        var (exitCode, output) = Bpftool($"-j prog show pinned {Pins}/progs/{program}");
        using var json = System.Text.Json.JsonDocument.Parse(exitCode == 0 ? output : throw new InvalidOperationException($"bpftool prog show {program}: {output}"));
        return json.RootElement.GetProperty("bytes_xlated").GetInt32() / 8;
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
        _loadedByBpfSharp?.Dispose();
        Tools.Run("rm", $"-rf {Pins}");
        Directory.Delete(_files, recursive: true);
    }
}
