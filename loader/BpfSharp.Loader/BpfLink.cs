using System;
using System.IO;
using BpfSharp.Loader.Native;

namespace BpfSharp
{
    /// <summary>An attached program (a kernel BPF link): disposing it detaches the program.</summary>
    public sealed class BpfLink : IDisposable
    {
        private int _fd;
        private int _companionFd = -1;
        private Action? _detach;

        internal BpfLink(int fd, string description)
        {
            _fd = fd;
            Description = description;
        }

        // A link over a descriptor it must keep open while attached (the perf event of a tracepoint or kprobe):
        // closed after the link, when the program is already detached.
        internal BpfLink(int fd, int companionFd, string description)
            : this(fd, description)
        {
            _companionFd = companionFd;
        }

        // An attachment that is not a kernel link (a socket's filter): detached by the action.
        internal BpfLink(Action detach, string description)
        {
            _fd = -1;
            _detach = detach;
            Description = description;
        }

        /// <summary>What is attached where ("CountPackets on lo (XDP, generic mode)").</summary>
        public string Description { get; }

        public bool IsAttached => _fd >= 0 || _detach != null;

        /// <summary>
        /// Pins the link at a path in bpffs: the program stays attached after the link is disposed and the process exits,
        /// until the file is deleted. A socket filter is no kernel link and cannot be pinned.
        /// </summary>
        public void Pin(string path)
        {
            if (_fd < 0)
            {
                throw new InvalidOperationException(_detach is null ? $"{Description} is detached" : $"{Description} is not a kernel link, so it cannot be pinned");
            }

            Pinning.Pin(_fd, path, Description);
        }

        /// <summary>Detaches.</summary>
        public void Dispose()
        {
            BpfSyscall.Close(_fd);
            _fd = -1;
            BpfSyscall.Close(_companionFd);
            _companionFd = -1;
            var detach = _detach;
            _detach = null;
            detach?.Invoke();
        }

        public override string ToString() => Description;

        /// <summary>The index of a network interface, or a clear error naming it.</summary>
        internal static int InterfaceIndex(string name)
        {
            var path = Path.Combine("/sys/class/net", name, "ifindex");
            if (name.Length == 0 || name.Contains('/', StringComparison.Ordinal) || !File.Exists(path))
            {
                throw new BpfException($"there is no network interface '{name}' (see 'ip link')");
            }

            return int.Parse(File.ReadAllText(path).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        }

        /// <summary>BPF_LINK_CREATE: program, target (an interface index or a file descriptor), attach type, flags.</summary>
        /// <remarks>With <paramref name="companionFd"/>, the link owns that descriptor once created (the caller still does when this throws).</remarks>
        internal static BpfLink Create(BpfLoadedProgram program, int target, int attachType, uint flags, string description, int companionFd = -1)
        {
            using var descriptor = program.Use();
            var fd = KernelLinks.Create(descriptor.Fd, target, attachType, flags, out var errno);
            return fd >= 0
                ? new BpfLink(fd, companionFd, description)
                : throw new BpfException($"could not attach {description}: {BpfSyscall.Describe(errno)}" + (errno == Errno.Busy ? " (another program is attached there already)" : string.Empty), errno);
        }
    }

    /// <summary>How an XDP program runs: in the driver (native), or generically after the driver (works on any interface, lo included).</summary>
    public enum XdpMode
    {
        Generic,
        Native,
    }

    /// <summary>Where on an interface a TC program runs.</summary>
    public enum TcDirection
    {
        Ingress,
        Egress,
    }

    /// <summary>How <see cref="BpfLoadedProgram.AttachTc"/> attaches a TC program.</summary>
    public enum TcAttachMode
    {
        /// <summary>tcx where the kernel has it (Linux 6.6+), else a clsact classifier.</summary>
        Auto,

        /// <summary>A tcx link only (Linux 6.6+): the program detaches when the link's last descriptor closes.</summary>
        Tcx,

        /// <summary>
        /// A direct-action <c>bpf</c> classifier on the interface's <c>clsact</c> qdisc, set up through rtnetlink (any
        /// kernel since 4.5). Not a kernel link: it stays attached after the process exits unless the link is disposed.
        /// </summary>
        Clsact,
    }

    public sealed partial class BpfLoadedProgram
    {
        private const int AttachXdpType = 37; // BPF_XDP
        private const int AttachTcxIngress = 46; // BPF_TCX_INGRESS
        private const int AttachTcxEgress = 47; // BPF_TCX_EGRESS
        private const uint XdpSkbMode = 1u << 1; // XDP_FLAGS_SKB_MODE
        private const uint XdpDriverMode = 1u << 2; // XDP_FLAGS_DRV_MODE

        /// <summary>Attaches an XDP program to a network interface ("lo", "eth0"); dispose the link to detach.</summary>
        public BpfLink AttachXdp(string interfaceName, XdpMode mode = XdpMode.Generic)
        {
            RequireType("AttachXdp", BpfProgramType.Xdp);
            return BpfLink.Create(this, BpfLink.InterfaceIndex(interfaceName), AttachXdpType, mode == XdpMode.Generic ? XdpSkbMode : XdpDriverMode, $"{Name} on {interfaceName} (XDP, {mode.ToString().ToLowerInvariant()} mode)");
        }

