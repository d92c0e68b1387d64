using System.Linq;
using Xunit;

namespace BpfSharp.Tests.Compiler;

/// <summary>What the translator refuses among switch expressions, Math and by-reference parameters, and where.</summary>
public class PatternAndReferenceTests
{
    private static string Program(string body, string members = "") => $$"""
        using System;
        using BpfSharp;
        [assembly: BpfLicense("GPL")]
        public static unsafe class P
        {
            {{members}}
            [BpfProgram("xdp")]
            public static int Run(XdpMd* ctx)
            {
                int x = (int)ctx->IngressIfindex;
                {{body}}
            }
        }
        """;

    [Fact]
    public void A_switch_expression_without_a_discard_arm_would_throw_and_is_BPF2008_at_the_switch()
    {
        var result = BpfTranslatorTests.Translate(Program("return x switch { 1 => 2, 2 => 1 };"));
        var problem = Assert.Single(result.Problems.Where(p => p.Id.StartsWith("BPF")));
        Assert.Equal("BPF2008", problem.Id);
        Assert.Contains("no '_ =>' arm", problem.Message);
        Assert.StartsWith("x switch", problem.Location.SourceTree!.GetText().ToString(problem.Location.SourceSpan));
    }

    [Fact]
    public void An_exhaustive_switch_expression_needs_no_discard_arm()
    {
        var result = BpfTranslatorTests.Translate(Program("return (x > 3) switch { true => 2, false => 1 };"));
        Assert.Empty(result.Problems);
        Assert.Contains("bpfsharp_match0", result.C);
    }

    [Fact]
    public void A_declaration_pattern_is_refused_where_it_is_written()
    {
        var problem = Assert.Single(BpfTranslatorTests.Translate(Program("return x switch { var y when y > 2 => y, _ => 0 };")).Problems);
        Assert.Equal("BPF2001", problem.Id);
        Assert.Equal("var y", problem.Location.SourceTree!.GetText().ToString(problem.Location.SourceSpan));
    }

    [Fact]
    public void Math_Abs_would_throw_on_MinValue_and_is_BPF2008()
    {
        var problem = Assert.Single(BpfTranslatorTests.Translate(Program("return Math.Abs(x);")).Problems);
        Assert.Equal("BPF2008", problem.Id);
        Assert.Contains("x < 0 ? -x : x", problem.Message);
    }

    [Fact]
    public void Out_ref_and_in_parameters_are_pointers_and_out_var_a_local_declared_before_its_statement()
    {
        var result = BpfTranslatorTests.Translate(Program(
            "if (Split(x, out var hi, out int lo)) { Swap(ref hi, ref lo); } return Sum(in hi, 3) + lo;",
            "static bool Split(int v, out int hi, out int lo) { hi = v >> 16; lo = v & 0xffff; return hi != 0; } static void Swap(ref int a, ref int b) { int t = a; a = b; b = t; } static int Sum(in int a, in int b) => a + b;"));
        Assert.Empty(result.Problems);
        Assert.Contains("P_Split(__s32 v, __s32 *hi, __s32 *lo)", result.C);
        Assert.Contains("__s32 hi = {0};", result.C);
        Assert.Contains("P_Swap((&hi), (&lo))", result.C);
        Assert.Contains("(&(__s32){3})", result.C);
    }

    [Fact]
    public void A_span_over_memory_needs_a_constant_length_and_cannot_be_passed_on()
    {
        var variable = Assert.Single(BpfTranslatorTests.Translate(Program("byte* p = stackalloc byte[8]; var s = new Span<byte>(p, x); s.Clear(); return 0;")).Problems);
        Assert.Equal("BPF2001", variable.Id);
        Assert.Contains("the length of a span must be a constant", variable.Message);
        var passed = BpfTranslatorTests.Translate(Program("byte* p = stackalloc byte[8]; return Use(new Span<byte>(p, 4));", "static int Use(Span<byte> s) => 0;")).Problems;
        Assert.Contains(passed, p => p.Id == "BPF2001" && p.Message.Contains("not passed on"));
    }

