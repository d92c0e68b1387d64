using System;
using BpfSharp.Loader.Native;

namespace BpfSharp
{
    /// <summary>A map of a loaded <see cref="BpfObject"/>: its kernel description and raw byte access.</summary>
    public sealed class BpfLoadedMap
    {
        private int _fd;

        internal BpfLoadedMap(string name, int fd, int type, uint keySize, uint valueSize, uint maxEntries, uint flags)
        {
            Name = name;
            _fd = fd;
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

        /// <summary>The map's file descriptor (owned by the object).</summary>
        public int Fd => _fd >= 0 ? _fd : throw new ObjectDisposedException(Name, $"map '{Name}' belongs to a disposed BpfObject");

        /// <summary>Reads the value under a key into <paramref name="value"/>; false when there is none.</summary>
        public bool TryLookup(ReadOnlySpan<byte> key, Span<byte> value)
        {
            CheckSizes(key, value, "look up");
            return TryLookupRaw(key, value);
        }

        // Without the size check: per-CPU values are one padded value per possible CPU (checked by the per-CPU view).
        internal bool TryLookupRaw(ReadOnlySpan<byte> key, Span<byte> value)
        {
            if (KernelObjects.MapElement(BpfCommand.MapLookupElem, Fd, key, value, 0, out var errno) >= 0)
            {
                return true;
            }

            return errno == NotFound ? false : throw Failure("lookup", errno);
        }

        /// <summary>Writes a value under a key; <paramref name="flags"/> is BPF_ANY, BPF_NOEXIST or BPF_EXIST.</summary>
        public void Update(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, ulong flags = 0)
        {
            CheckSizes(key, value, "update");
            UpdateRaw(key, value, flags);
        }

        internal void UpdateRaw(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, ulong flags)
        {
            var copy = value.ToArray();
            if (KernelObjects.MapElement(BpfCommand.MapUpdateElem, Fd, key, copy, flags, out var errno) < 0)
            {
                throw Failure("update", errno);
            }
        }

        /// <summary>Removes the entry under the key; false when there was none.</summary>
        public bool Delete(ReadOnlySpan<byte> key)
        {
            CheckSizes(key, new byte[ValueSize], "delete from");
            if (KernelObjects.MapElement(BpfCommand.MapDeleteElem, Fd, key, Span<byte>.Empty, 0, out var errno) >= 0)
            {
                return true;
            }

            return errno == NotFound ? false : throw Failure("delete", errno);
        }

        /// <summary>The key after <paramref name="key"/> (the first when it is null) into <paramref name="next"/>; false after the last.</summary>
        public bool NextKey(byte[]? key, byte[] next)
        {
            CheckSizes(next, new byte[ValueSize], "walk");
            var current = key is null ? null : (byte[])key.Clone();
            if (KernelObjects.MapElement(BpfCommand.MapGetNextKey, Fd, current, next, 0, out var errno) >= 0)
            {
                return true;
            }

            return errno == NotFound ? false : throw Failure("key walk", errno);
        }

        /// <summary>Takes a queue's or stack's next value into <paramref name="value"/>; false when empty.</summary>
        public bool Pop(Span<byte> value)
        {
            CheckSizes(ReadOnlySpan<byte>.Empty, value, "pop from");
            if (KernelObjects.MapElement(BpfCommand.MapLookupAndDeleteElem, Fd, ReadOnlySpan<byte>.Empty, value, 0, out var errno) >= 0)
            {
                return true;
            }

            return errno == NotFound ? false : throw Failure("pop", errno);
        }

        private void CheckSizes(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, string what)
        {
            if (key.Length != KeySize || value.Length != ValueSize)
            {
                throw new ArgumentException($"cannot {what} map '{Name}' with a {key.Length}-byte key and a {value.Length}-byte value: the kernel's map has {KeySize}-byte keys and {ValueSize}-byte values");
            }
        }

        private BpfException Failure(string operation, int errno) => new BpfException($"{operation} on map '{Name}' ({Type}) failed: {BpfSyscall.Describe(errno)}", errno);

        private const int NotFound = 2; // ENOENT

        internal void Close()
        {
            BpfSyscall.Close(_fd);
            _fd = -1;
        }
    }
}
