using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using BpfSharp.Spec;
using Microsoft.CodeAnalysis.CSharp;
using Scriban;
using Scriban.Runtime;

namespace BpfSharp.Generators
{
    /// <summary>Turns the merged helper model into C# source through the embedded Scriban template.</summary>
    public static class HelperEmitter
    {
        private const string DocsBaseUrl = "https://docs.ebpf.io/linux/helper-function/";
        private static readonly Lazy<Template> s_template = new Lazy<Template>(() => LoadTemplate("BpfHelpers.scriban"));

        /// <param name="helpers">The helpers to write stubs for.</param>
        /// <param name="functionPointers">Callback parameters typed as the kernel's callback (C# 9 function pointers), else void*.</param>
        public static string Emit(IReadOnlyList<HelperSpec> helpers, bool functionPointers = true)
        {
            var model = new ScriptObject
            {
                ["helper_count"] = helpers.Count,
                ["helpers"] = helpers.Select(helper => CreateView(helper, functionPointers)).ToArray(),
            };
            var context = new TemplateContext { LoopLimit = 0, StrictVariables = true };
            context.PushGlobal(model);
            var text = s_template.Value.Render(context);
            return text.Replace("\r\n", "\n");
        }

        private static ScriptObject CreateView(HelperSpec helper, bool functionPointers)
        {
            var parameters = helper.Parameters.Select((p, i) => new ParameterView(p, CSharpParameterName(p.Name, i), functionPointers ? helper.Callbacks.FirstOrDefault(c => c.Parameter == p.Name) : null)).ToArray();
            var parameterList = parameters.Select(p => FlagsAttribute(helper, p.Parameter) + p.CSharpType + " " + p.CSharpName).ToList();
            if (helper.IsVariadic)
            {
                parameterList.Add("params ulong[] args");
            }

            return new ScriptObject
            {
                ["method_name"] = SpecNames.HelperMethodName(helper.Name),
                ["return_type"] = CTypes.ToCSharp(helper.ReturnType) ?? "long",
                ["parameter_list"] = string.Join(", ", parameterList),
                ["name_literal"] = Literal(helper.Name),
                ["id"] = helper.Id.ToString(CultureInfo.InvariantCulture),
                ["doc_lines"] = DocLines(helper, parameters).ToArray(),
                ["attributes"] = Attributes(helper).ToArray(),
            };
        }

        private static IEnumerable<string> DocLines(HelperSpec helper, IReadOnlyList<ParameterView> parameters)
        {
            var names = parameters.ToDictionary(p => p.Parameter.Name, p => p.CSharpName.TrimStart('@'), StringComparer.Ordinal);
            var summary = helper.Docs.Summary.Length > 0 ? helper.Docs.Summary : "Calls the kernel helper " + helper.Name + ".";
            yield return "<summary>";
            yield return XmlDocText.FromMarkdown(summary, names);
            yield return "</summary>";
            foreach (var parameter in parameters)
            {
                var doc = helper.Docs.Parameters.FirstOrDefault(d => d.Name == parameter.Parameter.Name);
                var text = doc is null ? "<c>" + XmlDocText.Escape(CDeclaration.Join(parameter.Parameter.CType, parameter.Parameter.Name)) + "</c>" : XmlDocText.FromMarkdown(doc.Text, names);
                yield return "<param name=\"" + parameter.CSharpName.TrimStart('@') + "\">" + text + "</param>";
            }

            if (helper.IsVariadic)
            {
                yield return "<param name=\"args\">The values of the variadic arguments, in order.</param>";
            }

            if (helper.Docs.Returns.Length > 0)
            {
                yield return "<returns>" + XmlDocText.FromMarkdown(helper.Docs.Returns, names) + "</returns>";
            }

            yield return "<remarks>";
            if (helper.Docs.Usage.Length > 0)
            {
                yield return "<para>" + XmlDocText.FromMarkdown(helper.Docs.Usage, names) + "</para>";
            }

            var since = helper.Since is null ? string.Empty : ", since Linux " + helper.Since;
            yield return "<para>Kernel helper <c>" + XmlDocText.Escape(helper.Name) + "</c> (id " + helper.Id.ToString(CultureInfo.InvariantCulture) + since + "): <c>" + XmlDocText.Escape(helper.CSignature) + "</c></para>";
            if (helper.HasProgramTypeTable)
            {
                var programs = helper.ProgramTypes.Select(p => KernelTypes.ProgramTypes.FindByName(p.ProgramType)!.MemberName + (p.Since is null ? string.Empty : " (" + p.Since + ")"));
                yield return "<para>Program types: " + (helper.ProgramTypes.IsEmpty ? "none" : string.Join(", ", programs)) + ".</para>";
            }

            if (!helper.MapTypes.IsEmpty)
            {
                yield return "<para>Map types: " + string.Join(", ", helper.MapTypes.Select(m => KernelTypes.MapTypes.FindByName(m)!.MemberName)) + ".</para>";
            }

            if (helper.GplOnly == true)
            {
                var exceptions = helper.GplOnlyExceptions.IsEmpty ? string.Empty : " (except " + string.Join(", ", helper.GplOnlyExceptions.Select(e => "<c>" + XmlDocText.Escape(e) + "</c>")) + ")";
                yield return "<para>GPL-only: callable only from programs with a GPL-compatible licence" + exceptions + ".</para>";
            }

            if (!helper.Flags.IsEmpty)
            {
                var flags = helper.Flags.Where(f => f.Constant != "-").Select(f => "<c>" + XmlDocText.Escape(f.Constant) + "</c>");
                yield return "<para>Flags: " + (flags.Any() ? string.Join(", ", flags) : "none (pass 0)") + ".</para>";
            }

            yield return "<para>Reference: <see href=\"" + DocsBaseUrl + Uri.EscapeDataString(helper.Name) + "/\"/>.</para>";
            yield return "</remarks>";
        }

