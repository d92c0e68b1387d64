using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit;

namespace BpfSharp.Tests.Infrastructure;

/// <summary>Matrix tests: the generated stubs as users get them, a consumer that calls them, and where diagnostics land.</summary>
public static class HelperMatrix
{

    // The generated stubs, compiled and loaded, so the test enumerates exactly what users get.
    public static IReadOnlyList<GeneratedHelper> GeneratedHelpers()
    {
        var assembly = TestCompilation.Load(TestCompilation.Generate(TestCompilation.Create()).Output);
        return assembly.GetType("BpfSharp.BpfHelpers")!
            .GetMethods(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
            .Select(m => new GeneratedHelper(((BpfHelperAttribute)m.GetCustomAttributes(typeof(BpfHelperAttribute), false).Single()).Name, m))
            .OrderBy(h => h.Name, StringComparer.Ordinal)
            .ToArray();
    }

    public static bool IsParams(System.Reflection.ParameterInfo parameter) => parameter.IsDefined(typeof(ParamArrayAttribute), false);

    public static string CSharpName(Type type) =>
        type.IsGenericTypeDefinition ? type.Name.Split('`')[0] + "<" + string.Join(", ", type.GetGenericArguments().Select(_ => "int")) + ">" : type.Name;

    public static async Task<ImmutableArray<Diagnostic>> Analyze(string source, DiagnosticAnalyzer analyzer, params (string Key, string Value)[] buildProperties)
    {
        var compilation = TestCompilation.Create(source);
        compilation = compilation.AddSyntaxTrees(Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText(TestCompilation.ShippedHelpersSource, path: "BpfHelpers.g.cs"));
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        var options = new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty, new BuildProperties(buildProperties));
        return await compilation.WithAnalyzers([analyzer], options).GetAnalyzerDiagnosticsAsync();
    }

    public static string ContainingMethod(Diagnostic diagnostic)
    {
        var root = diagnostic.Location.SourceTree!.GetRoot();
        var node = root.FindNode(diagnostic.Location.SourceSpan);
        return node.AncestorsAndSelf().OfType<Microsoft.CodeAnalysis.CSharp.Syntax.MethodDeclarationSyntax>().First().Identifier.Text;
    }

    public static string HelperAt(Diagnostic diagnostic, IReadOnlyList<GeneratedHelper> helpers)
    {
        var text = diagnostic.Location.SourceTree!.ToString().Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length);
        return text["BpfHelpers.".Length..text.IndexOf('(')];
    }

}

public sealed record GeneratedHelper(string Name, System.Reflection.MethodInfo Method);
