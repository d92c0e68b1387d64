using System;
using System.Diagnostics;
using System.IO;

namespace BpfSharp.Benchmarks;

/// <summary>
/// Reading one object (ELF, BTF, linking: <c>ObjectSpec.Read</c>), or loading it whole, 200 times a round, printing the
/// time per read of each round: a steady loop to put under <c>perf</c>, and how the time changes as the runtime tiers up.
/// </summary>
public static class ReadLoop
{
    public static int Run(string path, int rounds, bool load)
    {
        var bytes = File.ReadAllBytes(path);
        for (var round = 0; round < rounds; round++)
        {
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < 200; i++)
            {
                if (load)
                {
                    BpfObject.Load(path, bytes).Dispose();
                }
                else
                {
                    BpfSharp.Loader.Objects.ObjectSpec.Read(path, bytes);
                }
            }
            Console.WriteLine($"{clock.Elapsed.TotalMilliseconds * 1000 / 200:F1} us");
        }
        return 0;
    }
}
