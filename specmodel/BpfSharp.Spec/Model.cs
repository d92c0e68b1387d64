using System.Collections.Generic;
using System.Linq;

namespace BpfSharp.Spec
{
    /// <summary>One helper function, as a spec page states it.</summary>
    public sealed record HelperSpec(
        string Name,
        int Id,
        string ReturnType,
        EquatableArray<HelperParameter> Parameters,
        bool IsVariadic,
        string? Since,
        string? SinceCommit,
        EquatableArray<ProgramTypeUse> ProgramTypes,
        bool HasProgramTypeTable,
        EquatableArray<string> MapTypes,
        bool HasMapTypeTable,
        HelperDocs Docs,
        string SourcePath)
    {
        /// <summary>1-based line of the page's heading, for diagnostics about the helper as a whole.</summary>
        public int HeadingLine { get; init; } = 1;

        /// <summary>1-based line of the C declaration.</summary>
        public int SignatureLine { get; init; } = 1;

        /// <summary>Whether only GPL-compatible programs may call the helper; null when the page does not say.</summary>
        public bool? GplOnly { get; init; }

        /// <summary>Program types or attach types in which a GPL-only helper is not GPL-only.</summary>
        public EquatableArray<string> GplOnlyExceptions { get; init; } = EquatableArray<string>.Empty;

        /// <summary>The named constants each flags argument accepts.</summary>
        public EquatableArray<HelperFlag> Flags { get; init; } = EquatableArray<HelperFlag>.Empty;

        /// <summary>Extra conditions on the use in a program type (capabilities, kernel config, attach type, ...).</summary>
        public EquatableArray<ProgramCondition> Conditions { get; init; } = EquatableArray<ProgramCondition>.Empty;

        /// <summary>The parameters that take a callback, with the C type of the function they must point to.</summary>
        public EquatableArray<HelperCallback> Callbacks { get; init; } = EquatableArray<HelperCallback>.Empty;

        /// <summary>The page's C declaration, rebuilt from the parsed parts.</summary>
        public string CSignature => CDeclaration.Format(this);
    }

    /// <summary>A parameter of the C signature.</summary>
    /// <param name="CType">The C type as written, e.g. <c>const void *</c>.</param>
    /// <param name="Name">The C name, e.g. <c>value</c>.</param>
    public sealed record HelperParameter(string CType, string Name);

    /// <summary>A program type that may call the helper, with the kernel version that allowed it when later than the helper.</summary>
    public sealed record ProgramTypeUse(string ProgramType, string? Since, string? SinceCommit);

    /// <summary>A parameter that takes a callback: a static BPF function of the given C type, <c>long (__u64 index, void *ctx)</c>.</summary>
    public sealed record HelperCallback(string Parameter, string Signature);

    /// <summary>A named constant a flags argument accepts. Kind: bit, mask (a numeric field) or value (an enumerated value).</summary>
    public sealed record HelperFlag(string Parameter, string Constant, ulong Value, string Kind);

    /// <summary>
    /// A condition on the helper in one program type, from ebpf-docs' data: <c>cap</c>, <c>kconfig</c>, <c>attach_type</c>
    /// with the names that apply, or a marker such as <c>sleepable</c>, <c>prog_trampoline</c>, <c>no_security_lockdown</c>.
    /// </summary>
    public sealed record ProgramCondition(string ProgramType, string Kind, string Values)
    {
        /// <summary>The values one by one: <c>"CAP_BPF, CAP_PERFMON"</c> gives <c>CAP_BPF</c> and <c>CAP_PERFMON</c>.</summary>
        /// <remarks>A method, not a property: the record prints as the three cells of its table row.</remarks>
        public IReadOnlyList<string> SplitValues() => Values.Split(',').Select(v => v.Trim()).Where(v => v.Length > 0).ToArray();
    }

    /// <summary>The prose of a page: summary, one text per parameter, return value and usage note.</summary>
    public sealed record HelperDocs(string Summary, EquatableArray<ParameterDoc> Parameters, string Returns, string Usage)
    {
        public static HelperDocs None { get; } = new HelperDocs(string.Empty, EquatableArray<ParameterDoc>.Empty, string.Empty, string.Empty);
    }

    /// <summary>The text that documents one parameter.</summary>
    public sealed record ParameterDoc(string Name, string Text);

    /// <summary>A problem in a spec page, located at a 1-based line.</summary>
    public sealed record SpecDiagnostic(string Id, string Path, int Line, string Message)
    {
        public override string ToString() => $"{Path}({Line}): {Id}: {Message}";
    }

    /// <summary>The outcome of parsing one page: the helper when the page was usable, and every problem found.</summary>
    public sealed record HelperPageResult(HelperSpec? Helper, EquatableArray<SpecDiagnostic> Diagnostics)
    {
        public bool HasErrors => !Diagnostics.IsEmpty;
    }
}
