using System.Text;

namespace BpfSharp.Spec
{
    /// <summary>How kernel names become C# names.</summary>
    public static class SpecNames
    {
        /// <summary><c>LRU_HASH</c> gives <c>LruHash</c>; <c>map_push_elem</c> gives <c>MapPushElem</c>.</summary>
        public static string PascalCase(string snakeCase)
        {
            var text = new StringBuilder(snakeCase.Length);
            foreach (var part in snakeCase.Split('_'))
            {
                if (part.Length == 0)
                {
                    continue;
                }

                text.Append(char.ToUpperInvariant(part[0]));
                text.Append(part.Substring(1).ToLowerInvariant());
            }

            return text.ToString();
        }

        /// <summary><c>size_of_buf</c> gives <c>sizeOfBuf</c>.</summary>
        public static string CamelCase(string snakeCase)
        {
            var pascal = PascalCase(snakeCase);
            return pascal.Length == 0 ? pascal : char.ToLowerInvariant(pascal[0]) + pascal.Substring(1);
        }

        /// <summary>The C# method of a helper: <c>bpf_map_push_elem</c> gives <c>MapPushElem</c>.</summary>
        public static string HelperMethodName(string helperName) =>
            PascalCase(helperName.StartsWith("bpf_", System.StringComparison.Ordinal) ? helperName.Substring(4) : helperName);
    }
}
