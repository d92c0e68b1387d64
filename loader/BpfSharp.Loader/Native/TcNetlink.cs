using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;

namespace BpfSharp.Loader.Native
{
    /// <summary>A TC classifier this library added: what RTM_DELTFILTER needs to delete exactly it.</summary>
    internal readonly record struct TcFilter(int InterfaceIndex, uint Parent, ushort Priority, uint Handle);

    /// <summary>A <c>bpf</c> classifier found on a hook: its priority, handle, name and program id.</summary>
    internal readonly record struct TcBpfFilter(ushort Priority, uint Handle, string? Name, uint ProgramId, bool DirectAction);

    /// <summary>
    /// TC programs the way kernels before tcx (Linux 6.6) run them: a <c>bpf</c> classifier in direct-action mode on the
    /// interface's <c>clsact</c> qdisc, set up over rtnetlink with messages written by hand (netlink header, <c>tcmsg</c>,
    /// attributes: host byte order, each 4-byte aligned). Every operation opens its own NETLINK_ROUTE socket and closes it before returning.
    /// </summary>
    /// <remarks>
    /// The qdisc is never deleted by a detach: deleting it deletes every filter on it, and checking that none is left
    /// cannot be made atomic with the delete (tc or another loader may add one meanwhile). An empty clsact is cheap;
    /// libbpf too leaves it to an explicit call (bpf_tc_hook_destroy). <see cref="DeleteClsact"/> is that call, for tests.
    /// </remarks>
    internal static unsafe partial class TcNetlink
    {
        public const uint IngressParent = 0xFFFF_FFF2; // TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS)
        public const uint EgressParent = 0xFFFF_FFF3; // TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_EGRESS)
        private const uint ClsactParent = 0xFFFF_FFF1; // TC_H_CLSACT (the same as TC_H_INGRESS)
        private const uint ClsactHandle = 0xFFFF_0000; // TC_H_MAKE(TC_H_CLSACT, 0)

        private const int AfNetlink = 16;
        private const int NetlinkRoute = 0;
        private const int SockRaw = 3;
        private const int SockCloexec = 0x80000;
        private const int SolNetlink = 270;
        private const int NetlinkCapAck = 10; // errors echo our header only, not the whole request
        private const int NetlinkExtAck = 11; // errors carry the kernel's text ("Parent Qdisc doesn't exists")

        private const ushort NlmsgError = 2;
        private const ushort NlmsgDone = 3;
        private const ushort RtmNewQdisc = 36;
        private const ushort RtmDelQdisc = 37;
        private const ushort RtmGetQdisc = 38;
        private const ushort RtmNewTfilter = 44;
        private const ushort RtmDelTfilter = 45;
        private const ushort RtmGetTfilter = 46;

        private const ushort FlagRequest = 0x1;
        private const ushort FlagAck = 0x4;
        private const ushort FlagEcho = 0x8;
        private const ushort FlagDump = 0x300; // NLM_F_ROOT | NLM_F_MATCH
        private const ushort FlagExclusive = 0x200;
        private const ushort FlagCreate = 0x400;
        private const ushort FlagCapped = 0x100; // on an NLMSG_ERROR: the request's payload is left out
        private const ushort FlagAckTlvs = 0x200; // on an NLMSG_ERROR: extended-ack attributes follow

        private const ushort TcaKind = 1;
        private const ushort TcaOptions = 2;
        private const ushort TcaBpfFd = 6;
        private const ushort TcaBpfName = 7;
        private const ushort TcaBpfFlags = 8;
        private const ushort TcaBpfId = 11;
        private const ushort NestedFlag = 0x8000; // NLA_F_NESTED
        private const ushort AttributeTypeMask = 0x3FFF;
        private const ushort ErrorAttributeMessage = 1; // NLMSGERR_ATTR_MSG
        private const uint ActDirect = 1; // TCA_BPF_FLAG_ACT_DIRECT: the program's return value is the verdict
        private const int ClsBpfNameMaximum = 255; // CLS_BPF_NAME_LEN less the NUL

        private const int HeaderSize = 16; // struct nlmsghdr
        private const int TcmsgSize = 20; // struct tcmsg

        private static int _sequence = Environment.TickCount & 0xFFFF;

