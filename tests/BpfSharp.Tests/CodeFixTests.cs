using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using BpfSharp.CodeFixes;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using GplVerifier = BpfSharp.Tests.Infrastructure.CodeFixVerifier<BpfSharp.Analyzers.HelperUsageAnalyzer, BpfSharp.CodeFixes.AddGplLicenseCodeFixProvider>;
using MapVerifier = BpfSharp.Tests.Infrastructure.CodeFixVerifier<BpfSharp.Analyzers.HelperUsageAnalyzer, BpfSharp.CodeFixes.ChangeMapTypeCodeFixProvider>;
using SectionVerifier = BpfSharp.Tests.Infrastructure.CodeFixVerifier<BpfSharp.Analyzers.ProgramDeclarationAnalyzer, BpfSharp.CodeFixes.SectionNameCodeFixProvider>;

namespace BpfSharp.Tests;

public class ChangeMapTypeCodeFixTests
{
    private const string QueueKey = ChangeMapTypeCodeFixProvider.EquivalenceKeyPrefix + "QueueMap";

    private static string Program(string members, string body) => $$"""
        using BpfSharp;
        [assembly: BpfLicense("GPL")]
        public static unsafe class Programs
        {
            {{members}}
            [BpfProgram("xdp")]
            public static int Run(void* ctx)
            {
                ulong value = 1;
                {{body}}
                return 0;
            }
        }
        """;

    [Fact]
    public Task Field_changes_from_HashMap_to_QueueMap_keeping_the_value_type() =>
        MapVerifier.VerifyAsync(
            Program("static readonly HashMap<uint, ulong> Counts = new(64);", "BpfHelpers.MapPushElem({|BPF0002:Counts|}, &value, 0);"),
            Program("static readonly QueueMap<ulong> Counts = new(64);", "BpfHelpers.MapPushElem(Counts, &value, 0);"),
            QueueKey);

    [Fact]
    public Task Explicit_creation_of_the_old_type_changes_too() =>
        MapVerifier.VerifyAsync(
            Program("static readonly HashMap<uint, ulong> Counts = new HashMap<uint, ulong>(64);", "BpfHelpers.MapPushElem({|BPF0002:Counts|}, &value, 0);"),
            Program("static readonly QueueMap<ulong> Counts = new QueueMap<ulong>(64);", "BpfHelpers.MapPushElem(Counts, &value, 0);"),
            QueueKey);

    [Fact]
    public Task Property_type_and_its_initializer_change() =>
        MapVerifier.VerifyAsync(
            Program("static HashMap<uint, ulong> Counts { get; } = new HashMap<uint, ulong>(64);", "BpfHelpers.MapPushElem({|BPF0002:Counts|}, &value, 0);"),
            Program("static QueueMap<ulong> Counts { get; } = new QueueMap<ulong>(64);", "BpfHelpers.MapPushElem(Counts, &value, 0);"),
            QueueKey);

    [Fact]
    public Task Local_with_a_written_type_changes_and_its_target_typed_new_stays() =>
        MapVerifier.VerifyAsync(
            Program(string.Empty, "HashMap<uint, ulong> local = new(8); BpfHelpers.MapPushElem({|BPF0002:local|}, &value, 0);"),
            Program(string.Empty, "QueueMap<ulong> local = new(8); BpfHelpers.MapPushElem(local, &value, 0);"),
            QueueKey);

    [Fact]
    public Task Var_local_changes_its_object_creation() =>
        MapVerifier.VerifyAsync(
            Program(string.Empty, "var local = new HashMap<uint, ulong>(8); BpfHelpers.MapPushElem({|BPF0002:local|}, &value, 0);"),
            Program(string.Empty, "var local = new QueueMap<ulong>(8); BpfHelpers.MapPushElem(local, &value, 0);"),
            QueueKey);

