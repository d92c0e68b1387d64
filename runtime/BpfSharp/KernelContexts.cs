using System.Runtime.InteropServices;

// The context structs BPF programs receive, laid out like the kernel's UAPI (include/uapi/linux/bpf.h and, for
// bpf_perf_event_data, include/uapi/linux/bpf_perf_event.h). Every struct has an explicit size and every field an
// explicit offset, so the layout is the kernel's on any host. Names: the kernel's, PascalCased, leading underscores
// dropped (struct __sk_buff -> SkBuff, remote_ip4 -> RemoteIp4). Fields the kernel declares with __bpf_md_ptr are
// 8-byte slots that hold a kernel pointer; they are typed ulong and a program casts them to the pointer it needs.
// Layouts follow Linux 6.12; a later mainline header (6.15 or newer) adds no field to these structs.
// tests/BpfSharp.Tests/KernelContextTests.cs checks every struct and field against gcc and the installed headers.

namespace BpfSharp
{
    /// <summary>
    /// Context of <see cref="BpfProgramType.Xdp"/> programs (<c>struct xdp_md</c>). <see cref="Data"/>,
    /// <see cref="DataEnd"/> and <see cref="DataMeta"/> are 32-bit in the struct; the verifier rewrites their loads
    /// into packet pointers.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 24)]
    [BpfKernelStruct("xdp_md")]
    public struct XdpMd
    {
        /// <summary>Start of the packet data.</summary>
        [FieldOffset(0)] public uint Data;
        /// <summary>End of the packet data: one past its last byte.</summary>
        [FieldOffset(4)] public uint DataEnd;
        /// <summary>Start of the metadata area placed in front of the packet.</summary>
        [FieldOffset(8)] public uint DataMeta;
        /// <summary>Index of the interface the packet came in on.</summary>
        [FieldOffset(12)] public uint IngressIfindex;
        /// <summary>Index of the receive queue the packet came in on.</summary>
        [FieldOffset(16)] public uint RxQueueIndex;
        /// <summary>Index of the interface the packet goes out on (programs run from a devmap entry).</summary>
        [FieldOffset(20)] public uint EgressIfindex;
    }

