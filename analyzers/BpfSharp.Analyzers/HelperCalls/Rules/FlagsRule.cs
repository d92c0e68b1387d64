using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace BpfSharp.Analyzers.HelperCalls.Rules
{
    /// <summary>BPF0005: a constant flags argument with bits or values the helper does not take.</summary>
    internal static class FlagsRule
    {
        [System.Runtime.CompilerServices.MethodImpl(BpfSharp.Compiler.HotPath.Optimized)]
        public static void Check(in CallSite site)
        {
            var helper = site.Helper;
            if (helper.FlagsParameters.IsEmpty)
            {
                return;
            }

            foreach (var argument in site.Call.Invocation.Arguments)
            {
                var flags = argument.Parameter is { } parameter ? helper.FlagsParameters.FirstOrDefault(f => f.Ordinal == parameter.Ordinal) : null;
                var constant = argument.Value.ConstantValue;
                if (flags is null || !constant.HasValue || constant.Value is null || !TryUnsigned(constant.Value, out var value))
                {
                    continue;
                }

                var values = flags.AcceptedValues;
                var rest = value & ~flags.AcceptedBits;
                if (value == 0 || rest == 0 || (values != null && values.Value.Contains(rest)))
                {
                    continue;
                }

                var why = values is null
                    ? $"bits 0x{rest.ToString("x", CultureInfo.InvariantCulture)} are not flags it takes"
                    : $"0x{rest.ToString("x", CultureInfo.InvariantCulture)} is not one of its values";
                site.Report(Diagnostic.Create(
                    Descriptors.FlagsNotAccepted,
                    HelperCall.WithoutConversions(argument.Value).Syntax.GetLocation(),
                    "0x" + value.ToString("x", CultureInfo.InvariantCulture),
                    helper.ToString(),
                    why,
                    "0 or " + (flags.Description ?? "its documented flags")));
            }
        }

        // The constant as the parameter receives it, sign-extended as C# converts it.
        private static bool TryUnsigned(object constant, out ulong value)
        {
            switch (constant)
            {
                case ulong u: value = u; return true;
                case long l: value = unchecked((ulong)l); return true;
                case uint ui: value = ui; return true;
                case int i: value = unchecked((ulong)i); return true;
                case ushort us: value = us; return true;
                case short sh: value = unchecked((ulong)sh); return true;
                case byte b: value = b; return true;
                case sbyte sb: value = unchecked((ulong)sb); return true;
                case char c: value = c; return true;
                default: value = 0; return false;
            }
        }
    }
}
