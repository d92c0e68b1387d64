using System.Collections.Immutable;
using System.Linq;
using BpfSharp.Spec;
using Microsoft.CodeAnalysis;

namespace BpfSharp.Analyzers
{
    /// <summary>Every diagnostic BpfSharp reports. Messages start with the kernel verifier's own wording where it has one.</summary>
    public static class Descriptors
    {
        /// <summary>Where the rule pages (docs/rules/BPFxxxx.md) are published.</summary>
        public const string HelpLinkBase = "https://github.com/bpfsharp/bpfsharp/blob/main/docs/rules/";

        private const string VerifierCategory = "BpfSharp.Verifier";
        private const string ProgramCategory = "BpfSharp.Program";
        private const string SpecCategory = "BpfSharp.Spec";

        public static readonly DiagnosticDescriptor HelperNotAllowedInProgramType = Create(
            DiagnosticIds.HelperNotAllowedInProgramType,
            "Helper not allowed in this program type",
            "program of this type cannot use helper {0}: {1} is a program of type {2}, and {3} may only be called from {4}",
            VerifierCategory,
            DiagnosticSeverity.Error,
            "The kernel verifier rejects a program that calls a helper its program type does not offer, also when the call sits in a method the program calls.");

        public static readonly DiagnosticDescriptor MapTypeNotAccepted = Create(
            DiagnosticIds.MapTypeNotAccepted,
            "Map type not accepted by this helper",
            "cannot pass map_type {0} into func {1}: '{2}' is a {3}, map type {4}, and {5} accepts only {6}",
            VerifierCategory,
            DiagnosticSeverity.Error,
            "The kernel verifier rejects a helper call whose map argument is of a map type the helper does not accept.");

        public static readonly DiagnosticDescriptor KernelTooOld = Create(
            DiagnosticIds.KernelTooOld,
            "Helper needs a newer kernel than BpfTargetKernel",
            "invalid func {0} on Linux {1}: {2} needs Linux {3} or later{4}; BpfTargetKernel is {1}",
            VerifierCategory,
            DiagnosticSeverity.Warning,
            "A helper, or a helper in a given program type, that appeared after the oldest kernel the programs must load on (MSBuild property BpfTargetKernel) is rejected by that kernel.");

        public static readonly DiagnosticDescriptor GplOnlyHelper = Create(
            DiagnosticIds.GplOnlyHelper,
            "GPL-only helper in a program without a GPL-compatible licence",
            "cannot call GPL-restricted function from non-GPL compatible program: {0} is GPL-only, and {1}; declare a GPL-compatible licence such as [assembly: BpfLicense(\"GPL\")] or \"Dual BSD/GPL\"",
            VerifierCategory,
            DiagnosticSeverity.Error,
            "The kernel refuses GPL-only helpers to programs whose licence string is not one of the GPL-compatible ones.");

        public static readonly DiagnosticDescriptor FlagsNotAccepted = Create(
            DiagnosticIds.FlagsNotAccepted,
            "Flags the helper does not accept",
            "flags value {0} is not accepted by {1}: {2}; it accepts {3}",
            VerifierCategory,
            DiagnosticSeverity.Error,
            "A constant flags argument with bits or values outside what the helper takes makes the call fail (usually with -EINVAL).");

        public static readonly DiagnosticDescriptor MapOperationAlwaysFails = Create(
            DiagnosticIds.MapOperationAlwaysFails,
            "Map operation that always fails on this map type",
            "{0} on '{1}' always fails at run time: the verifier accepts map type {2}, but the operation cannot succeed on it; {3} works with {4}",
            VerifierCategory,
            DiagnosticSeverity.Warning,
            "The verifier accepts some helper/map combinations on which the operation can never succeed, such as deleting from an array map.");

