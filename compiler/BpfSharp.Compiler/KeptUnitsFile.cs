using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text;

namespace BpfSharp.Compiler
{
    /// <summary>
    /// A project's kept units as text, for the next compiler process: a build without the compiler server (or after it
    /// stopped) then translates only what changed since. Four header lines (format, translator, fingerprint, checksum),
    /// then the body deflated and in base64: it travels in the assembly beside the C, whose size it would otherwise
    /// double. The body holds each distinct string once (units share their helpers and structs), then the units as
    /// numbers; paths under the project are written relative to it, so that the text says nothing of the machine.
    /// Anything unexpected reads as no units.
    /// </summary>
    internal static class KeptUnitsFile
    {
        private const string Magic = "bpfsharp-units/2";

        // Units written by another BpfSharp are not read: another translator may write other C for the same C#.
        private static readonly string s_translator = typeof(KeptUnitsFile).Assembly.ManifestModule.ModuleVersionId.ToString("N");

        public static string Write(string fingerprint, string? sourceRoot, TranslatedObject translated)
        {
            var writer = new Writer();
            writer.Strings(translated.Programs);
            writer.Number(translated.Units.Count);
            for (var i = 0; i < translated.Units.Count; i++)
            {
                writer.String(translated.Units[i]);
                Write(writer, translated.Fragments[i], sourceRoot);
            }

            return writer.Text(fingerprint);
        }

        /// <summary>The fingerprint the units were kept for, when the text was written by this translator.</summary>
        public static string? Fingerprint(string text)
        {
            var lines = text.Split(new[] { '\n' }, 5);
            return lines.Length == 5 && lines[0] == Magic && lines[1] == s_translator ? lines[2] : null;
        }

        /// <summary>The body of the text after the header lines, as written before it was deflated.</summary>
        internal static string Body(string deflated)
        {
            byte[] bytes;
            try
            {
                bytes = Convert.FromBase64String(deflated);
            }
            catch (FormatException)
            {
                throw new FormatException("the body is not base64");
            }

            try
            {
                using var input = new DeflateStream(new MemoryStream(bytes), CompressionMode.Decompress);
                using var reader = new StreamReader(input, new UTF8Encoding(false, throwOnInvalidBytes: true));
                return reader.ReadToEnd();
            }
            catch (Exception e) when (e is InvalidDataException || e is DecoderFallbackException || e is IOException)
            {
                throw new FormatException("the body does not inflate");
            }
        }

        private static string Deflate(string body)
        {
            using var output = new MemoryStream();
            using (var deflate = new DeflateStream(output, CompressionLevel.Optimal, leaveOpen: true))
            {
                var bytes = new UTF8Encoding(false).GetBytes(body);
                deflate.Write(bytes, 0, bytes.Length);
            }

            return Convert.ToBase64String(output.ToArray());
        }

        // The body's hash: a file changed by anything but this translator reads as no units, never as other C.
        private static string Checksum(string body) =>
            SourceHash.Of(body).ToString("x16", CultureInfo.InvariantCulture);

        /// <summary>The units and the program names (without the C: the units merge into it), or null for text this translator did not write.</summary>
        public static (List<string> Units, List<ObjectFragment> Fragments, List<string> Programs)? Read(string text, string? sourceRoot)
        {
            try
            {
                var reader = Reader.Open(text);
                if (reader is null)
                {
                    return null;
                }

                var programs = reader.Strings();
                var count = reader.Count();
                var units = new List<string>(count);
                var fragments = new List<ObjectFragment>(count);
                for (var i = 0; i < count; i++)
                {
                    units.Add(reader.String());
                    fragments.Add(ReadFragment(reader, sourceRoot));
                }

                return reader.AtEnd ? (units, fragments, programs) : null;
            }
            catch (FormatException)
            {
                return null;
            }
        }

