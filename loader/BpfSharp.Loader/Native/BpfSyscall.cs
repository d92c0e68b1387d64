using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace BpfSharp.Loader.Native
{
    /// <summary>The <c>bpf(2)</c> commands this library issues (values of the kernel's <c>enum bpf_cmd</c>).</summary>
    internal enum BpfCommand
    {
        MapCreate = 0,
        MapLookupElem = 1,
        MapUpdateElem = 2,
        MapDeleteElem = 3,
        MapGetNextKey = 4,
        ProgLoad = 5,
        ObjPin = 6,
        ObjGet = 7,
        ProgTestRun = 10,
        ObjGetInfoByFd = 15,
        RawTracepointOpen = 17,
        BtfLoad = 18,
        MapLookupAndDeleteElem = 21,
        MapFreeze = 22,
        MapLookupBatch = 24,
        MapLookupAndDeleteBatch = 25,
        LinkCreate = 28,
    }

    /// <summary>
    /// The raw <c>bpf(2)</c> system call through libc's <c>syscall()</c>: libc has no bpf() wrapper. The call takes a
    /// union whose size the caller states; each command fills its own struct of it (BpfMapAttributes.cs and the like).
    /// </summary>
    internal static unsafe class BpfSyscall
    {
        /// <summary>The system call number of bpf on this architecture, or -1 where this library does not know it.</summary>
        public static long Number => RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => 321,
            Architecture.Arm64 => 280,
            Architecture.X86 => 357,
            Architecture.Arm => 386,
            _ => -1,
        };

        /// <summary>
        /// Runs one command on its part of <c>union bpf_attr</c>, passing the struct's size; the result is the kernel's
        /// return value (often a new file descriptor) or -1 with <paramref name="errno"/> set. Fields the kernel writes
        /// back (counts, sizes) are in <paramref name="attributes"/> after it.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static int Invoke<TAttr>(BpfCommand command, ref TAttr attributes, out int errno)
            where TAttr : unmanaged
        {
            if (!OperatingSystem.IsLinux() || Number < 0)
            {
                errno = Errno.NoSystemCall;
                return -1;
            }

            fixed (TAttr* attr = &attributes)
            {
                var result = syscall(Number, (long)command, attr, sizeof(TAttr));
                errno = result < 0 ? Marshal.GetLastPInvokeError() : 0;
                return (int)result;
            }
        }

        /// <summary>Closes a file descriptor the kernel returned.</summary>
        public static void Close(int fd)
        {
            if (fd >= 0)
            {
                close(fd);
            }
        }

        /// <summary>The C library's text for an errno value (<c>EPERM</c> gives "Operation not permitted").</summary>
        public static string Describe(int errno) => Marshal.GetPInvokeErrorMessage(errno) + " (errno " + errno.ToString(System.Globalization.CultureInfo.InvariantCulture) + ")";

        [DllImport("libc", SetLastError = true)]
        private static extern long syscall(long number, long command, void* attributes, long size);

        [DllImport("libc", SetLastError = true)]
        private static extern int close(int fd);
    }
}
