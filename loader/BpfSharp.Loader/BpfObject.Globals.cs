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
            var global = GlobalSpec.Find(Name, _globals, name, System.Runtime.CompilerServices.Unsafe.SizeOf<T>(), typeof(T).Name);
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
