using System;
using System.IO;
using System.Linq;
using BpfSharp.Compiler;
using BpfSharp.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace BpfSharp.Tests.Compiler;

/// <summary>
/// The translator runs inside the compiler on whatever is being typed: every prefix and many mutations of real
/// programs must give C or located problems, never an exception, and never C while there are problems.
/// </summary>
public class TranslatorRobustnessTests
{
    private static readonly Lazy<SyntaxTree> s_helpers = new(() => CSharpSyntaxTree.ParseText(TestCompilation.ShippedHelpersSource, new CSharpParseOptions(LanguageVersion.Latest), path: "BpfHelpers.g.cs"));

    private static TranslationResult Translate(string source) =>
        BpfTranslator.Translate(TestCompilation.Create(source).AddSyntaxTrees(s_helpers.Value));

    private static string[] Programs() =>
    [
        BpfTranslatorTests.Counter,
        File.ReadAllText(Path.Combine(RepoPaths.Root, "samples", "HelloXdp", "PacketCounter.cs")),
        File.ReadAllText(Path.Combine(RepoPaths.Root, "samples", "Mistakes", "Mistakes.cs")),
    ];

    [Fact]
    public void Every_prefix_of_every_program_translates_or_is_refused_without_an_exception()
    {
        var checkedCount = 0;
        foreach (var program in Programs())
        {
            for (var length = 0; length <= program.Length; length += 3)
            {
                AssertSound(Translate(program.Substring(0, length)));
                checkedCount++;
            }
        }

        Assert.True(checkedCount > 1000, $"only {checkedCount} prefixes");
    }

    [Fact]
    public void Mutated_programs_translate_or_are_refused_without_an_exception()
    {
        var random = new Random(13);
        string[] fragments = ["null", "new object()", "(ulong)", "*", "&", "ctx", "1.5", "throw null;", "=>", "{", "}", "(", ")", ";", "this", "ref ", "stackalloc byte[4]", "default", "\"s\"", "Packets", "goto x;", "x:", "switch (key) { case 1: break; }", "foreach (var x in new int[1]) {}", "checked(", "sizeof(ulong)", "?", ":", "~", "!", "<<", ">>>"];
        foreach (var program in Programs())
        {
            for (var i = 0; i < 300; i++)
            {
                var at = random.Next(program.Length);
                var mutated = random.Next(3) switch
                {
                    0 => program.Insert(at, fragments[random.Next(fragments.Length)]),
                    1 => program.Remove(at, Math.Min(random.Next(1, 12), program.Length - at)),
                    _ => program.Insert(at, " " + fragments[random.Next(fragments.Length)] + " "),
                };
                AssertSound(Translate(mutated));
            }
        }
    }

    private static void AssertSound(TranslationResult result)
    {
        Assert.True(result.C is null || !result.Problems.Any(p => CompilerDiagnosticIds.StopsTheObject(p.Id)), "C was written despite problems: " + string.Join("; ", result.Problems));
        Assert.All(result.Problems, p => Assert.True(p.Location.IsInSource, "a problem without a source location: " + p));
    }
}
