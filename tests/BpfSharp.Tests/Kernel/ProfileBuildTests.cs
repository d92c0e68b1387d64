using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using BpfSharp.Spec;
using BpfSharp.Spec.Profiles;
using BpfSharp.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace BpfSharp.Tests.Kernel;

/// <summary>
/// The user's path end to end: `bpfsharp probe` writes this machine's profile, and a consumer built against the packed
/// package with BpfKernelProfile pointing at it gets BPF0001 on exactly the calls that kernel refuses.
/// </summary>
public class ProfileBuildTests(PackagedBpfSharp packaged, ITestOutputHelper output) : IClassFixture<PackagedBpfSharp>
{
    [SkippableFact]
    public void A_build_with_the_probed_profile_reports_exactly_the_refused_calls()
    {
        RunningKernel.RequireBpf();
        var profilePath = Path.Combine(packaged.Root, "kernel-profile.json");
        var (probeExit, probeOutput) = DotNetCli.Run(RepoPaths.Root, "run", "--project", Path.Combine(RepoPaths.Root, "tools", "BpfSharp.Cli"), "--", "probe", "--quiet", "--output", profilePath);
        Assert.True(probeExit == 0, probeOutput);
        output.WriteLine(probeOutput.Trim().Split('\n').First(l => l.StartsWith("Kernel ")));
        var profile = KernelProfileJson.Read(File.ReadAllText(profilePath), out var problems);
        Assert.Empty(problems);

        var helpers = ShippedSpec.Helpers.OrderBy(h => h.Name, System.StringComparer.Ordinal).ToArray();
        var source = new StringBuilder("using BpfSharp;\n[assembly: BpfLicense(\"GPL\")]\npublic static unsafe class Every\n{\n");
        var line = 4;
        var refusedLines = new HashSet<int>();
        foreach (var (variant, index) in profile!.Variants.Select((v, i) => (v, i)))
        {
            source.Append($"    [BpfProgram({Declaration(variant)})]\n    public static void P{index}()\n    {{\n");
            line += 3;
            foreach (var helper in helpers)
            {
                source.Append($"        BpfHelpers.{SpecNames.HelperMethodName(helper.Name)}({string.Join(", ", helper.Parameters.Select(_ => "default!"))});\n");
                line++;
                if (!variant.Allows(helper.Name))
                {
                    refusedLines.Add(line);
                }
            }

            source.Append("    }\n");
            line++;
        }

        source.Append("    /// <summary>Entry point.</summary>\n    public static void Main() { }\n}\n");
        var (exitCode, build) = packaged.BuildConsumer(
            "Profiled",
            source.ToString(),
            "<BpfKernelProfile>kernel-profile.json</BpfKernelProfile><TreatWarningsAsErrors>false</TreatWarningsAsErrors><GenerateDocumentationFile>false</GenerateDocumentationFile>",
            ("kernel-profile.json", File.ReadAllText(profilePath)));
        var reported = Regex.Matches(build, @"Program\.cs\((\d+),\d+\): error BPF0001").Select(m => int.Parse(m.Groups[1].Value)).ToHashSet();
        output.WriteLine($"{profile.Variants.Count} variants x {helpers.Length} helpers; the profile refuses {refusedLines.Count} calls, the build reports BPF0001 on {reported.Count} lines.");

        Assert.NotEqual(0, exitCode);
        Assert.DoesNotContain("BPF0011", build);
        Assert.True(refusedLines.Count > 1000, $"only {refusedLines.Count} refused calls");
        Assert.Empty(refusedLines.Except(reported));
        Assert.Empty(reported.Except(refusedLines));
    }

    /// <summary>How a consumer declares a program of the variant: the enum for a bare variant, else a libbpf section name that gives its attach type and sleepability.</summary>
    public static string Declaration(ProfileVariant variant)
    {
        if (variant.AttachType is null && !variant.Sleepable)
        {
            return "BpfProgramType." + KernelTypes.ProgramTypes.FindByName(variant.ProgramType)!.MemberName;
        }

        var section = SectionNames.All.First(s => s.ProgramType == variant.ProgramType && s.AttachType == variant.AttachType && s.IsSleepable == variant.Sleepable);
        return "\"" + section.Prefix + (section.Pattern.EndsWith('+') ? "/target" : string.Empty) + "\"";
    }
}
