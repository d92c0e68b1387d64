using System.Runtime.InteropServices;

namespace BpfSharp.Loader.Native
{
    /// <summary>
    /// <c>struct perf_event_attr</c> (include/uapi/linux/perf_event.h) up to <c>sig_data</c>: 128 bytes,
    /// <c>PERF_ATTR_SIZE_VER7</c>, which <see cref="Size"/> tells the kernel. Start from default: unknown fields must be zero.
    /// </summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct PerfEventAttributes
    {
        public uint Type;
        public uint Size;
        public ulong Config;

        /// <summary>Also <c>sample_freq</c> (a union), when the freq flag is set.</summary>
        public ulong SamplePeriod;
        public ulong SampleType;
        public ulong ReadFormat;

        /// <summary>The kernel's bit fields, <c>disabled</c> (bit 0) to <c>sigtrap</c>, as one word.</summary>
        public ulong Flags;

        /// <summary>Also <c>wakeup_watermark</c> (a union).</summary>
        public uint WakeupEvents;
        public uint BpType;

        /// <summary>Also <c>bp_addr</c>, <c>kprobe_func</c> and <c>uprobe_path</c> (a union).</summary>
        public ulong Config1;

        /// <summary>Also <c>bp_len</c>, <c>kprobe_addr</c> and <c>probe_offset</c> (a union).</summary>
        public ulong Config2;
        public ulong BranchSampleType;
        public ulong SampleRegsUser;
        public uint SampleStackUser;
        public int Clockid;
        public ulong SampleRegsIntr;
        public uint AuxWatermark;
        public ushort SampleMaxStack;
        public ushort Reserved2;
        public uint AuxSampleSize;
        public uint Reserved3;
        public ulong SigData;
    }
}
