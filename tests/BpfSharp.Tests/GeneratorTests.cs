using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using BpfSharp.Generators;
using BpfSharp.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Xunit;

namespace BpfSharp.Tests;

public class GeneratorTests
{
    [Fact]
    public void Generated_helpers_match_the_checked_in_baseline()
    {
        Baseline.AssertMatches("BpfHelpers.verified.cs", TestCompilation.ShippedHelpersSource);
    }

    [Fact]
    public void The_output_rendered_at_build_time_equals_a_fresh_render_of_the_shipped_spec()
    {
        var fresh = HelperEmitter.Emit(HelperSpecMerger.Merge(BpfSharp.Spec.ShippedSpec.Helpers, []));

        Assert.Equal(fresh, HelperGenerator.ShippedOutput);
        Assert.Equal(fresh, TestCompilation.ShippedHelpersSource);
    }

    [Fact]
    public void Generated_code_compiles_without_any_diagnostic()
    {
        var consumer = """
            using BpfSharp;
            public static unsafe class Program
            {
                static readonly QueueMap<uint> Queue = new(8);
                [BpfProgram("xdp")]
                public static int Run(void* ctx) { uint v = 1; return (int)BpfHelpers.MapPushElem(Queue, &v, BpfFlags.BPF_EXIST); }
            }
            """;
        var (_, output, generatorDiagnostics) = TestCompilation.Generate(TestCompilation.Create(consumer));

        Assert.Empty(generatorDiagnostics);
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Hidden && d.Id != "CS8019"));
    }

    [Fact]
    public void Callbacks_are_typed_function_pointers_and_CSharp_8_gets_void_pointers()
    {
        Assert.Contains("public static long Loop(uint nrLoops, delegate*<ulong, void*, long> callbackFn,", TestCompilation.ShippedHelpersSource);

        // C# 8 (the oldest the stubs support: they use #nullable) has no function pointers: the stubs must still compile there.
        var old = new Microsoft.CodeAnalysis.CSharp.CSharpParseOptions(Microsoft.CodeAnalysis.CSharp.LanguageVersion.CSharp8);
        var compilation = TestCompilation.Create().AddSyntaxTrees(Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText("public static class Empty { }", old, path: "Empty.cs"));
        Microsoft.CodeAnalysis.CSharp.CSharpGeneratorDriver.Create([new HelperGenerator().AsSourceGenerator()], parseOptions: old)
            .RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);
        var source = output.SyntaxTrees.Single(t => t.FilePath.EndsWith(HelperGenerator.HintName, StringComparison.Ordinal)).ToString();

        Assert.Empty(diagnostics);
        Assert.Contains("public static long Loop(uint nrLoops, void* callbackFn,", source);
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
    }

    [Fact]
    public void One_raw_method_per_helper_following_the_contract()
    {
        var source = TestCompilation.ShippedHelpersSource;

        var pages = Directory.GetFiles(RepoPaths.SpecHelpers, "*.md").Length;
        Assert.Equal(211, pages);
        Assert.Equal(pages, source.Split('\n').Count(l => l.TrimStart().StartsWith("public static ", StringComparison.Ordinal)));
        Assert.Contains("public static void* MapLookupElem(global::BpfSharp.BpfMap map, void* key) =>", source);
        Assert.Contains("public static long TailCall(void* ctx, global::BpfSharp.BpfMap progArrayMap, uint index) =>", source);
        Assert.Contains("public static long RingbufOutput(global::BpfSharp.BpfMap ringbuf, void* data, ulong size, [global::BpfSharp.BpfHelperFlags(0x3UL, Description = \"BPF_RB_NO_WAKEUP (0x1), BPF_RB_FORCE_WAKEUP (0x2)\")] ulong flags) =>", source);
        Assert.Contains("public static long TracePrintk(byte* fmt, uint fmtSize, params ulong[] args) =>", source);
        Assert.Contains("public static ulong KtimeGetNs() =>", source);
        Assert.Contains("[global::BpfSharp.BpfHelper(\"bpf_map_push_elem\", 87, Since = \"4.20\", ProgramTypes = 0x1EFFFFFFEUL, MapTypes = 0x40C00000UL)]", source);
        Assert.Contains("public static long MapDeleteElem(global::BpfSharp.BpfMap map, void* key) =>", source);
        Assert.Contains("[global::BpfSharp.BpfHelper(\"bpf_map_delete_elem\", 3, Since = \"3.19\", ProgramTypes = 0x1EFFFFFFEUL, MapTypes = 0x48E66UL, AlwaysFailingMapTypes = 0x44UL, MapTypeConditions = \"15:26,13,1,3,4,6,21,22,30 18:26,13,1,3,4,6,21,22,30\")]", source);
        Assert.Contains("[global::BpfSharp.BpfHelper(\"bpf_trace_printk\", 6, Since = \"4.1\", GplOnly = true, ProgramTypes = ", source);
        Assert.Contains("[global::BpfSharp.BpfHelper(\"bpf_get_stackid\", 27, Since = \"4.6\", GplOnly = true, GplOnlyExceptions = new[] { \"BPF_PROG_TYPE_PERF_EVENT\" }, ProgramTypes = 0x850200A4UL, ProgramTypeConditions = \"31:kconfig=CONFIG_BPF_EVENTS\", MapTypes = 0x80UL)]", source);
        Assert.Contains("public static long MapPushElem(global::BpfSharp.BpfMap map, void* value, [global::BpfSharp.BpfHelperFlags(0x0UL, AcceptedValues = new ulong[] { 0x2UL }, Description = \"BPF_EXIST (0x2)\")] ulong flags) =>", source);
        Assert.Contains("public static long SkbVlanPush(void* skb, ushort vlanProto, ushort vlanTci) =>", source);
        Assert.Contains("public static long SkbLoadBytesRelative(", source);
        Assert.Contains("ProgramTypeVersions = \"1:6.10 3:6.10 4:6.10 6:6.10", source);
        Assert.Contains("<see href=\"https://docs.ebpf.io/linux/helper-function/bpf_map_push_elem/\"/>", source);
        Assert.DoesNotContain("\r", source);
    }

    [Fact]
    public void Output_is_identical_across_runs_cultures_and_additional_file_order()
    {
        var pageA = new InMemoryAdditionalText("a/bpf_custom_a.md", UserPage("bpf_custom_a", 9001));
        var pageB = new InMemoryAdditionalText("b/bpf_custom_b.md", UserPage("bpf_custom_b", 9002));
        var reference = TestCompilation.Generate(TestCompilation.Create(), pageA, pageB).Source;
        var original = CultureInfo.CurrentCulture;
        try
        {
            foreach (var culture in new[] { "tr-TR", "de-DE", "" })
            {
                CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = new CultureInfo(culture);
                Assert.Equal(reference, TestCompilation.Generate(TestCompilation.Create(), pageB, pageA).Source);
            }
        }
        finally
        {
            CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = original;
        }
    }

    [Fact]
    public void A_user_page_adds_a_helper_and_overrides_a_shipped_one()
    {
        var added = new InMemoryAdditionalText("pages/bpf_custom.md", UserPage("bpf_custom", 9001));
        var overriding = new InMemoryAdditionalText("pages/bpf_ktime_get_ns.md", UserPage("bpf_ktime_get_ns", 5, programType: "BPF_PROG_TYPE_KPROBE"));
        var notAPage = new InMemoryAdditionalText("notes/readme.md", "# Notes\nnothing here\n");

        var (source, output, _) = TestCompilation.Generate(TestCompilation.Create(), added, overriding, notAPage);

        Assert.Contains("public static long Custom(global::BpfSharp.BpfMap map, ulong flags) =>", source);
        var ktime = source[source.IndexOf("BpfHelper(\"bpf_ktime_get_ns\"", StringComparison.Ordinal)..];
        ktime = ktime[..ktime.IndexOf("=>", StringComparison.Ordinal)];
        Assert.Contains("ProgramTypes = 0x4UL", ktime);
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
    }

    [Fact]
    public void A_broken_user_page_neither_stops_the_generator_nor_breaks_the_code()
    {
        var broken = new InMemoryAdditionalText("pages/bpf_broken.md", "# Helper function `bpf_broken`\n`#!c static long (* const bpf_broken)(struct x y) = (void *) 1;`\n");
        var hostile = new InMemoryAdditionalText("pages/bpf_hostile.md", UserPage("bpf_hostile", 9003).Replace("Does custom things.", "Ends */ </summary> \"quoted\" & <b>"));

        var (source, output, diagnostics) = TestCompilation.Generate(TestCompilation.Create(), broken, hostile);

        Assert.Empty(diagnostics);
        Assert.DoesNotContain("Broken(", source);
        Assert.Contains("Ends */ &lt;/summary&gt; &quot;quoted&quot; &amp; &lt;b&gt;", source);
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));
    }

    [Fact]
    public void An_unrelated_edit_leaves_every_step_cached()
    {
        var page = new InMemoryAdditionalText("pages/bpf_custom.md", UserPage("bpf_custom", 9001));
        var compilation = TestCompilation.Create("class A { }");
        var driver = TestCompilation.CreateDriver([page]).RunGenerators(compilation);

        var edited = compilation.ReplaceSyntaxTree(compilation.SyntaxTrees.First(), Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText("class A { int x; }", path: "Source0.cs"));
        var result = driver.RunGenerators(edited).GetRunResult().Results.Single();

        foreach (var name in new[] { TrackingNames.UserPages, TrackingNames.HelperPages, TrackingNames.MergedSpec })
        {
            Assert.All(result.TrackedSteps[name].SelectMany(s => s.Outputs), o => Assert.Contains(o.Reason, new[] { IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged }));
        }

        Assert.All(result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs), o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
    }

    internal static string UserPage(string name, int id, string programType = "BPF_PROG_TYPE_XDP") => $"""
        # Helper function `{name}`

        <!-- [FEATURE_TAG]({name}) -->
        [:octicons-tag-24: v6.1](https://github.com/torvalds/linux/commit/0123456789abcdef)
        <!-- [/FEATURE_TAG] -->

        ## Definition

        <!-- [HELPER_FUNC_DEF] -->
        Does custom things.

        ### Returns

        Zero.

        `#!c static long (* const {name})(void *map, __u64 flags) = (void *) {id};`
        <!-- [/HELPER_FUNC_DEF] -->

        ### Program types

        <!-- [HELPER_FUNC_PROG_REF] -->
         * [`{programType}`](../program-type/{programType}.md)
        <!-- [/HELPER_FUNC_PROG_REF] -->

        ### Map types

        <!-- [HELPER_FUNC_MAP_REF] -->
         * [`BPF_MAP_TYPE_QUEUE`](../map-type/BPF_MAP_TYPE_QUEUE.md)
        <!-- [/HELPER_FUNC_MAP_REF] -->
        """;
}
