using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace BpfSharp.KernelSource;

internal enum TokenKind
{
    Identifier,
    Number,
    String,
    Char,
    Punctuator,
    Directive,
}

/// <summary>One C token. A preprocessor line (with its continuations, without comments) is one Directive token.</summary>
internal sealed record Token(TokenKind Kind, string Text, int Line)
{
    public bool Is(string text) => Text == text && Kind != TokenKind.String && Kind != TokenKind.Char;

    public override string ToString() => Text;
}

/// <summary>A lexer good enough for kernel C: comments dropped, strings kept whole, directives kept as lines.</summary>
internal static class Lexer
{
    private static readonly string[] Punctuators =
    {
        "...", "<<=", ">>=", "->", "++", "--", "<<", ">>", "<=", ">=", "==", "!=", "&&", "||", "+=", "-=", "*=", "/=",
        "%=", "&=", "|=", "^=", "##",
    };

    public static List<Token> Lex(string text)
    {
        var tokens = new List<Token>();
        var i = 0;
        var line = 1;
        var atLineStart = true;
        while (i < text.Length)
        {
            var c = text[i];
            if (c == '\n')
            {
                line++;
                i++;
                atLineStart = true;
                continue;
            }

            if (char.IsWhiteSpace(c))
            {
                i++;
                continue;
            }

            if (c == '/' && Peek(text, i + 1) == '*')
            {
                var end = text.IndexOf("*/", i + 2, StringComparison.Ordinal);
                end = end < 0 ? text.Length : end + 2;
                line += Count(text, i, end, '\n');
                i = end;
                continue;
            }

            if (c == '/' && Peek(text, i + 1) == '/')
            {
                while (i < text.Length && text[i] != '\n')
                {
                    i++;
                }

                continue;
            }

            if (c == '#' && atLineStart)
            {
                var startLine = line;
                tokens.Add(new Token(TokenKind.Directive, ReadDirective(text, ref i, ref line), startLine));
                continue;
            }

            atLineStart = false;
            var start = i;
            if (char.IsLetter(c) || c == '_')
            {
                while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] == '_'))
                {
                    i++;
                }

                tokens.Add(new Token(TokenKind.Identifier, text[start..i], line));
            }
            else if (char.IsDigit(c))
            {
                while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] == '_' || text[i] == '.'))
                {
                    i++;
                }

                tokens.Add(new Token(TokenKind.Number, text[start..i], line));
            }
            else if (c == '"' || c == '\'')
            {
                i++;
                while (i < text.Length && text[i] != c)
                {
                    i += text[i] == '\\' ? 2 : 1;
                }

                i = Math.Min(i + 1, text.Length);
                tokens.Add(new Token(c == '"' ? TokenKind.String : TokenKind.Char, text[start..i], line));
            }
            else
            {
                var p = Punctuators.FirstOrDefault(p => string.CompareOrdinal(text, i, p, 0, p.Length) == 0) ?? c.ToString();
                i += p.Length;
                tokens.Add(new Token(TokenKind.Punctuator, p, line));
            }
        }

        return tokens;
    }

    /// <summary>Reads "#..." up to the end of its last continued line, comments removed, whitespace collapsed.</summary>
    private static string ReadDirective(string text, ref int i, ref int line)
    {
        var sb = new StringBuilder();
        while (i < text.Length && text[i] != '\n')
        {
            if (text[i] == '\\' && Peek(text, i + 1) == '\n')
            {
                sb.Append(' ');
                i += 2;
                line++;
            }
            else if (text[i] == '/' && Peek(text, i + 1) == '*')
            {
                var end = text.IndexOf("*/", i + 2, StringComparison.Ordinal);
                end = end < 0 ? text.Length : end + 2;
                line += Count(text, i, end, '\n');
                sb.Append(' ');
                i = end;
            }
            else if (text[i] == '/' && Peek(text, i + 1) == '/')
            {
                while (i < text.Length && text[i] != '\n')
                {
                    i++;
                }
            }
            else
            {
                sb.Append(text[i]);
                i++;
            }
        }

        return string.Join(' ', sb.ToString().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
    }

    private static char Peek(string text, int i) => i < text.Length ? text[i] : '\0';

    private static int Count(string text, int from, int to, char c)
    {
        var n = 0;
        for (var k = from; k < to && k < text.Length; k++)
        {
            if (text[k] == c)
            {
                n++;
            }
        }

        return n;
    }
}

