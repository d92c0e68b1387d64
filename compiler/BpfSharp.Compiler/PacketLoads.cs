using System.Collections.Generic;
using Microsoft.CodeAnalysis.Operations;

namespace BpfSharp.Compiler
{
    /// <summary>
    /// BpfPacket.LoadByte/LoadHalf/LoadWord: the classic BPF_LD_ABS loads, which C reaches through LLVM's BPF intrinsics
    /// (declared with an asm label, as the kernel's samples declare load_byte/load_half/load_word).
    /// </summary>
    internal static class PacketLoads
    {
        /// <summary>The declarations the loads need, by support name.</summary>
        public static readonly IReadOnlyDictionary<string, string> Declarations = new Dictionary<string, string>
        {
            ["bpfsharp_load_byte"] = "unsigned long long bpfsharp_load_byte(void *skb, unsigned long long offset) __asm__(\"llvm.bpf.load.byte\");",
            ["bpfsharp_load_half"] = "unsigned long long bpfsharp_load_half(void *skb, unsigned long long offset) __asm__(\"llvm.bpf.load.half\");",
            ["bpfsharp_load_word"] = "unsigned long long bpfsharp_load_word(void *skb, unsigned long long offset) __asm__(\"llvm.bpf.load.word\");",
        };

        /// <summary>The C of a load, or null when the call is no BpfPacket load; <paramref name="support"/> names the declaration it needs.</summary>
        public static string? Translate(IInvocationOperation invocation, IReadOnlyList<string> arguments, out string? support)
        {
            support = null;
            if (invocation.TargetMethod.ContainingType?.ToDisplayString() != "BpfSharp.BpfPacket" || arguments.Count != 2)
            {
                return null;
            }

            (support, var type) = invocation.TargetMethod.Name switch
            {
                "LoadByte" => ("bpfsharp_load_byte", "__u8"),
                "LoadHalf" => ("bpfsharp_load_half", "__u16"),
                "LoadWord" => ("bpfsharp_load_word", "__u32"),
                _ => (null, null),
            };
            return support is null ? null : $"(({type}){support}((void *)({arguments[0]}), {arguments[1]}))";
        }
    }
}
