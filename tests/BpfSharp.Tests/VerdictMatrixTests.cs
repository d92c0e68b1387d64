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
        var upstream = new UpstreamFacts(RepoPaths.Shared);
        var helpers = GeneratedHelpers();
        var programTypes = KernelTypes.ProgramTypes.Members.Where(m => m.Value != 0).ToArray();

        var source = new StringBuilder("using BpfSharp;\npublic static unsafe class Matrix\n{\n");
        foreach (var programType in programTypes)
        {
            source.Append($"    [BpfProgram(BpfProgramType.{programType.MemberName})]\n    public static void {programType.MemberName}()\n    {{\n");
            foreach (var helper in helpers)
            {
                source.Append($"        BpfHelpers.{helper.Method.Name}({string.Join(", ", helper.Method.GetParameters().Where(p => !IsParams(p)).Select(_ => "default!"))});\n");
            }

            source.Append("    }\n");
        }

        source.Append("}\n");
        var diagnostics = await Analyze(source.ToString(), new HelperUsageAnalyzer());

        var reported = diagnostics.Where(d => d.Id == DiagnosticIds.HelperNotAllowedInProgramType)
            .Select(d => (Program: ContainingMethod(d), Helper: HelperAt(d, helpers)))
            .ToHashSet();
        var expected = (from programType in programTypes
                        from helper in upstream.Helpers
                        where !helper.ProgramTypes.Any(p => p.ProgramType == programType.Name)
                        select (programType.MemberName, SpecNames.HelperMethodName(helper.Name))).ToHashSet();

        Assert.Equal(211 * programTypes.Length, helpers.Count * programTypes.Length);
        Assert.Empty(expected.Except(reported));
        Assert.Empty(reported.Except(expected));
        Assert.DoesNotContain(diagnostics, d => d.Id == DiagnosticIds.MapTypeNotAccepted);
    }

    [SkippableFact]
    public async Task BPF0002_is_reported_exactly_where_the_verifier_rejects_the_map()
    {
        Skip.IfNot(RepoPaths.HasShared, RepoPaths.NoSharedReason);
        var (byMap, byHelper, conditional) = ReadVerifierRules();
        var helpers = GeneratedHelpers().Where(h => h.Method.GetParameters().Any(p => p.ParameterType == typeof(BpfMap))).ToArray();

        var source = new StringBuilder("using BpfSharp;\npublic static unsafe class Matrix\n{\n");
        var expected = new HashSet<(string Helper, string MapClass)>();
        foreach (var helper in helpers)
        {
            source.Append($"    public static void {helper.Method.Name}()\n    {{\n");
            foreach (var mapClass in MapClasses)
            {
                var arguments = helper.Method.GetParameters().Where(p => !IsParams(p))
                    .Select(p => p.ParameterType == typeof(BpfMap) ? $"({CSharpName(mapClass)})null!" : "default!");
                source.Append($"        BpfHelpers.{helper.Method.Name}({string.Join(", ", arguments)});\n");
                var mapType = KernelTypes.MapTypes.FindByValue((int)mapClass.GetCustomAttributes(typeof(BpfMapClassAttribute), false).Cast<BpfMapClassAttribute>().Single().MapType)!.Name;
                var rejected = (byMap.TryGetValue(mapType, out var allowedHelpers) && !allowedHelpers.Contains(helper.Name))
                    || (byHelper.TryGetValue(helper.Name, out var allowedMaps) && !allowedMaps.Contains(mapType));

                // The notes' "also bpf_map_update_elem and bpf_map_delete_elem when may_update_sockmap()": accepted in some
                // program types, so not reported outside a program.
                rejected &= !(conditional.Contains(mapType) && helper.Name is "bpf_map_update_elem" or "bpf_map_delete_elem");
                if (rejected)
                {
                    expected.Add((helper.Method.Name, CSharpName(mapClass)));
                }
            }

            source.Append("    }\n");
        }

        source.Append("}\n");
        var diagnostics = await Analyze(source.ToString(), new HelperUsageAnalyzer());
        var reported = diagnostics.Where(d => d.Id == DiagnosticIds.MapTypeNotAccepted)
            .Select(d => (ContainingMethod(d), d.Location.SourceTree!.ToString().Substring(d.Location.SourceSpan.Start, d.Location.SourceSpan.Length)[1..].Split(')')[0]))
            .ToHashSet();

        Assert.True(expected.Count > 500, $"only {expected.Count} rejected combinations");
        Assert.Empty(expected.Except(reported));
        Assert.Empty(reported.Except(expected));
    }

    private sealed record GeneratedHelper(string Name, System.Reflection.MethodInfo Method);

    // The generated stubs, compiled and loaded, so the test enumerates exactly what users get.
    private static IReadOnlyList<GeneratedHelper> GeneratedHelpers()
    {
        var compilation = TestCompilation.Generate(TestCompilation.Create()).Output;
        using var stream = new MemoryStream();
        var emit = compilation.Emit(stream);
        Assert.True(emit.Success, string.Join("\n", emit.Diagnostics));
        var assembly = System.Reflection.Assembly.Load(stream.ToArray());
        return assembly.GetType("BpfSharp.BpfHelpers")!
            .GetMethods(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
            .Select(m => new GeneratedHelper(((BpfHelperAttribute)m.GetCustomAttributes(typeof(BpfHelperAttribute), false).Single()).Name, m))
            .OrderBy(h => h.Name, StringComparer.Ordinal)
            .ToArray();
    }

    private static bool IsParams(System.Reflection.ParameterInfo parameter) => parameter.IsDefined(typeof(ParamArrayAttribute), false);

    private static string CSharpName(Type type) =>
        type.IsGenericTypeDefinition ? type.Name.Split('`')[0] + "<" + string.Join(", ", type.GetGenericArguments().Select(_ => "int")) + ">" : type.Name;

    private static async Task<ImmutableArray<Diagnostic>> Analyze(string source, DiagnosticAnalyzer analyzer)
    {
        var compilation = TestCompilation.Create(source);
        compilation = compilation.AddSyntaxTrees(Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText(TestCompilation.ShippedHelpersSource, path: "BpfHelpers.g.cs"));
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        return await compilation.WithAnalyzers([analyzer]).GetAnalyzerDiagnosticsAsync();
    }

    private static string ContainingMethod(Diagnostic diagnostic)
    {
        var root = diagnostic.Location.SourceTree!.GetRoot();
        var node = root.FindNode(diagnostic.Location.SourceSpan);
        return node.AncestorsAndSelf().OfType<Microsoft.CodeAnalysis.CSharp.Syntax.MethodDeclarationSyntax>().First().Identifier.Text;
    }

    private static string HelperAt(Diagnostic diagnostic, IReadOnlyList<GeneratedHelper> helpers)
    {
        var text = diagnostic.Location.SourceTree!.ToString().Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length);
        return text["BpfHelpers.".Length..text.IndexOf('(')];
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
