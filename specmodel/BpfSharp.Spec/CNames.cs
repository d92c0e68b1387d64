using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace BpfSharp.Spec
{
    /// <summary>How C# names become C names in BpfSharp's objects: shared by the compiler that writes them and the loader that finds them.</summary>
    public static class CNames
    {
        private static readonly HashSet<string> s_keywords = new HashSet<string>(StringComparer.Ordinal)
        {
            "auto", "char", "extern", "inline", "long", "register", "restrict", "short", "signed", "typedef", "union", "unsigned", "volatile", "main",
        };

        /// <summary>Whether a name is a C keyword (or <c>main</c>) that a C# identifier may be.</summary>
        public static bool IsKeyword(string name) => s_keywords.Contains(name);

        /// <summary>
        /// A C identifier for a C# one: C keywords get a '_', and letters beyond ASCII are spelled out (the kernel accepts
        /// only ASCII names in BTF), "Zähler" -> "Z_u00E4hler".
        /// </summary>
        public static string Identifier(string name)
        {
            if (IsAsciiName(name))
            {
                return IsKeyword(name) ? name + "_" : name;
            }

            var builder = new StringBuilder();
            foreach (var c in name)
            {
                builder.Append(IsAsciiNameCharacter(c) ? c.ToString() : "_u" + ((int)c).ToString("X4", CultureInfo.InvariantCulture));
            }

            return builder.ToString();
        }

        /// <summary>
        /// The C name of a static field (a global variable) or method: <c>Class_Member</c>. The compiler numbers it
        /// (<c>_2</c>) only when two classes of one name in different namespaces would share it.
        /// </summary>
        public static string Member(string typeName, string memberName) => Identifier(typeName + "_" + memberName);

        /// <summary>Whether a name has only ASCII letters, digits and '_', as the kernel's object names must.</summary>
        public static bool IsAsciiName(string name) => name.All(IsAsciiNameCharacter);

        private static bool IsAsciiNameCharacter(char c) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    }
}
