using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using BpfSharp.Analyzers;
using BpfSharp.Spec.Profiles;
using Microsoft.CodeAnalysis;
using Xunit;
using HelperVerifier = BpfSharp.Tests.Infrastructure.AnalyzerVerifier<BpfSharp.Analyzers.HelperUsageAnalyzer>;

namespace BpfSharp.Tests;

/// <summary>Verdicts that depend on the kernel version, the program's variant and what the build cannot know.</summary>
public class KernelConditionTests
{
    private static string Program(string declaration, string body) => $$"""
        using BpfSharp;
        [assembly: BpfLicense("GPL")]
        public static unsafe class Programs
        {
            [BpfProgram({{declaration}})]
            public static int Run(void* ctx) { byte* buffer = stackalloc byte[16]; {{body}}; return 0; }
        }
        """;

    [Theory]
    [InlineData("6.15", true)]
    [InlineData("6.16", false)]
    [InlineData(null, false)]
    public Task A_program_type_that_gained_a_helper_in_6_16_is_refused_on_older_targets(string? target, bool refused) =>
        HelperVerifier.VerifyAsync(
            Program("\"xdp\"", refused ? "{|#0:BpfHelpers.GetCurrentComm(buffer, 16)|}" : "BpfHelpers.GetCurrentComm(buffer, 16)"),
            state =>
            {
                if (target != null)
                {
                    state.AnalyzerConfigFiles.Add(HelperVerifier.TargetKernel(target));
                }
            },
            refused
                ? new[] { HelperVerifier.Diagnostic(DiagnosticIds.HelperNotAllowedInProgramType).WithLocation(0).WithMessage("program of this type cannot use helper bpf_get_current_comm#16: 'Run' is a program of type XDP (BPF_PROG_TYPE_XDP), and bpf_get_current_comm may only be called from XDP programs on Linux 6.16 or later (BpfTargetKernel is 6.15)") }
                : Array.Empty<Microsoft.CodeAnalysis.Testing.DiagnosticResult>());

    [Fact]
    public Task A_helper_that_may_sleep_needs_a_sleepable_program() =>
        HelperVerifier.VerifyAsync(Program("\"uprobe/x\"", "{|#0:BpfHelpers.CopyFromUser(buffer, 16, null)|}") + Program("\"uprobe.s/x\"", "BpfHelpers.CopyFromUser(buffer, 16, null)").Replace("Programs", "Sleepable").Replace("using BpfSharp;\n[assembly: BpfLicense(\"GPL\")]\n", string.Empty),
            HelperVerifier.Diagnostic(DiagnosticIds.HelperNotAllowedInProgramType).WithLocation(0).WithMessage("program of this type cannot use helper bpf_copy_from_user#148: 'Run' is a program of type KPROBE (BPF_PROG_TYPE_KPROBE), and bpf_copy_from_user may only be called from sleepable KPROBE programs (the verifier: helper call might sleep in a non-sleepable prog)"));

    [Fact]
    public Task An_attach_type_condition_is_judged_in_the_section_the_compiler_writes() =>
        HelperVerifier.VerifyAsync(
            Program("\"cgroup/dev\"", "BpfHelpers.GetRetval()")
            + Program("BpfProgramType.CgroupDevice", "BpfHelpers.GetRetval()").Replace("Programs", "ByType").Replace("using BpfSharp;\n[assembly: BpfLicense(\"GPL\")]\n", string.Empty)
            + Program("BpfProgramType.CgroupSockAddr", "{|#0:BpfHelpers.Bind(ctx, buffer, 16)|}").Replace("Programs", "SockAddr").Replace("using BpfSharp;\n[assembly: BpfLicense(\"GPL\")]\n", string.Empty)
            + Program("\"cgroup/getsockopt\"", "{|#1:BpfHelpers.Setsockopt(ctx, 0, 0, buffer, 4)|}").Replace("Programs", "Get").Replace("using BpfSharp;\n[assembly: BpfLicense(\"GPL\")]\n", string.Empty),
            // A bare program type is its default section (cgroup/bind4 here), where the verifier refuses bpf_bind.
            HelperVerifier.Diagnostic(DiagnosticIds.HelperNotAllowedInProgramType).WithLocation(0).WithMessage("program of this type cannot use helper bpf_bind#64: 'Run' is a program of type CGROUP_SOCK_ADDR (BPF_PROG_TYPE_CGROUP_SOCK_ADDR), and bpf_bind may only be called from CGROUP_SOCK_ADDR programs loaded with the attach type BPF_CGROUP_INET4_CONNECT, BPF_CGROUP_INET6_CONNECT (this one loads with BPF_CGROUP_INET4_BIND)"),
            HelperVerifier.Diagnostic(DiagnosticIds.HelperNotAllowedInProgramType).WithLocation(1).WithMessage("program of this type cannot use helper bpf_setsockopt#49: 'Run' is a program of type CGROUP_SOCKOPT (BPF_PROG_TYPE_CGROUP_SOCKOPT), and bpf_setsockopt may only be called from CGROUP_SOCKOPT programs loaded with the attach type BPF_CGROUP_SETSOCKOPT (this one loads with BPF_CGROUP_GETSOCKOPT)"));

