using System;
using System.IO;
using System.Linq;
using BpfSharp.Spec;
using BpfSharp.Tests.Infrastructure;
using Xunit;

namespace BpfSharp.Tests;

public class ParserTests
{
    private static readonly string[] FirstSlice =
    [
        "bpf_map_lookup_elem", "bpf_map_update_elem", "bpf_map_delete_elem", "bpf_map_push_elem", "bpf_map_pop_elem",
        "bpf_map_peek_elem", "bpf_tail_call", "bpf_perf_event_output", "bpf_get_stackid", "bpf_redirect_map",
        "bpf_xdp_adjust_head", "bpf_skb_load_bytes", "bpf_override_return", "bpf_get_current_pid_tgid", "bpf_ktime_get_ns",
        "bpf_trace_printk", "bpf_probe_read_kernel", "bpf_get_current_task", "bpf_ringbuf_output", "bpf_ringbuf_reserve",
        "bpf_ringbuf_submit",
    ];

    // Upstream pages whose C declaration differs from libbpf's bpf_helper_defs.h (libbpf wins in the shipped spec):
    // bpf_d_path lacks the const of 'const struct path *'; the dynptr helpers still show the __u32 sizes and offsets
    // that libbpf has since widened to __u64.
    private static readonly string[] KnownSignatureDrifts = ["bpf_d_path", "bpf_dynptr_data", "bpf_dynptr_from_mem", "bpf_dynptr_read", "bpf_dynptr_write"];

    [Fact]
    public void Shipped_pages_parse_without_problems_and_cover_the_first_slice()
    {
        var results = Directory.GetFiles(RepoPaths.SpecHelpers, "*.md").Select(f => HelperPageParser.Parse(f, File.ReadAllText(f))).ToArray();

        Assert.All(results, r => Assert.True(r.Diagnostics.IsEmpty, string.Join("\n", r.Diagnostics)));
        Assert.Subset(results.Select(r => r.Helper!.Name).ToHashSet(), FirstSlice.ToHashSet());
        Assert.All(results, r =>
        {
            var helper = r.Helper!;
            Assert.NotEmpty(helper.Docs.Summary);
            Assert.NotEmpty(helper.Docs.Returns);
            Assert.NotEmpty(helper.Docs.Usage);
            Assert.Equal(helper.Parameters.Select(p => p.Name), helper.Docs.Parameters.Select(p => p.Name));
            Assert.NotNull(helper.Since);
            Assert.True(helper.HasProgramTypeTable);
        });
    }

    [SkippableFact]
    public void Shipped_signatures_equal_libbpf()
    {
        Skip.IfNot(RepoPaths.HasShared, RepoPaths.NoSharedReason);
        var signatures = KernelData.HelperSignatures();
        foreach (var file in Directory.GetFiles(RepoPaths.SpecHelpers, "*.md"))
        {
            var helper = HelperPageParser.Parse(file, File.ReadAllText(file)).Helper!;
            Assert.Equal(signatures[helper.Id], (helper.Name, helper.CSignature));
        }
    }

    [SkippableFact]
    public void Seed_page_in_the_older_markup_parses()
    {
        Skip.IfNot(RepoPaths.HasShared, RepoPaths.NoSharedReason);
        var seed = Directory.GetFiles(Path.Combine(RepoPaths.Shared, "seed")).Single();
        var result = HelperPageParser.Parse(seed, File.ReadAllText(seed));

        Assert.Empty(result.Diagnostics);
        var helper = result.Helper!;
        Assert.Equal("bpf_map_push_elem", helper.Name);
        Assert.Equal(87, helper.Id);
        Assert.Equal("long", helper.ReturnType);
        Assert.Equal([("void *", "map"), ("const void *", "value"), ("__u64", "flags")], helper.Parameters.Select(p => (p.CType, p.Name)));
        Assert.Equal("4.20", helper.Since);
        Assert.Equal(29, helper.ProgramTypes.Count);
        Assert.Contains(helper.ProgramTypes, p => p.ProgramType == "BPF_PROG_TYPE_XDP" && p.Since is null);
        Assert.Equal(["BPF_MAP_TYPE_BLOOM_FILTER", "BPF_MAP_TYPE_QUEUE", "BPF_MAP_TYPE_STACK"], helper.MapTypes);
        Assert.Equal("0 on success, or a negative error in case of failure.", helper.Docs.Returns);
        Assert.Equal(KernelData.HelperSignatures()[87].Signature, helper.CSignature);
    }

