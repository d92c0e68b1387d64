using System.Runtime.InteropServices;

// The program and BTF commands' parts of union bpf_attr (see BpfObjectAttributes.cs), and the records they point to.
namespace BpfSharp.Loader.Native
{
    /// <summary>
    /// <c>BPF_PROG_LOAD</c> up to <c>fd_array</c> (128 bytes). The CO-RE relocation fields after it stay unused: the
    /// loader relocates itself, and passing the shorter size keeps the tail a kernel may not know out of the call.
    /// </summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct ProgramLoadAttributes
    {
        public uint ProgType;
        public uint InsnCnt;
        public ulong Insns;

        /// <summary>A NUL-terminated license string.</summary>
        public ulong License;
        public uint LogLevel;
        public uint LogSize;
        public ulong LogBuf;
        public uint KernVersion;
        public uint ProgFlags;
        public ObjectName ProgName;
        public uint ProgIfindex;
        public uint ExpectedAttachType;
        public uint ProgBtfFd;

        /// <summary>The size of one <see cref="BpfFunctionInfo"/> record as user space lays it out.</summary>
        public uint FuncInfoRecSize;
        public ulong FuncInfo;
        public uint FuncInfoCnt;

        /// <summary>The size of one <see cref="BpfLineInfo"/> record as user space lays it out.</summary>
        public uint LineInfoRecSize;
        public ulong LineInfo;
        public uint LineInfoCnt;
        public uint AttachBtfId;

        /// <summary>Also <c>attach_btf_obj_fd</c> (a union): the program, or the module's BTF, to attach to.</summary>
        public uint AttachProgFd;
        public uint CoreReloCnt;
        public ulong FdArray;
    }

    /// <summary><c>struct bpf_func_info</c>: where a function starts (in instructions) and its BTF FUNC type.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct BpfFunctionInfo
    {
        public uint InsnOff;
        public uint TypeId;
    }

    /// <summary><c>struct bpf_line_info</c>: an instruction's source file, line text (offsets in the BTF strings) and line and column.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct BpfLineInfo
    {
        public uint InsnOff;
        public uint FileNameOff;
        public uint LineOff;

        /// <summary>The line number shifted left by 10, or'd with the column.</summary>
        public uint LineCol;
    }

    /// <summary>
    /// <c>BPF_PROG_TEST_RUN</c> (80 bytes, up to <c>batch_size</c>): packet and context buffers by address; the kernel
    /// writes <see cref="Retval"/>, <see cref="DataSizeOut"/>, <see cref="CtxSizeOut"/> and <see cref="Duration"/> back.
    /// </summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct ProgramTestRunAttributes
    {
        public uint ProgFd;
        public uint Retval;
        public uint DataSizeIn;
        public uint DataSizeOut;
        public ulong DataIn;
        public ulong DataOut;
        public uint Repeat;

        /// <summary>The average run time in nanoseconds.</summary>
        public uint Duration;
        public uint CtxSizeIn;
        public uint CtxSizeOut;
        public ulong CtxIn;
        public ulong CtxOut;
        public uint Flags;
        public uint Cpu;
        public uint BatchSize;
    }

    /// <summary><c>BPF_BTF_LOAD</c> up to <c>btf_log_level</c> (32 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct BtfLoadAttributes
    {
        public ulong Btf;
        public ulong BtfLogBuf;
        public uint BtfSize;
        public uint BtfLogSize;
        public uint BtfLogLevel;
    }
}