    /// <summary>
    /// The program's view of a socket buffer (<c>struct __sk_buff</c>): the context of
    /// <see cref="BpfProgramType.SocketFilter"/>, <see cref="BpfProgramType.SchedCls"/>,
    /// <see cref="BpfProgramType.SchedAct"/>, <see cref="BpfProgramType.CgroupSkb"/>, the LWT types
    /// (<see cref="BpfProgramType.LwtIn"/>, <see cref="BpfProgramType.LwtOut"/>, <see cref="BpfProgramType.LwtXmit"/>,
    /// <see cref="BpfProgramType.LwtSeg6local"/>), <see cref="BpfProgramType.SkSkb"/> and
    /// <see cref="BpfProgramType.FlowDissector"/> programs. Which fields a program may read or write depends on its type.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 192)]
    [BpfKernelStruct("__sk_buff")]
    public unsafe struct SkBuff
    {
        /// <summary>Length of the packet in bytes.</summary>
        [FieldOffset(0)] public uint Len;
        /// <summary>Packet type (<c>PACKET_HOST</c>, <c>PACKET_BROADCAST</c>, ...).</summary>
        [FieldOffset(4)] public uint PktType;
        /// <summary>Mark of the packet.</summary>
        [FieldOffset(8)] public uint Mark;
        /// <summary>Queue the packet is mapped to.</summary>
        [FieldOffset(12)] public uint QueueMapping;
        /// <summary>Link-layer protocol (<c>ETH_P_*</c>), in network byte order.</summary>
        [FieldOffset(16)] public uint Protocol;
        /// <summary>Non-zero when the packet carries a VLAN tag in its metadata.</summary>
        [FieldOffset(20)] public uint VlanPresent;
        /// <summary>VLAN tag control information.</summary>
        [FieldOffset(24)] public uint VlanTci;
        /// <summary>VLAN protocol, in network byte order.</summary>
        [FieldOffset(28)] public uint VlanProto;
        /// <summary>Queueing priority of the packet.</summary>
        [FieldOffset(32)] public uint Priority;
        /// <summary>Index of the interface the packet came in on.</summary>
        [FieldOffset(36)] public uint IngressIfindex;
        /// <summary>Index of the interface the packet is currently on.</summary>
        [FieldOffset(40)] public uint Ifindex;
        /// <summary>Traffic-control index.</summary>
        [FieldOffset(44)] public uint TcIndex;
        /// <summary>Five words of scratch space programs can use to pass data to each other.</summary>
        [FieldOffset(48)] public fixed uint Cb[5];
        /// <summary>Hash of the packet's flow.</summary>
        [FieldOffset(68)] public uint Hash;
        /// <summary>Traffic-control class id.</summary>
        [FieldOffset(72)] public uint TcClassid;
        /// <summary>Start of the directly accessible packet data (32-bit; loaded as a packet pointer).</summary>
        [FieldOffset(76)] public uint Data;
        /// <summary>End of the directly accessible packet data.</summary>
        [FieldOffset(80)] public uint DataEnd;
        /// <summary>NAPI id of the queue that received the packet.</summary>
        [FieldOffset(84)] public uint NapiId;
        /// <summary>Address family of the socket (sk_skb programs).</summary>
        [FieldOffset(88)] public uint Family;
        /// <summary>Remote IPv4 address, in network byte order (sk_skb programs).</summary>
        [FieldOffset(92)] public uint RemoteIp4;
        /// <summary>Local IPv4 address, in network byte order (sk_skb programs).</summary>
        [FieldOffset(96)] public uint LocalIp4;
        /// <summary>Remote IPv6 address as four words, in network byte order (sk_skb programs).</summary>
        [FieldOffset(100)] public fixed uint RemoteIp6[4];
        /// <summary>Local IPv6 address as four words, in network byte order (sk_skb programs).</summary>
        [FieldOffset(116)] public fixed uint LocalIp6[4];
        /// <summary>Remote port, in network byte order (sk_skb programs).</summary>
        [FieldOffset(132)] public uint RemotePort;
        /// <summary>Local port, in host byte order (sk_skb programs).</summary>
        [FieldOffset(136)] public uint LocalPort;
        /// <summary>Start of the metadata area in front of the packet data.</summary>
        [FieldOffset(140)] public uint DataMeta;
        /// <summary>Holds a kernel pointer to the <see cref="BpfFlowKeys"/> a flow dissector fills in.</summary>
        [FieldOffset(144)] public ulong FlowKeys;
        /// <summary>Timestamp of the packet; its clock is given by <see cref="TstampType"/>.</summary>
        [FieldOffset(152)] public ulong Tstamp;
        /// <summary>Length of the packet on the wire.</summary>
        [FieldOffset(160)] public uint WireLen;
        /// <summary>Number of GSO segments.</summary>
        [FieldOffset(164)] public uint GsoSegs;
        /// <summary>Holds a kernel pointer to the <see cref="BpfSock"/> of the packet's socket.</summary>
        [FieldOffset(168)] public ulong Sk;
        /// <summary>Size of each GSO segment.</summary>
        [FieldOffset(176)] public uint GsoSize;
        /// <summary>Clock of <see cref="Tstamp"/> (<c>BPF_SKB_CLOCK_*</c>, formerly <c>BPF_SKB_TSTAMP_*</c>).</summary>
        [FieldOffset(180)] public byte TstampType;
        /// <summary>Hardware timestamp of the packet.</summary>
        [FieldOffset(184)] public ulong Hwtstamp;
    }

