using System.Linq;
using Xunit;

namespace BpfSharp.Tests.Compiler;

/// <summary>
/// C# integer semantics in the C: no undefined behaviour for clang to exploit, and BPF2008 where C# would throw
/// (checked overflow, a divisor not tested against zero). The kernel-side proof is IntegerDifferentialTests.
/// </summary>
public class IntegerSemanticsTests
{
    private const string Program = """
        using BpfSharp;
        public static unsafe class Arithmetic
        {
            [BpfProgram("xdp")]
            public static int Run(XdpMd* ctx)
            {
                uint u = ctx->IngressIfindex; int i = (int)ctx->RxQueueIndex; long l = i; ulong ul = u;
                // BODY
                return (int)(u + (uint)i + (ulong)l + ul);
            }
        }
        """;

    private static BpfSharp.Compiler.TranslationResult Translate(string body) =>
        BpfTranslatorTests.Translate(Program.Replace("// BODY", body));

    [Theory]
    [InlineData("i = i + 1;", "i = ((__s32)((__u32)i + (__u32)1));")]
    [InlineData("l = l * l;", "l = ((__s64)((__u64)l * (__u64)l));")]
    [InlineData("i = -i;", "i = ((__s32)((__u32)0 - (__u32)i));")]
    [InlineData("i = i >> 65;", "i = (i >> 1);")]
    [InlineData("i = i << (int)u;", "i = ((__s32)((__u32)i << (((__s32)u) & 31)));")]
    [InlineData("l = l << i;", "l = ((__s64)((__u64)l << (i & 63)));")]
    [InlineData("i = i >>> 3;", "i = ((__s32)((__u32)i >> 3));")]
    [InlineData("u = u + u;", "u = (u + u);")]
    [InlineData("i++;", "(i = (__s32)((__s32)((__u32)i + (__u32)1)));")]
    [InlineData("i += 5;", "(i = (__s32)((__s32)((__u32)((__s32)i) + (__u32)((__s32)5))));")]
    [InlineData("u *= 3;", "u *= 3U;")]
    [InlineData("l = i / 3;", "bpfsharp_sdiv32(i, 3)")]
    [InlineData("l = l % -7;", "bpfsharp_srem64(l, -7LL)")]
    [InlineData("ul = ul / 10;", "(ul / 10ULL)")]
    public void Operators_are_spelled_without_undefined_behaviour(string body, string c)
    {
        var result = Translate(body);
        Assert.Empty(result.Problems);
        Assert.Contains(c, result.C);
    }

    [Fact]
    public void Signed_division_comes_from_a_support_function_written_once()
    {
        var result = Translate("l = i / 3 + i / 5; l = l / 7;");
        Assert.Empty(result.Problems);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(result.C!, @"__s32 bpfsharp_sdiv32\(__s32 a, __s32 b\)\n\{"));
        Assert.Contains("__s64 bpfsharp_sdiv64(__s64 a, __s64 b)", result.C);
        Assert.DoesNotContain("bpfsharp_srem", result.C);
    }

    [Theory]
    [InlineData("if (u == 0) return 1; ul = ul / u;")]
    [InlineData("if (u != 0) { ul %= u; }")]
    [InlineData("ul = u != 0 ? ul / u : 0;")]
    [InlineData("ul = u == 0 ? 0 : ul / u;")]
    [InlineData("if (i > 0 && ul / (ulong)i > 3) return 1;")]
    [InlineData("if (i == 0 || l / i > 3) return 1;")]
    [InlineData("if (!(i == 0)) l = l / i;")]
    [InlineData("while (u != 0) { ul = ul / u; ul--; if (ul == 0) break; }")]
    [InlineData("for (uint d = 10; d > 0; d--) { ul += ul / d; }")]
    [InlineData("if (u < 1) return 2; { ul = ul / u; }")]
    [InlineData("ul = ul / 1000;")]
    [InlineData("l = l / -1;")]
    public void A_divisor_tested_against_zero_divides(string body)
    {
        var result = Translate(body);
        Assert.Empty(result.Problems);
        Assert.NotNull(result.C);
    }

    [Theory]
    [InlineData("ul = ul / u;", "'u' may be zero here")]
    [InlineData("l = l % i;", "'i' may be zero here")]
    [InlineData("if (u == 0) u = 1; ul = ul / u;", "'u' may be zero here")]
    [InlineData("if (u != 0) { u--; ul = ul / u; }", "'u' may be zero here")]
    [InlineData("if (u == 0) return 1; u = (uint)ul; ul = ul / u;", "'u' may be zero here")]
    [InlineData("if (u != 0) { ul = ul / (byte)u; }", "'(byte)u' may be zero here")]
    [InlineData("if (u > 5) { } ul = ul / u;", "'u' may be zero here")]
    [InlineData("for (uint d = 0; d < 10; d++) { ul += ul / d; }", "'d' may be zero here")]
    [InlineData("while (u != 0) { u--; ul = ul / u; }", "'u' may be zero here")]
    [InlineData("ul = ul / (ulong)ctx->RxQueueIndex;", "may be zero here")]
    [InlineData("i = checked(i + 1);", "checked arithmetic")]
    [InlineData("checked { l = l * 3; }", "checked arithmetic")]
    [InlineData("i = checked((int)ul);", "checked conversion")]
    [InlineData("checked { i++; }", "checked increment")]
    [InlineData("i = checked(-i);", "checked negation")]
    public void What_C_sharp_throws_on_is_BPF2008_where_it_is_written(string body, string message)
    {
        var result = Translate(body);
        Assert.Null(result.C);
        var problem = Assert.Single(result.Problems);
        Assert.Equal("BPF2008", problem.Id);
        Assert.Contains(message, problem.Message);
        Assert.Contains("a BPF program cannot throw", problem.Message);
        Assert.Equal(8, problem.Location.GetLineSpan().StartLinePosition.Line + 1);
    }

    [Fact]
    public void A_checked_context_refuses_only_what_can_overflow()
    {
        Assert.Empty(Translate("checked { u = u & 3; u = u | 4; i = i >> 2; l = i; }").Problems.Select(p => p.ToString()));
        Assert.Equal("BPF2008", Assert.Single(Translate("checked { u = u + 1; }").Problems).Id); // unsigned overflow throws too
    }
}
