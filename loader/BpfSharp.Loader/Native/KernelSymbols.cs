using System;
using System.IO;
using System.Linq;

namespace BpfSharp.Loader.Native
{
    /// <summary>The kernel's symbols, to tell an unknown function from one that cannot be probed.</summary>
    internal static class KernelSymbols
    {
        /// <summary>Whether /proc/kallsyms lists the function (module symbols included), or null when it cannot be read.</summary>
        public static bool? Contains(string function)
        {
            try
            {
                // "ffffffff81377c60 T __x64_sys_getppid" or "... t name\t[module]"
                return File.ReadLines("/proc/kallsyms").Any(line =>
                {
                    var name = line.AsSpan(line.LastIndexOf(' ') + 1);
                    var tab = name.IndexOf('\t');
                    return (tab < 0 ? name : name.Slice(0, tab)).SequenceEqual(function);
                });
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return null;
            }
        }
    }
}
