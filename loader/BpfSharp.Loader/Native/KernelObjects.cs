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

        /// <summary>bpf_line_info records (16 bytes each: instruction, file name, line text, line/column), for the verifier's log.</summary>
        public byte[]? LineInfo { get; init; }

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

    /// <summary>The kernel objects the probe needs: programs, maps and BTF, each a <c>bpf(2)</c> command.</summary>
    internal static unsafe class KernelObjects
    {
        // Sizes of the parts of union bpf_attr this code fills (fields past them stay zero, which every kernel accepts).
        private const int ProgramLoadSize = 128;
        private const int MapCreateSize = 72;
        private const int BtfLoadSize = 32;
        private const int MapBatchSize = 56; // in_batch, out_batch, keys, values, count, map_fd, elem_flags, flags
        private const int FunctionInfoSize = 8; // struct bpf_func_info: insn_off, type_id
        public const int LineInfoSize = 16; // struct bpf_line_info: insn_off, file_name_off, line_off, line_col

        /// <summary>Loads a program; the log is kept whether or not the load succeeded.</summary>
        public static ProgramLoadResult LoadProgram(ProgramLoadRequest request, int logSize = 1 << 18)
        {
            var code = request.Code ?? BpfInstruction.Encode(request.Instructions);
            var lineInfo = request.LineInfo ?? Array.Empty<byte>();
            var license = Encoding.ASCII.GetBytes(request.License + "\0");
            var log = new byte[logSize];
            var functionInfo = new byte[request.FunctionInfo.Count * FunctionInfoSize];
            for (var i = 0; i < request.FunctionInfo.Count; i++)
            {
                AttrWriter.U32(functionInfo, i * FunctionInfoSize, (uint)request.FunctionInfo[i].InstructionOffset);
                AttrWriter.U32(functionInfo, (i * FunctionInfoSize) + 4, request.FunctionInfo[i].TypeId);
            }

            Span<byte> attr = stackalloc byte[ProgramLoadSize];
            attr.Clear();
            fixed (byte* insns = code)
            fixed (byte* licensePointer = license)
            fixed (byte* logPointer = log)
            fixed (byte* functionInfoPointer = functionInfo)
            fixed (byte* lineInfoPointer = lineInfo)
            {
                AttrWriter.U32(attr, 0, (uint)request.ProgramType);
                AttrWriter.U32(attr, 4, (uint)(code.Length / 8));
                AttrWriter.U64(attr, 8, (ulong)insns);
                AttrWriter.U64(attr, 16, (ulong)licensePointer);
                if (request.LogLevel > 0 && log.Length > 0)
                {
                    AttrWriter.U32(attr, 24, request.LogLevel);
                    AttrWriter.U32(attr, 28, (uint)log.Length);
                    AttrWriter.U64(attr, 32, (ulong)logPointer);
                }
                AttrWriter.U32(attr, 44, request.Flags);
                AttrWriter.Name(attr, 48, request.Name);
                AttrWriter.U32(attr, 68, (uint)request.ExpectedAttachType);
                if (request.FunctionInfo.Count > 0)
                {
                    AttrWriter.U32(attr, 72, (uint)request.BtfFd);
                    AttrWriter.U32(attr, 76, FunctionInfoSize);
                    AttrWriter.U64(attr, 80, (ulong)functionInfoPointer);
                    AttrWriter.U32(attr, 88, (uint)request.FunctionInfo.Count);
                }

                if (lineInfo.Length > 0)
                {
                    AttrWriter.U32(attr, 92, LineInfoSize);
                    AttrWriter.U64(attr, 96, (ulong)lineInfoPointer);
                    AttrWriter.U32(attr, 104, (uint)(lineInfo.Length / LineInfoSize));
                }

                AttrWriter.U32(attr, 108, request.AttachBtfId);
                var fd = BpfSyscall.Invoke(BpfCommand.ProgLoad, attr, out var errno);
                return new ProgramLoadResult(fd, errno, log.Length == 0 ? string.Empty : CString(log));
            }
        }

        /// <summary>Creates a map; returns its file descriptor, or -1 with the errno.</summary>
        public static int CreateMap(MapCreateRequest request, out int errno)
        {
            Span<byte> attr = stackalloc byte[MapCreateSize];
            attr.Clear();
            AttrWriter.U32(attr, 0, (uint)request.MapType);
            AttrWriter.U32(attr, 4, request.KeySize);
            AttrWriter.U32(attr, 8, request.ValueSize);
            AttrWriter.U32(attr, 12, request.MaxEntries);
            AttrWriter.U32(attr, 16, request.Flags);
            AttrWriter.U32(attr, 20, (uint)request.InnerMapFd);
            AttrWriter.Name(attr, 28, request.Name);
            AttrWriter.U32(attr, 48, (uint)request.BtfFd);
            AttrWriter.U32(attr, 52, request.BtfKeyTypeId);
            AttrWriter.U32(attr, 56, request.BtfValueTypeId);
            AttrWriter.U32(attr, 60, request.BtfKernelValueTypeId);
            AttrWriter.U64(attr, 64, request.MapExtra);
            return BpfSyscall.Invoke(BpfCommand.MapCreate, attr, out errno);
        }

        /// <summary>Loads a BTF blob; returns its file descriptor, or -1 with the errno.</summary>
        public static int LoadBtf(byte[] blob, out int errno) => LoadBtf(blob, out errno, out _, logSize: 0);

        /// <summary>Loads a BTF blob, with the kernel's BTF log when it refuses it.</summary>
        public static int LoadBtf(byte[] blob, out int errno, out string log, int logSize = 1 << 16)
        {
            Span<byte> attr = stackalloc byte[BtfLoadSize];
            attr.Clear();
            var logBuffer = new byte[Math.Max(logSize, 1)];
            fixed (byte* data = blob)
            fixed (byte* logPointer = logBuffer)
            {
                AttrWriter.U64(attr, 0, (ulong)data);
                AttrWriter.U32(attr, 16, (uint)blob.Length);
                if (logSize > 0)
                {
                    AttrWriter.U64(attr, 8, (ulong)logPointer);
                    AttrWriter.U32(attr, 20, (uint)logSize);
                    AttrWriter.U32(attr, 24, 1);
                }

                var fd = BpfSyscall.Invoke(BpfCommand.BtfLoad, attr, out errno);
                log = logSize > 0 ? CString(logBuffer) : string.Empty;
                return fd;
            }
        }

        /// <summary>BPF_MAP_UPDATE_ELEM (also BPF_MAP_LOOKUP_ELEM and friends share its layout): map fd, key, value, flags.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static int MapElement(BpfCommand command, int mapFd, ReadOnlySpan<byte> key, Span<byte> value, ulong flags, out int errno)
        {
            Span<byte> attr = stackalloc byte[32];
            attr.Clear();
            fixed (byte* keyPointer = key)
            fixed (byte* valuePointer = value)
            {
                AttrWriter.U32(attr, 0, (uint)mapFd);
                AttrWriter.U64(attr, 8, key.IsEmpty ? 0 : (ulong)keyPointer);
                AttrWriter.U64(attr, 16, value.IsEmpty ? 0 : (ulong)valuePointer);
                AttrWriter.U64(attr, 24, flags);
                return BpfSyscall.Invoke(command, attr, out errno);
            }
        }

        /// <summary>BPF_OBJ_PIN: the descriptor's object under a path in bpffs; 0, or -1 with the errno.</summary>
        public static int Pin(int fd, string path, out int errno) => PathCommand(BpfCommand.ObjPin, path, fd, out errno);

        /// <summary>BPF_OBJ_GET: a descriptor of the object pinned at a path, or -1 with the errno (ENOENT: nothing there).</summary>
        public static int OpenPinned(string path, out int errno) => PathCommand(BpfCommand.ObjGet, path, 0, out errno);

        // union bpf_attr's obj part: the path, then the descriptor to pin (0 for BPF_OBJ_GET).
        private static int PathCommand(BpfCommand command, string path, int fd, out int errno)
        {
            var bytes = System.Text.Encoding.UTF8.GetBytes(path + "\0");
            Span<byte> attr = stackalloc byte[16];
            attr.Clear();
            fixed (byte* pathPointer = bytes)
            {
                AttrWriter.U64(attr, 0, (ulong)pathPointer);
                AttrWriter.U32(attr, 8, (uint)fd);
                return BpfSyscall.Invoke(command, attr, out errno);
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

            var info = new byte[88]; // struct bpf_map_info up to map_extra
            Span<byte> attr = stackalloc byte[16];
            attr.Clear();
            fixed (byte* infoPointer = info)
            {
                AttrWriter.U32(attr, 0, (uint)fd);
                AttrWriter.U32(attr, 4, (uint)info.Length);
                AttrWriter.U64(attr, 8, (ulong)infoPointer);
                if (BpfSyscall.Invoke(BpfCommand.ObjGetInfoByFd, attr, out errno) < 0)
                {
                    return null;
                }
            }

            uint At(int offset) => System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(info.AsSpan(offset));
            return ((int)At(0), At(8), At(12), At(16), At(20), CString(info.AsSpan(24, 16)));
        }

        /// <summary>
        /// BPF_MAP_LOOKUP_BATCH and BPF_MAP_LOOKUP_AND_DELETE_BATCH (<c>union bpf_attr.batch</c>): up to <paramref name="count"/>
        /// entries from the position <paramref name="inBatch"/> names (empty: the start) into <paramref name="keys"/> and
        /// <paramref name="values"/>; the kernel writes the next position into <paramref name="outBatch"/> and the number of
        /// entries it copied into <paramref name="count"/>, also when it fails with ENOENT after the last entries.
        /// </summary>
        public static int MapBatch(BpfCommand command, int mapFd, ReadOnlySpan<byte> inBatch, Span<byte> outBatch, Span<byte> keys, Span<byte> values, ref uint count, out int errno)
        {
            Span<byte> attr = stackalloc byte[MapBatchSize];
            attr.Clear();
            fixed (byte* inPointer = inBatch)
            fixed (byte* outPointer = outBatch)
            fixed (byte* keysPointer = keys)
            fixed (byte* valuesPointer = values)
            {
                AttrWriter.U64(attr, 0, inBatch.IsEmpty ? 0 : (ulong)inPointer);
                AttrWriter.U64(attr, 8, (ulong)outPointer);
                AttrWriter.U64(attr, 16, (ulong)keysPointer);
                AttrWriter.U64(attr, 24, (ulong)valuesPointer);
                AttrWriter.U32(attr, 32, count);
                AttrWriter.U32(attr, 36, (uint)mapFd);
                // elem_flags (40) and flags (48) stay 0: BPF_F_LOCK is for values with a bpf_spin_lock, which views do not read.
                var result = BpfSyscall.Invoke(command, attr, out errno);
                count = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(attr.Slice(32));
                return result;
            }
        }

        /// <summary>BPF_MAP_FREEZE: no more writes from user space (global read-only data after it is set).</summary>
        public static int FreezeMap(int mapFd, out int errno)
        {
            Span<byte> attr = stackalloc byte[8];
            attr.Clear();
            AttrWriter.U32(attr, 0, (uint)mapFd);
            return BpfSyscall.Invoke(BpfCommand.MapFreeze, attr, out errno);
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
