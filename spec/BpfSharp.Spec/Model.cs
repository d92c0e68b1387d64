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
        /// <summary>The page's C declaration, rebuilt from the parsed parts.</summary>
        public string CSignature => CDeclaration.Format(this);
    }

    /// <summary>A parameter of the C signature.</summary>
    /// <param name="CType">The C type as written, e.g. <c>const void *</c>.</param>
    /// <param name="Name">The C name, e.g. <c>value</c>.</param>
    public sealed record HelperParameter(string CType, string Name);

    /// <summary>A program type that may call the helper, with the kernel version that allowed it when later than the helper.</summary>
    public sealed record ProgramTypeUse(string ProgramType, string? Since, string? SinceCommit);

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