        /// <summary>
        /// Adds the clsact qdisc when missing (an existing one is used as it is, and is not this library's to delete),
        /// then the program as a direct-action <c>bpf</c> classifier at a priority the kernel picks. Throws a
        /// <see cref="BpfException"/> naming <paramref name="where"/> ("lo ingress") when the kernel refuses.
        /// </summary>
        public static TcFilter Attach(int ifindex, uint parent, int programFd, string programName, string where)
        {
            using var channel = Channel.Open(where);

            var qdisc = new MessageWriter(RtmNewQdisc, FlagRequest | FlagAck | FlagCreate | FlagExclusive, ifindex, ClsactHandle, ClsactParent, 0);
            qdisc.String(TcaKind, "clsact");
            var errno = channel.Exchange(qdisc.Finish(), null, out var kernelText);
            if (errno != 0 && errno != Errno.Exists)
            {
                throw Failure($"could not add the clsact qdisc to {where}", errno, kernelText);
            }

            // Priority 0 with NLM_F_CREATE: the kernel allocates a free priority (49152, then 49151, ...), so two
            // programs never collide; NLM_F_ECHO sends the filter back, with that priority and the handle the
            // classifier chose, which the detach needs to delete exactly this filter.
            var filter = new MessageWriter(RtmNewTfilter, FlagRequest | FlagAck | FlagEcho | FlagCreate | FlagExclusive, ifindex, 0, parent, AllProtocols(0));
            filter.String(TcaKind, "bpf");
            var options = filter.BeginNested(TcaOptions);
            filter.U32(TcaBpfFd, (uint)programFd);
            filter.String(TcaBpfName, Truncate(programName, ClsBpfNameMaximum));
            filter.U32(TcaBpfFlags, ActDirect);
            filter.EndNested(options);

            TcFilter? added = null;
            errno = channel.Exchange(filter.Finish(), (type, payload) =>
            {
                if (type == RtmNewTfilter && payload.Length >= TcmsgSize)
                {
                    added = new TcFilter(ifindex, parent, (ushort)(MemoryMarshal.Read<uint>(payload.Slice(16)) >> 16), MemoryMarshal.Read<uint>(payload.Slice(8)));
                }
            }, out kernelText);
            if (errno != 0)
            {
                throw Failure($"could not add {programName} as a bpf classifier on {where} (clsact)", errno, kernelText);
            }

            if (added is not { Priority: not 0, Handle: not 0 } result)
            {
                throw new BpfException($"{programName} was attached on {where} (clsact), but the kernel did not echo the filter's priority and handle: it cannot be detached by this process (tc filter del dev ... {where.Split(' ')[^1]})");
            }

            return result;
        }

        /// <summary>RTM_DELTFILTER of exactly this filter; 0, or the errno (ENOENT when it is gone already).</summary>
        public static int Detach(TcFilter filter, string where, out string? kernelText)
        {
            using var channel = Channel.Open(where);
            var message = new MessageWriter(RtmDelTfilter, FlagRequest | FlagAck, filter.InterfaceIndex, filter.Handle, filter.Parent, AllProtocols(filter.Priority));
            message.String(TcaKind, "bpf");
            return channel.Exchange(message.Finish(), null, out kernelText);
        }

        /// <summary>Whether the interface has a clsact qdisc (a dump of the qdiscs, searched for it).</summary>
        public static bool HasClsact(int ifindex)
        {
            using var channel = Channel.Open("qdiscs");
            var found = false;
            var message = new MessageWriter(RtmGetQdisc, FlagRequest | FlagDump, 0, 0, 0, 0);
            var errno = channel.Exchange(message.Finish(), (type, payload) =>
            {
                if (type == RtmNewQdisc && payload.Length >= TcmsgSize && MemoryMarshal.Read<int>(payload.Slice(4)) == ifindex
                    && Attribute(payload.Slice(TcmsgSize), TcaKind) is { } kind && KernelObjects.CString(kind) == "clsact")
                {
                    found = true;
                }
            }, out var kernelText);
            return errno == 0 ? found : throw Failure("could not list the qdiscs", errno, kernelText);
        }

