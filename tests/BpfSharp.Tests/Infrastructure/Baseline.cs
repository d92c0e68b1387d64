using System;
using System.IO;
using Xunit;

namespace BpfSharp.Tests.Infrastructure;

/// <summary>
/// Checked-in snapshots compared line by line. On a mismatch the actual text is written beside the baseline as
/// *.received.cs; set BPFSHARP_UPDATE_BASELINES=1 to accept it. A missing baseline is created locally and fails in CI.
/// </summary>
public static class Baseline
{
    public static void AssertMatches(string name, string actual)
    {
        var directory = Path.Combine(RepoPaths.Root, "tests", "BpfSharp.Tests", "Baselines");
        var verified = Path.Combine(directory, name);
        var received = Path.ChangeExtension(verified, null).Replace(".verified", ".received") + ".cs";
        actual = actual.Replace("\r\n", "\n");
        var update = Environment.GetEnvironmentVariable("BPFSHARP_UPDATE_BASELINES") == "1";
        if (!File.Exists(verified))
        {
            Assert.False(Environment.GetEnvironmentVariable("CI") == "true" && !update, $"Baseline {name} is missing (write it locally and commit it).");
            File.WriteAllText(verified, actual);
            return;
        }

        var expected = File.ReadAllText(verified).Replace("\r\n", "\n");
        if (expected == actual)
        {
            File.Delete(received);
            return;
        }

        if (update)
        {
            File.WriteAllText(verified, actual);
            return;
        }

        File.WriteAllText(received, actual);
        var expectedLines = expected.Split('\n');
        var actualLines = actual.Split('\n');
        for (var i = 0; i < Math.Max(expectedLines.Length, actualLines.Length); i++)
        {
            var e = i < expectedLines.Length ? expectedLines[i] : "<end of file>";
            var a = i < actualLines.Length ? actualLines[i] : "<end of file>";
            Assert.True(e == a, $"{name} differs at line {i + 1}:\n  expected: {e}\n  actual:   {a}\nActual output written to {received}; set BPFSHARP_UPDATE_BASELINES=1 to accept it.");
        }
    }
}
