using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace BpfSharp.Tests.Infrastructure;

/// <summary>Reads the fact tables of ../shared/kernel.</summary>
public static class KernelData
{
    /// <summary>id -> (name, C declaration) from libbpf's bpf_helper_defs.h.</summary>
    public static IReadOnlyDictionary<int, (string Name, string Signature)> HelperSignatures() =>
        Rows("helper-signatures.tsv", header: false).ToDictionary(r => int.Parse(r[0]), r => (r[1], r[2]));

    public static IEnumerable<string[]> Rows(string file, bool header = true) =>
        File.ReadLines(Path.Combine(RepoPaths.Shared, "kernel", file))
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Skip(header ? 1 : 0)
            .Select(l => l.Split('\t'));
}
