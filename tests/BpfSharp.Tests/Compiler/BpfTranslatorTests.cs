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

            static uint Forever(uint x) => x == 0 ? 0 : Forever(x - 1);
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
        Assert.Contains("SEC(\"xdp\")\n#line 9 \"Source0.cs\"\n__s32 Count(void * ctx)", c);
        Assert.Contains("__uint(type, 2); /* BPF_MAP_TYPE_ARRAY */\n    __uint(max_entries, 1);\n    __type(key, __u32);\n    __type(value, __u64);\n} Packets SEC(\".maps\");", c);
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
    public void Map_types_get_the_flags_the_kernel_requires_of_them()
    {
        // An LPM trie and a task storage need BPF_F_NO_PREALLOC, an arena BPF_F_MMAPABLE: the kernel refuses them without.
        var result = Translate("""
            using BpfSharp;
            public struct Prefix { public uint Length; public uint Address; }
            public static unsafe class P
            {
                static readonly LpmTrieMap<Prefix, ulong> Routes = new(maxEntries: 16);
                static readonly TaskStorageMap<ulong> PerTask = new(maxEntries: 0);
                static readonly ArenaMap Arena = new(maxEntries: 1, flags: 8);
                [BpfProgram("xdp")]
                public static int Run(void* ctx)
                {
                    var key = new Prefix { Length = 32, Address = 1 };
                    BpfHelpers.MapLookupElem(Routes, &key);
                    BpfHelpers.MapLookupElem(PerTask, &key);
                    BpfHelpers.MapLookupElem(Arena, &key);
                    return 2;
                }
            }
            """);
        var c = result.C!;
        output.WriteLine(c);
        Assert.Contains("__uint(max_entries, 16);\n    __uint(map_flags, 1);\n    __type(key, struct Prefix);", c);
        Assert.Contains("/* BPF_MAP_TYPE_TASK_STORAGE */\n    __uint(max_entries, 0);\n    __uint(map_flags, 1);", c);
        Assert.Contains("/* BPF_MAP_TYPE_ARENA */\n    __uint(max_entries, 1);\n    __uint(map_flags, 1032);", c);
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
    [InlineData("while (true) { key++; }", "BPF2001")]
    [InlineData("for (;;) { key++; }", "BPF2001")]
    [InlineData("do { key++; } while (true);", "BPF2001")]
    [InlineData("System.Func<int> f = () => 1;", "BPF2001")]
    [InlineData("var s = key.ToString();", "BPF2002")]
    [InlineData("float f = key;", "BPF2002")]
    [InlineData("ulong* big = stackalloc ulong[65];", "BPF2001")]
    [InlineData("key = (uint)System.Numerics.BitOperations.PopCount(key);", "BPF2003")]
    public void What_cannot_run_in_the_kernel_is_a_located_problem_and_no_C(string statement, string id)
    {
        var source = Counter.Replace("uint key = 0;", "uint key = 0; " + statement);
        var result = Translate(source);
        Assert.Null(result.C);
        var problem = Assert.Single(result.Problems.Where(p => p.Id == id));
        Assert.Equal(11, problem.Location.GetLineSpan().StartLinePosition.Line + 1);
    }

    private const string TwoClasses = """
        using BpfSharp;
        namespace One { public static unsafe class Util { static uint Hits; public static uint Next() => ++Hits; } }
        namespace Two { public static unsafe class Util { static uint Hits; public static uint Next() => Hits += 2; } }
        public static unsafe class A
        {
            static readonly ArrayMap<ulong> Shared = new(maxEntries: 1);
            [BpfProgram("xdp")]
            public static int Run(void* ctx) { uint key = 0; BpfHelpers.MapLookupElem(Shared, &key); return (int)(One.Util.Next() + Two.Util.Next()); }
        }
        """;

    [Fact]
    public void Functions_and_globals_of_same_named_classes_get_distinct_C_names()
    {
        var result = Translate(TwoClasses);
        Assert.Empty(result.Problems);
        Assert.Contains("__u32 Util_Hits = 0;", result.C);
        Assert.Contains("__u32 Util_Hits_2 = 0;", result.C);
        Assert.Contains("Util_Next()", result.C);
        Assert.Contains("Util_Next_2()", result.C);
    }

    [Theory]
    [InlineData("public static class B { static readonly ArrayMap<ulong> Shared = new(maxEntries: 1); [BpfProgram(\"xdp\")] public static unsafe int Other(void* ctx) { uint key = 0; BpfHelpers.MapLookupElem(Shared, &key); return 2; } }", "BPF2005", "map name 'Shared' is taken by A.Shared")]
    [InlineData("public static class B { [BpfProgram(\"xdp\")] public static unsafe int Run(void* ctx) => 2; }", "BPF2005", "program name 'Run' is taken by A.Run(void*)")]
    [InlineData("public static class B { [BpfProgram(\"xdp\")] public static unsafe int Shared(void* ctx) => 2; }", "BPF2005", "program name 'Shared' is taken by A.Shared")]
    [InlineData("public static class B { [BpfProgram(\"xdp\")] public static unsafe int Zähler(void* ctx) => 2; }", "BPF2005", "program name 'Zähler' has characters the kernel refuses")]
    [InlineData("public static class B { [BpfProgram(\"xdp\")] public static unsafe int LICENSE(void* ctx) => 2; }", "BPF2005", "program name 'LICENSE' is reserved")]
    [InlineData("public static class B { [BpfProgram(\"xdp\")] public static unsafe int bpf_ktime_get_ns(void* ctx) => 2; }", "BPF2005", "program name 'bpf_ktime_get_ns' is reserved in the object (the name of the helper bpf_ktime_get_ns)")]
    [InlineData("public static class B { [BpfProgram(\"xdp\")] public static unsafe int CountPacketsPerProtocol(void* ctx) => 2; }", "BPF2006", "has 23 characters: the kernel keeps 15 ('CountPacketsPer')")]
    public void Program_and_map_names_the_object_cannot_carry_are_located_problems(string other, string id, string message)
    {
        var result = Translate(TwoClasses + other);
        var problem = Assert.Single(result.Problems);
        Assert.Equal(id, problem.Id);
        Assert.Contains(message, problem.Message);
        Assert.Equal(id == "BPF2006", result.C != null); // a long name is a warning: the object is still written
        Assert.True(problem.Location.IsInSource);
        Assert.Contains(problem.Location.SourceTree!.GetText().ToString(problem.Location.SourceSpan), new[] { "Shared", "Run", "Zähler", "LICENSE", "bpf_ktime_get_ns", "CountPacketsPerProtocol" });
    }

    [Fact]
    public void A_bpf_prefixed_name_that_is_no_helper_is_a_fine_program_name()
    {
        var result = Translate(TwoClasses + "public static class B { [BpfProgram(\"socket\")] public static unsafe int bpf_prog1(void* ctx) => 0; }");
        Assert.Empty(result.Problems);
        Assert.Contains("bpf_prog1(void * ctx)", result.C);
    }

    [Fact]
    public void Names_beyond_ascii_inside_the_program_are_spelled_out_for_BTF()
    {
        var result = Translate("""
            using BpfSharp;
            public struct Größe { public uint Länge; }
            public static unsafe class P
            {
                static uint Zähler;
                [BpfProgram("xdp")]
                public static int Run(void* ctx) { Größe g = default; g.Länge = 3; Zähler += g.Länge; return 2; }
            }
            """);
        Assert.Empty(result.Problems);
        Assert.Contains("struct Gr_u00F6_u00DFe {", result.C);
        Assert.Contains("__u32 L_u00E4nge;", result.C);
        Assert.Contains("__u32 P_Z_u00E4hler = 0;", result.C);
    }

    [Fact]
    public void Recursion_is_refused_at_the_call_that_recurses()
    {
        var result = Translate(Counter.Replace("uint key = 0;", "uint key = 0; key += Forever(key);"));
        Assert.Null(result.C);
        var problem = Assert.Single(result.Problems);
        Assert.Equal("BPF2001", problem.Id);
        Assert.Contains("'Forever' is called while it runs (recursion)", problem.Message);
        Assert.Equal("Forever(x - 1)", problem.Location.SourceTree!.GetText().ToString(problem.Location.SourceSpan));
    }
}
