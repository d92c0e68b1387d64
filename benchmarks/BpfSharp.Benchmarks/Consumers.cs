using System.Linq;
using System.Text;
using BpfSharp.Generators;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace BpfSharp.Benchmarks;

/// <summary>Compilations the benchmarks run on.</summary>
public static class Consumers
{
    public static readonly MetadataReference[] References =
        [.. Basic.Reference.Assemblies.Net80.References.All, MetadataReference.CreateFromFile(typeof(BpfMap).Assembly.Location)];

    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    /// <summary>
    /// A large consumer: 500 [BpfProgram] methods of varied types, each reaching helpers through a chain of three
    /// calls, 10,000 helper calls in all, with maps of several classes.
    /// </summary>
    public static string Large(int programs = 500, int callsPerProgram = 20)
    {
        string[] sections = ["xdp", "kprobe/do_unlinkat", "tp/syscalls/sys_enter_openat", "tc", "cgroup_skb/ingress", "socket", "perf_event", "fentry/do_unlinkat"];
        string[] calls =
        [
            "BpfHelpers.MapLookupElem(Hash, &key)",
            "BpfHelpers.MapUpdateElem(Hash, &key, &value, 0)",
            "BpfHelpers.MapPushElem(Queue, &value, 2)",
            "BpfHelpers.KtimeGetNs()",
            "BpfHelpers.GetCurrentPidTgid()",
            "BpfHelpers.RingbufOutput(Events, &value, 8, 0)",
            "BpfHelpers.GetPrandomU32()",
            "BpfHelpers.MapDeleteElem(Hash, &key)",
        ];
        var source = new StringBuilder("using BpfSharp;\n[assembly: BpfLicense(\"GPL\")]\npublic static unsafe class Maps\n{\n")
            .Append("    public static readonly HashMap<uint, ulong> Hash = new(1024);\n    public static readonly QueueMap<ulong> Queue = new(64);\n    public static readonly RingBufMap Events = new(4096);\n}\n");
        for (var p = 0; p < programs; p++)
        {
            source.Append($"public static unsafe class Program{p}\n{{\n    [BpfProgram(\"{sections[p % sections.Length]}\")]\n    public static int Run{p}(void* ctx) => Step1(ctx);\n");
            source.Append("    static int Step1(void* ctx) => Step2(ctx);\n    static int Step2(void* ctx) => Step3(ctx);\n    static int Step3(void* ctx)\n    {\n        uint key = 1; ulong value = 2; long total = 0;\n");
            for (var c = 0; c < callsPerProgram; c++)
            {
                source.Append($"        total += (long){calls[(p + c) % calls.Length].Replace("Hash", "Maps.Hash").Replace("Queue", "Maps.Queue").Replace("Events", "Maps.Events")};\n");
            }

            source.Append("        return (int)total;\n    }\n}\n");
        }

        return source.ToString();
    }

    /// <summary>The large consumer as a project has it: the maps in one file, each program class in its own.</summary>
    public static string[] LargeFiles(int programs = 500)
    {
        var text = Large(programs);
        var parts = text.Split("public static unsafe class Program");
        return [parts[0], .. parts.Skip(1).Select(part => "using BpfSharp;\npublic static unsafe class Program" + part)];
    }

    public static CSharpCompilation Compile(params string[] sources) =>
        CSharpCompilation.Create(
            "Consumer",
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, ParseOptions, path: $"File{i}.cs")),
            References,
            new CSharpCompilationOptions(
                OutputKind.DynamicallyLinkedLibrary,
                allowUnsafe: true,
                nullableContextOptions: NullableContextOptions.Enable,
                specificDiagnosticOptions: SdkAnalyzers.DefaultLevelOptions));

    /// <summary>The BpfHelpers source the generator makes from the shipped spec.</summary>
    public static string GeneratedHelpers() =>
        CSharpGeneratorDriver.Create(new HelperGenerator()).RunGenerators(Compile("class A { }")).GetRunResult().GeneratedTrees.Single().ToString();
}
