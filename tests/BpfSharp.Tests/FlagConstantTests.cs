using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using BpfSharp.Tests.Infrastructure;
using Xunit;

namespace BpfSharp.Tests;

/// <summary>BpfFlags holds every named flag constant the spec's helpers accept (spec/helper-flags.tsv), with its value.</summary>
public class FlagConstantTests
{
    [Fact]
    public void Every_flag_the_spec_names_is_a_BpfFlags_constant_with_the_kernels_value()
    {
        var constants = typeof(BpfFlags).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral).ToDictionary(f => f.Name, f => Convert.ToUInt64(f.GetRawConstantValue(), CultureInfo.InvariantCulture));
        var named = File.ReadLines(Path.Combine(RepoPaths.Spec, "helper-flags.tsv"))
            .Where(line => !line.StartsWith('#') && !line.StartsWith("helper\t", StringComparison.Ordinal))
            .Select(line => line.Split('\t'))
            .Where(row => row.Length >= 4 && (row[2].StartsWith("BPF_", StringComparison.Ordinal) || row[2].StartsWith("BTF_", StringComparison.Ordinal)) && !row[2].Contains(' '))
            .Select(row => (Name: row[2], Value: row[3].StartsWith("0x", StringComparison.Ordinal) ? ulong.Parse(row[3][2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture) : ulong.Parse(row[3], CultureInfo.InvariantCulture)))
            .Distinct().ToList();

        Assert.True(named.Count > 60, $"only {named.Count} flags read from spec/helper-flags.tsv");
        var missing = named.Where(flag => !constants.ContainsKey(flag.Name)).Select(flag => flag.Name).ToList();
        Assert.True(missing.Count == 0, "BpfFlags lacks " + string.Join(", ", missing));
        var wrong = named.Where(flag => constants[flag.Name] != flag.Value).Select(flag => $"{flag.Name} is {constants[flag.Name]:x} in BpfFlags, {flag.Value:x} in the spec").ToList();
        Assert.True(wrong.Count == 0, string.Join("; ", wrong));
    }
}
