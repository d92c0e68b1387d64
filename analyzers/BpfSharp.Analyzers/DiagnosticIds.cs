namespace BpfSharp.Analyzers
{
    /// <summary>The stable diagnostic ids (one page each in docs/rules). BPF1xxx ids live in BpfSharp.Spec.SpecDiagnosticIds.</summary>
    public static class DiagnosticIds
    {
        public const string HelperNotAllowedInProgramType = "BPF0001";
        public const string MapTypeNotAccepted = "BPF0002";
        public const string KernelTooOld = "BPF0003";
        public const string GplOnlyHelper = "BPF0004";
        public const string FlagsNotAccepted = "BPF0005";
        public const string MapOperationAlwaysFails = "BPF0006";
        public const string InvalidProgramDeclaration = "BPF0007";
        public const string InvalidTargetKernel = "BPF0008";
        public const string HelperDependsOnAttachType = "BPF0009";
        public const string HelperNeedsEnvironment = "BPF0010";
        public const string KernelProfileProblem = "BPF0011";
        public const string HelperNeedsCapability = "BPF0012";
        public const string PacketLoadNotAllowed = "BPF0013";
        public const string UnknownTracepoint = "BPF0014";
    }
}
