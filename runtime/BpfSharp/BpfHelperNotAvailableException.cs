using System;

namespace BpfSharp
{
    /// <summary>
    /// Thrown when a BPF helper stub is called from ordinary .NET code. Helpers exist only inside the kernel, for a
    /// loaded eBPF program; the stubs are there so that programs compile and can be checked.
    /// </summary>
    public sealed class BpfHelperNotAvailableException : NotSupportedException
    {
        /// <summary>Creates the exception for a helper.</summary>
        /// <param name="helperName">The kernel name of the helper.</param>
        /// <param name="helperId">The helper id.</param>
        public BpfHelperNotAvailableException(string helperName, int helperId)
            : base($"BPF helper {helperName}#{helperId} runs only inside the Linux kernel, in a loaded eBPF program; it cannot be called from .NET code.")
        {
            HelperName = helperName;
            HelperId = helperId;
        }

        /// <summary>The kernel name of the helper that was called.</summary>
        public string HelperName { get; }

        /// <summary>The id of the helper that was called.</summary>
        public int HelperId { get; }
    }
}