        public static readonly DiagnosticDescriptor InvalidProgramDeclaration = Create(
            DiagnosticIds.InvalidProgramDeclaration,
            "Invalid BPF program declaration",
            "{0}",
            ProgramCategory,
            DiagnosticSeverity.Error,
            "A [BpfProgram] section name must be one libbpf accepts, and a method declares at most one program.");

        public static readonly DiagnosticDescriptor HelperDependsOnAttachType = Create(
            DiagnosticIds.HelperDependsOnAttachType,
            "Helper allowed only for some attach types",
            "{0} in {1}: {2} programs may call it only when loaded with the attach type {3}, and the declaration does not say which attach type the program loads with; use a section name that does (such as \"{4}\")",
            VerifierCategory,
            DiagnosticSeverity.Warning,
            "Some helpers are offered to a program type only for some expected attach types. A program declared by its program type alone loads without one, and the verifier then refuses the helper.");

        public static readonly DiagnosticDescriptor HelperNeedsEnvironment = Create(
            DiagnosticIds.HelperNeedsEnvironment,
            "Helper allowed only where the loading environment permits",
            "{0} in {1}: the verifier allows it only {2}; the build cannot know whether the kernel and the loader provide that",
            VerifierCategory,
            DiagnosticSeverity.Info,
            "Some helpers are refused on kernels that run with lockdown, were built without a configuration option, or when the loading process lacks a capability. Give the build a kernel profile (BpfKernelProfile) to get that kernel's exact verdicts.");

        public static readonly DiagnosticDescriptor HelperNeedsCapability = Create(
            DiagnosticIds.HelperNeedsCapability,
            "Helper allowed only to a loader with a capability",
            "{0} in {1}: the verifier allows it only when the loading process has {2} (or is root)",
            VerifierCategory,
            DiagnosticSeverity.Hidden,
            "Some helpers are offered only to programs loaded by a process with CAP_BPF, CAP_PERFMON or CAP_SYS_ADMIN. Loaders usually run as root, so this is hidden by default; raise its severity in .editorconfig when yours does not.");

        public static readonly DiagnosticDescriptor PacketLoadNotAllowed = Create(
            DiagnosticIds.PacketLoadNotAllowed,
            "Packet load (BPF_LD_ABS) not allowed in this program type",
            "BPF_LD_[ABS|IND] instructions not allowed for this program type: {0} in {1}, a program of type {2}; BpfPacket loads work in SOCKET_FILTER, SCHED_CLS and SCHED_ACT programs (elsewhere read the packet through the context's data pointers)",
            VerifierCategory,
            DiagnosticSeverity.Error,
            "The classic packet loads (BpfPacket.LoadByte/LoadHalf/LoadWord) are offered only to programs that may read the socket buffer that way: socket filters, tc classifiers and tc actions.");

        public static readonly DiagnosticDescriptor UnknownTracepoint = Create(
            DiagnosticIds.UnknownTracepoint,
            "Tracepoint unknown to the layouts the build has",
            "tracepoint {0} is not among {1}: the program gets no typed context, and attaches only where the kernel has that tracepoint{2}",
            ProgramCategory,
            DiagnosticSeverity.Warning,
            "A tracepoint program's section names category/name of a tracepoint; its context struct is made from that tracepoint's record layout (the shipped Linux 6.18 layouts, or a project's tracepoints.tsv written by 'bpfsharp tracepoints'). A name found in neither is most often misspelt.");

        private const string CompilerCategory = "BpfSharp.Compiler";

        public static readonly DiagnosticDescriptor UnsupportedConstruct = Create(
            "BPF2001",
            "C# that cannot run in a BPF program",
            "{0}",
            CompilerCategory,
            DiagnosticSeverity.Error,
            "BPF programs run in the kernel: no allocation, exceptions, strings, delegates, virtual calls or unbounded loops. The BPF compiler translates integers, pointers, structs, locals, if/loops, calls between static methods, helpers and maps.");

