// The map classes, one per kernel map type. A BPF program declares its maps as static fields of these types;
// the analyzers read each class's [BpfMapClass] to know the map type a helper receives.
namespace BpfSharp
{
    /// <summary>A map of type <see cref="BpfMapType.Hash"/>.</summary>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <typeparam name="TValue">The value type.</typeparam>
    [BpfMapClass(BpfMapType.Hash)]
    public class HashMap<TKey, TValue> : BpfMap
    {
        /// <summary>Declares the map.</summary>
        /// <param name="maxEntries">The maximum number of entries (<c>max_entries</c>).</param>
        /// <param name="flags">The map creation flags (<c>map_flags</c>).</param>
        public HashMap(uint maxEntries = 0, uint flags = 0)
            : base(BpfMapType.Hash, maxEntries, flags)
        {
        }
    }

    /// <summary>A map of type <see cref="BpfMapType.Array"/>.</summary>
    /// <typeparam name="TValue">The value type.</typeparam>
    [BpfMapClass(BpfMapType.Array)]
    public class ArrayMap<TValue> : BpfMap
    {
        /// <summary>Declares the map.</summary>
        /// <param name="maxEntries">The maximum number of entries (<c>max_entries</c>).</param>
        /// <param name="flags">The map creation flags (<c>map_flags</c>).</param>
        public ArrayMap(uint maxEntries = 0, uint flags = 0)
            : base(BpfMapType.Array, maxEntries, flags)
        {
        }
    }

    /// <summary>A map of type <see cref="BpfMapType.ProgArray"/>.</summary>
    [BpfMapClass(BpfMapType.ProgArray)]
    public class ProgArrayMap : BpfMap
    {
        /// <summary>Declares the map.</summary>
        /// <param name="maxEntries">The maximum number of entries (<c>max_entries</c>).</param>
        /// <param name="flags">The map creation flags (<c>map_flags</c>).</param>
        public ProgArrayMap(uint maxEntries = 0, uint flags = 0)
            : base(BpfMapType.ProgArray, maxEntries, flags)
        {
        }
    }

    /// <summary>A map of type <see cref="BpfMapType.PerfEventArray"/>.</summary>
    [BpfMapClass(BpfMapType.PerfEventArray)]
    public class PerfEventArrayMap : BpfMap
    {
        /// <summary>Declares the map.</summary>
        /// <param name="maxEntries">The maximum number of entries (<c>max_entries</c>).</param>
        /// <param name="flags">The map creation flags (<c>map_flags</c>).</param>
        public PerfEventArrayMap(uint maxEntries = 0, uint flags = 0)
            : base(BpfMapType.PerfEventArray, maxEntries, flags)
        {
        }
    }

    /// <summary>A map of type <see cref="BpfMapType.PercpuHash"/>.</summary>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <typeparam name="TValue">The value type.</typeparam>
    [BpfMapClass(BpfMapType.PercpuHash)]
    public class PercpuHashMap<TKey, TValue> : BpfMap
    {
        /// <summary>Declares the map.</summary>
        /// <param name="maxEntries">The maximum number of entries (<c>max_entries</c>).</param>
        /// <param name="flags">The map creation flags (<c>map_flags</c>).</param>
        public PercpuHashMap(uint maxEntries = 0, uint flags = 0)
            : base(BpfMapType.PercpuHash, maxEntries, flags)
        {
        }
    }

    /// <summary>A map of type <see cref="BpfMapType.PercpuArray"/>.</summary>
    /// <typeparam name="TValue">The value type.</typeparam>
    [BpfMapClass(BpfMapType.PercpuArray)]
    public class PercpuArrayMap<TValue> : BpfMap
    {
        /// <summary>Declares the map.</summary>
        /// <param name="maxEntries">The maximum number of entries (<c>max_entries</c>).</param>
        /// <param name="flags">The map creation flags (<c>map_flags</c>).</param>
        public PercpuArrayMap(uint maxEntries = 0, uint flags = 0)
            : base(BpfMapType.PercpuArray, maxEntries, flags)
        {
        }
    }

