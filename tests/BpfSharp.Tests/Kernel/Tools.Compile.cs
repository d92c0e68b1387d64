using System;
using System.IO;

namespace BpfSharp.Tests.Kernel;

/// <summary>The kernel tests' shortcuts through BpfSharp's translator and bpftool.</summary>
public static partial class Tools
{
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

    /// <summary>bpftool: load every program of the object, test-run one with the packet, read one key of a map (bytes); everything printed.</summary>
    public static string LoadAndRun(string objectPath, string program, string map, byte[] packet, int repeat, string key = "0 0 0 0")
    {
        using var loaded = new LoadedObject(objectPath);
        var run = loaded.Bpftool($"prog run pinned {loaded.Pins}/progs/{program} data_in {loaded.Packet(packet)} repeat {repeat}");
        var lookup = loaded.Bpftool($"map lookup pinned {loaded.Pins}/maps/{map} key {key}");
        return $"load: {loaded.LoadOutput}\nrun: {run.ExitCode} {run.Output}\nlookup: {lookup.ExitCode} {lookup.Output}";
    }
}