        public static readonly DiagnosticDescriptor UnsupportedType = Create(
            "BPF2002",
            "Type that has no BPF form",
            "{0}",
            CompilerCategory,
            DiagnosticSeverity.Error,
            "Only integers, bool, enums, pointers and blittable structs exist in a BPF program: no reference types, managed arrays or floating point.");

        public static readonly DiagnosticDescriptor UnsupportedCall = Create(
            "BPF2003",
            "Call a BPF program cannot make",
            "{0}",
            CompilerCategory,
            DiagnosticSeverity.Error,
            "A BPF program may call kernel helpers (BpfHelpers), Interlocked (as BPF atomics) and static methods of the project; nothing of .NET runs in the kernel.");

        public static readonly DiagnosticDescriptor UnsupportedMapUse = Create(
            "BPF2004",
            "Map used in a way the BPF compiler cannot translate",
            "{0}",
            CompilerCategory,
            DiagnosticSeverity.Error,
            "Maps are static fields initialised with constant sizes, passed to helpers' map parameters; the kernel creates them before the program runs.");

        public static readonly DiagnosticDescriptor ObjectName = Create(
            "BPF2005",
            "Program or map name the BPF object cannot carry",
            "{0}",
            CompilerCategory,
            DiagnosticSeverity.Error,
            "A program is named after its method and a map after its field, in the object and in the kernel: the kernel accepts only ASCII letters, digits and '_', and one object cannot hold two programs or maps of one name.");

        public static readonly DiagnosticDescriptor LongObjectName = Create(
            "BPF2006",
            "Program or map name longer than the kernel keeps",
            "{0}",
            CompilerCategory,
            DiagnosticSeverity.Warning,
            "The kernel keeps the first 15 characters of a program's or map's name (BPF_OBJ_NAME_LEN); loaders truncate longer names, so bpftool and the kernel show the shortened one.");

        public static readonly DiagnosticDescriptor PackedStruct = Create(
            "BPF2009",
            "Packed struct read byte by byte",
            "{0}",
            CompilerCategory,
            DiagnosticSeverity.Warning,
            "clang cannot assume a packed struct is aligned, so it reads every field wider than the packing one byte at a time (a 32-bit field costs seven instructions instead of one). Where the fields sit at the same offsets without Pack, the packing only costs instructions.");

        public static readonly DiagnosticDescriptor ThrowingOperation = Create(
            "BPF2008",
            "Operation on which C# throws and a BPF program cannot",
            "{0}",
            CompilerCategory,
            DiagnosticSeverity.Error,
            "A compiled program computes what the C# computes, and C# throws on checked overflow and on division by zero. A BPF program cannot throw, so the compiler refuses checked arithmetic and a division whose divisor the program has not tested against zero.");

        public static readonly DiagnosticDescriptor KernelProfileProblem = Create(
            DiagnosticIds.KernelProfileProblem,
            "Kernel profile cannot be used",
            "kernel profile {0}: {1}; the verdicts follow the spec's facts instead",
            ProgramCategory,
            DiagnosticSeverity.Error,
            "The MSBuild property BpfKernelProfile names a file written by 'bpfsharp probe'; a missing, truncated or malformed file is reported where the problem is.");

        public static readonly DiagnosticDescriptor InvalidTargetKernel = Create(
            DiagnosticIds.InvalidTargetKernel,
            "BpfTargetKernel is not a kernel version",
            "BpfTargetKernel '{0}' is not a kernel version such as 5.10 or 6.1; kernel version checks (BPF0003) are off",
            ProgramCategory,
            DiagnosticSeverity.Warning,
            "The MSBuild property BpfTargetKernel names the oldest kernel the programs must load on, as major.minor or major.minor.patch.");

        // Spec-page problems (BPF1xxx): located at the page's file and line.
        public static readonly DiagnosticDescriptor SpecInternalError = SpecProblem(SpecDiagnosticIds.InternalError, "Spec page could not be read");

