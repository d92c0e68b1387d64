using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using BpfSharp.Spec;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace BpfSharp.Compiler
{
    /// <summary>
    /// Static array fields as global data: <c>static byte[] Name = "abc"u8.ToArray();</c>, <c>new byte[32]</c>,
    /// <c>{ 1, 2, 3 }</c>, <c>[.. "abc"u8, 0, 0]</c> become a C array of that length with those values, in .data (the
    /// elements are writable in C# whether the field is readonly or not).
    /// </summary>
    internal sealed partial class TranslationUnit
    {
        private readonly Dictionary<IFieldSymbol, (string Name, int Length)> _arrays = new Dictionary<IFieldSymbol, (string Name, int Length)>(SymbolEqualityComparer.Default);

        /// <summary>The C array of a static array field and its length; null (with a BPF2001 or BPF2002) when it cannot be one.</summary>
        public (string Name, int Length)? StaticArray(IFieldSymbol field, Location at)
        {
            if (_arrays.TryGetValue(field, out var known))
            {
                return known.Length < 0 ? null : known;
            }

            var array = (IArrayTypeSymbol)field.Type;
            var element = array.ElementType;
            var declarator = field.DeclaringSyntaxReferences.Select(r => r.GetSyntax(_cancellationToken)).OfType<VariableDeclaratorSyntax>().FirstOrDefault();
            if (array.Rank != 1 || !(IntegerType.Of(element) is not null || element.SpecialType == SpecialType.System_Boolean))
            {
                Problem(CompilerDiagnosticIds.UnsupportedType, at, $"'{field.Name}' is an array of {element.ToDisplayString()}{(array.Rank != 1 ? " with " + array.Rank.ToString(CultureInfo.InvariantCulture) + " dimensions" : string.Empty)}: a static array in a BPF program holds integers, in one dimension");
                _arrays[field] = (string.Empty, -1);
                return null;
            }

            var values = declarator?.Initializer?.Value is ExpressionSyntax initializer ? Values(initializer, _compilation.GetSemanticModel(initializer.SyntaxTree)) : null;
            if (values is null || values.Count == 0)
            {
                Problem(CompilerDiagnosticIds.UnsupportedConstruct, declarator?.Initializer?.Value.GetLocation() ?? at, $"'{field.Name}' must start with a fixed length and constant values ('new byte[32]', '{{ 1, 2, 3 }}', '\"text\"u8.ToArray()', '[.. \"text\"u8, 0, 0]'): BPF global data is laid out before the program runs");
                _arrays[field] = (string.Empty, -1);
                return null;
            }

            var name = InternalName(CNames.Member(field.ContainingType.Name, field.Name));
            var type = CType(element, at);
            _globals.Add(new ObjectPart(SymbolKey(field), name, (field.IsVolatile ? "volatile " : string.Empty) + type + " " + name + "[" + values.Count.ToString(CultureInfo.InvariantCulture) + "] = { " + string.Join(", ", values.Select(ConstantText)) + " };"));
            _arrays[field] = (name, values.Count);
            return (name, values.Count);
        }

        // The constant elements an array initialiser gives, in order; null when one is not a constant.
        private List<object>? Values(ExpressionSyntax expression, SemanticModel model)
        {
            var values = new List<object>();
            bool Add(ExpressionSyntax part)
            {
                switch (part)
                {
                    case ArrayCreationExpressionSyntax { Initializer: { } initializer }:
                        return initializer.Expressions.All(Add);
                    case ArrayCreationExpressionSyntax creation when creation.Type.RankSpecifiers.Count == 1 && creation.Type.RankSpecifiers[0].Sizes.Count == 1:
                        if (model.GetConstantValue(creation.Type.RankSpecifiers[0].Sizes[0], _cancellationToken) is { HasValue: true, Value: int length } && length > 0 && length <= 1 << 16)
                        {
                            values.AddRange(Enumerable.Repeat((object)0, length));
                            return true;
                        }

                        return false;
                    case ImplicitArrayCreationExpressionSyntax implicitCreation:
                        return implicitCreation.Initializer.Expressions.All(Add);
                    case InitializerExpressionSyntax braces:
                        return braces.Expressions.All(Add);
                    case CollectionExpressionSyntax collection:
                        return collection.Elements.All(element => element switch
                        {
                            ExpressionElementSyntax single => Add(single.Expression),
                            SpreadElementSyntax spread => Add(spread.Expression),
                            _ => false,
                        });
                    case InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Name.Identifier.Text: "ToArray", Expression: var text }, ArgumentList.Arguments.Count: 0 }:
                        return Add(text);
                    case LiteralExpressionSyntax literal when literal.Token.IsKind(SyntaxKind.Utf8StringLiteralToken) || literal.Token.IsKind(SyntaxKind.Utf8MultiLineRawStringLiteralToken) || literal.Token.IsKind(SyntaxKind.Utf8SingleLineRawStringLiteralToken):
                        values.AddRange(Encoding.UTF8.GetBytes((string)literal.Token.Value!).Select(b => (object)b));
                        return true;
                    case ParenthesizedExpressionSyntax parenthesized:
                        return Add(parenthesized.Expression);
                    default:
                        if (model.GetConstantValue(part, _cancellationToken) is { HasValue: true, Value: IConvertible constant })
                        {
                            values.Add(constant);
                            return true;
                        }

                        return false;
                }
            }

            return Add(expression) ? values : null;
        }
    }
}