        /// <summary>The facts a helper's [BpfHelper] attribute carries, by kernel enum value.</summary>
        public static HelperFactSet Facts(HelperSpec helper)
        {
            var programTypes = helper.HasProgramTypeTable
                ? helper.ProgramTypes.Select(p => new ProgramTypeFact(KernelTypes.ProgramTypes.FindByName(p.ProgramType)!.Value, p.Since)).ToArray()
                : null;
            var conditions = helper.Conditions
                .Select(c => new ProgramTypeCondition(KernelTypes.ProgramTypes.FindByName(c.ProgramType)!.Value, c.Kind, c.SplitValues()))
                .ToArray();

            // The verifier decides which map types are accepted at all; the page's map list, which ones can work.
            MapTypeFact[]? mapTypes = null;
            if (helper.Parameters.Any(CTypes.IsMapParameter))
            {
                var working = helper.MapTypes.Select(m => KernelTypes.MapTypes.FindByName(m)!.Value).ToArray();
                mapTypes = VerifierMapRules.AcceptedMapTypes(helper.Name)
                    .Select(a => (Value: KernelTypes.MapTypes.FindByName(a.MapType)!.Value, a.OnlyInProgramTypes))
                    .Select(a => new MapTypeFact(
                        a.Value,
                        helper.HasMapTypeTable && !working.Contains(a.Value),
                        a.OnlyInProgramTypes?.Select(p => KernelTypes.ProgramTypes.FindByName(p)!.Value).ToArray()))
                    .ToArray();
            }

            return new HelperFactSet(helper.Name, helper.Id, helper.Since, helper.GplOnly == true, helper.GplOnlyExceptions.ToArray(), programTypes, conditions, mapTypes);
        }

