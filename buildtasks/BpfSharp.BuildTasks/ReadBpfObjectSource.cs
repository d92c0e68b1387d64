using System;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace BpfSharp.BuildTasks
{
    /// <summary>
    /// Takes the C that BpfSharp's generator translated from the [BpfProgram] methods out of the compiled assembly, where it
    /// is a string constant between two markers, and writes it for clang; the file is rewritten only when the C changed,
    /// so clang's inputs keep their timestamps across builds that did not touch the programs.
    /// </summary>
    public sealed class ReadBpfObjectSource : Task
    {
        private const string Begin = "//BPFSHARP-OBJECT-SOURCE-BEGIN programs=";
        private const string End = "//BPFSHARP-OBJECT-SOURCE-END";
        private const string UnitsBegin = "//BPFSHARP-UNITS-BEGIN\n";
        private const string UnitsEnd = "//BPFSHARP-UNITS-END";

        /// <summary>The compiled assembly (the intermediate one).</summary>
        [Required]
        public string AssemblyPath { get; set; } = string.Empty;

        /// <summary>Where the C goes.</summary>
        [Required]
        public string SourcePath { get; set; } = string.Empty;

        /// <summary>
        /// Where the translated units go, for the next compiler process (an additional file of the next build): it then
        /// translates only the programs that changed. Dated long ago, so that it never makes the next build think the
        /// sources changed.
        /// </summary>
        public string UnitsPath { get; set; } = string.Empty;

        /// <summary>The date the units file is given.</summary>
        public static readonly DateTime UnitsFileDate = new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc);

        /// <summary>The program names, comma-separated; empty when the assembly has no BPF program (nothing is written then).</summary>
        [Output]
        public string Programs { get; set; } = string.Empty;

        /// <inheritdoc />
        public override bool Execute()
        {
            if (!File.Exists(AssemblyPath))
            {
                return true;
            }

            var bytes = File.ReadAllBytes(AssemblyPath);
            if (Find(bytes) is not var (programs, c, units))
            {
                return true;
            }

            Programs = programs;
            WriteIfChanged(SourcePath, c);
            if (UnitsPath.Length > 0 && units != null && WriteIfChanged(UnitsPath, units))
            {
                // Older than anything the compiler wrote (the reference assembly comes before the assembly): an input of the
                // next compilation that never makes it look out of date. Its content says what it is valid for.
                File.SetLastWriteTimeUtc(UnitsPath, UnitsFileDate);
            }

            return true;
        }

        /// <summary>
        /// The program list, the C between the markers and the units between theirs (null when the assembly carries none).
        /// String constants are UTF-16 in metadata, at either byte parity.
        /// </summary>
        public static (string Programs, string C, string? Units)? Find(byte[] assembly)
        {
            for (var parity = 0; parity < 2; parity++)
            {
                var text = Encoding.Unicode.GetString(assembly, parity, assembly.Length - parity - ((assembly.Length - parity) % 2));
                var start = text.IndexOf(Begin, StringComparison.Ordinal);
                var stop = start < 0 ? -1 : text.IndexOf(End, start, StringComparison.Ordinal);
                var lineEnd = start < 0 ? -1 : text.IndexOf('\n', start);
                if (start >= 0 && stop > lineEnd && lineEnd > start)
                {
                    var unitsStart = text.IndexOf(UnitsBegin, StringComparison.Ordinal);
                    unitsStart = unitsStart < 0 ? -1 : unitsStart + UnitsBegin.Length;
                    var unitsStop = unitsStart < 0 ? -1 : text.IndexOf(UnitsEnd, unitsStart, StringComparison.Ordinal);
                    return (
                        text.Substring(start + Begin.Length, lineEnd - start - Begin.Length),
                        text.Substring(lineEnd + 1, stop - lineEnd - 1),
                        unitsStop < 0 ? null : text.Substring(unitsStart, unitsStop - unitsStart));
                }
            }

            return null;
        }

        // Rewritten only when the text changed, so that what depends on the file keeps its timestamp otherwise.
        private static bool WriteIfChanged(string path, string text)
        {
            if (File.Exists(path) && File.ReadAllText(path) == text)
            {
                return false;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            File.WriteAllText(path, text);
            return true;
        }
    }
}
