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
        BpfSharp.Tests.Kernel.ConstructDifferentialTests.Source,
        BpfSharp.Tests.Kernel.IntegerDifferentialTests.Source(new IntegerExpressions(3), 1, 3, out _),
        BpfSharp.Tests.Kernel.CSharpSubprogramTests.Source,
        BpfSharp.Tests.Kernel.MapParameterTests.Source,
        BpfSharp.Tests.Kernel.InitialDataTests.Source,
        BpfSharp.Tests.Kernel.SpanTests.Source,
        BpfSharp.Tests.Kernel.PacketHeaderTests.Program,
        BpfSharp.Tests.Kernel.ConstructDifferentialTests.PatternSource,
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

    [SkippableFact]
    public void Mutated_programs_translate_or_are_refused_without_an_exception_and_what_translates_compiles()
    {
        var clang = BpfSharp.Tests.Kernel.Tools.Find("clang");
        var random = new Random(13);
        var translated = new System.Collections.Generic.List<string>();
        string[] fragments = ["null", "new object()", "(ulong)", "*", "&", "ctx", "1.5", "throw null;", "=>", "{", "}", "(", ")", ";", "this", "ref ", "stackalloc byte[4]", "default", "\"s\"", "Packets", "goto x;", "x:", "switch (key) { case 1: break; }", "foreach (var x in new int[1]) {}", "checked(", "sizeof(ulong)", "?", ":", "~", "!", "<<", ">>>", " / ", " % ", "checked { ", "new Pair { Packets = 1 }", "new Pair(1)", "Unsafe.CopyBlock(", "BinaryPrimitives.ReverseEndianness(", "BpfPacket.LoadHalf((SkBuff*)ctx, 12)", "BpfPacket.LoadWord(", "-",
            "[System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]", "&Run", "BpfHelpers.Loop(4, &", "Span<byte> s = stackalloc byte[4];", ".Clear()", ".CopyTo(", "[9]",
            "fixed (byte* t = \"ab\"u8) { }", "\"x\"u8.Length", "static Pair P = new Pair { Packets = 1 };", "Count(", "Ingress", "EthHdr*", "IpHdr",
            " switch { 1 => 2, _ => 3 }", " is > 3 and not 7", " when ", "_ => ", "_ = ", "out var v", "out ", "ref ", "in ", "Math.Max(", "Math.Clamp(1, ", "Math.Abs(",
            "Volatile.Read(ref ", "static volatile uint V;", "Buffer.MemoryCopy(", "var y",
            "new Span<byte>(data, 4)", "new Span<byte>(p, n)", "static byte[] T = [.. \"ab\"u8, 1];", "static byte[] T = new byte[4];", "T[x & 3]", "T[x]", "T.Length", "fixed (byte* t = T) { }"];
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
                var compilation = TestCompilation.Create(mutated).AddSyntaxTrees(s_helpers.Value);
                var result = BpfTranslator.Translate(compilation);
                AssertSound(result);
                if (result.C != null && !compilation.GetDiagnostics().Any(d => d.Severity == DiagnosticSeverity.Error))
                {
                    translated.Add(result.C);
                }
            }
        }

        // Valid C# that the translator accepted must be C that clang accepts: never a broken object step.
        Skip.If(clang is null, "clang check skipped: clang is needed (apt-get install clang)");
        Assert.True(translated.Count > 50, $"only {translated.Count} mutations stayed valid programs");
        var directory = Directory.CreateTempSubdirectory("bpfsharp-fuzz-").FullName;
        try
        {
            var files = translated.Distinct().Select((c, i) => { var path = Path.Combine(directory, $"m{i}.bpf.c"); File.WriteAllText(path, c); return path; }).ToList();
            var check = BpfSharp.Tests.Kernel.Tools.Run(clang!, $"-fsyntax-only -target bpf -I/usr/include/x86_64-linux-gnu -Werror=implicit-function-declaration {string.Join(" ", files)}");
            Assert.True(check.ExitCode == 0, $"{files.Count} translated mutations; clang said:\n{check.Output}");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static void AssertSound(TranslationResult result)
    {
        Assert.True(result.C is null || !result.Problems.Any(p => CompilerDiagnosticIds.StopsTheObject(p.Id)), "C was written despite problems: " + string.Join("; ", result.Problems));
        Assert.All(result.Problems, p => Assert.True(p.Location.IsInSource, "a problem without a source location: " + p));
    }
}
