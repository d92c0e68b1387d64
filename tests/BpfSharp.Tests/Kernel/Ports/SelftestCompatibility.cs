using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.RegularExpressions;
using BpfSharp.Loader;

namespace BpfSharp.Tests.Kernel.Ports;

/// <summary>
/// The kernel's BPF selftests (from Debian's linux-source), compiled by clang against this kernel's vmlinux.h, loaded by
/// bpftool (libbpf) and by BpfSharp's loader, and compared program by program: the kernel's tag (its hash of the
/// instructions, map references left out) and xlated size. The compat benchmark runs it over every selftest,
/// <c>SelftestCompatibilityTests</c> over a sample, as a gate.
/// </summary>
public static class SelftestCompatibility
{
    /// <summary>What one comparison found. Refusals are keyed by their reason, numbers made N (one line per kind).</summary>
    public sealed record Outcome(int Files, int Compiled, int LibbpfLoads, int Ours, int Programs, int Identical, int SlotMaps, int SlotMapsIdentical, IReadOnlyDictionary<string, List<string>> Refusals, IReadOnlyList<string> Differences);

    public static Outcome Compare(IReadOnlyList<string> originals)
    {
        var work = Directory.CreateTempSubdirectory("bpfsharp-compat-").FullName;
        int compiled = 0, libbpfLoads = 0, ours = 0, programs = 0, identical = 0, slotMaps = 0, slotMapsIdentical = 0;
        var refusals = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var differences = new List<string>();
        try
        {
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

                        // Maps whose slots .maps may set (program arrays, maps of maps): the same slots filled as libbpf's.
                        foreach (var (mapName, map) in loaded.Maps.Where(m => m.Value.Type is BpfMapType.ProgArray or BpfMapType.ArrayOfMaps or BpfMapType.HashOfMaps))
                        {
                            var libbpfPin = $"{libbpf.Pins}/maps/{mapName.Replace('.', '_')}";
                            if (!File.Exists(libbpfPin))
                            {
                                continue;
                            }

                            slotMaps++;
                            var pin = $"{libbpf.Pins}/ours-map-{mapName}";
                            map.Pin(pin);
                            var (expectedSlots, actualSlots) = (Slots(libbpf, libbpfPin), Slots(libbpf, pin));
                            if (expectedSlots == actualSlots)
                            {
                                slotMapsIdentical++;
                            }
                            else
                            {
                                differences.Add($"{Path.GetFileName(original)} map {mapName}: libbpf fills slots {expectedSlots}, BpfSharp {actualSlots}");
                            }
                        }
                    }
                    catch (Exception e)
                    {
                        // A refusal is a BpfException; anything else is a loader bug, named by its type.
                        var reason = (e is BpfException ? string.Empty : e.GetType().Name + ": ") + e.Message.Split('\n')[0];
                        reason = Regex.Replace(reason, "^[^:]*\\.o: ", string.Empty);
                        reason = Regex.Replace(reason, "\\b\\d+\\b", "N");
                        var key = reason.Length > 110 ? reason[..110] + "..." : reason;
                        (refusals.TryGetValue(key, out var files) ? files : refusals[key] = []).Add(Path.GetFileName(original));
                    }
                }

                File.Delete(objectPath);
            }
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }

        return new Outcome(originals.Count, compiled, libbpfLoads, ours, programs, identical, slotMaps, slotMapsIdentical, refusals, differences);
    }

    // The keys a pinned map holds (values are ids of programs or maps, which differ between two loads), sorted.
    private static string Slots(LoadedObject tool, string pin)
    {
        var (exitCode, output) = tool.Bpftool($"-j map dump pinned {pin}");
        if (exitCode != 0)
        {
            return "not dumped: " + output.Trim();
        }

        using var json = JsonDocument.Parse(output);
        var keys = json.RootElement.EnumerateArray().Select(entry => string.Join(" ", entry.GetProperty("key").EnumerateArray().Select(b => b.GetString()))).Order(StringComparer.Ordinal);
        return "[" + string.Join("; ", keys) + "]";
    }

    // The kernel's tag and xlated size of a pinned program.
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
