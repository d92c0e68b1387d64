using System.Threading.Tasks;
using BpfSharp.Analyzers;
using Microsoft.CodeAnalysis;
using Xunit;
using HelperVerifier = BpfSharp.Tests.Infrastructure.AnalyzerVerifier<BpfSharp.Analyzers.HelperUsageAnalyzer>;
using PageVerifier = BpfSharp.Tests.Infrastructure.AnalyzerVerifier<BpfSharp.Analyzers.SpecPageAnalyzer>;
using ProgramVerifier = BpfSharp.Tests.Infrastructure.AnalyzerVerifier<BpfSharp.Analyzers.ProgramDeclarationAnalyzer>;

namespace BpfSharp.Tests;

public class TransitiveCallTests
{
    [Fact]
    public Task A_helper_two_calls_away_is_checked_and_the_chain_is_named() =>
        HelperVerifier.VerifyAsync("""
            using BpfSharp;
            [assembly: BpfLicense("GPL")]
            public static unsafe class Programs
            {
                static readonly StackTraceMap Stacks = new(8);
                [BpfProgram("xdp")]
                public static int Run(void* ctx) => Collect(ctx);
                static int Collect(void* ctx) => (int)Sample(ctx);
                static long Sample(void* ctx) => {|#0:BpfHelpers.GetStackid(ctx, Stacks, 0)|};
            }
            """,
            HelperVerifier.Diagnostic(DiagnosticIds.HelperNotAllowedInProgramType).WithLocation(0).WithMessage(
                "program of this type cannot use helper bpf_get_stackid#27: 'Run' (through Run -> Collect -> Sample) is a program of type XDP (BPF_PROG_TYPE_XDP), and bpf_get_stackid may only be called from KPROBE, PERF_EVENT, RAW_TRACEPOINT, RAW_TRACEPOINT_WRITABLE, SYSCALL, TRACEPOINT, TRACING"));

    [Fact]
    public Task Recursion_terminates_and_each_call_is_reported_once_per_program() =>
        HelperVerifier.VerifyAsync("""
            using BpfSharp;
            [assembly: BpfLicense("GPL")]
            public static unsafe class Programs
            {
                static readonly StackTraceMap Stacks = new(8);
                [BpfProgram("xdp")]
                public static int Run(void* ctx) => Ping(ctx, 3);
                static int Ping(void* ctx, int n) => n == 0 ? (int){|BPF0001:BpfHelpers.GetStackid(ctx, Stacks, 0)|} : Pong(ctx, n - 1);
                static int Pong(void* ctx, int n) => Ping(ctx, n) + Pong(ctx, n - 1);
            }
            """);

    [Fact]
    public Task A_shared_method_is_reported_only_for_the_program_type_that_may_not_call_the_helper() =>
        HelperVerifier.VerifyAsync("""
            using BpfSharp;
            [assembly: BpfLicense("GPL")]
            public static unsafe class Programs
            {
                static readonly StackTraceMap Stacks = new(8);
                [BpfProgram("kprobe/do_unlinkat")]
                public static int Probe(void* ctx) => Shared(ctx);
                [BpfProgram("xdp")]
                public static int Packet(void* ctx) => Shared(ctx);
                static int Shared(void* ctx) => (int){|#0:BpfHelpers.GetStackid(ctx, Stacks, 0)|};
            }
            """,
            HelperVerifier.Diagnostic(DiagnosticIds.HelperNotAllowedInProgramType).WithLocation(0).WithArguments(
                "bpf_get_stackid#27", "'Packet' (through Packet -> Shared)", "XDP (BPF_PROG_TYPE_XDP)", "bpf_get_stackid", "KPROBE, PERF_EVENT, RAW_TRACEPOINT, RAW_TRACEPOINT_WRITABLE, SYSCALL, TRACEPOINT, TRACING"));

    [Fact]
    public Task Calls_through_local_functions_lambdas_and_method_groups_are_followed() =>
        HelperVerifier.VerifyAsync("""
            using System;
            using BpfSharp;
            [assembly: BpfLicense("GPL")]
            public static unsafe class Programs
            {
                [BpfProgram("socket")]
                public static int Filter(void* ctx)
                {
                    int Local() => Step(ctx);
                    Func<int> later = Other;
                    return Local() + later();
                }
                static int Step(void* ctx) { Action a = () => {|BPF0001:BpfHelpers.OverrideReturn(null, 0)|}; a(); return 0; }
                static int Other() => (int){|BPF0001:BpfHelpers.OverrideReturn(null, 1)|};
                static int Unreached() => (int)BpfHelpers.OverrideReturn(null, 0);
            }
            """);
}

