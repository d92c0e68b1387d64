using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using BpfSharp.Compiler;
using BpfSharp.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit;

namespace BpfSharp.Tests.Compiler;

/// <summary>
/// Programs translated one at a time add up to the object one unit writes, and a kept translation is reused exactly when
/// nothing it is made of changed: what an IDE's keystroke or a compiler server's next build costs.
/// </summary>
public class TranslationCacheTests
{
    private const string Shared = """
        using BpfSharp;
        [assembly: BpfLicense("GPL")]
        public struct Pair { public ulong Packets; public ulong Bytes; }
        public static unsafe class Common
        {
            public static readonly HashMap<uint, Pair> Totals = new(maxEntries: 64);
            public static ulong Counter;
            public static void Add(uint key, ulong bytes)
            {
                Pair* pair = (Pair*)BpfHelpers.MapLookupElem(Totals, &key);
                if (pair != null) { pair->Packets += 1; pair->Bytes += bytes; }
                Counter += 1;
            }
        }
        """;

    private static string ProgramFile(int n, string body = "Common.Add(1, 64);") => $$"""
        using BpfSharp;
        public static unsafe class Program{{n}}
        {
            static readonly ArrayMap<ulong> Seen{{n}} = new(maxEntries: 1);
            static readonly QueueMap<ulong> Unused{{n}} = new(maxEntries: 8);

            [BpfProgram("xdp")]
            public static int Run{{n}}(void* ctx)
            {
                {{body}}
                return Step{{n}}(2);
            }

            static int Step{{n}}(int x) => x;
        }
        """;

    private const string Unrelated = """
        public static class Unrelated
        {
            public static int Sum(int a, int b)
            {
                return a + b;
            }
        }
        """;

    public static IEnumerable<object[]> Corpora()
    {
        yield return ["two programs sharing a callee, a struct and maps", new[] { Shared, ProgramFile(1), ProgramFile(2), ProgramFile(3) }];
        yield return ["the counter of the translator tests", new[] { BpfTranslatorTests.Counter }];
        yield return ["constructs of the differential test", new[] { Kernel.ConstructDifferentialTests.Source }];
        yield return ["generated integer code", new[] { Kernel.IntegerDifferentialTests.Source(new IntegerExpressions(7), 4, 12, out _) }];
        yield return ["two structs and two callees of one name, in two namespaces", new[] { """
            using BpfSharp;
            namespace A { public struct Pair { public uint X; } public static unsafe class Tools { public static uint Get(Pair* p) => p->X; } }
            namespace B { public struct Pair { public ulong Y; } public static unsafe class Tools { public static ulong Get(Pair* p) => p->Y; } }
            public static unsafe class Programs
            {
                [BpfProgram("xdp")] public static int First(void* ctx) { A.Pair p = default; return (int)A.Tools.Get(&p); }
                [BpfProgram("xdp")] public static int Second(void* ctx) { B.Pair p = default; return (int)B.Tools.Get(&p); }
            }
            """ }];
        foreach (var file in Directory.GetFiles(Path.Combine(RepoPaths.Root, "tests", "Programs"), "*.cs").OrderBy(f => f, StringComparer.Ordinal))
        {
            yield return ["tests/Programs/" + Path.GetFileName(file), new[] { File.ReadAllText(file) }];
        }
    }

    [Theory]
    [MemberData(nameof(Corpora))]
    public void Programs_translated_one_at_a_time_write_the_object_one_unit_writes(string what, string[] sources)
    {
        var compilation = WithHelpers(sources);
        var oneUnit = BpfTranslator.TranslateAsOneUnit(compilation, "/project");
        var result = BpfTranslator.Translate(compilation, "/project");

        Assert.True(result.C != null, what + ": " + string.Join("\n", result.Problems));
        Assert.Equal(oneUnit, result.C);
    }

    [Fact]
    public void An_edit_in_a_method_no_program_calls_translates_nothing()
    {
        var (cache, compilation, first) = Translated();
        var edited = Edit(compilation, "Unrelated.cs", "return a + b;", "return a - b;\n        // and a new line");

        var again = BpfTranslator.Translate(edited, "/project", cache, default);

        Assert.Equal(0, cache.Translations - first);
        Assert.Equal(Fresh(edited), again.C);
    }

    [Fact]
    public void An_edit_inside_one_program_translates_that_program_only()
    {
        var (cache, compilation, first) = Translated();
        var edited = Edit(compilation, "Program2.cs", "Common.Add(1, 64);", "Common.Add(2, 64);");

        var again = BpfTranslator.Translate(edited, "/project", cache, default);

        Assert.Equal(1, cache.Translations - first);
        Assert.Contains("Common_Add(2U, 64ULL)", again.C);
        Assert.Equal(Fresh(edited), again.C);
    }

    [Fact]
    public void An_edit_in_a_method_several_programs_call_translates_those_programs()
    {
        var (cache, compilation, first) = Translated();
        var edited = Edit(compilation, "Shared.cs", "Counter += 1;", "Counter += 2;");

        var again = BpfTranslator.Translate(edited, "/project", cache, default);

        Assert.Equal(3, cache.Translations - first);
        Assert.Equal(Fresh(edited), again.C);
    }

