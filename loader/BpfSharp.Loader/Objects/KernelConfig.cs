using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Threading;

namespace BpfSharp.Loader.Objects
{
    /// <summary>
    /// The running kernel's build options (<c>/boot/config-&lt;release&gt;</c>, else <c>/proc/config.gz</c>) and version, as
    /// libbpf reads them for <c>.kconfig</c> externs; read once per process.
    /// </summary>
    internal static class KernelConfig
    {
        private static readonly Lazy<string> s_release = new(() => ReadOrEmpty("/proc/sys/kernel/osrelease").Trim(), LazyThreadSafetyMode.ExecutionAndPublication);
        private static readonly Lazy<Dictionary<string, string>?> s_options = new(Read, LazyThreadSafetyMode.ExecutionAndPublication);

        /// <summary>Where the options came from, for messages.</summary>
        public static string Source => $"/boot/config-{s_release.Value} or /proc/config.gz";

        /// <summary>An option's value as the file writes it (<c>y</c>, <c>m</c>, <c>"text"</c>, <c>250</c>), or null when it is not set or cannot be read.</summary>
        public static string? Option(string name) => s_options.Value is { } options && options.TryGetValue(name, out var value) ? value : null;

        /// <summary>LINUX_KERNEL_VERSION: KERNEL_VERSION(major, minor, patch) of the release, the patch level at most 255.</summary>
        public static uint Version
        {
            get
            {
                var parts = s_release.Value.Split('.', '-', '+');
                uint Part(int i) => i < parts.Length && uint.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : 0;
                return (Part(0) << 16) + (Part(1) << 8) + Math.Min(Part(2), 255);
            }
        }

        private static Dictionary<string, string>? Read()
        {
            try
            {
                var boot = "/boot/config-" + s_release.Value;
                using var stream = File.Exists(boot) ? (Stream)File.OpenRead(boot) : new GZipStream(File.OpenRead("/proc/config.gz"), CompressionMode.Decompress);
                using var reader = new StreamReader(stream);
                var options = new Dictionary<string, string>(StringComparer.Ordinal);
                for (var line = reader.ReadLine(); line != null; line = reader.ReadLine())
                {
                    var equals = line.IndexOf('=');
                    if (line.StartsWith("CONFIG_", StringComparison.Ordinal) && equals > 0)
                    {
                        options[line.Substring(0, equals)] = line.Substring(equals + 1);
                    }
                }

                return options;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
            {
                return null;
            }
        }

        private static string ReadOrEmpty(string path)
        {
            try
            {
                return File.ReadAllText(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return string.Empty;
            }
        }
    }
}
