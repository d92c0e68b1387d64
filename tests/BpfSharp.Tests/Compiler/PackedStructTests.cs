using System.Linq;
using BpfSharp.Compiler;
using Xunit;

namespace BpfSharp.Tests.Compiler;

/// <summary>BPF2009: a Pack that changes nothing in a struct's layout, yet makes clang read its wider fields byte by byte.</summary>
public class PackedStructTests
{
    private const string Source = """
        using System.Runtime.InteropServices;
        using BpfSharp;
        [assembly: BpfLicense("GPL")]

        [StructLayout(LayoutKind.Sequential, Pack = 1)]
        public struct Ipv4Header { public byte VersionAndLength; public byte Tos; public ushort TotalLength; public ushort Id; public ushort Fragment; public byte Ttl; public byte Protocol; public ushort Checksum; public uint Source; public uint Destination; }

        [StructLayout(LayoutKind.Sequential, Pack = 1)]
        public struct OnTheWire { public byte Kind; public uint Value; }

        [StructLayout(LayoutKind.Sequential, Pack = 4)]
        public struct Harmless { public uint A; public uint B; }

        public static unsafe class Program
        {
            [BpfProgram("xdp")]
            public static int Run(XdpMd* ctx)
            {
                byte* data = (byte*)(ulong)ctx->Data;
                if (data + 20 > (byte*)(ulong)ctx->DataEnd) return 2;
                return ((Ipv4Header*)data)->Protocol + (int)((OnTheWire*)data)->Value + (int)((Harmless*)data)->A;
            }
        }
        """;

    [Fact]
    public void A_pack_that_moves_no_field_is_a_warning_at_the_struct_and_the_object_is_still_written()
    {
        var result = BpfTranslatorTests.Translate(Source);
        var warning = Assert.Single(result.Problems);
        Assert.Equal(CompilerDiagnosticIds.PackedStruct, warning.Id);
        Assert.Equal("Ipv4Header", warning.Location.SourceTree!.GetText().ToString(warning.Location.SourceSpan));
        Assert.Contains("makes clang read TotalLength, Id, Fragment, Checksum, Source, Destination byte by byte", warning.Message);
        Assert.NotNull(result.C); // a warning: OnTheWire needs its packing (Value would move), Harmless's Pack lowers nothing
    }

    [Fact]
    public void Without_the_pack_there_is_nothing_to_say()
    {
        var result = BpfTranslatorTests.Translate(Source.Replace("[StructLayout(LayoutKind.Sequential, Pack = 1)]\npublic struct Ipv4Header", "public struct Ipv4Header"));
        Assert.Empty(result.Problems);
    }
}
