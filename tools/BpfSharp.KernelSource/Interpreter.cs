using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;

namespace BpfSharp.KernelSource;

// ---- Statements of a func_proto getter -------------------------------------------------------------------------

internal abstract record Item;

internal sealed record StmtItem(Stmt Stmt) : Item;

/// <summary>"case VALUE:" or, with a null value, "default:".</summary>
internal sealed record LabelItem(Expr? Value) : Item;

/// <summary>A preprocessor line inside a body; #if/#else/#endif are followed like control flow.</summary>
internal sealed record DirectiveItem(string Keyword, string Rest) : Item;

internal abstract record Stmt;

internal sealed record BlockStmt(IReadOnlyList<Item> Items) : Stmt
{
    /// <summary>For each #if/#elif/#else item: the index of the next #elif/#else/#endif of the same #if.</summary>
    public IReadOnlyDictionary<int, int> NextBranch { get; } = Branches(Items);

    private static Dictionary<int, int> Branches(IReadOnlyList<Item> items)
    {
        var next = new Dictionary<int, int>();
        var open = new Stack<int>();
        for (var i = 0; i < items.Count; i++)
        {
            if (items[i] is not DirectiveItem d)
            {
                continue;
            }

            switch (d.Keyword)
            {
                case "if" or "ifdef" or "ifndef":
                    open.Push(i);
                    break;
                case "elif" or "else" or "endif":
                    if (open.Count == 0)
                    {
                        throw new FormatException($"#{d.Keyword} without #if inside a block");
                    }

                    next[open.Pop()] = i;
                    if (d.Keyword != "endif")
                    {
                        open.Push(i);
                    }

                    break;
            }
        }

        if (open.Count != 0)
        {
            throw new FormatException("#if not closed inside its block");
        }

        return next;
    }
}

internal sealed record IfStmt(Expr Test, Stmt Then, Stmt? Else) : Stmt;

internal sealed record SwitchStmt(Expr Subject, BlockStmt Body) : Stmt;

internal sealed record ReturnStmt(Expr? Value) : Stmt;

internal sealed record BreakStmt : Stmt;

/// <summary>A local variable declared or assigned ("fn = raw_tp_prog_func_proto(func_id, prog);").</summary>
internal sealed record AssignStmt(string Name, Expr? Value) : Stmt;

/// <summary>A statement that cannot decide the result (a call such as mutex_lock(), fallthrough;).</summary>
internal sealed record OtherStmt(string Text) : Stmt;

/// <summary>A loop: not followed; a getter that needs one is modelled in <see cref="KernelFacts"/> instead.</summary>
internal sealed record LoopStmt(string Text) : Stmt;

internal static class StatementParser
{
    private static readonly HashSet<string> DeclarationStarts = new(StringComparer.Ordinal)
    {
        "const", "struct", "enum", "union", "int", "unsigned", "long", "bool", "u8", "u16", "u32", "u64", "s32", "s64",
        "static", "char", "void",
    };

    public static BlockStmt ParseBody(IReadOnlyList<Token> body) => new(ParseItems(body, 0, body.Count));

    private static List<Item> ParseItems(IReadOnlyList<Token> t, int from, int to)
    {
        var items = new List<Item>();
        var pos = from;
        while (pos < to)
        {
            var tok = t[pos];
            if (tok.Kind == TokenKind.Directive)
            {
                var (keyword, rest) = PpExpression.Split(tok.Text);
                items.Add(new DirectiveItem(keyword, rest));
                pos++;
            }
            else if (tok.Is("case"))
            {
                var colon = IndexOf(t, pos + 1, to, ":");
                items.Add(new LabelItem(new ExprParser(t, pos + 1, colon).ParseAll()));
                pos = colon + 1;
            }
            else if (tok.Is("default") && pos + 1 < to && t[pos + 1].Is(":"))
            {
                items.Add(new LabelItem(null));
                pos += 2;
            }
            else
            {
                items.Add(new StmtItem(ParseStatement(t, ref pos, to)));
            }
        }

        return items;
    }

