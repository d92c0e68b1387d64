using System.Runtime.InteropServices;

// The attach commands' parts of union bpf_attr (see BpfObjectAttributes.cs).
namespace BpfSharp.Loader.Native
{
    /// <summary><c>BPF_RAW_TRACEPOINT_OPEN</c> (16 bytes, without the cookie of Linux 6.10): a raw tracepoint by name, and the program.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct RawTracepointOpenAttributes
    {
        /// <summary>A NUL-terminated tracepoint name.</summary>
        public ulong Name;
        public uint ProgFd;
    }

    /// <summary>
    /// <c>BPF_LINK_CREATE</c>: program, target, attach type and flags, then a union whose members depend on the attach
    /// type (64 bytes: as long as its largest member, the uprobe_multi one).
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 64)]
    internal struct LinkCreateAttributes
    {
        [FieldOffset(0)]
        public uint ProgFd;

        /// <summary>The object to attach to, such as a cgroup's descriptor.</summary>
        [FieldOffset(4)]
        public uint TargetFd;

        /// <summary>The network interface to attach to (XDP, tcx): the same field as <see cref="TargetFd"/>.</summary>
        [FieldOffset(4)]
        public uint TargetIfindex;

        [FieldOffset(8)]
        public uint AttachType;

        [FieldOffset(12)]
        public uint Flags;

        /// <summary>The BTF type to attach to (tracing programs), the first member of the union.</summary>
        [FieldOffset(16)]
        public uint TargetBtfId;

        /// <summary><c>perf_event.bpf_cookie</c>: a value the program reads with bpf_get_attach_cookie.</summary>
        [FieldOffset(16)]
        public ulong PerfEventBpfCookie;
    }
}
