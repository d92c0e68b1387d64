using System;

namespace BpfSharp.Tests.Kernel.Ports;

/// <summary>The Internet checksum (RFC 1071) of the test packets' IPv4 headers and pseudo-headers.</summary>
public static class InternetChecksum
{
    /// <summary>The one's complement of the one's complement sum of the bytes, as 16-bit big-endian words (an odd last byte padded with 0).</summary>
    public static ushort Of(ReadOnlySpan<byte> bytes)
    {
        uint sum = 0;
        for (var i = 0; i < bytes.Length; i += 2)
        {
            sum += (uint)(bytes[i] << 8 | (i + 1 < bytes.Length ? bytes[i + 1] : 0));
        }

        while (sum > 0xFFFF)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }

        return (ushort)~sum;
    }
}