    private static Stmt ParseStatement(IReadOnlyList<Token> t, ref int pos, int to)
    {
        var tok = t[pos];
        if (tok.Is("{"))
        {
            var close = FileScanner.Matching(t, pos, "{", "}");
            var block = new BlockStmt(ParseItems(t, pos + 1, close));
            pos = close + 1;
            return block;
        }

        if (tok.Is(";"))
        {
            pos++;
            return new OtherStmt(";");
        }

        if (tok.Is("if") || tok.Is("switch") || tok.Is("while") || tok.Is("for"))
        {
            var close = FileScanner.Matching(t, pos + 1, "(", ")");
            var head = new ExprParser(t, pos + 2, close).ParseAll();
            pos = close + 1;
            if (tok.Is("while") || tok.Is("for"))
            {
                ParseStatement(t, ref pos, to);
                return new LoopStmt(tok.Text);
            }

            var inner = ParseStatement(t, ref pos, to);
            if (tok.Is("switch"))
            {
                return new SwitchStmt(head, inner as BlockStmt ?? new BlockStmt(new Item[] { new StmtItem(inner) }));
            }

            Stmt? otherwise = null;
            if (pos < to && t[pos].Is("else"))
            {
                pos++;
                otherwise = ParseStatement(t, ref pos, to);
            }

            return new IfStmt(head, inner, otherwise);
        }

        if (tok.Is("do"))
        {
            pos++;
            ParseStatement(t, ref pos, to);
            pos = IndexOf(t, pos, to, ";") + 1; // while (...);
            return new LoopStmt("do");
        }

        // A macro loop such as list_for_each_entry(pos, head, member) { ... }.
        if (tok.Kind == TokenKind.Identifier && pos + 1 < to && t[pos + 1].Is("("))
        {
            var close = FileScanner.Matching(t, pos + 1, "(", ")");
            if (close + 1 < to && t[close + 1].Is("{"))
            {
                pos = FileScanner.Matching(t, close + 1, "{", "}") + 1;
                return new LoopStmt(tok.Text);
            }
        }

        var end = IndexOf(t, pos, to, ";");
        var start = pos;
        pos = end + 1;
        if (tok.Is("return"))
        {
            return new ReturnStmt(end == start + 1 ? null : new ExprParser(t, start + 1, end).ParseAll());
        }

        if (tok.Is("break"))
        {
            return new BreakStmt();
        }

        var eq = IndexOf(t, start, end, "=", mustFind: false);
        var isDeclaration = DeclarationStarts.Contains(tok.Text) ||
            (tok.Kind == TokenKind.Identifier && start + 1 < end && t[start + 1].Kind == TokenKind.Identifier);
        if (isDeclaration)
        {
            var nameAt = eq < 0 ? end - 1 : eq - 1;
            var value = eq < 0 ? null : new ExprParser(t, eq + 1, end).ParseAll();
            return new AssignStmt(t[nameAt].Text, value);
        }

        if (eq == start + 1 && tok.Kind == TokenKind.Identifier)
        {
            return new AssignStmt(tok.Text, new ExprParser(t, eq + 1, end).ParseAll());
        }

        return new OtherStmt(string.Join(' ', Enumerable.Range(start, end - start).Select(i => t[i].Text)));
    }

    /// <summary>The first <paramref name="text"/> token in [from, to) outside brackets.</summary>
    private static int IndexOf(IReadOnlyList<Token> t, int from, int to, string text, bool mustFind = true)
    {
        var depth = 0;
        for (var i = from; i < to; i++)
        {
            if (t[i].Is("(") || t[i].Is("[") || t[i].Is("{"))
            {
                depth++;
            }
            else if (t[i].Is(")") || t[i].Is("]") || t[i].Is("}"))
            {
                depth--;
            }
            else if (depth == 0 && t[i].Is(text))
            {
                return i;
            }
        }

        if (mustFind)
        {
            throw new FormatException($"'{text}' expected after line {t[from].Line}");
        }

        return -1;
    }
}

