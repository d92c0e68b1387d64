using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;

namespace BpfSharp.KernelSource;

/// <summary>
/// The hand-read part: facts the C text of the getters does not carry by itself. Each entry says where it was
/// read. Everything else is read from the sources by the interpreter.
/// </summary>
internal static class KernelFacts
{
    /// <summary>
    /// Kconfig a source file is built under, read from the Makefiles (same in 6.1 and 6.12). CONFIG_BPF_SYSCALL is
    /// left out: without it there is no verifier at all. Headers have none (their #if says it). A .c file not in
    /// the table is an error when one of its functions is called, so a new file is never silently unconditional.
    /// </summary>
    private static readonly Dictionary<string, string[]> FileKconfigs = new(StringComparer.Ordinal)
    {
        ["kernel/bpf/helpers.c"] = Array.Empty<string>(),       // kernel/bpf/Makefile: obj-$(CONFIG_BPF_SYSCALL)
        ["kernel/bpf/syscall.c"] = Array.Empty<string>(),       // kernel/bpf/Makefile: obj-$(CONFIG_BPF_SYSCALL)
        ["kernel/bpf/bpf_iter.c"] = Array.Empty<string>(),      // kernel/bpf/Makefile: obj-$(CONFIG_BPF_SYSCALL)
        ["kernel/bpf/core.c"] = Array.Empty<string>(),          // kernel/bpf/Makefile: obj-y
        ["kernel/bpf/cgroup.c"] = new[] { "CONFIG_CGROUP_BPF" }, // kernel/bpf/Makefile: obj-$(CONFIG_CGROUP_BPF)
        ["kernel/bpf/trampoline.c"] = new[] { "CONFIG_BPF_JIT" }, // kernel/bpf/Makefile: obj-$(CONFIG_BPF_JIT)
        ["kernel/bpf/bpf_struct_ops.c"] = new[] { "CONFIG_BPF_JIT" }, // kernel/bpf/Makefile: inside ifeq ($(CONFIG_BPF_JIT),y)
        ["kernel/bpf/bpf_lsm.c"] = new[] { "CONFIG_BPF_JIT", "CONFIG_BPF_LSM" }, // kernel/bpf/Makefile: obj-${CONFIG_BPF_LSM} inside ifeq ($(CONFIG_BPF_JIT),y)
        ["kernel/trace/bpf_trace.c"] = new[] { "CONFIG_BPF_EVENTS" }, // kernel/trace/Makefile: obj-$(CONFIG_BPF_EVENTS)
        ["kernel/sched/ext.c"] = new[] { "CONFIG_SCHED_CLASS_EXT" }, // kernel/sched/build_policy.c: #ifdef CONFIG_SCHED_CLASS_EXT #include "ext.c"
        ["net/core/filter.c"] = new[] { "CONFIG_NET" },         // net/Makefile builds net/core/ with CONFIG_NET
        ["net/ipv4/bpf_tcp_ca.c"] = new[] { "CONFIG_INET" },    // net/ipv4/ is built with CONFIG_INET; obj-$(CONFIG_BPF_SYSCALL)
        ["net/ipv4/tcp_ipv4.c"] = new[] { "CONFIG_INET" },      // net/ipv4/Makefile: obj-y, net/ipv4/ with CONFIG_INET
        ["net/unix/af_unix.c"] = new[] { "CONFIG_UNIX" },       // net/unix/Makefile: obj-$(CONFIG_UNIX) += unix.o; unix-y := af_unix.o
        ["net/netfilter/nf_bpf_link.c"] = new[] { "CONFIG_NETFILTER_BPF_LINK" }, // net/netfilter/Makefile
        ["net/bpf/bpf_dummy_struct_ops.c"] = new[] { "CONFIG_NET", "CONFIG_BPF_JIT" }, // net/bpf/Makefile: inside ifeq ($(CONFIG_BPF_JIT),y)
        ["drivers/media/rc/bpf-lirc.c"] = new[] { "CONFIG_BPF_LIRC_MODE2" }, // drivers/media/rc/Makefile: rc-core-$(CONFIG_BPF_LIRC_MODE2)
        ["drivers/hid/bpf/hid_bpf_struct_ops.c"] = new[] { "CONFIG_HID_BPF" }, // drivers/hid/bpf/Makefile: obj-$(CONFIG_HID_BPF)
    };

    public static IReadOnlyList<string> FileKconfigSymbols(string file)
    {
        if (file.EndsWith(".h", StringComparison.Ordinal))
        {
            return Array.Empty<string>();
        }

        return FileKconfigs.TryGetValue(file, out var symbols)
            ? symbols
            : throw new InvalidOperationException($"{file}: add the Kconfig it is built under to KernelFacts.FileKconfigs");
    }

    public static Dnf FileKconfig(string file) =>
        FileKconfigSymbols(file).Aggregate(Dnf.True, (acc, s) => acc.And(Dnf.Of(Term.Flag(Vocabulary.KconfigFlag(s), true))));

    private delegate Dnf? Recognizer(Match match, string programType);

