using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text;
using BpfSharp.Tests.Compiler;
using BpfSharp.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Xunit;
using Xunit.Abstractions;

namespace BpfSharp.Tests.Kernel;

/// <summary>
/// The compiled program computes what the C# computes: random integer functions (every integer type, every
/// operator, edge values) run on the CLR and, translated and compiled by clang, in the kernel through
/// BPF_PROG_TEST_RUN on the same inputs; every result must be the same.
/// </summary>
public class IntegerDifferentialTests(ITestOutputHelper output)
{
    private const int Programs = 12;
    private const int FunctionsPerProgram = 25;
    private const int InputCount = 40;

    [SkippableTheory]
    [InlineData(1)]
    [InlineData(2)]
    public void Random_integer_code_gives_the_CLR_results_in_the_kernel(int seed)
    {
        RunningKernel.RequireBpf();
        Skip.If(Tools.Find("clang") is null, "kernel test skipped: clang is needed (apt-get install clang)");

        var generator = new IntegerExpressions(seed);
        var source = Source(generator, out var functions);
        var inputs = generator.Inputs(InputCount);

        var expected = RunOnClr(source, functions, inputs);
        var directory = Directory.CreateTempSubdirectory("bpfsharp-differential-").FullName;
        try
        {
            var objectPath = Tools.CompileCSharp(source, directory, "differential");
            using var bpf = BpfObject.Load(objectPath);
            var mismatches = new List<string>();
            var compared = 0;
            var throwing = 0;
            for (var p = 0; p < Programs; p++)
            {
                var program = bpf.Program("Run" + p);
                for (var i = 0; i < inputs.Count; i++)
                {
                    var packet = new byte[8 * (3 + FunctionsPerProgram)];
                    for (var k = 0; k < 3; k++)
                    {
                        BitConverter.TryWriteBytes(packet.AsSpan(8 * k), inputs[i][k]);
                    }

                    var run = program.TestRun(packet);
                    Assert.Equal(2, run.ReturnValue); // XDP_PASS: the program read the inputs
                    for (var f = 0; f < FunctionsPerProgram; f++)
                    {
                        var index = p * FunctionsPerProgram + f;
                        if (expected[index][i] is not ulong clr)
                        {
                            throwing++;
                            continue;
                        }

                        compared++;
                        var kernel = BitConverter.ToUInt64(run.Data.AsSpan(8 * (3 + f)));
                        if (kernel != clr)
                        {
                            mismatches.Add($"F{index}({string.Join(", ", inputs[i].Select(x => "0x" + x.ToString("X")))}): CLR 0x{clr:X}, BPF 0x{kernel:X}\n{functions[index]}");
                        }
                    }
                }
            }

            output.WriteLine($"seed {seed}: {functions.Count} functions x {inputs.Count} inputs, {compared} results compared, {throwing} skipped (the CLR threw), {mismatches.Count} mismatches");
            foreach (var mismatch in mismatches.Take(10))
            {
                output.WriteLine(mismatch);
            }

            Assert.Empty(mismatches);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>One class: the functions, and XDP programs that read three inputs from the packet and write each function's result after them.</summary>
    public static string Source(IntegerExpressions generator, out List<string> functions) => Source(generator, Programs, FunctionsPerProgram, out functions);

    public static string Source(IntegerExpressions generator, int programs, int functionsPerProgram, out List<string> functions)
    {
        functions = Enumerable.Range(0, programs * functionsPerProgram).Select(i => generator.Function("F" + i)).ToList();
        var source = new StringBuilder("using BpfSharp;\n[assembly: BpfLicense(\"GPL\")]\npublic static unsafe class Differential\n{\n");
        foreach (var function in functions)
        {
            source.Append(function).Append('\n');
        }

        for (var p = 0; p < programs; p++)
        {
            source.Append($"    [BpfProgram(\"xdp\")]\n    public static int Run{p}(XdpMd* ctx)\n    {{\n");
            source.Append("        ulong* data = (ulong*)(ulong)ctx->Data;\n");
            source.Append($"        if ((byte*)data + {8 * (3 + functionsPerProgram)} > (byte*)(ulong)ctx->DataEnd) return 1;\n");
            source.Append("        ulong x0 = data[0], x1 = data[1], x2 = data[2];\n");
            for (var f = 0; f < functionsPerProgram; f++)
            {
                source.Append($"        data[{3 + f}] = F{p * functionsPerProgram + f}(x0, x1, x2);\n");
            }

            source.Append("        return 2;\n    }\n");
        }

        return source.Append("}\n").ToString();
    }

    /// <summary>Each function's result per input on the CLR; null where it threw (MinValue / -1).</summary>
    private static List<ulong?[]> RunOnClr(string source, List<string> functions, List<ulong[]> inputs)
    {
        var parsed = TestCompilation.Create(source);
        var compilation = TestCompilation.Generate(parsed.WithOptions(parsed.Options.WithGeneralDiagnosticOption(ReportDiagnostic.Default))).Output;
        var type = TestCompilation.Load(compilation).GetType("Differential")!;
        return Enumerable.Range(0, functions.Count).Select(i =>
        {
            var method = type.GetMethod("F" + i, BindingFlags.NonPublic | BindingFlags.Static)!;
            return inputs.Select(input =>
            {
                try
                {
                    return (ulong?)(ulong)method.Invoke(null, [input[0], input[1], input[2]])!;
                }
                catch (TargetInvocationException e) when (e.InnerException is OverflowException)
                {
                    return null;
                }
            }).ToArray();
        }).ToList();
    }
}
