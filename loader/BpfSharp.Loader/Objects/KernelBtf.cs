using System;
using System.Collections.Concurrent;
using System.IO;
using System.Threading;

namespace BpfSharp.Loader.Objects
{
    /// <summary>
    /// The kernel's BTF, which CO-RE relocations and attach targets are resolved against: the running kernel's
    /// (<c>/sys/kernel/btf/vmlinux</c>, read once per process) or a file given instead (raw BTF, as BTFHub ships, or an ELF
    /// file with a .BTF section), read once per path.
    /// </summary>
    internal static class KernelBtf
    {
        public const string VmlinuxPath = "/sys/kernel/btf/vmlinux";

        private static readonly Lazy<Btf?> s_vmlinux = new(() => TryRead(VmlinuxPath), LazyThreadSafetyMode.ExecutionAndPublication);
        private static readonly ConcurrentDictionary<string, Lazy<Btf>> s_files = new(StringComparer.Ordinal);

        /// <summary>The running kernel's BTF, or null when it has none (no CONFIG_DEBUG_INFO_BTF) or it cannot be read.</summary>
        public static Btf? Running => s_vmlinux.Value;

        /// <summary>The running kernel's BTF, or a refusal: "<paramref name="what"/>, and the running kernel has no BTF (...)<paramref name="remedy"/>".</summary>
        public static Btf RunningOrRefuse(string what, string remedy) =>
            Running ?? throw new BpfException($"{what}, and the running kernel has no BTF to find its types in ({VmlinuxPath} is missing: the kernel is built without CONFIG_DEBUG_INFO_BTF){remedy}", 0);

        /// <summary>The BTF of a file (raw BTF, or an ELF file's .BTF section).</summary>
        public static Btf FromFile(string path) =>
            s_files.GetOrAdd(Path.GetFullPath(path), full => new Lazy<Btf>(() => Read(full), LazyThreadSafetyMode.ExecutionAndPublication)).Value;

        private static Btf? TryRead(string path)
        {
            try
            {
                return Read(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or BpfObjectFormatException)
            {
                return null;
            }
        }

        private static Btf Read(string path)
        {
            var bytes = File.ReadAllBytes(path);
            var name = Path.GetFileName(path);
            if (bytes.Length >= 4 && bytes[0] == 0x7f && bytes[1] == (byte)'E' && bytes[2] == (byte)'L' && bytes[3] == (byte)'F')
            {
                var elf = ElfFile.Read(name, bytes);
                var section = elf.Section(".BTF") ?? throw new BpfObjectFormatException(name, "the ELF file has no .BTF section to take the kernel's types from");
                return Btf.Read(name, elf.Bytes(section));
            }

            return Btf.Read(name, bytes);
        }
    }
}