        // One [BpfHelper] per stub with every fact as bit sets and short strings: thousands of separate attributes made
        // the generated file several times slower to compile.
        private static IEnumerable<string> Attributes(HelperSpec helper)
        {
            var encoded = HelperFactEncoding.Encode(Facts(helper));
            var facts = new List<string> { Literal(encoded.Name), encoded.Id.ToString(CultureInfo.InvariantCulture) };
            Add(HelperFactEncoding.SinceArgument, encoded.Since is null ? null : Literal(encoded.Since));
            Add(HelperFactEncoding.GplOnlyArgument, encoded.GplOnly ? "true" : null);
            Add(HelperFactEncoding.GplOnlyExceptionsArgument, encoded.GplOnlyExceptions is null ? null : "new[] { " + string.Join(", ", encoded.GplOnlyExceptions.Select(Literal)) + " }");
            Add(HelperFactEncoding.ProgramTypesArgument, encoded.ProgramTypes is ulong programTypes ? Hex(programTypes) : null);
            Add(HelperFactEncoding.ProgramTypeVersionsArgument, encoded.ProgramTypeVersions is null ? null : Literal(encoded.ProgramTypeVersions));
            Add(HelperFactEncoding.ProgramTypeConditionsArgument, encoded.ProgramTypeConditions is null ? null : Literal(encoded.ProgramTypeConditions));
            Add(HelperFactEncoding.MapTypesArgument, encoded.MapTypes is ulong mapTypes ? Hex(mapTypes) : null);
            Add(HelperFactEncoding.AlwaysFailingMapTypesArgument, encoded.AlwaysFailingMapTypes != 0 ? Hex(encoded.AlwaysFailingMapTypes) : null);
            Add(HelperFactEncoding.MapTypeConditionsArgument, encoded.MapTypeConditions is null ? null : Literal(encoded.MapTypeConditions));
            yield return "global::BpfSharp.BpfHelper(" + string.Join(", ", facts) + ")";

            void Add(string argument, string? value)
            {
                if (value != null)
                {
                    facts.Add(argument + " = " + value);
                }
            }
        }

        // [BpfHelperFlags(bits)] on a parameter the page lists flags for; enumerated values also listed one by one.
        private static string FlagsAttribute(HelperSpec helper, HelperParameter parameter)
        {
            var flags = helper.Flags.Where(f => f.Parameter == parameter.Name).ToArray();
            if (flags.Length == 0)
            {
                return string.Empty;
            }

            var bits = flags.Where(f => f.Kind != "value").Aggregate(0UL, (mask, flag) => mask | flag.Value);
            var values = flags.Any(f => f.Kind == "value")
                ? ", AcceptedValues = new ulong[] { " + string.Join(", ", flags.Where(f => f.Kind == "value").Select(f => Hex(f.Value)).Distinct()) + " }"
                : string.Empty;
            var named = flags.Where(f => f.Constant != "-").Select(f => f.Constant + " (" + Hex(f.Value).TrimEnd('L', 'U') + ")").ToArray();
            var description = ", Description = " + Literal(named.Length == 0 ? "no flags: pass 0" : string.Join(", ", named));
            return "[global::BpfSharp.BpfHelperFlags(" + Hex(bits) + values + description + ")] ";
        }

        private static string Hex(ulong value) => "0x" + value.ToString("X", CultureInfo.InvariantCulture) + "UL";

        // C names become camelCase; C# keywords get '@'; a name with nothing left becomes argN.
        private static string CSharpParameterName(string cName, int index)
        {
            var name = SpecNames.CamelCase(cName);
            if (name.Length == 0 || !SyntaxFacts.IsValidIdentifier(name) || name == "args")
            {
                return "arg" + (index + 1).ToString(CultureInfo.InvariantCulture);
            }

            return SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None || SyntaxFacts.GetContextualKeywordKind(name) != SyntaxKind.None ? "@" + name : name;
        }

        private static string Literal(string text) => SymbolDisplay.FormatLiteral(text, quote: true);

        private static Template LoadTemplate(string name)
        {
            using var stream = typeof(HelperEmitter).Assembly.GetManifestResourceStream("BpfSharp.Generators.Templates." + name)!;
            using var reader = new StreamReader(stream);
            var template = Template.Parse(reader.ReadToEnd(), name);
            if (template.HasErrors)
            {
                throw new InvalidOperationException("Template " + name + ": " + string.Join("; ", template.Messages));
            }

            return template;
        }

        private sealed class ParameterView
        {
            public ParameterView(HelperParameter parameter, string csharpName, HelperCallback? callback)
            {
                Parameter = parameter;
                CSharpName = csharpName;
                CSharpType = CTypes.IsMapParameter(parameter) ? CTypes.MapType
                    : (callback is null ? null : CTypes.ToFunctionPointer(callback.Signature)) ?? CTypes.ToCSharp(parameter.CType) ?? "void*";
            }

            public HelperParameter Parameter { get; }

            public string CSharpName { get; }

            public string CSharpType { get; }
        }
    }
}
