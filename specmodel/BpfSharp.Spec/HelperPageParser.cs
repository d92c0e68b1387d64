using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;

namespace BpfSharp.Spec
{
    /// <summary>
    /// Reads a helper page in the docs.ebpf.io format, in every markup variant we hold: the current pages with
    /// <c>HELPER_FUNC_DEF</c> markers, the pages without them (signature only in the <c>static ... = (void *) N;</c>
    /// line, "Returns" in bold) and the older seed markup. Problems become located diagnostics, never exceptions.
    /// </summary>
    public static class HelperPageParser
    {
        private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(1);
        private static readonly Regex s_heading = new Regex(@"^#\s+Helper function\s+`?(?<name>[^`\s]*)`?\s*$", RegexOptions.CultureInvariant, s_timeout);
        private static readonly Regex s_versionTag = new Regex(@"\[:octicons-tag-24:\s*v(?<version>[^\]\s]*)\s*\](?:\((?<url>[^)\s]*)\))?", RegexOptions.CultureInvariant, s_timeout);
        private static readonly Regex s_version = new Regex(@"^[0-9]{1,3}(\.[0-9]{1,3}){1,2}$", RegexOptions.CultureInvariant, s_timeout);
        private static readonly Regex s_commit = new Regex(@"/commit/(?<sha>[0-9a-fA-F]{7,40})$", RegexOptions.CultureInvariant, s_timeout);
        private static readonly Regex s_declaration = new Regex(
            @"^static\s+(?<ret>[^()]*?)\s*\(\s*\*\s*(?:const\s+)?(?<name>(?!const\b)[A-Za-z_][A-Za-z0-9_]*)\s*\)\s*\((?<params>[^()]*)\)\s*=\s*\(\s*void\s*\*\s*\)\s*(?<id>[0-9]+)\s*;$",
            RegexOptions.CultureInvariant,
            s_timeout);
        private static readonly Regex s_parameter = new Regex(@"^(?<type>.*?[\s*])(?<name>[A-Za-z_][A-Za-z0-9_]*)$", RegexOptions.CultureInvariant, s_timeout);
        private static readonly Regex s_identifier = new Regex(@"^[A-Za-z_][A-Za-z0-9_]*$", RegexOptions.CultureInvariant, s_timeout);
        private static readonly Regex s_bullet = new Regex(@"^\s*[*\-+]\s+(?<text>.*)$", RegexOptions.CultureInvariant, s_timeout);
        private static readonly Regex s_parameterDoc = new Regex(@"^\s*[*\-]\s+(?:_|\*|`)(?<name>[A-Za-z_][A-Za-z0-9_]*)(?:_|\*|`)\s*:\s*(?<text>.*)$", RegexOptions.CultureInvariant, s_timeout);

        /// <summary>Helper pages are Markdown (<c>.md</c>) or text (<c>.txt</c>) files.</summary>
        public static bool IsPageFileName(string path) =>
            path.EndsWith(".md", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".txt", StringComparison.OrdinalIgnoreCase);

        /// <summary>Whether a file is meant as a helper page: it has a "# Helper function" heading.</summary>
        public static bool LooksLikeHelperPage(string text)
        {
            foreach (var line in SplitLines(text))
            {
                if (line.StartsWith("# Helper function", StringComparison.Ordinal))
                {
                    return true;
                }
            }

            return false;
        }

        public static HelperPageResult Parse(string path, string text)
        {
            var diagnostics = new List<SpecDiagnostic>();
            try
            {
                var helper = new PageReader(path, SplitLines(text), diagnostics).Read();
                return new HelperPageResult(helper, new EquatableArray<SpecDiagnostic>(diagnostics));
            }
            catch (Exception ex) when (ex is RegexMatchTimeoutException || ex is ArgumentException || ex is InvalidOperationException || ex is IndexOutOfRangeException || ex is FormatException)
            {
                // A parser bug must still not break a build: report it at the page instead.
                diagnostics.Add(new SpecDiagnostic(SpecDiagnosticIds.InternalError, path, 1, "the page could not be read: " + ex.Message));
                return new HelperPageResult(null, new EquatableArray<SpecDiagnostic>(diagnostics));
            }
        }

