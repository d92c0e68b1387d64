using System;
using System.Linq;
using BpfSharp.Analyzers.HelperCalls.Rules;
using BpfSharp.Spec;

namespace BpfSharp.Analyzers.HelperCalls
{
    /// <summary>The spec's facts: program types and the version each gained the helper, conditions, map types, GPL.</summary>
    internal sealed class SpecVerdicts : IHelperVerdicts
    {
        // bpf_prog_has_trampoline(): fentry, fexit, fmod_ret and LSM programs.
        private static readonly string[] TrampolineAttachTypes = { "BPF_TRACE_FENTRY", "BPF_TRACE_FEXIT", "BPF_MODIFY_RETURN", "BPF_LSM_MAC" };

        private readonly KernelVersion? _target;

        /// <param name="target">The oldest kernel the programs must load on (BpfTargetKernel); null for the newest the spec knows.</param>
        public SpecVerdicts(KernelVersion? target)
        {
            _target = target;
        }

        [System.Runtime.CompilerServices.MethodImpl(BpfSharp.Compiler.HotPath.Optimized)]
        public void JudgeCall(in CallSite site)
        {
            var helper = site.Helper;
            foreach (var map in site.Call.MapArguments)
            {
                if (!helper.MapTypes.ContainsKey(map.MapType))
                {
                    MapTypeRule.Report(site.Report, helper, map);
                }
                else
                {
                    AlwaysFailingMapRule.Check(site.Report, helper, map);
                }
            }

            KernelTooOldRule.Check(site, _target);
            GplOnlyRule.Check(site, helper.GplOnly && helper.GplOnlyExceptions.IsEmpty);
        }

        [System.Runtime.CompilerServices.MethodImpl(BpfSharp.Compiler.HotPath.Optimized)]
        public void JudgeInProgram(in ProgramSite site)
        {
            var helper = site.Helper;
            var declared = site.Declared;
            JudgeProgramType(site);
            GplOnlyRule.Check(site.Site, helper.GplOnly && !helper.GplOnlyExceptions.IsEmpty
                && !helper.GplOnlyExceptions.Contains(declared.ProgramTypeName) && (declared.AttachType is null || !helper.GplOnlyExceptions.Contains(declared.AttachType)));
            foreach (var map in site.Call.MapArguments)
            {
                if (helper.MapTypes.TryGetValue(map.MapType, out var use) && use.OnlyInProgramTypes is { } onlyIn && !onlyIn.Contains(declared.ProgramType))
                {
                    MapTypeRule.Report(site.Report, helper, map);
                }
            }
        }

        /// <summary>Whether the program type offers the helper at all, since which version, and under which conditions.</summary>
        private void JudgeProgramType(in ProgramSite site)
        {
            var helper = site.Helper;
            var declared = site.Declared;
            var typeName = ProgramDeclaration.ShortName(declared.ProgramTypeName);
            if (helper.ProgramTypes is not { } allowed)
            {
                return;
            }

            if (!allowed.TryGetValue(declared.ProgramType, out var typeSince))
            {
                var names = allowed.Keys.Select(v => KernelTypes.ProgramTypes.FindByValue(v)?.Name).Where(n => n != null).Select(n => ProgramDeclaration.ShortName(n!)).OrderBy(n => n, StringComparer.Ordinal).ToArray();
                HelperNotAllowedRule.Report(site, names.Length == 0 ? "no program type" : string.Join(", ", names));
                return;
            }

            // A program type that gained the helper after the helper itself: the verifier of an older target refuses it.
            if (_target is KernelVersion target && KernelVersion.TryParse(typeSince, out var since) && since.CompareTo(target) > 0
                && !(KernelVersion.TryParse(helper.Since, out var helperSince) && helperSince.CompareTo(since) >= 0))
            {
                HelperNotAllowedRule.Report(site, $"{typeName} programs on Linux {since} or later (BpfTargetKernel is {target})");
                return;
            }

            foreach (var condition in helper.ProgramTypeConditions)
            {
                if (condition.ProgramType != declared.ProgramType)
                {
                    continue;
                }

                switch (condition.Kind)
                {
                    case "sleepable":
                        if (!declared.Sleepable)
                        {
                            HelperNotAllowedRule.Report(site, $"sleepable {typeName} programs (the verifier: helper call might sleep in a non-sleepable prog)");
                        }

                        break;
                    case "attach_type":
                    case "prog_trampoline":
                        var attachTypes = condition.Kind == "attach_type" ? condition.Values : TrampolineAttachTypes;
                        if (declared.AttachType is null)
                        {
                            AttachTypeRule.Report(site, attachTypes);
                        }
                        else if (!attachTypes.Contains(declared.AttachType))
                        {
                            HelperNotAllowedRule.Report(site, $"{typeName} programs loaded with the attach type {string.Join(", ", attachTypes)} (this one loads with {declared.AttachType})");
                        }

                        break;
                    case "no_security_lockdown":
                        EnvironmentRule.Report(site, "when the kernel does not run with lockdown (integrity or confidentiality; /sys/kernel/security/lockdown)");
                        break;
                    case "kconfig":
                        EnvironmentRule.Report(site, "when the kernel is built with " + string.Join(", ", condition.Values));
                        break;
                    case "cap":
                        CapabilityRule.Report(site, string.Join(", ", condition.Values));
                        break;
                }
            }
        }
    }
}