    /// <summary>
    /// Context of <see cref="BpfProgramType.SockOps"/> programs (<c>struct bpf_sock_ops</c>): which TCP event fired,
    /// its arguments, the connection's addresses and TCP state. Addresses and the remote port are in network byte order.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 224)]
    [BpfKernelStruct("bpf_sock_ops")]
    public unsafe struct BpfSockOps
    {
        /// <summary>The event this call is for (<c>BPF_SOCK_OPS_*</c>).</summary>
        [FieldOffset(0)] public uint Op;
        /// <summary>Arguments of the event. Shares its storage with <see cref="Reply"/> and <see cref="Replylong"/>.</summary>
        [FieldOffset(4)] public fixed uint Args[4];
        /// <summary>Value the program hands back for events that expect one. Shares its storage with <see cref="Args"/>.</summary>
        [FieldOffset(4)] public uint Reply;
        /// <summary>Longer reply of up to four words. Shares its storage with <see cref="Args"/>.</summary>
        [FieldOffset(4)] public fixed uint Replylong[4];
        /// <summary>Address family of the socket.</summary>
        [FieldOffset(20)] public uint Family;
        /// <summary>Remote IPv4 address.</summary>
        [FieldOffset(24)] public uint RemoteIp4;
        /// <summary>Local IPv4 address.</summary>
        [FieldOffset(28)] public uint LocalIp4;
        /// <summary>Remote IPv6 address as four words.</summary>
        [FieldOffset(32)] public fixed uint RemoteIp6[4];
        /// <summary>Local IPv6 address as four words.</summary>
        [FieldOffset(48)] public fixed uint LocalIp6[4];
        /// <summary>Remote port, in network byte order.</summary>
        [FieldOffset(64)] public uint RemotePort;
        /// <summary>Local port, in host byte order.</summary>
        [FieldOffset(68)] public uint LocalPort;
        /// <summary>Non-zero when the socket is a full socket; the TCP fields below read as zero otherwise.</summary>
        [FieldOffset(72)] public uint IsFullsock;
        /// <summary>Congestion window.</summary>
        [FieldOffset(76)] public uint SndCwnd;
        /// <summary>Smoothed round-trip time, in microseconds shifted left by 3.</summary>
        [FieldOffset(80)] public uint SrttUs;
        /// <summary>Callbacks enabled for the socket (<c>BPF_SOCK_OPS_*_CB_FLAG</c>).</summary>
        [FieldOffset(84)] public uint BpfSockOpsCbFlags;
        /// <summary>TCP state of the socket.</summary>
        [FieldOffset(88)] public uint State;
        /// <summary>Minimum round-trip time observed.</summary>
        [FieldOffset(92)] public uint RttMin;
        /// <summary>Slow-start threshold.</summary>
        [FieldOffset(96)] public uint SndSsthresh;
        /// <summary>Next sequence number expected from the peer.</summary>
        [FieldOffset(100)] public uint RcvNxt;
        /// <summary>Next sequence number to send.</summary>
        [FieldOffset(104)] public uint SndNxt;
        /// <summary>Oldest sequence number not yet acknowledged.</summary>
        [FieldOffset(108)] public uint SndUna;
        /// <summary>Cached maximum segment size.</summary>
        [FieldOffset(112)] public uint MssCache;
        /// <summary>ECN state of the connection.</summary>
        [FieldOffset(116)] public uint EcnFlags;
        /// <summary>Packets delivered in the last rate sample.</summary>
        [FieldOffset(120)] public uint RateDelivered;
        /// <summary>Length of the last rate sample, in microseconds.</summary>
        [FieldOffset(124)] public uint RateIntervalUs;
        /// <summary>Packets in flight.</summary>
        [FieldOffset(128)] public uint PacketsOut;
        /// <summary>Retransmitted packets in flight.</summary>
        [FieldOffset(132)] public uint RetransOut;
        /// <summary>Retransmissions over the connection's life.</summary>
        [FieldOffset(136)] public uint TotalRetrans;
        /// <summary>Segments received.</summary>
        [FieldOffset(140)] public uint SegsIn;
        /// <summary>Segments with data received.</summary>
        [FieldOffset(144)] public uint DataSegsIn;
        /// <summary>Segments sent.</summary>
        [FieldOffset(148)] public uint SegsOut;
        /// <summary>Segments with data sent.</summary>
        [FieldOffset(152)] public uint DataSegsOut;
        /// <summary>Packets considered lost.</summary>
        [FieldOffset(156)] public uint LostOut;
        /// <summary>Packets selectively acknowledged.</summary>
        [FieldOffset(160)] public uint SackedOut;
        /// <summary>Transmit hash of the socket.</summary>
        [FieldOffset(164)] public uint SkTxhash;
        /// <summary>Bytes received.</summary>
        [FieldOffset(168)] public ulong BytesReceived;
        /// <summary>Bytes acknowledged by the peer.</summary>
        [FieldOffset(176)] public ulong BytesAcked;
        /// <summary>Holds a kernel pointer to the <see cref="BpfSock"/> of the connection.</summary>
        [FieldOffset(184)] public ulong Sk;
        /// <summary>Holds a kernel pointer to the start of the TCP header of the current packet (header-option events).</summary>
        [FieldOffset(192)] public ulong SkbData;
        /// <summary>Holds a kernel pointer to the end of the TCP header of the current packet.</summary>
        [FieldOffset(200)] public ulong SkbDataEnd;
        /// <summary>Total length of the current packet: header, options and payload.</summary>
        [FieldOffset(208)] public uint SkbLen;
        /// <summary>TCP flags of the current packet.</summary>
        [FieldOffset(212)] public uint SkbTcpFlags;
        /// <summary>Hardware timestamp of the current packet. Not in Linux 6.1; present by 6.12.</summary>
        [FieldOffset(216)] public ulong SkbHwtstamp;
    }