// ---- Values and path states ------------------------------------------------------------------------------------

internal abstract record Value;

internal sealed record NullValue : Value;

/// <summary>A pointer to a struct bpf_func_proto: the helper is allowed on this path.</summary>
internal sealed record ProtoValue(string Name) : Value;

internal sealed record BoolValue(bool Truth) : Value;

/// <summary>A value kept as its expression (a parameter, "eatype = prog->expected_attach_type", ...).</summary>
internal sealed record AliasValue(Expr Expr) : Value;

internal sealed record UnsetValue : Value;

/// <summary>One path through the code: what must hold to get here, and the local variables.</summary>
internal sealed record PathState(Term Condition, ImmutableDictionary<string, Value> Locals)
{
    public PathState? And(Term term) => Condition.And(term) is { } both ? this with { Condition = both } : null;

    public IEnumerable<PathState> And(Dnf dnf) => dnf.Terms.Select(And).OfType<PathState>();
}

internal enum Flow
{
    Normal,
    Break,
    Return,
}

internal readonly record struct Outcome(PathState State, Flow Flow, Value? Value);

/// <summary>
/// Runs a func_proto getter for one helper id on every path at once: a switch on the helper id takes its case,
/// every other test (capabilities, attach type, lockdown, Kconfig #if, ...) splits the path in two and records
/// the literal on each side. The caller collects the conditions of the paths that return a non-NULL proto.
/// </summary>
internal sealed class Interpreter
{
    private const int MaxCallDepth = 40;

    private readonly KernelIndex _index;
    private readonly string _programType;
    private readonly Dictionary<FunctionDef, BlockStmt> _bodies = new();
    private int _depth;

    public Interpreter(KernelIndex index, string programType)
    {
        _index = index;
        _programType = programType;
    }

    /// <summary>Calls one definition directly (no Kconfig condition for the definition itself).</summary>
    public IEnumerable<(Term Condition, Value Value)> Invoke(FunctionDef function, IReadOnlyList<Expr> arguments, Term start)
    {
        var caller = new PathState(start, ImmutableDictionary<string, Value>.Empty);
        return Run(function, arguments, caller).Select(r => (r.State.Condition, r.Value));
    }

    /// <summary>Arguments for a getter's (enum bpf_func_id, const struct bpf_prog *) parameters, matched by type.</summary>
    public static IReadOnlyList<Expr> GetterArguments(FunctionDef getter, string helper) =>
        getter.Parameters.Select(p => p.Type.Contains("bpf_func_id", StringComparison.Ordinal)
            ? (Expr)new FuncIdConst(helper)
            : new Ident("prog")).ToList();

    private IEnumerable<(PathState State, Value Value)> Run(FunctionDef function, IReadOnlyList<Expr> arguments, PathState caller)
    {
        if (++_depth > MaxCallDepth)
        {
            throw new InvalidOperationException($"call depth exceeded at {function.Name}");
        }

        try
        {
            _index.MarkUsed(function.File);
            if (!_bodies.TryGetValue(function, out var body))
            {
                body = StatementParser.ParseBody(function.Body);
                _bodies[function] = body;
            }

            var locals = ImmutableDictionary<string, Value>.Empty;
            for (var i = 0; i < function.Parameters.Count && i < arguments.Count; i++)
            {
                locals = locals.SetItem(function.Parameters[i].Name, new AliasValue(Substitute(arguments[i], caller.Locals)));
            }

            var results = new List<(PathState, Value)>();
            foreach (var o in ExecBlock(function, body, 0, new PathState(caller.Condition, locals)))
            {
                if (o.Flow != Flow.Return || o.Value is null)
                {
                    throw new InvalidOperationException($"{function.Where} {function.Name}: a path ends without returning a value");
                }

                results.Add((caller with { Condition = o.State.Condition }, o.Value));
            }

            return results;
        }
        finally
        {
            _depth--;
        }
    }

