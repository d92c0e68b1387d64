using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace BpfSharp.Loader.Native
{
    /// <summary>
    /// A map's or program's file descriptor, closed once no call is using it: a thread that disposes the object while
    /// another is inside a syscall delays the close, so the kernel never sees a descriptor number reused by something else.
    /// </summary>
    internal sealed class KernelDescriptor : SafeHandle
    {
        private readonly string _owner;

        public KernelDescriptor(int fd, string owner)
            : base(new IntPtr(-1), ownsHandle: true)
        {
            _owner = owner;
            SetHandle(new IntPtr(fd));
        }

        public override bool IsInvalid => handle.ToInt64() < 0;

        /// <summary>The number, for callers that hold it no longer than the object lives.</summary>
        public int Number => IsClosed ? throw Disposed() : (int)handle;

        /// <summary>The descriptor, kept open until the lease is disposed.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public DescriptorLease Use() => DescriptorLease.Of(this, s_disposed);

        protected override bool ReleaseHandle()
        {
            BpfSyscall.Close((int)handle);
            return true;
        }

        private static readonly Func<SafeHandle, Exception> s_disposed = handle => ((KernelDescriptor)handle).Disposed();

        private ObjectDisposedException Disposed() => new ObjectDisposedException(_owner, $"{_owner} belongs to a disposed BpfObject");
    }

    /// <summary>
    /// A handle's descriptor kept open for one call (a reference on the <see cref="SafeHandle"/>, released on dispose): a
    /// thread disposing the handle meanwhile delays the close instead of letting the number be reused under the call.
    /// </summary>
    internal readonly struct DescriptorLease : IDisposable
    {
        private readonly SafeHandle _handle;

        private DescriptorLease(SafeHandle handle)
        {
            _handle = handle;
        }

        public int Fd => (int)_handle.DangerousGetHandle();

        /// <summary>A lease on the handle, or the exception <paramref name="whenClosed"/> makes when it is closed already.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static DescriptorLease Of(SafeHandle handle, Func<SafeHandle, Exception> whenClosed)
        {
            var added = false;
            try
            {
                handle.DangerousAddRef(ref added);
            }
            catch (ObjectDisposedException)
            {
                throw whenClosed(handle);
            }

            return new DescriptorLease(handle);
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Dispose() => _handle.DangerousRelease();
    }
}
