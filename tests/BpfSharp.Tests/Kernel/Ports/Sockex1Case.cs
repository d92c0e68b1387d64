using System;
using System.Buffers.Binary;

namespace BpfSharp.Tests.Kernel.Ports;

public static partial class RealPrograms
{
    // sockex1 counts only packets whose pkt_type is PACKET_OUTGOING. BPF_PROG_TEST_RUN cannot produce one: the kernel
    // builds the skb with eth_type_trans (PACKET_HOST, BROADCAST, MULTICAST or OTHERHOST) and a socket filter's
    // ctx_in may not set pkt_type. So every run here takes the early return (after the BPF_LD_ABS, which still ends a
    // too-short packet first), and the map, filled beforehand, must come out unchanged in both.
    public static RealProgram Sockex1 => new("sockex1", "samples/bpf/sockex1_kern.c", "Sockex1.cs", [("bpf_prog1", "CountOutgoing")])
    {
        OriginalProgramType = "socket",
        Maps = [("my_map", "ProtoBytes")],
        Setup =
        [
            new("my_map", Sockex1Key(6), BitConverter.GetBytes(1000L)),
            new("my_map", Sockex1Key(17), BitConverter.GetBytes(-5L)),
            new("my_map", Sockex1Key(255), BitConverter.GetBytes(long.MaxValue)),
        ],
        Runs =
        [
            new("bpf_prog1", Sockex1Packet(Sockex1Ipv4(protocol: 6, payloadLength: 20))),        // TCP
            new("bpf_prog1", Sockex1Packet(Sockex1Ipv4(protocol: 17, payloadLength: 8)), Repeat: 3), // UDP
            new("bpf_prog1", Sockex1Packet(Sockex1Ipv4(protocol: 1, payloadLength: 8))),          // ICMP
            new("bpf_prog1", Sockex1Packet(Sockex1Ipv4(protocol: 255, payloadLength: 0))),        // protocol 255, header only
            new("bpf_prog1", Sockex1Packet(Sockex1Frame(0x86DD, new byte[40]))),                  // IPv6: byte 23 is the hop limit's neighbour
            new("bpf_prog1", Sockex1Packet(Sockex1Frame(0x0800, new byte[9]))),                   // ends right before the protocol byte: the load ends the program
            new("bpf_prog1", Sockex1Packet(Array.Empty<byte>())),                                 // only the Ethernet header the test run consumes
        ],
    };

    private static byte[] Sockex1Key(uint protocol) => BitConverter.GetBytes(protocol);

    // BPF_PROG_TEST_RUN of a socket filter consumes an Ethernet header and starts the program's data after it, while a
    // packet socket (what sockex1 is written for) shows its filter the frame from the Ethernet header on: so the frame
    // the original expects goes after a 14-byte header that the test run strips. That header's EtherType is a local
    // experimental one (0x88B5): with IPv4 or IPv6 there the kernel refuses (EINVAL) data too short for an IP header.
    private static byte[] Sockex1Packet(byte[] frame)
    {
        var packet = new byte[14 + frame.Length];
        packet[0] = 0x02; // unicast destination, not the loopback's address: PACKET_OTHERHOST
        packet[6] = 0x02;
        packet[11] = 0x01;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(12), 0x88B5);
        frame.CopyTo(packet, 14);
        return packet;
    }

    private static byte[] Sockex1Frame(ushort etherType, byte[] payload)
    {
        var frame = new byte[14 + payload.Length];
        for (var i = 0; i < 6; i++)
        {
            frame[i] = (byte)(0x10 + i);
            frame[6 + i] = (byte)(0x20 + i);
        }
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), etherType);
        payload.CopyTo(frame, 14);
        return frame;
    }

    private static byte[] Sockex1Ipv4(byte protocol, int payloadLength)
    {
        var ip = new byte[20 + payloadLength];
        ip[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(2), (ushort)ip.Length);
        ip[8] = 64;
        ip[9] = protocol;
        new byte[] { 192, 168, 1, 1, 192, 168, 1, 2 }.CopyTo(ip, 12);
        for (var i = 20; i < ip.Length; i++)
        {
            ip[i] = (byte)(i * 7);
        }
        return Sockex1Frame(0x0800, ip);
    }
}
