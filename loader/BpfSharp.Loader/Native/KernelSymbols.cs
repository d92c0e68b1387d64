using System;
using System.IO;
using System.Linq;

namespace BpfSharp.Loader.Native
{
    /// <summary>The kernel's symbols, to tell an unknown function from one that cannot be probed.</summary>
    internal static class KernelSymbols
    {
        /// <summary>The address /proc/kallsyms gives a symbol (0 where the kernel hides addresses), or null when it lists none of that name or cannot be read.</summary>
        public static ulong? Address(string symbol)
        {
            try
            {
                foreach (var line in File.ReadLines("/proc/kallsyms"))
                {
                    var name = line.AsSpan(line.LastIndexOf(' ') + 1);
                    var tab = name.IndexOf('\t');
                    if ((tab < 0 ? name : name.Slice(0, tab)).SequenceEqual(symbol)
                        && ulong.TryParse(line.AsSpan(0, line.IndexOf(' ')), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture, out var address))
                    {
                        return address;
                    }
                }

                return null;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return null;
            }
        }

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
