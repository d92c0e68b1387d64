using System;
using BpfSharp.Loader.Probing;
using BpfSharp.Spec;
using BpfSharp.Spec.Profiles;
using Xunit;

namespace BpfSharp.Tests.Kernel;

/// <summary>
/// The running kernel, probed once per test run (about ten seconds). Tests in this namespace are the kernel tests:
/// they run wherever bpf(2) is usable and skip, naming the reason, elsewhere.
/// </summary>
public static class RunningKernel
{
    private static readonly Lazy<string?> s_whyUnavailable = new(KernelProbe.WhyUnavailable);
    private static readonly Lazy<KernelProfile> s_profile = new(() => new KernelProbe(ShippedSpec.Helpers).Run());

    /// <summary>The probed profile; skips the calling test, with the reason, where bpf(2) cannot be used.</summary>
    public static KernelProfile Profile
    {
        get
        {
            RequireBpf();
            return s_profile.Value;
        }
    }

    public static void RequireBpf()
    {
        var why = s_whyUnavailable.Value;
        Skip.If(why != null, "kernel test skipped: " + why);
    }
}