    /// <summary>A map of type <see cref="BpfMapType.StackTrace"/>.</summary>
    [BpfMapClass(BpfMapType.StackTrace)]
    public class StackTraceMap : BpfMap
    {
        /// <summary>Declares the map.</summary>
        /// <param name="maxEntries">The maximum number of entries (<c>max_entries</c>).</param>
        /// <param name="flags">The map creation flags (<c>map_flags</c>).</param>
        public StackTraceMap(uint maxEntries = 0, uint flags = 0)
            : base(BpfMapType.StackTrace, maxEntries, flags)
        {
        }
    }

    /// <summary>A map of type <see cref="BpfMapType.CgroupArray"/>.</summary>
    [BpfMapClass(BpfMapType.CgroupArray)]
    public class CgroupArrayMap : BpfMap
    {
        /// <summary>Declares the map.</summary>
        /// <param name="maxEntries">The maximum number of entries (<c>max_entries</c>).</param>
        /// <param name="flags">The map creation flags (<c>map_flags</c>).</param>
        public CgroupArrayMap(uint maxEntries = 0, uint flags = 0)
            : base(BpfMapType.CgroupArray, maxEntries, flags)
        {
        }
    }

    /// <summary>A map of type <see cref="BpfMapType.LruHash"/>.</summary>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <typeparam name="TValue">The value type.</typeparam>
    [BpfMapClass(BpfMapType.LruHash)]
    public class LruHashMap<TKey, TValue> : BpfMap
    {
        /// <summary>Declares the map.</summary>
        /// <param name="maxEntries">The maximum number of entries (<c>max_entries</c>).</param>
        /// <param name="flags">The map creation flags (<c>map_flags</c>).</param>
        public LruHashMap(uint maxEntries = 0, uint flags = 0)
            : base(BpfMapType.LruHash, maxEntries, flags)
        {
        }
    }

    /// <summary>A map of type <see cref="BpfMapType.LruPercpuHash"/>.</summary>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <typeparam name="TValue">The value type.</typeparam>
    [BpfMapClass(BpfMapType.LruPercpuHash)]
    public class LruPercpuHashMap<TKey, TValue> : BpfMap
    {
        /// <summary>Declares the map.</summary>
        /// <param name="maxEntries">The maximum number of entries (<c>max_entries</c>).</param>
        /// <param name="flags">The map creation flags (<c>map_flags</c>).</param>
        public LruPercpuHashMap(uint maxEntries = 0, uint flags = 0)
            : base(BpfMapType.LruPercpuHash, maxEntries, flags)
        {
        }
    }

    /// <summary>A map of type <see cref="BpfMapType.LpmTrie"/>.</summary>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <typeparam name="TValue">The value type.</typeparam>
    [BpfMapClass(BpfMapType.LpmTrie)]
    public class LpmTrieMap<TKey, TValue> : BpfMap
    {
        /// <summary>Declares the map.</summary>
        /// <param name="maxEntries">The maximum number of entries (<c>max_entries</c>).</param>
        /// <param name="flags">The map creation flags (<c>map_flags</c>).</param>
        public LpmTrieMap(uint maxEntries = 0, uint flags = 0)
            : base(BpfMapType.LpmTrie, maxEntries, flags)
        {
        }
    }

    /// <summary>A map of type <see cref="BpfMapType.ArrayOfMaps"/>. Named <c>ArrayOfMaps</c> rather than <c>ArrayOfMapsMap</c>.</summary>
    [BpfMapClass(BpfMapType.ArrayOfMaps)]
    public class ArrayOfMaps : BpfMap
    {
        /// <summary>Declares the map.</summary>
        /// <param name="maxEntries">The maximum number of entries (<c>max_entries</c>).</param>
        /// <param name="flags">The map creation flags (<c>map_flags</c>).</param>
        /// <param name="inner">
        /// What every map stored in it looks like, declared the same way (<c>inner: new HashMap&lt;uint, ulong&gt;(maxEntries: 64)</c>):
        /// the kernel checks the maps put into it against this template.
        /// </param>
        public ArrayOfMaps(uint maxEntries = 0, uint flags = 0, BpfMap? inner = null)
            : base(BpfMapType.ArrayOfMaps, maxEntries, flags)
        {
            Inner = inner;
        }

