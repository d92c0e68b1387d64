namespace BpfSharp.Analyzers
{
    /// <summary>The stable diagnostic ids (see docs/rules).</summary>
    public static class DiagnosticIds
    {
        public const string HelperNotAllowedInProgramType = "BPF0001";
        public const string MapTypeNotAccepted = "BPF0002";
        public const string InvalidProgramDeclaration = "BPF0007";
    }
}
