// Port of tools/testing/selftests/bpf/progs/test_xdp_vlan.c (Linux 6.12).
using System;
using System.Buffers.Binary;
using BpfSharp;
using static BpfSharp.BpfReturnCodes;

[assembly: BpfLicense("GPL")]

namespace BpfSharp.Ports.XdpVlan;

/// <summary>What <see cref="XdpVlan.ParseEthFrame"/> learns of a frame's VLAN tags and L3 header.</summary>
public struct ParsedFrame
{
    public ushort L3Proto;
    public ushort L3Offset;
    public ushort VlanOuter;
    public ushort VlanInner;
    public byte VlanOuterOffset;
    public byte VlanInnerOffset;
}

/// <summary>
/// VLAN tag handling in XDP (drop or rewrite VLAN 4011, pop the outer tag two ways) and a tc program that pushes a
/// tag. Frames too short for an Ethernet header and two tags are aborted by every XDP program.
/// </summary>
public static unsafe class XdpVlan
{
    private const ushort EtherType8021Q = 0x8100;
    private const ushort EtherType8021AD = 0x88A8;
    private const ushort VlanVidMask = 0x0FFF;
    private const ushort TestVlan = 4011; // 0xFAB: byte order mistakes show
    private const ushort ToVlan = 0;       // VLAN 0: as good as no VLAN
    private const int VlanHdrSize = 4;
    private const int EthAlen = 6;

    private static bool IsVlanTag(ushort etherType) =>
        etherType == BinaryPrimitives.ReverseEndianness(EtherType8021Q) || etherType == BinaryPrimitives.ReverseEndianness(EtherType8021AD);

    private static bool ParseEthFrame(EthHdr* eth, byte* dataEnd, ref ParsedFrame frame)
    {
        byte offset = (byte)sizeof(EthHdr);

        // Room for the Ethernet header and two tags, whatever the frame holds.
        if ((byte*)eth + offset + 2 * sizeof(VlanHdr) > dataEnd)
        {
            return false;
        }

        ushort etherType = eth->Proto;

        if (IsVlanTag(etherType))
        {
            VlanHdr* vlan = (VlanHdr*)((byte*)eth + offset);
            frame.VlanOuterOffset = offset;
            frame.VlanOuter = (ushort)(BinaryPrimitives.ReverseEndianness(vlan->Tci) & VlanVidMask);
            etherType = vlan->EncapsulatedProto;
            offset += (byte)sizeof(VlanHdr);
        }

        if (IsVlanTag(etherType))
        {
            VlanHdr* vlan = (VlanHdr*)((byte*)eth + offset);
            frame.VlanInnerOffset = offset;
            frame.VlanInner = (ushort)(BinaryPrimitives.ReverseEndianness(vlan->Tci) & VlanVidMask);
            etherType = vlan->EncapsulatedProto;
            offset += (byte)sizeof(VlanHdr);
        }

        frame.L3Proto = BinaryPrimitives.ReverseEndianness(etherType);
        frame.L3Offset = offset;
        return true;
    }

    /// <summary>Aborts frames of VLAN 4011 (XDP_ABORTED shows in the xdp:xdp_exception tracepoint).</summary>
    [BpfProgram("xdp")]
    public static int DropVlan4011(XdpMd* ctx)
    {
        byte* data = (byte*)(ulong)ctx->Data;
        byte* dataEnd = (byte*)(ulong)ctx->DataEnd;
        ParsedFrame frame = new ParsedFrame();

        if (!ParseEthFrame((EthHdr*)data, dataEnd, ref frame))
        {
            return XDP_ABORTED;
        }

        if (frame.VlanOuter == TestVlan)
        {
            return XDP_ABORTED;
        }

        return XDP_PASS;
    }

    /// <summary>Moves frames of outer VLAN 4011 to VLAN 0, keeping the priority and DEI bits.</summary>
    [BpfProgram("xdp")]
    public static int ChangeVlan(XdpMd* ctx)
    {
        byte* data = (byte*)(ulong)ctx->Data;
        byte* dataEnd = (byte*)(ulong)ctx->DataEnd;
        ParsedFrame frame = new ParsedFrame();

        if (!ParseEthFrame((EthHdr*)data, dataEnd, ref frame))
        {
            return XDP_ABORTED;
        }

        if (frame.VlanOuter == TestVlan)
        {
            VlanHdr* vlan = (VlanHdr*)(data + frame.VlanOuterOffset);
            vlan->Tci = BinaryPrimitives.ReverseEndianness((ushort)((BinaryPrimitives.ReverseEndianness(vlan->Tci) & 0xF000U) | ToVlan));
        }

        return XDP_PASS;
    }

    /// <summary>
    /// Pops the outer tag: the two MAC addresses move 4 bytes up (over the tag's TCI and the old EtherType, the tag's
    /// encapsulated protocol becoming the EtherType) and the frame starts 4 bytes later.
    /// </summary>
    [BpfProgram("xdp")]
    public static int PopOuterVlan(XdpMd* ctx)
    {
        byte* data = (byte*)(ulong)ctx->Data;
        byte* dataEnd = (byte*)(ulong)ctx->DataEnd;
        ParsedFrame frame = new ParsedFrame();

        if (!ParseEthFrame((EthHdr*)data, dataEnd, ref frame))
        {
            return XDP_ABORTED;
        }

        if (frame.VlanOuterOffset == 0)
        {
            return XDP_PASS; // untagged
        }

        // Source and destination overlap: Buffer.MemoryCopy copies as if through a temporary buffer.
        Buffer.MemoryCopy(data, data + VlanHdrSize, EthAlen * 2, EthAlen * 2);

        BpfHelpers.XdpAdjustHead(ctx, VlanHdrSize);
        return XDP_PASS;
    }

    /// <summary>The same as <see cref="PopOuterVlan"/>, moving the addresses as three 32-bit words.</summary>
    [BpfProgram("xdp")]
    public static int PopOuterVlan2(XdpMd* ctx)
    {
        byte* data = (byte*)(ulong)ctx->Data;
        byte* dataEnd = (byte*)(ulong)ctx->DataEnd;
        ParsedFrame frame = new ParsedFrame();

        if (!ParseEthFrame((EthHdr*)data, dataEnd, ref frame))
        {
            return XDP_ABORTED;
        }

        if (frame.VlanOuterOffset == 0)
        {
            return XDP_PASS;
        }

        ShiftMacAddresses(data);

        BpfHelpers.XdpAdjustHead(ctx, VlanHdrSize);
        return XDP_PASS;
    }

    // Moves the 12 address bytes 4 bytes up, last word first, overwriting the EtherType and the outer tag's TCI.
    private static void ShiftMacAddresses(byte* data)
    {
        uint* words = (uint*)data;
        words[3] = words[2];
        words[2] = words[1];
        words[1] = words[0];
    }

    /// <summary>Tags the packet with VLAN 4011 (802.1Q) on the way out.</summary>
    [BpfProgram("tc")]
    public static int PushVlan(SkBuff* ctx)
    {
        BpfHelpers.SkbVlanPush(ctx, BinaryPrimitives.ReverseEndianness(EtherType8021Q), TestVlan);
        return TC_ACT_OK;
    }
}
