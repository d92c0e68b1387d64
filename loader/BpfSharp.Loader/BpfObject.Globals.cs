using System;
using System.Collections.Generic;
using System.Linq;
using System.Linq.Expressions;
using System.Reflection;
using BpfSharp.Loader.Objects;
using BpfSharp.Spec;

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

        /// <summary>The global variable of a static field of a BpfSharp program, by the field: <c>Global(() =&gt; Counters.Total)</c>.</summary>
        public BpfGlobal<T> Global<T>(Expression<Func<T>> field)
            where T : unmanaged => Global<T>(GlobalName(field));

        /// <summary>The object's name for the static field a lambda reads (<c>() =&gt; Counters.Total</c> is <c>Counters_Total</c>).</summary>
        internal static string GlobalName(LambdaExpression field) =>
            field.Body is MemberExpression { Member: FieldInfo { IsStatic: true, DeclaringType: { } type } info }
                ? CNames.Member(type.Name, info.Name)
                : throw new ArgumentException($"'{field}' does not read a static field; write it as () => Class.Field", nameof(field));
    }
}
