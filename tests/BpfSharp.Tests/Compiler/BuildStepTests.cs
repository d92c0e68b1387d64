using System.IO;
using BpfSharp.Tests.Infrastructure;
using BpfSharp.Tests.Kernel;
using Xunit;

namespace BpfSharp.Tests.Compiler;

/// <summary>The BPF build step of the packed package without the kernel: clang found or reported, refused C# located, clang run only when needed.</summary>
public class BuildStepTests(PackagedBpfSharp packaged) : IClassFixture<PackagedBpfSharp>
{
    private static readonly string Counter = File.ReadAllText(Path.Combine(RepoPaths.Root, "tests", "Programs", "XdpCounter.cs"));

    private const string NoDocs = "<GenerateDocumentationFile>false</GenerateDocumentationFile>";

    [SkippableFact]
    public void Clang_runs_again_only_when_the_programs_C_changed()
    {
        Skip.If(!System.OperatingSystem.IsLinux() || Tools.Find("clang") is null, "skipped: the BPF build step needs Linux and clang (apt-get install clang)");
        var (exitCode, build) = packaged.BuildConsumer("Incremental", Counter, NoDocs);
        Assert.True(exitCode == 0, build);
        var directory = Path.Combine(packaged.Root, "Incremental");
        var objectPath = Path.Combine(directory, "obj", "Debug", "net10.0", "Incremental.bpf.o");
        var written = File.GetLastWriteTimeUtc(objectPath);

        // A change outside the programs: the assembly is rebuilt, the C is the same, clang does not run.
        File.AppendAllText(Path.Combine(directory, "Program.cs"), "\npublic static class Unrelated { public static int Answer() => 42; }\n");
        var (touchedExit, touched) = DotNetCli.Run(directory, "build", "-nologo", "-clp:NoSummary");
        Assert.True(touchedExit == 0, touched);
        Assert.Equal(written, File.GetLastWriteTimeUtc(objectPath));

        // A change in a program: new C, new object.
        File.WriteAllText(Path.Combine(directory, "Program.cs"), File.ReadAllText(Path.Combine(directory, "Program.cs")).Replace("XDP_TX", "XDP_DROP"));
        var (editedExit, edited) = DotNetCli.Run(directory, "build", "-nologo", "-clp:NoSummary");
        Assert.True(editedExit == 0, edited);
        Assert.NotEqual(written, File.GetLastWriteTimeUtc(objectPath));
        Assert.Equal(File.ReadAllBytes(objectPath), File.ReadAllBytes(Path.Combine(directory, "bin", "Debug", "net10.0", "Incremental.bpf.o")));

        // An IDE's design-time build compiles the C# but never runs clang, even for new C.
        var compiled = File.GetLastWriteTimeUtc(objectPath);
        File.WriteAllText(Path.Combine(directory, "Program.cs"), File.ReadAllText(Path.Combine(directory, "Program.cs")).Replace("XDP_DROP", "XDP_PASS"));
        var (designExit, design) = DotNetCli.Run(directory, "build", "-nologo", "-clp:NoSummary", "-p:DesignTimeBuild=true");
        Assert.True(designExit == 0, design);
        Assert.Equal(compiled, File.GetLastWriteTimeUtc(objectPath));
        var (laterExit, later) = DotNetCli.Run(directory, "build", "-nologo", "-clp:NoSummary");
        Assert.True(laterExit == 0, later);
        Assert.NotEqual(compiled, File.GetLastWriteTimeUtc(objectPath)); // the next real build compiles the new C
    }

