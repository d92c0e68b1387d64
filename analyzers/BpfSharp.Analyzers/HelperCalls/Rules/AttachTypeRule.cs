using System.Collections.Generic;
using System.Linq;
using BpfSharp.Spec;
using Microsoft.CodeAnalysis;

namespace BpfSharp.Analyzers.HelperCalls.Rules
{
    /// <summary>BPF0009: the helper depends on an attach type the declaration does not name.</summary>
    internal static class AttachTypeRule
    {
        public static void Report(in ProgramSite site, IReadOnlyCollection<string> attachTypes)
        {
            var declared = site.Declared;
            var example = SectionNames.All.FirstOrDefault(d => d.ProgramType == declared.ProgramTypeName && d.AttachType != null && attachTypes.Contains(d.AttachType));
            site.Report(Diagnostic.Create(
                Descriptors.HelperDependsOnAttachType,
                site.Call.Location,
                site.Helper.ToString(),
                site.Caller,
                ProgramDeclaration.ShortName(declared.ProgramTypeName),
                string.Join(", ", attachTypes),
                example?.Prefix ?? "<section>"));
        }
    }
}
