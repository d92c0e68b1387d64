using System;
using System.Linq;
using System.Reflection;
using BpfSharp;
using HelloXdp;

// Shows the generated helper API this sample uses, with the facts each stub carries for the analyzers,
// then what happens when a helper is called outside the kernel.
var helpers = typeof(PacketCounter).Assembly.GetType("BpfSharp.BpfHelpers", throwOnError: true)!;
Console.WriteLine($"Generated BpfSharp.BpfHelpers: {helpers.GetMethods(BindingFlags.Public | BindingFlags.Static).Length} helper stubs.");
foreach (var name in new[] { "MapLookupElem", "MapUpdateElem" })
{
    var method = helpers.GetMethod(name)!;
    var helper = method.GetCustomAttribute<BpfHelperAttribute>()!;
    var parameters = string.Join(", ", method.GetParameters().Select(p => $"{Display(p.ParameterType)} {p.Name}"));
    var programTypes = helper.AllowedProgramTypes ?? [];
    var mapTypes = helper.AcceptedMapTypes.Select(m => m.ToString()).ToArray();
    Console.WriteLine($"  BpfHelpers.{name}({parameters}) -> {Display(method.ReturnType)}");
    Console.WriteLine($"    {helper.Name}#{helper.Id}, since Linux {helper.Since}; allowed in {programTypes.Count} program types (XDP: {programTypes.Contains(BpfProgramType.Xdp)})"
        + (mapTypes.Length > 0 ? $"; map types: {string.Join(", ", mapTypes)}" : string.Empty));
}

Console.WriteLine($"PacketCounter.Protocols is a {PacketCounter.Protocols.MapType} map with {PacketCounter.Protocols.MaxEntries} entries.");
try
{
    unsafe
    {
        // An empty packet: the program counts it under NotIpv4, and the map lookup is where .NET has to stop.
        var context = new XdpMd();
        PacketCounter.CountPackets(&context);
    }
}
catch (BpfHelperNotAvailableException ex)
{
    Console.WriteLine($"Calling the program from .NET: {ex.Message}");
}

static string Display(Type type) => type.IsPointer ? Display(type.GetElementType()!) + "*" : type.Name switch
{
    "Void" => "void",
    "UInt64" => "ulong",
    "Int64" => "long",
    _ => type.Name,
};
