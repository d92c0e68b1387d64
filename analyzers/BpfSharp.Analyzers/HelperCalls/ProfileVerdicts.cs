using System;
using System.Collections.Generic;
using System.Linq;
using BpfSharp.Analyzers.HelperCalls.Rules;
using BpfSharp.Spec;
using BpfSharp.Spec.Profiles;

namespace BpfSharp.Analyzers.HelperCalls
{
    /// <summary>
    /// A probed kernel's verdicts (BpfKernelProfile): exactly what its verifier said for the program's variant. Where
    /// the probe could not load a variant or decide a map type, the spec's facts stand in.
    /// </summary>
    internal sealed class ProfileVerdicts : IHelperVerdicts
    {
        private readonly KernelProfile _profile;
        private readonly SpecVerdicts _spec;

        public ProfileVerdicts(KernelProfile profile, SpecVerdicts spec)
        {
            _profile = profile;
            _spec = spec;
        }

        // Every verdict depends on the program's variant.
        public void JudgeCall(in CallSite site)
        {
        }

        public void JudgeInProgram(in ProgramSite site)
        {
            var declared = site.Declared;
            var variant = _profile.FindVariant(declared.ProgramTypeName, declared.AttachType, declared.Sleepable);
            if (variant is null)
            {
                _spec.JudgeCall(site.Site);
                _spec.JudgeInProgram(site);
                return;
            }

            var helper = site.Helper;
            if (!variant.Allows(helper.Name))
            {
                HelperNotAllowedRule.Report(site, WhereAllowed(helper, variant));
                return;
            }

            GplOnlyRule.Check(site.Site, variant.IsGplOnly(helper.Name));
            foreach (var map in site.Call.MapArguments)
            {
                var mapType = KernelTypes.MapTypes.FindByValue(map.MapType);
                var verdicts = _profile.FindMapHelper(helper.Name, declared.ProgramTypeName);
                if (mapType is null || verdicts is null || !(verdicts.Accepts(mapType.Name) || verdicts.RefusalOf(mapType.Name) != null))
                {
                    // The probe could not decide this map type: the spec's rules stand in.
                    if (!helper.MapTypes.TryGetValue(map.MapType, out var use) || (use.OnlyInProgramTypes is { } onlyIn && !onlyIn.Contains(declared.ProgramType)))
                    {
                        MapTypeRule.Report(site.Report, helper, map);
                    }
                }
                else if (!verdicts.Accepts(mapType.Name))
                {
                    MapTypeRule.Report(site.Report, helper, map);
                }
                else
                {
                    AlwaysFailingMapRule.Check(site.Report, helper, map);
                }
            }
        }

        private string WhereAllowed(HelperFacts helper, ProfileVariant variant)
        {
            if (_profile.MissingHelpers.Contains(helper.Name))
            {
                return $"no program type: Linux {_profile.Release} does not have the helper (invalid func)";
            }

            var allowing = _profile.Variants.Where(v => v.Allows(helper.Name)).Select(v => ProgramDeclaration.ShortName(v.ProgramType)).Distinct().OrderBy(n => n, StringComparer.Ordinal).ToArray();
            if (allowing.Length == 0)
            {
                return $"no program type on Linux {_profile.Release}: its verifier refused it to every program type the probe loaded{NoneBecause(helper)}";
            }

            var refusal = variant.OtherRefusals.FirstOrDefault(r => r.Key == helper.Name).Value;
            return string.Join(", ", allowing) + $" on Linux {_profile.Release}" + (refusal is null ? string.Empty : " (the verifier: " + refusal + ")");
        }

        // Why a kernel may refuse a helper to every program type: the kernel options and lockdown the spec knows it needs.
        private static string NoneBecause(HelperFacts helper)
        {
            var options = helper.ProgramTypeConditions.Where(c => c.Kind == "kconfig").SelectMany(c => c.Values).Distinct().OrderBy(n => n, StringComparer.Ordinal).ToArray();
            var needs = new List<string>();
            if (options.Length > 0)
            {
                needs.Add("built with " + string.Join(" and ", options));
            }

            if (helper.ProgramTypeConditions.Any(c => c.Kind == "no_security_lockdown"))
            {
                needs.Add("without lockdown");
            }

            return needs.Count == 0 ? string.Empty : "; it needs a kernel " + string.Join(" and ", needs);
        }
    }
}
