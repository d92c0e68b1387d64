using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using BpfSharp.Loader;
using BpfSharp.Tests.Kernel;
using BpfSharp.Tests.Kernel.Ports;

namespace BpfSharp.Benchmarks;

/// <summary>
/// "compat": the kernel's BPF selftests (Debian's linux-source package), compiled by clang against this kernel's
/// vmlinux.h; every object libbpf (bpftool) loads is loaded by BpfSharp's loader too, and each program's instructions
/// compared (the kernel's tag, which ignores map ids, and the xlated size). Prints "loads N of M, xlated identical for
/// P of Q" and BpfSharp's refusals by reason. Needs root, clang, bpftool, linux-source-6.12 and libbpf-dev; minutes.
/// </summary>
public static class CompatibilityBenchmark
{
    public static int Run(string? filter, int limit)
    {
        if (KernelSources.WhyUnavailable is { } why)
        {
            Console.Error.WriteLine("cannot run: " + why);
            return 1;
        }

        var work = Directory.CreateTempSubdirectory("bpfsharp-compat-").FullName;
        var originals = KernelSources.Originals("tools/testing/selftests/bpf/progs")
            .Where(path => filter is null || path.Contains(filter, StringComparison.Ordinal)).Take(limit).ToArray();
        int compiled = 0, libbpfLoads = 0, ours = 0, programs = 0, identical = 0;
        var refusals = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var differences = new List<string>();
        foreach (var original in originals)
        {
            string objectPath;
            try
            {
                objectPath = KernelSources.Compile(original, work);
                compiled++;
            }
            catch (InvalidOperationException)
            {
                continue; // the selftests' build gives some files flags or headers of its own; what clang refuses here is not counted
            }

            using (var libbpf = new LoadedObject(objectPath))
            {
                var names = libbpf.Loaded && Directory.Exists(libbpf.Pins + "/progs") ? Directory.GetFiles(libbpf.Pins + "/progs").Select(Path.GetFileName).ToArray() : [];
                if (names.Length == 0)
                {
                    File.Delete(objectPath);
                    continue; // libbpf does not load it here (or it holds no program): not counted
                }

                libbpfLoads++;
                try
                {
                    using var loaded = BpfObject.Load(objectPath);
                    ours++;
                    foreach (var name in names)
                    {
                        programs++;
                        var expected = Show(libbpf, $"{libbpf.Pins}/progs/{name}");
                        if (!loaded.Programs.TryGetValue(name!, out var program))
                        {
                            differences.Add($"{Path.GetFileName(original)}: no program '{name}'");
                            continue;
                        }

                        var pin = $"{libbpf.Pins}/ours-{name}";
                        program.Pin(pin);
                        var actual = Show(libbpf, pin);
                        if (expected == actual)
                        {
                            identical++;
                        }
                        else
                        {
                            differences.Add($"{Path.GetFileName(original)} {name}: libbpf {expected}, BpfSharp {actual}");
                        }
                    }
                }
                catch (Exception e)
                {
                    // A refusal is a BpfException; anything else is a loader bug, named by its type.
                    var reason = (e is BpfException ? string.Empty : e.GetType().Name + ": ") + e.Message.Split('\n')[0];
                    reason = System.Text.RegularExpressions.Regex.Replace(reason, "^[^:]*\\.o: ", string.Empty);
                    reason = System.Text.RegularExpressions.Regex.Replace(reason, "\\b\\d+\\b", "N"); // one line per kind of refusal
                    var key = reason.Length > 110 ? reason[..110] + "..." : reason;
                    (refusals.TryGetValue(key, out var files) ? files : refusals[key] = []).Add(Path.GetFileName(original));
                }
            }

            File.Delete(objectPath);
        }

        Console.WriteLine($"{originals.Length} selftest files, {compiled} compiled; libbpf (bpftool) loads {libbpfLoads} objects with programs");
        Console.WriteLine($"BpfSharp loads {ours} of {libbpfLoads}, xlated identical for {identical} of {programs} programs");
        foreach (var (reason, files) in refusals.OrderByDescending(r => r.Value.Count))
        {
            Console.WriteLine($"  refused {files.Count,3}: {reason}  (e.g. {string.Join(", ", files.Take(3))})");
        }

        foreach (var difference in differences.Take(20))
        {
            Console.WriteLine("  differs: " + difference);
        }

        Directory.Delete(work, recursive: true);
        return 0;
    }

    // The kernel's tag (instructions with map references zeroed) and xlated size of a pinned program.
    private static string Show(LoadedObject tool, string pin)
    {
        var (exitCode, output) = tool.Bpftool($"-j prog show pinned {pin}");
        if (exitCode != 0)
        {
            return "not shown: " + output.Trim();
        }

        using var json = JsonDocument.Parse(output);
        return $"tag {json.RootElement.GetProperty("tag").GetString()}, {json.RootElement.GetProperty("bytes_xlated").GetInt32() / 8} insns";
    }
}
