using System;
using System.Collections.Generic;
using System.Linq;

namespace BpfSharp.KernelSource;

/// <summary>C expressions, as far as func_proto getters use them. ToString() gives a canonical text that the
/// condition recognizers in <see cref="KernelFacts"/> match against.</summary>
internal abstract record Expr;

internal sealed record Ident(string Name) : Expr
{
    public override string ToString() => Name;
}

internal sealed record Number(string Text) : Expr
{
    public override string ToString() => Text;
}

/// <summary>Tokens kept as text where no expression is needed (offsetof(struct x, y), casts' types, ...).</summary>
internal sealed record Raw(string Text) : Expr
{
    public override string ToString() => Text;
}

/// <summary>The helper being asked about: what the getter's enum bpf_func_id parameter holds.</summary>
internal sealed record FuncIdConst(string Name) : Expr
{
    public override string ToString() => "BPF_FUNC_" + Name;
}

internal sealed record Call(Expr Callee, IReadOnlyList<Expr> Arguments) : Expr
{
    public override string ToString() => $"{Callee}({string.Join(", ", Arguments)})";
}

internal sealed record Member(Expr Target, string Op, string Name) : Expr
{
    public override string ToString() => $"{Target}{Op}{Name}";
}

internal sealed record Index(Expr Target, Expr Subscript) : Expr
{
    public override string ToString() => $"{Target}[{Subscript}]";
}

internal sealed record Unary(string Op, Expr Operand) : Expr
{
    public override string ToString() => Op + Operand;
}

internal sealed record Cast(string Type, Expr Operand) : Expr
{
    public override string ToString() => $"({Type}){Operand}";
}

internal sealed record Binary(string Op, Expr Left, Expr Right) : Expr
{
    public override string ToString() => $"{Left} {Op} {Right}";
}

internal sealed record Conditional(Expr Test, Expr IfTrue, Expr IfFalse) : Expr
{
    public override string ToString() => $"{Test} ? {IfTrue} : {IfFalse}";
}

/// <summary>Precedence-climbing parser over a token range.</summary>
internal sealed class ExprParser
{
    private static readonly string[][] Levels =
    {
        new[] { "||" }, new[] { "&&" }, new[] { "|" }, new[] { "^" }, new[] { "&" }, new[] { "==", "!=" },
        new[] { "<", ">", "<=", ">=" }, new[] { "<<", ">>" }, new[] { "+", "-" }, new[] { "*", "/", "%" },
    };

    private static readonly HashSet<string> TypeWords = new(StringComparer.Ordinal)
    {
        "struct", "union", "enum", "const", "volatile", "unsigned", "signed", "int", "long", "short", "char", "void",
        "bool", "u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64", "__u32", "__u64", "size_t",
    };

    private readonly IReadOnlyList<Token> _tokens;
    private readonly int _end;
    private int _pos;

    public ExprParser(IReadOnlyList<Token> tokens, int start, int end)
    {
        // "defined X" without parentheses reads as defined(X).
        var list = new List<Token>();
        for (var i = start; i < end; i++)
        {
            if (tokens[i].Is("defined") && i + 1 < end && tokens[i + 1].Kind == TokenKind.Identifier)
            {
                list.AddRange(new[] { tokens[i], tokens[i] with { Kind = TokenKind.Punctuator, Text = "(" }, tokens[i + 1], tokens[i] with { Kind = TokenKind.Punctuator, Text = ")" } });
                i++;
            }
            else
            {
                list.Add(tokens[i]);
            }
        }

        _tokens = list;
        _end = list.Count;
    }

    public static Expr Parse(IReadOnlyList<Token> tokens) => new ExprParser(tokens, 0, tokens.Count).ParseAll();

    public Expr ParseAll()
    {
        var e = ParseConditional();
        if (_pos != _end)
        {
            throw Error("unexpected token");
        }

        return e;
    }

    private Expr ParseConditional()
    {
        var test = ParseBinary(0);
        if (!Accept("?"))
        {
            return test;
        }

        var ifTrue = ParseConditional();
        Expect(":");
        return new Conditional(test, ifTrue, ParseConditional());
    }

