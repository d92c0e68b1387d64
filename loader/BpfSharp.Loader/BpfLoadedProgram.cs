using System;
using BpfSharp.Loader.Native;

namespace BpfSharp
{
    /// <summary>What a test run of a program gave back (<c>BPF_PROG_TEST_RUN</c>).</summary>
    /// <param name="ReturnValue">
    /// The program's return value, as the C# program returns it: an <c>int</c>, so it compares with
    /// <see cref="BpfReturnCodes"/> as they are (<c>Assert.Equal(XDP_PASS, run.ReturnValue)</c>; <c>TC_ACT_UNSPEC</c> is -1).
    /// </param>
    /// <param name="Data">The packet as the program left it.</param>
    /// <param name="Context">The context as the program left it, when one was passed in.</param>
    /// <param name="Duration">The kernel's average time per run.</param>
    public sealed record BpfTestRunResult(int ReturnValue, byte[] Data, byte[] Context, TimeSpan Duration);

    /// <summary>A program of a loaded <see cref="BpfObject"/>.</summary>
    public sealed partial class BpfLoadedProgram
    {
        private readonly KernelDescriptor _descriptor;

        internal BpfLoadedProgram(string name, string section, int fd, int programType, string? attachType)
        {
            Name = name;
            Section = section;
            _descriptor = new KernelDescriptor(fd, $"program '{name}'");
            Type = (BpfProgramType)programType;
            AttachType = attachType;
        }

        public string Name { get; }

        /// <summary>The ELF section it came from (its libbpf section name).</summary>
        public string Section { get; }

        public BpfProgramType Type { get; }

        /// <summary>The kernel attach type its section implies (BPF_CGROUP_INET_INGRESS, ...), or null.</summary>
        public string? AttachType { get; }

        /// <summary>The program's file descriptor (owned by the object: valid while the object is not disposed).</summary>
        public int Fd => _descriptor.Number;

        // The descriptor held open for one call, however other threads dispose the object meanwhile.
        internal DescriptorLease Use() => _descriptor.Use();

        /// <summary>Pins the program at a path in bpffs: it stays loaded until the file is deleted.</summary>
        public void Pin(string path)
        {
            using var descriptor = Use();
            Pinning.Pin(descriptor.Fd, path, $"program '{Name}'");
        }

        /// <summary>
        /// Runs the program in the kernel on a packet (XDP, TC, socket filters, ...) without attaching it: the kernel's
        /// <c>BPF_PROG_TEST_RUN</c>. <paramref name="repeat"/> runs it that many times (the duration is the average);
        /// <paramref name="context"/> is the context struct passed in (an <c>__sk_buff</c> for TC, for example), read back after.
        /// Raw tracepoint, tracing and syscall programs run once on their context alone (no packet, no repeat).
        /// </summary>
        public BpfTestRunResult TestRun(ReadOnlySpan<byte> data, int repeat = 1, ReadOnlySpan<byte> context = default)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(repeat);
            var contextOnly = Type is BpfProgramType.RawTracepoint or BpfProgramType.RawTracepointWritable or BpfProgramType.Tracing or BpfProgramType.Syscall;
            if (contextOnly && (!data.IsEmpty || repeat != 1))
            {
                throw new ArgumentException($"'{Name}' is {Type}: the kernel runs such programs once on their context alone; pass no packet and no repeat (TestRun([], context: arguments))");
            }

            var dataOut = contextOnly ? Array.Empty<byte>() : new byte[data.Length + 256]; // programs may grow the packet (XDP tail/head adjustments)
            // Syscall programs write their context back into the input; the others into a separate buffer.
            var contextIn = context.ToArray();
            var contextOut = new byte[context.Length];
            using var descriptor = Use();
            if (KernelObjects.TestRun(descriptor.Fd, data, dataOut, contextOnly ? 0u : (uint)repeat, contextIn, contextOnly ? Span<byte>.Empty : contextOut, out var output, out var errno) < 0)
            {
                throw new BpfException($"test run of '{Name}' ({Type}) failed: {BpfSyscall.Describe(errno)}" + (errno == Errno.InvalidArgument ? " (the kernel refuses test runs of some program types, and packets it finds malformed: an IPv6 frame needs a whole IPv6 header, any frame at least 14 bytes)" : string.Empty), errno);
            }

            var dataSize = (int)output.DataSizeOut;
            return new BpfTestRunResult(output.ReturnValue, dataOut.AsSpan(0, Math.Min(dataSize, dataOut.Length)).ToArray(), contextOnly ? contextIn : contextOut, TimeSpan.FromTicks(output.DurationNanoseconds / 100));
        }

        internal void Close() => _descriptor.Dispose();
    }
}
