using System;
using System.Collections.Generic;
using System.Linq;

namespace BpfSharp.KernelSource;

internal sealed record Row(string ProgramType, string Helper, string Conditions);

/// <summary>One program type as bpf_types.h declares it, with what its rows depend on.</summary>
internal sealed record ProgramTypeInfo(string Name, string OpsName, string Getter, string GetterFile, Term BuiltWith,
    SetConstraint? AttachTypes = null);

internal sealed record StructOpsInfo(string Name, string OpsName, string Getter, string File, Term BuiltWith);

/// <summary>
/// Asks every program type's getter about every helper id. Kconfig symbols a program type (or a struct_ops)
/// cannot exist without are assumed on and left out of its rows; the header lists them instead.
/// </summary>
internal sealed class HelperTable
{
    private const string SyscallKconfig = "CONFIG_BPF_SYSCALL";

    private readonly KernelIndex _index;

    public List<Row> Rows { get; } = new();
    public List<ProgramTypeInfo> ProgramTypes { get; } = new();
    public List<StructOpsInfo> StructOps { get; } = new();

    public HelperTable(KernelIndex index) => _index = index;

    public void Build()
    {
        MarkUsed("include/linux/bpf_types.h");
        MarkUsed("include/uapi/linux/bpf.h");
        foreach (var use in _index.ProgramTypes)
        {
            var type = use.Arguments[0];
            var builtWith = SingleTerm(use.PpCondition, $"BPF_PROG_TYPE({type})").And(Kconfig(SyscallKconfig))!;
            if (type == "BPF_PROG_TYPE_EXT")
            {
                // verifier.c check_attach_btf_id(): an extension program takes env->ops of the program it replaces.
                ProgramTypes.Add(new ProgramTypeInfo(type, "(target's)", "(target's)", "kernel/bpf/verifier.c", builtWith));
                Rows.Add(new Row(type, "*", "same_as_target"));
                continue;
            }

            if (type == "BPF_PROG_TYPE_STRUCT_OPS")
            {
                // verifier.c check_struct_ops_btf_id(): env->ops = st_ops->verifier_ops of the struct_ops implemented.
                ProgramTypes.Add(new ProgramTypeInfo(type, "(per struct_ops)", "(per struct_ops)", "kernel/bpf/verifier.c", builtWith));
                AddStructOpsRows(type, builtWith);
                continue;
            }

            var opsName = use.Arguments[1] + "_verifier_ops";
            var ops = _index.Struct("bpf_verifier_ops", opsName)
                ?? throw new InvalidOperationException($"{type}: no struct bpf_verifier_ops {opsName}");
            MarkUsed(ops.File);

            // The verifier ops are linked in only with their file's Kconfig (filter.c needs CONFIG_NET even where
            // bpf_types.h only says CONFIG_INET), so that is assumed too.
            builtWith = builtWith.And(SingleTerm(KernelFacts.FileKconfig(ops.File).And(ops.PpCondition), opsName))!;
            if (!ops.Fields.TryGetValue("get_func_proto", out var getterName))
            {
                ProgramTypes.Add(new ProgramTypeInfo(type, opsName, "(none)", ops.File, builtWith));
                continue;
            }

            var getter = _index.FunctionFor(getterName, ops.File);
            var attachTypes = AttachTypes(type);
            ProgramTypes.Add(new ProgramTypeInfo(type, opsName, getterName, getter.File, builtWith, attachTypes));
            foreach (var helper in _index.Helpers)
            {
                var allowed = Evaluate(type, getter, helper, builtWith, attachTypes);
                if (!allowed.IsFalse)
                {
                    Rows.Add(new Row(type, "bpf_" + helper, allowed.ToString()));
                }
            }
        }

        Rows.Sort((a, b) => string.CompareOrdinal(a.ProgramType + "\t" + a.Helper, b.ProgramType + "\t" + b.Helper));
    }

