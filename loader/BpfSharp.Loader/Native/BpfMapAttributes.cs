using System.Runtime.InteropServices;

// The map commands' parts of union bpf_attr (see BpfObjectAttributes.cs), and struct bpf_map_info.
namespace BpfSharp.Loader.Native
{
    /// <summary><c>BPF_MAP_CREATE</c> up to <c>map_extra</c> (72 bytes; a kernel that knows fewer fields accepts them zero).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct MapCreateAttributes
    {
        public uint MapType;
        public uint KeySize;
        public uint ValueSize;
        public uint MaxEntries;
        public uint MapFlags;
        public uint InnerMapFd;
        public uint NumaNode;
        public ObjectName MapName;
        public uint MapIfindex;
        public uint BtfFd;
        public uint BtfKeyTypeId;
        public uint BtfValueTypeId;

        /// <summary>A struct_ops map's value type in the kernel's BTF.</summary>
        public uint BtfVmlinuxValueTypeId;
        public ulong MapExtra;
    }

    /// <summary>
    /// <c>BPF_MAP_LOOKUP_ELEM</c>, <c>BPF_MAP_UPDATE_ELEM</c>, <c>BPF_MAP_DELETE_ELEM</c>, <c>BPF_MAP_GET_NEXT_KEY</c> and
    /// <c>BPF_MAP_LOOKUP_AND_DELETE_ELEM</c>: a map, a key and a value (or the next key) by address, and flags.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 32)]
    internal struct MapElementAttributes
    {
        [FieldOffset(0)]
        public uint MapFd;

        [FieldOffset(8)]
        public ulong Key;

        [FieldOffset(16)]
        public ulong Value;

        /// <summary>BPF_MAP_GET_NEXT_KEY's output: the same field as <see cref="Value"/>.</summary>
        [FieldOffset(16)]
        public ulong NextKey;

        [FieldOffset(24)]
        public ulong Flags;
    }

    /// <summary>
    /// <c>BPF_MAP_LOOKUP_BATCH</c>, <c>BPF_MAP_LOOKUP_AND_DELETE_BATCH</c> (and the update and delete batches): positions,
    /// key and value arrays by address, and <see cref="Count"/>, which the kernel overwrites with the entries it copied.
    /// </summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct MapBatchAttributes
    {
        /// <summary>The position to start from; 0 for the start.</summary>
        public ulong InBatch;

        /// <summary>Where the kernel writes the next position.</summary>
        public ulong OutBatch;
        public ulong Keys;
        public ulong Values;
        public uint Count;
        public uint MapFd;
        public ulong ElemFlags;
        public ulong Flags;
    }

    /// <summary><c>BPF_MAP_FREEZE</c>: the map alone (8 bytes, the union's alignment).</summary>
    [StructLayout(LayoutKind.Sequential, Size = 8)]
    internal struct MapFreezeAttributes
    {
        public uint MapFd;
    }

    /// <summary>
    /// <c>struct bpf_map_info</c> up to <c>map_extra</c> (88 bytes), what <c>BPF_OBJ_GET_INFO_BY_FD</c> writes for a map
    /// (a kernel with more fields fills only the size asked for).
    /// </summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct BpfMapInfo
    {
        public uint Type;
        public uint Id;
        public uint KeySize;
        public uint ValueSize;
        public uint MaxEntries;
        public uint MapFlags;
        public ObjectName Name;
        public uint Ifindex;
        public uint BtfVmlinuxValueTypeId;
        public ulong NetnsDev;
        public ulong NetnsIno;
        public uint BtfId;
        public uint BtfKeyTypeId;
        public uint BtfValueTypeId;

        /// <summary>Padding in older kernels' headers.</summary>
        public uint BtfVmlinuxId;
        public ulong MapExtra;
    }
}