        /// <summary>Deletes the interface's clsact qdisc and every filter on it (what <c>tc qdisc del dev X clsact</c> does); false when there was none.</summary>
        public static bool DeleteClsact(int ifindex)
        {
            using var channel = Channel.Open("clsact");
            var message = new MessageWriter(RtmDelQdisc, FlagRequest | FlagAck, ifindex, ClsactHandle, ClsactParent, 0);
            message.String(TcaKind, "clsact");
            var errno = channel.Exchange(message.Finish(), null, out var kernelText);
            return errno switch
            {
                0 => true,
                Errno.NoEntry or Errno.InvalidArgument => false, // no clsact there
                _ => throw Failure($"could not delete the clsact qdisc of interface {ifindex}", errno, kernelText),
            };
        }

        /// <summary>The <c>bpf</c> classifiers on a clsact hook (none without the qdisc).</summary>
        public static List<TcBpfFilter> BpfFilters(int ifindex, uint parent)
        {
            using var channel = Channel.Open("filters");
            var filters = new List<TcBpfFilter>();
            var message = new MessageWriter(RtmGetTfilter, FlagRequest | FlagDump, ifindex, 0, parent, 0);
            var errno = channel.Exchange(message.Finish(), (type, payload) =>
            {
                if (type != RtmNewTfilter || payload.Length < TcmsgSize)
                {
                    return;
                }

                var handle = MemoryMarshal.Read<uint>(payload.Slice(8));
                var attributes = payload.Slice(TcmsgSize);
                // A dump lists each priority's classifier once without a handle, then its filters.
                if (handle == 0 || Attribute(attributes, TcaKind) is not { } kind || KernelObjects.CString(kind) != "bpf")
                {
                    return;
                }

                var options = Attribute(attributes, TcaOptions) ?? Array.Empty<byte>();
                var name = Attribute(options, TcaBpfName) is { } text ? KernelObjects.CString(text) : null;
                var id = Attribute(options, TcaBpfId) is { Length: >= 4 } idBytes ? MemoryMarshal.Read<uint>(idBytes) : 0;
                var flags = Attribute(options, TcaBpfFlags) is { Length: >= 4 } flagBytes ? MemoryMarshal.Read<uint>(flagBytes) : 0;
                var info = MemoryMarshal.Read<uint>(payload.Slice(16));
                filters.Add(new TcBpfFilter((ushort)(info >> 16), handle, name, id, (flags & ActDirect) != 0));
            }, out var kernelText);
            return errno switch
            {
                0 => filters,
                Errno.NoEntry or Errno.InvalidArgument => filters, // no clsact qdisc: no hook to list
                _ => throw Failure($"could not list the filters of interface {ifindex}", errno, kernelText),
            };
        }

        private static BpfException Failure(string what, int errno, string? kernelText) =>
            new($"{what}: {(string.IsNullOrEmpty(kernelText) ? string.Empty : kernelText + ": ")}{BpfSyscall.Describe(errno)}" + (errno == Errno.NotPermitted ? " (TC needs CAP_NET_ADMIN)" : string.Empty), errno);

        // tcm_info: the priority in the upper half, the protocol in network byte order in the lower (ETH_P_ALL: every packet).
        private static uint AllProtocols(ushort priority) => ((uint)priority << 16) | (ushort)System.Net.IPAddress.HostToNetworkOrder((short)0x0003);

        private static int Align(int length) => (length + 3) & ~3;

        private static string Truncate(string text, int maximumBytes)
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            return bytes.Length <= maximumBytes ? text : Encoding.UTF8.GetString(bytes, 0, maximumBytes).TrimEnd('\uFFFD');
        }

        /// <summary>The payload of the first attribute of that type in a run of attributes, or null.</summary>
        private static byte[]? Attribute(ReadOnlySpan<byte> attributes, ushort type)
        {
            var offset = 0;
            while (offset + 4 <= attributes.Length)
            {
                var length = MemoryMarshal.Read<ushort>(attributes.Slice(offset));
                var kind = MemoryMarshal.Read<ushort>(attributes.Slice(offset + 2));
                if (length < 4 || offset + length > attributes.Length)
                {
                    return null;
                }

                if ((kind & AttributeTypeMask) == type)
                {
                    return attributes.Slice(offset + 4, length - 4).ToArray();
                }

                offset += Align(length);
            }

            return null;
        }

        private delegate void MessageHandler(ushort type, ReadOnlySpan<byte> payload);
    }
}
