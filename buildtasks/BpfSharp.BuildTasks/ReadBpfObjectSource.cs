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

        /// <summary>The compiled assembly (the intermediate one).</summary>
        [Required]
        public string AssemblyPath { get; set; } = string.Empty;

        /// <summary>Where the C goes.</summary>
        [Required]
        public string SourcePath { get; set; } = string.Empty;

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
            if (Find(bytes) is not (string programs, string c))
            {
                return true;
            }

            Programs = programs;
            if (!File.Exists(SourcePath) || File.ReadAllText(SourcePath) != c)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(SourcePath))!);
                File.WriteAllText(SourcePath, c);
            }

            return true;
        }

        /// <summary>The program list and the C between the markers. String constants are UTF-16 in metadata, at either byte parity.</summary>
        public static (string Programs, string C)? Find(byte[] assembly)
        {
            for (var parity = 0; parity < 2; parity++)
            {
                var text = Encoding.Unicode.GetString(assembly, parity, assembly.Length - parity - ((assembly.Length - parity) % 2));
                var start = text.IndexOf(Begin, StringComparison.Ordinal);
                var stop = start < 0 ? -1 : text.IndexOf(End, start, StringComparison.Ordinal);
                var lineEnd = start < 0 ? -1 : text.IndexOf('\n', start);
                if (start >= 0 && stop > lineEnd && lineEnd > start)
                {
                    return (text.Substring(start + Begin.Length, lineEnd - start - Begin.Length), text.Substring(lineEnd + 1, stop - lineEnd - 1));
                }
            }

            return null;
        }
    }
}
