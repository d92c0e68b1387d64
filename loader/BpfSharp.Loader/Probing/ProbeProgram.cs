using System;
using System.Collections.Generic;
using System.Linq;
using BpfSharp.Loader.Native;
using BpfSharp.Spec;

namespace BpfSharp.Loader.Probing
{
    /// <summary>
    /// Builds the program that asks the verifier about one helper: keep the context, zero a stack area, give each
    /// argument the most plausible value its C type allows, call the helper, return a value the variant may return. Checks that follow the argument
    /// checks (map types, <c>bpf_get_func_ip</c>'s program-type check) are only reached when the arguments pass.
    /// </summary>
    internal static class ProbeProgram
    {
        private const byte Context = 6;
        private const int StackBytes = 256;
        private const int BufferBytes = 64;

        // Kernel context structs: a pointer to one of these as an argument is the program's context.
        private static readonly string[] s_contextTypes =
        {
            "__sk_buff", "xdp_md", "sk_msg_md", "bpf_sock_ops", "sk_reuseport_md", "pt_regs", "bpf_sock_addr",
            "bpf_perf_event_data", "bpf_sysctl", "bpf_sockopt", "bpf_sk_lookup", "bpf_raw_tracepoint_args",
        };

        private const byte Task = 7;
        private const int GetCurrentTaskBtf = 158;

        /// <summary>
        /// The instructions, and the index of the call instruction among them. With <paramref name="obtainObjects"/>, a
        /// <c>struct task_struct *</c> argument gets the current task from <c>bpf_get_current_task_btf</c> first: only
        /// for map probes, where a refusal of that extra call cannot be mistaken for the probed helper's.
        /// </summary>
        public static (IReadOnlyList<BpfInstruction> Instructions, int CallIndex, int CallbackIndex) Build(int helperId, IReadOnlyList<HelperParameter> parameters, int mapFd, int returnValue, bool obtainObjects = false)
        {
            var callbackLoads = new List<int>();
            var instructions = new List<BpfInstruction> { BpfInstruction.MoveRegister(Context, 1) };
            var wantsTask = obtainObjects && parameters.Any(IsTask);
            if (wantsTask)
            {
                instructions.Add(BpfInstruction.CallHelper(GetCurrentTaskBtf));
                instructions.Add(BpfInstruction.MoveRegister(Task, 0));
            }

            for (var offset = -8; offset >= -StackBytes; offset -= 8)
            {
                instructions.Add(BpfInstruction.StoreDoubleWord(BpfInstruction.FramePointer, (short)offset, 0));
            }

            for (var i = 0; i < Math.Min(parameters.Count, 5); i++)
            {
                var register = (byte)(i + 1);
                var parameter = parameters[i];
                if (CTypes.IsMapParameter(parameter))
                {
                    instructions.AddRange(BpfInstruction.LoadMap(register, mapFd));
                }
                else if (wantsTask && IsTask(parameter))
                {
                    instructions.Add(BpfInstruction.MoveRegister(register, Task));
                }
                else if (IsCallback(parameter))
                {
                    // The callback is a static subprogram after the program's exit; its offset is patched below.
                    callbackLoads.Add(instructions.Count);
                    instructions.AddRange(BpfInstruction.LoadFunction(register, 0));
                }
                else if (IsContext(parameter, i))
                {
                    instructions.Add(BpfInstruction.MoveRegister(register, Context));
                }
                else if (parameter.CType.Contains('*'))
                {
                    // Each pointer gets its own zeroed buffer: -64, -128, ... from the frame pointer.
                    instructions.Add(BpfInstruction.MoveRegister(register, BpfInstruction.FramePointer));
                    instructions.Add(BpfInstruction.AddImmediate(register, -BufferBytes * Math.Min(i + 1, StackBytes / BufferBytes)));
                }
                else
                {
                    instructions.Add(BpfInstruction.MoveImmediate(register, IsSize(parameter.Name) ? 8 : 0));
                }
            }

            var callIndex = instructions.Count;
            instructions.Add(BpfInstruction.CallHelper(helperId));
            instructions.Add(BpfInstruction.MoveImmediate(0, returnValue));
            instructions.Add(BpfInstruction.Return());
            var callbackIndex = -1;
            if (callbackLoads.Count > 0)
            {
                callbackIndex = instructions.Count;
                instructions.Add(BpfInstruction.MoveImmediate(0, 0));
                instructions.Add(BpfInstruction.Return());
                foreach (var load in callbackLoads)
                {
                    instructions[load] = instructions[load] with { Immediate = callbackIndex - (load + 1) };
                }
            }

            return (instructions, callIndex, callbackIndex);
        }

        /// <summary>The smallest program a loadable variant accepts: <c>r0 = value; exit</c>.</summary>
        public static IReadOnlyList<BpfInstruction> Minimal(int returnValue) => new[] { BpfInstruction.MoveImmediate(0, returnValue), BpfInstruction.Return() };

        /// <summary>
        /// A value the verifier's return check accepts from a variant: 1 for cgroup socket-address programs (their
        /// recvmsg, getpeername and getsockname attach types must return exactly 1, the others 0 or 1), 0 for the rest.
        /// </summary>
        public static int ReturnValue(string programType) => programType == "BPF_PROG_TYPE_CGROUP_SOCK_ADDR" ? 1 : 0;

        private static bool IsContext(HelperParameter parameter, int index) =>
            parameter.CType.Contains('*')
            && ((index == 0 && parameter.Name == "ctx") || s_contextTypes.Any(t => parameter.CType.Contains(t)));

        private static bool IsCallback(HelperParameter parameter) => parameter.Name == "callback_fn" || parameter.Name.EndsWith("_cb", StringComparison.Ordinal);

        private static bool IsTask(HelperParameter parameter) => parameter.CType.Contains("task_struct") && parameter.CType.Contains('*');

        private static bool IsSize(string name) =>
            name == "size" || name == "len" || name.EndsWith("_size", StringComparison.Ordinal) || name.EndsWith("_len", StringComparison.Ordinal)
            || name.StartsWith("size_", StringComparison.Ordinal) || name == "n";
    }
}
