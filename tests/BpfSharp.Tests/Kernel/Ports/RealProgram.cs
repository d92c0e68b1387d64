using System.Collections.Generic;

namespace BpfSharp.Tests.Kernel.Ports;

/// <summary>
/// A BPF program written by others (read at test time from Debian's linux-source package, never stored here) and
/// our C# port of it (tests/Ports). Both are built, loaded by bpftool and test-run on the same inputs; the return
/// values, the packets they leave, and the maps and global variables named here must be identical.
/// </summary>
/// <param name="Name">A short name for the test, e.g. "sockex1".</param>
/// <param name="Original">The C file's path inside the kernel source, e.g. "samples/bpf/sockex1_kern.c".</param>
/// <param name="Port">The C# port's file name under tests/Ports, e.g. "Sockex1.cs".</param>
/// <param name="Programs">Each program of the original and its port, by name: ("bpf_prog1", "Prog1").</param>
public sealed record RealProgram(string Name, string Original, string Port, IReadOnlyList<(string C, string CSharp)> Programs)
{
    /// <summary>Maps compared after all runs, every entry's key and value bytes: (C map name, C# map field name).</summary>
    public IReadOnlyList<(string C, string CSharp)> Maps { get; init; } = [];

    /// <summary>
    /// Global variables compared after all runs: (C variable, C# "Class.Field"). Both are read from the object's
    /// global-data maps (.bss, .data, .rodata) with its BTF.
    /// </summary>
    public IReadOnlyList<(string C, string CSharp)> Globals { get; init; } = [];

    /// <summary>Entries written into both objects' maps before the first run (the map by its C name).</summary>
    public IReadOnlyList<MapEntry> Setup { get; init; } = [];

    /// <summary>
    /// The program type for `bpftool prog loadall ... type T`, for originals whose section names libbpf 1.x no
    /// longer knows (samples/bpf's "socket1"): e.g. "socket". Null: the section names say it.
    /// </summary>
    public string? OriginalProgramType { get; init; }

    /// <summary>
    /// Program types by section, for originals whose programs need different types under section names libbpf 1.x
    /// does not know (bpftool's `type` gives one type to all): such an original is loaded by BpfSharp's loader, as
    /// libbpf's bpf_program__set_type would, and examined through bpftool as the others.
    /// </summary>
    public IReadOnlyDictionary<string, BpfProgramType>? OriginalSectionTypes { get; init; }

    /// <summary>The runs, in order; each runs the C program and its port on the same packet.</summary>
    public IReadOnlyList<ProgramRun> Runs { get; init; } = [];

    public override string ToString() => Name;
}

/// <summary>One map entry: the map by its name in the C original, the key's and value's bytes.</summary>
public sealed record MapEntry(string Map, byte[] Key, byte[] Value);

/// <summary>One BPF_PROG_TEST_RUN: the program by its C name, the packet (data_in), how many repetitions.</summary>
public sealed record ProgramRun(string Program, byte[] Packet, int Repeat = 1);