    [Fact]
    public Task A_one_parameter_class_gains_a_uint_key_when_the_new_class_takes_two() =>
        MapVerifier.VerifyAsync(
            Program("static readonly ArrayMap<ulong> Slots = new(8);", "uint key = 0; BpfHelpers.MapDeleteElem({|BPF0006:Slots|}, &key);"),
            Program("static readonly HashMap<uint, ulong> Slots = new(8);", "uint key = 0; BpfHelpers.MapDeleteElem(Slots, &key);"),
            ChangeMapTypeCodeFixProvider.EquivalenceKeyPrefix + "HashMap");

    [Fact]
    public Task A_user_subclass_is_replaced_by_the_new_class_with_its_base_type_arguments() =>
        MapVerifier.VerifyAsync(
            Program("sealed class Counts : HashMap<uint, uint> { } static readonly Counts Counters = new Counts();", "uint v = 0; BpfHelpers.MapPushElem({|BPF0002:Counters|}, &v, 0);"),
            Program("sealed class Counts : HashMap<uint, uint> { } static readonly QueueMap<uint> Counters = new QueueMap<uint>();", "uint v = 0; BpfHelpers.MapPushElem(Counters, &v, 0);"),
            QueueKey);

    [Fact]
    public Task Without_using_BpfSharp_the_new_type_is_qualified() =>
        MapVerifier.VerifyAsync(
            """
            [assembly: BpfSharp.BpfLicense("GPL")]
            public static unsafe class Programs
            {
                static readonly BpfSharp.HashMap<uint, ulong> Counts = new(64);
                public static void Run(ulong value) => BpfSharp.BpfHelpers.MapPushElem({|BPF0002:Counts|}, &value, 0);
            }
            """,
            """
            [assembly: BpfSharp.BpfLicense("GPL")]
            public static unsafe class Programs
            {
                static readonly BpfSharp.QueueMap<ulong> Counts = new(64);
                public static void Run(ulong value) => BpfSharp.BpfHelpers.MapPushElem(Counts, &value, 0);
            }
            """,
            QueueKey);

    [Fact]
    public async Task Offers_the_first_three_classes_named_in_the_title()
    {
        var (diagnostics, actions) = await MapVerifier.GetCodeActionsAsync(
            Program("static readonly ArrayMap<ulong> Slots = new(8);", "uint key = 0; BpfHelpers.MapDeleteElem(Slots, &key);"));

        // The analyzer orders the classes best first; the fix keeps its order and offers the first three.
        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal("BPF0006", diagnostic.Id);
        var classes = diagnostic.Properties[ChangeMapTypeCodeFixProvider.MapClassesProperty]!.Split(',');
        Assert.True(classes.Length > 3, "bpf_map_delete_elem works with more than three map classes");
        Assert.Equal(classes.Take(3).Select(c => ChangeMapTypeCodeFixProvider.EquivalenceKeyPrefix + c), actions.Select(a => a.EquivalenceKey));
        Assert.Equal(classes.Take(3).Select(c => $"Change 'Slots' to {c}<uint, ulong>"), actions.Select(a => a.Title));
        Assert.Contains("Change 'Slots' to HashMap<uint, ulong>", actions.Select(a => a.Title));
    }

    [Fact]
    public async Task Title_names_the_variable_and_the_new_type()
    {
        var (_, actions) = await MapVerifier.GetCodeActionsAsync(
            Program("static readonly HashMap<uint, ulong> Counts = new(64);", "BpfHelpers.MapPushElem(Counts, &value, 0);"));

        Assert.Contains("Change 'Counts' to QueueMap<ulong>", actions.Select(a => a.Title));
        Assert.InRange(actions.Count, 1, 3);
    }

    [Fact]
    public Task Fix_all_changes_each_declaration_once_even_with_two_diagnostics_on_it() =>
        MapVerifier.VerifyAsync(
            Program(
                "static readonly HashMap<uint, ulong> Counts = new(64); static readonly ArrayMap<ulong> Other = new ArrayMap<ulong>(4);",
                "BpfHelpers.MapPushElem({|BPF0002:Counts|}, &value, 0); BpfHelpers.MapPushElem({|BPF0002:Counts|}, &value, 2); BpfHelpers.MapPushElem({|BPF0002:Other|}, &value, 0);"),
            Program(
                "static readonly QueueMap<ulong> Counts = new(64); static readonly QueueMap<ulong> Other = new QueueMap<ulong>(4);",
                "BpfHelpers.MapPushElem(Counts, &value, 0); BpfHelpers.MapPushElem(Counts, &value, 2); BpfHelpers.MapPushElem(Other, &value, 0);"),
            QueueKey);

