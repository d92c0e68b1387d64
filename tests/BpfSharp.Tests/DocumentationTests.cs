using System;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.RegularExpressions;
using BpfSharp.Analyzers;
using BpfSharp.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Xunit;

namespace BpfSharp.Tests;

/// <summary>Every diagnostic a user can meet is documented: its page under docs/rules (which names it) and its row in the README.</summary>
public class DocumentationTests
{
    private static string[] Ids() =>
        typeof(Descriptors).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
            .Select(f => ((DiagnosticDescriptor)f.GetValue(null)!).Id)
            .Distinct()
            .Order(StringComparer.Ordinal)
            .ToArray();

    public static TheoryData<string> DiagnosticIds() => new(Ids());

    [Theory]
    [MemberData(nameof(DiagnosticIds))]
    public void Every_diagnostic_has_its_page_and_its_README_row(string id)
    {
        var page = id.StartsWith("BPF1", StringComparison.Ordinal) ? "BPF1xxx" : id.StartsWith("BPF2", StringComparison.Ordinal) ? "BPF2xxx" : id;
        var path = Path.Combine(RepoPaths.Root, "docs", "rules", page + ".md");
        Assert.True(File.Exists(path), $"{id}: docs/rules/{page}.md is missing");
        Assert.Contains(id, File.ReadAllText(path));

        var readme = File.ReadAllText(Path.Combine(RepoPaths.Root, "README.md"));
        var row = Regex.Match(readme, @"^\| \[" + Regex.Escape(page) + @"\]\(docs/rules/" + Regex.Escape(page) + @"\.md\) \|(.*)$", RegexOptions.Multiline);
        Assert.True(row.Success, $"{id}: the README's diagnostics table has no row for {page}");
        if (page != id)
        {
            // A family's row names the ids it covers, one by one or as a range.
            var numbers = Regex.Matches(row.Groups[1].Value, @"BPF(\d{4})(?:-(\d{4}))?").Select(m => (From: int.Parse(m.Groups[1].Value), To: m.Groups[2].Success ? int.Parse(m.Groups[2].Value) : int.Parse(m.Groups[1].Value)));
            var number = int.Parse(id[3..]);
            Assert.True(page == "BPF1xxx" || numbers.Any(r => r.From <= number && number <= r.To), $"{id}: the README's {page} row does not name it");
        }
    }

    [Fact]
    public void The_layout_section_names_every_rule_range()
    {
        var readme = File.ReadAllText(Path.Combine(RepoPaths.Root, "README.md"));
        var ids = Ids().Where(i => !i.StartsWith("BPF1", StringComparison.Ordinal)).ToList();
        var layout = Regex.Match(readme, @"^analyzers/ .*$", RegexOptions.Multiline).Value;
        foreach (var family in new[] { "BPF0", "BPF2" })
        {
            var highest = ids.Where(i => i.StartsWith(family, StringComparison.Ordinal)).Max(StringComparer.Ordinal)!;
            Assert.Contains("-" + highest[3..], layout);
        }
    }
}
