using System.Threading.Tasks;
using BpfSharp.Analyzers;
using Xunit;
using HelperVerifier = BpfSharp.Tests.Infrastructure.AnalyzerVerifier<BpfSharp.Analyzers.HelperUsageAnalyzer>;
using ProgramVerifier = BpfSharp.Tests.Infrastructure.AnalyzerVerifier<BpfSharp.Analyzers.ProgramDeclarationAnalyzer>;

namespace BpfSharp.Tests;

public class HelperUsageAnalyzerTests
{
    private static string Program(string attribute, string body, string members = "") => $$"""
        using BpfSharp;
        [assembly: BpfLicense("GPL")]
        public static unsafe class Programs
        {
            static readonly QueueMap<uint> Queue = new(8);
            static readonly StackMap<uint> Stack = new(8);
            static readonly HashMap<uint, ulong> Hash = new(8);
            static readonly ArrayMap<ulong> Array = new(8);
            static readonly StackTraceMap Stacks = new(8);
            static readonly RingBufMap Events = new(4096);
            {{members}}
            [{{attribute}}]
            public static int Run(void* ctx)
            {
                uint value = 1;
                {{body}}
                return 0;
            }
        }
        """;

    [Theory]
    [InlineData("BpfProgram(BpfProgramType.Xdp)", "BpfHelpers.MapPushElem(Queue, &value, 0);")]
    [InlineData("BpfProgram(\"xdp\")", "BpfHelpers.KtimeGetNs();")]
    [InlineData("BpfProgram(\"kprobe/do_unlinkat\")", "BpfHelpers.GetStackid(ctx, Stacks, 0);")]
    [InlineData("BpfProgram(\"tp/syscalls/sys_enter_openat\")", "BpfHelpers.GetStackid(ctx, Stacks, 0);")]
    [InlineData("BpfProgram(\"kprobe/x\")", "BpfHelpers.OverrideReturn(ctx, 0);")]
    [InlineData("BpfProgram(\"xdp\")", "BpfHelpers.XdpAdjustHead(ctx, 4);")]
    [InlineData("BpfProgram(\"tc\")", "BpfHelpers.SkbLoadBytes(ctx, 0, &value, 4);")]
    [InlineData("BpfProgram(\"xdp\")", "BpfHelpers.RingbufOutput(Events, &value, 4, 0);")]
    public Task Allowed_helpers_and_maps_are_not_reported(string attribute, string body) =>
        HelperVerifier.VerifyAsync(Program(attribute, body));

    [Fact]
    public Task Helpers_outside_programs_are_not_checked_for_program_type() =>
        HelperVerifier.VerifyAsync("""
            using BpfSharp;
            [assembly: BpfLicense("Dual BSD/GPL")]
            public static unsafe class Library
            {
                public static long Stack(void* ctx) => BpfHelpers.GetStackid(ctx, new StackTraceMap(8), 0);
            }
            """);

    [Fact]
    public Task Xdp_program_calling_get_stackid_gets_BPF0001_with_the_verifier_message() =>
        HelperVerifier.VerifyAsync(
            Program("BpfProgram(BpfProgramType.Xdp)", "{|#0:BpfHelpers.GetStackid(ctx, Stacks, 0)|};"),
            HelperVerifier.Diagnostic(DiagnosticIds.HelperNotAllowedInProgramType).WithLocation(0).WithMessage(
                "program of this type cannot use helper bpf_get_stackid#27: 'Run' is a program of type XDP (BPF_PROG_TYPE_XDP), and bpf_get_stackid may only be called from KPROBE, PERF_EVENT, RAW_TRACEPOINT, RAW_TRACEPOINT_WRITABLE, SYSCALL, TRACEPOINT, TRACING"));

