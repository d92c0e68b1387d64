using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using BpfSharp.Loader.Native;
using BpfSharp.Spec;
using BpfSharp.Spec.Profiles;

namespace BpfSharp.Loader.Probing
{
    /// <summary>A step of the probe, for progress output: what it is doing and how far it is.</summary>
    internal sealed record ProbeProgress(string Stage, int Done, int Total);

    /// <summary>The probe cannot run here (no bpf(2), or not permitted); the message says what to do.</summary>
    internal sealed class ProbeUnavailableException : Exception
    {
        public ProbeUnavailableException(string message)
            : base(message)
        {
        }
    }

    /// <summary>
    /// Asks the running kernel's verifier, through <c>bpf(2)</c>, everything a kernel profile holds: one minimal program
    /// per program-type variant, one call per helper and variant (with a GPL and a non-GPL licence), and one call per map
    /// helper and map type. Each answer is read from the verifier's own log (<see cref="VerifierLog"/>).
    /// </summary>
    internal sealed class KernelProbe
    {
        private const string GplLicense = "GPL";
        private const string NonGplLicense = "Proprietary";
        private const string UsualRefusal = "program of this type cannot use helper";

        private readonly IReadOnlyList<HelperSpec> _helpers;
        private readonly IProgress<ProbeProgress>? _progress;
        private ProbeMaps? _maps;

        public KernelProbe(IEnumerable<HelperSpec> helpers, IProgress<ProbeProgress>? progress = null)
        {
            _helpers = helpers.OrderBy(h => h.Id).ToArray();
            _progress = progress;
        }

        /// <summary>Null when bpf(2) can be used here; otherwise why not, in words a user can act on.</summary>
        public static string? WhyUnavailable()
        {
            if (!OperatingSystem.IsLinux())
            {
                return "bpf(2) exists only on Linux; this is " + System.Runtime.InteropServices.RuntimeInformation.OSDescription;
            }

            if (BpfSyscall.Number < 0)
            {
                return "this library does not know the bpf(2) system call number on " + System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture;
            }

            var fd = KernelObjects.CreateMap(new MapCreateRequest(2, 4, 8, 1), out var errno);
            if (fd >= 0)
            {
                BpfSyscall.Close(fd);
                return null;
            }

            return errno switch
            {
                Errno.NotPermitted => "bpf(2) is not permitted for this process (EPERM): run as root, or grant CAP_BPF with CAP_PERFMON, CAP_NET_ADMIN and CAP_SYS_ADMIN (kernel.unprivileged_bpf_disabled = " + ReadText("/proc/sys/kernel/unprivileged_bpf_disabled") + ")",
                Errno.NoSystemCall => "the kernel has no bpf(2) system call (ENOSYS): it was built without CONFIG_BPF_SYSCALL",
                _ => "bpf(2) failed to create a test map: " + BpfSyscall.Describe(errno),
            };
        }

        /// <summary>The program variants worth asking about: every program type bare, and every distinct variant libbpf's sections name.</summary>
        public static IReadOnlyList<(string ProgramType, string? AttachType, bool Sleepable)> Variants()
        {
            var bare = KernelTypes.ProgramTypes.Members.Where(m => m.Value > 0 && m.AliasOf is null).Select(m => (m.Name, (string?)null, false));
            var sections = SectionNames.All.Select(s => (s.ProgramType, s.AttachType, s.IsSleepable));
            return bare.Concat(sections).Distinct()
                .OrderBy(v => KernelTypes.ProgramTypes.FindByName(v.Item1)!.Value)
                .ThenBy(v => v.Item2 is null ? -1 : KernelTypes.AttachTypes.FindByName(v.Item2)?.Value ?? 999)
                .ThenBy(v => v.Item3)
                .ToArray();
        }

        public KernelProfile Run()
        {
            var why = WhyUnavailable();
            if (why != null)
            {
                throw new ProbeUnavailableException(why);
            }

            using var maps = new ProbeMaps();
            _maps = maps;
            var anyMap = maps.Create("BPF_MAP_TYPE_ARRAY", out _);
            var loadable = ProbeProgramTypes(out var programTypes);
            var missing = new SortedSet<string>(StringComparer.Ordinal);
            var variants = new List<ProfileVariant>();
            for (var i = 0; i < loadable.Count; i++)
            {
                Report("helpers per program type: " + Describe(loadable[i]), i, loadable.Count);
                variants.Add(ProbeVariant(loadable[i], anyMap, missing));
            }

            var mapTypes = new List<ProfileMapType>();
            var mapFds = new List<(string MapType, int Fd)>();
            foreach (var type in MapTypesByValue())
            {
                var fd = maps.Create(type.Name, out var failure);
                mapTypes.Add(new ProfileMapType(type.Name, fd >= 0, failure));
                if (fd >= 0)
                {
                    mapFds.Add((type.Name, fd));
                }
            }

            var mapHelpers = ProbeMapHelpers(variants, mapFds);
            Report("done", 1, 1);
            return new KernelProfile(
                ReadText("/proc/sys/kernel/osrelease"),
                System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant(),
                new ProfileProber("bpfsharp " + typeof(KernelProbe).Assembly.GetName().Version?.ToString(3), ProcessCapabilities.EffectiveUid(), ProcessCapabilities.Effective()),
                KernelConfig(variants),
                programTypes,
                variants,
                mapTypes,
                mapHelpers,
                missing.ToArray());
        }