    // ---- statements --------------------------------------------------------------------------------------------

    private IEnumerable<Outcome> ExecBlock(FunctionDef fn, BlockStmt block, int index, PathState state)
    {
        for (var i = index; i < block.Items.Count; i++)
        {
            switch (block.Items[i])
            {
                case LabelItem:
                    continue;
                case DirectiveItem d when d.Keyword is "if" or "ifdef" or "ifndef":
                    return EnterConditional(fn, block, i, state);
                case DirectiveItem d when d.Keyword is "elif" or "else":
                    // Reached from the taken branch above: skip the other branches.
                    while (block.NextBranch.TryGetValue(i, out var next))
                    {
                        i = next;
                    }

                    continue;
                case DirectiveItem:
                    continue;
                case StmtItem s:
                    var rest = i + 1;
                    return ExecStmt(fn, s.Stmt, state).SelectMany(o =>
                        o.Flow == Flow.Normal ? ExecBlock(fn, block, rest, o.State) : new[] { o });
            }
        }

        return new[] { new Outcome(state, Flow.Normal, null) };
    }

    /// <summary>At #if/#elif/#else item <paramref name="index"/>: the branch is taken on some paths, skipped on others.</summary>
    private IEnumerable<Outcome> EnterConditional(FunctionDef fn, BlockStmt block, int index, PathState state)
    {
        var d = (DirectiveItem)block.Items[index];
        var condition = d.Keyword == "else" ? Dnf.True : PpExpression.Condition(d.Keyword == "elif" ? "if" : d.Keyword, d.Rest);
        foreach (var taken in state.And(condition))
        {
            foreach (var o in ExecBlock(fn, block, index + 1, taken))
            {
                yield return o;
            }
        }

        var next = block.NextBranch[index];
        var nextKeyword = ((DirectiveItem)block.Items[next]).Keyword;
        foreach (var skipped in state.And(condition.Not()))
        {
            var outcomes = nextKeyword == "endif"
                ? ExecBlock(fn, block, next + 1, skipped)
                : EnterConditional(fn, block, next, skipped);
            foreach (var o in outcomes)
            {
                yield return o;
            }
        }
    }

    private IEnumerable<Outcome> ExecStmt(FunctionDef fn, Stmt stmt, PathState state)
    {
        switch (stmt)
        {
            case BlockStmt b:
                return ExecBlock(fn, b, 0, state);
            case IfStmt s:
                return Test(s.Test, state).SelectMany(r =>
                    r.Truth ? ExecStmt(fn, s.Then, r.State)
                    : s.Else is not null ? ExecStmt(fn, s.Else, r.State)
                    : new[] { new Outcome(r.State, Flow.Normal, null) });
            case SwitchStmt s:
                return ExecSwitch(fn, s, state).Select(o => o.Flow == Flow.Break ? o with { Flow = Flow.Normal } : o);
            case ReturnStmt { Value: null }:
                return new[] { new Outcome(state, Flow.Return, null) };
            case ReturnStmt r when fn.ReturnsBool:
                return Test(r.Value!, state).Select(t => new Outcome(t.State, Flow.Return, new BoolValue(t.Truth)));
            case ReturnStmt r:
                return Evaluate(r.Value!, state).Select(v => new Outcome(v.State, Flow.Return, v.Value));
            case BreakStmt:
                return new[] { new Outcome(state, Flow.Break, null) };
            case AssignStmt { Value: null } a:
                return new[] { new Outcome(state with { Locals = state.Locals.SetItem(a.Name, new UnsetValue()) }, Flow.Normal, null) };
            case AssignStmt a:
                return Evaluate(a.Value!, state).Select(v =>
                    new Outcome(v.State with { Locals = v.State.Locals.SetItem(a.Name, v.Value) }, Flow.Normal, null));
            case LoopStmt l:
                throw new InvalidOperationException($"{fn.Where} {fn.Name}: loop '{l.Text}' cannot be followed; model the function in KernelFacts");
            default:
                return new[] { new Outcome(state, Flow.Normal, null) };
        }
    }