    [Theory]
    [InlineData("BpfProgram(\"socket\")", "BpfHelpers.OverrideReturn(ctx, 0)")]
    [InlineData("BpfProgram(\"tc\")", "BpfHelpers.XdpAdjustHead(ctx, 4)")]
    [InlineData("BpfProgram(\"xdp\")", "BpfHelpers.SkbLoadBytes(ctx, 0, &value, 4)")]
    [InlineData("BpfProgram(\"cgroup_skb/ingress\")", "BpfHelpers.XdpAdjustHead(ctx, 4)")]
    [InlineData("BpfProgram(BpfProgramType.Xdp)", "BpfHelpers.GetStackid(ctx, Stacks, 0)")]
    public Task Disallowed_helpers_get_BPF0001_on_the_invocation(string attribute, string call) =>
        HelperVerifier.VerifyAsync(Program(attribute, "{|BPF0001:" + call + "|};"));

    [Fact]
    public Task Helpers_in_lambdas_and_local_functions_of_a_program_are_checked() =>
        HelperVerifier.VerifyAsync(Program("BpfProgram(\"xdp\")", """
            long Local() => {|BPF0001:BpfHelpers.GetStackid(ctx, Stacks, 0)|};
                    System.Func<long> lambda = () => {|BPF0001:BpfHelpers.GetStackid(null, Stacks, 0)|};
                    Local();
            """));

    [Fact]
    public Task Hash_map_field_passed_to_push_gets_BPF0002_on_the_argument() =>
        HelperVerifier.VerifyAsync(
            Program("BpfProgram(\"xdp\")", "BpfHelpers.MapPushElem({|#0:Hash|}, &value, 0);"),
            HelperVerifier.Diagnostic(DiagnosticIds.MapTypeNotAccepted).WithLocation(0).WithMessage(
                "cannot pass map_type 1 into func bpf_map_push_elem#87: 'Hash' is a HashMap<uint, ulong>, map type BPF_MAP_TYPE_HASH, and bpf_map_push_elem accepts only BPF_MAP_TYPE_BLOOM_FILTER, BPF_MAP_TYPE_QUEUE, BPF_MAP_TYPE_STACK"));

    [Fact]
    public Task Map_passed_through_a_local_variable_is_checked() =>
        HelperVerifier.VerifyAsync(Program("BpfProgram(\"xdp\")", """
            var local = Hash;
                    BpfHelpers.MapPushElem({|BPF0002:local|}, &value, 0);
                    var queue = Queue;
                    BpfHelpers.MapPushElem(queue, &value, 0);
            """));

    [Fact]
    public Task Map_types_are_checked_for_every_map_helper_even_outside_programs() =>
        HelperVerifier.VerifyAsync("""
            using BpfSharp;
            [assembly: BpfLicense("Dual BSD/GPL")]
            public static unsafe class Library
            {
                static readonly HashMap<uint, uint> Hash = new(8);
                static readonly PerfEventArrayMap Perf = new(8);
                static readonly ProgArrayMap Jumps = new(8);
                public static void Use(void* ctx, uint key)
                {
                    BpfHelpers.RingbufReserve({|BPF0002:Hash|}, 8, 0);
                    BpfHelpers.PerfEventOutput(ctx, Perf, 0, &key, 4);
                    BpfHelpers.PerfEventOutput(ctx, {|BPF0002:Hash|}, 0, &key, 4);
                    BpfHelpers.TailCall(ctx, Jumps, 0);
                    BpfHelpers.TailCall(ctx, {|BPF0002:Hash|}, 0);
                    BpfHelpers.RedirectMap({|BPF0002:Jumps|}, 0, 0);
                    BpfHelpers.RedirectMap(new DevMap(4), 0, 0);
                    BpfHelpers.MapLookupElem(Hash, &key);
                }
            }
            """);

