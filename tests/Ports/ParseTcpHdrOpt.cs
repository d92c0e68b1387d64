// Port of tools/testing/selftests/bpf/progs/test_parse_tcp_hdr_opt.c
using BpfSharp;
using static BpfSharp.BpfReturnCodes;

[assembly: BpfLicense("GPL")]

namespace Ports.ParseTcpHdrOpt;

/// <summary>Where the option walk is: the server id found, the next option's offset in the packet, the bytes left.</summary>
public struct HdrOptState
{
    public uint ServerId;
    public byte ByteOffset;
    public byte HdrBytesRemaining;
}

public static unsafe class ParseTcpHdrOpt
{
    /// <summary>The experimental option kind that carries the server id.</summary>
    const uint TcpHdrOptKindTpr = 0xFD;

    /// <summary>Its length: kind, length and a 4-byte server id.</summary>
    const uint TcpHdrOptLenTpr = 6;

    /// <summary>How many options are looked at, at most (40 bytes of options).</summary>
    const uint TcpHdrOptMaxOptChecks = 15;

    const byte TcpOptEol = 0;
    const byte TcpOptNop = 1;

    /// <summary>The server id of the last packet that carried one.</summary>
    static uint ServerId;

    /// <summary>Reads one option: 1 when it is the server id, 0 to go on, -1 to stop.</summary>
    static int ParseHdrOpt(XdpMd* xdp, ref HdrOptState state)
    {
        byte* data = (byte*)(ulong)xdp->Data;
        byte* dataEnd = (byte*)(ulong)xdp->DataEnd;

        byte* tcpOpt = data + state.ByteOffset;
        if (tcpOpt + 1 > dataEnd)
        {
            return -1;
        }

        byte kind = tcpOpt[0];
        if (kind == TcpOptEol)
        {
            return -1;
        }

        if (kind == TcpOptNop)
        {
            state.HdrBytesRemaining--;
            state.ByteOffset++;
            return 0;
        }

        if (state.HdrBytesRemaining < 2 || tcpOpt + sizeof(byte) + sizeof(byte) > dataEnd)
        {
            return -1;
        }

        byte hdrLen = tcpOpt[1];
        if (hdrLen > state.HdrBytesRemaining)
        {
            return -1;
        }

        if (kind == TcpHdrOptKindTpr)
        {
            if (hdrLen != TcpHdrOptLenTpr)
            {
                return -1;
            }

            if (tcpOpt + TcpHdrOptLenTpr > dataEnd)
            {
                return -1;
            }

            state.ServerId = *(uint*)(tcpOpt + 2);
            return 1;
        }

        state.HdrBytesRemaining -= hdrLen;
        state.ByteOffset += hdrLen;
        return 0;
    }

    [BpfProgram("xdp")]
    public static int XdpIngressV6(XdpMd* xdp)
    {
        byte* data = (byte*)(ulong)xdp->Data;
        byte* dataEnd = (byte*)(ulong)xdp->DataEnd;
        HdrOptState optState = new HdrOptState();

        int tcpOffset = sizeof(EthHdr) + sizeof(Ipv6Hdr);
        TcpHdr* tcpHdr = (TcpHdr*)(data + tcpOffset);
        if (tcpHdr + 1 > dataEnd)
        {
            return XDP_DROP;
        }

        byte tcpHdrOptLen = (byte)((tcpHdr->DoffAndReserved >> 4) * 4 - sizeof(TcpHdr));
        if (tcpHdrOptLen < TcpHdrOptLenTpr)
        {
            return XDP_DROP;
        }

        optState.HdrBytesRemaining = tcpHdrOptLen;
        optState.ByteOffset = (byte)(sizeof(TcpHdr) + tcpOffset);

        for (int i = 0; i < TcpHdrOptMaxOptChecks; i++)
        {
            int err = ParseHdrOpt(xdp, ref optState);
            if (err != 0 || optState.HdrBytesRemaining == 0)
            {
                break;
            }
        }

        if (optState.ServerId == 0)
        {
            return XDP_DROP;
        }

        ServerId = optState.ServerId;
        return XDP_PASS;
    }
}
