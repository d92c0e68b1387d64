using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;

namespace BpfSharp.Loader.Probing
{
    /// <summary>The capabilities that decide what bpf(2) allows, as /proc/self/status reports them for this process.</summary>
    internal static class ProcessCapabilities
    {
        private static readonly (int Bit, string Name)[] s_relevant =
        {
            (12, "CAP_NET_ADMIN"), (21, "CAP_SYS_ADMIN"), (38, "CAP_PERFMON"), (39, "CAP_BPF"),
        };

        /// <summary>The bpf-relevant capabilities in the effective set, by name.</summary>
        public static IReadOnlyList<string> Effective()
        {
            var mask = StatusField("CapEff");
            if (mask is null || !ulong.TryParse(mask, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var bits))
            {
                return Array.Empty<string>();
            }

            return s_relevant.Where(c => (bits & (1UL << c.Bit)) != 0).Select(c => c.Name).ToArray();
        }

        /// <summary>The effective user id, or -1 when /proc does not say.</summary>
        public static int EffectiveUid()
        {
            var uids = StatusField("Uid")?.Split(new[] { '\t', ' ' }, StringSplitOptions.RemoveEmptyEntries);
            return uids != null && uids.Length > 1 && int.TryParse(uids[1], NumberStyles.None, CultureInfo.InvariantCulture, out var uid) ? uid : -1;
        }

        private static string? StatusField(string name)
        {
            const string Path = "/proc/self/status";
            if (!File.Exists(Path))
            {
                return null;
            }

            foreach (var line in File.ReadLines(Path))
            {
                if (line.StartsWith(name + ":", StringComparison.Ordinal))
                {
                    return line.Substring(name.Length + 1).Trim();
                }
            }

            return null;
        }
    }
}