    [Fact]
    public Task Sockmap_updates_are_accepted_only_in_the_program_types_the_verifier_allows() =>
        HelperVerifier.VerifyAsync("""
            using BpfSharp;
            public static unsafe class Programs
            {
                static readonly SockMap Sockets = new(8);
                [BpfProgram("xdp")]
                public static int Xdp(void* ctx) { uint k = 0; return (int)BpfHelpers.MapUpdateElem(Sockets, &k, &k, 0); }
                [BpfProgram("sockops")]
                public static int Ops(void* ctx) { uint k = 0; BpfHelpers.MapDeleteElem(Sockets, &k); return (int)BpfHelpers.MapUpdateElem({|BPF0002:Sockets|}, &k, &k, 0); }
                [BpfProgram("kprobe/tcp_connect")]
                public static int Probe(void* ctx) { uint k = 0; return (int)BpfHelpers.MapDeleteElem({|BPF0002:Sockets|}, &k); }
            }
            """);

    [Fact]
    public Task A_map_typed_as_the_base_class_is_not_reported() =>
        HelperVerifier.VerifyAsync(Program("BpfProgram(\"xdp\")", "BpfMap any = Hash; BpfHelpers.MapPushElem(any, &value, 0);"));

    [Fact]
    public Task A_user_subclass_of_a_map_class_keeps_its_map_type() =>
        HelperVerifier.VerifyAsync(Program(
            "BpfProgram(\"xdp\")",
            "BpfHelpers.MapPushElem({|BPF0002:Counters|}, &value, 0);",
            "sealed class Counts : HashMap<uint, uint> { } static readonly Counts Counters = new();"));

    [Theory]
    [InlineData("BpfProgram(\"socket\")", "")]
    [InlineData("BpfProgram(\"tc\")", "")]
    [InlineData("BpfProgram(\"action\")", "")]
    [InlineData("BpfProgram(\"xdp\")", "BPF0013")]
    [InlineData("BpfProgram(\"cgroup_skb/ingress\")", "BPF0013")]
    [InlineData("BpfProgram(\"kprobe/do_unlinkat\")", "BPF0013")]
    public Task Packet_loads_are_allowed_in_socket_filters_and_tc_only(string attribute, string id) =>
        HelperVerifier.VerifyAsync(Program(attribute, id.Length == 0
            ? "value += BpfPacket.LoadHalf((SkBuff*)ctx, 12);"
            : "value += {|" + id + ":BpfPacket.LoadHalf((SkBuff*)ctx, 12)|};"));

    // nameof(Sample) names the method without calling it: Run does not reach GetStackid.
    [Fact]
    public Task A_method_named_by_nameof_is_not_called() =>
        HelperVerifier.VerifyAsync(Program("BpfProgram(\"xdp\")", "string name = nameof(Sample);", """
            static long Sample(void* ctx) => BpfHelpers.GetStackid(ctx, Stacks, 0);
            """));

    [Fact]
    public Task A_packet_load_reached_through_calls_names_the_chain() =>
        HelperVerifier.VerifyAsync(Program("BpfProgram(\"xdp\")", "value += Parse(ctx);", """
            static uint Parse(void* ctx) => {|#0:BpfPacket.LoadByte((SkBuff*)ctx, 9)|};
            [BpfProgram("socket")]
            public static int Filter(void* ctx) => (int)Parse(ctx);
            """),
            HelperVerifier.Diagnostic(DiagnosticIds.PacketLoadNotAllowed).WithLocation(0).WithMessage(
                "BPF_LD_[ABS|IND] instructions not allowed for this program type: BpfPacket.LoadByte in 'Run' (through Run -> Parse), a program of type XDP (BPF_PROG_TYPE_XDP); BpfPacket loads work in SOCKET_FILTER, SCHED_CLS and SCHED_ACT programs (elsewhere read the packet through the context's data pointers)"));
}

public class ProgramDeclarationAnalyzerTests
{
    [Fact]
    public Task Unknown_section_names_and_double_declarations_get_BPF0007() =>
        ProgramVerifier.VerifyAsync("""
            using BpfSharp;
            public static unsafe class Programs
            {
                [{|#0:BpfProgram("xpd")|}]
                public static int Typo(void* ctx) => 0;

                [BpfProgram("xdp"), {|BPF0007:BpfProgram(BpfProgramType.Kprobe)|}]
                public static int Twice(void* ctx) => 0;

                [BpfProgram("kprobe/do_unlinkat")]
                public static int Fine(void* ctx) => 0;
            }
            """,
            ProgramVerifier.Diagnostic(DiagnosticIds.InvalidProgramDeclaration).WithLocation(0)
                .WithMessage("'xpd' is not a section name libbpf recognises; did you mean 'xdp'?"));
}

