using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

// The parts of the kernel's union bpf_attr (include/uapi/linux/bpf.h) that this library fills, one struct per command
// group, with the kernel's field names and layout. Pointers are __aligned_u64 fields: ulong here. Every struct starts
// as default: the kernel refuses non-zero bytes past the fields it knows, and zero is "not set" for every field.
namespace BpfSharp.Loader.Native
{
    /// <summary>A kernel object name (<c>char[BPF_OBJ_NAME_LEN]</c>): at most 15 ASCII bytes and the terminating zero.</summary>
    [InlineArray(Length)]
    internal struct ObjectName
    {
        public const int Length = 16;

        private byte _element;

        /// <summary>The name's first 15 ASCII bytes; null leaves it empty.</summary>
        public static ObjectName From(string? name)
        {
            var result = default(ObjectName);
            if (name is not null)
            {
                var bytes = Encoding.ASCII.GetBytes(name);
                bytes.AsSpan(0, Math.Min(bytes.Length, Length - 1)).CopyTo(result);
            }

            return result;
        }
    }

    /// <summary><c>BPF_OBJ_PIN</c> and <c>BPF_OBJ_GET</c>: a path in bpffs and the descriptor to pin (0 for GET).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct ObjectPathAttributes
    {
        /// <summary>A NUL-terminated path.</summary>
        public ulong Pathname;
        public uint BpfFd;
        public uint FileFlags;
    }

    /// <summary><c>BPF_OBJ_GET_INFO_BY_FD</c>: the kernel writes up to <see cref="InfoLen"/> bytes of the object's info struct to <see cref="Info"/>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct ObjectInfoAttributes
    {
        public uint BpfFd;

        /// <summary>In: the buffer's size; out: how much the kernel wrote.</summary>
        public uint InfoLen;
        public ulong Info;
    }
}
