using System;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;

namespace BpfSharp.Loader.Native
{
    /// <summary>tracefs: where tracepoint ids are read; mounted at <c>/sys/kernel/tracing</c> when it is nowhere.</summary>
    internal static class TraceFs
    {
        public const string MountPoint = "/sys/kernel/tracing";
        private static readonly string[] s_roots = { MountPoint, "/sys/kernel/debug/tracing" };
        private static readonly object s_mounting = new();

        /// <summary>The mounted tracefs, mounting it when it is not (as root), or a BpfException saying how to mount it.</summary>
        public static string Root()
        {
            if (Find() is string root)
            {
                return root;
            }

            lock (s_mounting)
            {
                if (Find() is string mounted)
                {
                    return mounted;
                }

                if (mount("tracefs", MountPoint, "tracefs", 0, IntPtr.Zero) != 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    throw new BpfException($"tracefs is not mounted and could not be mounted at {MountPoint}: {BpfSyscall.Describe(errno)}; as root: mount -t tracefs tracefs {MountPoint}", errno);
                }

                return Find() ?? throw new BpfException($"tracefs was mounted at {MountPoint} but has no events folder (is CONFIG_EVENT_TRACING off?)");
            }
        }

        private static string? Find() => s_roots.FirstOrDefault(root => Directory.Exists(Path.Combine(root, "events")));

        [DllImport("libc", SetLastError = true)]
        private static extern int mount(string source, string target, string fileSystemType, nuint flags, IntPtr data);
    }
}
