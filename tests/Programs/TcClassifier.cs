using BpfSharp;
using static BpfSharp.BpfReturnCodes;
[assembly: BpfLicense("Dual BSD/GPL")]
public static unsafe class Classifier
{
    static readonly HashMap<uint, ulong> Protocols = new(maxEntries: 16);

    struct Verdict { public uint Kind; public byte Pad; }

    [BpfProgram("tc")]
    public static int Classify(SkBuff* skb)
    {
        byte* frame = stackalloc byte[16];
        if (BpfHelpers.SkbLoadBytes(skb, 0, frame, 14) != 0)
        {
            return TC_ACT_OK;
        }

        uint kind;
        switch (frame[12])
        {
            case 0x08:
                kind = frame[13] == 0x06 ? 6u : 4u;
                break;
            case 0x86:
                kind = 6;
                break;
            default:
                kind = 0;
                break;
        }

        Verdict verdict = default;
        verdict.Kind = kind;
        Count(&verdict.Kind);
        return verdict.Kind == 4 && skb->Len >= 14 ? TC_ACT_OK : TC_ACT_SHOT;
    }

    static void Count(uint* key)
    {
        ulong* seen = (ulong*)BpfHelpers.MapLookupElem(Protocols, key);
        if (seen != null)
        {
            System.Threading.Interlocked.Increment(ref *seen);
            return;
        }

        ulong one = 1;
        BpfHelpers.MapUpdateElem(Protocols, key, &one, BpfFlags.BPF_NOEXIST);
    }
}
