using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Threading.Tasks;
using BpfSharp.Analyzers;
using BpfSharp.Generators;
using BpfSharp.Spec;
using BpfSharp.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit;

namespace BpfSharp.Tests;

/// <summary>The one [BpfHelper] codec: the emitter, the analyzer and the runtime attribute agree with it and with the spec.</summary>
public class HelperFactEncodingTests
{
    [Fact]
    public void Every_shipped_helper_round_trips_to_the_facts_of_its_page()
    {
        var helpers = ShippedSpec.Helpers.ToArray();
        Assert.Equal(211, helpers.Length);
        Assert.True(helpers.Count(h => !h.Conditions.IsEmpty) >= 80, "the shipped spec should carry conditions");

        foreach (var helper in helpers)
        {
            var encoded = HelperFactEncoding.Encode(HelperEmitter.Facts(helper));
            var decoded = HelperFactEncoding.Decode(encoded);

            AssertMatchesPage(helper, decoded);
            Assert.Equal(Describe(encoded), Describe(HelperFactEncoding.Encode(decoded)));
        }
    }

    [Fact]
    public void Every_shipped_enum_value_fits_the_bit_sets()
    {
        Assert.All(KernelTypes.ProgramTypes.Members, m => Assert.InRange(m.Value, 0, 63));
        Assert.All(KernelTypes.MapTypes.Members, m => Assert.InRange(m.Value, 0, 63));
    }

    [Theory]
    [InlineData(64, false)]
    [InlineData(100, false)]
    [InlineData(-1, false)]
    [InlineData(64, true)]
    public void An_enum_value_outside_the_64_bit_set_fails_loudly_instead_of_wrapping(int value, bool mapType)
    {
        var facts = new HelperFactSet(
            "bpf_future",
            9000,
            since: null,
            gplOnly: false,
            gplOnlyExceptions: [],
            programTypes: mapType ? null : [new ProgramTypeFact(6, null), new ProgramTypeFact(value, null)],
            programTypeConditions: [],
            mapTypes: mapType ? [new MapTypeFact(value, alwaysFails: false, onlyInProgramTypes: null)] : null);

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => HelperFactEncoding.Encode(facts));

