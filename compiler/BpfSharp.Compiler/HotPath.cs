using System.Runtime.CompilerServices;

namespace BpfSharp.Compiler
{
    /// <summary>How the methods that run once per body or call of a compilation are jitted.</summary>
    public static class HotPath
    {
        /// <summary>
        /// MethodImplOptions.AggressiveOptimization, which netstandard2.0 does not name: the method is compiled optimised
        /// on first call. Otherwise a compiler process runs it unoptimised, then instrumented, for its first builds: the
        /// runtime postpones tier-up while the compiler keeps jitting its own methods.
        /// </summary>
        public const MethodImplOptions Optimized = (MethodImplOptions)512;
    }
}