        /// <summary>
        /// Attaches a TC program to an interface's ingress or egress; dispose the link to detach. <see cref="TcAttachMode.Auto"/>
        /// uses tcx (Linux 6.6+) and, where the kernel has no tcx, a direct-action classifier on the clsact qdisc.
        /// </summary>
        public BpfLink AttachTc(string interfaceName, TcDirection direction = TcDirection.Ingress, TcAttachMode mode = TcAttachMode.Auto)
        {
            RequireType("AttachTc", BpfProgramType.SchedCls);
            var ifindex = BpfLink.InterfaceIndex(interfaceName);
            if (mode == TcAttachMode.Clsact)
            {
                return AttachClsact(ifindex, interfaceName, direction, fallbackReason: null);
            }

            try
            {
                return BpfLink.Create(this, ifindex, direction == TcDirection.Ingress ? AttachTcxIngress : AttachTcxEgress, 0, $"{Name} on {interfaceName} (tcx {direction.ToString().ToLowerInvariant()})");
            }
            catch (BpfException e) when (mode == TcAttachMode.Auto && e.Errno == Errno.InvalidArgument)
            {
                // A kernel before 6.6 knows no tcx attach type: BPF_LINK_CREATE says EINVAL.
                return AttachClsact(ifindex, interfaceName, direction, $"tcx failed: {e.Message}");
            }
        }

        private BpfLink AttachClsact(int ifindex, string interfaceName, TcDirection direction, string? fallbackReason)
        {
            var where = $"{interfaceName} {direction.ToString().ToLowerInvariant()}";
            TcFilter filter;
            try
            {
                using var descriptor = Use();
                filter = TcNetlink.Attach(ifindex, direction == TcDirection.Ingress ? TcNetlink.IngressParent : TcNetlink.EgressParent, descriptor.Fd, Name, where);
            }
            catch (BpfException e) when (fallbackReason != null)
            {
                throw new BpfException($"{e.Message} (the clsact fallback, after {fallbackReason})", e.Errno);
            }

            var description = $"{Name} on {interfaceName} (clsact {direction.ToString().ToLowerInvariant()})";
            return new BpfLink(() => DetachClsact(filter, description), description);
        }

        // The filter holds its own reference to the program: deleting it needs only where it is, not the program.
        private static void DetachClsact(TcFilter filter, string description)
        {
            var errno = TcNetlink.Detach(filter, description, out var kernelText);
            // Gone already (deleted with tc, the qdisc or the interface removed): nothing left to detach.
            if (errno is not (0 or Errno.NoEntry or Errno.NoDevice or Errno.InvalidArgument))
            {
                throw new BpfException($"could not detach {description}: {(kernelText is null ? string.Empty : kernelText + ": ")}{BpfSyscall.Describe(errno)}", errno);
            }
        }

        private const int SocketLevel = 1; // SOL_SOCKET
        private const int AttachBpf = 50; // SO_ATTACH_BPF
        private const int DetachBpf = 27; // SO_DETACH_BPF

        /// <summary>Attaches a socket filter to a socket: what it returns is how many bytes of each packet the socket keeps (0 drops it).</summary>
        public BpfLink AttachSocket(System.Net.Sockets.Socket socket)
        {
            RequireType("AttachSocket", BpfProgramType.SocketFilter);
            ArgumentNullException.ThrowIfNull(socket);
            try
            {
                using var descriptor = Use();
                socket.SetRawSocketOption(SocketLevel, AttachBpf, BitConverter.GetBytes(descriptor.Fd));
            }
            catch (System.Net.Sockets.SocketException e)
            {
                throw new BpfException($"could not attach {Name} to the socket: {e.Message}", e.ErrorCode);
            }

            return new BpfLink(() => { if (socket.SafeHandle is { IsClosed: false }) { socket.SetRawSocketOption(SocketLevel, DetachBpf, new byte[4]); } }, $"{Name} on a {socket.ProtocolType} socket (socket filter)");
        }
    }

    /// <summary>Pins kernel objects in bpffs with errors that say what to do.</summary>
    internal static class Pinning
    {
        public static void Pin(int fd, string path, string what)
        {
            ArgumentException.ThrowIfNullOrEmpty(path);
            if (KernelObjects.Pin(fd, path, out var errno) < 0)
            {
                throw new BpfException($"{what} could not be pinned at {path}: {BpfSyscall.Describe(errno)}" + errno switch
                {
                    Errno.NoEntry => " (the folder must exist in a mounted bpffs: mount -t bpf bpf /sys/fs/bpf)",
                    Errno.Exists => " (something is pinned there already: delete the file first)",
                    Errno.NotPermitted or Errno.InvalidArgument => " (the path must be inside a bpffs mount such as /sys/fs/bpf)",
                    _ => string.Empty,
                }, errno);
            }
        }
    }
}
