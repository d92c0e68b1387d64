using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using BpfSharp.Spec;
using BpfSharp.Spec.Profiles;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace BpfSharp.Analyzers
{
    /// <summary>
    /// The kernel the build checks against: a kernel profile (MSBuild property BpfKernelProfile, the output of
    /// <c>bpfsharp probe</c>) gives that kernel's exact verdicts; else BpfTargetKernel names the oldest kernel the
    /// programs must load on, and the spec's per-version facts apply; else the newest kernel the spec knows.
    /// </summary>
    internal sealed class KernelTarget
    {
        private const string TargetKernelProperty = "build_property.BpfTargetKernel";
        private const string ProfileProperty = "build_property.BpfKernelProfile";
        private const string KindMetadata = "build_metadata.AdditionalFiles.BpfSharpKind";
        private const string ProfileKind = "KernelProfile";

        // Profiles parsed once per content: the compiler server runs many compilations of one project.
        private static readonly ConcurrentDictionary<string, (KernelProfile? Profile, IReadOnlyList<ProfileProblem> Problems)> s_profiles =
            new ConcurrentDictionary<string, (KernelProfile?, IReadOnlyList<ProfileProblem>)>(StringComparer.Ordinal);

        private KernelTarget(KernelVersion? version, KernelProfile? profile)
        {
            Version = version;
            Profile = profile;
        }

        /// <summary>The kernel version checks compare with; null: no version checks (the newest kernel the spec knows).</summary>
        public KernelVersion? Version { get; }

        /// <summary>The profiled kernel whose verdicts replace the spec's facts, when the build names a usable one.</summary>
        public KernelProfile? Profile { get; }

        /// <summary>Reads the build's settings; <paramref name="problems"/> gets what is wrong with them.</summary>
        public static KernelTarget Read(AnalyzerOptions analyzerOptions, System.Threading.CancellationToken cancellationToken, out IReadOnlyList<Diagnostic> problems)
        {
            var options = analyzerOptions.AnalyzerConfigOptionsProvider;
            var found = new List<Diagnostic>();
            problems = found;
            options.GlobalOptions.TryGetValue(TargetKernelProperty, out var targetText);
            KernelVersion? version = KernelVersion.TryParse(targetText, out var parsed) ? parsed : null;
            if (!string.IsNullOrWhiteSpace(targetText) && version is null)
            {
                found.Add(Diagnostic.Create(Descriptors.InvalidTargetKernel, Location.None, targetText));
            }

            var profile = ReadProfile(analyzerOptions, found, cancellationToken);
            if (profile?.Version is KernelVersion profiled)
            {
                version = profiled;
            }

            return new KernelTarget(version, profile);
        }

        private static KernelProfile? ReadProfile(AnalyzerOptions analyzerOptions, List<Diagnostic> problems, System.Threading.CancellationToken cancellationToken)
        {
            var options = analyzerOptions.AnalyzerConfigOptionsProvider;
            options.GlobalOptions.TryGetValue(ProfileProperty, out var property);
            var file = analyzerOptions.AdditionalFiles.FirstOrDefault(f => options.GetOptions(f).TryGetValue(KindMetadata, out var kind) && kind == ProfileKind);
            if (file is null)
            {
                if (!string.IsNullOrWhiteSpace(property))
                {
                    problems.Add(Diagnostic.Create(Descriptors.KernelProfileProblem, Location.None, property, "the file does not exist (write one with 'bpfsharp probe --output " + property + "')"));
                }

                return null;
            }

            var text = file.GetText(cancellationToken);
            if (text is null)
            {
                problems.Add(Diagnostic.Create(Descriptors.KernelProfileProblem, Location.None, file.Path, "the file cannot be read"));
                return null;
            }

            var key = file.Path + "\n" + string.Concat(text.GetChecksum().Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
            if (s_profiles.Count > 16)
            {
                s_profiles.Clear();
            }

            var (profile, found) = s_profiles.GetOrAdd(key, _ =>
            {
                var read = KernelProfileJson.Read(text.ToString(), out var readProblems);
                return (read, readProblems);
            });
            foreach (var problem in found)
            {
                problems.Add(Diagnostic.Create(Descriptors.KernelProfileProblem, At(file.Path, text, problem), file.Path, problem.Message));
            }

            return profile;
        }

        private static Location At(string path, SourceText text, ProfileProblem problem)
        {
            var line = Math.Max(0, Math.Min(problem.Line - 1, text.Lines.Count - 1));
            var lineSpan = text.Lines[line].Span;
            var start = Math.Min(lineSpan.Start + Math.Max(0, problem.Column - 1), lineSpan.End);
            var position = text.Lines.GetLinePosition(start);
            return Location.Create(path, new TextSpan(start, 0), new LinePositionSpan(position, position));
        }
    }
}
