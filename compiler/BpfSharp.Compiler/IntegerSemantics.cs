using System.Collections.Generic;
using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace BpfSharp.Compiler
{
    /// <summary>A C# integer type as the translation needs it: width, signedness and its fixed-width C names.</summary>
    internal readonly struct IntegerType
    {
        public IntegerType(int bits, bool signed)
        {
            Bits = bits;
            Signed = signed;
        }

        public int Bits { get; }

        public bool Signed { get; }

        public string C => (Signed ? "__s" : "__u") + Bits.ToString(CultureInfo.InvariantCulture);

        public string UnsignedC => "__u" + Bits.ToString(CultureInfo.InvariantCulture);

        /// <summary>C# masks a shift count to the width of the shifted type (after promotion): 31 or 63.</summary>
        public int ShiftMask => Bits - 1;

        /// <summary>Whether every value of <paramref name="other"/> is a value of this type (a checked conversion cannot throw).</summary>
        public bool Holds(IntegerType other) =>
            Signed == other.Signed ? Bits >= other.Bits : Signed && Bits > other.Bits;

        public static IntegerType? Of(ITypeSymbol? type)
        {
            if (type is INamedTypeSymbol { TypeKind: TypeKind.Enum, EnumUnderlyingType: { } underlying })
            {
                type = underlying;
            }

            switch (type?.SpecialType)
            {
                case SpecialType.System_SByte: return new IntegerType(8, true);
                case SpecialType.System_Byte: return new IntegerType(8, false);
                case SpecialType.System_Int16: return new IntegerType(16, true);
                case SpecialType.System_UInt16:
                case SpecialType.System_Char: return new IntegerType(16, false);
                case SpecialType.System_Int32: return new IntegerType(32, true);
                case SpecialType.System_UInt32: return new IntegerType(32, false);
                case SpecialType.System_Int64:
                case SpecialType.System_IntPtr: return new IntegerType(64, true);
                case SpecialType.System_UInt64:
                case SpecialType.System_UIntPtr: return new IntegerType(64, false);
                default: return null;
            }
        }

        /// <summary>C#'s binary numeric promotion of two integer operands (ECMA-334 12.4.7.3).</summary>
        public static IntegerType Promote(IntegerType left, IntegerType right)
        {
            if ((left.Bits == 64 && !left.Signed) || (right.Bits == 64 && !right.Signed))
            {
                return new IntegerType(64, false);
            }

            if (left.Bits == 64 || right.Bits == 64)
            {
                return new IntegerType(64, true);
            }

            var leftUint = left.Bits == 32 && !left.Signed;
            var rightUint = right.Bits == 32 && !right.Signed;
            if ((leftUint && right.Signed) || (rightUint && left.Signed))
            {
                return new IntegerType(64, true);
            }

            return leftUint || rightUint ? new IntegerType(32, false) : new IntegerType(32, true);
        }

        /// <summary>C#'s unary promotion (of a shifted value): anything narrower than int becomes int.</summary>
        public static IntegerType PromoteUnary(IntegerType type) => type.Bits < 32 ? new IntegerType(32, true) : type;
    }

    /// <summary>
    /// C# integer arithmetic spelled in C so that clang cannot read C's undefined behaviour into it: signed
    /// overflow wraps (computed in the unsigned type), shift counts are masked as C# masks them, and signed
    /// division (which BPF before the v4 ISA lacks) is done on magnitudes. Support functions are emitted once.
    /// </summary>
    internal static class IntegerSemantics
    {
        /// <summary>The C of a support function, by name; only the ones a program uses are written.</summary>
        public static readonly IReadOnlyDictionary<string, string> SupportFunctions = new Dictionary<string, string>
        {
            ["bpfsharp_sdiv32"] = Division(32, remainder: false),
            ["bpfsharp_srem32"] = Division(32, remainder: true),
            ["bpfsharp_sdiv64"] = Division(64, remainder: false),
            ["bpfsharp_srem64"] = Division(64, remainder: true),
        };

        // Truncating signed division on magnitudes: the quotient is negative when the signs differ, the remainder
        // takes the dividend's sign. MinValue / -1 wraps to MinValue (and % gives 0), where C# would throw.
        private static string Division(int bits, bool remainder)
        {
            var s = "__s" + bits.ToString(CultureInfo.InvariantCulture);
            var u = "__u" + bits.ToString(CultureInfo.InvariantCulture);
            var name = "bpfsharp_s" + (remainder ? "rem" : "div") + bits.ToString(CultureInfo.InvariantCulture);
            var result = remainder
                ? $"    {u} r = n % d;\n    return ({s})(a < 0 ? 0 - r : r);\n"
                : $"    {u} q = n / d;\n    return ({s})((a ^ b) < 0 ? 0 - q : q);\n";
            return $"static __attribute__((always_inline)) {s} {name}({s} a, {s} b)\n{{\n"
                + $"    {u} n = a < 0 ? 0 - ({u})a : ({u})a;\n"
                + $"    {u} d = b < 0 ? 0 - ({u})b : ({u})b;\n"
                + result + "}";
        }

        /// <summary>Whether C# checks the operator for overflow in a checked context.</summary>
        public static bool CanOverflow(BinaryOperatorKind kind) =>
            kind == BinaryOperatorKind.Add || kind == BinaryOperatorKind.Subtract || kind == BinaryOperatorKind.Multiply;

        /// <summary>Whether an operator on values of this type can overflow into C's undefined behaviour.</summary>
        public static bool WrapsDifferently(BinaryOperatorKind kind, IntegerType type) =>
            type.Signed && type.Bits >= 32 && CanOverflow(kind);

        /// <summary>Add, subtract or multiply with wrap-around: in the unsigned type, converted back (clang: modulo).</summary>
        public static string Wrapping(IntegerType type, string op, string left, string right) =>
            $"(({type.C})(({type.UnsignedC}){left} {op} ({type.UnsignedC}){right}))";

        /// <summary>The shift count as C# uses it: a constant masked now, anything else masked at run time.</summary>
        public static string ShiftCount(IntegerType shifted, IOperation count, string countText)
        {
            if (count.ConstantValue.HasValue && count.ConstantValue.Value is int constant)
            {
                return (constant & shifted.ShiftMask).ToString(CultureInfo.InvariantCulture);
            }

            return "(" + countText + " & " + shifted.ShiftMask.ToString(CultureInfo.InvariantCulture) + ")";
        }

        /// <summary>A shift of a value of the (promoted) type: left shifts in the unsigned type, '>>>' too.</summary>
        public static string Shift(IntegerType type, BinaryOperatorKind kind, string value, string count)
        {
            switch (kind)
            {
                case BinaryOperatorKind.LeftShift when type.Signed:
                    return $"(({type.C})(({type.UnsignedC}){value} << {count}))";
                case BinaryOperatorKind.LeftShift:
                    return $"({value} << {count})";
                case BinaryOperatorKind.UnsignedRightShift when type.Signed:
                    return $"(({type.C})(({type.UnsignedC}){value} >> {count}))";
                default:
                    return $"({value} >> {count})"; // signed: arithmetic in clang, as in C#
            }
        }

        /// <summary>Division or remainder: unsigned as C has it; signed through the support function.</summary>
        public static string Divide(IntegerType type, bool remainder, string left, string right, out string? support)
        {
            if (!type.Signed)
            {
                support = null;
                return $"({left} {(remainder ? "%" : "/")} {right})";
            }

            support = "bpfsharp_s" + (remainder ? "rem" : "div") + type.Bits.ToString(CultureInfo.InvariantCulture);
            return $"{support}({left}, {right})";
        }
    }
}