    [SkippableFact]
    public void Every_upstream_page_parses_with_ids_1_to_211_and_libbpf_signatures()
    {
        Skip.IfNot(RepoPaths.HasShared, RepoPaths.NoSharedReason);
        var directory = Path.Combine(RepoPaths.Shared, "ebpf-docs", "docs", "linux", "helper-function");
        var pages = Directory.GetFiles(directory, "bpf_*.md");
        var signatures = KernelData.HelperSignatures();

        var helpers = pages.Select(p =>
        {
            var result = HelperPageParser.Parse(p, File.ReadAllText(p));
            Assert.True(result.Diagnostics.IsEmpty, string.Join("\n", result.Diagnostics));
            return result.Helper!;
        }).ToArray();

        Assert.Equal(211, helpers.Length);
        Assert.Equal(Enumerable.Range(1, 211), helpers.Select(h => h.Id).OrderBy(i => i));
        var drifts = helpers.Where(h => signatures[h.Id] != (h.Name, h.CSignature)).Select(h => h.Name).OrderBy(n => n).ToArray();
        Assert.Equal(KnownSignatureDrifts, drifts);
    }

    [SkippableFact]
    public void Pages_without_definition_markers_keep_signature_and_bold_returns()
    {
        Skip.IfNot(RepoPaths.HasShared, RepoPaths.NoSharedReason);
        var page = Path.Combine(RepoPaths.Shared, "ebpf-docs", "docs", "linux", "helper-function", "bpf_tail_call.md");
        var text = File.ReadAllText(page);
        Assert.DoesNotContain("HELPER_FUNC_DEF", text);

        var helper = HelperPageParser.Parse(page, text).Helper!;

        Assert.Equal(12, helper.Id);
        Assert.Equal(["ctx", "prog_array_map", "index"], helper.Parameters.Select(p => p.Name));
        Assert.Equal("0 on success, or a negative error in case of failure.", helper.Docs.Returns);
        Assert.StartsWith("Upon call of this helper", helper.Docs.Summary);
    }

    [Fact]
    public void Version_tags_of_program_types_are_read()
    {
        var file = Path.Combine(RepoPaths.SpecHelpers, "bpf_get_current_pid_tgid.md");
        var helper = HelperPageParser.Parse(file, File.ReadAllText(file)).Helper!;

        Assert.Equal("6.10", helper.ProgramTypes.Single(p => p.ProgramType == "BPF_PROG_TYPE_XDP").Since);
        Assert.Null(helper.ProgramTypes.Single(p => p.ProgramType == "BPF_PROG_TYPE_KPROBE").Since);
    }

