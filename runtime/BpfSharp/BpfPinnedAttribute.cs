using System;

namespace BpfSharp
{
    /// <summary>
    /// Pins the map a static field declares by its name in the loader's pin folder (<c>/sys/fs/bpf</c> unless the loader
    /// is given another), as libbpf's <c>LIBBPF_PIN_BY_NAME</c>: the first load creates and pins it, later loads (of this
    /// object or of any object that declares a map of that name and shape) reuse it, so its contents outlive the process.
    /// </summary>
    [AttributeUsage(AttributeTargets.Field, AllowMultiple = false)]
    public sealed class BpfPinnedAttribute : Attribute
    {
    }
}
