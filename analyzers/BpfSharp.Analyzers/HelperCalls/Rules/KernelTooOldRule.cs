using BpfSharp.Spec;
using Microsoft.CodeAnalysis;

namespace BpfSharp.Analyzers.HelperCalls.Rules
{
    /// <summary>BPF0003: the helper appeared after the oldest kernel the programs must load on (BpfTargetKernel).</summary>
    internal static class KernelTooOldRule
    {
        public static void Check(in CallSite site, KernelVersion? target)
        {
            var helper = site.Helper;
            if (target is KernelVersion oldest && KernelVersion.TryParse(helper.Since, out var since) && since.CompareTo(oldest) > 0)
            {
                site.Report(Diagnostic.Create(Descriptors.KernelTooOld, site.Call.Location, helper.ToString(), oldest.ToString(), helper.Name, since.ToString(), string.Empty));
            }
        }
    }
}
