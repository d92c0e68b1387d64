using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;

namespace BpfSharp.Spec
{
    /// <summary>One field of a tracepoint's record, as tracefs describes it (<c>field:int dfd; offset:16; size:8; signed:0;</c>).</summary>
    public sealed record TracepointField(string CType, string Name, int Offset, int Size, bool Signed)
    {
        /// <summary>A <c>__data_loc</c> field: a 32-bit word whose low half is the offset of variable data in the record and the high half its length.</summary>
        public bool IsDataLocation => CType.StartsWith("__data_loc ", StringComparison.Ordinal);

        /// <summary>The element count of a fixed array field (<c>char comm[16]</c> gives 16), or 0.</summary>
        public int ArrayLength
        {
            get
            {
                var open = Name.IndexOf('[');
                return open > 0 && Name.EndsWith("]", StringComparison.Ordinal)
                    && int.TryParse(Name.Substring(open + 1, Name.Length - open - 2), NumberStyles.None, CultureInfo.InvariantCulture, out var length) ? length : 0;
            }
        }

        /// <summary>The field's name without an array suffix.</summary>
        public string PlainName => Name.IndexOf('[') is var open && open > 0 ? Name.Substring(0, open) : Name;

        /// <summary>A pointer field (<c>const char * filename</c>).</summary>
        public bool IsPointer => !IsDataLocation && CType.TrimEnd().EndsWith("*", StringComparison.Ordinal);
    }

    /// <summary>A tracepoint's record layout: <c>category/name</c> and its fields in offset order (the common ones first).</summary>
    public sealed record TracepointFormat(string Category, string Name, EquatableArray<TracepointField> Fields)
    {
        /// <summary><c>category/name</c>, as sections name it (<c>tp/syscalls/sys_enter_openat</c>).</summary>
        public string Key => Category + "/" + Name;

        /// <summary>The record's size: the end of its last field.</summary>
        public int Size => Fields.Count == 0 ? 0 : Fields.Max(f => f.Offset + f.Size);
    }

    /// <summary>
    /// Tracepoint record layouts: read from tracefs' <c>format</c> files, and kept as one table (one line per tracepoint)
    /// that the package ships for Linux 6.18 and <c>bpfsharp tracepoints</c> writes for any machine.
    /// </summary>
    public static class TracepointFormats
    {
        /// <summary>The resource name of the shipped table.</summary>
        public const string ShippedTableName = "tracepoints-6.18.tsv";

        private static readonly Lazy<IReadOnlyDictionary<string, TracepointFormat>> s_shipped = new Lazy<IReadOnlyDictionary<string, TracepointFormat>>(() =>
        {
            using var stream = typeof(TracepointFormats).Assembly.GetManifestResourceStream("BpfSharp.Spec." + ShippedTableName)
                ?? throw new InvalidOperationException("Missing embedded spec table " + ShippedTableName);
            using var reader = new StreamReader(stream);
            return ReadTable(reader.ReadToEnd()).ToDictionary(f => f.Key, StringComparer.Ordinal);
        });

        // The header of every record (struct trace_entry), which the table leaves out.
        private static readonly TracepointField[] s_commonHeader =
        {
            new TracepointField("unsigned short", "common_type", 0, 2, false),
            new TracepointField("unsigned char", "common_flags", 2, 1, false),
            new TracepointField("unsigned char", "common_preempt_count", 3, 1, false),
            new TracepointField("int", "common_pid", 4, 4, true),
        };

        /// <summary>The layouts of Linux 6.18's tracepoints, by <c>category/name</c>.</summary>
        public static IReadOnlyDictionary<string, TracepointFormat> Shipped => s_shipped.Value;

        /// <summary>The file names a project's own layouts go by (AdditionalFiles): <c>tracepoints.tsv</c> or <c>*.tracepoints.tsv</c>.</summary>
        public static bool IsLayoutTable(string path)
        {
            var name = Path.GetFileName(path);
            return name.Equals("tracepoints.tsv", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".tracepoints.tsv", StringComparison.OrdinalIgnoreCase);
        }

        /// <summary>
        /// The tracepoint a section attaches to (<c>tp/syscalls/sys_enter_openat</c>, <c>tracepoint/sched/sched_process_exec</c>),
        /// as <c>category/name</c>; null for other sections.
        /// </summary>
        public static string? TracepointOf(string section)
        {
            foreach (var prefix in new[] { "tp/", "tracepoint/" })
            {
                if (section.StartsWith(prefix, StringComparison.Ordinal))
                {
                    var rest = section.Substring(prefix.Length);
                    var slash = rest.IndexOf('/');
                    return slash > 0 && slash < rest.Length - 1 && rest.IndexOf('/', slash + 1) < 0 ? rest : null;
                }
            }

            return null;
        }

