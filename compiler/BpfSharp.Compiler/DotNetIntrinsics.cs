using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace BpfSharp.Compiler
{
    /// <summary>
    /// .NET methods a BPF program may call because they are plain C in disguise: byte swaps
    /// (BinaryPrimitives.ReverseEndianness, IPAddress.HostToNetworkOrder/NetworkToHostOrder) and block copies and fills
    /// of a constant size (Unsafe.CopyBlock/InitBlock, Buffer.MemoryCopy), which clang writes out as loads and stores.
    /// </summary>
    internal static class DotNetIntrinsics
    {
        /// <summary>The C of a call, or null when the method is no intrinsic; <paramref name="refuse"/> says why a call cannot be one.</summary>
        public static string? Translate(IInvocationOperation invocation, IReadOnlyList<string> arguments, System.Action<string, string> refuse)
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
                case ("System.Runtime.CompilerServices.Unsafe", "CopyBlock" or "CopyBlockUnaligned") when arguments.Count == 3:
                    return ConstantSize(invocation, 2, refuse) ? "__builtin_memcpy(" + arguments[0] + ", " + arguments[1] + ", " + arguments[2] + ")" : "0";
                case ("System.Runtime.CompilerServices.Unsafe", "InitBlock" or "InitBlockUnaligned") when arguments.Count == 3:
                    return ConstantSize(invocation, 2, refuse) ? "__builtin_memset(" + arguments[0] + ", " + arguments[1] + ", " + arguments[2] + ")" : "0";
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

                    return "__builtin_memcpy(" + arguments[1] + ", " + arguments[0] + ", " + arguments[3] + ")";
                default:
                    return null;
            }
        }

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