    [Fact]
    public async Task Fix_all_in_project_edits_the_declaring_document()
    {
        var test = MapVerifier.Create();
        test.TestState.Sources.Add(("Use.cs", """
            using BpfSharp;
            [assembly: BpfLicense("GPL")]
            public static unsafe class Programs
            {
                public static void Run(ulong value) => BpfHelpers.MapPushElem({|BPF0002:Maps.Counts|}, &value, 0);
            }
            """));
        test.TestState.Sources.Add(("Use2.cs", """
            using BpfSharp;
            public static unsafe class More
            {
                public static void Run(ulong value) => BpfHelpers.MapPushElem({|BPF0002:Maps.Counts|}, &value, 0);
            }
            """));
        test.TestState.Sources.Add(("Maps.cs", """
            using BpfSharp;
            public static class Maps
            {
                public static readonly HashMap<uint, ulong> Counts = new(64);
            }
            """));
        test.FixedState.Sources.Add(("Use.cs", """
            using BpfSharp;
            [assembly: BpfLicense("GPL")]
            public static unsafe class Programs
            {
                public static void Run(ulong value) => BpfHelpers.MapPushElem(Maps.Counts, &value, 0);
            }
            """));
        test.FixedState.Sources.Add(("Use2.cs", """
            using BpfSharp;
            public static unsafe class More
            {
                public static void Run(ulong value) => BpfHelpers.MapPushElem(Maps.Counts, &value, 0);
            }
            """));
        test.FixedState.Sources.Add(("Maps.cs", """
            using BpfSharp;
            public static class Maps
            {
                public static readonly QueueMap<ulong> Counts = new(64);
            }
            """));
        test.CodeActionEquivalenceKey = QueueKey;
        await test.RunAsync();
    }

    [Theory]
    [InlineData("BpfHelpers.MapPushElem(new HashMap<uint, ulong>(8), &value, 0);")]
    [InlineData("BpfHelpers.MapPushElem(Make(), &value, 0);")]
    [InlineData("BpfHelpers.MapPushElem(Counter.Value, &value, 0);")]
    [InlineData("var local = Make(); BpfHelpers.MapPushElem(local, &value, 0);")]
    [InlineData("HashMap<uint, ulong> a = new(1), b = new(2); BpfHelpers.MapPushElem(a, &value, 0);")]
    public async Task No_fix_when_the_argument_is_not_a_declaration_the_fix_can_change(string body)
    {
        // Counter.Value: a property declared in metadata (System.Lazy<T>), not in source.
        var (diagnostics, actions) = await MapVerifier.GetCodeActionsAsync(
            Program("static HashMap<uint, ulong> Make() => new(8); static readonly System.Lazy<HashMap<uint, ulong>> Counter = new(Make);", body));

        Assert.Equal("BPF0002", Assert.Single(diagnostics).Id);
        Assert.Empty(actions);
    }

    [Fact]
    public async Task No_fix_through_the_harness_either()
    {
        var source = Program("static HashMap<uint, ulong> Make() => new(8);", "BpfHelpers.MapPushElem({|BPF0002:Make()|}, &value, 0);");
        var test = MapVerifier.Create();
        test.TestCode = source;
        test.FixedCode = source;
        await test.RunAsync();
    }
}

public class AddGplLicenseCodeFixTests
{
    [Fact]
    public Task Adds_the_licence_after_the_using_directives() =>
        GplVerifier.VerifyAsync(
            """
            using BpfSharp;

            public static unsafe class Programs
            {
                [BpfProgram("xdp")]
                public static int Run(void* ctx) => (int){|BPF0004:BpfHelpers.GetCurrentTask()|};
            }
            """,
            """
            using BpfSharp;

            [assembly: BpfLicense("GPL")]

            public static unsafe class Programs
            {
                [BpfProgram("xdp")]
                public static int Run(void* ctx) => (int)BpfHelpers.GetCurrentTask();
            }
            """);