/// <summary>A function definition found at file scope, with the preprocessor condition it is compiled under.</summary>
internal sealed record FunctionDef(
    string Name,
    string File,
    int Line,
    string ReturnType,
    bool IsWeak,
    IReadOnlyList<(string Type, string Name)> Parameters,
    IReadOnlyList<Token> Body,
    Dnf PpCondition)
{
    public bool ReturnsProto => ReturnType.Contains("bpf_func_proto", StringComparison.Ordinal);

    public bool ReturnsBool => ReturnType.Split(' ').Contains("bool");

    public string Where => $"{File}:{Line}";
}

/// <summary>A file-scope "struct T name = { .field = value, ... };" initializer.</summary>
internal sealed record StructInit(string Type, string Name, string File, int Line, IReadOnlyDictionary<string, string> Fields, Dnf PpCondition)
{
    public string Where => $"{File}:{Line}";
}

/// <summary>A file-scope macro use such as BPF_PROG_TYPE(...) in bpf_types.h, with its arguments as text.</summary>
internal sealed record MacroUse(string Macro, IReadOnlyList<string> Arguments, string File, int Line, Dnf PpCondition);

/// <summary>
/// Walks one file at file scope: finds function definitions, struct initializers and macro uses, and tracks the
/// #if/#ifdef nesting so each gets the Kconfig condition it is compiled under.
/// </summary>
internal static class FileScanner
{
    public static void Scan(string relativePath, List<Token> tokens, List<FunctionDef> functions, List<StructInit> structs,
        List<MacroUse> macros, ISet<string> wantedMacros)
    {
        var pp = new PpStack();
        var depth = 0;
        var statementStart = 0;
        var pendingOpen = -1;
        var pendingStart = 0;
        var pendingPp = Dnf.True;
        for (var i = 0; i < tokens.Count; i++)
        {
            var t = tokens[i];
            if (t.Kind == TokenKind.Directive)
            {
                depth = pp.Apply(t.Text, depth);
                if (depth == 0)
                {
                    statementStart = i + 1;
                }

                continue;
            }

            if (depth == 0 && t.Kind == TokenKind.Identifier && wantedMacros.Contains(t.Text) && Next(tokens, i) is { } open && open.Is("("))
            {
                var close = Matching(tokens, i + 1, "(", ")");
                macros.Add(new MacroUse(t.Text, SplitTopLevel(tokens, i + 2, close).Select(Text).ToList(), relativePath, t.Line, pp.Condition));
            }

            if (t.Is("{"))
            {
                if (depth == 0)
                {
                    // The body ends where the depth (kept across #else branches by PpStack) is back to 0.
                    pendingOpen = i;
                    pendingStart = statementStart;
                    pendingPp = pp.Condition;
                }

                depth++;
            }
            else if (t.Is("}"))
            {
                depth--;
                if (depth == 0)
                {
                    statementStart = i + 1;
                    if (pendingOpen > 0 && tokens[pendingOpen - 1].Is(")"))
                    {
                        AddFunction(relativePath, tokens, pendingStart, pendingOpen, i, pendingPp, functions);
                    }
                    else if (pendingOpen > 0 && tokens[pendingOpen - 1].Is("="))
                    {
                        AddStruct(relativePath, tokens, pendingStart, pendingOpen, i, pendingPp, structs);
                    }
                }
            }
            else if (t.Is(";") && depth == 0)
            {
                statementStart = i + 1;
            }
        }
    }

