using System;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using System.Text;
using BpfSharp.Tests.Infrastructure;
using BpfSharp.Tests.Kernel;
using Microsoft.CodeAnalysis;
using Xunit;
using Xunit.Abstractions;

namespace BpfSharp.Tests.Compiler;

/// <summary>
/// The C structs the compiler writes have .NET's layout byte for byte (sequential, Pack, Size, explicit with overlaps and odd
/// offsets, nesting, fixed buffers): .NET itself measures every offset and size, clang checks the C against those numbers.
/// </summary>
public class StructLayoutTests(ITestOutputHelper output)
{
    private const string Structs = """
        #pragma warning disable CS0219, CS0649
        using System.Runtime.InteropServices;
        using BpfSharp;
        [assembly: BpfLicense("GPL")]
        [StructLayout(LayoutKind.Sequential, Pack = 1)] public unsafe struct Packed { public fixed byte Macs[12]; public ushort Type; public byte A; public uint B; public ulong C; }
        [StructLayout(LayoutKind.Sequential, Pack = 2)] public struct PackTwo { public byte A; public long B; public byte C; }
        public struct Natural { public byte A; public long B; public short C; public Packed Inner; public bool D; public char E; }
        [StructLayout(LayoutKind.Explicit)] public struct Overlay { [FieldOffset(0)] public ulong Whole; [FieldOffset(0)] public uint Low; [FieldOffset(4)] public uint High; [FieldOffset(3)] public byte Odd; }
        [StructLayout(LayoutKind.Explicit)] public struct Misaligned { [FieldOffset(1)] public int X; [FieldOffset(9)] public long Y; }
        [StructLayout(LayoutKind.Explicit, Pack = 2)] public struct ExplicitPacked { [FieldOffset(0)] public byte A; [FieldOffset(2)] public long X; }
        [StructLayout(LayoutKind.Explicit, Size = 24)] public unsafe struct ExplicitSized { [FieldOffset(2)] public fixed short Words[3]; [FieldOffset(8)] public Natural* Next; }
        [StructLayout(LayoutKind.Sequential, Size = 32)] public struct SequentialSized { public int X; public byte Y; }
        [StructLayout(LayoutKind.Sequential, Size = 3)] public struct SizeBelowFields { public int X; }
        public enum Small : byte { One = 1 }
        public struct Outer { public Small Tag; public Misaligned M; public ExplicitPacked P; public Overlay O; public SequentialSized S; }
        namespace Other { public struct Natural { public int Different; } }
        public static unsafe class Programs
        {
            [BpfProgram("xdp")]
            public static int Use(void* ctx)
            {
                Packed a = default; PackTwo b = default; Natural c = default; Overlay d = default; Misaligned e = default;
                ExplicitPacked f = default; ExplicitSized g = default; SequentialSized h = default; SizeBelowFields i = default;
                Outer j = default; Other.Natural k = default;
                d.Low = 1; d.High = 2;
                return (int)(d.Whole >> 32) + (int)j.O.Odd + k.Different;
            }
        }
        """;

    private static readonly (string Type, string[] Fields)[] s_measured =
    [
        ("Packed", ["*Macs", "Type", "A", "B", "C"]),
        ("PackTwo", ["A", "B", "C"]),
        ("Natural", ["A", "B", "C", "Inner", "D", "E"]),
        ("Overlay", ["Whole", "Low", "High", "Odd"]),
        ("Misaligned", ["X", "Y"]),
        ("ExplicitPacked", ["A", "X"]),
        ("ExplicitSized", ["*Words", "Next"]),
        ("SequentialSized", ["X", "Y"]),
        ("SizeBelowFields", ["X"]),
        ("Outer", ["Tag", "M", "P", "O", "S"]),
    ];

