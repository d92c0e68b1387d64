using Microsoft.CodeAnalysis;

namespace BpfSharp.Analyzers
{
    /// <summary>Every diagnostic BpfSharp reports. Messages start with the kernel verifier's own wording.</summary>
    public static class Descriptors
    {
        private const string VerifierCategory = "BpfSharp.Verifier";
        private const string ProgramCategory = "BpfSharp.Program";

        public static readonly DiagnosticDescriptor HelperNotAllowedInProgramType = new DiagnosticDescriptor(
            DiagnosticIds.HelperNotAllowedInProgramType,
            "Helper not allowed in this program type",
            "program of this type cannot use helper {0}#{1}: '{2}' is a program of type {3}, and {0} may only be called from {4}",
            VerifierCategory,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "The kernel verifier rejects a program that calls a helper its program type does not offer.");

        public static readonly DiagnosticDescriptor MapTypeNotAccepted = new DiagnosticDescriptor(
            DiagnosticIds.MapTypeNotAccepted,
            "Map type not accepted by this helper",
            "cannot pass map_type {0} into func {1}#{2}: '{3}' is a {4}, map type {5}, and {1} accepts only {6}",
            VerifierCategory,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "The kernel verifier rejects a helper call whose map argument is of a map type the helper does not accept.");

        public static readonly DiagnosticDescriptor InvalidProgramDeclaration = new DiagnosticDescriptor(
            DiagnosticIds.InvalidProgramDeclaration,
            "Invalid BPF program declaration",
            "{0}",
            ProgramCategory,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "A [BpfProgram] section name must be one libbpf recognises, and a method declares at most one program.");
    }
}