    /// <summary>
    /// Context of <see cref="BpfProgramType.SkMsg"/> programs (<c>struct sk_msg_md</c>): a message being sent on a
    /// socket held in a sockmap or sockhash.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 80)]
    [BpfKernelStruct("sk_msg_md")]
    public unsafe struct SkMsgMd
    {
        /// <summary>Holds a kernel pointer to the start of the directly accessible message data.</summary>
        [FieldOffset(0)] public ulong Data;
        /// <summary>Holds a kernel pointer to the end of the directly accessible message data.</summary>
        [FieldOffset(8)] public ulong DataEnd;
        /// <summary>Address family of the socket.</summary>
        [FieldOffset(16)] public uint Family;
        /// <summary>Remote IPv4 address, in network byte order.</summary>
        [FieldOffset(20)] public uint RemoteIp4;
        /// <summary>Local IPv4 address, in network byte order.</summary>
        [FieldOffset(24)] public uint LocalIp4;
        /// <summary>Remote IPv6 address as four words, in network byte order.</summary>
        [FieldOffset(28)] public fixed uint RemoteIp6[4];
        /// <summary>Local IPv6 address as four words, in network byte order.</summary>
        [FieldOffset(44)] public fixed uint LocalIp6[4];
        /// <summary>Remote port, in network byte order.</summary>
        [FieldOffset(60)] public uint RemotePort;
        /// <summary>Local port, in host byte order.</summary>
        [FieldOffset(64)] public uint LocalPort;
        /// <summary>Total size of the message.</summary>
        [FieldOffset(68)] public uint Size;
        /// <summary>Holds a kernel pointer to the <see cref="BpfSock"/> sending the message.</summary>
        [FieldOffset(72)] public ulong Sk;
    }

    /// <summary>
    /// A socket as BPF programs see it (<c>struct bpf_sock</c>): the context of
    /// <see cref="BpfProgramType.CgroupSock"/> programs, and what the <c>Sk</c> fields of the other contexts and the
    /// socket lookup helpers point to.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 80)]
    [BpfKernelStruct("bpf_sock")]
    public unsafe struct BpfSock
    {
        /// <summary>Index of the interface the socket is bound to, or 0.</summary>
        [FieldOffset(0)] public uint BoundDevIf;
        /// <summary>Address family.</summary>
        [FieldOffset(4)] public uint Family;
        /// <summary>Socket type (<c>SOCK_STREAM</c>, <c>SOCK_DGRAM</c>, ...).</summary>
        [FieldOffset(8)] public uint Type;
        /// <summary>Protocol (<c>IPPROTO_*</c>).</summary>
        [FieldOffset(12)] public uint Protocol;
        /// <summary>Mark of the socket.</summary>
        [FieldOffset(16)] public uint Mark;
        /// <summary>Priority of the socket.</summary>
        [FieldOffset(20)] public uint Priority;
        /// <summary>Source IPv4 address, in network byte order.</summary>
        [FieldOffset(24)] public uint SrcIp4;
        /// <summary>Source IPv6 address as four words, in network byte order.</summary>
        [FieldOffset(28)] public fixed uint SrcIp6[4];
        /// <summary>Source port, in host byte order.</summary>
        [FieldOffset(44)] public uint SrcPort;
        /// <summary>Destination port, in network byte order (16 bits, followed by two bytes of padding).</summary>
        [FieldOffset(48)] public ushort DstPort;
        /// <summary>Destination IPv4 address, in network byte order.</summary>
        [FieldOffset(52)] public uint DstIp4;
        /// <summary>Destination IPv6 address as four words, in network byte order.</summary>
        [FieldOffset(56)] public fixed uint DstIp6[4];
        /// <summary>Connection state (<c>BPF_TCP_*</c> for TCP sockets).</summary>
        [FieldOffset(72)] public uint State;
        /// <summary>Receive queue the socket is mapped to, or -1.</summary>
        [FieldOffset(76)] public int RxQueueMapping;
    }