        /// <summary>The template of the maps it holds.</summary>
        public BpfMap? Inner { get; }
    }

    /// <summary>A map of type <see cref="BpfMapType.HashOfMaps"/>. Named <c>HashOfMaps</c> rather than <c>HashOfMapsMap</c>.</summary>
    /// <typeparam name="TKey">The key type.</typeparam>
    [BpfMapClass(BpfMapType.HashOfMaps)]
    public class HashOfMaps<TKey> : BpfMap
    {
        /// <summary>Declares the map.</summary>
        /// <param name="maxEntries">The maximum number of entries (<c>max_entries</c>).</param>
        /// <param name="flags">The map creation flags (<c>map_flags</c>).</param>
        /// <param name="inner">
        /// What every map stored in it looks like, declared the same way (<c>inner: new HashMap&lt;uint, ulong&gt;(maxEntries: 64)</c>):
        /// the kernel checks the maps put into it against this template.
        /// </param>
        public HashOfMaps(uint maxEntries = 0, uint flags = 0, BpfMap? inner = null)
            : base(BpfMapType.HashOfMaps, maxEntries, flags)
        {
            Inner = inner;
        }

        /// <summary>The template of the maps it holds.</summary>
        public BpfMap? Inner { get; }
    }

    /// <summary>A map of type <see cref="BpfMapType.Devmap"/>. Named <c>DevMap</c> rather than <c>DevmapMap</c>.</summary>
    [BpfMapClass(BpfMapType.Devmap)]
    public class DevMap : BpfMap
    {
        /// <summary>Declares the map.</summary>
        /// <param name="maxEntries">The maximum number of entries (<c>max_entries</c>).</param>
        /// <param name="flags">The map creation flags (<c>map_flags</c>).</param>
        public DevMap(uint maxEntries = 0, uint flags = 0)
            : base(BpfMapType.Devmap, maxEntries, flags)
        {
        }
    }

    /// <summary>A map of type <see cref="BpfMapType.Sockmap"/>. Named <c>SockMap</c> rather than <c>SockmapMap</c>.</summary>
    [BpfMapClass(BpfMapType.Sockmap)]
    public class SockMap : BpfMap
    {
        /// <summary>Declares the map.</summary>
        /// <param name="maxEntries">The maximum number of entries (<c>max_entries</c>).</param>
        /// <param name="flags">The map creation flags (<c>map_flags</c>).</param>
        public SockMap(uint maxEntries = 0, uint flags = 0)
            : base(BpfMapType.Sockmap, maxEntries, flags)
        {
        }
    }

    /// <summary>A map of type <see cref="BpfMapType.Cpumap"/>. Named <c>CpuMap</c> rather than <c>CpumapMap</c>.</summary>
    [BpfMapClass(BpfMapType.Cpumap)]
    public class CpuMap : BpfMap
    {
        /// <summary>Declares the map.</summary>
        /// <param name="maxEntries">The maximum number of entries (<c>max_entries</c>).</param>
        /// <param name="flags">The map creation flags (<c>map_flags</c>).</param>
        public CpuMap(uint maxEntries = 0, uint flags = 0)
            : base(BpfMapType.Cpumap, maxEntries, flags)
        {
        }
    }

    /// <summary>A map of type <see cref="BpfMapType.Xskmap"/>. Named <c>XskMap</c> rather than <c>XskmapMap</c>.</summary>
    [BpfMapClass(BpfMapType.Xskmap)]
    public class XskMap : BpfMap
    {
        /// <summary>Declares the map.</summary>
        /// <param name="maxEntries">The maximum number of entries (<c>max_entries</c>).</param>
        /// <param name="flags">The map creation flags (<c>map_flags</c>).</param>
        public XskMap(uint maxEntries = 0, uint flags = 0)
            : base(BpfMapType.Xskmap, maxEntries, flags)
        {
        }
    }

