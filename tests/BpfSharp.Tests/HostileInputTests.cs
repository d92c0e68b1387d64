using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using BpfSharp.Analyzers;
using BpfSharp.Spec;
using BpfSharp.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit;

namespace BpfSharp.Tests;

/// <summary>Whatever a page or an unfinished source file holds: no exception, no hang, a located diagnostic, compilable output.</summary>
public class HostileInputTests
{
    private static readonly string[] Corpus = Directory.GetFiles(RepoPaths.SpecHelpers, "*.md").OrderBy(f => f, StringComparer.Ordinal).Select(File.ReadAllText).ToArray();

    /// <summary>The ways a page gets broken, each a deterministic function of a seeded random source.</summary>
    public static readonly (string Name, Func<Random, string, string> Mutate)[] Mutations =
    [
        ("truncation", (r, t) => t[..r.Next(t.Length)]),
        ("byte flips", (r, t) => Flip(r, t)),
        ("duplicated lines", (r, t) => EditLines(r, t, (lines, i) => lines.Insert(i, lines[i]))),
        ("removed lines", (r, t) => EditLines(r, t, (lines, i) => lines.RemoveAt(i))),
        ("huge line", (r, t) => t.Insert(r.Next(t.Length), new string((char)('a' + r.Next(26)), 200_000 + r.Next(100_000)))),
        ("BOM", (r, t) => "\uFEFF" + t),
        ("CRLF", (r, t) => t.Replace("\n", "\r\n")),
        ("tabs", (r, t) => t.Replace("  ", "\t").Replace(" * ", "\t*\t")),
        ("non-UTF-8 bytes", (r, t) => NonUtf8(r, t)),
        ("repeated sections", (r, t) => RepeatSection(r, t)),
    ];

    [Fact]
    public async Task Ten_thousand_mutated_pages_never_throw_hang_or_lose_a_line()
    {
        var random = new Random(20261125);
        var counts = new int[Mutations.Length];
        for (var i = 0; i < 10_000; i++)
        {
            var kind = random.Next(Mutations.Length);
            var page = Mutations[kind].Mutate(random, Corpus[random.Next(Corpus.Length)]);
            if (random.Next(4) == 0)
            {
                // Two mutations may compound (repeated sections of a huge line: 145 MB, 15 s to parse at 100 ns a
                // character): such a page is kept to its first mutation, so that the guard below times hangs, not size.
                var twice = Mutations[random.Next(Mutations.Length)].Mutate(random, page);
                page = twice.Length <= 8_000_000 ? twice : page;
            }

            // A hang shows as a TimeoutException naming nothing; the mutation kind is in the test's seed and loop index. On a
            // thread of its own: a thread pool starved by the other tests must not pass for a hang.
            var result = await Task.Factory.StartNew(() => HelperPageParser.Parse("fuzz.md", page), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).WaitAsync(TimeSpan.FromSeconds(20));
            var lines = HelperPageParser.LineCount(page);
            Assert.All(result.Diagnostics, d =>
            {
                Assert.NotEqual(SpecDiagnosticIds.InternalError, d.Id);
                Assert.InRange(d.Line, 1, lines);
                Assert.False(string.IsNullOrWhiteSpace(d.Message));
            });
            counts[kind]++;
        }

        Assert.All(counts, c => Assert.True(c > 800, $"a mutation kind ran only {c} times"));
    }

