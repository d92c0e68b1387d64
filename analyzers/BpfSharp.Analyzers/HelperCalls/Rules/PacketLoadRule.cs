using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace BpfSharp.Analyzers.HelperCalls.Rules
{
    /// <summary>BPF0013: a BpfPacket load (BPF_LD_ABS/IND) in a program type whose verifier refuses those instructions.</summary>
    internal static class PacketLoadRule
    {
        // The verifier's may_access_skb(): socket filters, tc classifiers and tc actions.
        private static readonly ImmutableArray<int> AllowedProgramTypes = ImmutableArray.Create(1, 3, 4);

        // Asked of every call in every body: the name first, the full name (a string built) only for BpfPacket.
        public static bool IsPacketLoad(IInvocationOperation invocation) =>
            invocation.TargetMethod.ContainingType is { Name: "BpfPacket" } type && type.ToDisplayString() == "BpfSharp.BpfPacket";

        public static void Check(System.Action<Diagnostic> report, IInvocationOperation load, IMethodSymbol program, DeclaredProgram declared, string? chain)
        {
            if (AllowedProgramTypes.Contains(declared.ProgramType))
            {
                return;
            }

            var caller = "'" + program.Name + "'" + (chain is null ? string.Empty : " (through " + chain + ")");
            report(Diagnostic.Create(
                Descriptors.PacketLoadNotAllowed,
                load.Syntax.GetLocation(),
                "BpfPacket." + load.TargetMethod.Name,
                caller,
                ProgramDeclaration.Describe(declared.ProgramType)));
        }
    }
}
