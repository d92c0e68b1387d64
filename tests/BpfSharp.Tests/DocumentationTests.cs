using System;
using System.Collections.Generic;
using System.Diagnostics;
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

    [Fact]
    public void The_layout_section_names_every_top_level_folder_and_project()
    {
        var readme = File.ReadAllText(Path.Combine(RepoPaths.Root, "README.md"));
        var section = Regex.Match(readme, @"^## Layout\s*\n```\n(.*?)^```", RegexOptions.Multiline | RegexOptions.Singleline);
        Assert.True(section.Success, "README.md has no ## Layout section with a code block");
        var block = section.Groups[1].Value;
        var named = Regex.Matches(block, @"^([A-Za-z0-9_.-]+)/", RegexOptions.Multiline).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);

        var files = TrackedFiles();
        var ignored = new[] { "artifacts", "bin", "obj", "TestResults" };
        var folders = files.Where(f => f.Contains('/')).Select(f => f[..f.IndexOf('/')])
            .Where(d => !d.StartsWith('.') && !ignored.Contains(d)).Distinct().Order(StringComparer.Ordinal);
        foreach (var folder in folders)
        {
            Assert.True(named.Contains(folder), $"the README's ## Layout block has no line starting with \"{folder}/\"");
        }

        foreach (var folder in named)
        {
            Assert.True(Directory.Exists(Path.Combine(RepoPaths.Root, folder)), $"the README's ## Layout block names {folder}/, which does not exist");
        }

        var projects = files.Where(f => f.EndsWith(".csproj", StringComparison.Ordinal) && !f.StartsWith("samples/", StringComparison.Ordinal))
            .Where(f => !f.Split('/').Any(part => part is "bin" or "obj"));
        foreach (var project in projects)
        {
            var name = Path.GetFileNameWithoutExtension(project);
            // The name as a whole: "BpfSharp" is not named by "BpfSharp.Spec".
            Assert.True(Regex.IsMatch(block, @"(?<![\w.])" + Regex.Escape(name) + @"(?!\w|\.\w)"), $"the README's ## Layout block does not name the project {name} ({project})");
        }
    }

    /// <summary>The repository's tracked files (git ls-files), relative with '/'; without git, the files on disk.</summary>
    private static IReadOnlyList<string> TrackedFiles()
    {
        try
        {
            var start = new ProcessStartInfo("git") { WorkingDirectory = RepoPaths.Root, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add("ls-files");
            start.ArgumentList.Add("-z");
            using var git = Process.Start(start)!;
            var error = git.StandardError.ReadToEndAsync();
            var output = git.StandardOutput.ReadToEnd();
            git.WaitForExit();
            _ = error.Result;
            if (git.ExitCode == 0 && output.Length > 0)
            {
                return output.Split('\0', StringSplitOptions.RemoveEmptyEntries);
            }
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // No git: fall back to the files on disk.
        }

        var skipped = new[] { "artifacts", "bin", "obj", "TestResults" };
        return Directory.EnumerateFiles(RepoPaths.Root, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(RepoPaths.Root, f).Replace('\\', '/'))
            .Where(f => !f.Split('/').SkipLast(1).Any(part => part.StartsWith('.') || skipped.Contains(part)))
            .ToList();
    }
}