    [Fact]
    public void A_line_added_above_a_program_translates_it_again_for_its_line_directives()
    {
        var (cache, compilation, first) = Translated();
        var edited = Edit(compilation, "Program1.cs", "public static unsafe class Program1\n{", "public static unsafe class Program1\n{\n");

        var again = BpfTranslator.Translate(edited, "/project", cache, default);

        Assert.Equal(1, cache.Translations - first); // the class's maps carry no line: they stay
        Assert.Equal(Fresh(edited), again.C);
    }

    [Theory]
    [InlineData("Unrelated.cs", "public static int Sum(int a, int b)", "public static int Sum(long a, int b)")] // a signature anywhere may change what a call binds to
    [InlineData("Shared.cs", "public ulong Bytes;", "public ulong Bytes; public ulong Drops;")] // a struct's layout
    [InlineData("Shared.cs", "[assembly: BpfLicense(\"GPL\")]", "[assembly: BpfLicense(\"Dual BSD/GPL\")]")]
    public void A_declaration_change_translates_everything_again(string file, string from, string to)
    {
        var (cache, compilation, first) = Translated();
        var edited = Edit(compilation, file, from, to);

        var again = BpfTranslator.Translate(edited, "/project", cache, default);

        Assert.Equal(first, cache.Translations - first);
        Assert.Equal(Fresh(edited), again.C);
    }

    [Fact]
    public void Kept_translations_are_not_offered_to_another_project()
    {
        var (cache, compilation, first) = Translated();

        BpfTranslator.Translate(compilation.WithAssemblyName("Other"), "/project", cache, default);
        BpfTranslator.Translate(compilation, "/elsewhere", cache, default);

        Assert.Equal(3 * first, cache.Translations);
    }

    [Fact]
    public void A_new_process_given_the_exported_units_translates_nothing_for_the_same_sources()
    {
        var (cache, compilation, _) = Translated();
        var exported = cache.Export(cache.Context(compilation, "/project", default))!;

        var next = new TranslationCache();
        var context = next.Context(compilation, "/project", default);
        Assert.True(next.Import(context, exported));
        var again = BpfTranslator.Translate(compilation, context, default);

        Assert.Equal(0, next.Translations);
        Assert.Equal(Fresh(compilation), again.C);
        Assert.DoesNotContain("/project", exported);
        Assert.DoesNotContain("/project", KeptUnitsFile.Body(exported.Split('\n')[4])); // paths under the project are relative: the assembly carries no checkout's path
        Assert.True(exported.Length < Fresh(compilation)!.Length, $"{exported.Length} characters of units for {Fresh(compilation)!.Length} of C"); // deflated
    }

    [Fact]
    public void A_new_process_given_the_exported_units_translates_the_edited_program_only()
    {
        var (cache, compilation, _) = Translated();
        var exported = cache.Export(cache.Context(compilation, "/project", default))!;
        var edited = Edit(compilation, "Program2.cs", "Common.Add(1, 64);", "Common.Add(2, 64);");

        var next = new TranslationCache();
        var context = next.Context(edited, "/project", default);
        Assert.True(next.Import(context, exported));
        var again = BpfTranslator.Translate(edited, context, default);

        Assert.Equal(1, next.Translations);
        Assert.Contains("Common_Add(2U, 64ULL)", again.C);
        Assert.Equal(Fresh(edited), again.C);
        Assert.NotEqual(exported, next.Export(context)); // the next build gets the new unit
    }

    [Fact]
    public void Exported_units_are_not_taken_for_other_declarations_or_another_checkout()
    {
        var (cache, compilation, first) = Translated();
        var exported = cache.Export(cache.Context(compilation, "/project", default))!;
        var edited = Edit(compilation, "Shared.cs", "public ulong Bytes;", "public ulong Bytes; public ulong Drops;");

        var next = new TranslationCache();
        Assert.False(next.Import(next.Context(edited, "/project", default), exported));
        Assert.Equal(Fresh(edited), BpfTranslator.Translate(edited, next.Context(edited, "/project", default), default).C);
        Assert.Equal(first, next.Translations);

        // Moved elsewhere: the units hold paths relative to the project, so they apply there as they did here.
        var moved = CSharpCompilation.Create(
            compilation.AssemblyName,
            compilation.SyntaxTrees.Select(t => t.WithFilePath(t.FilePath.Replace("/project/", "/elsewhere/"))),
            compilation.References,
            compilation.Options);
        var there = new TranslationCache();
        var movedContext = there.Context(moved, "/elsewhere", default);
        Assert.True(there.Import(movedContext, exported));
        Assert.Equal(BpfTranslator.Translate(moved, "/elsewhere").C, BpfTranslator.Translate(moved, movedContext, default).C);
        Assert.Equal(0, there.Translations);
    }

