using Microsoft.CodeAnalysis;

namespace BpfSharp.Analyzers.HelperCalls.Rules
{
    /// <summary>BPF0010: the verifier allows the helper only where the kernel's build or lockdown state permits.</summary>
    internal static class EnvironmentRule
    {
        /// <param name="when">The condition, as the message says it: "when the kernel is built with CONFIG_X".</param>
        public static void Report(in ProgramSite site, string when) =>
            site.Report(Diagnostic.Create(Descriptors.HelperNeedsEnvironment, site.Call.Location, site.Helper.ToString(), site.Caller, when));
    }
}
