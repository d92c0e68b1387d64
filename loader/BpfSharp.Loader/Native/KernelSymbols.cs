using System;
using System.IO;

namespace BpfSharp.Loader.Native
{
    /// <summary>The kernel's symbols (/proc/kallsyms): to tell an unknown function from one that cannot be probed, and where a symbol lies.</summary>
    internal static class KernelSymbols
    {
        /// <summary>The address /proc/kallsyms gives a symbol (0 where the kernel hides addresses), or null when it lists none of that name or cannot be read.</summary>
        public static ulong? Address(string symbol) =>
            LineOf(symbol) is { Length: > 0 } line
            && ulong.TryParse(line.AsSpan(0, line.IndexOf(' ')), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture, out var address)
                ? address
                : null;

        /// <summary>Whether /proc/kallsyms lists the function (module symbols included), or null when it cannot be read.</summary>
        public static bool? Contains(string function) => LineOf(function) is string line ? line.Length > 0 : null;

        // The first line naming the symbol ("ffffffff81377c60 T __x64_sys_getppid" or "... t name\t[module]"), "" when none
        // does, null when the file cannot be read.
        private static string? LineOf(string symbol)
        {
            try
            {
                foreach (var line in File.ReadLines("/proc/kallsyms"))
                {
                    var name = line.AsSpan(line.LastIndexOf(' ') + 1);
                    var tab = name.IndexOf('\t');
                    if ((tab < 0 ? name : name.Slice(0, tab)).SequenceEqual(symbol))
                    {
                        return line;
                    }
                }

                return string.Empty;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return null;
            }
        }
    }
}
