namespace BpfSharp.Tests.Kernel.Ports;

public static partial class RealPrograms
{
    /// <summary>
    /// for_each_array_map_elem.c: a tc program walks `arraymap` with bpf_for_each_map_elem, adding each value into an
    /// int until key 1 (so entry 2 must not count), stores the sum in `arraymap_output`, then walks the per-CPU array,
    /// keeping the value it sees in `percpu_val`. The values: 0x1_00000005 and -16 as u64 (the int sum wraps to -11,
    /// 0xfffffff5: the high bits of entry 0 and the sign of entry 1 matter), 0x1234 after the stop; the per-CPU value is
    /// the same on every CPU (bpftool writes one value to all), so `percpu_val` does not depend on where the run was.
    /// `cpu` (bpf_get_smp_processor_id in the callback) is left out: it is whichever CPU ran the test, not the program's
    /// result. `bypass_unused` (.rodata, 1) keeps the unused callback dead; the maps cannot set it before the load.
    /// </summary>
    public static RealProgram ForEachArrayElem => new("for_each_array_map_elem", "tools/testing/selftests/bpf/progs/for_each_array_map_elem.c",
        "ForEachArrayElem.cs", [("test_pkt_access", "TestPktAccess")])
    {
        Maps = [("arraymap", "Arraymap"), ("percpu_map", "PercpuMap")],
        Globals =
        [
            ("arraymap_output", "ForEachArrayElem.ArraymapOutput"),
            ("percpu_val", "ForEachArrayElem.PercpuVal"),
            ("bypass_unused", "ForEachArrayElem.BypassUnused"),
        ],
        Setup =
        [
            new("arraymap", ForEachArrayElemU32(0), ForEachArrayElemU64(0x1_0000_0005)),
            new("arraymap", ForEachArrayElemU32(1), ForEachArrayElemU64(unchecked((ulong)-16L))),
            new("arraymap", ForEachArrayElemU32(2), ForEachArrayElemU64(0x1234)),
            new("percpu_map", ForEachArrayElemU32(0), ForEachArrayElemU64(0x1122_3344_5566_7788)),
        ],
        Runs =
        [
            new("test_pkt_access", ForEachArrayElemFrame()),
            new("test_pkt_access", ForEachArrayElemFrame(), Repeat: 5),
        ],
    };

    private static byte[] ForEachArrayElemU32(uint value) => System.BitConverter.GetBytes(value);

    private static byte[] ForEachArrayElemU64(ulong value) => System.BitConverter.GetBytes(value);

    /// <summary>Ethernet + IPv4 + TCP (54 bytes): the program does not read the packet.</summary>
    private static byte[] ForEachArrayElemFrame() =>
    [
        0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01, 0x08, 0x00,
        0x45, 0, 0, 40, 0, 1, 0x40, 0, 64, 6, 0, 0, 192, 168, 0, 1, 192, 168, 0, 2,
        0x1f, 0x90, 0x00, 0x50, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0xff, 0xff, 0, 0, 0, 0,
    ];
}