    public static TheoryData<string, string, string, int> MalformedPages => new()
    {
        { "no heading", "Just some text\nstatic long (* const bpf_x)(void) = (void *) 5;\n", SpecDiagnosticIds.MissingHeading, 1 },
        { "empty file", "", SpecDiagnosticIds.MissingHeading, 1 },
        { "no signature", "# Helper function `bpf_x`\n\n## Definition\n\nDoes things.\n", SpecDiagnosticIds.MissingSignature, 3 },
        { "signature without name", "# Helper function `bpf_x`\n\n`#!c static long (* const )(void) = (void *) 5;`\n", SpecDiagnosticIds.MalformedSignature, 3 },
        { "parameter without type", "# Helper function `bpf_x`\n\n\n`#!c static long (* const bpf_x)(map) = (void *) 5;`\n", SpecDiagnosticIds.MalformedSignature, 4 },
        { "struct by value", "# Helper function `bpf_x`\n`#!c static long (* const bpf_x)(struct foo f) = (void *) 5;`\n", SpecDiagnosticIds.MalformedSignature, 2 },
        { "id zero", "# Helper function `bpf_x`\n`#!c static long (* const bpf_x)(void) = (void *) 0;`\n", SpecDiagnosticIds.MalformedSignature, 2 },
        { "id overflow", "# Helper function `bpf_x`\n`#!c static long (* const bpf_x)(void) = (void *) 99999999999;`\n", SpecDiagnosticIds.MalformedSignature, 2 },
        { "name mismatch", "# Helper function `bpf_y`\n`#!c static long (* const bpf_x)(void) = (void *) 5;`\n", SpecDiagnosticIds.NameMismatch, 1 },
        { "unknown program type", Page(programs: " * [`BPF_PROG_TYPE_XDP`](x)\n * [`BPF_PROG_TYPE_NOPE`](x)"), SpecDiagnosticIds.UnknownProgramType, 9 },
        { "program entry without type", Page(programs: " * XDP"), SpecDiagnosticIds.MalformedListEntry, 8 },
        { "duplicate program type", Page(programs: " * [`BPF_PROG_TYPE_XDP`](x)\n * [`BPF_PROG_TYPE_XDP`](x)"), SpecDiagnosticIds.DuplicateListEntry, 9 },
        { "bad program version", Page(programs: " * [`BPF_PROG_TYPE_XDP`](x) [:octicons-tag-24: vlatest](x)"), SpecDiagnosticIds.MalformedVersion, 8 },
        { "unknown map type", Page(maps: " * [`BPF_MAP_TYPE_HASHY`](x)"), SpecDiagnosticIds.UnknownMapType, 12 },
        { "unterminated program list", "# Helper function `bpf_x`\n`#!c static long (* const bpf_x)(void) = (void *) 5;`\n<!-- [HELPER_FUNC_PROG_REF] -->\n * [`BPF_PROG_TYPE_XDP`](x)\n", SpecDiagnosticIds.UnterminatedSection, 3 },
        { "bad feature tag", "# Helper function `bpf_x`\n<!-- [FEATURE_TAG](bpf_x) -->\n[:octicons-tag-24: v5](x)\n<!-- [/FEATURE_TAG] -->\n`#!c static long (* const bpf_x)(void) = (void *) 5;`\n", SpecDiagnosticIds.MalformedVersion, 3 },
    };

    [Theory]
    [MemberData(nameof(MalformedPages))]
    public void Malformed_pages_give_located_errors(string why, string text, string expectedId, int expectedLine)
    {
        var result = HelperPageParser.Parse("user/page.md", text);

        var diagnostic = Assert.Single(result.Diagnostics);
        Assert.True(diagnostic.Id == expectedId && diagnostic.Line == expectedLine, $"{why}: got {diagnostic}");
        Assert.Equal("user/page.md", diagnostic.Path);
    }

    [Fact]
    public void Crlf_bom_and_tabs_do_not_change_the_result()
    {
        var file = Path.Combine(RepoPaths.SpecHelpers, "bpf_map_push_elem.md");
        var text = File.ReadAllText(file);
        var expected = HelperPageParser.Parse(file, text);

        var variant = HelperPageParser.Parse(file, "\uFEFF" + text.Replace("\n", "\r\n"));

        Assert.Equal(expected, variant);
    }

    [Fact]
    public void Garbage_never_throws()
    {
        var random = new Random(1234);
        var file = Path.Combine(RepoPaths.SpecHelpers, "bpf_map_push_elem.md");
        var text = File.ReadAllText(file);
        for (var i = 0; i < 500; i++)
        {
            var chars = text.ToCharArray();
            for (var flips = 0; flips < 20; flips++)
            {
                chars[random.Next(chars.Length)] = (char)random.Next(0, 0x3000);
            }

            var result = HelperPageParser.Parse("fuzz.md", new string(chars, 0, random.Next(chars.Length)));
            Assert.All(result.Diagnostics, d => Assert.InRange(d.Line, 1, chars.Length + 1));
        }
    }

    private static string Page(string programs = " * [`BPF_PROG_TYPE_XDP`](x)", string maps = " * [`BPF_MAP_TYPE_HASH`](x)") =>
        "# Helper function `bpf_x`\n" +                      // 1
        "`#!c static long (* const bpf_x)(void *map) = (void *) 5;`\n" + // 2
        "\n" +                                                // 3
        "### Program types\n" +                               // 4
        "\n" +                                                // 5
        "<!-- DO NOT EDIT MANUALLY -->\n" +                   // 6
        "<!-- [HELPER_FUNC_PROG_REF] -->\n" +                 // 7
        programs + "\n" +                                     // 8..
        "<!-- [/HELPER_FUNC_PROG_REF] -->\n" +
        "### Map types\n" +
        "<!-- [HELPER_FUNC_MAP_REF] -->\n" +
        maps + "\n" +
        "<!-- [/HELPER_FUNC_MAP_REF] -->\n";
}
