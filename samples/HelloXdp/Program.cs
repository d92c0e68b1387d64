using System;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using BpfSharp;
using HelloXdp;

// The user-space half of the sample: load the object `dotnet build` wrote next to this assembly, attach the XDP program
// to the loopback interface, send real traffic over it, and read the per-protocol counts back through the typed map view.
Console.WriteLine($"Generated BpfSharp.BpfHelpers: {typeof(PacketCounter).Assembly.GetType("BpfSharp.BpfHelpers", throwOnError: true)!.GetMethods().Count(m => m.IsStatic)} helper stubs; the program uses MapLookupElem and MapUpdateElem.");
try
{
    unsafe
    {
        var empty = new XdpMd();
        PacketCounter.CountPackets(&empty);
    }
}
catch (BpfHelperNotAvailableException ex)
{
    Console.WriteLine($"Calling the program from .NET: {ex.Message}");
}

if (!OperatingSystem.IsLinux())
{
    Console.WriteLine("Skipped loading: BPF programs load on Linux only.");
    return 0;
}

BpfObject loaded;
try
{
    loaded = BpfObject.Load(typeof(PacketCounter).Assembly);
}
catch (FileNotFoundException ex)
{
    Console.WriteLine($"Skipped loading: {ex.Message}");
    return 0;
}
catch (BpfException ex) when (ex.Errno is 1 or 13)
{
    Console.WriteLine($"Skipped loading: the kernel refused ({ex.Message}); loading BPF programs needs root, or CAP_BPF with CAP_NET_ADMIN.");
    return 0;
}

using (loaded)
{
    var program = loaded.Program(nameof(PacketCounter.CountPackets));
    Console.WriteLine($"Loaded {loaded.Name}.bpf.o from .NET: program {program.Name} ({program.Type}, section \"{program.Section}\"), maps {string.Join(", ", loaded.Maps.Keys)}.");
    var protocols = loaded.Map(PacketCounter.Protocols); // the C# field the program uses, typed HashMap<uint, ulong>

    const int Datagrams = 25;
    const int Connections = 5;
    using (var link = program.AttachXdp("lo"))
    {
        Console.WriteLine($"Attached: {link}. Sending {Datagrams} UDP datagrams and {Connections} TCP connections over loopback...");
        using var udp = new UdpClient();
        for (var i = 0; i < Datagrams; i++)
        {
            udp.Send(new byte[16], 16, new IPEndPoint(IPAddress.Loopback, 9));
        }

        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        for (var i = 0; i < Connections; i++)
        {
            using var client = new TcpClient();
            client.Connect((IPEndPoint)listener.LocalEndpoint);
            using var accepted = listener.AcceptTcpClient();
            client.GetStream().Write(new byte[32]);
        }

        listener.Stop();
        var deadline = DateTime.UtcNow.AddSeconds(3);
        while ((!protocols.TryLookup(17, out var seen) || seen < Datagrams) && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(10);
        }
    }

    Console.WriteLine("Packets the kernel counted on lo, read through loaded.Map(PacketCounter.Protocols):");
    Console.WriteLine("  protocol      packets");
    foreach (var (protocol, packets) in protocols.Entries.OrderBy(e => e.Key))
    {
        var name = protocol switch { 1 => "ICMP", 6 => "TCP", 17 => "UDP", PacketCounter.NotIpv4 => "not IPv4", _ => "IP proto " + protocol };
        Console.WriteLine($"  {name,-12} {packets,8}");
    }

    if (!protocols.TryLookup(17, out var udpPackets) || udpPackets < Datagrams || !protocols.TryLookup(6, out var tcpPackets) || tcpPackets == 0)
    {
        Console.Error.WriteLine($"expected at least {Datagrams} UDP and some TCP packets");
        return 1;
    }
}

return 0;