        // One name per map type value: where the kernel renamed a type (CGROUP_STORAGE_DEPRECATED), the current name.
        private static IEnumerable<KernelEnumMember> MapTypesByValue() =>
            KernelTypes.MapTypes.Members.Where(m => m.Value > 0).GroupBy(m => m.Value).Select(g => g.FirstOrDefault(m => m.MapClass != null) ?? g.First());

        private List<(string ProgramType, string? AttachType, bool Sleepable)> ProbeProgramTypes(out List<ProfileProgramType> programTypes)
        {
            var all = Variants();
            var loadable = new List<(string, string?, bool)>();
            var notes = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var i = 0; i < all.Count; i++)
            {
                Report("program types", i, all.Count);
                var result = Load(all[i], ProbeProgram.Minimal(ProbeProgram.ReturnValue(all[i].ProgramType)), GplLicense, logLevel: 1);
                if (result.Loaded)
                {
                    BpfSyscall.Close(result.Fd);
                    loadable.Add(all[i]);
                }
                else if (!notes.ContainsKey(all[i].ProgramType))
                {
                    var log = result.Log.Trim();
                    notes[all[i].ProgramType] = BpfSyscall.Describe(result.Errno) + (log.Length == 0 ? ", empty verifier log" : ": " + log.Split('\n').Last().Trim());
                }
            }

            programTypes = KernelTypes.ProgramTypes.Members.Where(m => m.Value > 0 && m.AliasOf is null)
                .Select(m => loadable.Any(v => v.Item1 == m.Name)
                    ? new ProfileProgramType(m.Name, true, null)
                    : new ProfileProgramType(m.Name, false, notes.TryGetValue(m.Name, out var note) ? note : null))
                .ToList();
            return loadable;
        }

        private ProfileVariant ProbeVariant((string ProgramType, string? AttachType, bool Sleepable) variant, int anyMap, ISet<string> missing)
        {
            var allowed = new List<string>();
            var gplOnly = new List<string>();
            var other = new List<KeyValuePair<string, string>>();
            foreach (var helper in _helpers)
            {
                var outcome = Call(variant, helper, anyMap, GplLicense);
                switch (outcome.Verdict)
                {
                    case CallVerdict.Missing:
                        missing.Add(helper.Name);
                        continue;
                    case CallVerdict.ProgramRejected: // the verifier never reached the call, even when asked again: not an answer to count as allowed
                    case CallVerdict.NotAllowed:
                        if (!outcome.Message.Contains(UsualRefusal))
                        {
                            other.Add(new KeyValuePair<string, string>(helper.Name, outcome.Message));
                        }

                        continue;
                }

                allowed.Add(helper.Name);
                if (Call(variant, helper, anyMap, NonGplLicense).Verdict == CallVerdict.GplOnly)
                {
                    gplOnly.Add(helper.Name);
                }
            }

            return new ProfileVariant(variant.ProgramType, variant.AttachType, variant.Sleepable, allowed, gplOnly, other);
        }

        // Every map helper in every program type that may call it (the verifier's sockmap rules depend on the program
        // type), with a map of each type; the first loadable variant of a program type stands for it.
        private List<ProfileMapHelper> ProbeMapHelpers(IReadOnlyList<ProfileVariant> variants, IReadOnlyList<(string MapType, int Fd)> mapFds)
        {
            var result = new List<ProfileMapHelper>();
            var mapHelpers = _helpers.Where(h => h.Parameters.Any(CTypes.IsMapParameter)).ToArray();
            for (var i = 0; i < mapHelpers.Length; i++)
            {
                var helper = mapHelpers[i];
                Report("map types per map helper: " + helper.Name, i, mapHelpers.Length);
                foreach (var allowing in variants.Where(v => v.Allows(helper.Name)).GroupBy(v => v.ProgramType).Select(g => g.First()))
                {
                    var programType = allowing.ProgramType;
                    var variant = (allowing.ProgramType, allowing.AttachType, allowing.Sleepable);
                    var accepted = new List<string>();
                    var refused = new List<KeyValuePair<string, string>>();
                    var undecided = new List<KeyValuePair<string, string>>();
                    foreach (var (mapType, sharedFd) in mapFds)
                    {
                        var fd = ProbeMaps.IsBoundToOneProgram(mapType) ? _maps!.CreateUntracked(mapType) : sharedFd;
                        var outcome = Call(variant, helper, fd, GplLicense, obtainObjects: true);
                        if (fd != sharedFd)
                        {
                            BpfSyscall.Close(fd);
                        }

                        switch (outcome.Verdict)
                        {
                            case CallVerdict.Accepted:
                                accepted.Add(mapType);
                                break;
                            case CallVerdict.MapRefused:
                                refused.Add(new KeyValuePair<string, string>(mapType, outcome.Message));
                                break;
                            default:
                                undecided.Add(new KeyValuePair<string, string>(mapType, outcome.Message));
                                break;
                        }
                    }

                    // Other program types are written only where they change the answer (the sockmap rules).
                    var first = result.FirstOrDefault(r => r.Helper == helper.Name);
                    if (first is null || !first.Accepted.SequenceEqual(accepted))
                    {
                        result.Add(new ProfileMapHelper(helper.Name, programType, accepted, refused, undecided));
                    }
                }
            }

            return result;
        }

