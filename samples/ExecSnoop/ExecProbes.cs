using System.Runtime.InteropServices;
using BpfSharp;
using BpfSharp.Kernel.Tracepoints;
using static BpfSharp.BpfFlags;

[assembly: BpfLicense("GPL")]

namespace ExecSnoop;

/// <summary>What happened to a process: it ran a new program, or it ended.</summary>
public enum ProcessEventKind : uint
{
    Exec = 1,
    Exit = 2,
}

/// <summary>One event, the same struct on both sides of the ring buffer.</summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct ProcessEvent
{
    public ProcessEventKind Kind;
    public uint Pid;
    public uint ParentPid; // 0 when the process was forked before tracing began
    public int ExitCode; // the status given to exit_group; -1 when it ended otherwise (a signal)
    public fixed byte Command[16];
    public fixed byte Filename[256];
}

/// <summary>
/// The BPF half of execsnoop: forks note each new process's parent, exec reports the program run (its path is the
/// variable part of the sched_process_exec record), exit_group notes the status and the last thread's exit reports it.
/// </summary>
public static unsafe class ExecProbes
{
    public static readonly RingBufMap Events = new(maxEntries: 256 * 1024);
    public static readonly HashMap<uint, uint> Parents = new(maxEntries: 16384);
    public static readonly HashMap<uint, int> ExitCodes = new(maxEntries: 16384);

    [BpfProgram("tp/sched/sched_process_fork")]
    public static int OnFork(Sched.SchedProcessFork* context)
    {
        // The forking task is current: its process id, not the thread's id the record holds.
        var parent = (uint)(BpfHelpers.GetCurrentPidTgid() >> 32);
        var child = (uint)context->ChildPid;
        BpfHelpers.MapUpdateElem(Parents, &child, &parent, BPF_ANY);
        return 0;
    }

    [BpfProgram("tp/sched/sched_process_exec")]
    public static int OnExec(Sched.SchedProcessExec* context)
    {
        var e = (ProcessEvent*)BpfHelpers.RingbufReserve(Events, (ulong)sizeof(ProcessEvent), 0);
        if (e == null)
        {
            return 0;
        }

        e->Kind = ProcessEventKind.Exec;
        e->Pid = (uint)context->Pid;
        var parent = (uint*)BpfHelpers.MapLookupElem(Parents, &e->Pid);
        e->ParentPid = parent == null ? 0 : *parent;
        e->ExitCode = 0;
        BpfHelpers.GetCurrentComm(e->Command, 16);
        // __data_loc: the low 16 bits are where the path starts in the record.
        BpfHelpers.ProbeReadKernelStr(e->Filename, 256, (byte*)context + (context->Filename & 0xffff));
        BpfHelpers.RingbufSubmit(e, 0);
        return 0;
    }

    [BpfProgram("tp/syscalls/sys_enter_exit_group")]
    public static int OnExitGroup(Syscalls.SysEnterExitGroup* context)
    {
        var process = (uint)(BpfHelpers.GetCurrentPidTgid() >> 32);
        var code = (int)context->ErrorCode;
        BpfHelpers.MapUpdateElem(ExitCodes, &process, &code, BPF_ANY);
        return 0;
    }

    [BpfProgram("tp/sched/sched_process_exit")]
    public static int OnExit(Sched.SchedProcessExit* context)
    {
        if (context->GroupDead == 0)
        {
            return 0; // a thread ended, not the process
        }

        var process = (uint)(BpfHelpers.GetCurrentPidTgid() >> 32);
        var e = (ProcessEvent*)BpfHelpers.RingbufReserve(Events, (ulong)sizeof(ProcessEvent), 0);
        if (e != null)
        {
            e->Kind = ProcessEventKind.Exit;
            e->Pid = process;
            var parent = (uint*)BpfHelpers.MapLookupElem(Parents, &process);
            e->ParentPid = parent == null ? 0 : *parent;
            var code = (int*)BpfHelpers.MapLookupElem(ExitCodes, &process);
            e->ExitCode = code == null ? -1 : *code;
            BpfHelpers.GetCurrentComm(e->Command, 16);
            e->Filename[0] = 0;
            BpfHelpers.RingbufSubmit(e, 0);
        }

        BpfHelpers.MapDeleteElem(Parents, &process);
        BpfHelpers.MapDeleteElem(ExitCodes, &process);
        return 0;
    }
}