    [Fact]
    public Task Qualifies_the_attribute_when_BpfSharp_is_not_imported_and_keeps_the_header_on_top() =>
        GplVerifier.VerifyAsync(
            """
            // Header comment.

            /// <summary>The programs.</summary>
            public static unsafe class Programs
            {
                [BpfSharp.BpfProgram("xdp")]
                public static int Run(void* ctx) => (int){|BPF0004:BpfSharp.BpfHelpers.GetCurrentTask()|};
            }
            """,
            """
            // Header comment.

            [assembly: BpfSharp.BpfLicense("GPL")]

            /// <summary>The programs.</summary>
            public static unsafe class Programs
            {
                [BpfSharp.BpfProgram("xdp")]
                public static int Run(void* ctx) => (int)BpfSharp.BpfHelpers.GetCurrentTask();
            }
            """);

    [Fact]
    public Task A_comment_touching_the_first_member_stays_with_it() =>
        GplVerifier.VerifyAsync(
            """
            // The programs.
            public static unsafe class Programs
            {
                [BpfSharp.BpfProgram("xdp")]
                public static int Run(void* ctx) => (int){|BPF0004:BpfSharp.BpfHelpers.GetCurrentTask()|};
            }
            """,
            """
            [assembly: BpfSharp.BpfLicense("GPL")]

            // The programs.
            public static unsafe class Programs
            {
                [BpfSharp.BpfProgram("xdp")]
                public static int Run(void* ctx) => (int)BpfSharp.BpfHelpers.GetCurrentTask();
            }
            """);

    [Fact]
    public async Task Replaces_an_existing_licence_in_another_document()
    {
        var test = GplVerifier.Create();
        test.TestState.Sources.Add(("Program.cs", """
            using BpfSharp;
            public static unsafe class Programs
            {
                [BpfProgram("xdp")]
                public static int Run(void* ctx) => (int){|BPF0004:BpfHelpers.GetCurrentTask()|};
            }
            """));
        test.TestState.Sources.Add(("AssemblyInfo.cs", """
            [assembly: BpfSharp.BpfLicense("MIT")]
            """));
        test.FixedState.Sources.Add(("Program.cs", """
            using BpfSharp;
            public static unsafe class Programs
            {
                [BpfProgram("xdp")]
                public static int Run(void* ctx) => (int)BpfHelpers.GetCurrentTask();
            }
            """));
        test.FixedState.Sources.Add(("AssemblyInfo.cs", """
            [assembly: BpfSharp.BpfLicense("GPL")]
            """));
        await test.RunAsync();
    }

    [Fact]
    public async Task Fix_all_adds_one_licence_for_calls_in_two_documents()
    {
        // Fix All runs in document, project and solution scope (the harness checks each against FixedState).
        var test = GplVerifier.Create();
        test.TestState.Sources.Add(("A.cs", """
            using BpfSharp;
            public static unsafe class A
            {
                [BpfProgram("xdp")]
                public static int Run(void* ctx) => (int){|BPF0004:BpfHelpers.GetCurrentTask()|} + (int){|BPF0004:BpfHelpers.GetCurrentTask()|};
            }
            """));
        test.TestState.Sources.Add(("B.cs", """
            using BpfSharp;
            public static unsafe class B
            {
                [BpfProgram("kprobe/do_unlinkat")]
                public static int Run(void* ctx) => (int){|BPF0004:BpfHelpers.GetCurrentTask()|};
            }
            """));
        test.FixedState.Sources.Add(("A.cs", """
            using BpfSharp;

            [assembly: BpfLicense("GPL")]
            public static unsafe class A
            {
                [BpfProgram("xdp")]
                public static int Run(void* ctx) => (int)BpfHelpers.GetCurrentTask() + (int)BpfHelpers.GetCurrentTask();
            }
            """));
        test.FixedState.Sources.Add(("B.cs", """
            using BpfSharp;
            public static unsafe class B
            {
                [BpfProgram("kprobe/do_unlinkat")]
                public static int Run(void* ctx) => (int)BpfHelpers.GetCurrentTask();
            }
            """));
        test.NumberOfFixAllIterations = 1;
        await test.RunAsync();
    }