        // A load the verifier stopped before the call (out of memory, a signal) says nothing about the call: ask again.
        private CallOutcome Call((string ProgramType, string? AttachType, bool Sleepable) variant, HelperSpec helper, int mapFd, string license, bool obtainObjects = false)
        {
            var (instructions, callIndex, callbackIndex) = ProbeProgram.Build(helper.Id, helper.Parameters, mapFd, ProbeProgram.ReturnValue(variant.ProgramType), obtainObjects);
            CallOutcome outcome;
            var attempt = 0;
            do
            {
                var result = Load(variant, instructions, license, logLevel: 2, callbackIndex < 0 ? null : (_maps!.BtfFd, callbackIndex));
                BpfSyscall.Close(result.Fd);
                outcome = VerifierLog.Classify(result.Loaded, result.Log, callIndex);
                if (outcome.Verdict == CallVerdict.ProgramRejected)
                {
                    outcome = outcome with { Message = BpfSyscall.Describe(result.Errno) + (outcome.Message.Length == 0 ? string.Empty : ": " + outcome.Message) };
                }
            }
            while (outcome.Verdict == CallVerdict.ProgramRejected && ++attempt < 5);
            return outcome;
        }

        // A program with a callback carries BTF func_info for its two functions (the kernel insists on it).
        private static ProgramLoadResult Load((string ProgramType, string? AttachType, bool Sleepable) variant, IReadOnlyList<BpfInstruction> instructions, string license, uint logLevel, (int BtfFd, int CallbackIndex)? callback = null) =>
            KernelObjects.LoadProgram(new ProgramLoadRequest(KernelTypes.ProgramTypes.FindByName(variant.ProgramType)!.Value, instructions, license)
            {
                ExpectedAttachType = variant.AttachType is null ? 0 : KernelTypes.AttachTypes.FindByName(variant.AttachType)!.Value,
                Flags = variant.Sleepable ? ProgramLoadRequest.Sleepable : 0,
                LogLevel = logLevel,
                BtfFd = callback?.BtfFd ?? 0,
                FunctionInfo = callback is { } c ? new[] { (0, ProbeBtf.MainFunctionTypeId), (c.CallbackIndex, ProbeBtf.CallbackFunctionTypeId) } : Array.Empty<(int, uint)>(),
            });

        // What the probe can see of the configuration that changes verdicts; the lockdown level is read from securityfs
        // when it is mounted, else inferred from the helpers lockdown removes.
        private static List<KeyValuePair<string, string>> KernelConfig(IReadOnlyList<ProfileVariant> variants)
        {
            var config = new List<KeyValuePair<string, string>>();
            var lockdown = ReadText("/sys/kernel/security/lockdown");
            if (lockdown.Length > 0)
            {
                var start = lockdown.IndexOf('[');
                var end = lockdown.IndexOf(']');
                lockdown = start >= 0 && end > start ? lockdown.Substring(start + 1, end - start - 1) : lockdown;
            }
            else
            {
                var kprobe = variants.FirstOrDefault(v => v.ProgramType == "BPF_PROG_TYPE_KPROBE");
                lockdown = kprobe is null ? "unknown"
                    : !kprobe.Allows("bpf_probe_read_kernel") ? "confidentiality (inferred: bpf_probe_read_kernel is refused)"
                    : !kprobe.Allows("bpf_probe_write_user") ? "integrity (inferred: bpf_probe_write_user is refused)"
                    : "none (inferred: bpf_probe_write_user is allowed)";
            }

            config.Add(new KeyValuePair<string, string>("lockdown", lockdown));
            config.Add(new KeyValuePair<string, string>("btf_vmlinux", File.Exists("/sys/kernel/btf/vmlinux") ? "yes" : "no"));
            config.Add(new KeyValuePair<string, string>("unprivileged_bpf_disabled", ReadText("/proc/sys/kernel/unprivileged_bpf_disabled")));
            config.Add(new KeyValuePair<string, string>("bpf_jit_enable", ReadText("/proc/sys/net/core/bpf_jit_enable")));
            return config;
        }

        private void Report(string stage, int done, int total) => _progress?.Report(new ProbeProgress(stage, done, total));

        private static string Describe((string ProgramType, string? AttachType, bool Sleepable) v) =>
            v.ProgramType + (v.AttachType is null ? string.Empty : " " + v.AttachType) + (v.Sleepable ? " sleepable" : string.Empty);

        private static string ReadText(string path)
        {
            try
            {
                return File.Exists(path) ? File.ReadAllText(path).Trim() : string.Empty;
            }
            catch (IOException)
            {
                return string.Empty;
            }
            catch (UnauthorizedAccessException)
            {
                return string.Empty;
            }
        }

    }
}
