using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using BpfSharp.Analyzers;
using BpfSharp.Spec;
using BpfSharp.SpecData;
using BpfSharp.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit;

namespace BpfSharp.Tests;

/// <summary>
/// Every helper called from every program type, and every map type passed to every map helper, through the generated
/// API and the analyzer: BPF0001 exactly where ebpf-docs' data forbids the helper, BPF0002 exactly where the kernel
/// verifier's compatibility rules reject the map.
/// </summary>
public class VerdictMatrixTests
{
    private static readonly Type[] MapClasses = typeof(BpfMap).Assembly.GetTypes()
        .Where(t => Attribute.IsDefined(t, typeof(BpfMapClassAttribute)))
        .OrderBy(t => t.Name, StringComparer.Ordinal)
        .ToArray();

    [SkippableFact]
    public async Task BPF0001_is_reported_exactly_where_the_kernel_forbids_the_helper()
    {
        Skip.IfNot(RepoPaths.HasShared, RepoPaths.NoSharedReason);
        var facts = new KernelVerdicts(RepoPaths.Spec).ApplyAll(new UpstreamFacts(RepoPaths.Shared).Helpers, new List<KernelDecision>());
        var helpers = HelperMatrix.GeneratedHelpers();
        // Declared by program type alone, a program is its type's default section; a type without one is BPF0007, no program.
        var allTypes = KernelTypes.ProgramTypes.Members.Where(m => m.Value != 0).ToArray();
        var programTypes = allTypes.Where(m => DeclaredSection.FromProgramType(m.Value, out _) != null).ToArray();
        var sections = programTypes.ToDictionary(m => m.Name, m => DeclaredSection.FromProgramType(m.Value, out _)!);

        var source = new StringBuilder("using BpfSharp;\npublic static unsafe class Matrix\n{\n");
        foreach (var programType in allTypes)
        {
            source.Append($"    [BpfProgram(BpfProgramType.{programType.MemberName})]\n    public static void {programType.MemberName}()\n    {{\n");
            foreach (var helper in helpers)
            {
                source.Append($"        BpfHelpers.{helper.Method.Name}({string.Join(", ", helper.Method.GetParameters().Where(p => !HelperMatrix.IsParams(p)).Select(_ => "default!"))});\n");
            }

            source.Append("    }\n");
        }

        source.Append("}\n");
        var diagnostics = await HelperMatrix.Analyze(source.ToString(), new HelperUsageAnalyzer());

        var reported = diagnostics.Where(d => d.Id == DiagnosticIds.HelperNotAllowedInProgramType)
            .Select(d => (Program: HelperMatrix.ContainingMethod(d), Helper: HelperMatrix.HelperAt(d, helpers)))
            .ToHashSet();
        var expected = (from programType in programTypes
                        from helper in facts
                        let section = sections[programType.Name]
                        where !helper.ProgramTypes.Any(p => p.ProgramType == programType.Name)
                            || (!section.Sleepable && helper.Conditions.Any(c => c.ProgramType == programType.Name && c.Kind == "sleepable"))
                            || (section.AttachType != null && helper.Conditions.Any(c => c.ProgramType == programType.Name && c.Kind == "attach_type" && !c.Values.Split(", ").Contains(section.AttachType)))
                        select (programType.MemberName, SpecNames.HelperMethodName(helper.Name))).ToHashSet();

        Assert.Equal(211 * programTypes.Length, helpers.Count * programTypes.Length);
        Assert.True(programTypes.Length >= 25, $"only {programTypes.Length} program types have a default section");
        Assert.Empty(expected.Except(reported));
        Assert.Empty(reported.Except(expected));
        Assert.DoesNotContain(diagnostics, d => d.Id == DiagnosticIds.MapTypeNotAccepted);
    }

