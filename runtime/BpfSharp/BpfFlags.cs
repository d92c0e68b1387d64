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
    }
}