        /// <summary>Parses one tracefs <c>format</c> file; null when it holds no field.</summary>
        public static TracepointFormat? ParseFormatFile(string category, string text)
        {
            string? name = null;
            var fields = new List<TracepointField>();
            foreach (var raw in text.Split('\n'))
            {
                var line = raw.Trim();
                if (line.StartsWith("name:", StringComparison.Ordinal))
                {
                    name = line.Substring(5).Trim();
                }
                else if (line.StartsWith("field:", StringComparison.Ordinal) && ParseField(line) is TracepointField field)
                {
                    fields.Add(field);
                }
            }

            return name is null || fields.Count == 0 ? null : new TracepointFormat(category, name, new EquatableArray<TracepointField>(fields.OrderBy(f => f.Offset).ToArray()));
        }

        // "field:const char * filename;	offset:24;	size:8;	signed:0;"
        private static TracepointField? ParseField(string line)
        {
            var parts = line.Split(new[] { ';' }, StringSplitOptions.RemoveEmptyEntries).Select(p => p.Trim()).ToArray();
            if (parts.Length < 4)
            {
                return null;
            }

            var declaration = parts[0].Substring("field:".Length).Trim();
            var split = LastIdentifierStart(declaration);
            if (split <= 0)
            {
                return null;
            }

            var type = declaration.Substring(0, split).Trim();
            var name = declaration.Substring(split).Trim();
            return Number(parts, "offset:") is int offset && Number(parts, "size:") is int size && Number(parts, "signed:") is int signed
                ? new TracepointField(type, name, offset, size, signed != 0)
                : null;
        }

        // Where the declared name starts: the last identifier, with any [N] after it ("char comm[16]", "const char * filename",
        // "__data_loc char[] filename").
        private static int LastIdentifierStart(string declaration)
        {
            var end = declaration.Length;
            if (declaration.EndsWith("]", StringComparison.Ordinal))
            {
                end = declaration.LastIndexOf('[');
            }

            var start = end;
            while (start > 0 && (char.IsLetterOrDigit(declaration[start - 1]) || declaration[start - 1] == '_'))
            {
                start--;
            }

            return start;
        }

        private static int? Number(string[] parts, string label)
        {
            var part = parts.FirstOrDefault(p => p.StartsWith(label, StringComparison.Ordinal));
            return part != null && int.TryParse(part.Substring(label.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;
        }

        /// <summary>
        /// The table: a comment header, then one line per tracepoint, <c>category/name</c> and its fields, each
        /// <c>type|name|offset|size|signed</c>, tab-separated; sorted, so the same tracepoints give the same bytes.
        /// </summary>
        public static string WriteTable(IEnumerable<TracepointFormat> formats, string origin)
        {
            var text = new StringBuilder();
            text.Append("# Tracepoint record layouts (tracefs events/*/*/format) of ").Append(origin).Append('\n');
            text.Append("# category/name, then per field: C type|name|offset|size|signed (1 when signed); the common header\n");
            text.Append("# (common_type, common_flags, common_preempt_count, common_pid: 8 bytes) that every record starts with is left out\n");
            foreach (var format in formats.OrderBy(f => f.Key, StringComparer.Ordinal))
            {
                text.Append(format.Key);
                foreach (var field in format.Fields)
                {
                    if (s_commonHeader.Contains(field))
                    {
                        continue;
                    }

                    text.Append('\t').Append(field.CType).Append('|').Append(field.Name).Append('|')
                        .Append(field.Offset.ToString(CultureInfo.InvariantCulture)).Append('|')
                        .Append(field.Size.ToString(CultureInfo.InvariantCulture)).Append('|')
                        .Append(field.Signed ? '1' : '0');
                }

                text.Append('\n');
            }

            return text.ToString();
        }

        /// <summary>Reads a table <see cref="WriteTable"/> wrote; lines it cannot read are skipped.</summary>
        public static IEnumerable<TracepointFormat> ReadTable(string text)
        {
            foreach (var line in text.Split('\n'))
            {
                if (line.Length == 0 || line[0] == '#')
                {
                    continue;
                }

                var columns = line.TrimEnd('\r').Split('\t');
                var slash = columns[0].IndexOf('/');
                if (slash <= 0)
                {
                    continue;
                }

                var fields = new List<TracepointField>(s_commonHeader);
                for (var i = 1; i < columns.Length; i++)
                {
                    var parts = columns[i].Split('|');
                    if (parts.Length == 5
                        && int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var offset)
                        && int.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out var size))
                    {
                        fields.Add(new TracepointField(parts[0], parts[1], offset, size, parts[4] == "1"));
                    }
                }

                yield return new TracepointFormat(columns[0].Substring(0, slash), columns[0].Substring(slash + 1), new EquatableArray<TracepointField>(fields.ToArray()));
            }
        }
    }
}
