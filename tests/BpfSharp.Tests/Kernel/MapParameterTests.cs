using System;
using System.IO;
using System.Linq;
using Xunit;

namespace BpfSharp.Tests.Kernel;

/// <summary>
/// A static method that takes a map, called with different map fields (and passing its map parameters on): the compiler
/// writes one copy per set of maps, each naming its maps. Run in the kernel, each map holds what its calls put there.
/// </summary>
[Collection(nameof(DescriptorCounting))]
public sealed class MapParameterTests : IDisposable
{
    internal const string Source = """
        using BpfSharp;
        [assembly: BpfLicense("GPL")]
        public static unsafe class Counting
        {
            public static readonly HashMap<uint, ulong> Ingress = new(16);
            public static readonly HashMap<uint, ulong> Egress = new(16);

            static void Count(HashMap<uint, ulong> map, uint key, ulong by)
            {
                ulong* value = (ulong*)BpfHelpers.MapLookupElem(map, &key);
                if (value != null)
                {
                    *value += by;
                    return;
                }

                BpfHelpers.MapUpdateElem(map, &key, &by, 0);
            }

            static void CountBoth(HashMap<uint, ulong> first, HashMap<uint, ulong> second, uint key)
            {
                Count(first, key, 1);
                Count(second, key, 10);
            }

            [BpfProgram("xdp")]
            public static int Run(XdpMd* ctx)
            {
                Count(Ingress, 1, 2);
                Count(Egress, 2, 3);
                CountBoth(Egress, Ingress, 3);
                return 2;
            }
        }
        """;

    private readonly string _directory = Directory.CreateTempSubdirectory("bpfsharp-map-parameters-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void A_method_is_written_once_per_set_of_maps_it_is_called_with()
    {
        var result = BpfSharp.Tests.Compiler.BpfTranslatorTests.Translate(Source);
        Assert.Empty(result.Problems);
        var c = result.C!;
        Assert.Contains("Counting_Count_Ingress(1U, 2ULL)", c);
        Assert.Contains("Counting_Count_Egress(2U, 3ULL)", c);
        Assert.Contains("Counting_CountBoth_Egress_Ingress(3U)", c);
        Assert.Contains("bpf_map_lookup_elem(&Ingress,", c);
        Assert.Contains("bpf_map_lookup_elem(&Egress,", c);
        var copies = System.Text.RegularExpressions.Regex.Matches(c, @"void (Counting_Count\w*)\(").Select(m => m.Groups[1].Value).Distinct().Order(StringComparer.Ordinal);
        Assert.Equal(["Counting_CountBoth_Egress_Ingress", "Counting_Count_Egress", "Counting_Count_Ingress"], copies); // CountBoth's calls reuse both
    }

    [Fact]
    public void A_map_the_compiler_cannot_know_is_BPF2004_at_the_argument()
    {
        var source = Source.Replace("Count(Ingress, 1, 2);", "Count(ctx->IngressIfindex > 1 ? Ingress : Egress, 1, 2);");
        var problem = Assert.Single(BpfSharp.Tests.Compiler.BpfTranslatorTests.Translate(source).Problems);
        Assert.Equal("BPF2004", problem.Id);
        Assert.Contains("the map passed to 'map' must be a static map field or a map parameter", problem.Message);
        Assert.StartsWith("ctx->IngressIfindex > 1 ?", problem.Location.SourceTree!.GetText().ToString(problem.Location.SourceSpan));
    }

    [SkippableFact]
    public void Each_copy_uses_its_own_maps_in_the_kernel()
    {
        RunningKernel.RequireBpf();
        Skip.If(Tools.Find("clang") is null, "kernel test skipped: clang is needed (apt-get install clang)");
        using var loaded = BpfObject.Load(Tools.CompileCSharp(Source, _directory, "mapparameters"));
        Assert.Equal(2, loaded.Program("Run").TestRun(new byte[64]).ReturnValue);

        var ingress = loaded.Map<uint, ulong>("Ingress");
        var egress = loaded.Map<uint, ulong>("Egress");
        Assert.Equal(2ul, ingress.Lookup(1));
        Assert.Equal(10ul, ingress.Lookup(3));
        Assert.Equal(3ul, egress.Lookup(2));
        Assert.Equal(1ul, egress.Lookup(3));
        Assert.False(ingress.TryLookup(2, out _));
        Assert.False(egress.TryLookup(1, out _));
    }
}
