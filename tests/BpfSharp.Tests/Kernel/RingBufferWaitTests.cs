using System;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace BpfSharp.Tests.Kernel;

/// <summary>
/// An async reader of a ring buffer waits for the kernel to say there are records (poll on a thread of its own), not for
/// a timer: a record produced while it waits is handed over, and cancelling a waiting reader ends it with
/// OperationCanceledException and stops that thread.
/// </summary>
[Collection(nameof(DescriptorCounting))]
public sealed class RingBufferWaitTests : IDisposable
{
    private const string Producer = """
        #include <linux/bpf.h>
        #include <bpf/bpf_helpers.h>
        struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 4096); } records SEC(".maps");
        __u64 produced;
        SEC("socket") int produce(void *ctx)
        {
            __u64 sequence = __sync_fetch_and_add(&produced, 1) + 1;
            bpf_ringbuf_output(&records, &sequence, sizeof(sequence), 0);
            return 0;
        }
        char LICENSE[] SEC("license") = "GPL";
        """;

    private readonly string _directory = Directory.CreateTempSubdirectory("bpfsharp-ring-wait-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [SkippableFact]
    public async Task A_waiting_reader_gets_the_records_produced_while_it_waits()
    {
        using var loaded = BpfObject.Load(Compile());
        using var ring = loaded.RingBuffer("records");
        using var cancellation = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var enumerator = ring.ReadAllAsync(cancellation.Token).GetAsyncEnumerator(cancellation.Token);
        try
        {
            var next = enumerator.MoveNextAsync().AsTask();
            await Task.Delay(50);
            Assert.False(next.IsCompleted, "nothing was produced yet");
            loaded.Programs["produce"].TestRun(new byte[64]);
            Assert.True(await next);
            Assert.Equal(1UL, BitConverter.ToUInt64(enumerator.Current));

            next = enumerator.MoveNextAsync().AsTask();
            loaded.Programs["produce"].TestRun(new byte[64], repeat: 2);
            Assert.True(await next);
            Assert.Equal(2UL, BitConverter.ToUInt64(enumerator.Current));
            Assert.True(await enumerator.MoveNextAsync());
            Assert.Equal(3UL, BitConverter.ToUInt64(enumerator.Current));
        }
        finally
        {
            await enumerator.DisposeAsync();
        }
    }

    [SkippableFact]
    public async Task Cancelling_a_waiting_reader_ends_it_as_dotnet_streams_end_and_stops_its_thread()
    {
        using var loaded = BpfObject.Load(Compile());
        using var ring = loaded.RingBuffer("records");
        var before = PollThreads();
        using var cancellation = new CancellationTokenSource();
        var reading = Task.Run(async () =>
        {
            await foreach (var _ in ring.ReadAllAsync(cancellation.Token))
            {
            }
        });
        for (var i = 0; i < 100 && PollThreads() == before; i++)
        {
            await Task.Delay(20); // until the reader waits in poll
        }

        Assert.Equal(before + 1, PollThreads());
        cancellation.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reading);
        Assert.Equal(before, PollThreads());
    }

    // The threads of this process that wait in poll for a reader (Linux names a thread after its first 15 characters).
    private static int PollThreads() =>
        Directory.GetDirectories("/proc/self/task").Count(task => File.ReadAllText(Path.Combine(task, "comm")).Trim() == "BpfSharp poll:");

    private string Compile()
    {
        RunningKernel.RequireBpf();
        Skip.If(Tools.Find("clang") is null, "kernel test skipped: clang is needed (apt-get install clang)");
        Skip.If(!File.Exists("/usr/include/bpf/bpf_helpers.h"), "kernel test skipped: libbpf's headers are needed (apt-get install libbpf-dev)");
        File.WriteAllText(Path.Combine(_directory, "producer.c"), Producer);
        var compile = Tools.Run(Tools.Find("clang")!, $"-O2 -g -target bpf -I/usr/include/x86_64-linux-gnu -c {_directory}/producer.c -o {_directory}/producer.o");
        Assert.True(compile.ExitCode == 0, compile.Output);
        return Path.Combine(_directory, "producer.o");
    }
}
