using System;
using System.Collections.Generic;
using System.Linq;
using BpfSharp.Loader.Objects;

namespace BpfSharp
{
    public sealed partial class BpfObject
    {
        private readonly IReadOnlyList<GlobalSpec> _globals;

        /// <summary>
        /// A global variable of the object (a static field of a BpfSharp program: its C name is <c>Class_Field</c>, as in
        /// <c>Counters_Seen</c>; C objects: the variable's name), read and written as a <typeparamref name="T"/>. Its size
        /// must be the variable's.
        /// </summary>
        public BpfGlobal<T> Global<T>(string name)
            where T : unmanaged
        {
            ThrowIfDisposed();
            var matches = _globals.Where(g => g.Name == name).ToList();
            if (matches.Count != 1)
            {
                var known = _globals.Count == 0 ? "it has no global variables" : "it has: " + string.Join(", ", _globals.Select(g => g.Name));
                throw new KeyNotFoundException(matches.Count == 0 ? $"{Name} has no global variable '{name}'; {known}" : $"{Name} has {matches.Count} global variables named '{name}' (in {string.Join(", ", matches.Select(g => g.MapName))})");
            }

            var global = matches[0];
            if (global.Size != System.Runtime.CompilerServices.Unsafe.SizeOf<T>())
            {
                throw new BpfException($"global variable '{name}' is {global.Size} bytes; {typeof(T).Name} is {System.Runtime.CompilerServices.Unsafe.SizeOf<T>()} bytes: use the type the program declares", 0);
            }

            return new BpfGlobal<T>(name, Map(global.MapName), global.Offset, global.ReadOnly);
        }
    }
}
