using System;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace BpfSharp.Analyzers.HelperCalls.Rules
{
    /// <summary>BPF0006: a map type the verifier accepts but on which the operation cannot succeed.</summary>
    internal static class AlwaysFailingMapRule
    {
        public static void Check(Action<Diagnostic> report, HelperFacts helper, MapArgument map)
        {
            if (!helper.MapTypes.TryGetValue(map.MapType, out var use) || !use.AlwaysFails)
            {
                return;
            }

            var working = helper.MapTypes.Where(m => !m.Value.AlwaysFails).Select(m => MapTypeText.Name(m.Key)).OrderBy(n => n, StringComparer.Ordinal).ToArray();
            var unconditional = helper.MapTypes.Where(m => !m.Value.AlwaysFails && m.Value.OnlyInProgramTypes is null).Select(m => MapTypeText.Name(m.Key));
            report(Diagnostic.Create(
                Descriptors.MapOperationAlwaysFails,
                map.Location,
                MapTypeText.ClassProperties(unconditional),
                helper.ToString(),
                map.Text,
                MapTypeText.Name(map.MapType),
                helper.Name,
                working.Length == 0 ? "no map type" : string.Join(", ", working)));
        }
    }
}
