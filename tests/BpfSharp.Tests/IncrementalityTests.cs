using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using BpfSharp.Compiler;
using BpfSharp.Generators;
using BpfSharp.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit;

namespace BpfSharp.Tests;

/// <summary>What the generator redoes after an edit: nothing for unrelated edits, only the touched page for a page edit.</summary>
public class IncrementalityTests
{
    private const string Program = """
        using BpfSharp;
        public static unsafe class Programs
        {
            static readonly QueueMap<uint> Queue = new(8);
            [BpfProgram("xdp")]
            public static int Run(void* ctx) { uint v = 1; return (int)BpfHelpers.MapPushElem(Queue, &v, 0); }
        }
        """;

    private static readonly string[] AllSteps = [TrackingNames.UserPages, TrackingNames.HelperPages, TrackingNames.MergedSpec, TrackingNames.Tracepoints];

    private static readonly InMemoryAdditionalText PageA = new("pages/bpf_custom_a.md", GeneratorTests.UserPage("bpf_custom_a", 9001));
    private static readonly InMemoryAdditionalText PageB = new("pages/bpf_custom_b.md", GeneratorTests.UserPage("bpf_custom_b", 9002));

    private static (GeneratorDriver Driver, CSharpCompilation Compilation) FirstRun()
    {
        var compilation = TestCompilation.Create(Program, "class Unrelated { }");
        var driver = TestCompilation.CreateDriver([PageA, PageB]).RunGenerators(compilation);
        return (driver, compilation);
    }

    private static GeneratorRunResult Result(GeneratorDriver driver) => driver.GetRunResult().Results.Single();

    private static void AssertNothingRegenerated(GeneratorRunResult result, params string[] steps)
    {
        foreach (var step in steps)
        {
            Assert.All(result.TrackedSteps[step].SelectMany(s => s.Outputs), o => Assert.Contains(o.Reason, new[] { IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged }));
        }

        // The translated units record the declarations they were translated against: a declaration edit anywhere
        // rewrites them (for the build step; an IDE runs no implementation output), and nothing else.
        Assert.All(result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs).Where(o => !HintNames(o.Value).Contains(BpfObjectSource.UnitsHintName)), o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
    }

    // The hint names of what an output step added (its value is the step's sources and diagnostics).
    private static string[] HintNames(object value) =>
        value.GetType().GetField("Item1")?.GetValue(value) is System.Collections.IEnumerable sources
            ? sources.Cast<object>().Select(source => (string)source.GetType().GetProperty("HintName")!.GetValue(source)!).ToArray()
            : [];