    /// <summary>
    /// Context of <see cref="BpfProgramType.CgroupSockAddr"/> programs (<c>struct bpf_sock_addr</c>): the address a
    /// socket is binding, connecting or sending to, which the program may rewrite. Addresses and ports are in network
    /// byte order.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 72)]
    [BpfKernelStruct("bpf_sock_addr")]
    public unsafe struct BpfSockAddr
    {
        /// <summary>Address family of the user's sockaddr (read-only).</summary>
        [FieldOffset(0)] public uint UserFamily;
        /// <summary>IPv4 address of the user's sockaddr.</summary>
        [FieldOffset(4)] public uint UserIp4;
        /// <summary>IPv6 address of the user's sockaddr as four words.</summary>
        [FieldOffset(8)] public fixed uint UserIp6[4];
        /// <summary>Port of the user's sockaddr.</summary>
        [FieldOffset(24)] public uint UserPort;
        /// <summary>Address family of the socket (read-only).</summary>
        [FieldOffset(28)] public uint Family;
        /// <summary>Type of the socket (read-only).</summary>
        [FieldOffset(32)] public uint Type;
        /// <summary>Protocol of the socket (read-only).</summary>
        [FieldOffset(36)] public uint Protocol;
        /// <summary>IPv4 source address of a UDP message being sent.</summary>
        [FieldOffset(40)] public uint MsgSrcIp4;
        /// <summary>IPv6 source address of a UDP message being sent, as four words.</summary>
        [FieldOffset(44)] public fixed uint MsgSrcIp6[4];
        /// <summary>Holds a kernel pointer to the <see cref="BpfSock"/> of the socket.</summary>
        [FieldOffset(64)] public ulong Sk;
    }

    /// <summary>
    /// Context of <see cref="BpfProgramType.SkReuseport"/> programs (<c>struct sk_reuseport_md</c>): the packet for
    /// which a socket of a <c>SO_REUSEPORT</c> group is selected, or the socket being migrated.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 56)]
    [BpfKernelStruct("sk_reuseport_md")]
    public struct SkReuseportMd
    {
        /// <summary>Holds a kernel pointer to the start of the directly accessible data (from the TCP or UDP header on).</summary>
        [FieldOffset(0)] public ulong Data;
        /// <summary>Holds a kernel pointer to the end of the directly accessible data.</summary>
        [FieldOffset(8)] public ulong DataEnd;
        /// <summary>Length of the packet from the TCP or UDP header on; can exceed the directly accessible bytes.</summary>
        [FieldOffset(16)] public uint Len;
        /// <summary>Link-layer protocol (<c>ETH_P_*</c>), in network byte order.</summary>
        [FieldOffset(20)] public uint EthProtocol;
        /// <summary>IP protocol (<c>IPPROTO_TCP</c>, <c>IPPROTO_UDP</c>).</summary>
        [FieldOffset(24)] public uint IpProtocol;
        /// <summary>Non-zero when the group is bound to the wildcard address.</summary>
        [FieldOffset(28)] public uint BindInany;
        /// <summary>Hash of the packet's 4-tuple.</summary>
        [FieldOffset(32)] public uint Hash;
        /// <summary>Holds a kernel pointer to a <see cref="BpfSock"/> of the group.</summary>
        [FieldOffset(40)] public ulong Sk;
        /// <summary>Holds a kernel pointer to the <see cref="BpfSock"/> being migrated, or 0 when selecting for a new connection.</summary>
        [FieldOffset(48)] public ulong MigratingSk;
    }

