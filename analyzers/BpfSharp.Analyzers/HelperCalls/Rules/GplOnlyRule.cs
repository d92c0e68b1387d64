using BpfSharp.Spec;
using Microsoft.CodeAnalysis;

namespace BpfSharp.Analyzers.HelperCalls.Rules
{
    /// <summary>BPF0004: a GPL-only helper in an assembly whose licence is not GPL-compatible.</summary>
    internal static class GplOnlyRule
    {
        /// <param name="gplOnly">Whether the verdict source says the helper is GPL-only where it is called.</param>
        public static void Check(in CallSite site, bool gplOnly)
        {
            if (!gplOnly || GplLicenses.IsCompatible(site.License))
            {
                return;
            }

            var licence = site.License is null
                ? "the assembly declares no licence ([assembly: BpfLicense] is missing)"
                : $"the assembly's licence \"{site.License}\" is not GPL-compatible";
            site.Report(Diagnostic.Create(Descriptors.GplOnlyHelper, site.Call.Location, site.Helper.ToString(), licence));
        }
    }
}
