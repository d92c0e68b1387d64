using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace BpfSharp.Compiler
{
    /// <summary>
    /// .NET methods a BPF program may call because they are plain C in disguise: byte swaps
    /// (BinaryPrimitives.ReverseEndianness, IPAddress.HostToNetworkOrder/NetworkToHostOrder), block copies and fills
    /// of a constant size (Unsafe.CopyBlock/InitBlock, Buffer.MemoryCopy), which clang writes out as loads and stores,
    /// integer Math.Min/Max/Clamp (Math.Abs is refused: it throws on MinValue), and Volatile.Read/Write.
    /// </summary>
    internal static class DotNetIntrinsics
    {
        /// <summary>The C of a call, or null when the method is no intrinsic; <paramref name="refuse"/> says why a call cannot be one.</summary>
        /// <param name="invocation">The call.</param>
        /// <param name="arguments">Its arguments, translated.</param>
        /// <param name="expression">Translates an operand: a block copy passes its pointers as written, not converted to
        /// <c>void*</c>, so that clang keeps their alignment and copies in words rather than bytes.</param>
        /// <param name="refuse">Reports why the call cannot be translated (rule id, reason).</param>
        public static string? Translate(IInvocationOperation invocation, IReadOnlyList<string> arguments, System.Func<IOperation, string> expression, System.Action<string, string> refuse)
        {
            var method = invocation.TargetMethod;
            var type = method.ContainingType?.ToDisplayString();
            switch (type, method.Name)
            {
                case ("System.Buffers.Binary.BinaryPrimitives", "ReverseEndianness") when arguments.Count == 1:
                    return Swap(method.ReturnType, arguments[0]);
                case ("System.Net.IPAddress", "HostToNetworkOrder" or "NetworkToHostOrder") when arguments.Count == 1:
                    // Network order is big-endian: a swap on little-endian BPF (bpfel), nothing on bpfeb.
                    return Swap(method.ReturnType, arguments[0]) is string swapped
                        ? "(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? " + swapped + " : " + arguments[0] + ")"
                        : null;
                case ("System.Runtime.CompilerServices.Unsafe", "CopyBlock" or "CopyBlockUnaligned") when arguments.Count == 3 && IsPointerCall(invocation):
                    // The CLR copies overlapping blocks as memmove does; clang makes it a memcpy where they cannot overlap.
                    return ConstantSize(invocation, 2, refuse) ? "__builtin_memmove(" + Pointer(0) + ", " + Pointer(1) + ", " + arguments[2] + ")" : "0";
                case ("System.Runtime.CompilerServices.Unsafe", "InitBlock" or "InitBlockUnaligned") when arguments.Count == 3 && IsPointerCall(invocation):
                    return ConstantSize(invocation, 2, refuse) ? "__builtin_memset(" + Pointer(0) + ", " + arguments[1] + ", " + arguments[2] + ")" : "0";
                case ("System.Math", "Min" or "Max") when arguments.Count == 2 && IntegerType.Of(method.ReturnType) is { } integer:
                    return MinOrMax(method.Name == "Min" ? "<" : ">", integer.C, arguments[0], arguments[1]);
                case ("System.Math", "Clamp") when arguments.Count == 3 && IntegerType.Of(method.ReturnType) is { } integer:
                    // C# throws when min > max; with constant bounds that is known here.
                    if (Argument(invocation, 1).ConstantValue is { HasValue: true, Value: object low } && Argument(invocation, 2).ConstantValue is { HasValue: true, Value: object high }
                        && System.Convert.ToDecimal(low, System.Globalization.CultureInfo.InvariantCulture) > System.Convert.ToDecimal(high, System.Globalization.CultureInfo.InvariantCulture))
                    {
                        refuse(CompilerDiagnosticIds.ThrowingOperation, $"clamps to {low}..{high}: C# throws ArgumentException when the minimum is above the maximum, and a BPF program cannot throw");
                        return "0";
                    }

                    return "({ " + integer.C + " bpfsharp_v = " + arguments[0] + ", bpfsharp_lo = " + arguments[1] + ", bpfsharp_hi = " + arguments[2]
                        + "; bpfsharp_v < bpfsharp_lo ? bpfsharp_lo : bpfsharp_v > bpfsharp_hi ? bpfsharp_hi : bpfsharp_v; })";
                case ("System.Math", "Abs") when arguments.Count == 1 && IntegerType.Of(method.ReturnType) is { Signed: true }:
                    refuse(CompilerDiagnosticIds.ThrowingOperation, "C# throws OverflowException for the type's MinValue, and a BPF program cannot throw: write 'x < 0 ? -x : x' (which wraps there)");
                    return "0";
                case ("System.Threading.Volatile", "Read") when arguments.Count == 1 && ScalarC(method.ReturnType) is string read:
                    return "(*(volatile " + read + " *)" + arguments[0] + ")";
                case ("System.Threading.Volatile", "Write") when arguments.Count == 2 && ScalarC(method.Parameters[1].Type) is string written:
                    return "(*(volatile " + written + " *)" + arguments[0] + " = " + arguments[1] + ")";
                case ("System.Buffer", "MemoryCopy") when arguments.Count == 4:
                    if (!ConstantSize(invocation, 3, refuse))
                    {
                        return "0";
                    }

                    // C# throws when the copy is larger than the destination it was told of.
                    if (Argument(invocation, 2).ConstantValue is { HasValue: true } destination && Argument(invocation, 3).ConstantValue.Value is object count
                        && System.Convert.ToDecimal(count, System.Globalization.CultureInfo.InvariantCulture) > System.Convert.ToDecimal(destination.Value, System.Globalization.CultureInfo.InvariantCulture))
                    {
                        refuse(CompilerDiagnosticIds.ThrowingOperation, $"copies {count} bytes into a destination of {destination.Value}: C# throws ArgumentOutOfRangeException, and a BPF program cannot throw");
                        return "0";
                    }

                    // Buffer.MemoryCopy is documented to copy overlapping blocks as if through a temporary.
                    return "__builtin_memmove(" + Pointer(1) + ", " + Pointer(0) + ", " + arguments[3] + ")";
                default:
                    return null;
            }

            // The pointer as written ('byte*', 'EthHdr*'): C converts it to void* without losing what clang knows of its alignment.
            string Pointer(int ordinal) =>
                Argument(invocation, ordinal) is IConversionOperation { IsImplicit: true, Operand: { Type: IPointerTypeSymbol } operand } ? expression(operand) : arguments[ordinal];
        }

        // The overloads on pointers (void*); those on 'ref byte' are not translated.
        private static bool IsPointerCall(IInvocationOperation invocation) => invocation.TargetMethod.Parameters.Length > 0 && invocation.TargetMethod.Parameters[0].Type is IPointerTypeSymbol;

        private static string MinOrMax(string comparison, string type, string left, string right) =>
            "({ " + type + " bpfsharp_a = " + left + ", bpfsharp_b = " + right + "; bpfsharp_a " + comparison + " bpfsharp_b ? bpfsharp_a : bpfsharp_b; })";

        // Volatile's integer and pointer overloads.
        private static string? ScalarC(ITypeSymbol type) =>
            type.TypeKind == TypeKind.Enum ? null : IntegerType.Of(type)?.C ?? (type is IPointerTypeSymbol ? "void *" : null);

        private static string? Swap(ITypeSymbol type, string value)
        {
            var integer = IntegerType.Of(type);
            if (integer is null || type.TypeKind == TypeKind.Enum)
            {
                return null;
            }

            var width = integer.Value.Bits;
            return width == 8
                ? "((" + integer.Value.C + ")" + value + ")"
                : "((" + integer.Value.C + ")__builtin_bswap" + width.ToString(System.Globalization.CultureInfo.InvariantCulture) + "((" + integer.Value.UnsignedC + ")" + value + "))";
        }

        // BPF has no memcpy to call: clang must see the size to write the copy out.
        private static bool ConstantSize(IInvocationOperation invocation, int ordinal, System.Action<string, string> refuse)
        {
            if (KnownToClang(Argument(invocation, ordinal)))
            {
                return true;
            }

            refuse(CompilerDiagnosticIds.UnsupportedCall, $"the size of '{invocation.TargetMethod.Name}' must be a constant: BPF has no memcpy or memset to call, clang writes the copy out as loads and stores of a known size");
            return false;
        }

        // A C# constant, sizeof of any type (a C# constant only for primitives), and arithmetic of those.
        private static bool KnownToClang(IOperation operation) => operation switch
        {
            { ConstantValue.HasValue: true } => true,
            IPropertyReferenceOperation { Property.Name: "Length", Instance: IUtf8StringOperation } => true,
            ISizeOfOperation => true,
            IConversionOperation conversion => KnownToClang(conversion.Operand),
            IBinaryOperation binary => KnownToClang(binary.LeftOperand) && KnownToClang(binary.RightOperand),
            _ => false,
        };

        private static IOperation Argument(IInvocationOperation invocation, int ordinal)
        {
            foreach (var argument in invocation.Arguments)
            {
                if (argument.Parameter?.Ordinal == ordinal)
                {
                    return argument.Value;
                }
            }

            return invocation.Arguments[ordinal].Value;
        }
    }
}