public class KernelVersionTests
{
    private const string Source = """
        using BpfSharp;
        [assembly: BpfLicense("GPL")]
        public static unsafe class Programs
        {
            static readonly QueueMap<uint> Queue = new(8);
            [BpfProgram("xdp")]
            public static int Packet(void* ctx) { uint v = 0; BpfHelpers.MapPushElem(Queue, &v, 0); return (int)BpfHelpers.GetCurrentPidTgid(); }
            [BpfProgram("kprobe/do_unlinkat")]
            public static int Probe(void* ctx) => (int)BpfHelpers.GetCurrentPidTgid();
        }
        """;

    [Fact]
    public Task Without_BpfTargetKernel_nothing_is_reported() => HelperVerifier.VerifyAsync(Source);

    [Fact]
    public Task A_helper_newer_than_the_target_kernel_gets_BPF0003_and_a_program_type_that_gained_it_later_BPF0001() =>
        HelperVerifier.VerifyAsync(
            Source.Replace("BpfHelpers.MapPushElem(Queue, &v, 0)", "{|#0:BpfHelpers.MapPushElem(Queue, &v, 0)|}").Replace("return (int)BpfHelpers.GetCurrentPidTgid(); }", "return (int){|#1:BpfHelpers.GetCurrentPidTgid()|}; }"),
            state => state.AnalyzerConfigFiles.Add(HelperVerifier.TargetKernel("4.19")),
            HelperVerifier.Warning(DiagnosticIds.KernelTooOld).WithLocation(0).WithMessage("invalid func bpf_map_push_elem#87 on Linux 4.19: bpf_map_push_elem needs Linux 4.20 or later; BpfTargetKernel is 4.19"),
            HelperVerifier.Diagnostic(DiagnosticIds.HelperNotAllowedInProgramType).WithLocation(1).WithMessage("program of this type cannot use helper bpf_get_current_pid_tgid#14: 'Packet' is a program of type XDP (BPF_PROG_TYPE_XDP), and bpf_get_current_pid_tgid may only be called from XDP programs on Linux 6.10 or later (BpfTargetKernel is 4.19)"));

    [Fact]
    public Task The_per_program_type_version_counts_only_in_that_program_type() =>
        HelperVerifier.VerifyAsync(
            Source.Replace("return (int)BpfHelpers.GetCurrentPidTgid(); }", "return (int){|BPF0001:BpfHelpers.GetCurrentPidTgid()|}; }"),
            state => state.AnalyzerConfigFiles.Add(HelperVerifier.TargetKernel("6.1")));

    [Fact]
    public Task A_target_at_or_above_every_version_is_quiet() =>
        HelperVerifier.VerifyAsync(Source, state => state.AnalyzerConfigFiles.Add(HelperVerifier.TargetKernel("6.10.3")));

    [Fact]
    public Task A_malformed_BpfTargetKernel_is_a_clear_warning_not_a_crash() =>
        HelperVerifier.VerifyAsync(
            Source,
            state => state.AnalyzerConfigFiles.Add(HelperVerifier.TargetKernel("five")),
            HelperVerifier.Warning(DiagnosticIds.InvalidTargetKernel).WithMessage("BpfTargetKernel 'five' is not a kernel version such as 5.10 or 6.1; kernel version checks (BPF0003) are off"));
}

public class LicenceTests
{
    private static string Source(string licence, string section, string call) => $$"""
        using BpfSharp;
        {{licence}}
        public static unsafe class Programs
        {
            static readonly StackTraceMap Stacks = new(8);
            [BpfProgram("{{section}}")]
            public static int Run(void* ctx) => (int){{call}};
        }
        """;

    [Fact]
    public Task A_GPL_only_helper_without_a_licence_gets_the_verifier_message() =>
        HelperVerifier.VerifyAsync(
            Source("", "kprobe/x", "{|#0:BpfHelpers.TracePrintk(null, 0)|}"),
            HelperVerifier.Diagnostic(DiagnosticIds.GplOnlyHelper).WithLocation(0).WithMessage(
                "cannot call GPL-restricted function from non-GPL compatible program: bpf_trace_printk#6 is GPL-only, and the assembly declares no licence ([assembly: BpfLicense] is missing); declare a GPL-compatible licence such as [assembly: BpfLicense(\"GPL\")] or \"Dual BSD/GPL\""));

    [Theory]
    [InlineData("GPL")]
    [InlineData("GPL v2")]
    [InlineData("GPL and additional rights")]
    [InlineData("Dual BSD/GPL")]
    [InlineData("Dual MIT/GPL")]
    [InlineData("Dual MPL/GPL")]
    public Task GPL_compatible_licences_may_call_GPL_only_helpers(string licence) =>
        HelperVerifier.VerifyAsync(Source($"[assembly: BpfLicense(\"{licence}\")]", "kprobe/x", "BpfHelpers.TracePrintk(null, 0)"));

