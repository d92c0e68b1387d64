using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace BpfSharp.Generators
{
    /// <summary>
    /// Turns a line of spec-page Markdown into XML documentation text: everything is escaped, <c>**X**</c> and
    /// <c>`X`</c> become <c>&lt;c&gt;X&lt;/c&gt;</c>, <c>_name_</c> of a parameter becomes a paramref, links keep their text.
    /// </summary>
    public static class XmlDocText
    {
        public static string Escape(string text)
        {
            var escaped = new StringBuilder(text.Length);
            foreach (var c in text)
            {
                switch (c)
                {
                    case '&': escaped.Append("&amp;"); break;
                    case '<': escaped.Append("&lt;"); break;
                    case '>': escaped.Append("&gt;"); break;
                    case '"': escaped.Append("&quot;"); break;
                    default:
                        escaped.Append(IsUnsafeInComment(c) ? ' ' : c);
                        break;
                }
            }

            return escaped.ToString();
        }

        // Control characters are not allowed in XML; a line or paragraph separator would end the /// comment and let
        // page text become code; bidirectional and other format characters could hide what the text says.
        private static bool IsUnsafeInComment(char c)
        {
            var category = CharUnicodeInfo.GetUnicodeCategory(c);
            return char.IsControl(c) || category == UnicodeCategory.LineSeparator || category == UnicodeCategory.ParagraphSeparator
                || category == UnicodeCategory.Format;
        }

        public static string FromMarkdown(string markdown, IReadOnlyDictionary<string, string> parameterNames)
        {
            var output = new StringBuilder();
            var i = 0;
            while (i < markdown.Length)
            {
                if (TrySpan(markdown, i, "**", out var inner, out var next) || TrySpan(markdown, i, "`", out inner, out next))
                {
                    output.Append("<c>").Append(Escape(inner)).Append("</c>");
                    i = next;
                }
                else if (markdown[i] == '_' && IsWordBoundary(markdown, i - 1) && TrySpan(markdown, i, "_", out inner, out next) && IsWordBoundary(markdown, next))
                {
                    output.Append(parameterNames.TryGetValue(inner, out var parameter)
                        ? "<paramref name=\"" + parameter + "\"/>"
                        : Escape(inner));
                    i = next;
                }
                else if (markdown[i] == '[' && TryLink(markdown, i, out inner, out next))
                {
                    output.Append(FromMarkdown(inner, parameterNames));
                    i = next;
                }
                else
                {
                    output.Append(Escape(markdown[i].ToString()));
                    i++;
                }
            }

            return output.ToString();
        }

        private static bool TrySpan(string text, int start, string delimiter, out string inner, out int next)
        {
            inner = string.Empty;
            next = start;
            if (string.CompareOrdinal(text, start, delimiter, 0, delimiter.Length) != 0)
            {
                return false;
            }

            var end = text.IndexOf(delimiter, start + delimiter.Length, System.StringComparison.Ordinal);
            if (end <= start + delimiter.Length)
            {
                return false;
            }

            inner = text.Substring(start + delimiter.Length, end - start - delimiter.Length);
            next = end + delimiter.Length;
            return true;
        }

        // "[text](url)" keeps "text".
        private static bool TryLink(string text, int start, out string inner, out int next)
        {
            inner = string.Empty;
            next = start;
            var close = text.IndexOf("](", start + 1, System.StringComparison.Ordinal);
            var end = close < 0 ? -1 : text.IndexOf(')', close + 2);
            if (close < 0 || end < 0 || text.IndexOf('[', start + 1, close - start - 1) >= 0)
            {
                return false;
            }

            inner = text.Substring(start + 1, close - start - 1);
            next = end + 1;
            return true;
        }

        private static bool IsWordBoundary(string text, int index) =>
            index < 0 || index >= text.Length || !(char.IsLetterOrDigit(text[index]) || text[index] == '_');
    }
}