    private void AddStructOpsRows(string type, Term builtWith)
    {
        var perHelper = new Dictionary<string, List<Term>>(StringComparer.Ordinal);
        foreach (var st in _index.StructsOf("bpf_struct_ops").OrderBy(s => s.Fields.GetValueOrDefault("name"), StringComparer.Ordinal))
        {
            if (!st.Fields.TryGetValue("name", out var quoted) || !st.Fields.TryGetValue("verifier_ops", out var opsRef))
            {
                continue;
            }

            var name = quoted.Trim('"');
            var opsName = opsRef.TrimStart('&').Trim();
            var ops = _index.Struct("bpf_verifier_ops", opsName)
                ?? throw new InvalidOperationException($"struct_ops {name}: no struct bpf_verifier_ops {opsName}");
            MarkUsed(st.File);
            var stBuiltWith = builtWith.And(SingleTerm(KernelFacts.FileKconfig(st.File).And(st.PpCondition), $"struct_ops {name}"))!;
            if (!ops.Fields.TryGetValue("get_func_proto", out var getterName))
            {
                // No getter: the verifier refuses every helper call (check_helper_call(): no get_func_proto).
                StructOps.Add(new StructOpsInfo(name, opsName, "(none)", st.File, stBuiltWith));
                continue;
            }

            var getter = _index.FunctionFor(getterName, st.File);
            StructOps.Add(new StructOpsInfo(name, opsName, getterName, st.File, stBuiltWith));
            var only = Term.Set("struct_ops", SetConstraint.Is(name));
            foreach (var helper in _index.Helpers)
            {
                foreach (var term in Evaluate(type, getter, helper, stBuiltWith).Terms)
                {
                    if (!perHelper.TryGetValue(helper, out var terms))
                    {
                        perHelper[helper] = terms = new List<Term>();
                    }

                    terms.Add(term.And(only)!);
                }
            }
        }

        foreach (var (helper, terms) in perHelper)
        {
            Rows.Add(new Row(type, "bpf_" + helper, Dnf.Of(terms).ToString()));
        }
    }

    /// <summary>
    /// The condition under which getter(helper, prog) is non-NULL, without the assumed Kconfig symbols. With a
    /// known set of attach types the program type can be loaded with, impossible attach types drop out and
    /// "attach_type!=..." becomes the list of the remaining ones.
    /// </summary>
    private Dnf Evaluate(string type, FunctionDef getter, string helper, Term builtWith, SetConstraint? attachTypes = null)
    {
        var interpreter = new Interpreter(_index, type);
        var start = attachTypes is null ? builtWith : builtWith.And(Term.Set("attach_type", attachTypes))!;
        var allowed = new List<Term>();
        foreach (var (condition, value) in interpreter.Invoke(getter, Interpreter.GetterArguments(getter, helper), start))
        {
            switch (value)
            {
                case ProtoValue:
                    var term = condition.WithoutFlags(builtWith.Flags.Keys);
                    if (attachTypes is not null && term.Sets.TryGetValue("attach_type", out var narrowed) && attachTypes.Implies(narrowed))
                    {
                        term = term.WithoutKey("attach_type");
                    }

                    allowed.Add(term);
                    break;
                case NullValue:
                    break;
                default:
                    throw new InvalidOperationException($"{type} bpf_{helper}: {getter.Name} returns {value}, which is not a proto");
            }
        }

        return Dnf.Of(allowed);
    }

    /// <summary>
    /// The expected attach types a program type can be loaded with, where kernel/bpf/syscall.c
    /// bpf_prog_load_check_attach() restricts them: the function is run like a getter, and the attach types of
    /// its "return 0" paths are collected. Null where some path accepts any attach type.
    /// </summary>
    private SetConstraint? AttachTypes(string type)
    {
        var check = _index.FunctionFor("bpf_prog_load_check_attach", "kernel/bpf/syscall.c");
        var arguments = check.Parameters.Select(p => p.Name switch
        {
            "prog_type" => new Ident(type),
            "expected_attach_type" => new Member(new Ident("prog"), "->", "expected_attach_type"),
            _ => (Expr)new Raw(p.Name), // attach_btf, btf_id, dst_prog: unknown here; they cancel out below
        }).ToList();
        SetConstraint? accepted = null;
        foreach (var (condition, value) in new Interpreter(_index, type).Invoke(check, arguments, Term.True))
        {
            if (value is not AliasValue { Expr: Number { Text: "0" } })
            {
                continue;
            }

            if (!condition.Sets.TryGetValue("attach_type", out var types) || !types.Include)
            {
                return null;
            }

            accepted = accepted is null ? types : accepted.Or(types);
        }

        return accepted;
    }

    private void MarkUsed(string file) => _index.MarkUsed(file);

    private static Term Kconfig(string symbol) => Term.Flag(Vocabulary.KconfigFlag(symbol), true);

    private static Term SingleTerm(Dnf dnf, string what) => dnf.Terms.Count == 1
        ? dnf.Terms[0]
        : throw new InvalidOperationException($"{what}: built under '{dnf}', expected one conjunction of Kconfig symbols");
}
