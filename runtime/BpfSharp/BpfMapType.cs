namespace BpfSharp
{
    /// <summary>
    /// The kernel's BPF map types (<c>enum bpf_map_type</c> in <c>include/uapi/linux/bpf.h</c>),
    /// with the kernel's numeric values. The map type decides which helpers a map may be passed to.
    /// </summary>
    public enum BpfMapType
    {
        /// <summary><c>BPF_MAP_TYPE_UNSPEC</c> (0).</summary>
        Unspec = 0,
        /// <summary><c>BPF_MAP_TYPE_HASH</c> (1).</summary>
        Hash = 1,
        /// <summary><c>BPF_MAP_TYPE_ARRAY</c> (2).</summary>
        Array = 2,
        /// <summary><c>BPF_MAP_TYPE_PROG_ARRAY</c> (3).</summary>
        ProgArray = 3,
        /// <summary><c>BPF_MAP_TYPE_PERF_EVENT_ARRAY</c> (4).</summary>
        PerfEventArray = 4,
        /// <summary><c>BPF_MAP_TYPE_PERCPU_HASH</c> (5).</summary>
        PercpuHash = 5,
        /// <summary><c>BPF_MAP_TYPE_PERCPU_ARRAY</c> (6).</summary>
        PercpuArray = 6,
        /// <summary><c>BPF_MAP_TYPE_STACK_TRACE</c> (7).</summary>
        StackTrace = 7,
        /// <summary><c>BPF_MAP_TYPE_CGROUP_ARRAY</c> (8).</summary>
        CgroupArray = 8,
        /// <summary><c>BPF_MAP_TYPE_LRU_HASH</c> (9).</summary>
        LruHash = 9,
        /// <summary><c>BPF_MAP_TYPE_LRU_PERCPU_HASH</c> (10).</summary>
        LruPercpuHash = 10,
        /// <summary><c>BPF_MAP_TYPE_LPM_TRIE</c> (11).</summary>
        LpmTrie = 11,
        /// <summary><c>BPF_MAP_TYPE_ARRAY_OF_MAPS</c> (12).</summary>
        ArrayOfMaps = 12,
        /// <summary><c>BPF_MAP_TYPE_HASH_OF_MAPS</c> (13).</summary>
        HashOfMaps = 13,
        /// <summary><c>BPF_MAP_TYPE_DEVMAP</c> (14).</summary>
        Devmap = 14,
        /// <summary><c>BPF_MAP_TYPE_SOCKMAP</c> (15).</summary>
        Sockmap = 15,
        /// <summary><c>BPF_MAP_TYPE_CPUMAP</c> (16).</summary>
        Cpumap = 16,
        /// <summary><c>BPF_MAP_TYPE_XSKMAP</c> (17).</summary>
        Xskmap = 17,
        /// <summary><c>BPF_MAP_TYPE_SOCKHASH</c> (18).</summary>
        Sockhash = 18,
        /// <summary><c>BPF_MAP_TYPE_CGROUP_STORAGE_DEPRECATED</c> (19).</summary>
        CgroupStorageDeprecated = 19,
        /// <summary><c>BPF_MAP_TYPE_CGROUP_STORAGE</c> (19). Same value as <c>BPF_MAP_TYPE_CGROUP_STORAGE_DEPRECATED</c>.</summary>
        CgroupStorage = 19,
        /// <summary><c>BPF_MAP_TYPE_REUSEPORT_SOCKARRAY</c> (20).</summary>
        ReuseportSockarray = 20,
        /// <summary><c>BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE_DEPRECATED</c> (21).</summary>
        PercpuCgroupStorageDeprecated = 21,
        /// <summary><c>BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE</c> (21). Same value as <c>BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE_DEPRECATED</c>.</summary>
        PercpuCgroupStorage = 21,
        /// <summary><c>BPF_MAP_TYPE_QUEUE</c> (22).</summary>
        Queue = 22,
        /// <summary><c>BPF_MAP_TYPE_STACK</c> (23).</summary>
        Stack = 23,
        /// <summary><c>BPF_MAP_TYPE_SK_STORAGE</c> (24).</summary>
        SkStorage = 24,
        /// <summary><c>BPF_MAP_TYPE_DEVMAP_HASH</c> (25).</summary>
        DevmapHash = 25,
        /// <summary><c>BPF_MAP_TYPE_STRUCT_OPS</c> (26).</summary>
        StructOps = 26,
        /// <summary><c>BPF_MAP_TYPE_RINGBUF</c> (27).</summary>
        Ringbuf = 27,
        /// <summary><c>BPF_MAP_TYPE_INODE_STORAGE</c> (28).</summary>
        InodeStorage = 28,
        /// <summary><c>BPF_MAP_TYPE_TASK_STORAGE</c> (29).</summary>
        TaskStorage = 29,
        /// <summary><c>BPF_MAP_TYPE_BLOOM_FILTER</c> (30).</summary>
        BloomFilter = 30,
        /// <summary><c>BPF_MAP_TYPE_USER_RINGBUF</c> (31).</summary>
        UserRingbuf = 31,
        /// <summary><c>BPF_MAP_TYPE_CGRP_STORAGE</c> (32).</summary>
        CgrpStorage = 32,
        /// <summary><c>BPF_MAP_TYPE_ARENA</c> (33).</summary>
        Arena = 33,
        /// <summary><c>BPF_MAP_TYPE_INSN_ARRAY</c> (34).</summary>
        InsnArray = 34,
    }
}
