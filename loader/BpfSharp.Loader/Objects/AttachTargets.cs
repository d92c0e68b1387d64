using BpfSharp.Spec;

namespace BpfSharp.Loader.Objects
{
    /// <summary>
    /// The kernel BTF type a tracing program attaches to (<c>attach_btf_id</c>), named by its section as libbpf names it:
    /// <c>tp_btf/X</c> the typedef <c>btf_trace_X</c>, <c>fentry/X</c>, <c>fexit/X</c>, <c>fmod_ret/X</c> the function
    /// <c>X</c>, <c>lsm/X</c> the function <c>bpf_lsm_X</c>, <c>iter/X</c> the function <c>bpf_iter_X</c>; read from the
    /// running kernel's BTF (<c>/sys/kernel/btf/vmlinux</c>), once per process.
    /// </summary>
    internal static class AttachTargets
    {
        private const string VmlinuxBtf = KernelBtf.VmlinuxPath;

        /// <summary>The BTF type id the program's section names, 0 when its section names none; an exception when the kernel has none.</summary>
        public static uint Of(string program, string section, SectionDefinition definition)
        {
            if (!definition.RequiresTarget)
            {
                return 0;
            }

            var slash = section.IndexOf('/');
            var target = slash < 0 ? string.Empty : section.Substring(slash + 1);
            (BtfKind Kind, string Name)? wanted = definition.Prefix switch
            {
                "tp_btf" => (BtfKind.Typedef, "btf_trace_" + target),
                "fentry" or "fexit" or "fmod_ret" or "fentry.s" or "fexit.s" or "fmod_ret.s" => (BtfKind.Function, target),
                "lsm" or "lsm.s" or "lsm_cgroup" => (BtfKind.Function, "bpf_lsm_" + target),
                "iter" or "iter.s" => (BtfKind.Function, "bpf_iter_" + target),
                _ => null,
            };
            if (wanted is null || target.Length == 0)
            {
                throw new BpfException($"program '{program}' in section '{section}' needs an attach target this loader does not resolve yet (freplace takes another program, struct_ops a struct_ops map)", 0);
            }

            var kernel = KernelBtf.Running;
            return kernel?.Named(wanted.Value.Kind, wanted.Value.Name)?.Id
                ?? throw new BpfException($"program '{program}' in section '{section}' attaches to '{wanted.Value.Name}', which the running kernel's BTF ({VmlinuxBtf}) does not have{(kernel is null ? " (it could not be read)" : string.Empty)}", 0);
        }
    }
}
