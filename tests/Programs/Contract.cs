// A consumer written from the public contract only (../shared/DESIGN.md section 2): the "done when" of the compiler
// issue. It is built against the packed .nupkg by PackagedKernelTests, loaded with bpftool and test-run.
using System.Runtime.InteropServices;
using BpfSharp;
using static BpfSharp.BpfFlags;
using static BpfSharp.BpfReturnCodes;

[assembly: BpfLicense("Dual MIT/GPL")]

/// <summary>The consumer's own view of struct xdp_md: a program may take void* and cast.</summary>
public struct MyXdpContext
{
    public uint Data;
    public uint DataEnd;
}

/// <summary>Ethernet + IPv4 (no options) + the first bytes of a UDP/TCP header.</summary>
[StructLayout(LayoutKind.Sequential, Pack = 1)]
public unsafe struct Headers
{
    public fixed byte Macs[12];
    public ushort EtherType;
    public byte VersionIhl;
    public byte Tos;
    public ushort TotalLength;
    public ushort Id;
    public ushort Fragment;
    public byte Ttl;
    public byte Protocol;
    public ushort Checksum;
    public uint Source;
    public uint Destination;
    public ushort SourcePort;
    public ushort DestinationPort;
}

public static unsafe class Contract
{
    /// <summary>Packets per IP protocol.</summary>
    public static readonly HashMap<uint, ulong> PerProtocol = new(maxEntries: 64);

    /// <summary>Index 0: the sum of the first eight payload bytes of the last packet; index 1: bytes seen by tc.</summary>
    public static readonly ArrayMap<ulong> Stats = new(maxEntries: 2);

    /// <summary>IPv4 packet lengths, oldest first.</summary>
    public static readonly QueueMap<uint> Lengths = new(maxEntries: 16);

    [BpfProgram("xdp")]
    public static int Filter(void* ctx)
    {
        MyXdpContext* xdp = (MyXdpContext*)ctx;
        byte* data = (byte*)(ulong)xdp->Data;
        byte* end = (byte*)(ulong)xdp->DataEnd;
        Headers* headers = (Headers*)data;
        if (data + sizeof(Headers) > end)
        {
            return XDP_ABORTED;
        }

        if (headers->EtherType != 0x0008)
        {
            return XDP_PASS;
        }

        uint protocol = headers->Protocol;
        Increment(&protocol);
        uint length = (uint)(end - data);
        BpfHelpers.MapPushElem(Lengths, &length, BPF_EXIST);

        byte* payload = stackalloc byte[8];
        for (int i = 0; i < 8; i++)
        {
            payload[i] = 0;
        }

        byte* after = data + sizeof(Headers);
        for (int i = 0; i < 8; i++)
        {
            if (after + i + 1 > end)
            {
                break;
            }

            payload[i] = after[i];
        }

        uint key = 0;
        ulong sum = Sum(payload, 8);
        BpfHelpers.MapUpdateElem(Stats, &key, &sum, BPF_ANY);

        // UDP to port 9 (discard) is dropped; the port is in network byte order.
        return headers->Protocol == 17 && headers->DestinationPort == 0x0900 ? XDP_DROP : XDP_PASS;
    }

    [BpfProgram("tc")]
    public static int Account(SkBuff* skb)
    {
        uint key = 1;
        ulong* bytes = (ulong*)BpfHelpers.MapLookupElem(Stats, &key);
        if (bytes != null)
        {
            System.Threading.Interlocked.Add(ref *bytes, skb->Len);
        }

        byte* ethernet = stackalloc byte[14];
        if (BpfHelpers.SkbLoadBytes(skb, 0, ethernet, 14) != 0)
        {
            return TC_ACT_SHOT;
        }

        return ethernet[12] == 0x86 && ethernet[13] == 0xdd ? TC_ACT_SHOT : TC_ACT_OK;
    }

    private static ulong Sum(byte* buffer, int count)
    {
        ulong total = 0;
        for (int i = 0; i < count; i++)
        {
            total += buffer[i];
        }

        return total;
    }

    private static void Increment(uint* protocol)
    {
        ulong* seen = (ulong*)BpfHelpers.MapLookupElem(PerProtocol, protocol);
        if (seen != null)
        {
            System.Threading.Interlocked.Increment(ref *seen);
            return;
        }

        ulong one = 1;
        BpfHelpers.MapUpdateElem(PerProtocol, protocol, &one, BPF_NOEXIST);
    }
}