    [Fact]
    public void An_edit_inside_a_program_body_regenerates_only_the_programs_C()
    {
        var (driver, compilation) = FirstRun();
        var tree = compilation.SyntaxTrees.First();
        var edited = compilation.ReplaceSyntaxTree(tree, tree.WithChangedText(tree.GetText().Replace(Program.IndexOf("uint v = 1", StringComparison.Ordinal), "uint v = 1".Length, "uint v = 2")));
        var result = Result(driver.RunGenerators(edited));

        foreach (var step in AllSteps)
        {
            Assert.All(result.TrackedSteps[step].SelectMany(s => s.Outputs), o => Assert.Contains(o.Reason, new[] { IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged }));
        }

        // The stubs stay as they were; the outputs that change are the C the build compiles (v is now 2) and its units.
        var changed = result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs).Where(o => o.Reason != IncrementalStepRunReason.Cached).ToArray();
        Assert.Equal(new[] { BpfObjectSource.HintName, BpfObjectSource.UnitsHintName }, changed.SelectMany(o => HintNames(o.Value)).Order(StringComparer.Ordinal));
        Assert.Contains("__u32 v = 2U;", result.GeneratedSources.Single(s => s.HintName == "BpfSharp.BpfObject.g.cs").SourceText.ToString());
    }

    [Fact]
    public void An_edit_inside_a_tracepoint_program_keeps_its_context_struct()
    {
        const string Tracing = """
            using BpfSharp;
            using BpfSharp.Kernel.Tracepoints;
            public static unsafe class Tracing
            {
                [BpfProgram("tp/syscalls/sys_enter_openat")]
                public static int Run(Syscalls.SysEnterOpenat* ctx) => ctx->Flags == 1 ? 1 : 0;
            }
            """;
        var compilation = TestCompilation.Create(Tracing);
        var driver = TestCompilation.CreateDriver().RunGenerators(compilation);
        var tree = compilation.SyntaxTrees.First();
        var edited = compilation.ReplaceSyntaxTree(tree, tree.WithChangedText(tree.GetText().Replace(Tracing.IndexOf("== 1", StringComparison.Ordinal), "== 1".Length, "== 2")));
        var result = Result(driver.RunGenerators(edited));

        Assert.All(result.TrackedSteps[TrackingNames.Tracepoints].SelectMany(s => s.Outputs), o => Assert.Contains(o.Reason, new[] { IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged }));
        var changed = result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs).Where(o => o.Reason != IncrementalStepRunReason.Cached).SelectMany(o => HintNames(o.Value));
        Assert.DoesNotContain(TranslationCache.TracepointContextsFileName, changed);
        Assert.Contains(result.GeneratedSources, s => s.HintName == TranslationCache.TracepointContextsFileName);
    }

    [Fact]
    public void An_edit_to_an_unrelated_file_regenerates_nothing()
    {
        var (driver, compilation) = FirstRun();
        var edited = compilation.ReplaceSyntaxTree(compilation.SyntaxTrees.Last(), CSharpSyntaxTree.ParseText("class Unrelated { int x; }", path: "Source1.cs"));

        AssertNothingRegenerated(Result(driver.RunGenerators(edited)), AllSteps);
    }

    [Fact]
    public void Adding_an_additional_file_that_is_not_a_helper_page_regenerates_nothing()
    {
        var (driver, compilation) = FirstRun();
        driver = driver.AddAdditionalTexts([new InMemoryAdditionalText("docs/notes.md", "# Notes\nnothing to see\n")]);
        var result = Result(driver.RunGenerators(compilation));

        // The per-file step may read the new file (it finds no page); the pages already read stay cached and nothing
        // after that step changes.
        var perFile = result.TrackedSteps[TrackingNames.UserPages].SelectMany(s => s.Outputs).Where(o => o.Value != null).ToArray();
        Assert.Equal(2, perFile.Length);
        Assert.All(perFile, o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
        AssertNothingRegenerated(result, TrackingNames.HelperPages, TrackingNames.MergedSpec);
    }

    [Fact]
    public void Changing_an_unrelated_msbuild_property_regenerates_nothing()
    {
        var (driver, compilation) = FirstRun();
        driver = driver.WithUpdatedAnalyzerConfigOptions(new BuildProperties(("build_property.SomethingElse", "42"), ("build_property.BpfTargetKernel", "5.10")));

        AssertNothingRegenerated(Result(driver.RunGenerators(compilation)), AllSteps);
    }

    [Fact]
    public void Editing_one_user_page_reparses_only_that_page()
    {
        var (driver, compilation) = FirstRun();
        driver = driver.ReplaceAdditionalText(PageB, new InMemoryAdditionalText(PageB.Path, GeneratorTests.UserPage("bpf_custom_b", 9002, programType: "BPF_PROG_TYPE_KPROBE")));
        var result = Result(driver.RunGenerators(compilation));

        var pages = result.TrackedSteps[TrackingNames.HelperPages].SelectMany(s => s.Outputs).ToArray();
        Assert.Single(pages, o => o.Reason == IncrementalStepRunReason.Modified);
        Assert.Single(pages, o => o.Reason == IncrementalStepRunReason.Cached);
        Assert.Equal(IncrementalStepRunReason.Modified, result.TrackedSteps[TrackingNames.MergedSpec].Single().Outputs.Single().Reason);
        Assert.Contains("BpfHelper(\"bpf_custom_b\", 9002, Since = \"6.1\", ProgramTypes = 0x4UL", result.GeneratedSources.Single(s => s.HintName == HelperGenerator.HintName).SourceText.ToString());
    }

    private static string ProgramFile(int n, int value = 1) => $$"""
        using BpfSharp;
        public static unsafe class Programs{{n}}
        {
            static readonly QueueMap<uint> Queue{{n}} = new(8);
            [BpfProgram("xdp")]
            public static int Run{{n}}(void* ctx) { uint v = {{value}}; return (int)BpfHelpers.MapPushElem(Queue{{n}}, &v, 0); }
        }
        """;

    // Ten programs in ten files and one file without BPF code, generated by a generator with its own kept translations.
    private static (GeneratorDriver Driver, CSharpCompilation Compilation, TranslationCache Translations) ManyPrograms(IncrementalGeneratorOutputKind disabled = IncrementalGeneratorOutputKind.None)
    {
        var translations = new TranslationCache();
        var compilation = TestCompilation.Create([.. Enumerable.Range(0, 10).Select(n => ProgramFile(n)), "class Unrelated { int Get() { return 1; } }"]);
        var driver = CSharpGeneratorDriver.Create([new HelperGenerator(translations).AsSourceGenerator()], driverOptions: new GeneratorDriverOptions(disabled, trackIncrementalGeneratorSteps: true));
        return (driver.RunGenerators(compilation), compilation, translations);
    }

    private static CSharpCompilation Replace(CSharpCompilation compilation, int file, string text) =>
        compilation.ReplaceSyntaxTree(compilation.SyntaxTrees.ElementAt(file), CSharpSyntaxTree.ParseText(text, new CSharpParseOptions(LanguageVersion.Latest), path: compilation.SyntaxTrees.ElementAt(file).FilePath));

    [Fact]
    public void An_edit_in_a_file_without_BPF_code_translates_no_program()
    {
        var (driver, compilation, translations) = ManyPrograms();
        var before = translations.Translations;

        var result = Result(driver.RunGenerators(Replace(compilation, 10, "class Unrelated { int Get() { return 2; } }")));

        Assert.Equal(20, before); // ten programs, ten classes' declared maps
        Assert.Equal(before, translations.Translations);
        Assert.All(result.TrackedSteps[TrackingNames.ObjectSource].SelectMany(s => s.Outputs), o => Assert.Equal(IncrementalStepRunReason.Unchanged, o.Reason));
        Assert.All(result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs), o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
    }

    [Fact]
    public void An_edit_inside_one_of_ten_programs_translates_that_program_only()
    {
        var (driver, compilation, translations) = ManyPrograms();
        var before = translations.Translations;

        var result = Result(driver.RunGenerators(Replace(compilation, 3, ProgramFile(3, value: 7))));

        Assert.Equal(1, translations.Translations - before);
        Assert.Contains("__u32 v = 7U;", result.GeneratedSources.Single(s => s.HintName == "BpfSharp.BpfObject.g.cs").SourceText.ToString());
    }

    [Fact]
    public void The_analyzers_reuse_the_generators_units_when_it_adds_tracepoint_contexts()
    {
        // The generator translates a compilation it completed with its own outputs; the analyzers get the final one,
        // where the compiler may order those outputs otherwise: both must come to one fingerprint, or each translates again.
        var translations = new TranslationCache();
        var compilation = TestCompilation.Create("""
            using BpfSharp;
            using BpfSharp.Kernel.Tracepoints;
            public static unsafe class Tracing
            {
                [BpfProgram("tp/syscalls/sys_enter_openat")]
                public static int Run(Syscalls.SysEnterOpenat* ctx) => ctx->Flags == 1 ? 1 : 0;
            }
            """);
        CSharpGeneratorDriver.Create([new HelperGenerator(translations).AsSourceGenerator()]).RunGeneratorsAndUpdateCompilation(compilation, out var output, out _);
        var before = translations.Translations;

        var translated = BpfTranslator.Translate(output, translations.Context(output, null, default), default);

        Assert.True(before > 0);
        Assert.NotNull(translated.C);
        Assert.Equal(before, translations.Translations);
    }

    [Fact]
    public void An_IDE_which_runs_no_implementation_output_never_translates()
    {
        var (driver, compilation, translations) = ManyPrograms(IncrementalGeneratorOutputKind.Implementation);

        var result = Result(driver.RunGenerators(Replace(compilation, 3, ProgramFile(3, value: 7))));

        Assert.Equal(0, translations.Translations);
        Assert.DoesNotContain(result.GeneratedSources, s => s.HintName == "BpfSharp.BpfObject.g.cs");
        Assert.Contains(result.GeneratedSources, s => s.HintName == HelperGenerator.HintName);
    }
}
