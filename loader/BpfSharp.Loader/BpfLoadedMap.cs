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
            var copy = value.ToArray();
            if (KernelObjects.MapElement(BpfCommand.MapUpdateElem, Fd, key, copy, flags, out var errno) < 0)
            {
                throw Failure("update", errno);
            }
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
