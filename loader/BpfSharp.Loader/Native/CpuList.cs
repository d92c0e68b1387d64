using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;

namespace BpfSharp.Loader.Native
{
    /// <summary>The kernel's CPU lists (<c>/sys/devices/system/cpu/possible</c>, <c>online</c>): "0-3" or "0,2-5,7".</summary>
    internal static class CpuList
    {
        private static readonly Lazy<int> s_possible = new Lazy<int>(() => Count(File.ReadAllText("/sys/devices/system/cpu/possible")));

        /// <summary>The number of possible CPUs: the number of values the kernel keeps per key of a per-CPU map.</summary>
        public static int PossibleCount => s_possible.Value;

        /// <summary>The CPUs online now.</summary>
        public static IReadOnlyList<int> Online() => Parse(File.ReadAllText("/sys/devices/system/cpu/online"));

        /// <summary>Every CPU the list names.</summary>
        public static IReadOnlyList<int> Parse(string list)
        {
            var cpus = new List<int>();
            foreach (var range in list.Trim().Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                var bounds = range.Split('-');
                var first = int.Parse(bounds[0], CultureInfo.InvariantCulture);
                var last = bounds.Length > 1 ? int.Parse(bounds[1], CultureInfo.InvariantCulture) : first;
                for (var cpu = first; cpu <= last; cpu++)
                {
                    cpus.Add(cpu);
                }
            }

            return cpus;
        }

        /// <summary>The highest CPU listed plus one, as the kernel sizes per-CPU values (gaps included).</summary>
        public static int Count(string list) => Parse(list).Max() + 1;
    }
}