        private static void Write(Writer writer, ObjectFragment fragment, string? sourceRoot)
        {
            writer.Number(fragment.Helpers.Count);
            foreach (var helper in fragment.Helpers)
            {
                writer.Number(helper.Key);
                writer.String(helper.Value);
            }

            writer.Strings(fragment.Support);
            foreach (var parts in new[] { fragment.Structs, fragment.Maps, fragment.Globals, fragment.Functions, fragment.Programs })
            {
                writer.Number(parts.Count);
                foreach (var part in parts)
                {
                    writer.String(part.Key);
                    writer.String(part.Name);
                    writer.String(part.Text);
                    writer.String(part.Prototype);
                }
            }

            writer.Number(fragment.Claims.Count);
            foreach (var claim in fragment.Claims)
            {
                writer.String(claim.Name);
                writer.String(claim.Kind);
                writer.String(claim.Key);
                writer.String(claim.Display);
            }

            writer.Number(fragment.Dependencies.Count);
            foreach (var dependency in fragment.Dependencies)
            {
                writer.String(Relative(dependency.Path, sourceRoot));
                writer.String(dependency.Member);
                writer.Number(dependency.Line);
                writer.Number(unchecked((long)dependency.Hash));
            }

            writer.Number(fragment.StopsObject ? 1 : 0);
            writer.Number(fragment.Clean ? 1 : 0);
        }

        [System.Runtime.CompilerServices.MethodImpl(HotPath.Optimized)]
        private static ObjectFragment ReadFragment(Reader reader, string? sourceRoot)
        {
            var helpers = new Dictionary<int, string>();
            for (var count = reader.Count(); count > 0; count--)
            {
                helpers[(int)reader.Number()] = reader.String();
            }

            var support = reader.Strings();
            var parts = new List<ObjectPart>[5];
            for (var kind = 0; kind < parts.Length; kind++)
            {
                var count = reader.Count();
                parts[kind] = new List<ObjectPart>(count);
                for (var i = 0; i < count; i++)
                {
                    parts[kind].Add(new ObjectPart(reader.String(), reader.String(), reader.String(), reader.NullableString()));
                }
            }

            var claims = new List<ObjectNameClaim>();
            for (var count = reader.Count(); count > 0; count--)
            {
                claims.Add(new ObjectNameClaim(reader.String(), reader.String(), reader.String(), reader.String(), null));
            }

            var dependencies = new List<MethodDependency>();
            for (var count = reader.Count(); count > 0; count--)
            {
                dependencies.Add(new MethodDependency(Absolute(reader.String(), sourceRoot), reader.String(), (int)reader.Number(), unchecked((ulong)reader.Number())));
            }

            var stopsObject = reader.Number() != 0;
            var clean = reader.Number() != 0;
            return new ObjectFragment(helpers, support, parts[0], parts[1], parts[2], parts[3], parts[4], claims, Array.Empty<TranslationProblem>(), () => dependencies, stopsObject, clean);
        }

        /// <summary>A path under the project as "~/" and the rest; a path elsewhere as it is.</summary>
        public static string Relative(string path, string? sourceRoot)
        {
            var root = sourceRoot?.TrimEnd('/', '\\');
            return !string.IsNullOrEmpty(root) && path.Length > root!.Length + 1 && path.StartsWith(root, StringComparison.Ordinal) && (path[root.Length] == '/' || path[root.Length] == '\\')
                ? "~/" + path.Substring(root.Length + 1)
                : path;
        }

        private static string Absolute(string path, string? sourceRoot) =>
            path.StartsWith("~/", StringComparison.Ordinal) && !string.IsNullOrEmpty(sourceRoot)
                ? sourceRoot!.TrimEnd('/', '\\') + System.IO.Path.DirectorySeparatorChar + path.Substring(2)
                : path;

        private sealed class Writer
        {
            private readonly Dictionary<string, int> _indexes = new Dictionary<string, int>(StringComparer.Ordinal);
            private readonly List<string> _strings = new List<string>();
            private readonly StringBuilder _numbers = new StringBuilder();

            public void Number(long value) => _numbers.Append(value.ToString(CultureInfo.InvariantCulture)).Append(' ');

