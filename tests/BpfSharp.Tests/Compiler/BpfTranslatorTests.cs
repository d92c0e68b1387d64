using System.Linq;
using BpfSharp.Compiler;
using BpfSharp.Tests.Infrastructure;
using Xunit;

namespace BpfSharp.Tests.Compiler;

/// <summary>C# programs to C: maps, helpers, control flow, #line back to C#, and located BPF2xxx for what cannot run in the kernel.</summary>
public class BpfTranslatorTests(Xunit.Abstractions.ITestOutputHelper output)
{
    public const string Counter = """
        using BpfSharp;
        [assembly: BpfLicense("GPL")]
        public static unsafe class Counter
        {
            static readonly ArrayMap<ulong> Packets = new(maxEntries: 1);
            static readonly HashMap<uint, ulong> Sizes = new(maxEntries: 64);

            [BpfProgram("xdp")]
            public static int Count(void* ctx)
            {
                uint key = 0;
                ulong* value = (ulong*)BpfHelpers.MapLookupElem(Packets, &key);
                if (value != null)
                {
                    System.Threading.Interlocked.Add(ref *value, 1);
                }

                for (uint i = 0; i < 4; i++)
                {
                    key += Twice(i);
                }

                ulong one = 1;
                BpfHelpers.MapUpdateElem(Sizes, &key, &one, BpfFlags.BPF_ANY);
                return key > 100 ? 1 : 2;
            }

            static uint Twice(uint x) => x * 2;
        }
        """;

    public static TranslationResult Translate(string source) =>
        BpfTranslator.Translate(TestCompilation.Generate(TestCompilation.Create(source)).Output);

    [Fact]
    public void A_program_becomes_C_with_its_maps_helpers_functions_and_licence()
    {
        var result = Translate(Counter);
        Assert.Empty(result.Problems);
        var c = result.C!;
        output.WriteLine(c);
        Assert.Equal(new[] { "Count" }, result.Programs);
        Assert.Contains("SEC(\"xdp\")\n__s32 Count(void * ctx)", c);
        Assert.Contains("__uint(type, BPF_MAP_TYPE_ARRAY);\n    __uint(max_entries, 1);\n    __type(key, __u32);\n    __type(value, __u64);\n} Packets SEC(\".maps\");", c);
        Assert.Contains("__type(key, __u32);\n    __type(value, __u64);\n} Sizes SEC(\".maps\");", c);
        Assert.Contains("static void * (* const bpf_map_lookup_elem)(void *, void *) = (void *) 1;", c);
        Assert.Contains("bpf_map_lookup_elem(&Packets, ((void *)(&key)))", c);
        Assert.Contains("__sync_fetch_and_add((&(*value)), 1ULL)", c);
        Assert.Contains("Counter_Twice(i)", c);
        Assert.Contains("static __attribute__((always_inline)) __u32 Counter_Twice(__u32 x)", c);
        Assert.Contains("#line 11 \"Source0.cs\"", c);
        Assert.Contains("char LICENSE[] SEC(\"license\") = \"GPL\";", c);
        Assert.DoesNotContain("\r", c);
    }

    [Fact]
    public void The_same_sources_give_the_same_C() =>
        Assert.Equal(Translate(Counter).C, Translate(Counter).C);

    [Theory]
    [InlineData("var o = new object();", "BPF2002")]
    [InlineData("double d = 1.5;", "BPF2002")]
    [InlineData("throw new System.Exception();", "BPF2001")]
    [InlineData("System.Console.WriteLine(1);", "BPF2003")]
    [InlineData("var a = new int[4];", "BPF2002")]
    [InlineData("BpfMap m = Packets;", "BPF2004")]
    public void What_cannot_run_in_the_kernel_is_a_located_problem_and_no_C(string statement, string id)
    {
        var source = Counter.Replace("uint key = 0;", "uint key = 0; " + statement);
        var result = Translate(source);
        Assert.Null(result.C);
        var problem = Assert.Single(result.Problems.Where(p => p.Id == id));
        Assert.Equal(11, problem.Location.GetLineSpan().StartLinePosition.Line + 1);
    }
}
