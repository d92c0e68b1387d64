using System.Runtime.InteropServices;
using BpfSharp;
using BpfSharp.Kernel.Tracepoints;
using static BpfSharp.BpfFlags;

[assembly: BpfLicense("GPL")]

namespace OpenSnoop;

/// <summary>One open, as the kernel side hands it to .NET: the same struct on both sides.</summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct OpenEvent
{
    public uint Pid;
    public uint Uid;
    public int Flags;
    public int Result; // the descriptor, or -errno
    public fixed byte Command[16];
    public fixed byte Path[256];
}

/// <summary>
/// The BPF half of opensnoop: openat's entry records who opens what (the typed tracepoint contexts give the path and
/// flags), its exit adds the result and sends the whole event through the ring buffer.
/// </summary>
public static unsafe class OpenProbes
{
    public static readonly RingBufMap Events = new(maxEntries: 256 * 1024);

    // Opens under way, by thread (pid_tgid), between the syscall's entry and exit.
    public static readonly HashMap<ulong, OpenEvent> Pending = new(maxEntries: 4096);

    [BpfProgram("tp/syscalls/sys_enter_openat")]
    public static int OnEnter(Syscalls.SysEnterOpenat* context)
    {
        var thread = BpfHelpers.GetCurrentPidTgid();
        OpenEvent opened = default;
        opened.Pid = (uint)(thread >> 32);
        opened.Uid = (uint)BpfHelpers.GetCurrentUidGid();
        opened.Flags = (int)context->Flags;
        BpfHelpers.GetCurrentComm(opened.Command, 16);
        BpfHelpers.ProbeReadUserStr(opened.Path, 256, context->Filename);
        BpfHelpers.MapUpdateElem(Pending, &thread, &opened, BPF_ANY);
        return 0;
    }

    [BpfProgram("tp/syscalls/sys_exit_openat")]
    public static int OnExit(Syscalls.SysExitOpenat* context)
    {
        var thread = BpfHelpers.GetCurrentPidTgid();
        var opened = (OpenEvent*)BpfHelpers.MapLookupElem(Pending, &thread);
        if (opened == null)
        {
            return 0;
        }

        var sent = (OpenEvent*)BpfHelpers.RingbufReserve(Events, (ulong)sizeof(OpenEvent), 0);
        if (sent != null)
        {
            *sent = *opened;
            sent->Result = (int)context->Ret;
            BpfHelpers.RingbufSubmit(sent, 0);
        }

        BpfHelpers.MapDeleteElem(Pending, &thread);
        return 0;
    }
}