        /// <summary>How many lines the parser sees in a text (diagnostic lines run from 1 to this).</summary>
        public static int LineCount(string text) => SplitLines(text).Length;

        internal static string[] SplitLines(string text)
        {
            if (text.Length > 0 && text[0] == '\uFEFF')
            {
                text = text.Substring(1);
            }

            return text.Replace("\r\n", "\n").Replace('\r', '\n').Split('\n');
        }

        private sealed class PageReader
        {
            private readonly string _path;
            private readonly string[] _lines;
            private readonly List<SpecDiagnostic> _diagnostics;

            public PageReader(string path, string[] lines, List<SpecDiagnostic> diagnostics)
            {
                _path = path;
                _lines = lines;
                _diagnostics = diagnostics;
            }

            public HelperSpec? Read()
            {
                var headingLine = FindLine(0, _lines.Length, l => l.StartsWith("# ", StringComparison.Ordinal) && s_heading.IsMatch(l));
                if (headingLine < 0)
                {
                    Report(SpecDiagnosticIds.MissingHeading, 0, "no '# Helper function `bpf_...`' heading: this is not a helper page");
                    return null;
                }

                var headingName = s_heading.Match(_lines[headingLine]).Groups["name"].Value;
                var definition = FindSection("HELPER_FUNC_DEF", "## Definition", stopAtLevel: 2);
                var signature = ReadSignature(definition);
                if (signature is null)
                {
                    return null;
                }

                var (name, id, returnType, parameters, variadic, signatureLine) = signature.Value;
                if (headingName.Length > 0 && !string.Equals(headingName, name, StringComparison.Ordinal))
                {
                    Report(SpecDiagnosticIds.NameMismatch, headingLine, $"the heading names '{headingName}' but the signature declares '{name}'");
                }

                var (since, sinceCommit) = ReadFeatureTag(headingLine);
                var programSection = FindSection("HELPER_FUNC_PROG_REF", "### Program types", stopAtLevel: 3);
                var programTypes = ReadTypeList(programSection, "BPF_PROG_TYPE_", KernelTypes.ProgramTypes, SpecDiagnosticIds.UnknownProgramType, "program type", withVersions: true)
                    .Select(e => new ProgramTypeUse(e.Name, e.Since, e.SinceCommit));
                var mapSection = FindSection("HELPER_FUNC_MAP_REF", "### Map types", stopAtLevel: 3);
                var mapTypes = ReadTypeList(mapSection, "BPF_MAP_TYPE_", KernelTypes.MapTypes, SpecDiagnosticIds.UnknownMapType, "map type", withVersions: false);
                var docs = ReadDocs(definition, signatureLine);
                var (gplOnly, gplExceptions) = ReadFacts();

                return new HelperSpec(
                    name,
                    id,
                    returnType,
                    new EquatableArray<HelperParameter>(parameters),
                    variadic,
                    since,
                    sinceCommit,
                    new EquatableArray<ProgramTypeUse>(programTypes),
                    programSection != null,
                    new EquatableArray<string>(mapTypes.Select(m => m.Name)),
                    mapSection != null,
                    docs,
                    _path)
                {
                    HeadingLine = headingLine + 1,
                    SignatureLine = signatureLine + 1,
                    GplOnly = gplOnly,
                    GplOnlyExceptions = new EquatableArray<string>(gplExceptions),
                    Flags = new EquatableArray<HelperFlag>(ReadFlags(parameters)),
                    Conditions = new EquatableArray<ProgramCondition>(ReadConditions()),
                    Callbacks = new EquatableArray<HelperCallback>(ReadCallbacks(parameters)),
                };
            }

