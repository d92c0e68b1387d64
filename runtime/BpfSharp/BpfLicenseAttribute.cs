using System;

namespace BpfSharp
{
    /// <summary>
    /// Declares the licence of the BPF programs in this assembly, as the kernel reads it from the <c>license</c>
    /// ELF section (for example <c>"GPL"</c> or <c>"Dual BSD/GPL"</c>). GPL-only helpers need a GPL-compatible licence.
    /// </summary>
    [AttributeUsage(AttributeTargets.Assembly, AllowMultiple = false)]
    public sealed class BpfLicenseAttribute : Attribute
    {
        /// <summary>Declares the licence string.</summary>
        /// <param name="license">The licence string the kernel will see.</param>
        public BpfLicenseAttribute(string license)
        {
            License = license;
        }

        /// <summary>The licence string the kernel will see.</summary>
        public string License { get; }
    }
}
