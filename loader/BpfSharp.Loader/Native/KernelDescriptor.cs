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
        public Lease Use()
        {
            var added = false;
            try
            {
                DangerousAddRef(ref added);
            }
            catch (ObjectDisposedException)
            {
                throw Disposed();
            }

            return new Lease(this);
        }

        protected override bool ReleaseHandle()
        {
            BpfSyscall.Close((int)handle);
            return true;
        }

        private ObjectDisposedException Disposed() => new ObjectDisposedException(_owner, $"{_owner} belongs to a disposed BpfObject");

        public readonly struct Lease : IDisposable
        {
            private readonly KernelDescriptor _descriptor;

            public Lease(KernelDescriptor descriptor)
            {
                _descriptor = descriptor;
            }

            public int Fd => (int)_descriptor.handle;

            [MethodImpl(MethodImplOptions.AggressiveOptimization)]
            public void Dispose() => _descriptor.DangerousRelease();
        }
    }
}
