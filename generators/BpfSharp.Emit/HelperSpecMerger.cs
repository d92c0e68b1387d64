using System;
using System.Collections.Generic;
using System.Linq;
using BpfSharp.Spec;

namespace BpfSharp.Generators
{
    /// <summary>Merges the shipped helpers with the user's pages: a user page replaces the shipped helper of the same name.</summary>
    public static class HelperSpecMerger
    {
        public static EquatableArray<HelperSpec> Merge(IEnumerable<HelperSpec> shipped, IEnumerable<HelperSpec> user)
        {
            var byName = new Dictionary<string, HelperSpec>(StringComparer.Ordinal);
            foreach (var helper in shipped)
            {
                byName[helper.Name] = helper;
            }

            // Several user pages for one helper: the first by path wins, whatever order the build lists them in.
            var userByName = new Dictionary<string, HelperSpec>(StringComparer.Ordinal);
            foreach (var helper in user.OrderBy(h => h.SourcePath, StringComparer.Ordinal))
            {
                if (!userByName.ContainsKey(helper.Name))
                {
                    userByName[helper.Name] = helper;
                }
            }

            foreach (var helper in userByName.Values)
            {
                byName[helper.Name] = helper;
            }

            // Two helpers whose C# method names collide (bpf_a_b and bpf_a__b) cannot both be emitted: keep the first by name.
            var methods = new HashSet<string>(StringComparer.Ordinal);
            var merged = byName.Values
                .OrderBy(h => h.Name, StringComparer.Ordinal)
                .Where(h => SpecNames.HelperMethodName(h.Name).Length > 0 && methods.Add(SpecNames.HelperMethodName(h.Name)));
            return new EquatableArray<HelperSpec>(merged);
        }
    }
}
