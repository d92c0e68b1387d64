using System;

namespace BpfSharp
{
    /// <summary>
    /// Marks a static method as the entry point of a BPF program of a given program type. The analyzers check every
    /// helper the method uses against that program type.
    /// </summary>
    [AttributeUsage(AttributeTargets.Method, AllowMultiple = true, Inherited = false)]
    public sealed class BpfProgramAttribute : Attribute
    {
        /// <summary>Declares the program type directly.</summary>
        /// <param name="programType">The kernel program type of the method.</param>
        public BpfProgramAttribute(BpfProgramType programType)
        {
            ProgramType = programType;
        }

        /// <summary>
        /// Declares the program by its libbpf ELF section name (<c>"xdp"</c>, <c>"kprobe/do_unlinkat"</c>,
        /// <c>"tp/syscalls/sys_enter_openat"</c>, <c>"cgroup_skb/ingress"</c>, ...). The program type is derived
        /// from the section name the way libbpf derives it; the analyzers report names libbpf would not accept.
        /// </summary>
        /// <param name="section">The libbpf section name.</param>
        public BpfProgramAttribute(string section)
        {
            Section = section;
        }

        /// <summary>The program type given to the enum constructor, or <see cref="BpfProgramType.Unspec"/> when the program was declared by section name.</summary>
        public BpfProgramType ProgramType { get; }

        /// <summary>The libbpf section name given to the string constructor, or <c>null</c>.</summary>
        public string? Section { get; }
    }
}
