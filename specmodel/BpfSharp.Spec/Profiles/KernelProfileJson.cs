using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace BpfSharp.Spec.Profiles
{
    /// <summary>A problem in a kernel profile file, at a 1-based line and column.</summary>
    public sealed record ProfileProblem(int Line, int Column, string Message);

    /// <summary>Writes and reads the kernel profile's JSON form (docs/kernel-profile.md).</summary>
    public static class KernelProfileJson
    {
        public static string Write(KernelProfile profile)
        {
            var json = new JsonWriter();
            json.StartObject();
            json.String("format", KernelProfile.Format);
            json.StartObject("kernel");
            json.String("release", profile.Release);
            json.String("machine", profile.Machine);
            json.EndObject();
            json.StartObject("prober");
            json.String("tool", profile.Prober.Tool);
            json.Number("uid", profile.Prober.Uid);
            json.StringList("capabilities", profile.Prober.Capabilities);
            json.EndObject();
            json.StartObject("config");
            foreach (var fact in profile.Config)
            {
                json.String(fact.Key, fact.Value);
            }

            json.EndObject();
            Kinds(json, "programTypes", "loadable", profile.ProgramTypes.Select(t => (t.Name, t.Loadable, t.Note)));
            json.StartArray("variants");
            foreach (var variant in profile.Variants)
            {
                json.StartObject();
                json.String("programType", variant.ProgramType);
                json.String("attachType", variant.AttachType);
                json.Bool("sleepable", variant.Sleepable);
                json.StringList("allowed", variant.Allowed);
                json.StringList("gplOnly", variant.GplOnly);
                Pairs(json, "otherRefusals", "helper", "message", variant.OtherRefusals);
                json.EndObject();
            }

            json.EndArray();
            Kinds(json, "mapTypes", "creatable", profile.MapTypes.Select(t => (t.Name, t.Creatable, t.Note)));
            json.StartArray("mapHelpers");
            foreach (var helper in profile.MapHelpers)
            {
                json.StartObject();
                json.String("helper", helper.Helper);
                json.String("programType", helper.ProgramType);
                json.StringList("accepted", helper.Accepted);
                Pairs(json, "refused", "mapType", "message", helper.Refused);
                Pairs(json, "undecided", "mapType", "message", helper.Undecided);
                json.EndObject();
            }

            json.EndArray();
            json.StringList("missingHelpers", profile.MissingHelpers);
            json.EndObject();
            return json.ToString();
        }

        // Program types and map types: a name, whether the kernel took one, and why not.
        private static void Kinds(JsonWriter json, string name, string flagName, IEnumerable<(string Name, bool Flag, string? Note)> kinds)
        {
            json.StartArray(name);
            foreach (var kind in kinds)
            {
                json.StartObject();
                json.String("name", kind.Name);
                json.Bool(flagName, kind.Flag);
                if (kind.Note != null)
                {
                    json.String("note", kind.Note);
                }

                json.EndObject();
            }

            json.EndArray();
        }

        private static void Pairs(JsonWriter json, string name, string keyName, string valueName, IReadOnlyList<KeyValuePair<string, string>> pairs)
        {
            json.StartArray(name);
            foreach (var pair in pairs)
            {
                json.StartObject();
                json.String(keyName, pair.Key);
                json.String(valueName, pair.Value);
                json.EndObject();
            }

            json.EndArray();
        }

        /// <summary>Reads a profile; null with at least one located problem when the text is not a usable profile.</summary>
        public static KernelProfile? Read(string text, out IReadOnlyList<ProfileProblem> problems)
        {
            var found = new List<ProfileProblem>();
            problems = found;
            JsonNode root;
            try
            {
                root = JsonReader.Parse(text);
            }
            catch (JsonSyntaxException e)
            {
                found.Add(new ProfileProblem(e.Line, e.Column, "not valid JSON: " + e.Message));
                return null;
            }

            var reader = new Reader(found);
            var profile = reader.Profile(root);
            return found.Count == 0 ? profile : null;
        }

        // Checks the shape member by member; every complaint carries the position of the value it is about.
        private sealed class Reader
        {
            private readonly List<ProfileProblem> _problems;

            public Reader(List<ProfileProblem> problems) => _problems = problems;

            public KernelProfile? Profile(JsonNode root)
            {
                if (!(root is JsonObject top))
                {
                    Problem(root, $"a kernel profile is a JSON object, not {root.Kind}");
                    return null;
                }

                Known(top, "format", "kernel", "prober", "config", "programTypes", "variants", "mapTypes", "mapHelpers", "missingHelpers");
                var format = String(top, "format", required: true);
                if (format != null && format != KernelProfile.Format)
                {
                    Problem(top.Get("format")!, $"format \"{format}\" is not \"{KernelProfile.Format}\", the format this version of BpfSharp reads");
                    return null;
                }

                var kernel = Object(top, "kernel");
                var release = kernel is null ? null : String(kernel, "release", required: true);
                if (release != null && !KernelVersion.TryParseRelease(release, out _))
                {
                    Problem(kernel!.Get("release")!, $"kernel release \"{release}\" does not start with a kernel version such as 6.18");
                }

                var machine = kernel is null ? null : String(kernel, "machine", required: false);
                var proberNode = Object(top, "prober");
                var prober = proberNode is null
                    ? null
                    : new ProfileProber(String(proberNode, "tool", required: false) ?? string.Empty, (int)(Number(proberNode, "uid") ?? -1), Strings(proberNode, "capabilities", required: false));
                var config = new List<KeyValuePair<string, string>>();
                if (Object(top, "config") is JsonObject configNode)
                {
                    foreach (var member in configNode.Members)
                    {
                        if (member.Value is JsonScalar { Value: string value })
                        {
                            config.Add(new KeyValuePair<string, string>(member.Key, value));
                        }
                        else
                        {
                            Problem(member.Value, $"config \"{member.Key}\" must be a string, not {member.Value.Kind}");
                        }
                    }
                }

                var programTypes = Objects(top, "programTypes").Select(o => Known(o, "name", "loadable", "note")).Select(o => new ProfileProgramType(ProgramTypeName(o, "name") ?? string.Empty, Bool(o, "loadable"), String(o, "note", required: false))).ToList();
                var variants = Objects(top, "variants").Select(Variant).ToList();
                var mapTypes = Objects(top, "mapTypes").Select(o => Known(o, "name", "creatable", "note")).Select(o => new ProfileMapType(MapTypeName(o, "name") ?? string.Empty, Bool(o, "creatable"), String(o, "note", required: false))).ToList();
                var mapHelpers = Objects(top, "mapHelpers").Select(MapHelper).ToList();
                var missing = HelperNames(top, "missingHelpers");
                if (_problems.Count > 0 || release is null || prober is null)
                {
                    return null;
                }

                return new KernelProfile(release, machine ?? string.Empty, prober, config, programTypes, variants, mapTypes, mapHelpers, missing);
            }

            private ProfileVariant Variant(JsonObject o)
            {
                Known(o, "programType", "attachType", "sleepable", "allowed", "gplOnly", "otherRefusals");
                var attach = o.Get("attachType") is JsonScalar { Value: null } ? null : EnumName(o, "attachType", KernelTypes.AttachTypes, "attach type");
                return new ProfileVariant(ProgramTypeName(o, "programType") ?? string.Empty, attach, Bool(o, "sleepable"), HelperNames(o, "allowed"), HelperNames(o, "gplOnly"), Pairs(o, "otherRefusals", "helper", "message"));
            }

            private ProfileMapHelper MapHelper(JsonObject o)
            {
                Known(o, "helper", "programType", "accepted", "refused", "undecided");
                var accepted = Strings(o, "accepted", required: true);
                foreach (var (name, node) in accepted.Zip(ItemsOf(o, "accepted"), (n, i) => (n, i)))
                {
                    if (KernelTypes.MapTypes.FindByName(name) is null)
                    {
                        Problem(node, $"\"{name}\" is not a BPF_MAP_TYPE_* name");
                    }
                }

                return new ProfileMapHelper(HelperName(o, "helper") ?? string.Empty, ProgramTypeName(o, "programType") ?? string.Empty, accepted, Pairs(o, "refused", "mapType", "message"), Pairs(o, "undecided", "mapType", "message"));
            }

            private List<KeyValuePair<string, string>> Pairs(JsonObject o, string name, string keyName, string valueName)
            {
                var pairs = new List<KeyValuePair<string, string>>();
                foreach (var item in Objects(o, name))
                {
                    Known(item, keyName, valueName);
                    var key = String(item, keyName, required: true);
                    var value = String(item, valueName, required: true);
                    if (key != null && value != null)
                    {
                        pairs.Add(new KeyValuePair<string, string>(key, value));
                    }
                }

                return pairs;
            }

            private string? ProgramTypeName(JsonObject o, string name) => EnumName(o, name, KernelTypes.ProgramTypes, "program type");

            private string? MapTypeName(JsonObject o, string name) => EnumName(o, name, KernelTypes.MapTypes, "map type");

            private string? EnumName(JsonObject o, string name, KernelEnum names, string what)
            {
                var value = String(o, name, required: true);
                if (value != null && names.FindByName(value) is null)
                {
                    Problem(o.Get(name)!, $"\"{value}\" is not a {what} this version of BpfSharp knows");
                    return null;
                }

                return value;
            }

            private string? HelperName(JsonObject o, string name)
            {
                var value = String(o, name, required: true);
                if (value != null && !IsHelperName(value))
                {
                    Problem(o.Get(name)!, $"\"{value}\" is not a helper name (bpf_...)");
                }

                return value;
            }

            private List<string> HelperNames(JsonObject o, string name)
            {
                var names = Strings(o, name, required: true);
                foreach (var (value, node) in names.Zip(ItemsOf(o, name), (n, i) => (n, i)))
                {
                    if (!IsHelperName(value))
                    {
                        Problem(node, $"\"{value}\" is not a helper name (bpf_...)");
                    }
                }

                return names;
            }

            private static bool IsHelperName(string value) =>
                value.StartsWith("bpf_", StringComparison.Ordinal) && value.Length > 4 && value.All(c => c == '_' || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'));

            private IEnumerable<JsonNode> ItemsOf(JsonObject o, string name) => o.Get(name) is JsonArray array ? array.Items.Where(i => i is JsonScalar { Value: string }) : Enumerable.Empty<JsonNode>();

            private List<string> Strings(JsonObject o, string name, bool required)
            {
                var values = new List<string>();
                var node = o.Get(name);
                if (node is null)
                {
                    if (required)
                    {
                        Problem(o, $"the member \"{name}\" is missing");
                    }

                    return values;
                }

                if (!(node is JsonArray array))
                {
                    Problem(node, $"\"{name}\" must be an array of strings, not {node.Kind}");
                    return values;
                }

                foreach (var item in array.Items)
                {
                    if (item is JsonScalar { Value: string text })
                    {
                        values.Add(text);
                    }
                    else
                    {
                        Problem(item, $"\"{name}\" holds {item.Kind} where a string was expected");
                    }
                }

                return values;
            }

            private IEnumerable<JsonObject> Objects(JsonObject o, string name)
            {
                var node = o.Get(name);
                if (node is null)
                {
                    Problem(o, $"the member \"{name}\" is missing");
                    return Enumerable.Empty<JsonObject>();
                }

                if (!(node is JsonArray array))
                {
                    Problem(node, $"\"{name}\" must be an array of objects, not {node.Kind}");
                    return Enumerable.Empty<JsonObject>();
                }

                var objects = new List<JsonObject>();
                foreach (var item in array.Items)
                {
                    if (item is JsonObject itemObject)
                    {
                        objects.Add(itemObject);
                    }
                    else
                    {
                        Problem(item, $"\"{name}\" holds {item.Kind} where an object was expected");
                    }
                }

                return objects;
            }

            private JsonObject? Object(JsonObject o, string name)
            {
                var node = o.Get(name);
                if (node is JsonObject value)
                {
                    return value;
                }

                Problem(node ?? o, node is null ? $"the member \"{name}\" is missing" : $"\"{name}\" must be an object, not {node.Kind}");
                return null;
            }

            private string? String(JsonObject o, string name, bool required)
            {
                var node = o.Get(name);
                if (node is JsonScalar { Value: string value })
                {
                    return value;
                }

                if (node != null || required)
                {
                    Problem(node ?? o, node is null ? $"the member \"{name}\" is missing" : $"\"{name}\" must be a string, not {node.Kind}");
                }

                return null;
            }

            private decimal? Number(JsonObject o, string name)
            {
                var node = o.Get(name);
                if (node is JsonScalar { Value: decimal value })
                {
                    return value;
                }

                Problem(node ?? o, node is null ? $"the member \"{name}\" is missing" : $"\"{name}\" must be a number, not {node.Kind}");
                return null;
            }

            private bool Bool(JsonObject o, string name)
            {
                var node = o.Get(name);
                if (node is JsonScalar { Value: bool value })
                {
                    return value;
                }

                Problem(node ?? o, node is null ? $"the member \"{name}\" is missing" : $"\"{name}\" must be true or false, not {node.Kind}");
                return false;
            }

            // A misspelt member would otherwise be ignored and its facts lost without a word.
            private JsonObject Known(JsonObject o, params string[] names)
            {
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var member in o.Members)
                {
                    if (Array.IndexOf(names, member.Key) < 0)
                    {
                        Problem(member.Value, $"unknown member \"{member.Key}\" (expected {string.Join(", ", names)})");
                    }
                    else if (!seen.Add(member.Key))
                    {
                        Problem(member.Value, $"the member \"{member.Key}\" appears twice");
                    }
                }

                return o;
            }

            private void Problem(JsonNode node, string message) => _problems.Add(new ProfileProblem(node.Line, node.Column, message));
        }
    }
}
