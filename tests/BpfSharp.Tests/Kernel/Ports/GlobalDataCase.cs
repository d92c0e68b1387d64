namespace BpfSharp.Tests.Kernel.Ports;

public static partial class RealPrograms
{
    /// <summary>
    /// test_global_data.c: one tc program that copies every kind of global (numbers, strings and structs; .bss, .data
    /// and .rodata; one written before it is copied again) into three result arrays. It has no branch: the packet only
    /// has to be long enough for a tc test run. The second run repeats the first on globals the first has changed.
    /// </summary>
    public static RealProgram GlobalData => new("global_data", "tools/testing/selftests/bpf/progs/test_global_data.c", "GlobalData.cs",
        [("load_static_data", "LoadStaticData")])
    {
        // The data sections hold the same variables in other orders (C puts the function-local bar first, and keeps its
        // const strings in .rodata where C#'s arrays, writable, are .data): every global is compared by name below.
        Maps = [("result_number", "ResultNumber"), ("result_string", "ResultString"), ("result_struct", "ResultStruct")],
        // Every global by name, its bytes as the kernel holds them after the runs.
        Globals =
        [
            ("num0", "GlobalData.Num0"), ("num1", "GlobalData.Num1"), ("num2", "GlobalData.Num2"), ("num3", "GlobalData.Num3"),
            ("num4", "GlobalData.Num4"), ("num5", "GlobalData.Num5"), ("num6", "GlobalData.Num6"),
            ("load_static_data.bar", "GlobalData.Bar"),
            ("str0", "GlobalData.Str0"), ("str1", "GlobalData.Str1"), ("str2", "GlobalData.Str2"),
            ("struct0", "GlobalData.Struct0"), ("struct1", "GlobalData.Struct1"), ("struct2", "GlobalData.Struct2"), ("struct3", "GlobalData.Struct3"),
        ],
        Runs =
        [
            new("load_static_data", GlobalDataUdpFrame()),
            new("load_static_data", GlobalDataUdpFrame(), Repeat: 3),
        ],
    };

    /// <summary>Ethernet + IPv4 + UDP with 8 payload bytes (50 bytes): any frame a tc program may be test-run on.</summary>
    private static byte[] GlobalDataUdpFrame()
    {
        byte[] frame = new byte[14 + 20 + 8 + 8];
        byte[] header =
        [
            0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01, 0x08, 0x00,       // Ethernet, IPv4
            0x45, 0, 0, 36, 0, 1, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2, // IPv4, UDP
            0x30, 0x39, 0x00, 0x35, 0, 16, 0, 0,                              // UDP 12345 -> 53
        ];
        header.CopyTo(frame, 0);
        for (int i = 42; i < frame.Length; i++)
        {
            frame[i] = (byte)i;
        }

        return frame;
    }
}