    [Fact]
    public Task What_the_build_cannot_know_is_a_note_not_an_error() =>
        HelperVerifier.VerifyWithConditionNotesAsync(
            Program("\"kprobe/x\"", "{|#0:BpfHelpers.OverrideReturn(ctx, 0)|}; {|#1:BpfHelpers.ProbeWriteUser(buffer, buffer, 4)|}"),
            setup: null,
            HelperVerifier.Info(DiagnosticIds.HelperNeedsEnvironment).WithLocation(0).WithMessage("bpf_override_return#58 in 'Run': the verifier allows it only when the kernel is built with CONFIG_BPF_KPROBE_OVERRIDE; the build cannot know whether the kernel and the loader provide that"),
            HelperVerifier.Info(DiagnosticIds.HelperNeedsEnvironment).WithLocation(1).WithMessage("bpf_probe_write_user#36 in 'Run': the verifier allows it only when the kernel does not run with lockdown (integrity or confidentiality; /sys/kernel/security/lockdown); the build cannot know whether the kernel and the loader provide that"),
            HelperVerifier.Hidden(DiagnosticIds.HelperNeedsCapability).WithLocation(1).WithMessage("bpf_probe_write_user#36 in 'Run': the verifier allows it only when the loading process has CAP_SYS_ADMIN (or is root)"));

    private static string Profile(bool xdpMayCallKtime) => new KernelProfile(
        "6.18.44-test",
        "x64",
        new ProfileProber("bpfsharp 0.1.0", 0, new[] { "CAP_BPF" }),
        new[] { new KeyValuePair<string, string>("lockdown", "integrity") },
        new[] { new ProfileProgramType("BPF_PROG_TYPE_XDP", true, null) },
        new[] { new ProfileVariant("BPF_PROG_TYPE_XDP", null, false, xdpMayCallKtime ? new[] { "bpf_ktime_get_ns", "bpf_probe_write_user" } : new[] { "bpf_probe_write_user" }, new[] { "bpf_probe_write_user" }, Array.Empty<KeyValuePair<string, string>>()) },
        new[] { new ProfileMapType("BPF_MAP_TYPE_ARRAY", true, null) },
        new[] { new ProfileMapHelper("bpf_map_delete_elem", "BPF_PROG_TYPE_XDP", new[] { "BPF_MAP_TYPE_ARRAY" }, Array.Empty<KeyValuePair<string, string>>(), Array.Empty<KeyValuePair<string, string>>()) },
        Array.Empty<string>()).ToJson();

    [Fact]
    public Task With_a_profile_the_spec_still_answers_what_the_probe_could_not_ask() =>
        HelperVerifier.VerifyAsync(
            """
            using BpfSharp;
            [assembly: BpfLicense("MIT")]
            public static unsafe class Programs
            {
                static readonly ArrayMap<ulong> Totals = new(4);
                [BpfProgram("xdp")]
                public static int Packet(void* ctx) { uint key = 0; return (int)BpfHelpers.MapDeleteElem({|#0:Totals|}, &key); }
                [BpfProgram("fentry/do_unlinkat")]
                public static int Traced(void* ctx) => (int){|#1:BpfHelpers.ProbeWriteUser(null, null, 0)|};
            }
            """,
            state => HelperVerifier.KernelProfile(state, Profile(xdpMayCallKtime: true).Replace("\"allowed\": [\"bpf_ktime_get_ns\"", "\"allowed\": [\"bpf_map_delete_elem\", \"bpf_ktime_get_ns\"")),
            // The profile accepts the array, and the spec knows deleting from one cannot succeed; the profile has no
            // TRACING variant (the probe cannot load fentry programs without a BTF target), so the spec's GPL rule stands.
            HelperVerifier.Warning(DiagnosticIds.MapOperationAlwaysFails).WithLocation(0),
            HelperVerifier.Diagnostic(DiagnosticIds.GplOnlyHelper).WithLocation(1));

