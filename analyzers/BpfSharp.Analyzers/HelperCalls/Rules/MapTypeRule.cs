using System;
using System.Globalization;
using System.Linq;
using BpfSharp.Spec;
using Microsoft.CodeAnalysis;

namespace BpfSharp.Analyzers.HelperCalls.Rules
{
    /// <summary>BPF0002: the helper does not accept the map's type.</summary>
    internal static class MapTypeRule
    {
        public static void Report(Action<Diagnostic> report, HelperFacts helper, MapArgument map)
        {
            var accepted = helper.MapTypes
                .Select(m => MapTypeText.Name(m.Key) + (m.Value.OnlyInProgramTypes is null ? string.Empty : " (in " + string.Join(", ", m.Value.OnlyInProgramTypes.Select(p => ProgramDeclaration.ShortName(KernelTypes.ProgramTypes.FindByValue(p)?.Name ?? "?")).OrderBy(n => n, StringComparer.Ordinal)) + " programs)"))
                .OrderBy(n => n, StringComparer.Ordinal)
                .ToArray();
            var working = helper.MapTypes.Where(m => !m.Value.AlwaysFails && m.Value.OnlyInProgramTypes is null).Select(m => MapTypeText.Name(m.Key)).ToArray();
            report(Diagnostic.Create(
                Descriptors.MapTypeNotAccepted,
                map.Location,
                MapTypeText.ClassProperties(working),
                map.MapType.ToString(CultureInfo.InvariantCulture),
                helper.ToString(),
                map.Text,
                map.Type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat),
                MapTypeText.Name(map.MapType),
                helper.Name,
                accepted.Length == 0 ? "no map type" : string.Join(", ", accepted)));
        }
    }
}
