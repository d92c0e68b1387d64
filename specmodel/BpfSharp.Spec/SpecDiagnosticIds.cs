namespace BpfSharp.Spec
{
    /// <summary>The BPF1xxx ids of spec-page problems. Stable: users suppress them by id.</summary>
    public static class SpecDiagnosticIds
    {
        public const string InternalError = "BPF1000";
        public const string MissingHeading = "BPF1001";
        public const string MissingSignature = "BPF1002";
        public const string MalformedSignature = "BPF1003";
        public const string NameMismatch = "BPF1004";
        public const string UnknownProgramType = "BPF1005";
        public const string UnknownMapType = "BPF1006";
        public const string MalformedVersion = "BPF1007";
        public const string UnterminatedSection = "BPF1008";
        public const string DuplicateListEntry = "BPF1009";
        public const string DuplicateHelper = "BPF1010";
        public const string HelperIdClash = "BPF1011";
        public const string MalformedListEntry = "BPF1012";
        public const string MalformedFact = "BPF1013";
        public const string UnknownFlagParameter = "BPF1014";
    }
}
