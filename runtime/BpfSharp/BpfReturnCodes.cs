namespace BpfSharp
{
    /// <summary>
    /// The values BPF programs return to the kernel, with the kernel's names and values, grouped by the program types
    /// that return them (<c>include/uapi/linux/bpf.h</c>, <c>linux/pkt_cls.h</c>, <c>linux/netfilter.h</c>).
    /// Bring them into scope with <c>using static BpfSharp.BpfReturnCodes;</c> to write them as in C.
    /// </summary>
    /// <remarks>
    /// Program types without named return values are not covered: cgroup programs mostly return 1 to allow and 0 to deny,
    /// socket filters return the number of bytes to keep, tracing programs' return values are mostly ignored.
    /// </remarks>
    public static class BpfReturnCodes
    {
        // XDP (enum xdp_action)
        /// <summary>XDP: drop the packet and fire the <c>xdp_exception</c> tracepoint; for program errors.</summary>
        public const int XDP_ABORTED = 0;
        /// <summary>XDP: drop the packet.</summary>
        public const int XDP_DROP = 1;
        /// <summary>XDP: hand the packet on to the network stack.</summary>
        public const int XDP_PASS = 2;
        /// <summary>XDP: send the packet back out of the interface it came in on.</summary>
        public const int XDP_TX = 3;
        /// <summary>XDP: send the packet where <c>bpf_redirect</c> or <c>bpf_redirect_map</c> said.</summary>
        public const int XDP_REDIRECT = 4;

        // tc: sched_cls programs in direct-action mode and sched_act programs (TC_ACT_* of linux/pkt_cls.h). A classifier
        // in direct-action mode takes TC_ACT_OK, SHOT, STOLEN, TRAP, REDIRECT and UNSPEC; it treats anything else as
        // TC_ACT_UNSPEC. An action program also takes PIPE and RECLASSIFY.
        /// <summary>tc: no verdict; the next filter decides, or the default action when none is left.</summary>
        public const int TC_ACT_UNSPEC = -1;
        /// <summary>tc: let the packet through.</summary>
        public const int TC_ACT_OK = 0;
        /// <summary>tc: classify the packet again from the start (action programs).</summary>
        public const int TC_ACT_RECLASSIFY = 1;
        /// <summary>tc: drop the packet.</summary>
        public const int TC_ACT_SHOT = 2;
        /// <summary>tc: go on to the next action (action programs).</summary>
        public const int TC_ACT_PIPE = 3;
        /// <summary>tc: the packet was consumed; the stack forgets it.</summary>
        public const int TC_ACT_STOLEN = 4;
        /// <summary>tc: the packet was queued for later (not a verdict BPF programs give).</summary>
        public const int TC_ACT_QUEUED = 5;
        /// <summary>tc: run the action again (not a verdict BPF programs give).</summary>
        public const int TC_ACT_REPEAT = 6;
        /// <summary>tc: send the packet where <c>bpf_redirect</c> said.</summary>
        public const int TC_ACT_REDIRECT = 7;
        /// <summary>tc: hand the packet to the CPU (hardware offload); in software, consume it like <see cref="TC_ACT_STOLEN"/>.</summary>
        public const int TC_ACT_TRAP = 8;

        // tcx: tc programs attached through tcx links, Linux 6.6 and later (enum tcx_action_base)
        /// <summary>tcx: no verdict; the next program decides. Unknown values count as this one.</summary>
        public const int TCX_NEXT = -1;
        /// <summary>tcx: let the packet through.</summary>
        public const int TCX_PASS = 0;
        /// <summary>tcx: drop the packet.</summary>
        public const int TCX_DROP = 2;
        /// <summary>tcx: send the packet where <c>bpf_redirect</c> said.</summary>
        public const int TCX_REDIRECT = 7;

        // sk_skb, sk_msg, sk_reuseport, sk_lookup (enum sk_action)
        /// <summary>Socket programs: drop the packet, message or connection.</summary>
        public const int SK_DROP = 0;
        /// <summary>Socket programs: let it through (sk_reuseport and sk_lookup: to the socket the program selected, if it selected one).</summary>
        public const int SK_PASS = 1;

        // LWT and flow dissector programs (enum bpf_ret_code)
        /// <summary>LWT: go on with the packet. Flow dissector: the keys were filled in.</summary>
        public const int BPF_OK = 0;
        /// <summary>LWT: drop the packet. Flow dissector: the packet could not be dissected.</summary>
        public const int BPF_DROP = 2;
        /// <summary>LWT xmit: send the packet where <c>bpf_redirect</c> said.</summary>
        public const int BPF_REDIRECT = 7;
        /// <summary>LWT in and xmit: the L3 header changed; route the packet again.</summary>
        public const int BPF_LWT_REROUTE = 128;
        /// <summary>Flow dissector: nothing was dissected; let the kernel's own dissector handle the packet.</summary>
        public const int BPF_FLOW_DISSECTOR_CONTINUE = 129;

        // netfilter programs (NF_* of linux/netfilter.h; the verifier accepts only these two)
        /// <summary>Netfilter: drop the packet.</summary>
        public const int NF_DROP = 0;
        /// <summary>Netfilter: let the packet through.</summary>
        public const int NF_ACCEPT = 1;
    }
}