    [SkippableFact]
    public async Task BPF0002_is_reported_exactly_where_the_verifier_rejects_the_map()
    {
        Skip.IfNot(RepoPaths.HasShared, RepoPaths.NoSharedReason);
        var (byMap, byHelper, conditional) = ReadVerifierRules();
        var refusals = File.ReadLines(Path.Combine(RepoPaths.Spec, "verifier-map-refusals.tsv"))
            .Where(l => l.Length > 0 && !l.StartsWith('#')).Skip(1).Select(l => l.Split('\t'))
            .Select(r => (Kind: r[0], Helper: r[1], MapTypes: r[2].Split(',').ToHashSet()))
            .ToArray();
        var helpers = HelperMatrix.GeneratedHelpers().Where(h => h.Method.GetParameters().Any(p => p.ParameterType == typeof(BpfMap))).ToArray();

        var source = new StringBuilder("using BpfSharp;\npublic static unsafe class Matrix\n{\n");
        var expected = new HashSet<(string Helper, string MapClass)>();
        foreach (var helper in helpers)
        {
            source.Append($"    public static void {helper.Method.Name}()\n    {{\n");
            foreach (var mapClass in MapClasses)
            {
                var arguments = helper.Method.GetParameters().Where(p => !HelperMatrix.IsParams(p))
                    .Select(p => p.ParameterType == typeof(BpfMap) ? $"({HelperMatrix.CSharpName(mapClass)})null!" : "default!");
                source.Append($"        BpfHelpers.{helper.Method.Name}({string.Join(", ", arguments)});\n");
                var mapType = KernelTypes.MapTypes.FindByValue((int)mapClass.GetCustomAttributes(typeof(BpfMapClassAttribute), false).Cast<BpfMapClassAttribute>().Single().MapType)!.Name;
                var rejected = (byMap.TryGetValue(mapType, out var allowedHelpers) && !allowedHelpers.Contains(helper.Name))
                    || (byHelper.TryGetValue(helper.Name, out var allowedMaps) && !allowedMaps.Contains(mapType));

                // The notes' "also bpf_map_update_elem and bpf_map_delete_elem when may_update_sockmap()": accepted in some
                // program types, so not reported outside a program.
                rejected &= !(conditional.Contains(mapType) && helper.Name is "bpf_map_update_elem" or "bpf_map_delete_elem");

                // The verifier's other checks (spec/verifier-map-refusals.tsv), read here on their own as well.
                rejected |= refusals.Any(r => (r.Helper == "*" || r.Helper == helper.Name) && (r.Kind == "only" ? !r.MapTypes.Contains(mapType) : r.MapTypes.Contains(mapType)));
                if (rejected)
                {
                    expected.Add((helper.Method.Name, HelperMatrix.CSharpName(mapClass)));
                }
            }

            source.Append("    }\n");
        }

        source.Append("}\n");
        var diagnostics = await HelperMatrix.Analyze(source.ToString(), new HelperUsageAnalyzer());
        var reported = diagnostics.Where(d => d.Id == DiagnosticIds.MapTypeNotAccepted)
            .Select(d => (HelperMatrix.ContainingMethod(d), d.Location.SourceTree!.ToString().Substring(d.Location.SourceSpan.Start, d.Location.SourceSpan.Length)[1..].Split(')')[0]))
            .ToHashSet();

        Assert.True(expected.Count > 500, $"only {expected.Count} rejected combinations");
        Assert.Empty(expected.Except(reported));
        Assert.Empty(reported.Except(expected));
    }

    // The verifier's rules straight from ../shared/kernel/verifier-map-compat.tsv, read here independently of the spec library.
    private static (Dictionary<string, HashSet<string>> ByMap, Dictionary<string, HashSet<string>> ByHelper, HashSet<string> Conditional) ReadVerifierRules()
    {
        var byMap = new Dictionary<string, HashSet<string>>();
        var byHelper = new Dictionary<string, HashSet<string>>();
        var conditional = new HashSet<string>();
        foreach (var row in KernelData.Rows("verifier-map-compat.tsv"))
        {
            (row[0] == "map" ? byMap : byHelper)[row[1]] = row[2].Split(',', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
            if (row[0] == "map" && row.Length > 3 && row[3].Contains("also bpf_map_update_elem and bpf_map_delete_elem", StringComparison.Ordinal))
            {
                conditional.Add(row[1]);
            }
        }

        return (byMap, byHelper, conditional);
    }
}
