using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace BpfSharp.Spec.Profiles
{
    /// <summary>A JSON value with the 1-based line and column where it starts, so that every complaint about it can be located.</summary>
    public abstract class JsonNode
    {
        protected JsonNode(int line, int column)
        {
            Line = line;
            Column = column;
        }

        public int Line { get; }

        public int Column { get; }

        public abstract string Kind { get; }
    }

    public sealed class JsonObject : JsonNode
    {
        public JsonObject(int line, int column, IReadOnlyList<KeyValuePair<string, JsonNode>> members)
            : base(line, column) => Members = members;

        /// <summary>Members in file order (a repeated key is reported by the reader of the profile, not lost).</summary>
        public IReadOnlyList<KeyValuePair<string, JsonNode>> Members { get; }

        public override string Kind => "an object";

        public JsonNode? Get(string key)
        {
            foreach (var member in Members)
            {
                if (member.Key == key)
                {
                    return member.Value;
                }
            }

            return null;
        }
    }

    public sealed class JsonArray : JsonNode
    {
        public JsonArray(int line, int column, IReadOnlyList<JsonNode> items)
            : base(line, column) => Items = items;

        public IReadOnlyList<JsonNode> Items { get; }

        public override string Kind => "an array";
    }

    public sealed class JsonScalar : JsonNode
    {
        public JsonScalar(int line, int column, object? value)
            : base(line, column) => Value = value;

        /// <summary>A string, a decimal number as <see cref="decimal"/>, a bool, or null.</summary>
        public object? Value { get; }

        public override string Kind => Value switch
        {
            string _ => "a string",
            decimal _ => "a number",
            bool _ => "a boolean",
            _ => "null",
        };
    }

    /// <summary>A JSON syntax error at a 1-based line and column.</summary>
    public sealed class JsonSyntaxException : Exception
    {
        public JsonSyntaxException(int line, int column, string message)
            : base(message)
        {
            Line = line;
            Column = column;
        }

        public int Line { get; }

        public int Column { get; }
    }

    /// <summary>
    /// A strict JSON (RFC 8259) reader that keeps positions. The analyzers run inside the compiler, where no JSON library
    /// can be relied on, and a malformed profile must be reported at its line, never crash the build.
    /// </summary>
    public sealed class JsonReader
    {
        private const int MaxDepth = 64;
        private readonly string _text;
        private int _position;
        private int _line = 1;
        private int _lineStart;

        private JsonReader(string text) => _text = text;

        public static JsonNode Parse(string text)
        {
            var reader = new JsonReader(text);
            if (text.Length > 0 && text[0] == '\uFEFF')
            {
                reader._position = 1;
                reader._lineStart = 1;
            }

            reader.SkipWhitespace();
            var value = reader.ReadValue(0);
            reader.SkipWhitespace();
            if (reader._position < text.Length)
            {
                throw reader.Error("unexpected text after the end of the document");
            }

            return value;
        }

        private int Column => _position - _lineStart + 1;

        private JsonSyntaxException Error(string message) => new JsonSyntaxException(_line, Column, message);

        private JsonNode ReadValue(int depth)
        {
            if (depth > MaxDepth)
            {
                throw Error("nested more than " + MaxDepth.ToString(CultureInfo.InvariantCulture) + " levels deep");
            }

            if (_position >= _text.Length)
            {
                throw Error("the document ends where a value was expected (is the file truncated?)");
            }

            int line = _line, column = Column;
            switch (_text[_position])
            {
                case '{': return ReadObject(line, column, depth);
                case '[': return ReadArray(line, column, depth);
                case '"': return new JsonScalar(line, column, ReadString());
                case 't': Expect("true"); return new JsonScalar(line, column, true);
                case 'f': Expect("false"); return new JsonScalar(line, column, false);
                case 'n': Expect("null"); return new JsonScalar(line, column, null);
                default:
                    if (_text[_position] == '-' || char.IsDigit(_text[_position]))
                    {
                        return new JsonScalar(line, column, ReadNumber());
                    }

                    throw Error($"unexpected character '{Printable(_text[_position])}' where a value was expected");
            }
        }

        private JsonObject ReadObject(int line, int column, int depth)
        {
            _position++;
            var members = new List<KeyValuePair<string, JsonNode>>();
            SkipWhitespace();
            if (Peek() == '}')
            {
                _position++;
                return new JsonObject(line, column, members);
            }

            while (true)
            {
                SkipWhitespace();
                if (Peek() != '"')
                {
                    throw Error(Peek() == '\0' ? "the document ends inside an object (is the file truncated?)" : "expected a member name in double quotes");
                }

                var key = ReadString();
                SkipWhitespace();
                if (Peek() != ':')
                {
                    throw Error($"expected ':' after the member name \"{key}\"");
                }

                _position++;
                SkipWhitespace();
                members.Add(new KeyValuePair<string, JsonNode>(key, ReadValue(depth + 1)));
                SkipWhitespace();
                var next = Peek();
                _position++;
                if (next == '}')
                {
                    return new JsonObject(line, column, members);
                }

                if (next != ',')
                {
                    _position--;
                    throw Error(next == '\0' ? "the document ends inside an object (is the file truncated?)" : "expected ',' or '}' in an object");
                }
            }
        }

        private JsonArray ReadArray(int line, int column, int depth)
        {
            _position++;
            var items = new List<JsonNode>();
            SkipWhitespace();
            if (Peek() == ']')
            {
                _position++;
                return new JsonArray(line, column, items);
            }

            while (true)
            {
                SkipWhitespace();
                items.Add(ReadValue(depth + 1));
                SkipWhitespace();
                var next = Peek();
                _position++;
                if (next == ']')
                {
                    return new JsonArray(line, column, items);
                }

                if (next != ',')
                {
                    _position--;
                    throw Error(next == '\0' ? "the document ends inside an array (is the file truncated?)" : "expected ',' or ']' in an array");
                }
            }
        }

        private string ReadString()
        {
            _position++;
            var builder = new StringBuilder();
            while (true)
            {
                if (_position >= _text.Length)
                {
                    throw Error("the document ends inside a string (is the file truncated?)");
                }

                var c = _text[_position++];
                if (c == '"')
                {
                    return builder.ToString();
                }

                if (c < ' ')
                {
                    _position--;
                    throw Error("a control character inside a string must be escaped");
                }

                if (c != '\\')
                {
                    builder.Append(c);
                    continue;
                }

                var escape = _position < _text.Length ? _text[_position++] : '\0';
                switch (escape)
                {
                    case '"': builder.Append('"'); break;
                    case '\\': builder.Append('\\'); break;
                    case '/': builder.Append('/'); break;
                    case 'b': builder.Append('\b'); break;
                    case 'f': builder.Append('\f'); break;
                    case 'n': builder.Append('\n'); break;
                    case 'r': builder.Append('\r'); break;
                    case 't': builder.Append('\t'); break;
                    case 'u':
                        if (_position + 4 > _text.Length || !ushort.TryParse(_text.Substring(_position, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code))
                        {
                            throw Error("\\u must be followed by four hexadecimal digits");
                        }

                        builder.Append((char)code);
                        _position += 4;
                        break;
                    default:
                        _position--;
                        throw Error($"unknown escape '\\{Printable(escape)}' in a string");
                }
            }
        }

        private decimal ReadNumber()
        {
            var start = _position;
            while (_position < _text.Length && "+-0123456789.eE".IndexOf(_text[_position]) >= 0)
            {
                _position++;
            }

            var text = _text.Substring(start, _position - start);
            if (!decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out var number))
            {
                _position = start;
                throw Error($"'{text}' is not a number");
            }

            return number;
        }

        private void Expect(string word)
        {
            if (string.CompareOrdinal(_text, _position, word, 0, word.Length) != 0)
            {
                throw Error($"unexpected text where '{word}' or another value was expected");
            }

            _position += word.Length;
        }

        private char Peek() => _position < _text.Length ? _text[_position] : '\0';

        private void SkipWhitespace()
        {
            while (_position < _text.Length)
            {
                var c = _text[_position];
                if (c == '\n')
                {
                    _line++;
                    _lineStart = _position + 1;
                }
                else if (c != ' ' && c != '\t' && c != '\r')
                {
                    return;
                }

                _position++;
            }
        }

        private static string Printable(char c) => c < ' ' || c > '~' ? "U+" + ((int)c).ToString("X4", CultureInfo.InvariantCulture) : c.ToString();
    }

    /// <summary>Writes JSON text the same way every time: two-space indentation, LF, members in the order given.</summary>
    public sealed class JsonWriter
    {
        private readonly StringBuilder _builder = new StringBuilder();
        private int _indent;
        private bool _first = true;

        public void StartObject(string? name = null) => Open(name, '{');

        public void EndObject() => Close('}');

        public void StartArray(string? name = null) => Open(name, '[');

        public void EndArray() => Close(']');

        public void String(string? name, string? value) => Item(name, value is null ? "null" : Quote(value));

        public void Number(string? name, long value) => Item(name, value.ToString(CultureInfo.InvariantCulture));

        public void Bool(string? name, bool value) => Item(name, value ? "true" : "false");

        /// <summary>An array of strings on one line: long lists of names stay readable and diff line by line per owner.</summary>
        public void StringList(string name, IEnumerable<string> values)
        {
            var items = new List<string>();
            foreach (var value in values)
            {
                items.Add(Quote(value));
            }

            Item(name, "[" + string.Join(", ", items) + "]");
        }

        public override string ToString() => _builder.ToString() + "\n";

        private void Open(string? name, char bracket)
        {
            Item(name, bracket.ToString());
            _indent++;
            _first = true;
        }

        private void Close(char bracket)
        {
            _indent--;
            if (!_first)
            {
                _builder.Append('\n').Append(' ', _indent * 2);
            }

            _builder.Append(bracket);
            _first = false;
        }

        private void Item(string? name, string text)
        {
            if (_builder.Length > 0)
            {
                _builder.Append(_first ? "\n" : ",\n");
            }

            _builder.Append(' ', _indent * 2);
            if (name != null)
            {
                _builder.Append(Quote(name)).Append(": ");
            }

            _builder.Append(text);
            _first = false;
        }

        private static string Quote(string value)
        {
            var builder = new StringBuilder("\"");
            foreach (var c in value)
            {
                switch (c)
                {
                    case '"': builder.Append("\\\""); break;
                    case '\\': builder.Append("\\\\"); break;
                    case '\n': builder.Append("\\n"); break;
                    case '\r': builder.Append("\\r"); break;
                    case '\t': builder.Append("\\t"); break;
                    default:
                        if (c < ' ' || c == '\u2028' || c == '\u2029')
                        {
                            builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                        }
                        else
                        {
                            builder.Append(c);
                        }

                        break;
                }
            }

            return builder.Append('"').ToString();
        }
    }
}
