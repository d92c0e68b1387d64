using System;
using System.Collections.Generic;
using System.Linq;
using BpfSharp.Spec;

namespace BpfSharp
{
    // The generated BpfHelpers methods carry the spec's facts as these attributes, so that the analyzers read the
    // facts of whatever method is called (shipped or user-defined helper) without parsing the spec again.

    /// <summary>
    /// Identifies a method as the stub of a kernel BPF helper function and carries the facts of its spec page in a
    /// compact form (bit sets indexed by the kernel's enum values): one attribute per helper keeps the generated code
    /// cheap to compile. <see cref="AllowedProgramTypes"/>, <see cref="AcceptedMapTypes"/> and <see cref="Conditions"/>
    /// decode them, with the codec the generator encodes them with and the analyzers decode them with.
    /// </summary>
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

        /// <summary>Bit <c>n</c> set: programs of the type with value <c>n</c> may call the helper. Unset (null): not checked.</summary>
        public ulong ProgramTypes { get => _programTypes ?? 0; set => _programTypes = value; }

        /// <summary>Later kernel versions per program type, as <c>"value:version"</c> pairs separated by spaces (<c>"6:6.10"</c>).</summary>
        public string? ProgramTypeVersions { get; set; }

        /// <summary>
        /// Conditions on the use in a program type, as <c>"program:kind=value,value"</c> entries separated by spaces
        /// (values, e.g. <c>"6:cap=CAP_BPF,CAP_PERFMON 26:sleepable=true"</c>). <see cref="Conditions"/> decodes them.
        /// </summary>
        public string? ProgramTypeConditions { get; set; }

        /// <summary>Bit <c>n</c> set: the verifier lets the map argument be of the map type with value <c>n</c>.</summary>
        public ulong MapTypes { get; set; }

        /// <summary>Map types the verifier accepts but on which the operation can never succeed (a subset of <see cref="MapTypes"/>).</summary>
        public ulong AlwaysFailingMapTypes { get; set; }

        /// <summary>
        /// Map types the verifier accepts only in some program types, as <c>"map:program,program"</c> entries separated by
        /// spaces (values, e.g. <c>"15:1,3,4"</c>).
        /// </summary>
        public string? MapTypeConditions { get; set; }

        private ulong? _programTypes;

        /// <summary>The program types that may call the helper, or null when the spec does not say.</summary>
        public IReadOnlyList<BpfProgramType>? AllowedProgramTypes =>
            Decode().ProgramTypes?.Select(p => (BpfProgramType)p.Value).ToArray();

        /// <summary>The map types the verifier lets the helper take.</summary>
        public IReadOnlyList<BpfMapType> AcceptedMapTypes =>
            Decode().MapTypes?.Select(m => (BpfMapType)m.Value).ToArray() ?? Array.Empty<BpfMapType>();

        /// <summary>The conditions on the use of the helper in each program type, as listed (by program type in generated code).</summary>
        public IReadOnlyList<BpfHelperCondition> Conditions =>
            Decode().ProgramTypeConditions.Select(c => new BpfHelperCondition((BpfProgramType)c.ProgramType, c.Kind, c.Values)).ToArray();

        // Decoded on every access: the properties are settable, so a cached result could go stale.
        private HelperFactSet Decode() => HelperFactEncoding.Decode(new EncodedHelperFacts(Name, Id)
        {
            Since = Since,
            GplOnly = GplOnly,
            GplOnlyExceptions = GplOnlyExceptions,
            ProgramTypes = _programTypes,
            ProgramTypeVersions = ProgramTypeVersions,
            ProgramTypeConditions = ProgramTypeConditions,
            MapTypes = MapTypes,
            AlwaysFailingMapTypes = AlwaysFailingMapTypes,
            MapTypeConditions = MapTypeConditions,
        });
    }

    /// <summary>A condition on calling a helper from one program type, decoded from <see cref="BpfHelperAttribute.ProgramTypeConditions"/>.</summary>
    public sealed class BpfHelperCondition
    {
        internal BpfHelperCondition(BpfProgramType programType, string kind, IReadOnlyList<string> values)
        {
            ProgramType = programType;
            Kind = kind;
            Values = values;
        }

        /// <summary>The program type the condition applies in.</summary>
        public BpfProgramType ProgramType { get; }

        /// <summary>
        /// What is required: <c>cap</c> (capabilities), <c>kconfig</c> (kernel config options), <c>attach_type</c>
        /// (expected attach types), or a marker such as <c>sleepable</c>, <c>prog_trampoline</c>, <c>no_security_lockdown</c>.
        /// </summary>
        public string Kind { get; }

        /// <summary>The names that apply (e.g. <c>CAP_BPF</c>, <c>CAP_PERFMON</c>); <c>true</c> for a marker.</summary>
        public IReadOnlyList<string> Values { get; }

        /// <summary>E.g. <c>Xdp: cap=CAP_BPF,CAP_PERFMON</c>.</summary>
        public override string ToString() => ProgramType + ": " + Kind + "=" + string.Join(",", Values);
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