    private static void AddFunction(string file, List<Token> tokens, int start, int open, int close, Dnf pp, List<FunctionDef> functions)
    {
        var rparen = open - 1;
        var lparen = MatchingBackward(tokens, rparen);
        if (lparen <= start || tokens[lparen - 1].Kind != TokenKind.Identifier)
        {
            return;
        }

        var name = tokens[lparen - 1];
        var header = tokens.Skip(start).Take(lparen - 1 - start).Select(Text).ToList();
        var parameters = SplitTopLevel(tokens, lparen + 1, rparen)
            .Where(p => p.Count > 0 && !(p.Count == 1 && p[0].Is("void")))
            .Select(p => (Type: string.Join(' ', p.Take(p.Count - 1).Select(Text)), Name: p.LastOrDefault(x => x.Kind == TokenKind.Identifier)?.Text ?? ""))
            .ToList();
        var body = tokens.Skip(open + 1).Take(close - open - 1).ToList();
        functions.Add(new FunctionDef(name.Text, file, name.Line, string.Join(' ', header), header.Contains("__weak"), parameters, body, pp));
    }

    private static void AddStruct(string file, List<Token> tokens, int start, int open, int close, Dnf pp, List<StructInit> structs)
    {
        // "[static] [const] struct TYPE NAME = {"
        var header = tokens.Skip(start).Take(open - 1 - start).ToList();
        var structAt = header.FindIndex(t => t.Is("struct"));
        if (structAt < 0 || structAt + 2 >= header.Count)
        {
            return;
        }

        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in SplitTopLevel(tokens, open + 1, close))
        {
            if (part.Count >= 4 && part[0].Is(".") && part[2].Is("="))
            {
                fields[part[1].Text] = string.Join(' ', part.Skip(3).Select(Text));
            }
        }

