using System;
using System.IO;
using System.Linq;
using BpfSharp.SpecData;

// spec-sync: rewrites the fact parts of every spec page from the sources in ../shared, keeping our descriptions,
// and reports what changed. --check only reports (exit code 1 when a page would change).
var repo = FindRepoRoot();
var shared = Path.GetFullPath(Path.Combine(repo, "..", "shared"));
var check = false;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--check":
            check = true;
            break;
        case "--shared" when i + 1 < args.Length:
            shared = Path.GetFullPath(args[++i]);
            break;
        default:
            Console.Error.WriteLine("usage: spec-sync [--check] [--shared DIR]   (DIR defaults to ../shared beside the repository)");
            return 2;
    }
}

if (!File.Exists(Path.Combine(shared, "kernel", "helper-signatures.tsv")))
{
    Console.Error.WriteLine($"error: no kernel and ebpf-docs data at {shared} (pass --shared DIR)");
    return 2;
}

var changes = new SpecSynchronizer(new UpstreamFacts(shared), Path.Combine(repo, "spec")).Run(write: !check);
foreach (var change in changes)
{
    Console.WriteLine($"{change.Helper}: {string.Join("; ", change.Changes)}");
}

var verb = check ? "would change" : "changed";
Console.WriteLine($"{changes.Count} page(s) {verb}.");
return check && changes.Count > 0 ? 1 : 0;

static string FindRepoRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "Generators.sln")))
        {
            return dir.FullName;
        }
    }

    return Directory.GetCurrentDirectory();
}