    [Fact]
    public void A_static_array_is_global_data_indexed_only_where_the_index_stays_in_range()
    {
        var result = BpfTranslatorTests.Translate(Program("return Table[x & 3] + Table[2] + Table.Length;", "static byte[] Table = [.. \"ab\"u8, 7, 8];"));
        Assert.Empty(result.Problems);
        Assert.Contains("__u8 P_Table[4] = { 97, 98, 7, 8 };", result.C);

        var unchecked_ = Assert.Single(BpfTranslatorTests.Translate(Program("return Table[x];", "static byte[] Table = new byte[4];")).Problems);
        Assert.Equal("BPF2008", unchecked_.Id);
        Assert.Contains("i & 3", unchecked_.Message);
        Assert.Equal("Table[x]", unchecked_.Location.SourceTree!.GetText().ToString(unchecked_.Location.SourceSpan));

        var computed = Assert.Single(BpfTranslatorTests.Translate(Program("return Table[0];", "static byte[] Table = Make(); static byte[] Make() => new byte[2];")).Problems);
        Assert.Equal("BPF2001", computed.Id);
        Assert.Contains("fixed length and constant values", computed.Message);

        var passed = BpfTranslatorTests.Translate(Program("byte[] t = Table; return 0;", "static byte[] Table = new byte[2];")).Problems;
        Assert.Contains(passed, p => p.Id == "BPF2001" && p.Message.Contains("not assigned or passed on"));
    }

    [Fact]
    public void A_program_cannot_take_its_context_by_reference()
    {
        var source = Program("return 0;").Replace("Run(XdpMd* ctx)", "Run(ref XdpMd ctx)").Replace("int x = (int)ctx->IngressIfindex;", string.Empty);
        var problem = Assert.Single(BpfTranslatorTests.Translate(source).Problems);
        Assert.Equal("BPF2001", problem.Id);
        Assert.Contains("passed by reference", problem.Message);
    }
}

/// <summary>A struct of another assembly: Roslyn shows no StructLayout, FieldOffset or Pack of metadata types.</summary>
public class ReferencedStructTests
{
    [Fact]
    public void A_struct_from_another_assembly_is_refused_where_it_is_used_not_laid_out_by_guess()
    {
        var library = Microsoft.CodeAnalysis.CSharp.CSharpCompilation.Create("Shared",
            [Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText("using System.Runtime.InteropServices; [StructLayout(LayoutKind.Explicit)] public struct Word { [FieldOffset(0)] public uint All; [FieldOffset(2)] public ushort High; }")],
            Basic.Reference.Assemblies.Net80.References.All,
            new Microsoft.CodeAnalysis.CSharp.CSharpCompilationOptions(Microsoft.CodeAnalysis.OutputKind.DynamicallyLinkedLibrary));
        using var image = new System.IO.MemoryStream();
        Assert.True(library.Emit(image).Success);
        var program = Infrastructure.TestCompilation.Create("""
            using BpfSharp;
            [assembly: BpfLicense("GPL")]
            public static unsafe class P
            {
                [BpfProgram("xdp")]
                public static int Run(XdpMd* ctx) { Word w = default; w.All = 5; return w.High; }
            }
            """).AddReferences(Microsoft.CodeAnalysis.MetadataReference.CreateFromImage(image.ToArray()));

        var problems = BpfSharp.Compiler.BpfTranslator.Translate(Infrastructure.TestCompilation.Generate(program).Output).Problems;
        var problem = Assert.Single(problems.Select(p => (p.Id, p.Message)).Distinct());
        Assert.Equal("BPF2002", problem.Id);
        Assert.Contains("'Word' is declared in another assembly (Shared)", problem.Message);
    }
}