    [Theory]
    [InlineData("MIT")]
    [InlineData("gpl")]
    [InlineData("Proprietary")]
    public Task Other_licences_may_not(string licence) =>
        HelperVerifier.VerifyAsync(Source($"[assembly: BpfLicense(\"{licence}\")]", "kprobe/x", "{|BPF0004:BpfHelpers.ProbeReadKernel(null, 0, null)|}"));

    [Fact]
    public Task Helpers_that_are_not_GPL_only_need_no_licence() =>
        HelperVerifier.VerifyAsync(Source("", "xdp", "BpfHelpers.KtimeGetNs()"));

    [Theory]
    [InlineData("perf_event", "BpfHelpers.GetStackid(ctx, Stacks, 0)", false)]
    [InlineData("kprobe/x", "BpfHelpers.GetStackid(ctx, Stacks, 0)", true)]
    [InlineData("kprobe.multi/x", "BpfHelpers.GetFuncIp(ctx)", false)]
    [InlineData("kprobe/x", "BpfHelpers.GetFuncIp(ctx)", true)]
    public Task Per_program_exceptions_to_GPL_only_are_honoured(string section, string call, bool reported) =>
        HelperVerifier.VerifyAsync(Source("[assembly: BpfLicense(\"MIT\")]", section, reported ? "{|BPF0004:" + call + "|}" : call));
}

public class FlagTests
{
    private static string Source(string body) => $$"""
        using BpfSharp;
        using static BpfSharp.BpfFlags;
        [assembly: BpfLicense("GPL")]
        public static unsafe class Programs
        {
            static readonly QueueMap<uint> Queue = new(8);
            static readonly HashMap<uint, uint> Hash = new(8);
            static readonly StackTraceMap Stacks = new(8);
            [BpfProgram("kprobe/x")]
            public static int Run(void* ctx, ulong dynamicFlags)
            {
                uint v = 0;
                {{body}}
                return 0;
            }
        }
        """;

    [Fact]
    public Task Push_with_BPF_NOEXIST_gets_BPF0005_on_the_argument() =>
        HelperVerifier.VerifyAsync(
            Source("BpfHelpers.MapPushElem(Queue, &v, {|#0:BPF_NOEXIST|});"),
            HelperVerifier.Diagnostic(DiagnosticIds.FlagsNotAccepted).WithLocation(0).WithMessage(
                "flags value 0x1 is not accepted by bpf_map_push_elem#87: 0x1 is not one of its values; it accepts 0 or BPF_EXIST (0x2)"));

    [Theory]
    [InlineData("BpfHelpers.MapPushElem(Queue, &v, 0);")]
    [InlineData("BpfHelpers.MapPushElem(Queue, &v, BPF_EXIST);")]
    [InlineData("BpfHelpers.MapPushElem(Queue, &v, dynamicFlags);")]
    [InlineData("BpfHelpers.MapUpdateElem(Hash, &v, &v, BPF_EXIST | BPF_F_LOCK);")]
    [InlineData("BpfHelpers.GetStackid(ctx, Stacks, BPF_F_USER_STACK | BPF_F_REUSE_STACKID | 3);")]
    [InlineData("BpfHelpers.RingbufQuery(null!, 3);")]
    public Task Accepted_or_non_constant_flags_are_quiet(string body) => HelperVerifier.VerifyAsync(Source(body));

    [Theory]
    [InlineData("BpfHelpers.MapUpdateElem(Hash, &v, &v, {|BPF0005:8|});")]
    [InlineData("BpfHelpers.GetStackid(ctx, Stacks, {|BPF0005:1UL << 20|});")]
    [InlineData("BpfHelpers.MapPushElem(Queue, &v, {|BPF0005:BPF_EXIST | BPF_F_LOCK|});")]
    [InlineData("BpfHelpers.RingbufQuery(null!, {|BPF0005:9|});")]
    public Task Constant_flags_outside_the_accepted_set_are_errors(string body) => HelperVerifier.VerifyAsync(Source(body));
}

public class AlwaysFailingMapTests
{
    [Fact]
    public Task Deleting_from_an_array_map_is_a_warning_and_from_a_hash_map_fine() =>
        HelperVerifier.VerifyAsync("""
            using BpfSharp;
            public static unsafe class Programs
            {
                static readonly ArrayMap<ulong> Array = new(8);
                static readonly HashMap<uint, ulong> Hash = new(8);
                [BpfProgram("xdp")]
                public static int Run(void* ctx)
                {
                    uint key = 0;
                    BpfHelpers.MapDeleteElem({|#0:Array|}, &key);
                    return (int)BpfHelpers.MapDeleteElem(Hash, &key);
                }
            }
            """,
            HelperVerifier.Warning(DiagnosticIds.MapOperationAlwaysFails).WithLocation(0).WithMessage(
                "bpf_map_delete_elem#3 on 'Array' always fails at run time: the verifier accepts map type BPF_MAP_TYPE_ARRAY, but the operation cannot succeed on it; bpf_map_delete_elem works with BPF_MAP_TYPE_HASH, BPF_MAP_TYPE_LPM_TRIE, BPF_MAP_TYPE_LRU_HASH, BPF_MAP_TYPE_LRU_PERCPU_HASH, BPF_MAP_TYPE_PERCPU_HASH, BPF_MAP_TYPE_SOCKHASH, BPF_MAP_TYPE_SOCKMAP"));
}