        public static readonly DiagnosticDescriptor SpecMissingHeading = SpecProblem(SpecDiagnosticIds.MissingHeading, "Spec page has no helper heading");

        public static readonly DiagnosticDescriptor SpecMissingSignature = SpecProblem(SpecDiagnosticIds.MissingSignature, "Spec page has no C declaration");

        public static readonly DiagnosticDescriptor SpecMalformedSignature = SpecProblem(SpecDiagnosticIds.MalformedSignature, "Spec page C declaration is malformed");

        public static readonly DiagnosticDescriptor SpecNameMismatch = SpecProblem(SpecDiagnosticIds.NameMismatch, "Spec page heading and declaration disagree");

        public static readonly DiagnosticDescriptor SpecUnknownProgramType = SpecProblem(SpecDiagnosticIds.UnknownProgramType, "Spec page names an unknown program type");

        public static readonly DiagnosticDescriptor SpecUnknownMapType = SpecProblem(SpecDiagnosticIds.UnknownMapType, "Spec page names an unknown map type");

        public static readonly DiagnosticDescriptor SpecMalformedVersion = SpecProblem(SpecDiagnosticIds.MalformedVersion, "Spec page version tag is malformed");

        public static readonly DiagnosticDescriptor SpecUnterminatedSection = SpecProblem(SpecDiagnosticIds.UnterminatedSection, "Spec page section is not closed");

        public static readonly DiagnosticDescriptor SpecDuplicateListEntry = SpecProblem(SpecDiagnosticIds.DuplicateListEntry, "Spec page lists a type twice");

        public static readonly DiagnosticDescriptor SpecDuplicateHelper = SpecProblem(SpecDiagnosticIds.DuplicateHelper, "Two spec pages define the same helper");

        public static readonly DiagnosticDescriptor SpecHelperIdClash = SpecProblem(SpecDiagnosticIds.HelperIdClash, "Two helpers share one id");

        public static readonly DiagnosticDescriptor SpecMalformedListEntry = SpecProblem(SpecDiagnosticIds.MalformedListEntry, "Spec page list entry names no type");

        public static readonly DiagnosticDescriptor SpecMalformedFact = SpecProblem(SpecDiagnosticIds.MalformedFact, "Spec page fact is malformed");

        public static readonly DiagnosticDescriptor SpecUnknownFlagParameter = SpecProblem(SpecDiagnosticIds.UnknownFlagParameter, "Spec page flags name an unknown parameter");

        /// <summary>The BPF1xxx descriptors by id.</summary>
        public static readonly ImmutableDictionary<string, DiagnosticDescriptor> SpecProblems = new[]
        {
            SpecInternalError,
            SpecMissingHeading,
            SpecMissingSignature,
            SpecMalformedSignature,
            SpecNameMismatch,
            SpecUnknownProgramType,
            SpecUnknownMapType,
            SpecMalformedVersion,
            SpecUnterminatedSection,
            SpecDuplicateListEntry,
            SpecDuplicateHelper,
            SpecHelperIdClash,
            SpecMalformedListEntry,
            SpecMalformedFact,
            SpecUnknownFlagParameter,
        }.ToImmutableDictionary(d => d.Id);

        private static DiagnosticDescriptor SpecProblem(string id, string title) =>
            Create(id, title, "{0}", SpecCategory, DiagnosticSeverity.Error, "A helper page added as an AdditionalFiles item could not be used as it stands; the generated code leaves it out or uses what could be read.");

        private static DiagnosticDescriptor Create(string id, string title, string message, string category, DiagnosticSeverity severity, string description) =>
            new DiagnosticDescriptor(id, title, message, category, severity, isEnabledByDefault: true, description: description, helpLinkUri: HelpLinkBase + (id.StartsWith("BPF1", System.StringComparison.Ordinal) ? "BPF1xxx" : id.StartsWith("BPF2", System.StringComparison.Ordinal) ? "BPF2xxx" : id) + ".md");
    }
}
