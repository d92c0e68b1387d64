using Microsoft.CodeAnalysis;

namespace BpfSharp.Analyzers.HelperCalls.Rules
{
    /// <summary>BPF0001: the program's type (or attach type, or sleepability) does not offer the helper.</summary>
    internal static class HelperNotAllowedRule
    {
        /// <param name="allowedIn">Where the helper may be called, as the message ends: "XDP, SCHED_CLS" or why nowhere.</param>
        public static void Report(in ProgramSite site, string allowedIn) =>
            site.Report(Diagnostic.Create(
                Descriptors.HelperNotAllowedInProgramType,
                site.Call.Location,
                site.Helper.ToString(),
                site.Caller,
                ProgramDeclaration.Describe(site.Declared.ProgramType),
                site.Helper.Name,
                allowedIn));
    }
}