    /// <summary>A map of type <see cref="BpfMapType.Sockhash"/>. Named <c>SockHashMap</c> rather than <c>SockhashMap</c>.</summary>
    /// <typeparam name="TKey">The key type.</typeparam>
    [BpfMapClass(BpfMapType.Sockhash)]
    public class SockHashMap<TKey> : BpfMap
    {
        /// <summary>Declares the map.</summary>
        /// <param name="maxEntries">The maximum number of entries (<c>max_entries</c>).</param>
        /// <param name="flags">The map creation flags (<c>map_flags</c>).</param>
        public SockHashMap(uint maxEntries = 0, uint flags = 0)
            : base(BpfMapType.Sockhash, maxEntries, flags)
        {
        }
    }

    /// <summary>A map of type <see cref="BpfMapType.CgroupStorage"/>. <c>BPF_MAP_TYPE_CGROUP_STORAGE</c> is the kernel's alias of <c>BPF_MAP_TYPE_CGROUP_STORAGE_DEPRECATED</c> (19).</summary>
    /// <typeparam name="TValue">The value type.</typeparam>
    [BpfMapClass(BpfMapType.CgroupStorage)]
    public class CgroupStorageMap<TValue> : BpfMap
    {
        /// <summary>Declares the map.</summary>
        /// <param name="maxEntries">The maximum number of entries (<c>max_entries</c>).</param>
        /// <param name="flags">The map creation flags (<c>map_flags</c>).</param>
        public CgroupStorageMap(uint maxEntries = 0, uint flags = 0)
            : base(BpfMapType.CgroupStorage, maxEntries, flags)
        {
        }
    }

    /// <summary>A map of type <see cref="BpfMapType.ReuseportSockarray"/>. Named <c>ReuseportSockArrayMap</c> rather than <c>ReuseportSockarrayMap</c>.</summary>
    [BpfMapClass(BpfMapType.ReuseportSockarray)]
    public class ReuseportSockArrayMap : BpfMap
    {
        /// <summary>Declares the map.</summary>
        /// <param name="maxEntries">The maximum number of entries (<c>max_entries</c>).</param>
        /// <param name="flags">The map creation flags (<c>map_flags</c>).</param>
        public ReuseportSockArrayMap(uint maxEntries = 0, uint flags = 0)
            : base(BpfMapType.ReuseportSockarray, maxEntries, flags)
        {
        }
    }

    /// <summary>A map of type <see cref="BpfMapType.PercpuCgroupStorage"/>. <c>BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE</c> is the kernel's alias of <c>BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE_DEPRECATED</c> (21).</summary>
    /// <typeparam name="TValue">The value type.</typeparam>
    [BpfMapClass(BpfMapType.PercpuCgroupStorage)]
    public class PercpuCgroupStorageMap<TValue> : BpfMap
    {
        /// <summary>Declares the map.</summary>
        /// <param name="maxEntries">The maximum number of entries (<c>max_entries</c>).</param>
        /// <param name="flags">The map creation flags (<c>map_flags</c>).</param>
        public PercpuCgroupStorageMap(uint maxEntries = 0, uint flags = 0)
            : base(BpfMapType.PercpuCgroupStorage, maxEntries, flags)
        {
        }
    }

    /// <summary>A map of type <see cref="BpfMapType.Queue"/>.</summary>
    /// <typeparam name="TValue">The value type.</typeparam>
    [BpfMapClass(BpfMapType.Queue)]
    public class QueueMap<TValue> : BpfMap
    {
        /// <summary>Declares the map.</summary>
        /// <param name="maxEntries">The maximum number of entries (<c>max_entries</c>).</param>
        /// <param name="flags">The map creation flags (<c>map_flags</c>).</param>
        public QueueMap(uint maxEntries = 0, uint flags = 0)
            : base(BpfMapType.Queue, maxEntries, flags)
        {
        }
    }

