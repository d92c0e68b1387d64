using System;

namespace BpfSharp
{
    // The generated BpfHelpers methods carry the spec's facts as these attributes, so that the analyzers read the
    // facts of whatever method is called (shipped or user-defined helper) without parsing the spec again.

    /// <summary>Identifies a method as the stub of a kernel BPF helper function.</summary>
    [AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
    public sealed class BpfHelperAttribute : Attribute
    {
        /// <summary>Identifies the helper.</summary>
        /// <param name="name">The kernel name, e.g. <c>bpf_map_push_elem</c>.</param>
        /// <param name="id">The helper id (<c>BPF_FUNC_*</c> value), e.g. 87.</param>
        public BpfHelperAttribute(string name, int id)
        {
            Name = name;
            Id = id;
        }

        /// <summary>The kernel name of the helper.</summary>
        public string Name { get; }

        /// <summary>The helper id.</summary>
        public int Id { get; }

        /// <summary>The first kernel version that has the helper (e.g. <c>"4.20"</c>), or <c>null</c> when unknown.</summary>
        public string? Since { get; set; }

        /// <summary>Whether the helper may only be called from programs with a GPL-compatible licence.</summary>
        public bool GplOnly { get; set; }

        /// <summary>Program types (<c>BPF_PROG_TYPE_*</c>) or attach types (<c>BPF_TRACE_*</c>) in which a GPL-only helper is not GPL-only.</summary>
        public string[]? GplOnlyExceptions { get; set; }
    }

    /// <summary>A program type that may call the helper. A helper without any of these is not checked for program types.</summary>
    [AttributeUsage(AttributeTargets.Method, AllowMultiple = true, Inherited = false)]
    public sealed class BpfHelperProgramTypeAttribute : Attribute
    {
        /// <summary>Allows the helper in a program type.</summary>
        /// <param name="programType">The program type.</param>
        public BpfHelperProgramTypeAttribute(BpfProgramType programType)
        {
            ProgramType = programType;
        }

        /// <summary>The program type.</summary>
        public BpfProgramType ProgramType { get; }

        /// <summary>The first kernel version that allows the helper in this program type, when later than the helper itself.</summary>
        public string? Since { get; set; }
    }

    /// <summary>
    /// A map type the kernel verifier lets the helper's map argument take. Map types without this attribute are
    /// rejected by the verifier. A helper without any of these takes no map.
    /// </summary>
    [AttributeUsage(AttributeTargets.Method, AllowMultiple = true, Inherited = false)]
    public sealed class BpfHelperMapTypeAttribute : Attribute
    {
        /// <summary>Accepts a map type.</summary>
        /// <param name="mapType">The map type.</param>
        public BpfHelperMapTypeAttribute(BpfMapType mapType)
        {
            MapType = mapType;
        }

        /// <summary>The map type.</summary>
        public BpfMapType MapType { get; }

        /// <summary>
        /// The verifier accepts the map type, but the operation cannot succeed on it at run time (for example deleting
        /// from an array map).
        /// </summary>
        public bool AlwaysFails { get; set; }

        /// <summary>When set, the verifier accepts the map type only in programs of these types.</summary>
        public BpfProgramType[]? OnlyInProgramTypes { get; set; }
    }

    /// <summary>
    /// The flag constants a helper's flags parameter accepts: a value is accepted when it is 0, or when, after removing
    /// <see cref="AcceptedBits"/>, what remains is 0 or (for enumerated flags) one of <see cref="AcceptedValues"/>.
    /// </summary>
    [AttributeUsage(AttributeTargets.Parameter, AllowMultiple = false, Inherited = false)]
    public sealed class BpfHelperFlagsAttribute : Attribute
    {
        /// <summary>Declares the accepted flags.</summary>
        /// <param name="acceptedBits">Every bit that an accepted flag or field may set; 0 when no bit flag is accepted.</param>
        public BpfHelperFlagsAttribute(ulong acceptedBits)
        {
            AcceptedBits = acceptedBits;
        }

        /// <summary>Every bit that any accepted flag or field may set.</summary>
        public ulong AcceptedBits { get; }

        /// <summary>The values of an enumerated part of the argument (one of them, not OR-ed), or null.</summary>
        public ulong[]? AcceptedValues { get; set; }

        /// <summary>The accepted constants by name, for messages (e.g. <c>BPF_EXIST (2)</c>).</summary>
        public string? Description { get; set; }
    }

    /// <summary>Tells the analyzers which kernel map type a <see cref="BpfMap"/> class stands for.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
    public sealed class BpfMapClassAttribute : Attribute
    {
        /// <summary>Declares the map type of the class.</summary>
        /// <param name="mapType">The map type.</param>
        public BpfMapClassAttribute(BpfMapType mapType)
        {
            MapType = mapType;
        }

        /// <summary>The map type.</summary>
        public BpfMapType MapType { get; }
    }
}
