using System;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;

namespace BpfSharp.Loader.Native
{
    /// <summary>The cgroup v2 directories cgroup programs attach to.</summary>
    internal static unsafe class CgroupDirectory
    {
        private const long Cgroup2Magic = 0x63677270; // CGROUP2_SUPER_MAGIC
        private const long Cgroup1Magic = 0x27e0eb; // CGROUP_SUPER_MAGIC

        /// <summary>A cgroup v2 directory opened for BPF_LINK_CREATE, or a BpfException saying why the path is not one.</summary>
        public static int Open(string path, string description)
        {
            // O_DIRECTORY differs between architectures; O_CLOEXEC does not.
            var directory = RuntimeInformation.ProcessArchitecture is Architecture.Arm or Architecture.Arm64 ? 0x4000 : 0x10000;
            var fd = open(path, directory | 0x80000);
            if (fd < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                throw new BpfException($"could not attach {description}: {path} is not a cgroup v2 directory ({BpfSyscall.Describe(errno)}){V2Hint()}", errno);
            }

            var statfs = stackalloc byte[256];
            if (fstatfs(fd, statfs) != 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                BpfSyscall.Close(fd);
                throw new BpfException($"could not attach {description}: fstatfs on {path} failed: {BpfSyscall.Describe(errno)}", errno);
            }

            var magic = IntPtr.Size == 8 ? *(long*)statfs : *(int*)statfs; // f_type: the first field, a C long
            if (magic != Cgroup2Magic)
            {
                BpfSyscall.Close(fd);
                throw new BpfException($"could not attach {description}: {path} is " + (magic == Cgroup1Magic ? "a cgroup v1 directory (BPF programs attach to cgroup v2 only)" : "not in a cgroup v2 file system") + V2Hint());
            }

            return fd;
        }

        // Where cgroup v2 is mounted, from /proc/self/mounts, to say where to look instead.
        private static string V2Hint()
        {
            try
            {
                var mountPoint = File.ReadLines("/proc/self/mounts").Select(l => l.Split(' ')).FirstOrDefault(f => f.Length > 2 && f[2] == "cgroup2")?[1];
                return mountPoint is null ? "; no cgroup v2 file system is mounted (mount -t cgroup2 none <dir>)" : $"; cgroup v2 is mounted at {mountPoint}";
            }
            catch (IOException)
            {
                return string.Empty;
            }
        }

        [DllImport("libc", SetLastError = true)]
        private static extern int open(string path, int flags);

        [DllImport("libc", SetLastError = true)]
        private static extern int fstatfs(int fd, byte* buffer);
    }
}