    /// <summary>A map of type <see cref="BpfMapType.Stack"/>.</summary>
    /// <typeparam name="TValue">The value type.</typeparam>
    [BpfMapClass(BpfMapType.Stack)]
    public class StackMap<TValue> : BpfMap
    {
        /// <summary>Declares the map.</summary>
        /// <param name="maxEntries">The maximum number of entries (<c>max_entries</c>).</param>
        /// <param name="flags">The map creation flags (<c>map_flags</c>).</param>
        public StackMap(uint maxEntries = 0, uint flags = 0)
            : base(BpfMapType.Stack, maxEntries, flags)
        {
        }
    }

    /// <summary>A map of type <see cref="BpfMapType.SkStorage"/>.</summary>
    /// <typeparam name="TValue">The value type.</typeparam>
    [BpfMapClass(BpfMapType.SkStorage)]
    public class SkStorageMap<TValue> : BpfMap
    {
        /// <summary>Declares the map.</summary>
        /// <param name="maxEntries">The maximum number of entries (<c>max_entries</c>).</param>
        /// <param name="flags">The map creation flags (<c>map_flags</c>).</param>
        public SkStorageMap(uint maxEntries = 0, uint flags = 0)
            : base(BpfMapType.SkStorage, maxEntries, flags)
        {
        }
    }

    /// <summary>A map of type <see cref="BpfMapType.DevmapHash"/>.</summary>
    [BpfMapClass(BpfMapType.DevmapHash)]
    public class DevmapHashMap : BpfMap
    {
        /// <summary>Declares the map.</summary>
        /// <param name="maxEntries">The maximum number of entries (<c>max_entries</c>).</param>
        /// <param name="flags">The map creation flags (<c>map_flags</c>).</param>
        public DevmapHashMap(uint maxEntries = 0, uint flags = 0)
            : base(BpfMapType.DevmapHash, maxEntries, flags)
        {
        }
    }

    /// <summary>A map of type <see cref="BpfMapType.StructOps"/>.</summary>
    [BpfMapClass(BpfMapType.StructOps)]
    public class StructOpsMap : BpfMap
    {
        /// <summary>Declares the map.</summary>
        /// <param name="maxEntries">The maximum number of entries (<c>max_entries</c>).</param>
        /// <param name="flags">The map creation flags (<c>map_flags</c>).</param>
        public StructOpsMap(uint maxEntries = 0, uint flags = 0)
            : base(BpfMapType.StructOps, maxEntries, flags)
        {
        }
    }

    /// <summary>A map of type <see cref="BpfMapType.Ringbuf"/>. Named <c>RingBufMap</c> rather than <c>RingbufMap</c>.</summary>
    [BpfMapClass(BpfMapType.Ringbuf)]
    public class RingBufMap : BpfMap
    {
        /// <summary>Declares the map.</summary>
        /// <param name="maxEntries">The maximum number of entries (<c>max_entries</c>).</param>
        /// <param name="flags">The map creation flags (<c>map_flags</c>).</param>
        public RingBufMap(uint maxEntries = 0, uint flags = 0)
            : base(BpfMapType.Ringbuf, maxEntries, flags)
        {
        }
    }

    /// <summary>A map of type <see cref="BpfMapType.InodeStorage"/>.</summary>
    /// <typeparam name="TValue">The value type.</typeparam>
    [BpfMapClass(BpfMapType.InodeStorage)]
    public class InodeStorageMap<TValue> : BpfMap
    {
        /// <summary>Declares the map.</summary>
        /// <param name="maxEntries">The maximum number of entries (<c>max_entries</c>).</param>
        /// <param name="flags">The map creation flags (<c>map_flags</c>).</param>
        public InodeStorageMap(uint maxEntries = 0, uint flags = 0)
            : base(BpfMapType.InodeStorage, maxEntries, flags)
        {
        }
    }

