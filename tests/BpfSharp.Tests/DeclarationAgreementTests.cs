using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Text.RegularExpressions;
using BpfSharp.Analyzers;
using BpfSharp.Compiler;
using BpfSharp.Spec;
using BpfSharp.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit;

namespace BpfSharp.Tests;

/// <summary>
/// The compiler and the analyzers read a [BpfProgram] the same way: for every program type and every section name of
/// libbpf's table, the section the compiler writes is the one the analyzers judge (program type, attach type, sleepable),
/// and a declaration the compiler cannot place is BPF0007, never a program silently left out.
/// </summary>
public class DeclarationAgreementTests
{
    public static IEnumerable<object[]> Declarations()
    {
        foreach (var name in Enum.GetNames(typeof(BpfProgramType)))
        {
            yield return ["BpfProgramType." + name];
        }

        foreach (var definition in SectionNames.All)
        {
            var section = definition.Pattern.EndsWith('/') ? definition.Pattern + "target"
                : definition.RequiresTarget ? definition.Prefix + "/target"
                : definition.Prefix;
            yield return ["\"" + section + "\""];
        }
    }

    [Theory]
    [MemberData(nameof(Declarations))]
    public async System.Threading.Tasks.Task The_section_the_compiler_writes_is_the_one_the_analyzers_judge(string argument)
    {
        var compilation = TestCompilation.Create(
            "using BpfSharp;\npublic static unsafe class Programs\n{\n    [BpfProgram(" + argument + ")]\n    public static int Declared(void* ctx) => 0;\n}\n",
            TestCompilation.ShippedHelpersSource);
        var method = compilation.GetTypeByMetadataName("Programs")!.GetMembers("Declared").OfType<IMethodSymbol>().Single();
        var judged = ProgramDeclaration.Resolve(method.GetAttributes().Single());
        var translated = BpfTranslator.Translate(compilation);
        var written = translated.C is string c ? Regex.Match(c, "SEC\\(\"([^\"]*)\"\\)\\n(#line [^\\n]*\\n)?\\S+ Declared").Groups[1].Value : null;

        if (judged is DeclaredProgram declared)
        {
            Assert.False(string.IsNullOrEmpty(written), argument + ": the analyzers judge a program the compiler does not write: " + string.Join("; ", translated.Problems) + translated.C);
            var definition = SectionNames.Resolve(written!)!;
            Assert.Equal(definition.ProgramType, declared.ProgramTypeName);
            Assert.Equal(definition.AttachType, declared.AttachType);
            Assert.Equal(definition.IsSleepable, declared.Sleepable);
            if (argument.StartsWith('"'))
            {
                Assert.Equal(argument.Trim('"'), written);
            }
        }
        else
        {
            Assert.True(string.IsNullOrEmpty(written), argument + ": the compiler writes a program the analyzers do not judge");
            var diagnostics = await compilation.WithAnalyzers([new ProgramDeclarationAnalyzer()]).GetAnalyzerDiagnosticsAsync();
            Assert.Contains(diagnostics, d => d.Id == "BPF0007");
        }
    }

    [Fact]
    public void A_bare_program_type_is_judged_in_its_default_section()
    {
        // cgroup_sock_addr's default is libbpf's first plain name for it, cgroup/bind4: bpf_bind is refused there.
        var declared = DeclaredSection.FromProgramType((int)BpfProgramType.CgroupSockAddr, out var problem);
        Assert.Null(problem);
        Assert.Equal("cgroup/bind4", declared!.Section);
        Assert.Equal("BPF_CGROUP_INET4_BIND", declared.AttachType);
    }

    [Fact]
    public void A_program_type_whose_sections_all_name_a_target_is_refused_with_an_example()
    {
        Assert.Null(DeclaredSection.FromProgramType((int)BpfProgramType.Tracing, out var problem));
        Assert.Contains("has no section libbpf loads without an attach target", problem);
        Assert.Contains("/<target>", problem);
    }
}