    [SkippableFact]
    public void Every_struct_has_the_layout_dotnet_gives_it()
    {
        var clang = Tools.Find("clang");
        Skip.If(clang is null, "layout test skipped: clang is needed to check the C (apt-get install clang)");

        var result = BpfTranslatorTests.Translate(Structs);
        Assert.Empty(result.Problems);
        var c = result.C!;
        Assert.Contains("struct Natural {", c);
        Assert.Contains("struct Natural_2 {", c); // Other.Natural, a second struct of the same name

        // .NET measures: the same source, compiled with a method that takes each field's address, run in this process.
        var measuring = new StringBuilder("public static unsafe class Measure { public static long[] Layout() { var r = new System.Collections.Generic.List<long>();\n");
        foreach (var (type, fields) in s_measured)
        {
            measuring.Append($"{{ {type} s = default; r.Add(sizeof({type}));");
            foreach (var field in fields)
            {
                // A fixed buffer ("*") is already the address of its first element.
                measuring.Append(field.StartsWith('*') ? $" r.Add((byte*)s.{field[1..]} - (byte*)&s);" : $" r.Add((byte*)&s.{field} - (byte*)&s);");
            }

            measuring.Append(" }\n");
        }

        measuring.Append("return r.ToArray(); } }\n");
        var numbers = RunMeasure(Structs + "\n" + measuring);

        var assertions = new StringBuilder(c);
        var index = 0;
        foreach (var (type, fields) in s_measured)
        {
            assertions.Append($"_Static_assert(sizeof(struct {type}) == {numbers[index++]}, \"sizeof {type}\");\n");
            foreach (var field in fields)
            {
                assertions.Append($"_Static_assert(__builtin_offsetof(struct {type}, {field.TrimStart('*')}) == {numbers[index++]}, \"{type}.{field}\");\n");
            }
        }

        output.WriteLine(string.Join(" ", numbers));
        var directory = Directory.CreateTempSubdirectory("bpfsharp-layout-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(directory, "layout.bpf.c"), assertions.ToString());
            var compile = Tools.Run(clang!, $"-O2 -g -target bpf -I/usr/include/x86_64-linux-gnu -c {directory}/layout.bpf.c -o {directory}/layout.bpf.o");
            Assert.True(compile.ExitCode == 0, compile.Output + "\n" + assertions);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Theory]
    [InlineData("[StructLayout(LayoutKind.Auto)] public struct S { public int X; }", "has LayoutKind.Auto")]
    [InlineData("[StructLayout(LayoutKind.Sequential, Size = 5)] public struct S { public int X; }", "Size = 5, which is not a multiple of its alignment (4)")]
    [InlineData("[StructLayout(LayoutKind.Explicit)] public struct S { [FieldOffset(0)] public int X; public int Y; }", "field 'Y' of a struct with an explicit layout needs [FieldOffset]")]
    [InlineData("public struct S<T> { public T X; }", "is generic")]
    public void A_layout_that_C_cannot_copy_is_refused_where_the_struct_is_used(string declaration, string message)
    {
        var source = "using System.Runtime.InteropServices;\nusing BpfSharp;\n" + declaration + "\n" + """
            public static unsafe class P
            {
                [BpfProgram("xdp")]
                public static int Run(void* ctx) { S s = default; return 2; }
            }
            """.Replace("S s", declaration.Contains("S<T>") ? "S<int> s" : "S s");
        var result = BpfTranslatorTests.Translate(source);
        Assert.Null(result.C);
        var problem = Assert.Single(result.Problems, p => p.Message.Contains(message));
        Assert.Equal("BPF2002", problem.Id);
        Assert.True(problem.Location.IsInSource);
    }

    [Fact]
    public void A_struct_that_contains_itself_is_a_problem_not_a_crash()
    {
        var result = BpfTranslatorTests.Translate("""
            using BpfSharp;
            public struct S { public S Inner; public int X; }
            public static unsafe class P
            {
                [BpfProgram("xdp")]
                public static int Run(void* ctx) { S s = default; return 2; }
            }
            """);
        Assert.Null(result.C);
        Assert.NotEmpty(result.Problems);
    }

    private static long[] RunMeasure(string source)
    {
        var compilation = TestCompilation.Create(source);
        using var stream = new MemoryStream();
        var emit = compilation.Emit(stream);
        Assert.True(emit.Success, string.Join("\n", emit.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
        var context = new AssemblyLoadContext("layout", isCollectible: true);
        try
        {
            stream.Position = 0;
            var assembly = context.LoadFromStream(stream);
            return (long[])assembly.GetType("Measure")!.GetMethod("Layout", BindingFlags.Public | BindingFlags.Static)!.Invoke(null, null)!;
        }
        finally
        {
            context.Unload();
        }
    }
}
