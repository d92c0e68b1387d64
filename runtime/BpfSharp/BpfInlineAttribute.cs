using System;

namespace BpfSharp
{
    /// <summary>
    /// The C a runtime property becomes in a BPF program, beside its C# body: <c>{0}</c> stands for the struct it is read
    /// from. The compiler cannot read the body of a method in another assembly, so the runtime's header accessors carry
    /// their C with them.
    /// </summary>
    [AttributeUsage(AttributeTargets.Property)]
    internal sealed class BpfInlineAttribute : Attribute
    {
        public BpfInlineAttribute(string c) => C = c;

        public string C { get; }
    }
}