    [Fact]
    public void Without_clang_the_build_says_that_no_object_was_written()
    {
        Skip.IfNot(System.OperatingSystem.IsLinux(), "the BPF build step runs on Linux only");
        var (exitCode, build) = packaged.BuildConsumer("NoClang", Counter, NoDocs + "<TreatWarningsAsErrors>false</TreatWarningsAsErrors><BpfClang>/nonexistent/clang</BpfClang>");
        Assert.True(exitCode == 0, build);
        Assert.Contains("warning BPF2000: No BPF object was written for NoClang: clang was not found", build);
        var (strictExit, strict) = packaged.BuildConsumer("NoClangStrict", Counter, NoDocs + "<BpfClang>/nonexistent/clang</BpfClang><BpfCompile>true</BpfCompile>");
        Assert.NotEqual(0, strictExit);
        Assert.Contains("error BPF2000", strict);
        Assert.False(File.Exists(Path.Combine(packaged.Root, "NoClangStrict", "bin", "Debug", "net10.0", "NoClangStrict.bpf.o")));
    }

    [Fact]
    public void Csharp_that_cannot_run_in_the_kernel_is_reported_where_it_is_and_no_object_is_written()
    {
        var (exitCode, build) = packaged.BuildConsumer("Refused", Counter.Replace("uint key = 0;", "uint key = 0; object box = key; uint hash = (uint)box.GetHashCode();"), NoDocs);
        Assert.NotEqual(0, exitCode);
        Assert.Matches(@"Program\.cs\(18,\d+\): error BPF2002: 'object' is a reference type", build);
        Assert.Matches(@"Program\.cs\(18,\d+\): error BPF2003: 'object.GetHashCode\(\)' cannot be called from a BPF program", build);
        Assert.False(File.Exists(Path.Combine(packaged.Root, "Refused", "bin", "Debug", "net10.0", "Refused.bpf.o")));
    }

    [SkippableFact]
    public void What_clang_refuses_is_reported_at_the_csharp_line_and_no_object_is_written()
    {
        Skip.If(!System.OperatingSystem.IsLinux() || Tools.Find("clang") is null, "skipped: the BPF build step needs Linux and clang (apt-get install clang)");

        // Two buffers of 400 bytes: each within BPF's 512-byte stack, together beyond it; only clang's backend sees that.
        var source = Counter.Replace("uint key = 0;", """
            uint key = 0;
                    byte* first = stackalloc byte[400];
                    byte* second = stackalloc byte[400];
                    for (int i = 0; i < 400; i++) { first[i] = (byte)(i + data[0]); }
                    BpfHelpers.MapUpdateElem(Packets, first, first + 8, 0);
                    for (int i = 0; i < 400; i++) { second[i] = (byte)(first[i] * 3); }
                    BpfHelpers.MapUpdateElem(Packets, second, second + 8, 0);
            """);
        var (exitCode, build) = packaged.BuildConsumer("TooMuchStack", source, NoDocs);
        Assert.NotEqual(0, exitCode);
        Assert.True(System.Text.RegularExpressions.Regex.IsMatch(build, @"Program\.cs\(\d+,\d+\): error BPF2007: clang refused the program: Looks like the BPF stack limit of 512 bytes is exceeded"), build);
        Assert.DoesNotContain("too many errors", build);
        Assert.False(File.Exists(Path.Combine(packaged.Root, "TooMuchStack", "bin", "Debug", "net10.0", "TooMuchStack.bpf.o")));
    }

