using System;
using System.Globalization;
using System.Linq;

namespace BpfSharp.Spec
{
    /// <summary>
    /// What a <c>[BpfProgram]</c> attribute declares, decided in this one place for the compiler, the analyzers, the code
    /// fixes and the loader: the ELF section the object gets, and what libbpf loads a program of that section as
    /// (program type, expected attach type, sleepable). A section name is taken as written; a bare program type gets
    /// its default section, the first of libbpf's table for that type that needs no attach target.
    /// </summary>
    public sealed class DeclaredSection
    {
        /// <summary>The attribute's metadata name, spelled once.</summary>
        public const string AttributeMetadataName = "BpfSharp.BpfProgramAttribute";

        private DeclaredSection(string section, SectionDefinition definition, int programType)
        {
            Section = section;
            Definition = definition;
            ProgramType = programType;
        }

        /// <summary>The section name the object carries.</summary>
        public string Section { get; }

        /// <summary>libbpf's table row the section matches.</summary>
        public SectionDefinition Definition { get; }

        /// <summary>The program type's kernel value.</summary>
        public int ProgramType { get; }

        public string ProgramTypeName => Definition.ProgramType;

        /// <summary>The expected attach type libbpf loads the program with, or null when the section gives none.</summary>
        public string? AttachType => Definition.AttachType;

        /// <summary>Whether libbpf loads the program sleepable (<c>BPF_F_SLEEPABLE</c>).</summary>
        public bool Sleepable => Definition.IsSleepable;

        /// <summary>
        /// The declaration an attribute argument makes (a section name, or a program type's value), or null with the
        /// reason in <paramref name="problem"/>.
        /// </summary>
        public static DeclaredSection? FromArgument(object? argument, out string? problem)
        {
            switch (argument)
            {
                case string section:
                    return FromSection(section, out problem);
                case int programType:
                    return FromProgramType(programType, out problem);
                default:
                    problem = argument is null ? "a null section name gives no program type" : $"'{argument}' is neither a section name nor a program type";
                    return null;
            }
        }

        /// <summary>A section name as libbpf resolves it: unknown names and missing attach targets are problems.</summary>
        public static DeclaredSection? FromSection(string section, out string? problem)
        {
            var definition = SectionNames.Resolve(section);
            if (definition is null)
            {
                problem = $"'{section}' is not a section name libbpf recognises";
                return null;
            }

            var slash = section.IndexOf('/');
            if (definition.RequiresTarget && (slash < 0 || slash == section.Length - 1))
            {
                problem = $"'{section}' needs an attach target: libbpf loads '{definition.Prefix}' programs only as '{definition.Prefix}/<target>'";
                return null;
            }

            problem = null;
            return new DeclaredSection(section, definition, KernelTypes.ProgramTypes.FindByName(definition.ProgramType)!.Value);
        }

        /// <summary>A bare program type: its default section, or a problem when it has none (its sections all name a target).</summary>
        public static DeclaredSection? FromProgramType(int programType, out string? problem)
        {
            var type = programType == 0 ? null : KernelTypes.ProgramTypes.FindByValue(programType);
            if (type is null)
            {
                problem = $"{programType.ToString(CultureInfo.InvariantCulture)} is not a program type a program can have";
                return null;
            }

            if (DefaultSection(type.Name) is string section)
            {
                return FromSection(section, out problem);
            }

            var examples = SectionNames.All.Where(d => d.ProgramType == type.Name).Select(d => "'" + d.Prefix.TrimEnd('/') + "/<target>'").Distinct().Take(3).ToList();
            problem = examples.Count == 0
                ? $"libbpf has no section for {type.Name}, so no object can declare such a program"
                : $"{type.Name} has no section libbpf loads without an attach target: name one, as [BpfProgram({string.Join(" or ", examples.Select(e => "\"" + e.Trim('\'') + "\""))})]";
            return null;
        }

        /// <summary>
        /// A program type's default section, in libbpf's table order: the first plain name without a '/' ("xdp",
        /// "sk_reuseport"), else the first plain name ("cgroup_skb/ingress"), else the first pattern that needs no
        /// target ("kprobe"); null when every section of the type names a target.
        /// </summary>
        public static string? DefaultSection(string programTypeName)
        {
            var candidates = SectionNames.All.Where(d => d.ProgramType == programTypeName && !d.RequiresTarget && !d.Pattern.EndsWith("/", StringComparison.Ordinal)).ToList();
            var plain = candidates.Where(d => !d.Pattern.EndsWith("+", StringComparison.Ordinal)).ToList();
            return plain.FirstOrDefault(d => d.Pattern.IndexOf('/') < 0)?.Pattern ?? plain.FirstOrDefault()?.Pattern ?? candidates.FirstOrDefault()?.Prefix;
        }
    }
}
