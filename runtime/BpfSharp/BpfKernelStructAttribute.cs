using System;

namespace BpfSharp
{
    /// <summary>
    /// Marks a struct as the C# twin of a kernel struct (same layout): the BPF compiler uses the kernel's own struct
    /// (<c>struct xdp_md</c>) and its field names (the C# names in snake_case: <c>DataEnd</c> is <c>data_end</c>).
    /// </summary>
    [AttributeUsage(AttributeTargets.Struct, AllowMultiple = false, Inherited = false)]
    public sealed class BpfKernelStructAttribute : Attribute
    {
        /// <summary>Names the kernel struct.</summary>
        /// <param name="name">The C name without <c>struct</c>, e.g. <c>xdp_md</c> or <c>__sk_buff</c>.</param>
        public BpfKernelStructAttribute(string name)
        {
            Name = name;
        }

        /// <summary>The kernel struct's C name.</summary>
        public string Name { get; }
    }
}