    private IEnumerable<Outcome> ExecSwitch(FunctionDef fn, SwitchStmt s, PathState state)
    {
        var items = s.Body.Items;
        var labels = new List<(int Index, LabelItem Label, Dnf Pp)>();
        var pp = new PpStack();
        for (var i = 0; i < items.Count; i++)
        {
            if (items[i] is DirectiveItem d)
            {
                pp.Apply($"#{d.Keyword} {d.Rest}", 0);
            }
            else if (items[i] is LabelItem l)
            {
                labels.Add((i, l, pp.Condition));
            }
        }

        var defaultLabel = labels.FirstOrDefault(l => l.Label.Value is null);
        var cases = labels.Where(l => l.Label.Value is not null).ToList();
        var subject = Substitute(s.Subject, state.Locals);

        // Paths that match no case label: start with all, narrow per label.
        var unmatched = new List<PathState> { state };
        var results = new List<Outcome>();
        if (subject is FuncIdConst helper)
        {
            // The helper id is known: only its own case label(s) can match, each under its #if condition.
            var own = cases.Where(c => c.Label.Value!.ToString() == helper.ToString()).ToList();
            foreach (var c in own)
            {
                results.AddRange(state.And(c.Pp).SelectMany(p => ExecBlock(fn, s.Body, c.Index + 1, p)));
            }

            unmatched = own.Aggregate(unmatched, (paths, c) => paths.SelectMany(p => p.And(c.Pp.Not())).ToList());
        }
        else
        {
            // Any other subject (attach type, program type, ...): each case label is a test of subject == value.
            foreach (var c in cases)
            {
                var test = new Binary("==", subject, c.Label.Value!);
                var next = new List<PathState>();
                foreach (var p in unmatched)
                {
                    foreach (var r in Test(test, p))
                    {
                        if (r.Truth)
                        {
                            results.AddRange(r.State.And(c.Pp).SelectMany(q => ExecBlock(fn, s.Body, c.Index + 1, q)));
                        }
                        else
                        {
                            next.Add(r.State);
                        }
                    }
                }

                unmatched = next;
            }
        }

        foreach (var p in unmatched)
        {
            if (defaultLabel.Label is null)
            {
                results.Add(new Outcome(p, Flow.Normal, null));
                continue;
            }

            results.AddRange(p.And(defaultLabel.Pp).SelectMany(q => ExecBlock(fn, s.Body, defaultLabel.Index + 1, q)));
            results.AddRange(p.And(defaultLabel.Pp.Not()).Select(q => new Outcome(q, Flow.Normal, null)));
        }

        return results;
    }

    // ---- expressions -------------------------------------------------------------------------------------------

    /// <summary>The values an expression can have, each with the path it holds on.</summary>
    private IEnumerable<(PathState State, Value Value)> Evaluate(Expr e, PathState state)
    {
        switch (e)
        {
            case Ident { Name: "NULL" }:
                return new[] { (state, (Value)new NullValue()) };
            case Ident id when state.Locals.TryGetValue(id.Name, out var v):
                if (v is UnsetValue)
                {
                    throw new InvalidOperationException($"variable {id.Name} read before it is set");
                }

                return new[] { (state, v) };
            case Unary { Op: "&" } u:
                return new[] { (state, (Value)new ProtoValue(u.Operand.ToString())) };
            case Conditional c:
                return Test(c.Test, state).SelectMany(r => Evaluate(r.Truth ? c.IfTrue : c.IfFalse, r.State));
            case Call { Callee: Ident callee } call when _index.Calls(callee.Name):
                return CallByName(callee.Name, call.Arguments, state);
            default:
                return new[] { (state, (Value)new AliasValue(Substitute(e, state.Locals))) };
        }
    }