    [Fact]
    public async Task Fix_all_in_solution_adds_one_licence_to_each_project()
    {
        const string before = """
            using BpfSharp;
            public static unsafe class {0}
            {
                [BpfProgram("xdp")]
                public static int Run(void* ctx) => (int){|BPF0004:BpfHelpers.GetCurrentTask()|};
                public static ulong Again() => {|BPF0004:BpfHelpers.GetCurrentTask()|};
            }
            """;
        const string after = """
            using BpfSharp;

            [assembly: BpfLicense("GPL")]
            public static unsafe class {0}
            {
                [BpfProgram("xdp")]
                public static int Run(void* ctx) => (int)BpfHelpers.GetCurrentTask();
                public static ulong Again() => BpfHelpers.GetCurrentTask();
            }
            """;
        var test = GplVerifier.Create();
        test.TestState.Sources.Add(("First.cs", before.Replace("{0}", "First")));
        test.FixedState.Sources.Add(("First.cs", after.Replace("{0}", "First")));
        var second = test.TestState.AdditionalProjects["Second"];
        second.Sources.Add(("Second.cs", before.Replace("{0}", "Second")));
        var secondFixed = test.FixedState.AdditionalProjects["Second"];
        secondFixed.Sources.Add(("Second.cs", after.Replace("{0}", "Second")));

        // Document and project scope fix only the first project; solution scope must fix both, once each.
        test.CodeFixTestBehaviors = CodeFixTestBehaviors.SkipFixAllInDocumentCheck | CodeFixTestBehaviors.SkipFixAllInProjectCheck;
        test.NumberOfFixAllIterations = 1;
        await test.RunAsync();
    }
}

public class SectionNameCodeFixTests
{
    [Fact]
    public Task Replaces_a_misspelt_section_with_the_suggestion() =>
        SectionVerifier.VerifyAsync(
            """
            using BpfSharp;
            [assembly: BpfLicense("GPL")]
            public static unsafe class Programs
            {
                [{|BPF0007:BpfProgram("xpd")|}]
                public static int Run(void* ctx) => 0;
            }
            """,
            """
            using BpfSharp;
            [assembly: BpfLicense("GPL")]
            public static unsafe class Programs
            {
                [BpfProgram("xdp")]
                public static int Run(void* ctx) => 0;
            }
            """,
            SectionNameCodeFixProvider.EquivalenceKey);

    [Fact]
    public async Task Fix_all_applies_each_attribute_its_own_suggestion()
    {
        var test = SectionVerifier.Create();
        test.TestCode = """
            using BpfSharp;
            [assembly: BpfLicense("GPL")]
            public static unsafe class Programs
            {
                [{|BPF0007:BpfProgram("xpd")|}]
                public static int Run(void* ctx) => 0;

                [{|BPF0007:BpfProgram("kprboe/do_unlinkat")|}]
                public static int Probe(void* ctx) => 0;

                [BpfProgram("xdp"), {|BPF0007:BpfProgram(BpfProgramType.Kprobe)|}]
                public static int Twice(void* ctx) => 0;
            }
            """;

        // The double declaration has no suggestion: it stays, and is expected in the fixed code.
        test.FixedState.MarkupHandling = MarkupMode.Allow;
        test.FixedCode = """
            using BpfSharp;
            [assembly: BpfLicense("GPL")]
            public static unsafe class Programs
            {
                [BpfProgram("xdp")]
                public static int Run(void* ctx) => 0;

                [BpfProgram("kprobe/do_unlinkat")]
                public static int Probe(void* ctx) => 0;

                [BpfProgram("xdp"), {|BPF0007:BpfProgram(BpfProgramType.Kprobe)|}]
                public static int Twice(void* ctx) => 0;
            }
            """;
        test.CodeActionEquivalenceKey = SectionNameCodeFixProvider.EquivalenceKey;
        await test.RunAsync();
    }
}
