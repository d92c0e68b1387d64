using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using BpfSharp.Loader.Probing;
using BpfSharp;
using BpfSharp.Spec;
using BpfSharp.Spec.Profiles;

namespace BpfSharp.Cli
{
    /// <summary>The bpfsharp command line.</summary>
    public static class Program
    {
        private const string Usage =
            "usage: bpfsharp probe [--output FILE] [--quiet]\n" +
            "       bpfsharp tracepoints [--output FILE]\n" +
            "  probe   ask the running kernel's verifier which helpers each program type may call, which map types each\n" +
            "          map helper takes and which helpers are GPL-only; write the kernel profile (JSON) to FILE\n" +
            "          (default: kernel-profile.json). Needs bpf(2): root, or CAP_BPF with CAP_PERFMON, CAP_NET_ADMIN, CAP_SYS_ADMIN.\n" +
            "Hand the profile to a build with <BpfKernelProfile>FILE</BpfKernelProfile> to get that kernel's verdicts.\n" +
            "  tracepoints  write the running kernel's tracepoint record layouts (tracefs events/*/*/format) to FILE\n" +
            "          (default: tracepoints.tsv); add it to a project as <AdditionalFiles Include=\"tracepoints.tsv\" /> to type\n" +
            "          tracepoint programs' contexts for that kernel instead of the shipped Linux 6.18 layouts.";

        public static int Main(string[] args)
        {
            if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
            {
                Console.WriteLine(Usage);
                return args.Length == 0 ? 2 : 0;
            }

            if (args[0] != "probe" && args[0] != "tracepoints")
            {
                Console.Error.WriteLine($"bpfsharp: unknown command '{args[0]}'\n{Usage}");
                return 2;
            }

            string? output = null;
            var quiet = false;
            for (var i = 1; i < args.Length; i++)
            {
                switch (args[i])
                {
                    case "--output" or "-o" when i + 1 < args.Length:
                        output = args[++i];
                        break;
                    case "--quiet" or "-q" when args[0] == "probe":
                        quiet = true;
                        break;
                    default:
                        Console.Error.WriteLine($"bpfsharp {args[0]}: unknown or incomplete option '{args[i]}'\n{Usage}");
                        return 2;
                }
            }

            return args[0] == "probe" ? Probe(output ?? "kernel-profile.json", quiet) : Tracepoints(output ?? "tracepoints.tsv");
        }

        private static int Tracepoints(string output)
        {
            try
            {
                var (formats, unreadable) = TracepointLayouts.Read();
                foreach (var problem in unreadable)
                {
                    Console.Error.WriteLine("bpfsharp tracepoints: skipped " + problem);
                }

                File.WriteAllText(output, TracepointFormats.WriteTable(formats, "Linux " + Environment.OSVersion.Version.ToString(3)));
                Console.WriteLine($"{formats.Count} tracepoint layouts written to {output}");
                return 0;
            }
            catch (Exception e) when (e is BpfException or IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                Console.Error.WriteLine("bpfsharp tracepoints: " + e.Message);
                return 1;
            }
        }

        private static int Probe(string output, bool quiet)
        {
            var why = KernelProbe.WhyUnavailable();
            if (why != null)
            {
                Console.Error.WriteLine("bpfsharp probe: cannot probe this kernel: " + why);
                return 3;
            }

            var clock = Stopwatch.StartNew();
            var progress = new ConsoleProgress(quiet);
            var profile = new KernelProbe(ShippedSpec.Helpers, progress).Run();
            progress.Finish();
            try
            {
                var directory = Path.GetDirectoryName(Path.GetFullPath(output));
                if (directory != null)
                {
                    Directory.CreateDirectory(directory);
                }

                File.WriteAllText(output, profile.ToJson());
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                Console.Error.WriteLine($"bpfsharp probe: cannot write the profile to '{output}': {e.Message}");
                return 1;
            }

            var allowed = profile.Variants.Sum(v => v.Allowed.Count);
            var loadable = profile.ProgramTypes.Count(t => t.Loadable);
            Console.WriteLine(
                $"Kernel {profile.Release}: {loadable} of {profile.ProgramTypes.Count} program types loadable, {profile.Variants.Count} variants, " +
                $"{allowed} allowed helper calls, {profile.MapTypes.Count(m => m.Creatable)} map types created, {profile.MapHelpers.Count} map-helper tables; " +
                $"probed in {clock.Elapsed.TotalSeconds:0.0} s.");
            Console.WriteLine($"Wrote {output}");
            return 0;
        }

        // One status line on stderr, rewritten in place on a terminal, a line per stage otherwise.
        private sealed class ConsoleProgress : IProgress<ProbeProgress>
        {
            private readonly bool _quiet;
            private readonly bool _terminal = !Console.IsErrorRedirected;
            private string _stage = string.Empty;

            public ConsoleProgress(bool quiet) => _quiet = quiet;

            public void Report(ProbeProgress value)
            {
                if (_quiet)
                {
                    return;
                }

                var stage = value.Stage.Split(':')[0];
                if (_terminal)
                {
                    var line = $"[{value.Done + 1}/{value.Total}] {value.Stage}";
                    Console.Error.Write("\r" + line.PadRight(Math.Min(Console.BufferWidth - 1, 100)).Substring(0, Math.Min(line.Length, 99)).PadRight(99));
                }
                else if (stage != _stage)
                {
                    Console.Error.WriteLine($"probing {stage} ...");
                }

                _stage = stage;
            }

            public void Finish()
            {
                if (!_quiet && _terminal)
                {
                    Console.Error.WriteLine();
                }
            }
        }
    }
}