    /// <summary>A call through the index: one path per definition the kernel may have been built with.</summary>
    private IEnumerable<(PathState State, Value Value)> CallByName(string name, IReadOnlyList<Expr> arguments, PathState state)
    {
        if (KernelFacts.IsModelled(name))
        {
            return KernelFacts.RunModelled(name, _index, arguments.Select(a => Substitute(a, state.Locals)).ToList(), state,
                (def, args, s) => Run(def, args, s));
        }

        return _index.Definitions(name).SelectMany(def =>
            state.And(_index.BuildCondition(def)).SelectMany(s => Run(def, arguments, s)));
    }

    /// <summary>Splits the path on a condition: (path, true) where it holds, (path, false) where it does not.</summary>
    private IEnumerable<(PathState State, bool Truth)> Test(Expr e, PathState state)
    {
        switch (e)
        {
            case Unary { Op: "!" } u:
                return Test(u.Operand, state).Select(r => (r.State, !r.Truth));
            case Binary { Op: "&&" } b:
                return Test(b.Left, state).SelectMany(r => r.Truth ? Test(b.Right, r.State) : new[] { r });
            case Binary { Op: "||" } b:
                return Test(b.Left, state).SelectMany(r => r.Truth ? new[] { r } : Test(b.Right, r.State));
            case Conditional c:
                return Test(c.Test, state).SelectMany(r => Test(r.Truth ? c.IfTrue : c.IfFalse, r.State));
            case Ident { Name: "true" }:
                return new[] { (state, true) };
            case Ident { Name: "false" or "NULL" }:
                return new[] { (state, false) };
            case Number n:
                return new[] { (state, n.Text != "0") };
            case Binary { Op: "==" or "!=" } b when b.Right is Ident { Name: "NULL" }:
                return Test(b.Op == "==" ? new Unary("!", b.Left) : b.Left, state);
            case Ident id when state.Locals.TryGetValue(id.Name, out var v):
                return v switch
                {
                    NullValue => new[] { (state, false) },
                    ProtoValue => new[] { (state, true) },
                    BoolValue bv => new[] { (state, bv.Truth) },
                    AliasValue a => Test(a.Expr, state),
                    _ => throw new InvalidOperationException($"variable {id.Name} tested before it is set"),
                };
        }

        var substituted = Substitute(e, state.Locals);
        var known = KernelFacts.Recognize(substituted, _programType);
        if (known is null && substituted is Call { Callee: Ident callee } && _index.Calls(callee.Name))
        {
            return CallByName(callee.Name, ((Call)e).Arguments, state).Select(r => (r.State, r.Value switch
            {
                BoolValue b => b.Truth,
                NullValue => false,
                ProtoValue => true,
                _ => throw new InvalidOperationException($"cannot test the result of {callee.Name}"),
            }));
        }

        // Anything else becomes an "unknown=" literal; those that do not cancel out are reported by the caller.
        known ??= Dnf.Of(Term.Flag(Vocabulary.OpaqueFlag(substituted.ToString()), true));
        return state.And(known).Select(s => (s, true)).Concat(state.And(known.Not()).Select(s => (s, false)));
    }

    /// <summary>Replaces parameters and alias variables by the expressions they stand for.</summary>
    private static Expr Substitute(Expr e, ImmutableDictionary<string, Value> locals) => e switch
    {
        Ident id when locals.TryGetValue(id.Name, out var v) && v is AliasValue a => a.Expr,
        Call c => new Call(c.Callee, c.Arguments.Select(a => Substitute(a, locals)).ToList()),
        Member m => m with { Target = Substitute(m.Target, locals) },
        Index x => new Index(Substitute(x.Target, locals), Substitute(x.Subscript, locals)),
        Unary u => u with { Operand = Substitute(u.Operand, locals) },
        Cast c => c with { Operand = Substitute(c.Operand, locals) },
        Binary b => new Binary(b.Op, Substitute(b.Left, locals), Substitute(b.Right, locals)),
        Conditional c => new Conditional(Substitute(c.Test, locals), Substitute(c.IfTrue, locals), Substitute(c.IfFalse, locals)),
        _ => e,
    };
}
