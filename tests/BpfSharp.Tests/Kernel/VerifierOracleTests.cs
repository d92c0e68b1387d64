using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using BpfSharp.Analyzers;
using BpfSharp.Spec;
using BpfSharp.Spec.Profiles;
using BpfSharp.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Xunit;
using Xunit.Abstractions;

namespace BpfSharp.Tests.Kernel;

/// <summary>
/// The running kernel's verifier as the oracle: every helper called from every program-type variant the kernel loads,
/// and the analyzer's verdict with BpfTargetKernel set to the running kernel's version compared with what the verifier
/// said. A refusal the build cannot foresee (lockdown, kernel config) must be reported as the condition, never missed.
/// </summary>
public class VerifierOracleTests(ITestOutputHelper output)
{
    [SkippableFact]
    public async Task Helper_verdicts_per_program_type_and_licence_equal_the_verifiers()
    {
        var profile = RunningKernel.Profile;
        var helpers = HelperMatrix.GeneratedHelpers();
        var programs = new List<(string Method, ProfileVariant Variant)>();
        var source = new StringBuilder("using BpfSharp;\n[assembly: BpfLicense(\"Proprietary\")]\npublic static unsafe class Oracle\n{\n");
        foreach (var variant in profile.Variants)
        {
            var method = "P" + programs.Count;
            programs.Add((method, variant));
            source.Append($"    [BpfProgram({Declaration(variant)})]\n    public static void {method}()\n    {{\n");
            foreach (var helper in helpers)
            {
                source.Append($"        BpfHelpers.{helper.Method.Name}({string.Join(", ", helper.Method.GetParameters().Where(p => !HelperMatrix.IsParams(p)).Select(_ => "default!"))});\n");
            }

            source.Append("    }\n");
        }

        source.Append("}\n");
        var diagnostics = await HelperMatrix.Analyze(source.ToString(), new HelperUsageAnalyzer(), ("build_property.BpfTargetKernel", profile.Version.ToString()!));
        ISet<(string, string)> Reported(string id, DiagnosticSeverity? severity = null) => diagnostics
            .Where(d => d.Id == id && (severity is null || d.Severity == severity))
            .Select(d => (HelperMatrix.ContainingMethod(d), HelperMatrix.HelperAt(d, helpers))).ToHashSet();

        var errors = Reported(DiagnosticIds.HelperNotAllowedInProgramType, DiagnosticSeverity.Error);
        var conditional = diagnostics.Where(d => d.Id is DiagnosticIds.HelperNeedsEnvironment or DiagnosticIds.HelperDependsOnAttachType)
            .GroupBy(d => (HelperMatrix.ContainingMethod(d), HelperMatrix.HelperAt(d, helpers)))
            .ToDictionary(g => g.Key, g => string.Join(" | ", g.Select(d => d.GetMessage(System.Globalization.CultureInfo.InvariantCulture))));
        var gpl = Reported(DiagnosticIds.GplOnlyHelper);
        var missed = new List<string>();
        var falseErrors = new List<string>();
        var explained = new List<string>();
        var gplDisagreements = new List<string>();
        foreach (var (method, variant) in programs)
        {
            foreach (var helper in helpers)
            {
                var key = (method, helper.Method.Name);
                var refused = !variant.Allows(helper.Name);
                if (refused && !errors.Contains(key))
                {
                    if (conditional.TryGetValue(key, out var message))
                    {
                        explained.Add($"{variant.Describe()} {helper.Name}: {message}");
                    }
                    else
                    {
                        missed.Add($"{variant.Describe()} {helper.Name}");
                    }
                }
                else if (!refused && errors.Contains(key))
                {
                    falseErrors.Add($"{variant.Describe()} {helper.Name}");
                }

                if (!refused && variant.IsGplOnly(helper.Name) != gpl.Contains(key))
                {
                    gplDisagreements.Add($"{variant.Describe()} {helper.Name}: kernel GPL-only={variant.IsGplOnly(helper.Name)}");
                }
            }
        }

        var pairs = programs.Count * helpers.Count;
        output.WriteLine($"Linux {profile.Release}: {programs.Count} variants x {helpers.Count} helpers = {pairs} calls; verifier refused {programs.Sum(p => helpers.Count(h => !p.Variant.Allows(h.Name)))}.");
        output.WriteLine($"BPF0001 missed: {missed.Count}, false BPF0001: {falseErrors.Count}, refusals reported as their condition: {explained.Count}, BPF0004 disagreements: {gplDisagreements.Count}.");
        foreach (var line in missed.Concat(falseErrors).Concat(gplDisagreements).Take(60))
        {
            output.WriteLine("  " + line);
        }

        // What the build cannot know: the lockdown level, the kernel's configuration, the attach type of a program
        // declared by its program type alone (loaded without one, as the probe loads its bare variants).
        Assert.True(explained.All(e => e.Contains("lockdown") || e.Contains("CONFIG_") || e.Contains("attach type")), string.Join("\n", explained));
        Assert.Empty(missed);
        Assert.Empty(falseErrors);
        Assert.Empty(gplDisagreements);
    }

    // The enum form for a bare variant; otherwise a libbpf section name that gives the variant's attach type and sleepability.
    private static string Declaration(ProfileVariant variant)
    {
        if (variant.AttachType is null && !variant.Sleepable)
        {
            return "BpfProgramType." + KernelTypes.ProgramTypes.FindByName(variant.ProgramType)!.MemberName;
        }

        var section = SectionNames.All.First(s => s.ProgramType == variant.ProgramType && s.AttachType == variant.AttachType && s.IsSleepable == variant.Sleepable);
        return "\"" + section.Prefix + (section.Pattern.EndsWith('+') ? "/target" : string.Empty) + "\"";
    }
}