            // " * GPL-only: yes" or " * GPL-only: yes, except `BPF_PROG_TYPE_PERF_EVENT`" or " * GPL-only: no".
            private (bool? GplOnly, List<string> Exceptions) ReadFacts()
            {
                var exceptions = new List<string>();
                if (FindSection("BPFSHARP_FACTS", "### Facts", stopAtLevel: 3) is not Section s)
                {
                    return (null, exceptions);
                }

                bool? gplOnly = null;
                for (var i = s.Start; i < s.End; i++)
                {
                    var bullet = s_bullet.Match(_lines[i]);
                    if (!bullet.Success)
                    {
                        continue;
                    }

                    var text = bullet.Groups["text"].Value;
                    var colon = text.IndexOf(':');
                    var key = colon < 0 ? text.Trim() : text.Substring(0, colon).Trim();
                    var value = colon < 0 ? string.Empty : text.Substring(colon + 1).Trim();
                    if (!key.Equals("GPL-only", StringComparison.OrdinalIgnoreCase))
                    {
                        continue;
                    }

                    var except = value.IndexOf("except", StringComparison.OrdinalIgnoreCase);
                    var answer = (except < 0 ? value : value.Substring(0, except)).Trim().TrimEnd(',').Trim();
                    if (answer.Equals("yes", StringComparison.OrdinalIgnoreCase))
                    {
                        gplOnly = true;
                    }
                    else if (answer.Equals("no", StringComparison.OrdinalIgnoreCase))
                    {
                        gplOnly = false;
                    }
                    else
                    {
                        Report(SpecDiagnosticIds.MalformedFact, i, $"'GPL-only' must be 'yes' or 'no', not '{Shorten(answer)}'");
                        continue;
                    }

                    if (except >= 0)
                    {
                        exceptions.AddRange(CodeSpans(value.Substring(except)));
                    }
                }

                return (gplOnly, exceptions);
            }

            // | argument | constant | value | kind |, one row per accepted constant ("-" = the argument must be 0).
            private List<HelperFlag> ReadFlags(List<HelperParameter> parameters)
            {
                var flags = new List<HelperFlag>();
                foreach (var (line, cells) in TableRows("BPFSHARP_FLAGS", "### Flags", 4))
                {
                    var parameter = cells[0];
                    if (!parameters.Any(p => p.Name == parameter))
                    {
                        Report(SpecDiagnosticIds.UnknownFlagParameter, line, $"the flags table names '{Shorten(parameter)}', which is not a parameter of the signature");
                        continue;
                    }

                    if (!TryParseUnsigned(cells[2], out var value))
                    {
                        Report(SpecDiagnosticIds.MalformedFact, line, $"flag value '{Shorten(cells[2])}' is not a decimal or 0x hex number");
                        continue;
                    }

                    if (cells[3] != "bit" && cells[3] != "mask" && cells[3] != "value")
                    {
                        Report(SpecDiagnosticIds.MalformedFact, line, $"flag kind '{Shorten(cells[3])}' must be bit, mask or value");
                        continue;
                    }

                    flags.Add(new HelperFlag(parameter, cells[1], value, cells[3]));
                }

                return flags;
            }

            // | argument | callback |: the C type of the function a callback parameter points to.
            private List<HelperCallback> ReadCallbacks(List<HelperParameter> parameters)
            {
                var callbacks = new List<HelperCallback>();
                foreach (var (line, cells) in TableRows("BPFSHARP_CALLBACKS", "### Callbacks", 2))
                {
                    if (!parameters.Any(p => p.Name == cells[0]))
                    {
                        Report(SpecDiagnosticIds.MalformedFact, line, $"the callbacks table names '{Shorten(cells[0])}', which is not a parameter of the signature");
                    }
                    else if (CTypes.ToFunctionPointer(cells[1]) is null)
                    {
                        Report(SpecDiagnosticIds.MalformedFact, line, $"callback type '{Shorten(cells[1])}' is not a C function type whose parts all have a C# form");
                    }
                    else
                    {
                        callbacks.Add(new HelperCallback(cells[0], cells[1]));
                    }
                }

                return callbacks;
            }

            // | program type | condition | values |
            private List<ProgramCondition> ReadConditions()
            {
                var conditions = new List<ProgramCondition>();
                foreach (var (line, cells) in TableRows("BPFSHARP_CONDITIONS", "### Conditions", 3))
                {
                    if (KernelTypes.ProgramTypes.FindByName(cells[0]) is null)
                    {
                        Report(SpecDiagnosticIds.UnknownProgramType, line, $"unknown program type '{Shorten(cells[0])}'");
                        continue;
                    }

                    // The [BpfHelper] encoding carries a condition as "program:kind=value,value" entries separated by spaces.
                    var condition = new ProgramCondition(cells[0], cells[1], cells[2]);
                    if (!HelperFactEncoding.IsConditionToken(condition.Kind) || !condition.SplitValues().All(HelperFactEncoding.IsConditionToken))
                    {
                        Report(SpecDiagnosticIds.MalformedFact, line, $"condition '{Shorten(cells[1])}' with values '{Shorten(cells[2])}' must be a name and comma-separated names, without spaces, ':' or '='");
                        continue;
                    }

                    conditions.Add(condition);
                }

                return conditions;
            }

