using System.Text;

namespace BpfSharp.Loader.Native
{
    /// <summary>The <c>bpf(2)</c> commands that attach a program and return a link: each gives its descriptor, or -1 with the errno.</summary>
    internal static unsafe class KernelLinks
    {
        /// <summary>BPF_RAW_TRACEPOINT_OPEN: the program on the raw tracepoint of that name ("sys_enter").</summary>
        public static int OpenRawTracepoint(int programFd, string name, out int errno)
        {
            var nameBytes = Encoding.ASCII.GetBytes(name + "\0");
            fixed (byte* namePointer = nameBytes)
            {
                var attr = new RawTracepointOpenAttributes { Name = (ulong)namePointer, ProgFd = (uint)programFd };
                return BpfSyscall.Invoke(BpfCommand.RawTracepointOpen, ref attr, out errno);
            }
        }

        /// <summary>BPF_LINK_CREATE: the program on a target (an interface index or a file descriptor) with an attach type and flags.</summary>
        public static int Create(int programFd, int target, int attachType, uint flags, out int errno)
        {
            var attr = new LinkCreateAttributes { ProgFd = (uint)programFd, TargetFd = (uint)target, AttachType = (uint)attachType, Flags = flags };
            return BpfSyscall.Invoke(BpfCommand.LinkCreate, ref attr, out errno);
        }
    }
}
