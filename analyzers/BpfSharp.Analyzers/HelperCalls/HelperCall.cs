using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace BpfSharp.Analyzers.HelperCalls
{
    /// <summary>A call of a helper stub, with the map arguments the verdicts need.</summary>
    internal sealed class HelperCall
    {
        private HelperCall(HelperFacts helper, IInvocationOperation invocation, ImmutableArray<MapArgument> mapArguments)
        {
            Helper = helper;
            Invocation = invocation;
            MapArguments = mapArguments;
        }

        public HelperFacts Helper { get; }

        public IInvocationOperation Invocation { get; }

        public Location Location => Invocation.Syntax.GetLocation();

        /// <summary>The arguments for BpfMap parameters whose class names a map type.</summary>
        public ImmutableArray<MapArgument> MapArguments { get; }

        /// <summary>The helper call an invocation makes, or null when it calls no helper stub.</summary>
        [System.Runtime.CompilerServices.MethodImpl(BpfSharp.Compiler.HotPath.Optimized)]
        public static HelperCall? From(BpfSymbols symbols, IInvocationOperation invocation) =>
            symbols.GetHelper(invocation.TargetMethod) is HelperFacts helper
                ? new HelperCall(helper, invocation, MapArgumentsOf(symbols, invocation, helper))
                : null;

        public static IOperation WithoutConversions(IOperation value)
        {
            while (value is IConversionOperation conversion && conversion.IsImplicit)
            {
                value = conversion.Operand;
            }

            return value;
        }

        [System.Runtime.CompilerServices.MethodImpl(BpfSharp.Compiler.HotPath.Optimized)]
        private static ImmutableArray<MapArgument> MapArgumentsOf(BpfSymbols symbols, IInvocationOperation invocation, HelperFacts helper)
        {
            if (helper.MapParameters.IsEmpty)
            {
                return ImmutableArray<MapArgument>.Empty;
            }

            var maps = ImmutableArray.CreateBuilder<MapArgument>();
            foreach (var argument in invocation.Arguments)
            {
                // The argument's own type, before its implicit conversion to BpfMap.
                var value = WithoutConversions(argument.Value);
                if (argument.Parameter is { } parameter && helper.MapParameters.Contains(parameter.Ordinal)
                    && value.Type is ITypeSymbol type && symbols.GetMapType(type) is int mapType)
                {
                    maps.Add(new MapArgument(value.Syntax, type, mapType));
                }
            }

            return maps.ToImmutable();
        }
    }

    /// <summary>A map passed to a helper.</summary>
    internal sealed class MapArgument
    {
        public MapArgument(SyntaxNode value, ITypeSymbol type, int mapType)
        {
            Value = value;
            Type = type;
            MapType = mapType;
        }

        /// <summary>The value passed, without a name colon: that is what is wrong.</summary>
        public SyntaxNode Value { get; }

        public Location Location => Value.GetLocation();

        public string Text => Value.ToString();

        public ITypeSymbol Type { get; }

        public int MapType { get; }
    }
}
