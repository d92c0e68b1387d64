using BpfSharp;
using static BpfSharp.BpfReturnCodes;
[assembly: BpfLicense("GPL")]
public static unsafe class Counter
{
    static readonly ArrayMap<ulong> Packets = new(maxEntries: 1);

    [BpfProgram("xdp")]
    public static int Count(XdpMd* ctx)
    {
        byte* data = (byte*)(ulong)ctx->Data;
        byte* end = (byte*)(ulong)ctx->DataEnd;
        if (data + 14 > end)
        {
            return XDP_DROP;
        }

        uint key = 0;
        ulong* value = (ulong*)BpfHelpers.MapLookupElem(Packets, &key);
        if (value != null)
        {
            System.Threading.Interlocked.Add(ref *value, 1);
        }

        return data[12] == 0x08 ? XDP_PASS : XDP_TX;
    }
}
