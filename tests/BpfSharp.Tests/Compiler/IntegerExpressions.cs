using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace BpfSharp.Tests.Compiler;

/// <summary>
/// Random, well-typed C# integer code for differential tests of the compiler: functions of three ulong inputs that
/// convert them to random integer types, update them with compound assignments and steps, and return an expression
/// of every operator C# has on integers (arithmetic, shifts with any count, division behind zero tests, casts,
/// comparisons, ?:), as ulong. The same seed gives the same code.
/// </summary>
public sealed class IntegerExpressions(int seed)
{
    private readonly Random _random = new(seed);

    private sealed record CsType(string Name, int Bits, bool Signed)
    {
        public bool IsULong => Bits == 64 && !Signed;
    }

    private static readonly CsType[] s_types =
    [
        new("sbyte", 8, true), new("byte", 8, false), new("short", 16, true), new("ushort", 16, false),
        new("int", 32, true), new("uint", 32, false), new("long", 64, true), new("ulong", 64, false),
    ];

    private static readonly CsType Int = s_types[4];

    private sealed record Typed(string Text, CsType Type);

    /// <summary>Edge values of every width, as ulong inputs (sign-extended where negative).</summary>
    public static readonly ulong[] EdgeValues =
    [
        0, 1, 2, 3, 7, 31, 32, 33, 63, 64, 65, 127, 128, 255, 256, 0x7FFF, 0x8000, 0xFFFF, 0x10000,
        0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0x100000000, 0x7FFFFFFFFFFFFFFF, 0x8000000000000000, ulong.MaxValue,
        unchecked((ulong)-2), unchecked((ulong)-3), unchecked((ulong)-128), unchecked((ulong)-129), unchecked((ulong)-32768),
        unchecked((ulong)(long)int.MinValue), 1000000007, 0x123456789ABCDEF0,
    ];

    /// <summary>Input triples: edge values crossed with each other, then random ones.</summary>
    public List<ulong[]> Inputs(int count)
    {
        var inputs = new List<ulong[]>();
        while (inputs.Count < count)
        {
            inputs.Add([Value(), Value(), Value()]);
        }

        return inputs;
    }

    private ulong Value() => _random.Next(4) == 0
        ? (ulong)_random.NextInt64() ^ ((ulong)_random.Next() << 33)
        : EdgeValues[_random.Next(EdgeValues.Length)];

    /// <summary>A static method <c>ulong {name}(ulong x0, ulong x1, ulong x2)</c>.</summary>
    public string Function(string name)
    {
        var locals = new[] { Pick(s_types), Pick(s_types), Pick(s_types) };
        var names = new[] { "a", "b", "c" };
        var body = new StringBuilder();
        body.Append("    static ulong ").Append(name).Append("(ulong x0, ulong x1, ulong x2)\n    {\n        unchecked\n        {\n");
        for (var i = 0; i < 3; i++)
        {
            body.Append($"            {locals[i].Name} {names[i]} = ({locals[i].Name})x{i};\n");
        }

        var variables = names.Select((n, i) => new Typed(n, locals[i])).ToArray();
        for (var statements = _random.Next(3); statements > 0; statements--)
        {
            body.Append("            ").Append(Update(variables)).Append('\n');
        }

        var result = Expression(variables, depth: 3);
        body.Append("            return (ulong)(").Append(result.Text).Append(");\n        }\n    }\n");
        return body.ToString();
    }

    private string Update(Typed[] variables)
    {
        var target = Pick(variables);
        switch (_random.Next(6))
        {
            case 0:
                return $"{target.Text}{Pick(["++", "--"])};";
            case 1:
                return $"{Pick(["++", "--"])}{target.Text};";
            case 2:
                return $"{target.Text} {Pick(["<<=", ">>=", ">>>="])} {ShiftCount(variables)};";
            case 3:
                var divisor = Pick(variables);
                return $"{{ {target.Type.Name} d = ({target.Type.Name}){divisor.Text}; if (d != 0) {{ {target.Text} {Pick(["/=", "%="])} d; }} }}";
            default:
                return $"{target.Text} {Pick(["+=", "-=", "*=", "&=", "|=", "^="])} ({target.Type.Name})({Expression(variables, 1).Text});";
        }
    }

