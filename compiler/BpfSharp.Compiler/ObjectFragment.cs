using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace BpfSharp.Compiler
{
    /// <summary>One definition of the C file: a struct, map, global, function or program, keyed by the C# symbol it comes from.</summary>
    public sealed class ObjectPart
    {
        public ObjectPart(string key, string name, string text, string? prototype = null)
        {
            Key = key;
            Name = name;
            Text = text;
            Prototype = prototype;
        }

        /// <summary>The C# symbol (<see cref="TranslationUnit.SymbolKey"/>): two units that define one symbol define it alike.</summary>
        public string Key { get; }

        /// <summary>The C name it takes (a struct's tag, or an ordinary identifier).</summary>
        public string Name { get; }

        public string Text { get; }

        /// <summary>A function's forward declaration.</summary>
        public string? Prototype { get; }
    }

    /// <summary>A program or map name taken in the object by a C# member; two members may not take one name.</summary>
    public sealed class ObjectNameClaim
    {
        public ObjectNameClaim(string name, string kind, string key, string display, Location? location)
        {
            Name = name;
            Kind = kind;
            Key = key;
            Display = display;
            Location = location;
        }

        public string Name { get; }

        /// <summary>"program" or "map".</summary>
        public string Kind { get; }

        public string Key { get; }

        /// <summary>The member as C# shows it, for the message.</summary>
        public string Display { get; }

        /// <summary>The member's declaration; null in fragments kept between compilations.</summary>
        public Location? Location { get; }

        /// <summary>
        /// BPF2005 for every claim of a name that an earlier claim (in object order) took for another member, at the later
        /// member's declaration, once per member.
        /// </summary>
        public static IEnumerable<TranslationProblem> Conflicts(IEnumerable<ObjectNameClaim> claimsInObjectOrder)
        {
            var owners = new Dictionary<string, ObjectNameClaim>(StringComparer.Ordinal);
            var reported = new HashSet<string>(StringComparer.Ordinal);
            foreach (var claim in claimsInObjectOrder)
            {
                if (!owners.TryGetValue(claim.Name, out var owner))
                {
                    owners.Add(claim.Name, claim);
                }
                else if (owner.Key != claim.Key && reported.Add(claim.Kind + " " + claim.Key))
                {
                    yield return new TranslationProblem(
                        CompilerDiagnosticIds.ObjectName,
                        claim.Location ?? Location.None,
                        $"{claim.Kind} name '{claim.Name}' is taken by {owner.Display}: programs and maps are named after their C# members, and one object cannot hold two of one name");
                }
            }
        }
    }

    /// <summary>
    /// A translated method declaration as the C depends on it: its file, where it starts (every <c>#line</c> inside it
    /// follows from that) and its full text. A unit translated once stays valid while all of these are unchanged.
    /// </summary>
    public sealed class MethodDependency : IEquatable<MethodDependency>
    {
        public MethodDependency(string path, string member, int line, ulong hash)
        {
            Path = path;
            Member = member;
            Line = line;
            Hash = hash;
        }

        public string Path { get; }

        /// <summary>The declaration's containing types, name and parameter list, as written.</summary>
        public string Member { get; }

        public int Line { get; }

        public ulong Hash { get; }

        [System.Runtime.CompilerServices.MethodImpl(HotPath.Optimized)]
        public static MethodDependency Of(MethodDeclarationSyntax method) =>
            new MethodDependency(method.SyntaxTree.FilePath, MemberName(method), method.SyntaxTree.GetLineSpan(method.Span).StartLinePosition.Line, SourceHash.Of(method.SyntaxTree.GetText(), method.FullSpan));

        /// <summary><c>Outer.Inner.Method(int, void*)</c>, from syntax alone.</summary>
        [System.Runtime.CompilerServices.MethodImpl(HotPath.Optimized)]
        public static string MemberName(MethodDeclarationSyntax method)
        {
            var name = method.Identifier.ValueText + (method.TypeParameterList?.Parameters.Count > 0 ? "`" + method.TypeParameterList.Parameters.Count : string.Empty)
                + "(" + string.Join(",", method.ParameterList.Parameters.Select(p => p.Type?.ToString() ?? string.Empty)) + ")";
            for (var parent = method.Parent; parent != null; parent = parent.Parent)
            {
                if (parent is BaseTypeDeclarationSyntax type)
                {
                    name = type.Identifier.ValueText + "." + name;
                }
                else if (parent is BaseNamespaceDeclarationSyntax ns)
                {
                    name = ns.Name + "." + name;
                }
            }

            return name;
        }

        public bool Equals(MethodDependency? other) =>
            other != null && Path == other.Path && Member == other.Member && Line == other.Line && Hash == other.Hash;

        public override bool Equals(object? obj) => Equals(obj as MethodDependency);

        public override int GetHashCode() => (Path.GetHashCode() * 31 + Member.GetHashCode()) * 31 + Hash.GetHashCode();
    }

    /// <summary>What translating some programs (or one class's declared maps) puts in the C file, and what was wrong with it.</summary>
    public sealed class ObjectFragment
    {
        internal ObjectFragment(
            IReadOnlyDictionary<int, string> helpers,
            IReadOnlyList<string> support,
            IReadOnlyList<ObjectPart> structs,
            IReadOnlyList<ObjectPart> maps,
            IReadOnlyList<ObjectPart> globals,
            IReadOnlyList<ObjectPart> functions,
            IReadOnlyList<ObjectPart> programs,
            IReadOnlyList<ObjectNameClaim> claims,
            IReadOnlyList<TranslationProblem> problems,
            Func<IReadOnlyList<MethodDependency>> dependencies,
            bool stopsObject,
            bool? clean = null)
        {
            Helpers = helpers;
            Support = support;
            Structs = structs;
            Maps = maps;
            Globals = globals;
            Functions = functions;
            Programs = programs;
            Claims = claims;
            Problems = problems;
            _dependencies = new Lazy<IReadOnlyList<MethodDependency>>(dependencies);
            StopsObject = stopsObject;
            Clean = clean ?? problems.Count == 0;
        }

        /// <summary>Helper declarations by helper id.</summary>
        public IReadOnlyDictionary<int, string> Helpers { get; }

        /// <summary>The names of IntegerSemantics' support functions used.</summary>
        public IReadOnlyList<string> Support { get; }

        public IReadOnlyList<ObjectPart> Structs { get; }

        public IReadOnlyList<ObjectPart> Maps { get; }

        public IReadOnlyList<ObjectPart> Globals { get; }

        /// <summary>Called methods, callees before callers.</summary>
        public IReadOnlyList<ObjectPart> Functions { get; }

        public IReadOnlyList<ObjectPart> Programs { get; }

        /// <summary>Program and map names, in the order taken.</summary>
        public IReadOnlyList<ObjectNameClaim> Claims { get; }

        /// <summary>Everything but name conflicts between members (<see cref="ObjectNameClaim.Conflicts"/>).</summary>
        public IReadOnlyList<TranslationProblem> Problems { get; }

        private readonly Lazy<IReadOnlyList<MethodDependency>> _dependencies;

        /// <summary>The method declarations translated (hashed when first asked: only a cache needs them).</summary>
        public IReadOnlyList<MethodDependency> Dependencies => _dependencies.Value;

        /// <summary>Whether a problem keeps the object from being written.</summary>
        public bool StopsObject { get; }

        /// <summary>Whether translating found nothing to report (kept fragments say so without their problems).</summary>
        public bool Clean { get; }

        /// <summary>The same fragment without Roslyn objects (locations, problems), to keep between compilations.</summary>
        public ObjectFragment Detached()
        {
            var dependencies = Dependencies; // hashed now: the kept fragment holds no syntax
            return new ObjectFragment(
                Helpers, Support, Structs, Maps, Globals, Functions, Programs,
                Claims.Select(c => new ObjectNameClaim(c.Name, c.Kind, c.Key, c.Display, null)).ToList(),
                Array.Empty<TranslationProblem>(),
                () => dependencies,
                StopsObject,
                Clean);
        }
    }
}