    /// <summary>A map of type <see cref="BpfMapType.TaskStorage"/>.</summary>
    /// <typeparam name="TValue">The value type.</typeparam>
    [BpfMapClass(BpfMapType.TaskStorage)]
    public class TaskStorageMap<TValue> : BpfMap
    {
        /// <summary>Declares the map.</summary>
        /// <param name="maxEntries">The maximum number of entries (<c>max_entries</c>).</param>
        /// <param name="flags">The map creation flags (<c>map_flags</c>).</param>
        public TaskStorageMap(uint maxEntries = 0, uint flags = 0)
            : base(BpfMapType.TaskStorage, maxEntries, flags)
        {
        }
    }

    /// <summary>A map of type <see cref="BpfMapType.BloomFilter"/>.</summary>
    /// <typeparam name="TValue">The value type.</typeparam>
    [BpfMapClass(BpfMapType.BloomFilter)]
    public class BloomFilterMap<TValue> : BpfMap
    {
        /// <summary>Declares the map.</summary>
        /// <param name="maxEntries">The maximum number of entries (<c>max_entries</c>).</param>
        /// <param name="flags">The map creation flags (<c>map_flags</c>).</param>
        public BloomFilterMap(uint maxEntries = 0, uint flags = 0)
            : base(BpfMapType.BloomFilter, maxEntries, flags)
        {
        }
    }

    /// <summary>A map of type <see cref="BpfMapType.UserRingbuf"/>. Named <c>UserRingBufMap</c> rather than <c>UserRingbufMap</c>.</summary>
    [BpfMapClass(BpfMapType.UserRingbuf)]
    public class UserRingBufMap : BpfMap
    {
        /// <summary>Declares the map.</summary>
        /// <param name="maxEntries">The maximum number of entries (<c>max_entries</c>).</param>
        /// <param name="flags">The map creation flags (<c>map_flags</c>).</param>
        public UserRingBufMap(uint maxEntries = 0, uint flags = 0)
            : base(BpfMapType.UserRingbuf, maxEntries, flags)
        {
        }
    }

    /// <summary>A map of type <see cref="BpfMapType.CgrpStorage"/>.</summary>
    /// <typeparam name="TValue">The value type.</typeparam>
    [BpfMapClass(BpfMapType.CgrpStorage)]
    public class CgrpStorageMap<TValue> : BpfMap
    {
        /// <summary>Declares the map.</summary>
        /// <param name="maxEntries">The maximum number of entries (<c>max_entries</c>).</param>
        /// <param name="flags">The map creation flags (<c>map_flags</c>).</param>
        public CgrpStorageMap(uint maxEntries = 0, uint flags = 0)
            : base(BpfMapType.CgrpStorage, maxEntries, flags)
        {
        }
    }

    /// <summary>A map of type <see cref="BpfMapType.Arena"/>.</summary>
    [BpfMapClass(BpfMapType.Arena)]
    public class ArenaMap : BpfMap
    {
        /// <summary>Declares the map.</summary>
        /// <param name="maxEntries">The maximum number of entries (<c>max_entries</c>).</param>
        /// <param name="flags">The map creation flags (<c>map_flags</c>).</param>
        public ArenaMap(uint maxEntries = 0, uint flags = 0)
            : base(BpfMapType.Arena, maxEntries, flags)
        {
        }
    }

    /// <summary>A map of type <see cref="BpfMapType.InsnArray"/>.</summary>
    [BpfMapClass(BpfMapType.InsnArray)]
    public class InsnArrayMap : BpfMap
    {
        /// <summary>Declares the map.</summary>
        /// <param name="maxEntries">The maximum number of entries (<c>max_entries</c>).</param>
        /// <param name="flags">The map creation flags (<c>map_flags</c>).</param>
        public InsnArrayMap(uint maxEntries = 0, uint flags = 0)
            : base(BpfMapType.InsnArray, maxEntries, flags)
        {
        }
    }
}