    /// <summary>
    /// Context of <see cref="BpfProgramType.SkLookup"/> programs (<c>struct bpf_sk_lookup</c>): the connection or
    /// datagram for which the program picks a listening socket. Addresses and the remote port are in network byte order.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 72)]
    [BpfKernelStruct("bpf_sk_lookup")]
    public unsafe struct BpfSkLookup
    {
        /// <summary>Holds a kernel pointer to the <see cref="BpfSock"/> selected so far. Shares its storage with <see cref="Cookie"/>.</summary>
        [FieldOffset(0)] public ulong Sk;
        /// <summary>Cookie of the selected socket, non-zero when one was selected in a test run. Shares its storage with <see cref="Sk"/>.</summary>
        [FieldOffset(0)] public ulong Cookie;
        /// <summary>Address family (<c>AF_INET</c>, <c>AF_INET6</c>).</summary>
        [FieldOffset(8)] public uint Family;
        /// <summary>IP protocol (<c>IPPROTO_TCP</c>, <c>IPPROTO_UDP</c>).</summary>
        [FieldOffset(12)] public uint Protocol;
        /// <summary>Remote IPv4 address.</summary>
        [FieldOffset(16)] public uint RemoteIp4;
        /// <summary>Remote IPv6 address as four words.</summary>
        [FieldOffset(20)] public fixed uint RemoteIp6[4];
        /// <summary>Remote port (16 bits, followed by two bytes of padding).</summary>
        [FieldOffset(36)] public ushort RemotePort;
        /// <summary>Local IPv4 address.</summary>
        [FieldOffset(40)] public uint LocalIp4;
        /// <summary>Local IPv6 address as four words.</summary>
        [FieldOffset(44)] public fixed uint LocalIp6[4];
        /// <summary>Local port, in host byte order.</summary>
        [FieldOffset(60)] public uint LocalPort;
        /// <summary>Index of the interface the packet came in on.</summary>
        [FieldOffset(64)] public uint IngressIfindex;
    }

    /// <summary>Context of <see cref="BpfProgramType.CgroupSysctl"/> programs (<c>struct bpf_sysctl</c>): an access to a sysctl.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 8)]
    [BpfKernelStruct("bpf_sysctl")]
    public struct BpfSysctl
    {
        /// <summary>1 when the sysctl is written, 0 when it is read (read-only).</summary>
        [FieldOffset(0)] public uint Write;
        /// <summary>Position in the sysctl file the access starts at.</summary>
        [FieldOffset(4)] public uint FilePos;
    }

    /// <summary>
    /// Context of <see cref="BpfProgramType.CgroupSockopt"/> programs (<c>struct bpf_sockopt</c>): a
    /// <c>getsockopt</c> or <c>setsockopt</c> call the program may inspect or change.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 40)]
    [BpfKernelStruct("bpf_sockopt")]
    public struct BpfSockopt
    {
        /// <summary>Holds a kernel pointer to the <see cref="BpfSock"/> of the call.</summary>
        [FieldOffset(0)] public ulong Sk;
        /// <summary>Holds a kernel pointer to the start of the option value.</summary>
        [FieldOffset(8)] public ulong Optval;
        /// <summary>Holds a kernel pointer to the end of the option value.</summary>
        [FieldOffset(16)] public ulong OptvalEnd;
        /// <summary>Option level (<c>SOL_*</c>).</summary>
        [FieldOffset(24)] public int Level;
        /// <summary>Option name.</summary>
        [FieldOffset(28)] public int Optname;
        /// <summary>Length of the option value.</summary>
        [FieldOffset(32)] public int Optlen;
        /// <summary>Return value of the call (getsockopt).</summary>
        [FieldOffset(36)] public int Retval;
    }