    /// <summary>
    /// What the tests in the getters mean, matched on the canonical text of the (substituted) C expression. The
    /// result is the condition under which the expression is true.
    /// </summary>
    private static readonly (Regex Pattern, Recognizer Meaning)[] Recognizers =
    {
        // kernel/bpf/token.c bpf_token_capable(): the capability, or a BPF token that delegates it (6.12).
        (new Regex(@"^bpf_token_capable\(prog->aux->token, (CAP_\w+)\)$"), (m, _) => Cap(m.Groups[1].Value)),
        // include/linux/capability.h (6.1): bpf_capable() = CAP_BPF or CAP_SYS_ADMIN; perfmon_capable() likewise.
        (new Regex(@"^bpf_capable\(\)$"), (_, _) => Cap("CAP_BPF")),
        (new Regex(@"^perfmon_capable\(\)$"), (_, _) => Cap("CAP_PERFMON")),
        (new Regex(@"^capable\((CAP_\w+)\)$"), (m, _) => Cap(m.Groups[1].Value)),
        // security_locked_down(reason) < 0: the kernel is locked down against this reason, so the helper is refused.
        (new Regex(@"^security_locked_down\((LOCKDOWN_\w+)\)( < 0)?$"), (_, _) => Flag(Vocabulary.Lockdown, false)),
        (new Regex(@"^prog->(aux->)?sleepable$"), (_, _) => Flag(Vocabulary.Sleepable, true)),
        (new Regex(@"^prog->expected_attach_type (==|!=) (\w+)$"), (m, _) => Set("attach_type", m.Groups[2].Value, m.Groups[1].Value == "==")),
        // The program type is fixed while one type is evaluated.
        (new Regex(@"^prog->type (==|!=) (\w+)$"), (m, type) => (m.Groups[2].Value == type) == (m.Groups[1].Value == "==") ? Dnf.True : Dnf.False),
        // bpf_lsm.c: hooks listed in a BTF id set (prog->aux->attach_btf_id is the LSM hook attached to).
        (new Regex(@"^btf_id_set_contains\(&(\w+), prog->aux->attach_btf_id\)$"), (m, _) => Set("attach_btf", m.Groups[1].Value, true)),
        // bpf_tcp_ca.c: prog_ops_moff(prog) is the struct_ops member the program implements.
        (new Regex(@"^prog_ops_moff\(prog\) (==|!=) offsetof\(struct \w+, (\w+)\)$"), (m, _) => Set("struct_ops_member", m.Groups[2].Value, m.Groups[1].Value == "==")),
        (new Regex(@"^IS_ENABLED\((CONFIG_\w+)\)$"), (m, _) => Flag(Vocabulary.KconfigFlag(m.Groups[1].Value), true)),
        // syscall.c bpf_prog_load_check_attach() switches on the program type as a plain enum value.
        (new Regex(@"^(BPF_PROG_TYPE_\w+) (==|!=) (BPF_PROG_TYPE_\w+)$"), (m, _) => (m.Groups[1].Value == m.Groups[3].Value) == (m.Groups[2].Value == "==") ? Dnf.True : Dnf.False),
        // "if (expected_attach_type)" tests for non-zero; 0 is BPF_CGROUP_INET_INGRESS, the first member of
        // enum bpf_attach_type in include/uapi/linux/bpf.h.
        (new Regex(@"^prog->expected_attach_type$"), (_, _) => Set("attach_type", "BPF_CGROUP_INET_INGRESS", false)),
        // net/core/filter.c bpf_get_skb_set_tunnel_proto(): a one-time per-cpu allocation; its failure is an
        // out-of-memory condition, not a rule of the verifier, so it is read as succeeding.
        (new Regex(@"^metadata_dst_alloc_percpu\("), (_, _) => Dnf.True),
    };

    public static Dnf? Recognize(Expr e, string programType)
    {
        var text = e.ToString();
        foreach (var (pattern, meaning) in Recognizers)
        {
            var m = pattern.Match(text);
            if (m.Success)
            {
                return meaning(m, programType);
            }
        }

        return null;
    }

    private static Dnf Cap(string capability) => Flag(Vocabulary.CapFlag(capability), true);

    private static Dnf Flag(string name, bool value) => Dnf.Of(Term.Flag(name, value));

    private static Dnf Set(string dimension, string value, bool include)
    {
        var set = SetConstraint.Is(value);
        return Dnf.Of(Term.Set(dimension, include ? set : set.Not()));
    }

    // ---- functions modelled by hand ------------------------------------------------------------------------------

    public delegate IEnumerable<(PathState State, Value Value)> Runner(FunctionDef function, IReadOnlyList<Expr> arguments, PathState state);

    /// <summary>
    /// kernel/bpf/bpf_iter.c bpf_iter_get_func_proto() walks the registered iterator targets at run time and asks
    /// the one the program is attached to (prog->aux->attach_btf_id). Here: every "struct bpf_iter_reg" with a
    /// .get_func_proto, each under the condition iter_target=&lt;its .target&gt;.
    /// </summary>
    public static bool IsModelled(string function) => function == "bpf_iter_get_func_proto";

    public static IEnumerable<(PathState State, Value Value)> RunModelled(string function, KernelIndex index,
        IReadOnlyList<Expr> arguments, PathState state, Runner run)
    {
        foreach (var (target, getter) in IteratorTargets(index))
        {
            foreach (var path in state.And(Dnf.Of(Term.Set("iter_target", SetConstraint.Is(target)))))
            {
                foreach (var result in run(getter, arguments, path))
                {
                    yield return result;
                }
            }
        }

        // No target, or a target without its own getter: NULL.
        yield return (state, new NullValue());
    }

    public static IEnumerable<(string Target, FunctionDef Getter)> IteratorTargets(KernelIndex index) =>
        index.StructsOf("bpf_iter_reg")
            .Where(s => s.Fields.ContainsKey("get_func_proto") && s.Fields.ContainsKey("target"))
            .Select(s => (Target: s.Fields["target"].Trim('"'), Getter: index.FunctionFor(s.Fields["get_func_proto"], s.File)))
            .OrderBy(t => t.Target, StringComparer.Ordinal);
}
