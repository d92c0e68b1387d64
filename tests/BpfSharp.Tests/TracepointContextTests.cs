using System;
using System.Threading.Tasks;
using System.Linq;
using BpfSharp.Emit;
using BpfSharp.Spec;
using BpfSharp.Tests.Compiler;
using BpfSharp.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Xunit;

namespace BpfSharp.Tests;

/// <summary>Typed tracepoint contexts: tracefs layouts read and kept, and the C# structs made of them.</summary>
public class TracepointContextTests
{
    private const string SchedSwitchFormat = """
        name: sched_switch
        ID: 317
        format:
        	field:unsigned short common_type;	offset:0;	size:2;	signed:0;
        	field:unsigned char common_flags;	offset:2;	size:1;	signed:0;
        	field:unsigned char common_preempt_count;	offset:3;	size:1;	signed:0;
        	field:int common_pid;	offset:4;	size:4;	signed:1;

        	field:char prev_comm[16];	offset:8;	size:16;	signed:0;
        	field:pid_t prev_pid;	offset:24;	size:4;	signed:1;
        	field:long prev_state;	offset:32;	size:8;	signed:1;
        	field:__data_loc char[] reason;	offset:40;	size:4;	signed:0;
        	field:const char * name;	offset:48;	size:8;	signed:0;

        print fmt: "prev_comm=%s", REC->prev_comm
        """;

    [Fact]
    public void A_tracefs_format_file_gives_each_field_with_its_offset_size_and_signedness()
    {
        var format = TracepointFormats.ParseFormatFile("sched", SchedSwitchFormat)!;
        Assert.Equal("sched/sched_switch", format.Key);
        Assert.Equal(["common_type", "common_flags", "common_preempt_count", "common_pid", "prev_comm[16]", "prev_pid", "prev_state", "reason", "name"], format.Fields.Select(f => f.Name));
        var comm = format.Fields[4];
        Assert.Equal(("char", 16, "prev_comm", 8), (comm.CType, comm.ArrayLength, comm.PlainName, comm.Offset));
        Assert.True(format.Fields[6].Signed);
        Assert.True(format.Fields[7].IsDataLocation);
        Assert.Equal("__data_loc char[]", format.Fields[7].CType);
        Assert.True(format.Fields[8].IsPointer);
        Assert.Equal(56, format.Size);

        // The table keeps it as it was, without the common header every record starts with.
        var table = TracepointFormats.WriteTable([format], "test");
        Assert.DoesNotContain("common_pid", table.Split('\n').Single(line => line.StartsWith("sched/", StringComparison.Ordinal)));
        Assert.Equal(format, TracepointFormats.ReadTable(table).Single());
    }

    [Fact]
    public void The_shipped_layouts_hold_the_tracepoints_of_Linux_6_18()
    {
        Assert.True(TracepointFormats.Shipped.Count > 2000, $"{TracepointFormats.Shipped.Count} tracepoints");
        var openat = TracepointFormats.Shipped["syscalls/sys_enter_openat"];
        Assert.Equal(["common_type", "common_flags", "common_preempt_count", "common_pid", "__syscall_nr", "dfd", "filename", "flags", "mode"], openat.Fields.Select(f => f.Name));
        Assert.Equal(24, openat.Fields.Single(f => f.Name == "filename").Offset);
        Assert.Equal("sched/sched_process_exec", TracepointFormats.TracepointOf("tp/sched/sched_process_exec"));
        Assert.Equal("sched/sched_process_exec", TracepointFormats.TracepointOf("tracepoint/sched/sched_process_exec"));
        Assert.Null(TracepointFormats.TracepointOf("tp/sched"));
        Assert.Null(TracepointFormats.TracepointOf("raw_tracepoint/sched_switch"));
    }

    [Fact]
    public void Every_shipped_tracepoint_context_compiles_with_warnings_as_errors_and_the_same_text_every_run()
    {
        var text = TracepointContextEmitter.Emit(TracepointFormats.Shipped.Values, "Linux 6.18")!;
        Assert.Equal(text, TracepointContextEmitter.Emit(TracepointFormats.Shipped.Values.Reverse(), "Linux 6.18"));
        Assert.DoesNotContain("\r", text);
        var compilation = TestCompilation.Create(text).WithOptions(TestCompilation.Create().Options.WithSpecificDiagnosticOptions([]).WithGeneralDiagnosticOption(ReportDiagnostic.Error).WithNullableContextOptions(NullableContextOptions.Enable));
        var problems = compilation.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToArray();
        Assert.True(problems.Length == 0, string.Join("\n", problems.Take(20)));

        // The layout .NET gives is the kernel's.
        var openat = compilation.GetTypeByMetadataName("BpfSharp.Kernel.Tracepoints.Syscalls+SysEnterOpenat")!;
        Assert.Equal(["CommonType", "CommonFlags", "CommonPreemptCount", "CommonPid", "SyscallNr", "Dfd", "Filename", "Flags", "Mode"], openat.GetMembers().OfType<IFieldSymbol>().Select(f => f.Name));
        Assert.Equal("byte*", openat.GetMembers("Filename").OfType<IFieldSymbol>().Single().Type.ToDisplayString());
        Assert.Contains("[global::System.Runtime.InteropServices.FieldOffset(24)]\n            public byte* Filename;", text);
        Assert.Contains("public fixed byte PrevComm[16];", text);
    }

