using System;
using System.Runtime.InteropServices;

namespace BpfSharp
{
    /// <summary>
    /// A global variable of a loaded object (<see cref="BpfObject.Global{T}(string)"/>): its value in the kernel's
    /// data map, read and written from .NET. A write replaces the whole data section with its current contents and the
    /// new value: another variable a program writes at that moment may lose that write, so write while programs are
    /// quiet, or give such variables their own map.
    /// </summary>
    public sealed class BpfGlobal<T>
        where T : unmanaged
    {
        private readonly BpfLoadedMap _map;
        private readonly int _offset;
        private readonly bool _readOnly;

        internal BpfGlobal(string name, BpfLoadedMap map, int offset, bool readOnly)
        {
            Name = name;
            _map = map;
            _offset = offset;
            _readOnly = readOnly;
        }

        /// <summary>The variable's name in the object.</summary>
        public string Name { get; }

        /// <summary>The value the kernel holds now; read-only data (<c>static readonly</c>, <c>.rodata</c>) cannot be set after loading.</summary>
        public T Value
        {
            get => MemoryMarshal.Read<T>(Section().AsSpan(_offset));
            set
            {
                if (_readOnly)
                {
                    throw new BpfException($"global variable '{Name}' is read-only data, frozen when the object was loaded", 0);
                }

                var section = Section();
                MemoryMarshal.Write(section.AsSpan(_offset), in value);
                _map.Update(new byte[4], section);
            }
        }

        private byte[] Section()
        {
            var section = new byte[_map.ValueSize];
            if (!_map.TryLookup(new byte[4], section))
            {
                throw new BpfException($"global variable '{Name}': its data map '{_map.Name}' has no entry", 0);
            }

            return section;
        }
    }
}