            // The body rows of a Markdown table in a section, cells trimmed and unquoted; rows with the wrong width are errors.
            private IEnumerable<(int Line, string[] Cells)> TableRows(string marker, string heading, int width)
            {
                if (FindSection(marker, heading, stopAtLevel: 3) is not Section s)
                {
                    yield break;
                }

                var headerSeen = false;
                for (var i = s.Start; i < s.End; i++)
                {
                    var line = _lines[i].Trim();
                    if (!line.StartsWith("|", StringComparison.Ordinal))
                    {
                        continue;
                    }

                    var cells = line.Trim('|').Split('|').Select(c => c.Trim().Trim('`').Trim()).ToArray();
                    if (!headerSeen || cells.All(c => c.Length > 0 && c.Trim('-', ':').Length == 0))
                    {
                        headerSeen = true;
                        continue;
                    }

                    if (cells.Length != width)
                    {
                        Report(SpecDiagnosticIds.MalformedFact, i, $"this table row has {cells.Length} cells, {width} expected");
                        continue;
                    }

                    yield return (i, cells);
                }
            }

            private static IEnumerable<string> CodeSpans(string text)
            {
                var parts = text.Split('`');
                for (var i = 1; i < parts.Length; i += 2)
                {
                    yield return parts[i];
                }
            }

            private static bool TryParseUnsigned(string text, out ulong value) =>
                text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
                    ? ulong.TryParse(text.Substring(2), System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture, out value)
                    : ulong.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out value);

            // A page section: between "<!-- [MARKER] -->" and "<!-- [/MARKER] -->" or, without markers, from a heading
            // to the next heading of the same or a higher level. Start and end are the lines strictly inside.
            private Section? FindSection(string marker, string? heading, int stopAtLevel)
            {
                var open = FindLine(0, _lines.Length, l => l.Trim() == "<!-- [" + marker + "] -->");
                if (open >= 0)
                {
                    var close = FindLine(open + 1, _lines.Length, l => l.Trim() == "<!-- [/" + marker + "] -->");
                    if (close < 0)
                    {
                        Report(SpecDiagnosticIds.UnterminatedSection, open, $"'<!-- [{marker}] -->' has no closing '<!-- [/{marker}] -->'");
                        close = NextHeading(open + 1, stopAtLevel);
                    }

                    return new Section(open + 1, close);
                }

                var start = heading is null ? -1 : FindLine(0, _lines.Length, l => string.Equals(l.Trim(), heading, StringComparison.OrdinalIgnoreCase));
                return start < 0 ? null : new Section(start + 1, NextHeading(start + 1, stopAtLevel));
            }

            private int NextHeading(int from, int maxLevel)
            {
                var fence = false;
                for (var i = from; i < _lines.Length; i++)
                {
                    var line = _lines[i];
                    if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
                    {
                        fence = !fence;
                    }

                    if (!fence && HeadingLevel(line) is int level && level <= maxLevel)
                    {
                        return i;
                    }
                }

                return _lines.Length;
            }

            private static int? HeadingLevel(string line)
            {
                var level = 0;
                while (level < line.Length && line[level] == '#')
                {
                    level++;
                }

                return level > 0 && level < line.Length && line[level] == ' ' ? level : (int?)null;
            }

