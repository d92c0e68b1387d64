using System.IO;
using System.Text;
using BpfSharp.Compiler;
using BpfSharp.Spec;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace BpfSharp.Generators
{
    /// <summary>Emits <c>BpfSharp.BpfHelpers</c>: one stub per helper of the shipped spec and the user's helper pages.</summary>
    [Generator(LanguageNames.CSharp)]
    public sealed class HelperGenerator : IIncrementalGenerator
    {
        public const string HintName = TranslationCache.HelpersFileName;

        private readonly TranslationCache _translations;

        public HelperGenerator()
            : this(TranslationCache.Shared)
        {
        }

        /// <summary>A generator with its own kept translations (tests and benchmarks count what it translates).</summary>
        internal HelperGenerator(TranslationCache translations) => _translations = translations;

        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            var userHelpers = context.AdditionalTextsProvider
                .Where(file => HelperPageParser.IsPageFileName(file.Path))
                .Select((file, cancellationToken) =>
                {
                    var text = file.GetText(cancellationToken)?.ToString();
                    return text != null && HelperPageParser.LooksLikeHelperPage(text)
                        ? HelperPageParser.Parse(file.Path, text).Helper
                        : null;
                })
                .WithTrackingName(TrackingNames.UserPages)
                .Where(helper => helper != null)
                .Select((helper, _) => helper!)
                .WithTrackingName(TrackingNames.HelperPages);

            // Without user pages the output is the shipped spec's, rendered when this assembly was built.
            var merged = userHelpers
                .Collect()
                .Select((user, _) => user.IsEmpty ? (EquatableArray<HelperSpec>?)null : HelperSpecMerger.Merge(ShippedSpec.Helpers, user))
                .WithTrackingName(TrackingNames.MergedSpec);

            // The C of the BPF programs, when there are any: translated again only where their sources changed (the
            // translator keeps its units between runs), so an edit elsewhere costs a comparison of declarations.
            var projectDirectory = context.AnalyzerConfigOptionsProvider
                .Select(static (options, _) => options.GlobalOptions.TryGetValue("build_property.MSBuildProjectDirectory", out var directory) ? directory : null);
            // The units the previous build kept (written by the build step): a new compiler process translates only what changed.
            var previousUnits = context.AdditionalTextsProvider
                .Where(static file => file.Path.EndsWith(BpfObjectSource.UnitsFileSuffix, System.StringComparison.Ordinal))
                .Collect()
                .Select(static (files, _) => files.Length == 1 ? files[0] : null);
            // Tracepoint programs' context structs, which the translation needs in its compilation as the user's code has them.
            var tracepoints = TracepointContexts.Source(context);
            context.RegisterSourceOutput(tracepoints, static (output, source) =>
            {
                if (source != null)
                {
                    output.AddSource(TranslationCache.TracepointContextsFileName, source);
                }
            });
            var translations = _translations;
            var objectSource = merged.Combine(tracepoints).Combine(projectDirectory).Combine(previousUnits).Combine(context.CompilationProvider)
                .Select((input, cancellationToken) =>
                {
                    var ((((helpers, contexts), directory), units), compilation) = input;
                    return BpfObjectSource.Carried(compilation, helpers, contexts, directory, units, translations, cancellationToken);
                })
                .WithTrackingName(TrackingNames.ObjectSource);

            // The C is no part of what the user's code means: an IDE, which runs no implementation output, never translates it.
            context.RegisterImplementationSourceOutput(objectSource.Select(static (carried, _) => carried.Source), static (output, source) =>
            {
                if (source != null)
                {
                    output.AddSource(BpfObjectSource.HintName, BpfObjectSource.SourceTextOf(source));
                }
            });
            context.RegisterImplementationSourceOutput(objectSource.Select(static (carried, _) => carried.Units), static (output, units) =>
            {
                if (units != null)
                {
                    output.AddSource(BpfObjectSource.UnitsHintName, BpfObjectSource.UnitsTextOf(units));
                }
            });

            // Callbacks are typed as C# 9 function pointers; a project on an older C# gets void* (and no signature check).
            var functionPointers = context.ParseOptionsProvider
                .Select(static (options, _) => options is not CSharpParseOptions { LanguageVersion: < LanguageVersion.CSharp9 });
            context.RegisterSourceOutput(merged.Combine(functionPointers), (output, input) =>
            {
                var (helpers, pointers) = input;
                if (helpers is null && pointers)
                {
                    // One text per process: a compiler server reuses it, and with it its checksum, in every build.
                    output.AddSource(HintName, s_shippedText.Value);
                }
                else
                {
                    output.AddSource(HintName, HelperEmitter.Emit(helpers ?? HelperSpecMerger.Merge(ShippedSpec.Helpers, System.Array.Empty<HelperSpec>()), pointers));
                }
            });
        }

        /// <summary>What <see cref="HelperEmitter.Emit"/> gives for the shipped spec alone (rendered at build time).</summary>
        public static string ShippedOutput => s_shipped.Value;

        private static readonly System.Lazy<string> s_shipped = new System.Lazy<string>(() =>
        {
            using var stream = typeof(HelperGenerator).Assembly.GetManifestResourceStream("BpfSharp.Generators.BpfHelpers-shipped.txt")!;
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        });

        private static readonly System.Lazy<SourceText> s_shippedText = new System.Lazy<SourceText>(() => SourceText.From(ShippedOutput, Encoding.UTF8));
    }
}
