using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace BpfSharp.Loader.Native
{
    /// <summary>What a <c>BPF_PROG_LOAD</c> asks for.</summary>
    internal sealed record ProgramLoadRequest(int ProgramType, IReadOnlyList<BpfInstruction> Instructions, string License)
    {
        /// <summary><c>expected_attach_type</c>: some program types need it at load time, and it changes what they may call.</summary>
        public int ExpectedAttachType { get; init; }

        /// <summary><c>attach_btf_id</c>: the kernel BTF type a tracing program (tp_btf, fentry, lsm, iter) attaches to.</summary>
        public uint AttachBtfId { get; init; }

        /// <summary><c>prog_flags</c>, e.g. <see cref="Sleepable"/>.</summary>
        public uint Flags { get; init; }

        /// <summary>1 logs errors and branch states, 2 every instruction (what the probe needs to see where a load failed).</summary>
        public uint LogLevel { get; init; } = 1;

        public string? Name { get; init; }

        /// <summary>The program's BTF (needed for subprograms such as callbacks), with one func_info record per function.</summary>
        public int BtfFd { get; init; }

        /// <summary>(instruction offset, BTF FUNC type id) per function, in instruction order.</summary>
        public IReadOnlyList<(int InstructionOffset, uint TypeId)> FunctionInfo { get; init; } = Array.Empty<(int, uint)>();

        /// <summary>The instructions already encoded (an object's section), used instead of <see cref="Instructions"/> when set.</summary>
        public byte[]? Code { get; init; }

        /// <summary>bpf_line_info records (instruction, file name, line text, line/column), for the verifier's log.</summary>
        public BpfLineInfo[]? LineInfo { get; init; }

        /// <summary><c>BPF_F_SLEEPABLE</c>.</summary>
        public const uint Sleepable = 1u << 4;
    }

    /// <summary>The outcome of a load: a file descriptor the caller owns, or the errno and the verifier's log.</summary>
    internal sealed record ProgramLoadResult(int Fd, int Errno, string Log)
    {
        public bool Loaded => Fd >= 0;
    }

    /// <summary>What a <c>BPF_MAP_CREATE</c> asks for.</summary>
    internal sealed record MapCreateRequest(int MapType, uint KeySize, uint ValueSize, uint MaxEntries)
    {
        public uint Flags { get; init; }

        public int InnerMapFd { get; init; }

        public int BtfFd { get; init; }

        public uint BtfKeyTypeId { get; init; }

        public uint BtfValueTypeId { get; init; }

        /// <summary>A struct_ops map's value type in the kernel's BTF (btf_vmlinux_value_type_id).</summary>
        public uint BtfKernelValueTypeId { get; init; }

        public ulong MapExtra { get; init; }

        public string? Name { get; init; }
    }

    /// <summary>What BPF_PROG_TEST_RUN writes back: the program's return value, the packet's size after it, and the average run time in nanoseconds.</summary>
    internal readonly record struct TestRunOutput(int ReturnValue, uint DataSizeOut, uint DurationNanoseconds);

    /// <summary>The kernel objects the probe needs: programs, maps and BTF, each a <c>bpf(2)</c> command.</summary>
    internal static unsafe class KernelObjects
    {
        /// <summary>Loads a program; the log is kept whether or not the load succeeded.</summary>
        public static ProgramLoadResult LoadProgram(ProgramLoadRequest request, int logSize = 1 << 18)
        {
            var code = request.Code ?? BpfInstruction.Encode(request.Instructions);
            var lineInfo = request.LineInfo ?? Array.Empty<BpfLineInfo>();
            var license = Encoding.ASCII.GetBytes(request.License + "\0");
            var log = new byte[logSize];
            var functionInfo = new BpfFunctionInfo[request.FunctionInfo.Count];
            for (var i = 0; i < functionInfo.Length; i++)
            {
                functionInfo[i] = new BpfFunctionInfo { InsnOff = (uint)request.FunctionInfo[i].InstructionOffset, TypeId = request.FunctionInfo[i].TypeId };
            }

            fixed (byte* insns = code)
            fixed (byte* licensePointer = license)
            fixed (byte* logPointer = log)
            fixed (BpfFunctionInfo* functionInfoPointer = functionInfo)
            fixed (BpfLineInfo* lineInfoPointer = lineInfo)
            {
                var attr = new ProgramLoadAttributes
                {
                    ProgType = (uint)request.ProgramType,
                    InsnCnt = (uint)(code.Length / 8),
                    Insns = (ulong)insns,
                    License = (ulong)licensePointer,
                    ProgFlags = request.Flags,
                    ProgName = ObjectName.From(request.Name),
                    ExpectedAttachType = (uint)request.ExpectedAttachType,
                    AttachBtfId = request.AttachBtfId,
                };
                if (request.LogLevel > 0 && log.Length > 0)
                {
                    attr.LogLevel = request.LogLevel;
                    attr.LogSize = (uint)log.Length;
                    attr.LogBuf = (ulong)logPointer;
                }

                if (functionInfo.Length > 0)
                {
                    attr.ProgBtfFd = (uint)request.BtfFd;
                    attr.FuncInfoRecSize = (uint)sizeof(BpfFunctionInfo);
                    attr.FuncInfo = (ulong)functionInfoPointer;
                    attr.FuncInfoCnt = (uint)functionInfo.Length;
                }

                if (lineInfo.Length > 0)
                {
                    attr.LineInfoRecSize = (uint)sizeof(BpfLineInfo);
                    attr.LineInfo = (ulong)lineInfoPointer;
                    attr.LineInfoCnt = (uint)lineInfo.Length;
                }

                var fd = BpfSyscall.Invoke(BpfCommand.ProgLoad, ref attr, out var errno);
                return new ProgramLoadResult(fd, errno, log.Length == 0 ? string.Empty : CString(log));
            }
        }

        /// <summary>Creates a map; returns its file descriptor, or -1 with the errno.</summary>
        public static int CreateMap(MapCreateRequest request, out int errno)
        {
            var attr = new MapCreateAttributes
            {
                MapType = (uint)request.MapType,
                KeySize = request.KeySize,
                ValueSize = request.ValueSize,
                MaxEntries = request.MaxEntries,
                MapFlags = request.Flags,
                InnerMapFd = (uint)request.InnerMapFd,
                MapName = ObjectName.From(request.Name),
                BtfFd = (uint)request.BtfFd,
                BtfKeyTypeId = request.BtfKeyTypeId,
                BtfValueTypeId = request.BtfValueTypeId,
                BtfVmlinuxValueTypeId = request.BtfKernelValueTypeId,
                MapExtra = request.MapExtra,
            };
            return BpfSyscall.Invoke(BpfCommand.MapCreate, ref attr, out errno);
        }

        /// <summary>Loads a BTF blob; returns its file descriptor, or -1 with the errno.</summary>
        public static int LoadBtf(byte[] blob, out int errno) => LoadBtf(blob, out errno, out _, logSize: 0);

        /// <summary>Loads a BTF blob, with the kernel's BTF log when it refuses it.</summary>
        public static int LoadBtf(byte[] blob, out int errno, out string log, int logSize = 1 << 16)
        {
            var logBuffer = new byte[Math.Max(logSize, 1)];
            fixed (byte* data = blob)
            fixed (byte* logPointer = logBuffer)
            {
                var attr = new BtfLoadAttributes { Btf = (ulong)data, BtfSize = (uint)blob.Length };
                if (logSize > 0)
                {
                    attr.BtfLogBuf = (ulong)logPointer;
                    attr.BtfLogSize = (uint)logSize;
                    attr.BtfLogLevel = 1;
                }

                var fd = BpfSyscall.Invoke(BpfCommand.BtfLoad, ref attr, out errno);
                log = logSize > 0 ? CString(logBuffer) : string.Empty;
                return fd;
            }
        }

        /// <summary>BPF_MAP_UPDATE_ELEM (also BPF_MAP_LOOKUP_ELEM and friends share its layout): map fd, key, value, flags.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static int MapElement(BpfCommand command, int mapFd, ReadOnlySpan<byte> key, Span<byte> value, ulong flags, out int errno)
        {
            fixed (byte* keyPointer = key)
            fixed (byte* valuePointer = value)
            {
                var attr = new MapElementAttributes
                {
                    MapFd = (uint)mapFd,
                    Key = key.IsEmpty ? 0 : (ulong)keyPointer,
                    Value = value.IsEmpty ? 0 : (ulong)valuePointer,
                    Flags = flags,
                };
                return BpfSyscall.Invoke(command, ref attr, out errno);
            }
        }

        /// <summary>BPF_OBJ_PIN: the descriptor's object under a path in bpffs; 0, or -1 with the errno.</summary>
        public static int Pin(int fd, string path, out int errno) => PathCommand(BpfCommand.ObjPin, path, fd, out errno);

        /// <summary>BPF_OBJ_GET: a descriptor of the object pinned at a path, or -1 with the errno (ENOENT: nothing there).</summary>
        public static int OpenPinned(string path, out int errno) => PathCommand(BpfCommand.ObjGet, path, 0, out errno);

        private static int PathCommand(BpfCommand command, string path, int fd, out int errno)
        {
            var bytes = System.Text.Encoding.UTF8.GetBytes(path + "\0");
            fixed (byte* pathPointer = bytes)
            {
                var attr = new ObjectPathAttributes { Pathname = (ulong)pathPointer, BpfFd = (uint)fd };
                return BpfSyscall.Invoke(command, ref attr, out errno);
            }
        }

        /// <summary>BPF_OBJ_GET_INFO_BY_FD on a map: type, key and value sizes, entries, flags; null with the errno when it is not a map.</summary>
        public static (int Type, uint KeySize, uint ValueSize, uint MaxEntries, uint Flags, string Name)? MapInfo(int fd, out int errno)
        {
            // The kernel answers a program's or link's descriptor with its own info struct: tell them apart by the inode's kind.
            if (new System.IO.FileInfo("/proc/self/fd/" + fd.ToString(System.Globalization.CultureInfo.InvariantCulture)).LinkTarget is string kind && kind != "anon_inode:bpf-map")
            {
                errno = Errno.InvalidArgument;
                return null;
            }

            var info = default(BpfMapInfo);
            var attr = new ObjectInfoAttributes { BpfFd = (uint)fd, InfoLen = (uint)sizeof(BpfMapInfo), Info = (ulong)&info };
            if (BpfSyscall.Invoke(BpfCommand.ObjGetInfoByFd, ref attr, out errno) < 0)
            {
                return null;
            }

            return ((int)info.Type, info.KeySize, info.ValueSize, info.MaxEntries, info.MapFlags, CString(info.Name));
        }

        /// <summary>
        /// BPF_MAP_LOOKUP_BATCH and BPF_MAP_LOOKUP_AND_DELETE_BATCH (<c>union bpf_attr.batch</c>): up to <paramref name="count"/>
        /// entries from the position <paramref name="inBatch"/> names (empty: the start) into <paramref name="keys"/> and
        /// <paramref name="values"/>; the kernel writes the next position into <paramref name="outBatch"/> and the number of
        /// entries it copied into <paramref name="count"/>, also when it fails with ENOENT after the last entries.
        /// </summary>
        public static int MapBatch(BpfCommand command, int mapFd, ReadOnlySpan<byte> inBatch, Span<byte> outBatch, Span<byte> keys, Span<byte> values, ref uint count, out int errno)
        {
            fixed (byte* inPointer = inBatch)
            fixed (byte* outPointer = outBatch)
            fixed (byte* keysPointer = keys)
            fixed (byte* valuesPointer = values)
            {
                // ElemFlags and Flags stay 0: BPF_F_LOCK is for values with a bpf_spin_lock, which views do not read.
                var attr = new MapBatchAttributes
                {
                    InBatch = inBatch.IsEmpty ? 0 : (ulong)inPointer,
                    OutBatch = (ulong)outPointer,
                    Keys = (ulong)keysPointer,
                    Values = (ulong)valuesPointer,
                    Count = count,
                    MapFd = (uint)mapFd,
                };
                var result = BpfSyscall.Invoke(command, ref attr, out errno);
                count = attr.Count;
                return result;
            }
        }

        /// <summary>
        /// BPF_PROG_TEST_RUN: runs the program <paramref name="repeat"/> times on a packet (empty: none) and a context
        /// (empty: none). The kernel writes the packet as the program left it into <paramref name="dataOut"/> and the
        /// context into <paramref name="contextOut"/> (empty: not asked for); syscall programs write theirs back into
        /// <paramref name="contextIn"/>. 0 with the program's return value, or -1 with the errno.
        /// </summary>
        public static int TestRun(int programFd, ReadOnlySpan<byte> data, Span<byte> dataOut, uint repeat, Span<byte> contextIn, Span<byte> contextOut, out TestRunOutput output, out int errno)
        {
            fixed (byte* dataPointer = data)
            fixed (byte* dataOutPointer = dataOut)
            fixed (byte* contextInPointer = contextIn)
            fixed (byte* contextOutPointer = contextOut)
            {
                var attr = new ProgramTestRunAttributes
                {
                    ProgFd = (uint)programFd,
                    DataSizeIn = (uint)data.Length,
                    DataSizeOut = (uint)dataOut.Length,
                    DataIn = data.IsEmpty ? 0 : (ulong)dataPointer,
                    DataOut = dataOut.IsEmpty ? 0 : (ulong)dataOutPointer,
                    Repeat = repeat,
                };
                if (!contextIn.IsEmpty)
                {
                    attr.CtxSizeIn = (uint)contextIn.Length;
                    attr.CtxIn = (ulong)contextInPointer;
                }

                if (!contextOut.IsEmpty)
                {
                    attr.CtxSizeOut = (uint)contextOut.Length;
                    attr.CtxOut = (ulong)contextOutPointer;
                }

                var result = BpfSyscall.Invoke(BpfCommand.ProgTestRun, ref attr, out errno);
                output = new TestRunOutput((int)attr.Retval, attr.DataSizeOut, attr.Duration);
                return result;
            }
        }

        /// <summary>BPF_MAP_FREEZE: no more writes from user space (global read-only data after it is set).</summary>
        public static int FreezeMap(int mapFd, out int errno)
        {
            var attr = new MapFreezeAttributes { MapFd = (uint)mapFd };
            return BpfSyscall.Invoke(BpfCommand.MapFreeze, ref attr, out errno);
        }

        /// <summary>A NUL-terminated UTF-8 string in a kernel buffer (all of it when there is no NUL).</summary>
        internal static string CString(ReadOnlySpan<byte> bytes)
        {
            var end = bytes.IndexOf((byte)0);
            return Encoding.UTF8.GetString(end < 0 ? bytes : bytes.Slice(0, end));
        }
    }

    /// <summary>
    /// The probe's BTF: two integer types for the storage maps' keys and values, and two static functions (the program
    /// and a callback) whose func_info lets a probe program pass a callback to a helper.
    /// </summary>
    internal static class ProbeBtf
    {
        /// <summary>BTF type id of a 4-byte signed <c>int</c>.</summary>
        public const uint IntTypeId = 1;

        /// <summary>BTF type id of an 8-byte signed <c>long long</c>.</summary>
        public const uint LongTypeId = 2;

        /// <summary>BTF type id of the FUNC that is the program itself (<c>int main(void *ctx)</c>).</summary>
        public const uint MainFunctionTypeId = 5;

        /// <summary>BTF type id of the FUNC of a callback (<c>long callback(long, long, long, long)</c>).</summary>
        public const uint CallbackFunctionTypeId = 7;

        private const uint Int = 1, Pointer = 2, Function = 12, FunctionPrototype = 13;

        public static byte[] Build()
        {
            // Strings: "", "int", "long long", "main", "callback", "a" at offsets 0, 1, 5, 15, 20, 29; the kernel wants
            // every parameter of a function named.
            var strings = Encoding.ASCII.GetBytes("\0int\0long long\0main\0callback\0a\0");
            var types = new List<uint>
            {
                1, Int << 24, 4, (1u << 24) | 32,                       // [1] int
                5, Int << 24, 8, (1u << 24) | 64,                       // [2] long long
                0, Pointer << 24, 0,                                    // [3] void *
                0, (FunctionPrototype << 24) | 1, IntTypeId, 29, 3,     // [4] int (void *a)
                15, Function << 24, 4,                                  // [5] static main
                0, (FunctionPrototype << 24) | 4, LongTypeId, 29, LongTypeId, 29, LongTypeId, 29, LongTypeId, 29, LongTypeId, // [6] long (long a, ...)
                20, Function << 24, 6,                                  // [7] static callback
            };
            var typeBytes = MemoryMarshal.AsBytes(types.ToArray().AsSpan()).ToArray();
            var header = new byte[24];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(header, 0xeB9F);
            header[2] = 1; // version
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(4), 24);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(8), 0);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(12), (uint)typeBytes.Length);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(16), (uint)typeBytes.Length);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(20), (uint)strings.Length);
            var blob = new byte[header.Length + typeBytes.Length + strings.Length];
            header.CopyTo(blob, 0);
            typeBytes.CopyTo(blob, header.Length);
            strings.CopyTo(blob, header.Length + typeBytes.Length);
            return blob;
        }
    }
}
