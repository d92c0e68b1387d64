using System.Linq;
using BpfSharp.Spec;
using Microsoft.CodeAnalysis;

namespace BpfSharp.Generators
{
    /// <summary>Emits <c>BpfSharp.BpfHelpers</c>: one stub per helper of the shipped spec and the user's helper pages.</summary>
    [Generator(LanguageNames.CSharp)]
    public sealed class HelperGenerator : IIncrementalGenerator
    {
        public const string HintName = "BpfSharp.BpfHelpers.g.cs";

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

            var merged = userHelpers
                .Collect()
                .Select((user, _) => HelperSpecMerger.Merge(ShippedSpec.Helpers, user))
                .WithTrackingName(TrackingNames.MergedSpec);

            context.RegisterSourceOutput(merged, (output, helpers) => output.AddSource(HintName, HelperEmitter.Emit(helpers)));
        }
    }
}
