using Microsoft.CodeAnalysis;

namespace BpfSharp.Analyzers.HelperCalls.Rules
{
    /// <summary>BPF0012: the verifier allows the helper only to a loader with a capability.</summary>
    internal static class CapabilityRule
    {
        public static void Report(in ProgramSite site, string capabilities) =>
            site.Report(Diagnostic.Create(Descriptors.HelperNeedsCapability, site.Call.Location, site.Helper.ToString(), site.Caller, capabilities));
    }
}