    [SkippableFact]
    public void The_object_reaches_the_output_of_referencing_projects_and_publish_output()
    {
        Skip.If(!System.OperatingSystem.IsLinux() || Tools.Find("clang") is null, "skipped: the BPF build step needs Linux and clang (apt-get install clang)");
        var (exitCode, build) = packaged.BuildConsumer("Programs", Counter, NoDocs);
        Assert.True(exitCode == 0, build);

        // A test project (or an application) that references the project holding the programs, as users write them.
        var referencing = Path.Combine(packaged.Root, "Referencing");
        Directory.CreateDirectory(referencing);
        File.Copy(Path.Combine(packaged.Root, "Programs", "nuget.config"), Path.Combine(referencing, "nuget.config"));
        File.WriteAllText(Path.Combine(referencing, "Referencing.csproj"), """
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework><TreatWarningsAsErrors>true</TreatWarningsAsErrors></PropertyGroup>
              <ItemGroup><ProjectReference Include="../Programs/Programs.csproj" /></ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(referencing, "Main.cs"), "public static class EntryPoint { public static void Main() { } }\n");
        var (builtExit, built) = DotNetCli.Run(referencing, "build", "-nologo", "-clp:NoSummary");
        Assert.True(builtExit == 0, built);
        var original = File.ReadAllBytes(Path.Combine(packaged.Root, "Programs", "bin", "Debug", "net10.0", "Programs.bpf.o"));
        Assert.Equal(original, File.ReadAllBytes(Path.Combine(referencing, "bin", "Debug", "net10.0", "Programs.bpf.o")));

        // Publish: the object once (a duplicate would be NETSDK1152), in the referencing project's output too.
        var (publishExit, published) = DotNetCli.Run(referencing, "publish", "-c", "Debug", "-nologo", "-clp:NoSummary", "-o", Path.Combine(referencing, "published"));
        Assert.True(publishExit == 0, published);
        Assert.Equal(original, File.ReadAllBytes(Path.Combine(referencing, "published", "Programs.bpf.o")));
    }

    [SkippableFact]
    public void A_new_compiler_process_starts_from_the_units_of_the_previous_build_and_writes_the_same_C()
    {
        Skip.If(!System.OperatingSystem.IsLinux(), "skipped: the BPF build step runs on Linux only");
        var directory = packaged.WriteConsumer("KeptUnits", Counter, NoDocs + "<UseSharedCompilation>false</UseSharedCompilation>");
        var intermediate = Path.Combine(directory, "obj", "Debug", "net10.0");
        var (exitCode, build) = DotNetCli.Run(directory, "build", "-nologo", "-clp:NoSummary");
        Assert.True(exitCode == 0, build);

        // The units are written, dated before anything the compiler wrote: a build with nothing changed does not run the compiler again.
        var units = Path.Combine(intermediate, "KeptUnits.bpf.units");
        var assembly = Path.Combine(intermediate, "KeptUnits.dll");
        Assert.StartsWith("bpfsharp-units/2\n", File.ReadAllText(units));
        Assert.True(File.GetLastWriteTimeUtc(units) < File.GetLastWriteTimeUtc(Path.Combine(intermediate, "ref", "KeptUnits.dll")));
        var compiled = File.GetLastWriteTimeUtc(assembly);
        (exitCode, build) = DotNetCli.Run(directory, "build", "-nologo", "-clp:NoSummary");
        Assert.True(exitCode == 0, build);
        Assert.Equal(compiled, File.GetLastWriteTimeUtc(assembly));

        // A program edited: the next compiler process (no server) takes the units, translates the edit, and writes the
        // C that a build from nothing writes for the edited sources.
        var before = File.ReadAllText(Path.Combine(intermediate, "KeptUnits.bpf.c"));
        var edited = File.ReadAllText(Path.Combine(directory, "Program.cs")).Replace("XDP_TX", "XDP_DROP");
        File.WriteAllText(Path.Combine(directory, "Program.cs"), edited);
        (exitCode, build) = DotNetCli.Run(directory, "build", "-nologo", "-clp:NoSummary");
        Assert.True(exitCode == 0, build);
        var fresh = packaged.WriteConsumer("KeptUnitsFresh", edited, NoDocs + "<UseSharedCompilation>false</UseSharedCompilation>");
        var (freshExit, freshBuild) = DotNetCli.Run(fresh, "build", "-nologo", "-clp:NoSummary");
        Assert.True(freshExit == 0, freshBuild);
        var c = File.ReadAllText(Path.Combine(intermediate, "KeptUnits.bpf.c"));
        Assert.NotEqual(before, c);
        Assert.Equal(File.ReadAllText(Path.Combine(fresh, "obj", "Debug", "net10.0", "KeptUnitsFresh.bpf.c")).Replace("KeptUnitsFresh", "KeptUnits"), c);
    }
}
