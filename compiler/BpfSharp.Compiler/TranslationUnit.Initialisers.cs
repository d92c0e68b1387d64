using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Runtime.InteropServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace BpfSharp.Compiler
{
    /// <summary>Initial values of global data, as C initialisers.</summary>
    internal sealed partial class TranslationUnit
    {
        // A constant as C writes it: the suffix keeps its C# type's width and signedness.
        private static string ConstantText(object value)
        {
            var suffix = value switch { ulong _ => "ULL", long _ => "LL", uint _ => "U", _ => string.Empty };
            return Convert.ToString(value is bool b ? (b ? 1 : 0) : value is char c ? (int)c : value, CultureInfo.InvariantCulture) + suffix;
        }

        // A struct value of constants ('new Pair { Packets = 1, Where = { Port = 80 } }', 'new Pair()', 'default') as a
        // C designated initialiser; null when a part is not a constant (or the struct has a constructor with arguments).
        private string? StructInitialiser(IOperation operation)
        {
            if (FunctionWriter.Unconverted(operation).Type is INamedTypeSymbol { TypeKind: TypeKind.Struct } type
                && StructLayout.Of(type) is { } layout && (layout.Kind == LayoutKind.Explicit || layout.Size > 0))
            {
                // Its C is a union, whose designated initialiser keeps one member: give the whole value as bytes.
                var image = new byte[layout.TotalSize];
                return Image(operation, image, 0)
                    ? "{ ." + (layout.Size > 0 ? SizedBytes : ExplicitBytes) + " = { " + string.Join(", ", image.Select(b => "0x" + b.ToString("x2", CultureInfo.InvariantCulture))) + " } }"
                    : null;
            }

            switch (FunctionWriter.Unconverted(operation))
            {
                case IDefaultValueOperation:
                case IObjectCreationOperation { Arguments.IsEmpty: true, Initializer: null }:
                    return "{0}";
                case IObjectCreationOperation { Arguments.IsEmpty: true, Initializer: { } initializer }:
                    return Members(initializer);
                default:
                    return null;
            }

            string? Members(IObjectOrCollectionInitializerOperation initializer)
            {
                var members = new List<string>();
                foreach (var member in initializer.Initializers)
                {
                    string? text = member switch
                    {
                        ISimpleAssignmentOperation { Target: IFieldReferenceOperation target, Value: var assigned } => Value(target.Field, assigned),
                        IMemberInitializerOperation { InitializedMember: IFieldReferenceOperation target, Initializer: IObjectOrCollectionInitializerOperation nested } =>
                            Members(nested) is string inner ? "." + FieldName(target.Field) + " = " + inner : null,
                        _ => null,
                    };
                    if (text is null)
                    {
                        return null;
                    }

                    members.Add(text);
                }

                return members.Count == 0 ? "{0}" : "{ " + string.Join(", ", members) + " }";
            }

            string? Value(IFieldSymbol target, IOperation assigned) =>
                assigned.ConstantValue is { HasValue: true, Value: IConvertible constant } ? "." + FieldName(target) + " = " + ConstantText(constant)
                : StructInitialiser(assigned) is string nested ? "." + FieldName(target) + " = " + nested
                : null;
        }

        // Writes a struct value of constants into its bytes at 'at', as .NET lays it out; false when a part is not a constant.
        private static bool Image(IOperation operation, byte[] image, int at)
        {
            switch (FunctionWriter.Unconverted(operation))
            {
                case IDefaultValueOperation:
                case IObjectCreationOperation { Arguments.IsEmpty: true, Initializer: null }:
                    return true;
                case IObjectCreationOperation { Arguments.IsEmpty: true, Initializer: { } initializer }:
                    return Members(initializer, at);
                default:
                    return false;
            }

            bool Members(IObjectOrCollectionInitializerOperation initializer, int start) =>
                initializer.Initializers.All(member => member switch
                {
                    ISimpleAssignmentOperation { Target: IFieldReferenceOperation target, Value: var assigned } =>
                        assigned.ConstantValue is { HasValue: true, Value: IConvertible constant }
                            ? Write(constant, StructLayout.SizeOf(target.Field.Type), start + StructLayout.OffsetOf(target.Field))
                            : Image(assigned, image, start + StructLayout.OffsetOf(target.Field)),
                    IMemberInitializerOperation { InitializedMember: IFieldReferenceOperation target, Initializer: IObjectOrCollectionInitializerOperation nested } =>
                        Members(nested, start + StructLayout.OffsetOf(target.Field)),
                    _ => false,
                });

            bool Write(object constant, int size, int offset)
            {
                var bits = constant switch
                {
                    bool flag => flag ? 1UL : 0UL,
                    char character => character,
                    sbyte or short or int or long => unchecked((ulong)Convert.ToInt64(constant, CultureInfo.InvariantCulture)),
                    _ => Convert.ToUInt64(constant, CultureInfo.InvariantCulture),
                };
                for (var i = 0; i < size && offset + i < image.Length; i++)
                {
                    image[offset + i] = (byte)(bits >> (8 * i));
                }

                return true;
            }
        }
    }
}