        structs.Add(new StructInit(header[structAt + 1].Text, header[^1].Text, file, header[^1].Line, fields, pp));
    }

    private static Token? Next(List<Token> tokens, int i) => i + 1 < tokens.Count ? tokens[i + 1] : null;

    private static string Text(Token t) => t.Text;

    private static string Text(List<Token> ts) => string.Join(' ', ts.Select(Text));

    /// <summary>Index of the token closing the bracket opened at <paramref name="open"/>.</summary>
    public static int Matching(IReadOnlyList<Token> tokens, int open, string left, string right)
    {
        var depth = 0;
        for (var i = open; i < tokens.Count; i++)
        {
            if (tokens[i].Is(left))
            {
                depth++;
            }
            else if (tokens[i].Is(right) && --depth == 0)
            {
                return i;
            }
        }

        throw new FormatException($"unbalanced '{left}' at line {tokens[open].Line}");
    }

    private static int MatchingBackward(List<Token> tokens, int close)
    {
        var depth = 0;
        for (var i = close; i >= 0; i--)
        {
            if (tokens[i].Is(")"))
            {
                depth++;
            }
            else if (tokens[i].Is("(") && --depth == 0)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Splits tokens[from..to) at commas outside brackets.</summary>
    public static List<List<Token>> SplitTopLevel(IReadOnlyList<Token> tokens, int from, int to)
    {
        var parts = new List<List<Token>> { new() };
        var depth = 0;
        for (var i = from; i < to; i++)
        {
            var t = tokens[i];
            if (t.Is("(") || t.Is("[") || t.Is("{"))
            {
                depth++;
            }
            else if (t.Is(")") || t.Is("]") || t.Is("}"))
            {
                depth--;
            }

            if (depth == 0 && t.Is(","))
            {
                parts.Add(new List<Token>());
            }
            else if (t.Kind != TokenKind.Directive)
            {
                parts[^1].Add(t);
            }
        }

        if (parts[^1].Count == 0)
        {
            parts.RemoveAt(parts.Count - 1);
        }

        return parts;
    }
}

/// <summary>
/// The #if nesting at the current point of a file. Besides the condition, it keeps the brace depth the way ctags
/// does: every #else/#elif branch restarts from the depth at its #if, and #endif keeps the first branch's depth, so
/// "#ifdef A  if (x) {  #else  if (y) {  #endif" counts one brace, not two.
/// </summary>
internal sealed class PpStack
{
    private sealed class Frame
    {
        public Dnf Earlier = Dnf.False; // conditions of the branches before the current one
        public Dnf Current = Dnf.True;
        public int DepthAtIf;
        public int? DepthAfterFirstBranch;
    }

    private readonly List<Frame> _frames = new();
    private Dnf? _condition = Dnf.True;

    public Dnf Condition => _condition ??= _frames.Aggregate(Dnf.True, (acc, f) => acc.And(f.Current));

    /// <summary>Applies one directive; returns the brace depth to continue with.</summary>
    public int Apply(string directive, int depth)
    {
        var (keyword, rest) = PpExpression.Split(directive);
        switch (keyword)
        {
            case "if":
            case "ifdef":
            case "ifndef":
                var cond = PpExpression.Condition(keyword, rest);
                _frames.Add(new Frame { Current = cond, DepthAtIf = depth });
                break;
            case "elif":
            case "else":
                if (_frames.Count == 0)
                {
                    return depth;
                }

                var f = _frames[^1];
                f.DepthAfterFirstBranch ??= depth;
                f.Earlier = f.Earlier.Or(f.Current);
                f.Current = keyword == "else" ? f.Earlier.Not() : f.Earlier.Not().And(PpExpression.Condition("if", rest));
                depth = f.DepthAtIf;
                break;
            case "endif":
                if (_frames.Count == 0)
                {
                    return depth;
                }

                depth = _frames[^1].DepthAfterFirstBranch ?? depth;
                _frames.RemoveAt(_frames.Count - 1);
                break;
            default:
                return depth;
        }

        _condition = null;
        return depth;
    }
}

/// <summary>Reads #if expressions into conditions on Kconfig symbols.</summary>
internal static class PpExpression
{
    public static (string Keyword, string Text) Split(string directive)
    {
        var body = directive.TrimStart('#').Trim();
        var end = 0;
        while (end < body.Length && char.IsLetter(body[end]))
        {
            end++;
        }

        return (body[..end], body[end..].Trim());
    }

    /// <summary>
    /// The condition of "#if/#ifdef/#ifndef REST". Only CONFIG_* symbols become literals; other macros (include
    /// guards, __KERNEL__, ...) count as true, since the kernel build always takes those branches that matter here.
    /// </summary>
    public static Dnf Condition(string keyword, string rest)
    {
        if (keyword == "ifdef" || keyword == "ifndef")
        {
            var symbol = rest.Split(' ')[0];
            if (!symbol.StartsWith("CONFIG_", StringComparison.Ordinal))
            {
                return Dnf.True;
            }

            return Dnf.Of(Term.Flag(Vocabulary.KconfigFlag(symbol), keyword == "ifdef"));
        }

        var tokens = Lexer.Lex(rest);
        var parser = new ExprParser(tokens, 0, tokens.Count);
        return Eval(parser.ParseAll());
    }

    private static Dnf Eval(Expr e)
    {
        switch (e)
        {
            case Unary { Op: "!" } u:
                return Eval(u.Operand).Not();
            case Binary { Op: "&&" } b:
                return Eval(b.Left).And(Eval(b.Right));
            case Binary { Op: "||" } b:
                return Eval(b.Left).Or(Eval(b.Right));
            case Number n:
                return n.Text == "0" ? Dnf.False : Dnf.True;
            case Ident id:
                return Symbol(id.Name);
            case Call { Callee: Ident { Name: "defined" or "IS_ENABLED" or "IS_BUILTIN" or "IS_REACHABLE" } } c when c.Arguments.Count == 1:
                // IS_BUILTIN/IS_REACHABLE are read as "enabled": close enough for the places BPF code uses them.
                return Symbol(c.Arguments[0].ToString());
            default:
                var text = e.ToString();
                return text.Contains("CONFIG_", StringComparison.Ordinal)
                    ? Dnf.Of(Term.Flag(Vocabulary.KconfigFlag(text), true))
                    : Dnf.True;
        }
    }

    private static Dnf Symbol(string name) => name.StartsWith("CONFIG_", StringComparison.Ordinal)
        ? Dnf.Of(Term.Flag(Vocabulary.KconfigFlag(name), true))
        : Dnf.True;
}
