using System;
using System.Globalization;

namespace BpfSharp.Spec
{
    /// <summary>A kernel version such as 5.10 or 6.1.12, compared numerically.</summary>
    public readonly struct KernelVersion : IComparable<KernelVersion>
    {
        private KernelVersion(int major, int minor, int patch)
        {
            Major = major;
            Minor = minor;
            Patch = patch;
        }

        public int Major { get; }

        public int Minor { get; }

        public int Patch { get; }

        /// <summary>Reads "5.10", "v5.10" or "6.1.12"; false for anything else.</summary>
        public static bool TryParse(string? text, out KernelVersion version)
        {
            version = default;
            var parts = (text ?? string.Empty).Trim().TrimStart('v', 'V').Split('.');
            if (parts.Length < 2 || parts.Length > 3)
            {
                return false;
            }

            var numbers = new int[3];
            for (var i = 0; i < parts.Length; i++)
            {
                if (parts[i].Length == 0 || parts[i].Length > 4 || !int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out numbers[i]))
                {
                    return false;
                }
            }

            version = new KernelVersion(numbers[0], numbers[1], numbers[2]);
            return true;
        }

        /// <summary>The version a kernel release starts with: "6.18.44-fc-v595" gives 6.18.44.</summary>
        public static bool TryParseRelease(string? release, out KernelVersion version)
        {
            var text = release ?? string.Empty;
            var end = 0;
            while (end < text.Length && (char.IsDigit(text[end]) || text[end] == '.'))
            {
                end++;
            }

            return TryParse(text.Substring(0, end).TrimEnd('.'), out version);
        }

        public int CompareTo(KernelVersion other) =>
            Major != other.Major ? Major.CompareTo(other.Major) : Minor != other.Minor ? Minor.CompareTo(other.Minor) : Patch.CompareTo(other.Patch);

        public override string ToString() =>
            Patch == 0 ? $"{Major}.{Minor}" : $"{Major}.{Minor}.{Patch}";
    }

    /// <summary>The kernel's license_is_gpl_compatible(): the licence strings that may call GPL-only helpers.</summary>
    public static class GplLicenses
    {
        public static readonly string[] Compatible =
        {
            "GPL", "GPL v2", "GPL and additional rights", "Dual BSD/GPL", "Dual MIT/GPL", "Dual MPL/GPL",
        };

        /// <summary>Exact, case-sensitive comparison, as the kernel's strcmp.</summary>
        public static bool IsCompatible(string? license) => license != null && Array.IndexOf(Compatible, license) >= 0;
    }
}