        Assert.Contains(mapType ? "MapTypes" : "ProgramTypes", error.Message);
        Assert.Contains(value.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message);
    }

    [Theory]
    [InlineData("cap bpf", "CAP_BPF")]
    [InlineData("cap", "CAP BPF")]
    [InlineData("cap=x", "CAP_BPF")]
    [InlineData("", "CAP_BPF")]
    [InlineData("cap", "")]
    public void A_condition_token_the_format_cannot_carry_fails_loudly(string kind, string value)
    {
        var facts = new HelperFactSet("bpf_x", 9000, null, false, [], null, [new ProgramTypeCondition(6, kind, [value])], null);

        var error = Assert.Throws<ArgumentException>(() => HelperFactEncoding.Encode(facts));

        Assert.Contains("ProgramTypeConditions", error.Message);
    }

    [Fact]
    public void Conditions_are_encoded_by_program_type_value_in_page_order_within_one()
    {
        var facts = new HelperFactSet("bpf_x", 9000, null, false, [], null,
            [new ProgramTypeCondition(26, "sleepable", ["true"]), new ProgramTypeCondition(6, "cap", ["CAP_BPF", "CAP_PERFMON"]), new ProgramTypeCondition(6, "kconfig", ["CONFIG_INET"])],
            null);

        Assert.Equal("6:cap=CAP_BPF,CAP_PERFMON 6:kconfig=CONFIG_INET 26:sleepable=true", HelperFactEncoding.Encode(facts).ProgramTypeConditions);
    }

    [Fact]
    public void Malformed_strings_decode_to_their_well_formed_entries_without_throwing()
    {
        var decoded = HelperFactEncoding.Decode(new EncodedHelperFacts("bpf_x", 1)
        {
            ProgramTypes = 0b1100_0000,
            ProgramTypeVersions = "x:1 :2 6 -6:5.1 99999999999:6.1 7:6.10 7: \t",
            ProgramTypeConditions = "garbage 1:=x 2:k 3:kind=a,,b x:k=v :k=v -4:k=v 4:bad,kind=v 99999999999:k=v 5:cap=CAP_BPF 6:k=",
            MapTypes = 1UL << 15 | 1UL << 63,
            AlwaysFailingMapTypes = 1UL << 63 | 1UL << 2,
            MapTypeConditions = "a:b 15:x,26,-1,,1 63 :1",
            GplOnlyExceptions = ["BPF_PROG_TYPE_XDP", null!],
        });

        Assert.Equal([(6, (string?)null), (7, "")], decoded.ProgramTypes!.Select(p => (p.Value, p.Since)));
        Assert.Equal(["3:kind=a,b", "5:cap=CAP_BPF", "6:k="], decoded.ProgramTypeConditions.Select(c => $"{c.ProgramType}:{c.Kind}={string.Join(",", c.Values)}"));
        Assert.Equal([(15, false, "26,1"), (63, true, (string?)null)], decoded.MapTypes!.Select(m => (m.Value, m.AlwaysFails, m.OnlyInProgramTypes is null ? null : string.Join(",", m.OnlyInProgramTypes))));
        Assert.Equal(["BPF_PROG_TYPE_XDP"], decoded.GplOnlyExceptions);

        var empty = HelperFactEncoding.Decode(new EncodedHelperFacts("bpf_y", 2));
        Assert.Null(empty.ProgramTypes);
        Assert.Null(empty.MapTypes);
        Assert.Empty(empty.ProgramTypeConditions);
        Assert.Empty(empty.GplOnlyExceptions);
    }

    [Fact]
    public async Task The_analyzer_survives_hand_written_BpfHelper_attributes_with_malformed_strings()
    {
        var source = """
            using BpfSharp;
            public static unsafe class Custom
            {
                [BpfHelper("bpf_odd", 9200, ProgramTypes = 0x40UL, ProgramTypeVersions = "::: 6:", ProgramTypeConditions = "6:cap 6:=x x:y=z 6:cap=,,", MapTypes = 0xFFFFFFFFFFFFFFFFUL, AlwaysFailingMapTypes = 0x1UL, MapTypeConditions = "15: 2:-1,a")]
                public static long Odd(BpfMap map) => 0;

                static readonly QueueMap<uint> Queue = new(8);

                [BpfProgram("xdp")]
                public static int Run(void* ctx) => (int)Odd(Queue);
            }
            """;
        var (_, output, _) = TestCompilation.Generate(TestCompilation.Create(source));
        var exceptions = new List<Exception>();
        var options = new CompilationWithAnalyzersOptions(new AnalyzerOptions([]), (e, _, _) => exceptions.Add(e), concurrentAnalysis: false, logAnalyzerExecutionTime: false);

        var diagnostics = await output.WithAnalyzers([new HelperUsageAnalyzer()], options).GetAllDiagnosticsAsync();

        Assert.Empty(exceptions);
        Assert.DoesNotContain(diagnostics, d => d.Id == "AD0001");
        var odd = BpfSymbols.Create(output)!.GetHelper(output.GetTypeByMetadataName("Custom")!.GetMembers("Odd").OfType<IMethodSymbol>().Single())!;
        Assert.Equal(new[] { 6 }, odd.ProgramTypes!.Keys);
        Assert.Equal(["6:cap="], odd.ProgramTypeConditions.Select(c => $"{c.ProgramType}:{c.Kind}={string.Join(",", c.Values)}"));
        Assert.Equal(64, odd.MapTypes.Count);
    }

    [Fact]
    public void A_condition_row_the_encoding_cannot_carry_is_a_located_BPF1013_and_left_out()
    {
        var page = GeneratorTests.UserPage("bpf_conditional", 9300) + """

            ### Conditions

            <!-- [BPFSHARP_CONDITIONS] -->
            | program type | condition | values |
            |---|---|---|
            | `BPF_PROG_TYPE_XDP` | cap | CAP_BPF, CAP_PERFMON |
            | `BPF_PROG_TYPE_XDP` | needs a | CAP_BPF |
            | `BPF_PROG_TYPE_XDP` | kconfig | CONFIG_A=y |
            <!-- [/BPFSHARP_CONDITIONS] -->
            """;

        var result = HelperPageParser.Parse("pages/bpf_conditional.md", page);
        var lines = page.Split('\n');

        Assert.Equal([new ProgramCondition("BPF_PROG_TYPE_XDP", "cap", "CAP_BPF, CAP_PERFMON")], result.Helper!.Conditions);
        Assert.Equal(2, result.Diagnostics.Count(d => d.Id == SpecDiagnosticIds.MalformedFact));
        Assert.All(result.Diagnostics, d => Assert.Contains("| `BPF_PROG_TYPE_XDP` |", lines[d.Line - 1]));
        Assert.Contains("ProgramTypeConditions = \"6:cap=CAP_BPF,CAP_PERFMON\"", HelperEmitter.Emit([result.Helper]));
    }

    [Fact]
    public void The_runtime_attribute_decodes_the_generated_code_as_the_analyzer_does()
    {
        var (_, output, _) = TestCompilation.Generate(TestCompilation.Create());
        var stubs = TestCompilation.Load(output).GetType("BpfSharp.BpfHelpers", throwOnError: true)!.GetMethods(BindingFlags.Public | BindingFlags.Static);
        var symbols = BpfSymbols.Create(output)!;
        var helpers = output.GetTypeByMetadataName("BpfSharp.BpfHelpers")!.GetMembers().OfType<IMethodSymbol>().ToDictionary(m => m.Name, StringComparer.Ordinal);
        var pages = ShippedSpec.Helpers.ToDictionary(h => h.Name, StringComparer.Ordinal);

        Assert.Equal(211, stubs.Length);
        foreach (var stub in stubs)
        {
            var attribute = stub.GetCustomAttribute<BpfHelperAttribute>()!;
            var analyzer = symbols.GetHelper(helpers[stub.Name])!;

            Assert.Equal(attribute.Name, analyzer.Name);
            Assert.Equal(attribute.Id, analyzer.Id);
            Assert.Equal(attribute.AllowedProgramTypes?.Select(p => (int)p).Order(), analyzer.ProgramTypes?.Keys.Order());
            Assert.Equal(attribute.AcceptedMapTypes.Select(m => (int)m).Order(), analyzer.MapTypes.Keys.Order());
            Assert.Equal(
                attribute.Conditions.Select(c => ((int)c.ProgramType, c.Kind, string.Join(",", c.Values))),
                analyzer.ProgramTypeConditions.Select(c => (c.ProgramType, c.Kind, string.Join(",", c.Values))));

            // And what the analyzer reads from the generated text is the page's facts.
            var page = pages[analyzer.Name];
            AssertMatchesPage(page, new HelperFactSet(
                analyzer.Name,
                analyzer.Id,
                analyzer.Since,
                analyzer.GplOnly,
                analyzer.GplOnlyExceptions,
                analyzer.ProgramTypes?.Select(p => new ProgramTypeFact(p.Key, p.Value)).ToArray(),
                analyzer.ProgramTypeConditions,
                analyzer.MapParameters.IsEmpty ? null : analyzer.MapTypes.Select(m => new MapTypeFact(m.Key, m.Value.AlwaysFails, m.Value.OnlyInProgramTypes?.ToArray())).ToArray()));
        }

        var getsockopt = stubs.Single(s => s.Name == "Getsockopt").GetCustomAttribute<BpfHelperAttribute>()!;
        Assert.Contains(getsockopt.Conditions, c => c.ProgramType == BpfProgramType.CgroupSockopt && c.Kind == "attach_type" && c.Values.SequenceEqual(["BPF_CGROUP_SETSOCKOPT"]));
    }

    [Fact]
    public void The_runtime_attribute_decodes_hand_written_strings_without_throwing()
    {
        var attribute = new BpfHelperAttribute("bpf_x", 1)
        {
            ProgramTypes = 0x41UL,
            ProgramTypeConditions = "6:cap=CAP_BPF,CAP_PERFMON nonsense 0:k 26:sleepable=true",
            MapTypes = 0x8000UL,
            MapTypeConditions = "15:zz",
        };

        Assert.Equal([BpfProgramType.Unspec, BpfProgramType.Xdp], attribute.AllowedProgramTypes);
        Assert.Equal([BpfMapType.Sockmap], attribute.AcceptedMapTypes);
        Assert.Equal(["Xdp: cap=CAP_BPF,CAP_PERFMON", "Tracing: sleepable=true"], attribute.Conditions.Select(c => c.ToString()));
        Assert.Null(new BpfHelperAttribute("bpf_y", 2).AllowedProgramTypes);
        Assert.Empty(new BpfHelperAttribute("bpf_y", 2).AcceptedMapTypes);
    }

    // The decoded facts are the page's: program and map types by value, versions, conditions in encoded order.
    private static void AssertMatchesPage(HelperSpec helper, HelperFactSet decoded)
    {
        Assert.Equal(helper.Name, decoded.Name);
        Assert.Equal(helper.Id, decoded.Id);
        Assert.Equal(helper.Since, decoded.Since);
        Assert.Equal(helper.GplOnly == true, decoded.GplOnly);
        Assert.Equal(helper.GplOnly == true ? helper.GplOnlyExceptions.ToArray() : [], decoded.GplOnlyExceptions);

        if (!helper.HasProgramTypeTable)
        {
            Assert.Null(decoded.ProgramTypes);
        }
        else
        {
            var expected = helper.ProgramTypes.Select(p => (ProgramType(p.ProgramType), p.Since)).OrderBy(p => p.Item1);
            Assert.Equal(expected, decoded.ProgramTypes!.Select(p => (p.Value, p.Since)).OrderBy(p => p.Value));
        }

        var conditions = helper.Conditions
            .Select(c => (ProgramType(c.ProgramType), c.Kind, string.Join(",", c.Values.Split(',').Select(v => v.Trim()))))
            .OrderBy(c => c.Item1);
        Assert.Equal(conditions, decoded.ProgramTypeConditions.Select(c => (c.ProgramType, c.Kind, string.Join(",", c.Values))));

        if (!helper.Parameters.Any(CTypes.IsMapParameter))
        {
            Assert.Null(decoded.MapTypes);
            return;
        }

        var working = helper.MapTypes.Select(MapType).ToHashSet();
        var accepted = VerifierMapRules.AcceptedMapTypes(helper.Name)
            .Select(a => (MapType(a.MapType), helper.HasMapTypeTable && !working.Contains(MapType(a.MapType)), a.OnlyInProgramTypes is null ? null : string.Join(",", a.OnlyInProgramTypes.Select(ProgramType).Order())))
            .OrderBy(a => a.Item1);
        Assert.Equal(accepted, decoded.MapTypes!.Select(m => (m.Value, m.AlwaysFails, m.OnlyInProgramTypes is null ? null : string.Join(",", m.OnlyInProgramTypes.Order()))).OrderBy(m => m.Value));
    }

    private static int ProgramType(string name) => KernelTypes.ProgramTypes.FindByName(name)!.Value;

    private static int MapType(string name) => KernelTypes.MapTypes.FindByName(name)!.Value;

    private static string Describe(EncodedHelperFacts e) =>
        string.Join("|", e.Name, e.Id, e.Since, e.GplOnly, e.GplOnlyExceptions is null ? "-" : string.Join(",", e.GplOnlyExceptions), e.ProgramTypes, e.ProgramTypeVersions, e.ProgramTypeConditions, e.MapTypes, e.AlwaysFailingMapTypes, e.MapTypeConditions);
}
