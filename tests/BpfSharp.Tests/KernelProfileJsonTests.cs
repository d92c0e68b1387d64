using System;
using System.Collections.Generic;
using System.Linq;
using BpfSharp.Spec.Profiles;
using Xunit;

namespace BpfSharp.Tests;

/// <summary>The kernel profile file: written the same way every time, and read strictly with every problem located.</summary>
public class KernelProfileJsonTests
{
    private static KernelProfile Sample() => new(
        "6.18.44-test",
        "x64",
        new ProfileProber("bpfsharp 0.1.0", 0, new[] { "CAP_BPF", "CAP_PERFMON" }),
        new[] { new KeyValuePair<string, string>("lockdown", "integrity") },
        new[] { new ProfileProgramType("BPF_PROG_TYPE_XDP", true, null), new ProfileProgramType("BPF_PROG_TYPE_LSM", false, "Operation not permitted (errno 1)") },
        new[] { new ProfileVariant("BPF_PROG_TYPE_XDP", null, false, new[] { "bpf_map_lookup_elem", "bpf_trace_printk" }, new[] { "bpf_trace_printk" }, new[] { new KeyValuePair<string, string>("bpf_copy_from_user", "helper call might sleep in a non-sleepable prog") }) },
        new[] { new ProfileMapType("BPF_MAP_TYPE_HASH", true, null) },
        new[] { new ProfileMapHelper("bpf_map_push_elem", "BPF_PROG_TYPE_XDP", new[] { "BPF_MAP_TYPE_QUEUE" }, new[] { new KeyValuePair<string, string>("BPF_MAP_TYPE_HASH", "cannot pass map_type 1 into func bpf_map_push_elem#87") }, Array.Empty<KeyValuePair<string, string>>()) },
        new[] { "bpf_new_helper" });

    [Fact]
    public void Writing_then_reading_gives_the_same_text()
    {
        var json = Sample().ToJson();
        Assert.DoesNotContain("\r", json);
        var read = KernelProfileJson.Read(json, out var problems);
        Assert.Empty(problems);
        Assert.Equal(json, read!.ToJson());
        Assert.Equal("6.18.44", read.Version.ToString());
        Assert.True(read.FindVariant("BPF_PROG_TYPE_XDP", "BPF_XDP", false)!.IsGplOnly("bpf_trace_printk"));
    }

    [Theory]
    [InlineData("{", 1, "truncated")]
    [InlineData("[]", 1, "a kernel profile is a JSON object")]
    [InlineData("{\"format\": \"bpfsharp-kernel-profile/9\"}", 1, "format \"bpfsharp-kernel-profile/9\"")]
    [InlineData("{\"format\": \"bpfsharp-kernel-profile/1\",\n\"kernel\": 5}", 2, "\"kernel\" must be an object")]
    [InlineData("{\"a\": 1 \"b\": 2}", 1, "expected ',' or '}'")]
    public void Malformed_profiles_are_reported_at_their_line(string text, int line, string message)
    {
        var profile = KernelProfileJson.Read(text, out var problems);
        Assert.Null(profile);
        Assert.Contains(problems, p => p.Line == line && p.Message.Contains(message, StringComparison.Ordinal));
    }

    [Fact]
    public void Wrong_names_and_members_are_located()
    {
        var json = Sample().ToJson()
            .Replace("\"BPF_PROG_TYPE_LSM\"", "\"BPF_PROG_TYPE_NOPE\"")
            .Replace("\"creatable\": true", "\"creatable\": true,\n      \"creatible\": true")
            .Replace("\"bpf_new_helper\"", "\"not a helper\"");
        var lines = json.Split('\n');
        Assert.Null(KernelProfileJson.Read(json, out var problems));
        Assert.Contains(problems, p => p.Message.Contains("BPF_PROG_TYPE_NOPE") && lines[p.Line - 1].Contains("BPF_PROG_TYPE_NOPE"));
        Assert.Contains(problems, p => p.Message.Contains("unknown member \"creatible\"") && lines[p.Line - 1].Contains("creatible"));
        Assert.Contains(problems, p => p.Message.Contains("\"not a helper\"") && lines[p.Line - 1].Contains("not a helper"));
    }

    [Fact]
    public void Every_truncation_and_byte_flip_gives_located_problems_and_no_exception()
    {
        var json = Sample().ToJson();
        var random = new Random(12);
        var texts = Enumerable.Range(0, json.Length).Select(n => json.Substring(0, n))
            .Concat(Enumerable.Range(0, 2000).Select(_ =>
            {
                var chars = json.ToCharArray();
                chars[random.Next(chars.Length)] = (char)random.Next(0, 128);
                return new string(chars);
            }));
        foreach (var text in texts)
        {
            var profile = KernelProfileJson.Read(text, out var problems);
            if (profile is null)
            {
                Assert.NotEmpty(problems);
                var lineCount = text.Split('\n').Length;
                Assert.All(problems, p => Assert.InRange(p.Line, 1, lineCount));
            }
        }
    }
}
