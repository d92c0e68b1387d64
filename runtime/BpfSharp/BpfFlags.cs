namespace BpfSharp
{
    /// <summary>
    /// Flag constants of the helper functions, with the kernel's names and values (<c>include/uapi/linux/bpf.h</c>).
    /// Bring them into scope with <c>using static BpfSharp.BpfFlags;</c> to write them as in C.
    /// </summary>
    public static class BpfFlags
    {
        // bpf_map_update_elem and friends
        /// <summary>Create a new element or update an existing one.</summary>
        public const ulong BPF_ANY = 0;
        /// <summary>Create a new element only if it does not exist.</summary>
        public const ulong BPF_NOEXIST = 1;
        /// <summary>Update an existing element only; for queue and stack pushes, evict the oldest element when full.</summary>
        public const ulong BPF_EXIST = 2;
        /// <summary>Update a value that holds a <c>bpf_spin_lock</c> under that lock.</summary>
        public const ulong BPF_F_LOCK = 4;

        // bpf_get_stackid / bpf_get_stack
        /// <summary>Mask of the number of stack frames to skip.</summary>
        public const ulong BPF_F_SKIP_FIELD_MASK = 0xff;
        /// <summary>Walk the user-space stack instead of the kernel stack.</summary>
        public const ulong BPF_F_USER_STACK = 1UL << 8;
        /// <summary>Compare stacks by hash only.</summary>
        public const ulong BPF_F_FAST_STACK_CMP = 1UL << 9;
        /// <summary>Replace an older stack that hashes to the same id.</summary>
        public const ulong BPF_F_REUSE_STACKID = 1UL << 10;
        /// <summary>Collect build ids and offsets instead of addresses (bpf_get_stack).</summary>
        public const ulong BPF_F_USER_BUILD_ID = 1UL << 11;

        // bpf_perf_event_output, bpf_perf_event_read
        /// <summary>Mask of the perf event array index.</summary>
        public const ulong BPF_F_INDEX_MASK = 0xffffffffUL;
        /// <summary>Use the entry of the current CPU.</summary>
        public const ulong BPF_F_CURRENT_CPU = BPF_F_INDEX_MASK;
        /// <summary>Mask of the number of packet bytes to append (networking programs).</summary>
        public const ulong BPF_F_CTXLEN_MASK = 0xfffffUL << 32;

        // bpf_ringbuf_output / submit / discard
        /// <summary>Do not wake up the consumer.</summary>
        public const ulong BPF_RB_NO_WAKEUP = 1;
        /// <summary>Always wake up the consumer.</summary>
        public const ulong BPF_RB_FORCE_WAKEUP = 2;

        // bpf_ringbuf_query: which property to report (a selector, not bits)
        /// <summary>Bytes written and not yet consumed.</summary>
        public const ulong BPF_RB_AVAIL_DATA = 0;
        /// <summary>The ring's size in bytes.</summary>
        public const ulong BPF_RB_RING_SIZE = 1;
        /// <summary>The consumer's position (wraps around).</summary>
        public const ulong BPF_RB_CONS_POS = 2;
        /// <summary>The producer's position (wraps around).</summary>
        public const ulong BPF_RB_PROD_POS = 3;
        /// <summary>Where an overwriting ring (BPF_F_RB_OVERWRITE) will write over old records next.</summary>
        public const ulong BPF_RB_OVERWRITE_POS = 4;

        // bpf_redirect_map, bpf_redirect
        /// <summary>Redirect to the ingress path instead of egress (tc).</summary>
        public const ulong BPF_F_INGRESS = 1;
        /// <summary>Send the packet to every interface of the map (XDP).</summary>
        public const ulong BPF_F_BROADCAST = 1UL << 3;
        /// <summary>With <see cref="BPF_F_BROADCAST"/>, leave out the ingress interface.</summary>
        public const ulong BPF_F_EXCLUDE_INGRESS = 1UL << 4;

        // bpf_skb_store_bytes
        /// <summary>Recompute the checksum after storing.</summary>
        public const ulong BPF_F_RECOMPUTE_CSUM = 1;
        /// <summary>Invalidate the packet hash after storing.</summary>
        public const ulong BPF_F_INVALIDATE_HASH = 1UL << 1;

        // bpf_sk_storage_get, bpf_task_storage_get, ...
        /// <summary>Create the local storage when it does not exist.</summary>
        public const ulong BPF_LOCAL_STORAGE_GET_F_CREATE = 1;

        // bpf_l3_csum_replace / bpf_l4_csum_replace
        /// <summary>Mask of the size of the changed field (2 or 4 bytes; 0 when the difference is given precomputed).</summary>
        public const ulong BPF_F_HDR_FIELD_MASK = 0xf;
        /// <summary>The changed field is part of the pseudo-header (an address or length the transport checksum covers).</summary>
        public const ulong BPF_F_PSEUDO_HDR = 1UL << 4;
        /// <summary>A checksum of 0 means "none" (UDP over IPv4): leave it 0, and write 0xffff where the result would be 0.</summary>
        public const ulong BPF_F_MARK_MANGLED_0 = 1UL << 5;
        /// <summary>With <see cref="BPF_F_MARK_MANGLED_0"/>: apply it even when the checksum is 0 (it is mangled already).</summary>
        public const ulong BPF_F_MARK_ENFORCE = 1UL << 6;
        /// <summary>The packet is IPv6 (its transport checksum has no "none" value).</summary>
        public const ulong BPF_F_IPV6 = 1UL << 7;

        // bpf_skb_get_tunnel_key / bpf_skb_set_tunnel_key
        /// <summary>The tunnel key holds IPv6 addresses.</summary>
        public const ulong BPF_F_TUNINFO_IPV6 = 1;
        /// <summary>Read the tunnel flags into the key as well (bpf_skb_get_tunnel_key).</summary>
        public const ulong BPF_F_TUNINFO_FLAGS = 1UL << 4;
        /// <summary>Send without a UDP checksum (IPv4 tunnels).</summary>
        public const ulong BPF_F_ZERO_CSUM_TX = 1UL << 1;
        /// <summary>Set the outer header's don't-fragment bit.</summary>
        public const ulong BPF_F_DONT_FRAGMENT = 1UL << 2;
        /// <summary>Add a sequence number (GRE).</summary>
        public const ulong BPF_F_SEQ_NUMBER = 1UL << 3;
        /// <summary>Send without a tunnel key (GRE).</summary>
        public const ulong BPF_F_NO_TUNNEL_KEY = 1UL << 4;

        // bpf_skb_adjust_room
        /// <summary>Keep the GSO segment size as it is.</summary>
        public const ulong BPF_F_ADJ_ROOM_FIXED_GSO = 1;
        /// <summary>The room is for an IPv4 outer header.</summary>
        public const ulong BPF_F_ADJ_ROOM_ENCAP_L3_IPV4 = 1UL << 1;
        /// <summary>The room is for an IPv6 outer header.</summary>
        public const ulong BPF_F_ADJ_ROOM_ENCAP_L3_IPV6 = 1UL << 2;
        /// <summary>The room holds a GRE header.</summary>
        public const ulong BPF_F_ADJ_ROOM_ENCAP_L4_GRE = 1UL << 3;
        /// <summary>The room holds a UDP header.</summary>
        public const ulong BPF_F_ADJ_ROOM_ENCAP_L4_UDP = 1UL << 4;
        /// <summary>Leave the checksum state as it is.</summary>
        public const ulong BPF_F_ADJ_ROOM_NO_CSUM_RESET = 1UL << 5;
        /// <summary>The room holds an inner Ethernet header.</summary>
        public const ulong BPF_F_ADJ_ROOM_ENCAP_L2_ETH = 1UL << 6;
        /// <summary>The removed room was an IPv4 outer header.</summary>
        public const ulong BPF_F_ADJ_ROOM_DECAP_L3_IPV4 = 1UL << 7;
        /// <summary>The removed room was an IPv6 outer header.</summary>
        public const ulong BPF_F_ADJ_ROOM_DECAP_L3_IPV6 = 1UL << 8;

        // bpf_fib_lookup
        /// <summary>Look in the table directly, skipping the policy rules.</summary>
        public const ulong BPF_FIB_LOOKUP_DIRECT = 1;
        /// <summary>Route as an outgoing packet (the source is local).</summary>
        public const ulong BPF_FIB_LOOKUP_OUTPUT = 1UL << 1;
        /// <summary>Do not resolve the neighbour (MAC) entry.</summary>
        public const ulong BPF_FIB_LOOKUP_SKIP_NEIGH = 1UL << 2;
        /// <summary>Look in the table given by the parameters' table id (with <see cref="BPF_FIB_LOOKUP_DIRECT"/>).</summary>
        public const ulong BPF_FIB_LOOKUP_TBID = 1UL << 3;
        /// <summary>Also give the source address the route would choose.</summary>
        public const ulong BPF_FIB_LOOKUP_SRC = 1UL << 4;
        /// <summary>Take the packet mark from the parameters into the policy lookup.</summary>
        public const ulong BPF_FIB_LOOKUP_MARK = 1UL << 5;

        // bpf_check_mtu
        /// <summary>Check each GSO segment's size instead of the whole packet.</summary>
        public const ulong BPF_MTU_CHK_SEGS = 1;

        // bpf_sk_assign (sk_lookup programs)
        /// <summary>Replace a socket another program assigned already.</summary>
        public const ulong BPF_SK_LOOKUP_F_REPLACE = 1;
        /// <summary>Take the socket as it is, without reuseport group selection.</summary>
        public const ulong BPF_SK_LOOKUP_F_NO_REUSEPORT = 1UL << 1;

        // bpf_sk_storage_get
        /// <summary>Create the socket storage when it does not exist (the same bit as <see cref="BPF_LOCAL_STORAGE_GET_F_CREATE"/>).</summary>
        public const ulong BPF_SK_STORAGE_GET_F_CREATE = 1;

        // bpf_timer_start
        /// <summary>The expiry is an absolute time, not one relative to now.</summary>
        public const ulong BPF_F_TIMER_ABS = 1;
        /// <summary>Run the callback on the CPU that started the timer.</summary>
        public const ulong BPF_F_TIMER_CPU_PIN = 1UL << 1;

        // bpf_load_hdr_opt (sock_ops)
        /// <summary>Search the SYN packet's options instead of the current packet's.</summary>
        public const ulong BPF_LOAD_HDR_OPT_TCP_SYN = 1;

        // bpf_sysctl_get_name
        /// <summary>Give the base name only, not the full path.</summary>
        public const ulong BPF_F_SYSCTL_BASE_NAME = 1;

        // bpf_bprm_opts_set
        /// <summary>Mark the exec as secure (AT_SECURE for the new program).</summary>
        public const ulong BPF_F_BPRM_SECUREEXEC = 1;

        // bpf_read_branch_records
        /// <summary>Give the size the records would need instead of copying them.</summary>
        public const ulong BPF_F_GET_BRANCH_RECORDS_SIZE = 1;

        // bpf_snprintf_btf
        /// <summary>No pretty-printing whitespace.</summary>
        public const ulong BTF_F_COMPACT = 1;
        /// <summary>No member names.</summary>
        public const ulong BTF_F_NONAME = 1UL << 1;
        /// <summary>Print pointers as raw values, not obfuscated.</summary>
        public const ulong BTF_F_PTR_RAW = 1UL << 2;
        /// <summary>Print zero-valued members too.</summary>
        public const ulong BTF_F_ZERO = 1UL << 3;
    }
}
