// Port of tools/testing/selftests/bpf/progs/test_global_data.c
using System.Runtime.CompilerServices;
using BpfSharp;
using static BpfSharp.BpfReturnCodes;

[assembly: BpfLicense("GPL")]

namespace Ports.GlobalData;

/// <summary>The test's struct: a byte, an int and a long, padded as C pads them.</summary>
public struct Foo
{
    public byte A;
    public uint B;
    public ulong C;
}

/// <summary>A 32-byte character buffer, the result map's value.</summary>
public unsafe struct Text32
{
    public fixed byte Chars[32];
}

public static unsafe class GlobalData
{
    static readonly ArrayMap<ulong> ResultNumber = new(maxEntries: 11);
    static readonly ArrayMap<Text32> ResultString = new(maxEntries: 5);
    static readonly ArrayMap<Foo> ResultStruct = new(maxEntries: 5);

    static ulong Num0 = default;
    static ulong Num1 = 42;
    static readonly ulong Num2 = 24;
    static ulong Num3 = 0;
    static ulong Num4 = 0xffeeff;
    static readonly ulong Num5 = 0xabab;
    static readonly ulong Num6 = 0xab;

    // 32-byte character buffers: the alphabet and six NULs, twice, and an empty one.
    static readonly byte[] Str0 = [.. "abcdefghijklmnopqrstuvwxyz"u8, 0, 0, 0, 0, 0, 0];
    static byte[] Str1 = [.. "abcdefghijklmnopqrstuvwxyz"u8, 0, 0, 0, 0, 0, 0];
    static byte[] Str2 = new byte[32];

    static readonly Foo Struct0 = new Foo { A = 42, B = 0xfefeefef, C = 0x1111111111111111UL };
    static Foo Struct1 = default;
    static readonly Foo Struct2 = default;
    static Foo Struct3 = new Foo { A = 41, B = 0xeeeeefef, C = 0x2111111111111111UL };

    /// <summary>The program's own read-only constant (a function-local static in C).</summary>
    static readonly ulong Bar = ~0UL;

    /// <summary>Copies a global into a result map under a key (one overload per value type: no generic methods).</summary>
    static void Store(ArrayMap<ulong> map, uint key, in ulong value)
    {
        fixed (ulong* pointer = &value)
        {
            BpfHelpers.MapUpdateElem(map, &key, pointer, 0);
        }
    }

    static void Store(ArrayMap<Text32> map, uint key, byte* text) => BpfHelpers.MapUpdateElem(map, &key, text, 0);

    static void Store(ArrayMap<Foo> map, uint key, in Foo value)
    {
        fixed (Foo* pointer = &value)
        {
            BpfHelpers.MapUpdateElem(map, &key, pointer, 0);
        }
    }

    [BpfProgram("tc")]
    public static int LoadStaticData(SkBuff* skb)
    {
        Store(ResultNumber, 0, in Num0);
        Store(ResultNumber, 1, in Num1);
        Store(ResultNumber, 2, in Num2);
        Store(ResultNumber, 3, in Num3);
        Store(ResultNumber, 4, in Num4);
        Store(ResultNumber, 5, in Num5);
        Num4 = 1234;
        Store(ResultNumber, 6, in Num4);
        Store(ResultNumber, 7, in Num0);
        Store(ResultNumber, 8, in Num6);

        fixed (byte* str0 = Str0, str1 = Str1, str2 = Str2)
        {
            Store(ResultString, 0, str0);
            Store(ResultString, 1, str1);
            Store(ResultString, 2, str2);
            Str1[5] = (byte)'x';
            Store(ResultString, 3, str1);
            fixed (byte* hello = "hello"u8)
            {
                Unsafe.CopyBlock(str2 + 2, hello, (uint)("hello"u8.Length + 1)); // with its NUL
            }
            Store(ResultString, 4, str2);
        }

        Store(ResultStruct, 0, in Struct0);
        Store(ResultStruct, 1, in Struct1);
        Store(ResultStruct, 2, in Struct2);
        Store(ResultStruct, 3, in Struct3);
        Store(ResultNumber, 9, in Struct0.C);
        Store(ResultNumber, 10, in Bar);

        return TC_ACT_OK;
    }
}
