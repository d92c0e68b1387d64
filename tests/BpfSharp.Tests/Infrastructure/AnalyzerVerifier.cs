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

    public static DiagnosticResult Info(string id) => new DiagnosticResult(id, DiagnosticSeverity.Info);

    public static DiagnosticResult Hidden(string id) => new DiagnosticResult(id, DiagnosticSeverity.Hidden);

    /// <summary>
    /// The notes on conditions the build cannot know (lockdown, kernel config: BPF0010; capabilities: BPF0012). Off in
    /// tests about other rules, so that each test states only what it is about; <see cref="VerifyWithConditionNotesAsync"/> turns them on.
    /// </summary>
    public static readonly string[] ConditionNotes = { "BPF0010", "BPF0012" };

    public static Task VerifyAsync(string source, params DiagnosticResult[] expected) =>
        VerifyAsync(source, setup: null, expected);

    public static Task VerifyWithConditionNotesAsync(string source, System.Action<SolutionState>? setup, params DiagnosticResult[] expected)
    {
        var test = new Test { TestCode = source };
        setup?.Invoke(test.TestState);
        test.DisabledDiagnostics.Clear();
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync(CancellationToken.None);
    }

    /// <summary>Like <see cref="VerifyAsync(string, DiagnosticResult[])"/>, with a chance to add .editorconfig, global options or additional files.</summary>
    public static Task VerifyAsync(string source, System.Action<SolutionState>? setup, params DiagnosticResult[] expected)
    {
        var test = new Test { TestCode = source };
        setup?.Invoke(test.TestState);
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync(CancellationToken.None);
    }

    /// <summary>A kernel profile handed to the build as the package's props do: an additional file with its kind, and the property.</summary>
    public static void KernelProfile(SolutionState state, string json)
    {
        state.AdditionalFiles.Add(("/kernel-profile.json", json));
        state.AnalyzerConfigFiles.Add(("/.globalconfig", "is_global = true\nbuild_property.BpfKernelProfile = kernel-profile.json\n"));
        state.AnalyzerConfigFiles.Add(("/.editorconfig", "root = true\n[/kernel-profile.json]\nbuild_metadata.AdditionalFiles.BpfSharpKind = KernelProfile\n"));
    }

    /// <summary>A global analyzer config that sets the MSBuild property BpfTargetKernel, as the package's props do.</summary>
    public static (string, string) TargetKernel(string version) =>
        ("/.globalconfig", $"is_global = true\nbuild_property.BpfTargetKernel = {version}\n");

    private sealed class Test : CSharpAnalyzerTest<TAnalyzer, DefaultVerifier>
    {
        public Test()
        {
            ReferenceAssemblies = new ReferenceAssemblies("net8.0-offline");
            DisabledDiagnostics.AddRange(ConditionNotes);
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
