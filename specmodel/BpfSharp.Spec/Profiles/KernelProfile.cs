using System;
using System.Collections.Generic;
using System.Linq;

namespace BpfSharp.Spec.Profiles
{
    /// <summary>
    /// What one running kernel's verifier said when <c>bpfsharp probe</c> asked it: which helpers each program-type
    /// variant may call (and which of them are GPL-only there), which map types each map helper takes, and which program
    /// and map types exist. The file format is documented in docs/kernel-profile.md.
    /// </summary>
    public sealed class KernelProfile
    {
        /// <summary>The value of the profile's <c>format</c> member.</summary>
        public const string Format = "bpfsharp-kernel-profile/1";

        public KernelProfile(string release, string machine, ProfileProber prober, IReadOnlyList<KeyValuePair<string, string>> config, IReadOnlyList<ProfileProgramType> programTypes, IReadOnlyList<ProfileVariant> variants, IReadOnlyList<ProfileMapType> mapTypes, IReadOnlyList<ProfileMapHelper> mapHelpers, IReadOnlyList<string> missingHelpers)
        {
            Release = release;
            Machine = machine;
            Prober = prober;
            Config = config;
            ProgramTypes = programTypes;
            Variants = variants;
            MapTypes = mapTypes;
            MapHelpers = mapHelpers;
            MissingHelpers = missingHelpers;
        }

        /// <summary>The kernel release as <c>uname -r</c> prints it, e.g. <c>6.18.44-fc-v595</c>.</summary>
        public string Release { get; }

        /// <summary>The kernel version the release starts with (6.18.44), or null when the release does not start with one.</summary>
        public KernelVersion? Version => KernelVersion.TryParseRelease(Release, out var version) ? version : null;

        public string Machine { get; }

        public ProfileProber Prober { get; }

        /// <summary>Facts about the kernel's configuration that change verdicts (lockdown, BTF, ...), by name.</summary>
        public IReadOnlyList<KeyValuePair<string, string>> Config { get; }

        public IReadOnlyList<ProfileProgramType> ProgramTypes { get; }

        public IReadOnlyList<ProfileVariant> Variants { get; }

        public IReadOnlyList<ProfileMapType> MapTypes { get; }

        public IReadOnlyList<ProfileMapHelper> MapHelpers { get; }

        /// <summary>Helpers of the spec the kernel does not have at all (<c>invalid func</c>).</summary>
        public IReadOnlyList<string> MissingHelpers { get; }

        /// <summary>
        /// The probed variant that answers for a program: same program type, attach type and sleepability; else the
        /// program type's variant without an attach type; null when the kernel could not load the program type.
        /// </summary>
        public ProfileVariant? FindVariant(string programType, string? attachType, bool sleepable) =>
            Variants.FirstOrDefault(v => v.ProgramType == programType && v.AttachType == attachType && v.Sleepable == sleepable)
            ?? Variants.FirstOrDefault(v => v.ProgramType == programType && v.AttachType == null && v.Sleepable == sleepable)
            ?? Variants.FirstOrDefault(v => v.ProgramType == programType && v.AttachType == attachType)
            ?? Variants.FirstOrDefault(v => v.ProgramType == programType);

        /// <summary>The map-type verdicts for a helper in a program type: the entry probed in that program type, else the helper's first entry.</summary>
        public ProfileMapHelper? FindMapHelper(string helper, string programType) =>
            MapHelpers.FirstOrDefault(m => m.Helper == helper && m.ProgramType == programType)
            ?? MapHelpers.FirstOrDefault(m => m.Helper == helper);

        public string ToJson() => KernelProfileJson.Write(this);
    }

    /// <summary>Who ran the probe: the tool, the effective user id and the capabilities in effect.</summary>
    public sealed record ProfileProber(string Tool, int Uid, IReadOnlyList<string> Capabilities);

    /// <summary>A program type and whether the kernel loads a minimal program of it (without a BTF attach target).</summary>
    public sealed record ProfileProgramType(string Name, bool Loadable, string? Note);

    /// <summary>
    /// One loadable program variant (program type, expected attach type, sleepable) with the helpers its verifier lets it
    /// call, the subset that only GPL-compatible programs may call there, and refusals whose message is not the usual
    /// "program of this type cannot use helper".
    /// </summary>
    public sealed class ProfileVariant
    {
        private readonly HashSet<string> _allowed;
        private readonly HashSet<string> _gplOnly;

        public ProfileVariant(string programType, string? attachType, bool sleepable, IReadOnlyList<string> allowed, IReadOnlyList<string> gplOnly, IReadOnlyList<KeyValuePair<string, string>> otherRefusals)
        {
            ProgramType = programType;
            AttachType = attachType;
            Sleepable = sleepable;
            Allowed = allowed;
            GplOnly = gplOnly;
            OtherRefusals = otherRefusals;
            _allowed = new HashSet<string>(allowed, StringComparer.Ordinal);
            _gplOnly = new HashSet<string>(gplOnly, StringComparer.Ordinal);
        }

        public string ProgramType { get; }

        public string? AttachType { get; }

        public bool Sleepable { get; }

        public IReadOnlyList<string> Allowed { get; }

        public IReadOnlyList<string> GplOnly { get; }

        /// <summary>Refused helpers whose message is not the usual one, with the verifier's message.</summary>
        public IReadOnlyList<KeyValuePair<string, string>> OtherRefusals { get; }

        public bool Allows(string helper) => _allowed.Contains(helper);

        public bool IsGplOnly(string helper) => _gplOnly.Contains(helper);

        /// <summary>How messages name the variant: <c>BPF_PROG_TYPE_CGROUP_SOCK_ADDR (BPF_CGROUP_INET4_BIND)</c>.</summary>
        public string Describe() => ProgramType + (AttachType is null ? string.Empty : " (" + AttachType + ")") + (Sleepable ? " sleepable" : string.Empty);
    }

    /// <summary>A map type and whether the probe could create a map of it.</summary>
    public sealed record ProfileMapType(string Name, bool Creatable, string? Note);

    /// <summary>
    /// What the verifier said when a map helper was called with a map of each creatable type, in one program type:
    /// accepted, refused (with the verifier's message), or undecided (the call failed on an argument the probe could
    /// not make valid for that map type, so the map check was never reached).
    /// </summary>
    public sealed record ProfileMapHelper(string Helper, string ProgramType, IReadOnlyList<string> Accepted, IReadOnlyList<KeyValuePair<string, string>> Refused, IReadOnlyList<KeyValuePair<string, string>> Undecided)
    {
        public bool Accepts(string mapType) => Accepted.Contains(mapType);

        public string? RefusalOf(string mapType) => Refused.FirstOrDefault(r => r.Key == mapType).Value;
    }
}
