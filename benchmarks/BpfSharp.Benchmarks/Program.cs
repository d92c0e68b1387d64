using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using BenchmarkDotNet.Running;
using BpfSharp.Benchmarks;

// "build": dotnet build of a one-file consumer with and without the BpfSharp package (needs the .nupkg from
// `dotnet pack Generators.sln -c Release`); "--keep" leaves the projects for a closer look. Anything else goes to
// BenchmarkDotNet.
if (args.Length > 0 && args[0] == "build")
{
    return BuildBenchmark.Run(args.Length > 1 && int.TryParse(args[1], out var rounds) ? rounds : 7, keep: args.Contains("--keep"));
}

// "buildshare": BpfSharp's share of Csc as -p:ReportAnalyzer=true reports it, for the large consumer (needs the .nupkg);
// BPFSHARP_SHARE_LOG=<prefix> keeps each build's log for a closer look.
if (args.Length > 0 && args[0] == "buildshare")
{
    return BuildBenchmark.RunShare(args.Length > 1 && int.TryParse(args[1], out var shareRounds) ? shareRounds : 5);
}

// "loadcost": loading kernel selftests with BpfSharp's loader against libbpf from C (needs root, clang, libbpf-dev, linux-source).
if (args.Length > 0 && args[0] == "loadcost")
{
    return LoadCostBenchmark.Run(args.Length > 1 && int.TryParse(args[1], out var loadRounds) ? loadRounds : 7);
}

// "coldgen": where a new compiler process's generator time goes with the previous build's units (fresh processes).
if (args.Length > 0 && args[0] == "coldgen")
{
    return ColdGeneratorBenchmark.Run(args.Length > 1 && int.TryParse(args[1], out var coldRounds) ? coldRounds : 5);
}

if (args.Length > 1 && args[0] == "coldgen-write")
{
    return ColdGeneratorBenchmark.Write(args[1]);
}

if (args.Length > 1 && args[0] == "coldgen-measure")
{
    return ColdGeneratorBenchmark.Measure(args[1]);
}

// "bpfstep": what the BPF build step adds to dotnet build (BpfCompile=true against false; needs the .nupkg and clang).
if (args.Length > 0 && args[0] == "bpfstep")
{
    return BuildBenchmark.RunBpfStep(args.Length > 1 && int.TryParse(args[1], out var bpfRounds) ? bpfRounds : 7);
}

// "lookup": one map lookup from .NET against the same through libbpf from C (needs root and libbpf-dev).
if (args.Length > 0 && args[0] == "lookup")
{
    return LookupBenchmark.Run(args.Length > 1 && int.TryParse(args[1], out var lookupRounds) ? lookupRounds : 7);
}

// "ringbuf": a ring buffer's records read from .NET every way BpfSharp offers against libbpf's consume from C (needs root, clang, libbpf-dev).
if (args.Length > 0 && args[0] == "ringbuf")
{
    return RingBufferBenchmark.Run(args.Length > 1 && int.TryParse(args[1], out var ringRounds) ? ringRounds : 7);
}

// "batch": a whole 10,000-entry hash map read with the key walk against batch lookups (needs root).
if (args.Length > 0 && args[0] == "batch")
{
    return BatchBenchmark.Run(args.Length > 1 && int.TryParse(args[1], out var batchRounds) ? batchRounds : 7);
}

// "bpf": xlated instructions of programs compiled from C# and from hand-written C (needs root, clang, bpftool).
if (args.Length > 0 && args[0] == "bpf")
{
    return BpfSizeBenchmark.Run();
}

// "ports": xlated instructions of real kernel programs against their C# ports (needs root, clang, bpftool, linux-source).
if (args.Length > 0 && args[0] == "ports")
{
    return PortSizeBenchmark.Run();
}

// "compat": the kernel's BPF selftests loaded by libbpf (bpftool) and by BpfSharp's loader; [filter] [limit].
if (args.Length > 0 && args[0] == "compat")
{
    return CompatibilityBenchmark.Run(args.Length > 1 && args[1] != "-" ? args[1] : null, args.Length > 2 && int.TryParse(args[2], out var limit) ? limit : int.MaxValue);
}

// "analyzerloop": HelperUsageAnalyzer (or "compilability": BpfCompilabilityAnalyzer) alone on the large consumer, N times, for perf.
if (args.Length > 0 && args[0] == "analyzerloop")
{
    return AnalyzerLoop.Run(args.Length > 1 && int.TryParse(args[1], out var loopRounds) ? loopRounds : 12, args.Length > 2 ? args[2] : "usage");
}

// "readloop <object> <rounds> [load]": the loader reading (or loading) one object in a loop, for perf.
if (args.Length > 0 && args[0] == "readloop")
{
    return ReadLoop.Run(args[1], int.Parse(args[2]), args.Length > 3 && args[3] == "load");
}

// "share": BpfSharp's generator and analyzers against the whole compilation of the large consumer, in-process.
if (args.Length > 0 && args[0] == "share")
{
    return ShareBenchmark.Run(args.Length > 1 && int.TryParse(args[1], out var shareRounds) ? shareRounds : 5, args.Length > 2 && int.TryParse(args[2], out var programs) ? programs : 500, oneFile: args.Contains("--one-file"));
}

// "ide": the generator in a kept GeneratorDriver, as an IDE runs it, over the large consumer's first 100 programs.
if (args.Length > 0 && args[0] == "ide")
{
    return ShareBenchmark.RunIde(args.Length > 1 && int.TryParse(args[1], out var ideRounds) ? ideRounds : 9, args.Length > 2 && int.TryParse(args[2], out var idePrograms) ? idePrograms : 100);
}

BenchmarkSwitcher.FromAssembly(typeof(GeneratorBenchmarks).Assembly).Run(args);
return 0;
