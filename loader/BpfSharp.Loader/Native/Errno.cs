namespace BpfSharp.Loader.Native
{
    /// <summary>The Linux errno values this library tells apart (the generic numbers, the same on every architecture it runs on).</summary>
    internal static class Errno
    {
        /// <summary><c>EPERM</c>: the caller lacks a capability, or the object refuses the change (a frozen map).</summary>
        public const int NotPermitted = 1;

        /// <summary><c>ENOENT</c>: no such entry, file, tracepoint or pinned object.</summary>
        public const int NoEntry = 2;

        /// <summary><c>EINTR</c>: a signal interrupted the call; try again.</summary>
        public const int Interrupted = 4;

        /// <summary><c>ENOMEM</c>: out of memory (or over the locked-memory limit).</summary>
        public const int OutOfMemory = 12;

        /// <summary><c>EACCES</c>: permission denied.</summary>
        public const int AccessDenied = 13;

        /// <summary><c>EBUSY</c>: something holds the resource already (a program attached there, a mapping in place).</summary>
        public const int Busy = 16;

        /// <summary><c>EEXIST</c>: it exists already.</summary>
        public const int Exists = 17;

        /// <summary><c>ENODEV</c>: no such device (an interface that is gone).</summary>
        public const int NoDevice = 19;

        /// <summary><c>EINVAL</c>: an argument the kernel does not accept, often a command or attach type it does not know.</summary>
        public const int InvalidArgument = 22;

        /// <summary><c>ENOSPC</c>: a buffer is too small (the verifier log, a batch).</summary>
        public const int NoSpace = 28;

        /// <summary><c>ENOSYS</c>: no such system call here.</summary>
        public const int NoSystemCall = 38;

        /// <summary><c>EBADMSG</c>: a malformed message.</summary>
        public const int BadMessage = 74;

        /// <summary><c>EOPNOTSUPP</c>: the operation is not supported.</summary>
        public const int NotSupported = 95;

        /// <summary><c>ENOTSUPP</c>: the kernel's internal "not supported" that leaks to user space (no such operation for this map type).</summary>
        public const int KernelNotSupported = 524;
    }
}
