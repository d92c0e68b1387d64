using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace BpfSharp.Tests.Infrastructure;

/// <summary>
/// Runs an analyzer offline over a consumer source plus the BpfHelpers the generator makes from the shipped spec,
/// against .NET 8 reference assemblies from a package and the BpfSharp runtime.
/// </summary>
public static class AnalyzerVerifier<TAnalyzer>
    where TAnalyzer : DiagnosticAnalyzer, new()
{
    public static DiagnosticResult Diagnostic(string id) => new DiagnosticResult(id, DiagnosticSeverity.Error);

    public static DiagnosticResult Warning(string id) => new DiagnosticResult(id, DiagnosticSeverity.Warning);

    public static Task VerifyAsync(string source, params DiagnosticResult[] expected) =>
        VerifyAsync(source, setup: null, expected);

    /// <summary>Like <see cref="VerifyAsync(string, DiagnosticResult[])"/>, with a chance to add .editorconfig, global options or additional files.</summary>
    public static Task VerifyAsync(string source, System.Action<SolutionState>? setup, params DiagnosticResult[] expected)
    {
        var test = new Test { TestCode = source };
        setup?.Invoke(test.TestState);
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync(CancellationToken.None);
    }

    /// <summary>A global analyzer config that sets the MSBuild property BpfTargetKernel, as the package's props do.</summary>
    public static (string, string) TargetKernel(string version) =>
        ("/.globalconfig", $"is_global = true\nbuild_property.BpfTargetKernel = {version}\n");

    private sealed class Test : CSharpAnalyzerTest<TAnalyzer, DefaultVerifier>
    {
        public Test()
        {
            ReferenceAssemblies = new ReferenceAssemblies("net8.0-offline");
            TestState.AdditionalReferences.AddRange(Basic.Reference.Assemblies.Net80.References.All);
            TestState.AdditionalReferences.Add(TestCompilation.Runtime);
            TestState.Sources.Add(("BpfSharp.BpfHelpers.g.cs", TestCompilation.ShippedHelpersSource));
            SolutionTransforms.Add((solution, projectId) =>
            {
                var options = (CSharpCompilationOptions)solution.GetProject(projectId)!.CompilationOptions!;
                return solution.WithProjectCompilationOptions(projectId, options.WithAllowUnsafe(true).WithNullableContextOptions(NullableContextOptions.Enable));
            });
        }

        protected override ParseOptions CreateParseOptions() => new CSharpParseOptions(LanguageVersion.Latest);
    }
}
