using System;
using System.Runtime.InteropServices;
using BpfSharp.Loader.Native;

namespace BpfSharp
{
    /// <summary>A map of a loaded <see cref="BpfObject"/>: its kernel description and raw byte access.</summary>
    public sealed class BpfLoadedMap
    {
        private readonly KernelDescriptor _descriptor;

        internal BpfLoadedMap(string name, int fd, int type, uint keySize, uint valueSize, uint maxEntries, uint flags)
        {
            Name = name;
            _descriptor = new KernelDescriptor(fd, $"map '{name}'");
            Type = (BpfMapType)type;
            KeySize = keySize;
            ValueSize = valueSize;
            MaxEntries = maxEntries;
            Flags = flags;
        }

        public string Name { get; }

        public BpfMapType Type { get; }

        public uint KeySize { get; }

        public uint ValueSize { get; }

        public uint MaxEntries { get; }

        public uint Flags { get; }

        /// <summary>Where the map is pinned by name (<c>[BpfPinned]</c>), or null.</summary>
        public string? PinPath { get; init; }

        /// <summary>Whether the load found the map already pinned and used it instead of creating one.</summary>
        public bool Reused { get; init; }

        /// <summary>Pins the map at a path in bpffs: it outlives the object (and the process) until the file is deleted.</summary>
        public void Pin(string path)
        {
            using var descriptor = Use();
            Pinning.Pin(descriptor.Fd, path, $"map '{Name}'");
        }

        /// <summary>The map's file descriptor (owned by the object: valid while the object is not disposed).</summary>
        public int Fd => _descriptor.Number;

        // The descriptor held open for one call, however other threads dispose the object meanwhile.
        internal KernelDescriptor.Lease Use() => _descriptor.Use();

        /// <summary>Reads the value under a key into <paramref name="value"/>; false when there is none.</summary>
        public bool TryLookup(ReadOnlySpan<byte> key, Span<byte> value)
        {
            CheckSizes(key.Length, value.Length, "look up");
            return TryLookupRaw(key, value);
        }

        // Without the size check: per-CPU values are one padded value per possible CPU (checked by the per-CPU view).
        internal bool TryLookupRaw(ReadOnlySpan<byte> key, Span<byte> value) => Found(BpfCommand.MapLookupElem, key, value, "lookup");

        /// <summary>Writes a value under a key; <paramref name="flags"/> is BPF_ANY, BPF_NOEXIST or BPF_EXIST.</summary>
        public void Update(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, ulong flags = 0)
        {
            CheckSizes(key.Length, value.Length, "update");
            UpdateRaw(key, value, flags);
        }

        internal void UpdateRaw(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, ulong flags)
        {
            // The kernel only reads an update's value: no copy is needed to hand it over as a writable span.
            var readOnly = MemoryMarshal.CreateSpan(ref MemoryMarshal.GetReference(value), value.Length);
            using var descriptor = Use();
            if (KernelObjects.MapElement(BpfCommand.MapUpdateElem, descriptor.Fd, key, readOnly, flags, out var errno) < 0)
            {
                throw Failure("update", errno);
            }
        }

        /// <summary>Removes the entry under the key; false when there was none.</summary>
        public bool Delete(ReadOnlySpan<byte> key)
        {
            CheckSizes(key.Length, (int)ValueSize, "delete from");
            return Found(BpfCommand.MapDeleteElem, key, Span<byte>.Empty, "delete");
        }

        /// <summary>The key after <paramref name="key"/> (the first when it is null) into <paramref name="next"/>; false after the last.</summary>
        public bool NextKey(byte[]? key, byte[] next)
        {
            CheckSizes(next.Length, (int)ValueSize, "walk");
            return Found(BpfCommand.MapGetNextKey, key is null ? null : (byte[])key.Clone(), next, "key walk");
        }

        /// <summary>Takes a queue's or stack's next value into <paramref name="value"/>; false when empty.</summary>
        public bool Pop(Span<byte> value)
        {
            CheckSizes(0, value.Length, "pop from");
            return Found(BpfCommand.MapLookupAndDeleteElem, ReadOnlySpan<byte>.Empty, value, "pop");
        }

        // One element command: true when it succeeded, false when the kernel found nothing (ENOENT), an exception otherwise.
        private bool Found(BpfCommand command, ReadOnlySpan<byte> key, Span<byte> value, string operation)
        {
            using var descriptor = Use();
            if (KernelObjects.MapElement(command, descriptor.Fd, key, value, 0, out var errno) >= 0)
            {
                return true;
            }

            return errno == NotFound ? false : throw Failure(operation, errno);
        }

        private void CheckSizes(int keyLength, int valueLength, string what)
        {
            if (keyLength != KeySize || valueLength != ValueSize)
            {
                throw new ArgumentException($"cannot {what} map '{Name}' with a {keyLength}-byte key and a {valueLength}-byte value: the kernel's map has {KeySize}-byte keys and {ValueSize}-byte values");
            }
        }

        private BpfException Failure(string operation, int errno) => new BpfException($"{operation} on map '{Name}' ({Type}) failed: {BpfSyscall.Describe(errno)}", errno);

        private const int NotFound = 2; // ENOENT

        internal void Close() => _descriptor.Dispose();
    }
}