/// <summary>
/// The analyzer reads calls from syntax (arguments matched to parameters by position or name) and skips calls whose
/// name no helper or source member has: every way of writing a call must still be seen.
/// </summary>
public class CallShapeTests
{
    private static string Program(string usings, string body, string members = "") => $$"""
        using BpfSharp;
        {{usings}}
        [assembly: BpfLicense("GPL")]
        public static unsafe class Programs
        {
            static readonly HashMap<uint, ulong> Hash = new(8);
            static readonly QueueMap<uint> Queue = new(8);
            static readonly StackTraceMap Stacks = new(8);
            {{members}}
            [BpfProgram("xdp")]
            public static int Run(void* ctx)
            {
                uint v = 1;
                {{body}}
                return 0;
            }
        }
        """;

    [Fact]
    public Task Named_arguments_in_any_order_are_matched_to_their_parameters() =>
        HelperVerifier.VerifyAsync(Program("", """
            BpfHelpers.MapPushElem(flags: {|BPF0005:BpfFlags.BPF_NOEXIST|}, value: &v, map: {|BPF0002:Hash|});
                    BpfHelpers.MapPushElem(value: &v, flags: BpfFlags.BPF_EXIST, map: Queue);
                    BpfHelpers.MapPushElem(Queue, flags: {|BPF0005:1|}, value: &v);
            """));

    [Theory]
    [InlineData("using static BpfSharp.BpfHelpers;", "{|BPF0001:GetStackid(ctx, Stacks, 0)|};")]
    [InlineData("using H = BpfSharp.BpfHelpers;", "{|BPF0001:H.GetStackid(ctx, Stacks, 0)|};")]
    [InlineData("", "{|BPF0001:global::BpfSharp.BpfHelpers.GetStackid(ctx, Stacks, 0)|};")]
    [InlineData("", "System.Func<long> later = () => {|BPF0001:BpfHelpers.GetStackid(ctx, Stacks, 0)|}; later();")]
    public Task Helpers_are_found_however_they_are_named(string usings, string body) =>
        HelperVerifier.VerifyAsync(Program(usings, body));

    [Theory]
    [InlineData("byte")]
    [InlineData("ushort")]
    [InlineData("uint")]
    public Task Small_integer_constants_are_read_as_flags(string type) =>
        HelperVerifier.VerifyAsync(Program("", "BpfHelpers.MapUpdateElem(Hash, &v, &v, {|BPF0005:Bad|});", $"const {type} Bad = 8;"));

    [Fact]
    public Task Calls_through_instances_conditional_access_and_framework_methods_are_followed() =>
        HelperVerifier.VerifyAsync(Program("", "v += (uint)System.Math.Max(1, Sampler.Instance?.Sample(ctx) ?? 0);", """
            sealed class Sampler
                {
                    public static readonly Sampler? Instance = new();
                    public long Sample(void* ctx) => System.Math.Min(0, {|#0:BpfHelpers.GetStackid(ctx, Stacks, 0)|});
                }
            """),
            HelperVerifier.Diagnostic(DiagnosticIds.HelperNotAllowedInProgramType).WithLocation(0).WithMessage(
                "program of this type cannot use helper bpf_get_stackid#27: 'Run' (through Run -> Sample) is a program of type XDP (BPF_PROG_TYPE_XDP), and bpf_get_stackid may only be called from KPROBE, PERF_EVENT, RAW_TRACEPOINT, RAW_TRACEPOINT_WRITABLE, SYSCALL, TRACEPOINT, TRACING"));
}