            private (string Name, int Id, string ReturnType, List<HelperParameter> Parameters, bool Variadic, int Line)? ReadSignature(Section? definition)
            {
                // Prefer the declaration inside the definition; pages without markers keep it anywhere on the page.
                var line = definition is Section d ? FindLine(d.Start, d.End, IsDeclarationLine) : -1;
                if (line < 0)
                {
                    line = FindLine(0, _lines.Length, IsDeclarationLine);
                }

                if (line < 0)
                {
                    Report(SpecDiagnosticIds.MissingSignature, definition?.Start - 1 ?? 0, "no C declaration of the form 'static <type> (* const bpf_name)(<parameters>) = (void *) <id>;'");
                    return null;
                }

                var declaration = ExtractDeclaration(_lines[line]);
                var match = s_declaration.Match(declaration);
                if (!match.Success)
                {
                    Report(SpecDiagnosticIds.MalformedSignature, line, $"the C declaration '{Shorten(declaration)}' is not of the form 'static <type> (* const bpf_name)(<parameters>) = (void *) <id>;'");
                    return null;
                }

                if (!int.TryParse(match.Groups["id"].Value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id) || id <= 0)
                {
                    Report(SpecDiagnosticIds.MalformedSignature, line, $"the helper id '{Shorten(match.Groups["id"].Value)}' is not a positive 32-bit number");
                    return null;
                }

                var returnType = NormalizeType(match.Groups["ret"].Value);
                if (CTypes.ToCSharp(returnType) is null)
                {
                    Report(SpecDiagnosticIds.MalformedSignature, line, $"the return type '{Shorten(returnType)}' is not a C type BpfSharp can map to C#");
                    return null;
                }

                var parameters = new List<HelperParameter>();
                var variadic = false;
                var text = match.Groups["params"].Value.Trim();
                if (text.Length > 0 && text != "void")
                {
                    var parts = text.Split(',');
                    for (var i = 0; i < parts.Length; i++)
                    {
                        var part = parts[i].Trim();
                        if (part == "..." && i == parts.Length - 1)
                        {
                            variadic = true;
                            continue;
                        }

                        var parameter = s_parameter.Match(part);
                        var type = parameter.Success ? NormalizeType(parameter.Groups["type"].Value) : string.Empty;
                        if (!parameter.Success || type.Length == 0 || type == "const" || type == "struct")
                        {
                            Report(SpecDiagnosticIds.MalformedSignature, line, $"parameter {i + 1} '{Shorten(part)}' is not of the form '<C type> <name>'");
                            return null;
                        }

                        if (CTypes.ToCSharp(type) is not string mapped || mapped == "void")
                        {
                            Report(SpecDiagnosticIds.MalformedSignature, line, $"parameter {i + 1} has the type '{Shorten(type)}', which BpfSharp cannot map to C#");
                            return null;
                        }

                        var name = parameter.Groups["name"].Value;
                        if (parameters.Any(p => p.Name == name))
                        {
                            Report(SpecDiagnosticIds.MalformedSignature, line, $"parameter name '{name}' is used twice");
                            return null;
                        }

                        parameters.Add(new HelperParameter(type, name));
                    }
                }

                return (match.Groups["name"].Value, id, returnType, parameters, variadic, line);
            }

            private static bool IsDeclarationLine(string line) =>
                line.IndexOf("static", StringComparison.Ordinal) >= 0 && line.IndexOf("(void", StringComparison.Ordinal) >= 0 && line.IndexOf('=') >= 0;

            // "`#!c static long (...) = (void *) 87;`" gives "static long (...) = (void *) 87;".
            private static string ExtractDeclaration(string line)
            {
                var text = line.Trim().Trim('`').Trim();
                if (text.StartsWith("#!c", StringComparison.Ordinal))
                {
                    text = text.Substring(3).Trim();
                }

                return text.TrimEnd('`').Trim();
            }

            // Canonical spacing of a C type: single spaces, "void *" with the star after one space, "**" kept together.
            private static string NormalizeType(string type)
            {
                var text = new StringBuilder();
                foreach (var token in Tokenize(type))
                {
                    if (token == "*" && text.Length > 0 && text[text.Length - 1] == '*')
                    {
                        text.Append('*');
                    }
                    else
                    {
                        if (text.Length > 0)
                        {
                            text.Append(' ');
                        }

                        text.Append(token);
                    }
                }

                return text.ToString();
            }

