using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace BpfSharp.Compiler
{
    /// <summary>
    /// Static array fields (global data): indexed where the index is known to be in range, measured (Length), and
    /// pinned with fixed. C# checks every index and throws; a BPF program cannot, so an index the compiler cannot
    /// prove in range is BPF2008.
    /// </summary>
    internal sealed partial class FunctionWriter
    {
        private string? StaticArrayUse(IOperation operation)
        {
            switch (operation)
            {
                case IArrayElementReferenceOperation { ArrayReference: IFieldReferenceOperation { Instance: null } field } element when field.Field.Type is IArrayTypeSymbol:
                    if (_unit.StaticArray(field.Field, field.Syntax.GetLocation()) is not { } array)
                    {
                        return "0";
                    }

                    if (element.Indices.Length != 1 || !InRange(element.Indices[0], array.Length))
                    {
                        _unit.Problem(CompilerDiagnosticIds.ThrowingOperation, element.Syntax.GetLocation(), $"'{element.Syntax}' throws in C# when the index is outside 0..{array.Length - 1}, which a BPF program cannot: index with a constant in range or a masked value ('i & {MaskHint(array.Length)}'), or take 'fixed (T* p = {field.Field.Name})' and check the index");
                        return "0";
                    }

                    return array.Name + "[" + Expression(element.Indices[0]) + "]";
                case IPropertyReferenceOperation { Property.Name: "Length" or "LongLength", Instance: IFieldReferenceOperation { Instance: null } field } when field.Field.Type is IArrayTypeSymbol:
                    return _unit.StaticArray(field.Field, field.Syntax.GetLocation()) is { } measured ? measured.Length.ToString(CultureInfo.InvariantCulture) : "0";
                case IFieldReferenceOperation { Instance: null } field when field.Field.Type is IArrayTypeSymbol:
                    if (_unit.StaticArray(field.Field, field.Syntax.GetLocation()) is not null)
                    {
                        _unit.Problem(CompilerDiagnosticIds.UnsupportedConstruct, field.Syntax.GetLocation(), $"static array '{field.Field.Name}' can be indexed, measured (Length) or pinned ('fixed (T* p = {field.Field.Name})') in a BPF program, not assigned or passed on: it is a fixed place in global data");
                    }

                    return "0";
                default:
                    return null;
            }
        }

        // An index that cannot leave 0..length-1: a constant, 'i & m' with m < length, 'i % d' of an unsigned i with d <= length, a byte.
        private static bool InRange(IOperation index, int length)
        {
            var value = Unconverted(index);
            if (index.ConstantValue is { HasValue: true, Value: object constant })
            {
                var number = System.Convert.ToInt64(constant, CultureInfo.InvariantCulture);
                return number >= 0 && number < length;
            }

            return value switch
            {
                IBinaryOperation { OperatorKind: BinaryOperatorKind.And } and => IsBelow(and.LeftOperand, length) || IsBelow(and.RightOperand, length),
                IBinaryOperation { OperatorKind: BinaryOperatorKind.Remainder } remainder when IsUnsigned(Unconverted(remainder.LeftOperand).Type) =>
                    remainder.RightOperand.ConstantValue is { HasValue: true, Value: object divisor } && System.Convert.ToInt64(divisor, CultureInfo.InvariantCulture) is var d && d > 0 && d <= length,
                _ => value.Type?.SpecialType == SpecialType.System_Byte && length >= 256 || value.Type?.SpecialType == SpecialType.System_UInt16 && length >= 65536,
            };

            static bool IsBelow(IOperation mask, int length) =>
                mask.ConstantValue is { HasValue: true, Value: object m } && System.Convert.ToInt64(m, CultureInfo.InvariantCulture) is var bits && bits >= 0 && bits < length;

            // A value of an unsigned type, also once C# has widened it (a byte promoted to int stays non-negative).
            static bool IsUnsigned(ITypeSymbol? type) => type != null && IntegerType.Of(type) is { Signed: false };
        }

        private static string MaskHint(int length) => (length & (length - 1)) == 0 ? (length - 1).ToString(CultureInfo.InvariantCulture) : "m";
    }
}
