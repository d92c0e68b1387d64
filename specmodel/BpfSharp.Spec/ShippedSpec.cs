using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace BpfSharp.Spec
{
    /// <summary>The helper pages shipped with BpfSharp (embedded in this assembly, next to the generator), parsed once per process.</summary>
    public static class ShippedSpec
    {
        private const string ResourcePrefix = "BpfSharp.Spec.helpers.";
        private static readonly Lazy<IReadOnlyList<HelperPageResult>> s_pages = new Lazy<IReadOnlyList<HelperPageResult>>(Load);

        public static IReadOnlyList<HelperPageResult> Pages => s_pages.Value;

        public static IEnumerable<HelperSpec> Helpers => Pages.Where(p => p.Helper != null).Select(p => p.Helper!);

        /// <summary>The shipped pages' texts, unparsed, in a fixed order, with the paths their diagnostics name.</summary>
        public static IEnumerable<(string Path, string Text)> PageTexts()
        {
            var assembly = typeof(ShippedSpec).Assembly;
            foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)).OrderBy(n => n, StringComparer.Ordinal))
            {
                using var stream = assembly.GetManifestResourceStream(resource)!;
                using var reader = new StreamReader(stream);
                yield return ("spec/helpers/" + resource.Substring(ResourcePrefix.Length), reader.ReadToEnd());
            }
        }

        private static IReadOnlyList<HelperPageResult> Load() =>
            PageTexts().Select(page => HelperPageParser.Parse(page.Path, page.Text)).ToList();
    }
}