            private static IEnumerable<string> Tokenize(string type)
            {
                var word = new StringBuilder();
                foreach (var c in type)
                {
                    if (c == '*' || char.IsWhiteSpace(c))
                    {
                        if (word.Length > 0)
                        {
                            yield return word.ToString();
                            word.Clear();
                        }

                        if (c == '*')
                        {
                            yield return "*";
                        }
                    }
                    else
                    {
                        word.Append(c);
                    }
                }

                if (word.Length > 0)
                {
                    yield return word.ToString();
                }
            }

            private (string? Version, string? Commit) ReadFeatureTag(int headingLine)
            {
                var section = FindSection("FEATURE_TAG", heading: null, stopAtLevel: 2);
                int start, end;
                if (section is Section s)
                {
                    start = s.Start;
                    end = s.End;
                }
                else
                {
                    // Without markers, the tag stands between the heading and the first subsection.
                    start = headingLine + 1;
                    end = NextHeading(start, 6);
                }

                for (var i = start; i < end; i++)
                {
                    var match = s_versionTag.Match(_lines[i]);
                    if (match.Success)
                    {
                        return ReadVersion(match, i);
                    }
                }

                if (section != null)
                {
                    Report(SpecDiagnosticIds.MalformedVersion, section.Value.Start - 1, "the FEATURE_TAG section holds no '[:octicons-tag-24: vX.Y](...)' version tag");
                }

                return (null, null);
            }

            private (string? Version, string? Commit) ReadVersion(Match match, int line)
            {
                var version = match.Groups["version"].Value;
                if (!s_version.IsMatch(version))
                {
                    Report(SpecDiagnosticIds.MalformedVersion, line, $"'{Shorten(version)}' is not a kernel version such as 'v5.10'");
                    return (null, null);
                }

                var commit = s_commit.Match(match.Groups["url"].Value);
                return (version, commit.Success ? commit.Groups["sha"].Value : null);
            }

            // The kernel constants a list names, one per bullet, each with its version tag when asked for.
            private List<(string Name, string? Since, string? SinceCommit)> ReadTypeList(Section? section, string prefix, KernelEnum known, string unknownId, string what, bool withVersions)
            {
                var entries = new List<(string Name, string? Since, string? SinceCommit)>();
                if (section is not Section s)
                {
                    return entries;
                }

                for (var i = s.Start; i < s.End; i++)
                {
                    var bullet = s_bullet.Match(_lines[i]);
                    if (!bullet.Success)
                    {
                        continue;
                    }

                    var text = bullet.Groups["text"].Value;
                    var at = text.IndexOf(prefix, StringComparison.Ordinal);
                    if (at < 0)
                    {
                        Report(SpecDiagnosticIds.MalformedListEntry, i, $"this {what} entry names no {prefix}* constant");
                        continue;
                    }

                    var end = at;
                    while (end < text.Length && (char.IsLetterOrDigit(text[end]) || text[end] == '_'))
                    {
                        end++;
                    }

                    var name = text.Substring(at, end - at);
                    if (known.FindByName(name) is null)
                    {
                        Report(unknownId, i, $"unknown {what} '{Shorten(name)}'");
                        continue;
                    }

                    if (entries.Any(e => e.Name == name))
                    {
                        Report(SpecDiagnosticIds.DuplicateListEntry, i, $"{what} '{name}' is listed twice");
                        continue;
                    }

                    string? since = null, commit = null;
                    var tag = s_versionTag.Match(text, end);
                    if (withVersions && tag.Success)
                    {
                        (since, commit) = ReadVersion(tag, i);
                    }

                    entries.Add((name, since, commit));
                }

                return entries;
            }