    /// <summary>
    /// Context of <see cref="BpfProgramType.RawTracepoint"/> and <see cref="BpfProgramType.RawTracepointWritable"/>
    /// programs (<c>struct bpf_raw_tracepoint_args</c>): the tracepoint's raw arguments.
    /// </summary>
    /// <remarks>
    /// The kernel declares the arguments as a flexible array (<c>__u64 args[0]</c>, so the C struct has size 0). Here
    /// <see cref="Args"/> is bounded by the verifier's limit of 12 arguments (<c>MAX_BPF_FUNC_ARGS</c>), which makes
    /// this struct 96 bytes; only as many entries as the tracepoint has arguments hold values, and they are read-only.
    /// </remarks>
    [StructLayout(LayoutKind.Explicit, Size = 96)]
    [BpfKernelStruct("bpf_raw_tracepoint_args")]
    public unsafe struct BpfRawTracepointArgs
    {
        /// <summary>The arguments, one 64-bit slot each; at most 12.</summary>
        [FieldOffset(0)] public fixed ulong Args[12];
    }

    /// <summary>Context of <see cref="BpfProgramType.CgroupDevice"/> programs (<c>struct bpf_cgroup_dev_ctx</c>): an access to a device.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 12)]
    [BpfKernelStruct("bpf_cgroup_dev_ctx")]
    public struct BpfCgroupDevCtx
    {
        /// <summary>Kind of access in the upper 16 bits (<c>BPF_DEVCG_ACC_*</c>), kind of device in the lower 16 (<c>BPF_DEVCG_DEV_*</c>).</summary>
        [FieldOffset(0)] public uint AccessType;
        /// <summary>Major number of the device.</summary>
        [FieldOffset(4)] public uint Major;
        /// <summary>Minor number of the device.</summary>
        [FieldOffset(8)] public uint Minor;
    }

    /// <summary>
    /// What a <see cref="BpfProgramType.FlowDissector"/> program fills in (<c>struct bpf_flow_keys</c>). The program's
    /// context is a <see cref="SkBuff"/>; its <see cref="SkBuff.FlowKeys"/> field points to this struct. The IPv4 and
    /// IPv6 addresses share their storage.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 56)]
    [BpfKernelStruct("bpf_flow_keys")]
    public unsafe struct BpfFlowKeys
    {
        /// <summary>Offset of the network header.</summary>
        [FieldOffset(0)] public ushort Nhoff;
        /// <summary>Offset of the transport header.</summary>
        [FieldOffset(2)] public ushort Thoff;
        /// <summary>Protocol of the addresses (<c>ETH_P_*</c>).</summary>
        [FieldOffset(4)] public ushort AddrProto;
        /// <summary>Non-zero for a fragment.</summary>
        [FieldOffset(6)] public byte IsFrag;
        /// <summary>Non-zero for the first fragment.</summary>
        [FieldOffset(7)] public byte IsFirstFrag;
        /// <summary>Non-zero when the packet is encapsulated.</summary>
        [FieldOffset(8)] public byte IsEncap;
        /// <summary>Transport protocol (<c>IPPROTO_*</c>).</summary>
        [FieldOffset(9)] public byte IpProto;
        /// <summary>Network protocol, in network byte order.</summary>
        [FieldOffset(10)] public ushort NProto;
        /// <summary>Source port, in network byte order.</summary>
        [FieldOffset(12)] public ushort Sport;
        /// <summary>Destination port, in network byte order.</summary>
        [FieldOffset(14)] public ushort Dport;
        /// <summary>IPv4 source address, in network byte order. Shares its storage with <see cref="Ipv6Src"/>.</summary>
        [FieldOffset(16)] public uint Ipv4Src;
        /// <summary>IPv4 destination address, in network byte order. Shares its storage with <see cref="Ipv6Src"/>.</summary>
        [FieldOffset(20)] public uint Ipv4Dst;
        /// <summary>IPv6 source address as four words, in network byte order.</summary>
        [FieldOffset(16)] public fixed uint Ipv6Src[4];
        /// <summary>IPv6 destination address as four words, in network byte order.</summary>
        [FieldOffset(32)] public fixed uint Ipv6Dst[4];
        /// <summary>Flags the dissector was called with (<c>BPF_FLOW_DISSECTOR_F_*</c>).</summary>
        [FieldOffset(48)] public uint Flags;
        /// <summary>IPv6 flow label, in network byte order.</summary>
        [FieldOffset(52)] public uint FlowLabel;
    }

