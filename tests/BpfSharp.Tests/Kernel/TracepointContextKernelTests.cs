using System;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using BpfSharp.Loader;
using Xunit;
using Xunit.Abstractions;

namespace BpfSharp.Tests.Kernel;

/// <summary>
/// A tracepoint program typed by its generated context (<c>Syscalls.SysEnterOpenat*</c>) reads the fields the kernel
/// writes: the path and flags of an open this test makes, through a ring buffer.
/// </summary>
public sealed class TracepointContextKernelTests(ITestOutputHelper output) : IDisposable
{
    private const string Opens = """
        using BpfSharp;
        using BpfSharp.Kernel.Tracepoints;
        [assembly: BpfLicense("GPL")]
        public unsafe struct OpenEvent { public uint Pid; public int Flags; public fixed byte Path[128]; }
        public static unsafe class Opens
        {
            static readonly RingBufMap Events = new(maxEntries: 64 * 4096);
            static readonly ArrayMap<uint> Watched = new(maxEntries: 1);

            [BpfProgram("tp/syscalls/sys_enter_openat")]
            public static int OnOpenat(Syscalls.SysEnterOpenat* context)
            {
                uint key = 0;
                uint* watched = (uint*)BpfHelpers.MapLookupElem(Watched, &key);
                uint process = (uint)(BpfHelpers.GetCurrentPidTgid() >> 32);
                if (watched == null || *watched != process)
                {
                    return 0;
                }

                OpenEvent* e = (OpenEvent*)BpfHelpers.RingbufReserve(Events, (ulong)sizeof(OpenEvent), 0);
                if (e == null)
                {
                    return 0;
                }

                e->Pid = process;
                e->Flags = (int)context->Flags;
                BpfHelpers.ProbeReadUserStr(e->Path, 128, context->Filename);
                BpfHelpers.RingbufSubmit(e, 0);
                return 0;
            }
        }
        """;

    [StructLayout(LayoutKind.Sequential)]
    private unsafe struct OpenEvent
    {
        public uint Pid;
        public int Flags;
        public fixed byte Path[128];

        public string PathText()
        {
            fixed (byte* path = Path)
            {
                return Marshal.PtrToStringUTF8((IntPtr)path) ?? string.Empty;
            }
        }
    }

    private readonly string _directory = Directory.CreateTempSubdirectory("bpfsharp-tpctx-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [SkippableFact]
    public void An_openat_tracepoint_program_reads_the_path_and_flags_of_this_process_opens()
    {
        RunningKernel.RequireBpf();
        Skip.If(Tools.Find("clang") is null, "kernel test skipped: clang is needed (apt-get install clang)");
        Skip.IfNot(Directory.Exists("/sys/kernel/tracing/events/syscalls") || Directory.Exists("/sys/kernel/debug/tracing/events/syscalls") || Tools.Find("mount") != null,
            "kernel test skipped: no tracefs with syscall tracepoints");

        using var loaded = BpfObject.Load(Tools.CompileCSharp(Opens, _directory, "opens"));
        loaded.Map<uint, uint>("Watched").Update(0, (uint)Environment.ProcessId);
        using var events = loaded.RingBuffer<OpenEvent>("Events");
        var path = Path.Combine(_directory, "opened-" + Guid.NewGuid().ToString("N")[..8]);
        using (loaded.Program("OnOpenat").AttachTracepoint())
        {
            File.WriteAllText(path, "x"); // openat(AT_FDCWD, path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC)
            File.ReadAllText(path); // openat(AT_FDCWD, path, O_RDONLY | O_CLOEXEC)
        }

        var seen = new System.Collections.Generic.List<OpenEvent>();
        events.Drain(seen.Add);
        var ours = seen.Where(e => e.PathText() == path).ToList();
        output.WriteLine($"{seen.Count} opens of this process seen; {ours.Count} of {path}: flags {string.Join(", ", ours.Select(e => "0x" + e.Flags.ToString("x")))}");
        Assert.Equal(2, ours.Count);
        Assert.All(ours, e => Assert.Equal((uint)Environment.ProcessId, e.Pid));
        const int Create = 0x40, AccessMode = 3, WriteOnly = 1, ReadOnly = 0;
        Assert.Equal((Create, WriteOnly), (ours[0].Flags & Create, ours[0].Flags & AccessMode));
        Assert.Equal((0, ReadOnly), (ours[1].Flags & Create, ours[1].Flags & AccessMode));
    }
}
