using System;
using System.IO;
using BpfSharp.Generators;
using BpfSharp.Spec;

// prerender OUTPUT: writes what the generator emits for the shipped spec alone (no user pages), LF line endings.
if (args.Length != 1)
{
    Console.Error.WriteLine("usage: prerender OUTPUT");
    return 2;
}

foreach (var page in ShippedSpec.Pages)
{
    if (page.HasErrors)
    {
        Console.Error.WriteLine("error: the shipped spec has problems: " + string.Join("; ", page.Diagnostics));
        return 1;
    }
}

var text = HelperEmitter.Emit(HelperSpecMerger.Merge(ShippedSpec.Helpers, Array.Empty<HelperSpec>()));
Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(args[0]))!);
File.WriteAllText(args[0], text);
return 0;
