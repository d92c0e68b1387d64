using System;
using System.Collections.Generic;
using System.Linq;

namespace BpfSharp.Spec
{
    /// <summary>How the C types of helper signatures map to C#.</summary>
    public static class CTypes
    {
        /// <summary>The C# type of every BPF map argument.</summary>
        public const string MapType = "global::BpfSharp.BpfMap";

        private static readonly Dictionary<string, string> s_scalars = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["void"] = "void",
            ["char"] = "byte",
            ["signed char"] = "sbyte",
            ["unsigned char"] = "byte",
            ["short"] = "short",
            ["unsigned short"] = "ushort",
            ["int"] = "int",
            ["unsigned int"] = "uint",
            ["unsigned"] = "uint",
            ["long"] = "long",
            ["unsigned long"] = "ulong",
            ["long long"] = "long",
            ["unsigned long long"] = "ulong",
            ["bool"] = "bool",
            ["_Bool"] = "bool",
            ["size_t"] = "ulong",
            ["__u8"] = "byte",
            ["__s8"] = "sbyte",
            ["__u16"] = "ushort",
            ["__s16"] = "short",
            ["__u32"] = "uint",
            ["__s32"] = "int",
            ["__u64"] = "ulong",
            ["__s64"] = "long",
            ["u8"] = "byte",
            ["s8"] = "sbyte",
            ["u16"] = "ushort",
            ["s16"] = "short",
            ["u32"] = "uint",
            ["s32"] = "int",
            ["u64"] = "ulong",
            ["s64"] = "long",
            ["__be16"] = "ushort",
            ["__be32"] = "uint",
            ["__be64"] = "ulong",
            ["__le16"] = "ushort",
            ["__le32"] = "uint",
            ["__le64"] = "ulong",
            ["__wsum"] = "uint",
            ["__sum16"] = "ushort",
        };

        // Words that qualify a C type without changing its C# form.
        private static readonly HashSet<string> s_qualifiers = new HashSet<string>(StringComparer.Ordinal) { "const", "volatile", "__bpf_fastcall", "restrict" };

        /// <summary>
        /// The C# type of a C type: fixed-width integers become the matching C# integer, pointers to integers typed
        /// pointers, every other pointer <c>void*</c>. Null when the type has no C# form (a struct passed by value,
        /// an unknown name).
        /// </summary>
        public static string? ToCSharp(string cType)
        {
            var words = cType.Replace("*", " * ").Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries);
            var stars = words.Count(w => w == "*");
            var baseWords = words.Where(w => w != "*" && !s_qualifiers.Contains(w)).ToArray();
            if (baseWords.Length == 0 || words.SkipWhile(w => w != "*").Any(w => w != "*" && !s_qualifiers.Contains(w)))
            {
                return null;
            }

            var isAggregate = baseWords[0] == "struct" || baseWords[0] == "union" || baseWords[0] == "enum";
            if (isAggregate)
            {
                return stars > 0 && baseWords.Length == 2 ? "void" + new string('*', stars) : null;
            }

            if (!s_scalars.TryGetValue(string.Join(" ", baseWords), out var scalar))
            {
                return null;
            }

            return stars == 0 ? scalar : scalar + new string('*', stars);
        }

        /// <summary>
        /// The C# function pointer type of a callback's C type (<c>long (__u64 index, void *ctx)</c> is
        /// <c>delegate*&lt;ulong, void*, long&gt;</c>), so that C# itself checks <c>&amp;Callback</c>; null when a part has no C# form.
        /// </summary>
        public static string? ToFunctionPointer(string signature)
        {
            var open = signature.IndexOf('(');
            if (open <= 0 || !signature.EndsWith(")", StringComparison.Ordinal) || ToCSharp(signature.Substring(0, open).Trim()) is not string returns)
            {
                return null;
            }

            var types = new List<string>();
            var list = signature.Substring(open + 1, signature.Length - open - 2).Trim();
            foreach (var declaration in list.Length == 0 || list == "void" ? Array.Empty<string>() : list.Split(','))
            {
                // "void *ctx" -> "void *": the parameter's name is the last word.
                var text = declaration.Trim();
                var end = text.Length;
                while (end > 0 && (char.IsLetterOrDigit(text[end - 1]) || text[end - 1] == '_'))
                {
                    end--;
                }

                if (end == 0 || end == text.Length || ToCSharp(text.Substring(0, end).Trim()) is not string type)
                {
                    return null;
                }

                types.Add(type);
            }

            types.Add(returns);
            return "delegate*<" + string.Join(", ", types) + ">";
        }

        /// <summary>Whether a parameter is the map argument: a pointer named <c>map</c>, <c>ringbuf</c> or <c>*_map</c>.</summary>
        public static bool IsMapParameter(HelperParameter parameter) =>
            parameter.CType.EndsWith("*", StringComparison.Ordinal)
            && (parameter.Name == "map" || parameter.Name == "ringbuf" || parameter.Name.EndsWith("_map", StringComparison.Ordinal));
    }
}