            private HelperDocs ReadDocs(Section? definition, int signatureLine)
            {
                if (definition is not Section d)
                {
                    return HelperDocs.None;
                }

                var summary = new List<string>();
                var returns = new List<string>();
                var parameterDocs = new List<ParameterDoc>();
                var mode = DocPart.Summary;
                var fence = false;
                for (var i = d.Start; i < d.End; i++)
                {
                    var line = _lines[i];
                    var trimmed = line.Trim();
                    if (trimmed.StartsWith("```", StringComparison.Ordinal))
                    {
                        fence = !fence;
                        continue;
                    }

                    if (fence || i == signatureLine || trimmed.StartsWith("<!--", StringComparison.Ordinal) || trimmed.StartsWith(">", StringComparison.Ordinal))
                    {
                        continue;
                    }

                    if (IsReturnsHeading(trimmed, out var inline))
                    {
                        mode = DocPart.Returns;
                        if (inline.Length > 0)
                        {
                            returns.Add(inline);
                        }

                        continue;
                    }

                    var parameter = s_parameterDoc.Match(line);
                    if (parameter.Success && mode != DocPart.Returns)
                    {
                        parameterDocs.Add(new ParameterDoc(parameter.Groups["name"].Value, parameter.Groups["text"].Value.Trim()));
                        mode = DocPart.Done;
                        continue;
                    }

                    if (trimmed.Length == 0)
                    {
                        if (mode == DocPart.Summary && summary.Count > 0)
                        {
                            mode = DocPart.Done;
                        }
                        else if (mode == DocPart.Returns && returns.Count > 0)
                        {
                            mode = DocPart.Done;
                        }

                        continue;
                    }

                    if (mode == DocPart.Summary && !trimmed.StartsWith("#", StringComparison.Ordinal) && !trimmed.StartsWith("**", StringComparison.Ordinal) && !s_bullet.IsMatch(line))
                    {
                        summary.Add(trimmed);
                    }
                    else if (mode == DocPart.Returns)
                    {
                        returns.Add(trimmed);
                    }
                }

                return new HelperDocs(
                    string.Join(" ", summary),
                    new EquatableArray<ParameterDoc>(parameterDocs),
                    string.Join(" ", returns),
                    ReadUsage());
            }

            private static bool IsReturnsHeading(string trimmed, out string inline)
            {
                inline = string.Empty;
                if (trimmed.StartsWith("#", StringComparison.Ordinal))
                {
                    return trimmed.TrimStart('#').Trim().Equals("Returns", StringComparison.OrdinalIgnoreCase);
                }

                if (trimmed.StartsWith("**Returns**", StringComparison.OrdinalIgnoreCase))
                {
                    inline = trimmed.Substring("**Returns**".Length).Trim();
                    return true;
                }

                return false;
            }

            // The first plain paragraph under "## Usage" (admonitions, code and sub-headings are skipped).
            private string ReadUsage()
            {
                var start = FindLine(0, _lines.Length, l => l.Trim().Equals("## Usage", StringComparison.OrdinalIgnoreCase));
                if (start < 0)
                {
                    return string.Empty;
                }

                var end = NextHeading(start + 1, 3);
                var paragraph = new List<string>();
                var fence = false;
                for (var i = start + 1; i < end; i++)
                {
                    var line = _lines[i];
                    var trimmed = line.Trim();
                    if (trimmed.StartsWith("```", StringComparison.Ordinal))
                    {
                        fence = !fence;
                        continue;
                    }

                    var plain = !fence && trimmed.Length > 0 && !line.StartsWith("    ", StringComparison.Ordinal) && !line.StartsWith("\t", StringComparison.Ordinal)
                        && !trimmed.StartsWith("!!!", StringComparison.Ordinal) && !trimmed.StartsWith("<!--", StringComparison.Ordinal) && !trimmed.StartsWith(">", StringComparison.Ordinal);
                    if (plain)
                    {
                        paragraph.Add(trimmed);
                    }
                    else if (paragraph.Count > 0)
                    {
                        break;
                    }
                }

                return string.Join(" ", paragraph);
            }

            private int FindLine(int from, int to, Func<string, bool> predicate)
            {
                for (var i = Math.Max(0, from); i < Math.Min(to, _lines.Length); i++)
                {
                    if (predicate(_lines[i]))
                    {
                        return i;
                    }
                }

                return -1;
            }

            private void Report(string id, int lineIndex, string message) =>
                _diagnostics.Add(new SpecDiagnostic(id, _path, Math.Max(0, lineIndex) + 1, message));

            private static string Shorten(string text) => text.Length <= 80 ? text : text.Substring(0, 77) + "...";
        }

        private enum DocPart
        {
            Summary,
            Returns,
            Done,
        }

        private readonly struct Section
        {
            public Section(int start, int end)
            {
                Start = start;
                End = end;
            }

            public int Start { get; }

            public int End { get; }
        }
    }
}