    private Typed Expression(Typed[] variables, int depth)
    {
        if (depth == 0 || _random.Next(5) == 0)
        {
            return _random.Next(4) == 0 ? Constant() : Pick(variables);
        }

        switch (_random.Next(10))
        {
            case 0:
            case 1:
            case 2:
                return Arithmetic(Expression(variables, depth - 1), Expression(variables, depth - 1), Pick(["+", "-", "*", "&", "|", "^"]));
            case 3:
                var shifted = Expression(variables, depth - 1);
                var promoted = shifted.Type.Bits < 32 ? Int : shifted.Type;
                return new Typed($"({shifted.Text} {Pick(["<<", ">>", ">>>"])} {ShiftCount(variables)})", promoted);
            case 4:
                return Division(variables, depth);
            case 5:
                var cast = Pick(s_types);
                return new Typed($"(({cast.Name})({Expression(variables, depth - 1).Text}))", cast);
            case 6:
                return Unary(Expression(variables, depth - 1));
            case 7:
                var left = Expression(variables, depth - 1);
                var right = Expression(variables, depth - 1);
                (left, right) = Comparable(left, right);
                var whenTrue = Expression(variables, depth - 1);
                var whenFalse = Expression(variables, depth - 1);
                var both = Promote(whenTrue.Type, whenFalse.Type.Signed && whenTrue.Type.IsULong ? whenTrue.Type : whenFalse.Type);
                return new Typed($"({left.Text} {Pick(["<", "<=", ">", ">=", "==", "!="])} {right.Text} ? ({both.Name})({whenTrue.Text}) : ({both.Name})({whenFalse.Text}))", both);
            default:
                return Arithmetic(Expression(variables, depth - 1), Expression(variables, depth - 1), Pick(["+", "-", "*"]));
        }
    }

    // C# has no operator for ulong with a signed operand: such a pair is made ulong on both sides.
    private static (Typed, Typed) Comparable(Typed left, Typed right)
    {
        if (left.Type.IsULong && right.Type.Signed)
        {
            right = new Typed($"((ulong)({right.Text}))", s_types[7]);
        }
        else if (right.Type.IsULong && left.Type.Signed)
        {
            left = new Typed($"((ulong)({left.Text}))", s_types[7]);
        }

        return (left, right);
    }

    private static Typed Arithmetic(Typed left, Typed right, string op)
    {
        (left, right) = Comparable(left, right);
        return new Typed($"({left.Text} {op} {right.Text})", Promote(left.Type, right.Type));
    }

    private Typed Unary(Typed operand)
    {
        var op = Pick(["-", "~", "+"]);
        if (op == "-" && operand.Type.IsULong)
        {
            operand = new Typed($"((long)({operand.Text}))", s_types[6]);
        }

        var type = operand.Type.Bits < 32 ? Int : op == "-" && operand.Type is { Bits: 32, Signed: false } ? s_types[6] : operand.Type;
        return new Typed($"({op}{operand.Text})", type);
    }

    // The divisor is a variable tested against zero, or a non-zero constant (-1 among them).
    private Typed Division(Typed[] variables, int depth)
    {
        var dividend = Expression(variables, depth - 1);
        var op = Pick(["/", "%"]);
        if (_random.Next(3) == 0)
        {
            var constant = Pick(["1", "2", "3", "7", "16", "-1", "-2", "-7", "1000", "65536", "0x80000001"]);
            var divisor = new Typed(constant, constant == "0x80000001" ? s_types[5] : Int);
            var (l, r) = Comparable(dividend, divisor);
            return new Typed($"({l.Text} {op} {r.Text})", Promote(l.Type, r.Type));
        }

        var variable = Pick(variables);
        var (left, right) = Comparable(dividend, variable);
        var type = Promote(left.Type, right.Type);
        return new Typed($"({variable.Text} != 0 ? {left.Text} {op} {right.Text} : ({type.Name})({Constant().Text}))", type);
    }

    private string ShiftCount(Typed[] variables) => _random.Next(3) switch
    {
        0 => Pick(["0", "1", "7", "8", "15", "16", "31", "32", "33", "63", "64", "65", "100", "-1", "-31"]),
        1 => $"(int){Pick(variables).Text}",
        _ => $"(int)({Expression(variables, 1).Text})",
    };

    private Typed Constant()
    {
        var type = Pick(s_types);
        var value = EdgeValues[_random.Next(EdgeValues.Length)];
        var text = type.Signed
            ? ((long)value).ToString(CultureInfo.InvariantCulture)
            : value.ToString(CultureInfo.InvariantCulture) + "UL";
        return new Typed($"(({type.Name})({text}))", type);
    }

    private static CsType Promote(CsType left, CsType right)
    {
        if (left.IsULong || right.IsULong)
        {
            return s_types[7];
        }

        if (left.Bits == 64 || right.Bits == 64)
        {
            return s_types[6];
        }

        var leftUint = left is { Bits: 32, Signed: false };
        var rightUint = right is { Bits: 32, Signed: false };
        if ((leftUint && right.Signed) || (rightUint && left.Signed))
        {
            return s_types[6];
        }

        return leftUint || rightUint ? s_types[5] : Int;
    }

    private T Pick<T>(IReadOnlyList<T> choices) => choices[_random.Next(choices.Count)];
}