    [Fact]
    public void Exported_units_changed_in_any_way_are_not_taken_and_never_throw()
    {
        var (cache, compilation, first) = Translated();
        var exported = cache.Export(cache.Context(compilation, "/project", default))!;
        var random = new Random(19);
        var variants = new List<string> { string.Empty, "garbage", exported.Substring(0, exported.Length / 2), exported + " 1", exported.Replace("bpfsharp-units/2", "bpfsharp-units/3") };
        for (var i = 0; i < 200; i++)
        {
            var at = random.Next(exported.Length);
            var replacement = (char)random.Next(32, 127);
            if (exported[at] != replacement)
            {
                variants.Add(exported.Substring(0, at) + replacement + exported.Substring(at + 1));
            }

            variants.Add(exported.Substring(0, random.Next(exported.Length)));
        }

        foreach (var variant in variants)
        {
            var next = new TranslationCache();
            var context = next.Context(compilation, "/project", default);
            Assert.False(next.Import(context, variant), variant.Length.ToString());
            Assert.Equal(Fresh(compilation), BpfTranslator.Translate(compilation, context, default).C);
        }
    }

    private static (TranslationCache Cache, CSharpCompilation Compilation, int Translations) Translated()
    {
        var cache = new TranslationCache();
        var compilation = Project();
        var result = BpfTranslator.Translate(compilation, "/project", cache, default);
        Assert.Equal(Fresh(compilation), result.C);
        Assert.Equal(6, cache.Translations); // three programs, three classes' declared maps
        return (cache, compilation, cache.Translations);
    }

    private static CSharpCompilation Project() =>
        CSharpCompilation.Create(
            "Consumer",
            new[] { ("Shared.cs", Shared), ("Program1.cs", ProgramFile(1)), ("Program2.cs", ProgramFile(2)), ("Program3.cs", ProgramFile(3)), ("Unrelated.cs", Unrelated), ("BpfHelpers.g.cs", TestCompilation.ShippedHelpersSource) }
                .Select(f => CSharpSyntaxTree.ParseText(f.Item2, new CSharpParseOptions(LanguageVersion.Latest), path: "/project/" + f.Item1)),
            TestCompilation.Create().References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true));

    private static CSharpCompilation Edit(CSharpCompilation compilation, string file, string from, string to)
    {
        var tree = compilation.SyntaxTrees.Single(t => t.FilePath == "/project/" + file);
        var text = tree.GetText().ToString();
        Assert.Contains(from, text);
        return compilation.ReplaceSyntaxTree(tree, tree.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(text.Replace(from, to))));
    }

    private static string? Fresh(Compilation compilation) => BpfTranslator.Translate(compilation, "/project").C;

    private static CSharpCompilation WithHelpers(string[] sources) =>
        TestCompilation.Create([.. sources, TestCompilation.ShippedHelpersSource]);
}

/// <summary>In one build the analyzers find the programs the generator translated, and say where names collide even then.</summary>
public class SharedTranslationTests
{
    private const string TwoRuns = """
        using BpfSharp;
        [assembly: BpfLicense("GPL")]
        public static unsafe class A
        {
            static readonly ArrayMap<ulong> Seen = new(maxEntries: 1);
            [BpfProgram("xdp")]
            public static int Run(void* ctx) { uint key = 0; BpfHelpers.MapLookupElem(Seen, &key); return 2; }
        }

        public static unsafe class B
        {
            [BpfProgram("xdp")]
            public static int Run(void* ctx) => 2;
        }
        """;

    [Fact]
    public void The_analyzers_compilation_finds_the_units_the_generator_kept()
    {
        var compilation = TestCompilation.Create(BpfTranslatorTests.Counter).WithAssemblyName("Shared" + Guid.NewGuid().ToString("N"));
        var (_, output, _) = TestCompilation.Generate(compilation);
        var program = output.GetTypeByMetadataName("Counter")!.GetMembers("Count").OfType<IMethodSymbol>().Single();
        var context = TranslationCache.Shared.Context(output, null, default);

        // The generated helper stubs and C constant do not make the analyzers' compilation another one.
        Assert.NotNull(TranslationCache.Shared.Find(context, "program " + TranslationUnit.SymbolKey(program)));
        Assert.Same(TranslationCache.Shared.Find(context, "program " + TranslationUnit.SymbolKey(program)), BpfTranslator.TranslateProgram(output, program, TranslationCache.Shared, context));
    }

    [Fact]
    public async System.Threading.Tasks.Task A_name_conflict_is_located_when_the_units_come_from_the_cache()
    {
        var compilation = TestCompilation.Create(TwoRuns, TestCompilation.ShippedHelpersSource).WithAssemblyName("Conflict" + Guid.NewGuid().ToString("N"));
        foreach (var run in new[] { "fresh", "kept" })
        {
            var diagnostics = await compilation.WithAnalyzers([new BpfSharp.Analyzers.BpfCompilabilityAnalyzer()]).GetAnalyzerDiagnosticsAsync();
            var conflict = Assert.Single(diagnostics, d => d.Id == "BPF2005");
            Assert.True(conflict.Location.IsInSource, run);
            Assert.Equal(12, conflict.Location.GetLineSpan().StartLinePosition.Line); // B.Run
        }
    }
}
