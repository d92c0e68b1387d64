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
        // A bare variant of a program type whose sections all give an attach type cannot be declared (libbpf could not load one either).
        foreach (var variant in profile.Variants.Where(v => PackagedKernelTests.Declaration(v) != null))
        {
            var method = "P" + programs.Count;
            programs.Add((method, variant));
            source.Append($"    [BpfProgram({PackagedKernelTests.Declaration(variant)})]\n    public static void {method}()\n    {{\n");
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
        // The spec's own probe of Linux 6.18 (another machine): a refusal this kernel makes where that build allowed the same
        // call is this kernel's own difference (a patched or differently built kernel of the same release). No upstream
        // fact foresees it; only a profile of this kernel does, which PackagedKernelTests checks.
        var profiled = KernelProfileJson.Read(System.IO.File.ReadAllText(System.IO.Path.Combine(RepoPaths.Spec, "kernels", "linux-6.18.json")), out _)!;
        var sameRelease = profiled.Release.Split('-')[0] == profile.Release.Split('-')[0];
        var deviations = new List<string>();
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
                    else if (sameRelease && profiled.FindVariant(variant.ProgramType, variant.AttachType, variant.Sleepable)?.Allows(helper.Name) == true)
                    {
                        deviations.Add($"{variant.Describe()} {helper.Name}");
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
        output.WriteLine($"{profile.Variants.Count - programs.Count} bare variants left out: their program type's sections all give an attach type, so no declaration loads them.");
        output.WriteLine($"BPF0001 missed: {missed.Count}, false BPF0001: {falseErrors.Count}, refusals reported as their condition: {explained.Count}, BPF0004 disagreements: {gplDisagreements.Count}.");
        foreach (var line in missed.Concat(falseErrors).Concat(gplDisagreements).Take(60))
        {
            output.WriteLine("  " + line);
        }

        output.WriteLine($"Refused here but allowed by the Linux {profiled.Release} the spec probed (this kernel's own build; only its profile foresees them): {deviations.Count}.");
        foreach (var line in deviations)
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

    [SkippableFact]
    public async Task Map_verdicts_per_map_helper_and_map_type_equal_the_verifiers()
    {
        var profile = RunningKernel.Profile;
        var helpers = HelperMatrix.GeneratedHelpers().ToDictionary(h => h.Name);
        var classes = typeof(BpfMap).Assembly.GetTypes().Where(t => t.IsDefined(typeof(BpfMapClassAttribute), false))
            .ToDictionary(t => KernelTypes.MapTypes.FindByValue((int)((BpfMapClassAttribute)t.GetCustomAttributes(typeof(BpfMapClassAttribute), false)[0]).MapType)!.Name);
        var cases = new List<(string Method, ProfileMapHelper Verdicts, string MapType, bool Refused)>();
        var source = new StringBuilder("using BpfSharp;\n[assembly: BpfLicense(\"GPL\")]\npublic static unsafe class Oracle\n{\n");
        foreach (var (verdicts, index) in profile.MapHelpers.Select((m, i) => (m, i)))
        {
            var variant = profile.Variants.First(v => v.ProgramType == verdicts.ProgramType && v.Allows(verdicts.Helper) && PackagedKernelTests.Declaration(v) != null);
            var method = "M" + index;
            source.Append($"    [BpfProgram({PackagedKernelTests.Declaration(variant)})]\n    public static void {method}()\n    {{\n");
            var helper = helpers[verdicts.Helper];
            foreach (var mapType in verdicts.Accepted.Concat(verdicts.Refused.Select(r => r.Key)).Where(classes.ContainsKey))
            {
                var arguments = helper.Method.GetParameters().Where(p => !HelperMatrix.IsParams(p))
                    .Select(p => p.ParameterType == typeof(BpfMap) ? $"({HelperMatrix.CSharpName(classes[mapType])})null!" : "default!");
                source.Append($"        BpfHelpers.{helper.Method.Name}({string.Join(", ", arguments)}); // {mapType}\n");
                cases.Add((method, verdicts, mapType, !verdicts.Accepts(mapType)));
            }

            source.Append("    }\n");
        }

        source.Append("}\n");
        var text = source.ToString();
        var diagnostics = await HelperMatrix.Analyze(text, new HelperUsageAnalyzer(), ("build_property.BpfTargetKernel", profile.Version.ToString()!));
        var lines = text.Split('\n');
        var reported = diagnostics.Where(d => d.Id == DiagnosticIds.MapTypeNotAccepted)
            .Select(d => (HelperMatrix.ContainingMethod(d), lines[d.Location.GetLineSpan().StartLinePosition.Line].Split("// ")[1].Trim()))
            .ToHashSet();
        var missed = cases.Where(c => c.Refused && !reported.Contains((c.Method, c.MapType))).Select(c => $"{c.Verdicts.Helper} {c.MapType} in {c.Verdicts.ProgramType}: {c.Verdicts.RefusalOf(c.MapType)}").ToArray();
        var falseErrors = cases.Where(c => !c.Refused && reported.Contains((c.Method, c.MapType))).Select(c => $"{c.Verdicts.Helper} {c.MapType} in {c.Verdicts.ProgramType}").ToArray();
        var undecided = profile.MapHelpers.Sum(m => m.Undecided.Count);
        output.WriteLine($"Linux {profile.Release}: {cases.Count} map helper x map type calls the verifier decided ({cases.Count(c => c.Refused)} refused), {undecided} it could not be asked about (listed in the profile with the verifier's message).");
        output.WriteLine($"BPF0002 missed: {missed.Length}, false BPF0002: {falseErrors.Length}.");
        foreach (var line in missed.Concat(falseErrors).Take(60))
        {
            output.WriteLine("  " + line);
        }

        Assert.True(cases.Count > 500, $"only {cases.Count} decided map cases");
        Assert.Empty(missed);
        Assert.Empty(falseErrors);
    }
}
