using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace BpfSharp.Compiler
{
    /// <summary>
    /// Switch expressions and 'is' patterns over integers: constant, relational, 'not', 'and', 'or' and discard patterns,
    /// with 'when' guards, as C conditions on the value, evaluated once.
    /// </summary>
    internal sealed partial class FunctionWriter
    {
        private int _patternValues;

        // 'x switch { 1 => a, > 5 and < 9 => b, _ => c }': ({ T v = x; v == 1 ? a : v > 5 && v < 9 ? b : c; })
        private string SwitchExpression(ISwitchExpressionOperation operation)
        {
            var value = PatternValue(operation.Value);
            if (value is null)
            {
                return "0";
            }

            var arms = operation.Arms;
            var last = arms.Length - 1;
            if (last < 0 || arms[last].Pattern is not IDiscardPatternOperation || arms[last].Guard != null)
            {
                // Without '_', C# throws SwitchExpressionException for a value no arm matches: unless it proved (no CS8509,
                // CS8524 warning) that every value is matched, as with 'true =>' and 'false =>', the last arm then the rest.
                var exhaustive = last >= 0 && !_unit.Model(operation.Syntax.SyntaxTree).GetDiagnostics(operation.Syntax.Span)
                    .Any(d => d.Id is "CS8509" or "CS8524" or "CS8846" or "CS8847");
                if (!exhaustive)
                {
                    _unit.Problem(CompilerDiagnosticIds.ThrowingOperation, operation.Syntax.GetLocation(), $"'{Shorten(operation.Syntax)}' has no '_ =>' arm: C# throws SwitchExpressionException for a value no arm matches, and a BPF program cannot throw");
                    return "0";
                }
            }

            var type = _unit.CType(operation.Type ?? operation.Value.Type!, operation.Syntax.GetLocation());
            var result = "((" + type + ")" + Expression(arms[last].Value) + ")";
            for (var i = last - 1; i >= 0; i--)
            {
                var condition = Pattern(arms[i].Pattern, value.Value.Name);
                if (arms[i].Guard is { } guard)
                {
                    condition = "(" + condition + " && " + Expression(guard) + ")";
                }

                result = "(" + condition + " ? ((" + type + ")" + Expression(arms[i].Value) + ") : " + result + ")";
            }

            return "({ " + value.Value.Declaration + " " + result + "; })";
        }

        // 'x is 1 or 2', 'x is > 0 and < 10', 'x is not 0'.
        private string IsPattern(IIsPatternOperation operation) =>
            PatternValue(operation.Value) is { } value ? "({ " + value.Declaration + " (" + Pattern(operation.Pattern, value.Name) + "); })" : "0";

        // The tested value in a fresh local, so that it is evaluated once; null (and a BPF2001) for a value that is no integer.
        private (string Name, string Declaration)? PatternValue(IOperation value)
        {
            if (value.Type is null || (IntegerType.Of(value.Type) is null && value.Type.SpecialType != SpecialType.System_Boolean && value.Type.TypeKind != TypeKind.Enum))
            {
                Unsupported(value, $"a pattern on '{value.Type?.ToDisplayString()}' (only integers, enums and bool are matched)");
                return null;
            }

            var name = "bpfsharp_match" + (_patternValues++).ToString(CultureInfo.InvariantCulture);
            return (name, _unit.CType(value.Type, value.Syntax.GetLocation()) + " " + name + " = " + Expression(value) + ";");
        }

        private string Pattern(IPatternOperation pattern, string value)
        {
            switch (pattern)
            {
                case IConstantPatternOperation constant:
                    return "(" + value + " == " + Expression(constant.Value) + ")";
                case IRelationalPatternOperation relational:
                    var comparison = relational.OperatorKind switch
                    {
                        BinaryOperatorKind.LessThan => "<",
                        BinaryOperatorKind.LessThanOrEqual => "<=",
                        BinaryOperatorKind.GreaterThan => ">",
                        BinaryOperatorKind.GreaterThanOrEqual => ">=",
                        BinaryOperatorKind.NotEquals => "!=",
                        _ => "==",
                    };
                    return "(" + value + " " + comparison + " " + Expression(relational.Value) + ")";
                case INegatedPatternOperation negated:
                    return "(!" + Pattern(negated.Pattern, value) + ")";
                case IBinaryPatternOperation binary:
                    return "(" + Pattern(binary.LeftPattern, value) + (binary.OperatorKind == BinaryOperatorKind.And ? " && " : " || ") + Pattern(binary.RightPattern, value) + ")";
                case IDiscardPatternOperation:
                    return "1";
                default:
                    Unsupported(pattern, $"the pattern '{pattern.Syntax}' (constant, relational, not/and/or and '_' patterns are translated; declarations and types are not)");
                    return "0";
            }
        }

        private static string Shorten(SyntaxNode syntax)
        {
            var text = syntax.ToString();
            var line = text.Split('\n').First().TrimEnd();
            return line.Length > 60 ? line.Substring(0, 60) + "..." : line + (text.Contains('\n') ? " ..." : string.Empty);
        }
    }
}