    [Fact]
    public Task With_a_kernel_profile_the_verdicts_are_that_kernels() =>
        HelperVerifier.VerifyWithConditionNotesAsync(
            Program("\"xdp\"", "{|#0:BpfHelpers.KtimeGetNs()|}; BpfHelpers.ProbeWriteUser(buffer, buffer, 4)").Replace("\"GPL\"", "\"MIT\"").Replace("BpfHelpers.ProbeWriteUser", "{|#1:BpfHelpers.ProbeWriteUser").Replace("buffer, 4)", "buffer, 4)|}"),
            state => HelperVerifier.KernelProfile(state, Profile(xdpMayCallKtime: false)),
            HelperVerifier.Diagnostic(DiagnosticIds.HelperNotAllowedInProgramType).WithLocation(0).WithMessage("program of this type cannot use helper bpf_ktime_get_ns#5: 'Run' is a program of type XDP (BPF_PROG_TYPE_XDP), and bpf_ktime_get_ns may only be called from no program type on Linux 6.18.44-test: its verifier refused it to every program type the probe loaded"),
            HelperVerifier.Diagnostic(DiagnosticIds.GplOnlyHelper).WithLocation(1));

    [Fact]
    public Task A_helper_no_program_type_may_call_on_the_kernel_says_which_option_it_needs() =>
        HelperVerifier.VerifyWithConditionNotesAsync(
            Program("\"kprobe/x\"", "{|#0:BpfHelpers.OverrideReturn(ctx, 0)|}"),
            state => HelperVerifier.KernelProfile(state, new KernelProfile(
                "6.18.44-test",
                "x64",
                new ProfileProber("bpfsharp 0.1.0", 0, new[] { "CAP_BPF" }),
                new[] { new KeyValuePair<string, string>("lockdown", "none") },
                new[] { new ProfileProgramType("BPF_PROG_TYPE_KPROBE", true, null) },
                new[] { new ProfileVariant("BPF_PROG_TYPE_KPROBE", null, false, Array.Empty<string>(), Array.Empty<string>(), Array.Empty<KeyValuePair<string, string>>()) },
                new[] { new ProfileMapType("BPF_MAP_TYPE_ARRAY", true, null) },
                Array.Empty<ProfileMapHelper>(),
                Array.Empty<string>()).ToJson()),
            HelperVerifier.Diagnostic(DiagnosticIds.HelperNotAllowedInProgramType).WithLocation(0).WithMessage("program of this type cannot use helper bpf_override_return#58: 'Run' is a program of type KPROBE (BPF_PROG_TYPE_KPROBE), and bpf_override_return may only be called from no program type on Linux 6.18.44-test: its verifier refused it to every program type the probe loaded; it needs a kernel built with CONFIG_BPF_KPROBE_OVERRIDE"));

    [Fact]
    public Task A_malformed_profile_is_reported_at_its_line_and_column()
    {
        var json = Profile(true).Replace("\"sleepable\": false", "\"sleepable\": \"no\"");
        var line = Array.FindIndex(json.Split('\n'), l => l.Contains("\"sleepable\": \"no\"")) + 1;
        var column = json.Split('\n')[line - 1].IndexOf("\"no\"", StringComparison.Ordinal) + 1;
        return HelperVerifier.VerifyAsync(
            Program("\"xdp\"", "BpfHelpers.KtimeGetNs()"),
            state => HelperVerifier.KernelProfile(state, json),
            HelperVerifier.Diagnostic(DiagnosticIds.KernelProfileProblem).WithSpan("/kernel-profile.json", line, column, line, column).WithMessage("kernel profile /kernel-profile.json: \"sleepable\" must be true or false, not a string; the verdicts follow the spec's facts instead"));
    }

    [Fact]
    public Task A_profile_that_does_not_exist_is_reported() =>
        HelperVerifier.VerifyAsync(
            Program("\"xdp\"", "BpfHelpers.KtimeGetNs()"),
            state => state.AnalyzerConfigFiles.Add(("/.globalconfig", "is_global = true\nbuild_property.BpfKernelProfile = missing.json\n")),
            HelperVerifier.Diagnostic(DiagnosticIds.KernelProfileProblem).WithNoLocation().WithMessage("kernel profile missing.json: the file does not exist (write one with 'bpfsharp probe --output missing.json'); the verdicts follow the spec's facts instead"));
}