public class SectionNameRuleTests
{
    [Fact]
    public Task Sections_that_need_an_attach_target_must_name_one() =>
        ProgramVerifier.VerifyAsync("""
            using BpfSharp;
            public static unsafe class Programs
            {
                [{|#0:BpfProgram("fentry")|}]
                public static int NoTarget(void* ctx) => 0;
                [BpfProgram("fentry/do_unlinkat")]
                public static int WithTarget(void* ctx) => 0;
                [BpfProgram("kprobe")]
                public static int KprobeWithoutTargetLoads(void* ctx) => 0;
            }
            """,
            ProgramVerifier.Diagnostic(DiagnosticIds.InvalidProgramDeclaration).WithLocation(0)
                .WithMessage("'fentry' needs an attach target: libbpf loads 'fentry' programs only as 'fentry/<target>'"));
}

public class SeverityConfigurationTests
{
    private const string Source = """
        using BpfSharp;
        [assembly: BpfLicense("GPL")]
        public static unsafe class Programs
        {
            static readonly StackTraceMap Stacks = new(8);
            [BpfProgram("xdp")]
            public static int Run(void* ctx) => (int){|#0:BpfHelpers.GetStackid(ctx, Stacks, 0)|};
        }
        """;

    [Fact]
    public Task An_editorconfig_can_lower_BPF0001_to_a_warning() =>
        HelperVerifier.VerifyAsync(
            Source,
            state => state.AnalyzerConfigFiles.Add(("/.editorconfig", "root = true\n[*.cs]\ndotnet_diagnostic.BPF0001.severity = warning\n")),
            HelperVerifier.Warning(DiagnosticIds.HelperNotAllowedInProgramType).WithLocation(0));

    [Fact]
    public Task An_editorconfig_can_turn_BPF0001_off() =>
        HelperVerifier.VerifyAsync(
            Source.Replace("{|#0:", string.Empty).Replace(")|};", ");"),
            state => state.AnalyzerConfigFiles.Add(("/.editorconfig", "root = true\n[*.cs]\ndotnet_diagnostic.BPF0001.severity = none\n")));
}

public class UserPageRuleTests
{
    [Fact]
    public Task Problems_in_user_pages_are_located_at_file_and_line() =>
        PageVerifier.VerifyAsync(
            "class C { }",
            state =>
            {
                state.AdditionalFiles.Add(("/pages/bpf_bad.md", "# Helper function `bpf_bad`\n\n`#!c static long (* const bpf_bad)(struct foo f) = (void *) 9100;`\n"));
                state.AdditionalFiles.Add(("/pages/bpf_types.md", GeneratorTests.UserPage("bpf_types", 9101, programType: "BPF_PROG_TYPE_NOPE")));
                state.AdditionalFiles.Add(("/pages/notes.md", "# Notes\nnot a helper page\n"));
            },
            PageVerifier.Diagnostic("BPF1003").WithSpan("/pages/bpf_bad.md", 3, 1, 3, 67),
            PageVerifier.Diagnostic("BPF1005").WithSpan("/pages/bpf_types.md", 22, 1, 22, 65).WithMessage("unknown program type 'BPF_PROG_TYPE_NOPE'"));

    [Fact]
    public Task Duplicate_helpers_and_id_clashes_are_reported_on_the_later_page() =>
        PageVerifier.VerifyAsync(
            "class C { }",
            state =>
            {
                state.AdditionalFiles.Add(("/a/bpf_custom.md", GeneratorTests.UserPage("bpf_custom", 9001)));
                state.AdditionalFiles.Add(("/b/bpf_custom.md", GeneratorTests.UserPage("bpf_custom", 9001)));
                state.AdditionalFiles.Add(("/a/bpf_stolen.md", GeneratorTests.UserPage("bpf_stolen", 87)));
            },
            PageVerifier.Diagnostic("BPF1011").WithSpan("/a/bpf_stolen.md", 16, 1, 16, 78).WithMessage("helper id 87 of 'bpf_stolen' is already the id of 'bpf_map_push_elem' (the shipped spec)"),
            PageVerifier.Diagnostic("BPF1010").WithSpan("/b/bpf_custom.md", 1, 1, 1, 31).WithMessage("'bpf_custom' is already defined by /a/bpf_custom.md; this page is ignored"));
}