    /// <summary>
    /// Context of <see cref="BpfProgramType.PerfEvent"/> programs (<c>struct bpf_perf_event_data</c>): the registers at
    /// the sample and the sample's data.
    /// </summary>
    /// <remarks>
    /// The kernel types the registers as <c>bpf_user_pt_regs_t</c>, which is architecture-specific. This layout is the
    /// x86_64 one, where that type is <c>struct pt_regs</c> (<see cref="PtRegs"/>); other architectures differ.
    /// </remarks>
    [StructLayout(LayoutKind.Explicit, Size = 184)]
    [BpfKernelStruct("bpf_perf_event_data")]
    public struct BpfPerfEventData
    {
        /// <summary>Registers of the CPU when the sample was taken.</summary>
        [FieldOffset(0)] public PtRegs Regs;
        /// <summary>Sampling period of the event.</summary>
        [FieldOffset(168)] public ulong SamplePeriod;
        /// <summary>Address that caused the sample, for events that record one.</summary>
        [FieldOffset(176)] public ulong Addr;

        /// <summary>
        /// The x86_64 register set (<c>struct pt_regs</c> of the UAPI <c>asm/ptrace.h</c>), in the kernel's order. It
        /// is also what <see cref="BpfProgramType.Kprobe"/> programs get as their context on x86_64.
        /// </summary>
        [StructLayout(LayoutKind.Explicit, Size = 168)]
        [BpfKernelStruct("pt_regs")]
        public struct PtRegs
        {
            /// <summary>Register r15.</summary>
            [FieldOffset(0)] public ulong R15;
            /// <summary>Register r14.</summary>
            [FieldOffset(8)] public ulong R14;
            /// <summary>Register r13.</summary>
            [FieldOffset(16)] public ulong R13;
            /// <summary>Register r12.</summary>
            [FieldOffset(24)] public ulong R12;
            /// <summary>Frame pointer register rbp.</summary>
            [FieldOffset(32)] public ulong Rbp;
            /// <summary>Register rbx.</summary>
            [FieldOffset(40)] public ulong Rbx;
            /// <summary>Register r11.</summary>
            [FieldOffset(48)] public ulong R11;
            /// <summary>Register r10.</summary>
            [FieldOffset(56)] public ulong R10;
            /// <summary>Register r9 (sixth function argument).</summary>
            [FieldOffset(64)] public ulong R9;
            /// <summary>Register r8 (fifth function argument).</summary>
            [FieldOffset(72)] public ulong R8;
            /// <summary>Register rax (return value).</summary>
            [FieldOffset(80)] public ulong Rax;
            /// <summary>Register rcx (fourth function argument).</summary>
            [FieldOffset(88)] public ulong Rcx;
            /// <summary>Register rdx (third function argument).</summary>
            [FieldOffset(96)] public ulong Rdx;
            /// <summary>Register rsi (second function argument).</summary>
            [FieldOffset(104)] public ulong Rsi;
            /// <summary>Register rdi (first function argument).</summary>
            [FieldOffset(112)] public ulong Rdi;
            /// <summary>Value of rax on system call entry: the system call number.</summary>
            [FieldOffset(120)] public ulong OrigRax;
            /// <summary>Instruction pointer rip.</summary>
            [FieldOffset(128)] public ulong Rip;
            /// <summary>Code segment selector.</summary>
            [FieldOffset(136)] public ulong Cs;
            /// <summary>Flags register.</summary>
            [FieldOffset(144)] public ulong Eflags;
            /// <summary>Stack pointer rsp.</summary>
            [FieldOffset(152)] public ulong Rsp;
            /// <summary>Stack segment selector.</summary>
            [FieldOffset(160)] public ulong Ss;
        }
    }
}
