using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace BpfSharp.Compiler
{
    /// <summary>
    /// Whether a divisor is known not to be zero where it divides: C# throws DivideByZeroException, a BPF program
    /// cannot throw, so the compiler accepts a division only where the program has ruled zero out. Known: a non-zero
    /// constant; a local or parameter tested against a constant by an enclosing if, ?:, &amp;&amp;, || or while, or by an
    /// earlier 'if (d == 0) return/break/continue;' of an enclosing block, and not written in between.
    /// </summary>
    internal static class DivisorGuard
    {
        public static bool IsNonZero(IOperation division, IOperation divisor)
        {
            var value = WithoutWidening(divisor);
            if (value.ConstantValue.HasValue)
            {
                return value.ConstantValue.Value is object constant && !IsZero(constant);
            }

            var symbol = Variable(value);
            if (symbol is null)
            {
                return false;
            }

            var child = division;
            for (var parent = division.Parent; parent != null; child = parent, parent = parent.Parent)
            {
                if (Guards(parent, child, symbol))
                {
                    return true;
                }

                if (parent is IMethodBodyOperation or ILocalFunctionOperation or IAnonymousFunctionOperation)
                {
                    return false;
                }
            }

            return false;
        }

        // Whether 'parent' only runs 'child' when the variable is not zero.
        private static bool Guards(IOperation parent, IOperation child, ISymbol symbol)
        {
            switch (parent)
            {
                case IConditionalOperation conditional when child == conditional.WhenTrue:
                    return Proves(conditional.Condition, symbol, true) && !WrittenIn(conditional.Condition, symbol) && !WrittenIn(child, symbol);
                case IConditionalOperation conditional when child == conditional.WhenFalse:
                    return Proves(conditional.Condition, symbol, false) && !WrittenIn(conditional.Condition, symbol) && !WrittenIn(child, symbol);
                case IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalAnd } both when child == both.RightOperand:
                    return Proves(both.LeftOperand, symbol, true) && !WrittenIn(both.LeftOperand, symbol) && !WrittenIn(child, symbol);
                case IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalOr } either when child == either.RightOperand:
                    return Proves(either.LeftOperand, symbol, false) && !WrittenIn(either.LeftOperand, symbol) && !WrittenIn(child, symbol);
                // The condition is tested again before every pass: only the condition and the body may undo it.
                case IWhileLoopOperation { ConditionIsTop: true, ConditionIsUntil: false, Condition: { } condition } loop when child == loop.Body:
                    return Proves(condition, symbol, true) && !WrittenIn(condition, symbol) && !WrittenIn(child, symbol);
                case IForLoopOperation { Condition: { } condition } loop when child == loop.Body:
                    return Proves(condition, symbol, true) && !WrittenIn(condition, symbol) && !WrittenIn(child, symbol);
                case IBlockOperation block:
                    return EarlierExit(block, child, symbol);
                default:
                    return false;
            }
        }

        // 'if (d == 0) return ...;' before the statement that divides, with no write of d from there on.
        private static bool EarlierExit(IBlockOperation block, IOperation statement, ISymbol symbol)
        {
            var index = block.Operations.IndexOf(statement);
            for (var i = index - 1; i >= 0; i--)
            {
                var earlier = block.Operations[i];
                if (earlier is IConditionalOperation { WhenFalse: null } test && Exits(test.WhenTrue) && Proves(test.Condition, symbol, false))
                {
                    return !block.Operations.Skip(i + 1).Take(index - i).Any(o => WrittenIn(o, symbol));
                }
            }

            return false;
        }

        private static bool Exits(IOperation statement) => statement switch
        {
            IReturnOperation or IThrowOperation => true,
            IBranchOperation { BranchKind: BranchKind.Break or BranchKind.Continue } => true,
            IBlockOperation block => block.Operations.Length > 0 && Exits(block.Operations[block.Operations.Length - 1]),
            _ => false,
        };

        /// <summary>Whether the condition having the value <paramref name="when"/> rules out a zero <paramref name="symbol"/>.</summary>
        private static bool Proves(IOperation condition, ISymbol symbol, bool when)
        {
            switch (condition)
            {
                case IUnaryOperation { OperatorKind: UnaryOperatorKind.Not } not:
                    return Proves(not.Operand, symbol, !when);
                case IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalAnd } both:
                    return when ? Proves(both.LeftOperand, symbol, true) || Proves(both.RightOperand, symbol, true)
                                : Proves(both.LeftOperand, symbol, false) && Proves(both.RightOperand, symbol, false);
                case IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalOr } either:
                    return when ? Proves(either.LeftOperand, symbol, true) && Proves(either.RightOperand, symbol, true)
                                : Proves(either.LeftOperand, symbol, false) || Proves(either.RightOperand, symbol, false);
                case IBinaryOperation comparison:
                    return Comparison(comparison, symbol) is (BinaryOperatorKind kind, decimal constant)
                        && Holds(kind, 0m, constant) is bool zeroPasses && zeroPasses != when; // zero would give the other outcome
                default:
                    return false;
            }
        }

        // 'd R k' or 'k R d', as 'd R k'.
        private static (BinaryOperatorKind, decimal)? Comparison(IBinaryOperation comparison, ISymbol symbol)
        {
            var left = WithoutWidening(comparison.LeftOperand);
            var right = WithoutWidening(comparison.RightOperand);
            if (IsVariable(left, symbol) && Constant(right) is decimal k)
            {
                return (comparison.OperatorKind, k);
            }

            if (IsVariable(right, symbol) && Constant(left) is decimal k2)
            {
                return (Mirror(comparison.OperatorKind), k2);
            }

            return null;
        }

        private static BinaryOperatorKind Mirror(BinaryOperatorKind kind) => kind switch
        {
            BinaryOperatorKind.LessThan => BinaryOperatorKind.GreaterThan,
            BinaryOperatorKind.LessThanOrEqual => BinaryOperatorKind.GreaterThanOrEqual,
            BinaryOperatorKind.GreaterThan => BinaryOperatorKind.LessThan,
            BinaryOperatorKind.GreaterThanOrEqual => BinaryOperatorKind.LessThanOrEqual,
            _ => kind,
        };

        private static bool? Holds(BinaryOperatorKind kind, decimal x, decimal k) => kind switch
        {
            BinaryOperatorKind.Equals => x == k,
            BinaryOperatorKind.NotEquals => x != k,
            BinaryOperatorKind.LessThan => x < k,
            BinaryOperatorKind.LessThanOrEqual => x <= k,
            BinaryOperatorKind.GreaterThan => x > k,
            BinaryOperatorKind.GreaterThanOrEqual => x >= k,
            _ => null,
        };

        private static decimal? Constant(IOperation operation) =>
            operation.ConstantValue.HasValue && operation.ConstantValue.Value is object value && IntegerType.Of(operation.Type) != null
                ? System.Convert.ToDecimal(value, System.Globalization.CultureInfo.InvariantCulture)
                : (decimal?)null;

        private static bool IsZero(object constant) =>
            constant is bool b ? !b : System.Convert.ToDecimal(constant, System.Globalization.CultureInfo.InvariantCulture) == 0m;

        private static ISymbol? Variable(IOperation operation) => operation switch
        {
            ILocalReferenceOperation local => local.Local,
            IParameterReferenceOperation parameter when parameter.Parameter.RefKind == RefKind.None => parameter.Parameter,
            _ => null,
        };

        private static bool IsVariable(IOperation operation, ISymbol symbol) =>
            Variable(operation) is ISymbol found && SymbolEqualityComparer.Default.Equals(found, symbol);

        // A conversion to a type at least as wide keeps zero and non-zero apart; a narrowing one does not ((byte)256 == 0).
        private static IOperation WithoutWidening(IOperation operation)
        {
            while (operation is IConversionOperation conversion
                && IntegerType.Of(conversion.Type) is IntegerType to && IntegerType.Of(conversion.Operand.Type) is IntegerType from
                && to.Bits >= from.Bits)
            {
                operation = conversion.Operand;
            }

            return operation;
        }

        /// <summary>Whether the variable may change inside the operation: assigned, stepped, or its address taken.</summary>
        private static bool WrittenIn(IOperation region, ISymbol symbol) =>
            region.DescendantsAndSelf().Any(o => o switch
            {
                IAssignmentOperation assignment => IsVariable(assignment.Target, symbol),
                IIncrementOrDecrementOperation step => IsVariable(step.Target, symbol),
                IAddressOfOperation address => IsVariable(address.Reference, symbol),
                IArgumentOperation { Parameter: { RefKind: not RefKind.None } } argument => IsVariable(argument.Value, symbol),
                _ => false,
            });
    }
}