            public void String(string? value)
            {
                if (value is null)
                {
                    Number(-1);
                    return;
                }

                if (!_indexes.TryGetValue(value, out var index))
                {
                    index = _strings.Count;
                    _indexes.Add(value, index);
                    _strings.Add(value);
                }

                Number(index);
            }

            public void Strings(IEnumerable<string> values)
            {
                var list = values as IReadOnlyCollection<string> ?? values.ToList();
                Number(list.Count);
                foreach (var value in list)
                {
                    String(value);
                }
            }

            // Magic, translator, fingerprint, checksum; the string count, each string as its length and its text; the numbers.
            public string Text(string fingerprint)
            {
                var body = new StringBuilder();
                body.Append(_strings.Count.ToString(CultureInfo.InvariantCulture)).Append('\n');
                foreach (var value in _strings)
                {
                    body.Append(value.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(value).Append('\n');
                }

                var text = body.Append(_numbers).ToString();
                return Magic + "\n" + s_translator + "\n" + fingerprint + "\n" + Checksum(text) + "\n" + Deflate(text);
            }
        }

        private sealed class Reader
        {
            private readonly string _text;
            private readonly List<string> _strings;
            private int _position;

            private Reader(string text, List<string> strings, int position)
            {
                _text = text;
                _strings = strings;
                _position = position;
            }

            public bool AtEnd => _position == _text.Length;

            [System.Runtime.CompilerServices.MethodImpl(HotPath.Optimized)]
            public static Reader? Open(string text)
            {
                if (Fingerprint(text) is null)
                {
                    return null;
                }

                var position = 0;
                for (var line = 0; line < 3; line++)
                {
                    position = text.IndexOf('\n', position) + 1;
                }

                var checksumEnd = text.IndexOf('\n', position);
                var checksum = text.Substring(position, checksumEnd - position);
                text = Body(text.Substring(checksumEnd + 1));
                if (checksum != Checksum(text))
                {
                    return null;
                }

                var reader = new Reader(text, new List<string>(), 0);
                var count = reader.Count('\n');
                for (var i = 0; i < count; i++)
                {
                    var length = reader.Count(':');
                    if (reader._position + length + 1 > text.Length || text[reader._position + length] != '\n')
                    {
                        throw new FormatException("a string runs past its length");
                    }

                    reader._strings.Add(text.Substring(reader._position, length));
                    reader._position += length + 1;
                }

                return reader;
            }

            // Digits read in place (a Substring and a parse per number cost a third of reading the file).
            [System.Runtime.CompilerServices.MethodImpl(HotPath.Optimized)]
            public long Number(char end = ' ')
            {
                var at = _position;
                var negative = at < _text.Length && _text[at] == '-';
                if (negative)
                {
                    at++;
                }

                var start = at;
                ulong value = 0;
                for (; at < _text.Length && _text[at] >= '0' && _text[at] <= '9' && at - start < 20; at++)
                {
                    value = unchecked((value * 10) + (ulong)(_text[at] - '0'));
                }

                if (at == start || at >= _text.Length || _text[at] != end || at - start >= 20)
                {
                    throw new FormatException("a number was expected at " + _position.ToString(CultureInfo.InvariantCulture));
                }

                _position = at + 1;
                return negative ? -unchecked((long)value) : unchecked((long)value);
            }

            public int Count(char end = ' ')
            {
                var value = Number(end);
                return value >= 0 && value <= _text.Length ? (int)value : throw new FormatException("a count out of range");
            }

            public string? NullableString()
            {
                var index = Number();
                return index == -1 ? null : index >= 0 && index < _strings.Count ? _strings[(int)index] : throw new FormatException("a string index out of range");
            }

            public string String() => NullableString() ?? throw new FormatException("a string was expected");

            public List<string> Strings()
            {
                var count = Count();
                var values = new List<string>(count);
                for (var i = 0; i < count; i++)
                {
                    values.Add(String());
                }

                return values;
            }
        }
    }
}
