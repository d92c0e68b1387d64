namespace BpfSharp
{
    /// <summary>
    /// The kernel's BPF program types (<c>enum bpf_prog_type</c> in <c>include/uapi/linux/bpf.h</c>),
    /// with the kernel's numeric values. The program type decides which helpers a program may call.
    /// </summary>
    public enum BpfProgramType
    {
        /// <summary><c>BPF_PROG_TYPE_UNSPEC</c> (0).</summary>
        Unspec = 0,
        /// <summary><c>BPF_PROG_TYPE_SOCKET_FILTER</c> (1).</summary>
        SocketFilter = 1,
        /// <summary><c>BPF_PROG_TYPE_KPROBE</c> (2).</summary>
        Kprobe = 2,
        /// <summary><c>BPF_PROG_TYPE_SCHED_CLS</c> (3).</summary>
        SchedCls = 3,
        /// <summary><c>BPF_PROG_TYPE_SCHED_ACT</c> (4).</summary>
        SchedAct = 4,
        /// <summary><c>BPF_PROG_TYPE_TRACEPOINT</c> (5).</summary>
        Tracepoint = 5,
        /// <summary><c>BPF_PROG_TYPE_XDP</c> (6).</summary>
        Xdp = 6,
        /// <summary><c>BPF_PROG_TYPE_PERF_EVENT</c> (7).</summary>
        PerfEvent = 7,
        /// <summary><c>BPF_PROG_TYPE_CGROUP_SKB</c> (8).</summary>
        CgroupSkb = 8,
        /// <summary><c>BPF_PROG_TYPE_CGROUP_SOCK</c> (9).</summary>
        CgroupSock = 9,
        /// <summary><c>BPF_PROG_TYPE_LWT_IN</c> (10).</summary>
        LwtIn = 10,
        /// <summary><c>BPF_PROG_TYPE_LWT_OUT</c> (11).</summary>
        LwtOut = 11,
        /// <summary><c>BPF_PROG_TYPE_LWT_XMIT</c> (12).</summary>
        LwtXmit = 12,
        /// <summary><c>BPF_PROG_TYPE_SOCK_OPS</c> (13).</summary>
        SockOps = 13,
        /// <summary><c>BPF_PROG_TYPE_SK_SKB</c> (14).</summary>
        SkSkb = 14,
        /// <summary><c>BPF_PROG_TYPE_CGROUP_DEVICE</c> (15).</summary>
        CgroupDevice = 15,
        /// <summary><c>BPF_PROG_TYPE_SK_MSG</c> (16).</summary>
        SkMsg = 16,
        /// <summary><c>BPF_PROG_TYPE_RAW_TRACEPOINT</c> (17).</summary>
        RawTracepoint = 17,
        /// <summary><c>BPF_PROG_TYPE_CGROUP_SOCK_ADDR</c> (18).</summary>
        CgroupSockAddr = 18,
        /// <summary><c>BPF_PROG_TYPE_LWT_SEG6LOCAL</c> (19).</summary>
        LwtSeg6local = 19,
        /// <summary><c>BPF_PROG_TYPE_LIRC_MODE2</c> (20).</summary>
        LircMode2 = 20,
        /// <summary><c>BPF_PROG_TYPE_SK_REUSEPORT</c> (21).</summary>
        SkReuseport = 21,
        /// <summary><c>BPF_PROG_TYPE_FLOW_DISSECTOR</c> (22).</summary>
        FlowDissector = 22,
        /// <summary><c>BPF_PROG_TYPE_CGROUP_SYSCTL</c> (23).</summary>
        CgroupSysctl = 23,
        /// <summary><c>BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE</c> (24).</summary>
        RawTracepointWritable = 24,
        /// <summary><c>BPF_PROG_TYPE_CGROUP_SOCKOPT</c> (25).</summary>
        CgroupSockopt = 25,
        /// <summary><c>BPF_PROG_TYPE_TRACING</c> (26).</summary>
        Tracing = 26,
        /// <summary><c>BPF_PROG_TYPE_STRUCT_OPS</c> (27).</summary>
        StructOps = 27,
        /// <summary><c>BPF_PROG_TYPE_EXT</c> (28).</summary>
        Ext = 28,
        /// <summary><c>BPF_PROG_TYPE_LSM</c> (29).</summary>
        Lsm = 29,
        /// <summary><c>BPF_PROG_TYPE_SK_LOOKUP</c> (30).</summary>
        SkLookup = 30,
        /// <summary><c>BPF_PROG_TYPE_SYSCALL</c> (31).</summary>
        Syscall = 31,
        /// <summary><c>BPF_PROG_TYPE_NETFILTER</c> (32).</summary>
        Netfilter = 32,
    }
}