    [Fact]
    public async Task Broken_pages_as_additional_files_give_BPF1xxx_and_the_generated_code_still_compiles()
    {
        var random = new Random(7);
        foreach (var (name, mutate) in Mutations)
        {
            var pages = Enumerable.Range(0, 3).Select(i => (AdditionalText)new InMemoryAdditionalText($"pages/{name.Replace(' ', '_')}_{i}.md", mutate(random, Corpus[random.Next(Corpus.Length)]))).ToArray();
            var (_, output, generatorDiagnostics) = TestCompilation.Generate(TestCompilation.Create("class C { }"), pages);

            Assert.Empty(generatorDiagnostics);
            Assert.Empty(output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));
            var analyzerExceptions = new List<Exception>();
            var options = new CompilationWithAnalyzersOptions(new AnalyzerOptions([.. pages]), (e, _, _) => analyzerExceptions.Add(e), concurrentAnalysis: false, logAnalyzerExecutionTime: false);
            var diagnostics = await output.WithAnalyzers([new SpecPageAnalyzer(), new HelperUsageAnalyzer()], options).GetAllDiagnosticsAsync();
            Assert.Empty(analyzerExceptions);
            Assert.DoesNotContain(diagnostics, d => d.Id == "AD0001" || d.Id == "CS8785");
            Assert.All(diagnostics.Where(d => d.Id.StartsWith("BPF1", StringComparison.Ordinal)), d => Assert.True(d.Location.IsInSource || d.Location.Kind == LocationKind.ExternalFile, d.ToString()));
        }
    }

    [Theory]
    [InlineData("Ends the comment */ and </summary> then \"quotes\" & <tags>")]
    [InlineData("Line\u2028separator class Evil { }")]
    [InlineData("Paragraph\u2029separator and a bidi \u202Eoverride\u202C")]
    [InlineData("<see cref=\"System.Object\"/> <!-- --> ]]> &amp;")]
    public void Hostile_prose_is_escaped_and_cannot_become_code(string prose)
    {
        var page = GeneratorTests.UserPage("bpf_hostile", 9100).Replace("Does custom things.", prose).Replace("Zero.", prose);
        var (source, output, _) = TestCompilation.Generate(TestCompilation.Create(), new InMemoryAdditionalText("pages/bpf_hostile.md", page));

        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));
        var tree = output.SyntaxTrees.Last();
        Assert.DoesNotContain(tree.GetRoot().DescendantNodes().OfType<Microsoft.CodeAnalysis.CSharp.Syntax.ClassDeclarationSyntax>(), c => c.Identifier.Text == "Evil");
        Assert.DoesNotContain('\u2028', source);
        Assert.DoesNotContain('\u2029', source);
        Assert.DoesNotContain('\u202E', source);
        Assert.Contains("public static long Hostile(", source);
    }

    [Fact]
    public void Parameter_names_that_are_csharp_keywords_are_escaped()
    {
        var page = GeneratorTests.UserPage("bpf_keywords", 9101).Replace("(void *map, __u64 flags)", "(void *class, __u32 params, __u64 string, const char *event, __u64 args)");
        var (source, output, _) = TestCompilation.Generate(TestCompilation.Create(), new InMemoryAdditionalText("pages/bpf_keywords.md", page));

        Assert.Contains("public static long Keywords(void* @class, uint @params, ulong @string, byte* @event, ulong arg5) =>", source);
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));
    }

    [Theory]
    [InlineData("bpf_m\u0430p")]      // Cyrillic a
    [InlineData("bpf_map\u200B")]    // zero-width space
    [InlineData("bpf_ｍap")]          // full-width m
    public void Unicode_look_alike_names_are_rejected_with_a_located_error(string name)
    {
        var page = $"# Helper function `{name}`\n\n`#!c static long (* const {name})(void) = (void *) 9102;`\n";
        var result = HelperPageParser.Parse("pages/lookalike.md", page);

        Assert.Null(result.Helper);
        Assert.Contains(result.Diagnostics, d => d.Line == 3 && d.Id is SpecDiagnosticIds.MalformedSignature or SpecDiagnosticIds.MissingSignature);
    }

    [Fact]
    public async Task Every_prefix_of_every_sample_source_is_analyzed_without_an_exception()
    {
        var helpers = HelpersAssembly.Value;
        var sources = Directory.GetFiles(Path.Combine(RepoPaths.Root, "samples"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains(Path.DirectorySeparatorChar + "obj" + Path.DirectorySeparatorChar, StringComparison.Ordinal)
                && !f.Contains(Path.DirectorySeparatorChar + "bin" + Path.DirectorySeparatorChar, StringComparison.Ordinal)
                && !f.Contains(Path.DirectorySeparatorChar + ".", StringComparison.Ordinal))
            .OrderBy(f => f, StringComparer.Ordinal)
            .ToArray();
        Assert.NotEmpty(sources);
        var analyzers = ImmutableArray.Create<DiagnosticAnalyzer>(new HelperUsageAnalyzer(), new ProgramDeclarationAnalyzer());
        var prefixes = 0;
        foreach (var file in sources)
        {
            var text = File.ReadAllText(file);
            for (var length = 0; length <= text.Length; length++)
            {
                var tree = CSharpSyntaxTree.ParseText(text[..length], new CSharpParseOptions(LanguageVersion.Latest), path: file);
                var compilation = CSharpCompilation.Create("Consumer", [tree], [.. Basic.Reference.Assemblies.Net80.References.All, TestCompilation.Runtime, helpers], new CSharpCompilationOptions(OutputKind.ConsoleApplication, allowUnsafe: true));
                var exceptions = new List<Exception>();
                var options = new CompilationWithAnalyzersOptions(new AnalyzerOptions([]), (e, _, _) => exceptions.Add(e), concurrentAnalysis: false, logAnalyzerExecutionTime: false);
                var diagnostics = await compilation.WithAnalyzers(analyzers, options).GetAnalyzerDiagnosticsAsync();
                Assert.True(exceptions.Count == 0, $"{Path.GetFileName(file)} cut at {length}: {exceptions.FirstOrDefault()}");
                Assert.DoesNotContain(diagnostics, d => d.Id == "AD0001");
                prefixes++;
            }
        }

        Assert.True(prefixes > 3000, $"{prefixes} prefixes");
    }

    // The generated helpers compiled once, visible to the "Consumer" assemblies the typing test compiles.
    private static readonly Lazy<MetadataReference> HelpersAssembly = new(() =>
    {
        var compilation = CSharpCompilation.Create(
            "BpfSharpHelpers",
            [CSharpSyntaxTree.ParseText(TestCompilation.ShippedHelpersSource), CSharpSyntaxTree.ParseText("[assembly: System.Runtime.CompilerServices.InternalsVisibleTo(\"Consumer\")]")],
            [.. Basic.Reference.Assemblies.Net80.References.All, TestCompilation.Runtime],
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true));
        using var stream = new MemoryStream();
        var emit = compilation.Emit(stream);
        Assert.True(emit.Success, string.Join("\n", emit.Diagnostics));
        return MetadataReference.CreateFromImage(stream.ToArray());
    });

    private static string Flip(Random random, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        for (var i = 0; i < 1 + random.Next(30) && bytes.Length > 0; i++)
        {
            bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
        }

        return Encoding.UTF8.GetString(bytes);
    }

    private static string NonUtf8(Random random, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text).ToList();
        for (var i = 0; i < 1 + random.Next(10); i++)
        {
            bytes.Insert(random.Next(bytes.Count), (byte)(0x80 + random.Next(0x80)));
        }

        // What an editor shows for invalid UTF-8: replacement characters, or Latin-1 when it guesses the encoding.
        return random.Next(2) == 0 ? Encoding.UTF8.GetString(bytes.ToArray()) : Encoding.Latin1.GetString(bytes.ToArray());
    }

    private static string EditLines(Random random, string text, Action<List<string>, int> edit)
    {
        var lines = text.Split('\n').ToList();
        for (var i = 0; i < 1 + random.Next(8) && lines.Count > 1; i++)
        {
            edit(lines, random.Next(lines.Count));
        }

        return string.Join("\n", lines);
    }

    private static string RepeatSection(Random random, string text)
    {
        var markers = new[] { "<!-- [HELPER_FUNC_PROG_REF] -->", "<!-- [HELPER_FUNC_DEF] -->", "### Returns", "<!-- [BPFSHARP_FLAGS] -->", "# Helper function" };
        var marker = markers[random.Next(markers.Length)];
        var at = text.IndexOf(marker, StringComparison.Ordinal);
        if (at < 0)
        {
            return text + string.Concat(Enumerable.Repeat(marker + "\n", 500));
        }

        var end = text.IndexOf("\n\n", at, StringComparison.Ordinal);
        var section = text[at..(end < 0 ? text.Length : end)];
        return text.Insert(at, string.Concat(Enumerable.Repeat(section + "\n", 200 + random.Next(800))));
    }
}