    private Expr ParseBinary(int level)
    {
        if (level == Levels.Length)
        {
            return ParseUnary();
        }

        var left = ParseBinary(level + 1);
        while (_pos < _end && Levels[level].Contains(_tokens[_pos].Text) && _tokens[_pos].Kind == TokenKind.Punctuator)
        {
            var op = _tokens[_pos++].Text;
            left = new Binary(op, left, ParseBinary(level + 1));
        }

        return left;
    }

    private Expr ParseUnary()
    {
        if (_pos < _end && _tokens[_pos].Kind == TokenKind.Punctuator && _tokens[_pos].Text is "!" or "&" or "-" or "~" or "*")
        {
            var op = _tokens[_pos++].Text;
            return new Unary(op, ParseUnary());
        }

        if (Peek("(") && _pos + 1 < _end && TypeWords.Contains(_tokens[_pos + 1].Text))
        {
            var close = FileScanner.Matching(_tokens, _pos, "(", ")");
            var type = string.Join(' ', _tokens.Skip(_pos + 1).Take(close - _pos - 1).Select(t => t.Text));
            _pos = close + 1;
            return new Cast(type, ParseUnary());
        }

        return ParsePostfix(ParsePrimary());
    }

    private Expr ParsePostfix(Expr e)
    {
        while (_pos < _end)
        {
            if (Peek("("))
            {
                var close = FileScanner.Matching(_tokens, _pos, "(", ")");
                var args = FileScanner.SplitTopLevel(_tokens, _pos + 1, close).Select(ParseArgument).ToList();
                _pos = close + 1;
                e = new Call(e, args);
            }
            else if (Peek("->") || Peek("."))
            {
                var op = _tokens[_pos++].Text;
                e = new Member(e, op, _tokens[_pos++].Text);
            }
            else if (Peek("["))
            {
                var close = FileScanner.Matching(_tokens, _pos, "[", "]");
                var inner = new ExprParser(_tokens, _pos + 1, close).ParseAll();
                _pos = close + 1;
                e = new Index(e, inner);
            }
            else
            {
                return e;
            }
        }

        return e;
    }

    /// <summary>Arguments such as "struct tcp_congestion_ops" are not expressions; they are kept as text.</summary>
    private static Expr ParseArgument(List<Token> tokens)
    {
        try
        {
            return Parse(tokens);
        }
        catch (FormatException)
        {
            return new Raw(string.Join(' ', tokens.Select(t => t.Text)));
        }
    }

    private Expr ParsePrimary()
    {
        if (_pos >= _end)
        {
            throw Error("expression expected");
        }

        var t = _tokens[_pos++];
        switch (t.Kind)
        {
            case TokenKind.Identifier:
                return new Ident(t.Text);
            case TokenKind.Number:
            case TokenKind.Char:
                return new Number(t.Text);
            case TokenKind.String:
                var text = t.Text;
                while (_pos < _end && _tokens[_pos].Kind == TokenKind.String)
                {
                    text += " " + _tokens[_pos++].Text;
                }

                return new Raw(text);
            default:
                if (t.Is("("))
                {
                    var close = FileScanner.Matching(_tokens, _pos - 1, "(", ")");
                    var inner = new ExprParser(_tokens, _pos, close).ParseAll();
                    _pos = close + 1;
                    return inner;
                }

                _pos--;
                throw Error("expression expected");
        }
    }

    private bool Peek(string text) => _pos < _end && _tokens[_pos].Is(text);

    private bool Accept(string text)
    {
        if (!Peek(text))
        {
            return false;
        }

        _pos++;
        return true;
    }

    private void Expect(string text)
    {
        if (!Accept(text))
        {
            throw Error($"'{text}' expected");
        }
    }

    private FormatException Error(string message)
    {
        var at = _pos < _end ? $"'{_tokens[_pos].Text}' (line {_tokens[_pos].Line})" : "end";
        return new FormatException($"{message} at {at} in: {string.Join(' ', _tokens.Take(_end).Select(t => t.Text))}");
    }
}