    [Fact]
    public void A_tracepoint_program_gets_its_context_struct_and_compiles_to_C()
    {
        var source = """
            using BpfSharp;
            using BpfSharp.Kernel.Tracepoints;
            [assembly: BpfLicense("GPL")]
            public static unsafe class Opens
            {
                [BpfProgram("tp/syscalls/sys_enter_openat")]
                public static int OnOpenat(Syscalls.SysEnterOpenat* context) => context->Flags == 0 ? 0 : 1;

                [BpfProgram("tracepoint/sched/sched_process_exec")]
                public static int OnExec(Sched.SchedProcessExec* context) => context->Pid;
            }
            """;
        var (_, output, diagnostics) = TestCompilation.Generate(TestCompilation.Create(source));
        Assert.Empty(diagnostics);
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        var generated = output.SyntaxTrees.Single(t => t.FilePath.EndsWith("BpfSharp.Kernel.Tracepoints.g.cs", StringComparison.Ordinal)).ToString();
        Assert.Contains("public unsafe struct SysEnterOpenat", generated);
        Assert.Contains("public unsafe struct SchedProcessExec", generated);
        Assert.DoesNotContain("SysEnterRead", generated); // only what the programs name

        var translation = BpfTranslatorTests.Translate(source);
        Assert.Empty(translation.Problems);
        Assert.Contains("SEC(\"tp/syscalls/sys_enter_openat\")", translation.C);
    }
}

public class UnknownTracepointTests
{
    private const string Program = """
        using BpfSharp;
        [assembly: BpfLicense("GPL")]
        public static unsafe class Opens
        {
            [BpfProgram("tp/syscalls/sys_enter_openat")]
            public static int Known(void* ctx) => 0;

            [{|#0:BpfProgram("tp/syscalls/sys_enter_opnat")|}]
            public static int Misspelt(void* ctx) => 0;

            [BpfProgram("tp/mymodule/my_event")]
            public static int OwnModule(void* ctx) => 0;
        }
        """;

    [Fact]
    public Task A_misspelt_tracepoint_is_reported_with_the_nearest_name_and_a_projects_own_layouts_count() =>
        AnalyzerVerifier<BpfSharp.Analyzers.TracepointAnalyzer>.VerifyAsync(
            Program,
            state => state.AdditionalFiles.Add(("/project/tracepoints.tsv", "# own\nmymodule/my_event\tu32|value|8|4|0\n")),
            AnalyzerVerifier<BpfSharp.Analyzers.TracepointAnalyzer>.Warning("BPF0014").WithLocation(0).WithMessage(
                "tracepoint syscalls/sys_enter_opnat is not among the Linux 6.18 tracepoints or this project's tracepoints.tsv: the program gets no typed context, and attaches only where the kernel has that tracepoint; did you mean 'syscalls/sys_enter_openat'?"));

    [Fact]
    public Task Without_the_projects_layouts_its_module_tracepoint_is_reported_too() =>
        AnalyzerVerifier<BpfSharp.Analyzers.TracepointAnalyzer>.VerifyAsync(
            Program.Replace("[BpfProgram(\"tp/mymodule/my_event\")]", "[{|#1:BpfProgram(\"tp/mymodule/my_event\")|}]"),
            AnalyzerVerifier<BpfSharp.Analyzers.TracepointAnalyzer>.Warning("BPF0014").WithLocation(0),
            AnalyzerVerifier<BpfSharp.Analyzers.TracepointAnalyzer>.Warning("BPF0014").WithLocation(1).WithMessage(
                "tracepoint mymodule/my_event is not among the Linux 6.18 tracepoints (for another kernel's, add the tracepoints.tsv that 'bpfsharp tracepoints' writes there as an AdditionalFiles item): the program gets no typed context, and attaches only where the kernel has that tracepoint"));
}
