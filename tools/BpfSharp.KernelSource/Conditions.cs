using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;

namespace BpfSharp.KernelSource;

/// <summary>
/// A constraint on a set-valued property of the program (its expected attach type, the struct_ops it implements,
/// ...): the value is one of <see cref="Values"/> (Include) or none of them. Kept as sets, not as one literal per
/// value, so that "case A: case B: return &amp;x;" and "default: return NULL" read back as one condition.
/// </summary>
internal sealed record SetConstraint(bool Include, ImmutableSortedSet<string> Values)
{
    public static SetConstraint Is(string value) => new(true, ImmutableSortedSet.Create(StringComparer.Ordinal, value));

    public SetConstraint Not() => new(!Include, Values);

    /// <summary>Both constraints at once; null when no value satisfies both.</summary>
    public SetConstraint? And(SetConstraint other)
    {
        if (!Include && other.Include)
        {
            return other.And(this);
        }

        if (Include)
        {
            var values = other.Include ? Values.Intersect(other.Values) : Values.Except(other.Values);
            return values.Count == 0 ? null : this with { Values = values };
        }

        return this with { Values = Values.Union(other.Values) };
    }

    /// <summary>Either constraint; null when every value satisfies one of them (no constraint left).</summary>
    public SetConstraint? Or(SetConstraint other)
    {
        if (Include && other.Include)
        {
            return this with { Values = Values.Union(other.Values) };
        }

        if (!Include && !other.Include)
        {
            var common = Values.Intersect(other.Values);
            return common.Count == 0 ? null : this with { Values = common };
        }

        var included = Include ? this : other;
        var excluded = Include ? other : this;
        var rest = excluded.Values.Except(included.Values);
        return rest.Count == 0 ? null : excluded with { Values = rest };
    }

    /// <summary>Every value allowed by this one is allowed by <paramref name="other"/>.</summary>
    public bool Implies(SetConstraint other) => (Include, other.Include) switch
    {
        (true, true) => Values.IsSubsetOf(other.Values),
        (true, false) => !Values.Overlaps(other.Values),
        (false, false) => other.Values.IsSubsetOf(Values),
        _ => false,
    };
}

/// <summary>
/// A conjunction of literals: yes/no facts ("cap=CAP_BPF", "kconfig=CONFIG_NET", "sleepable", ...) with a
/// polarity, and set constraints keyed by dimension ("attach_type", "struct_ops", ...).
/// </summary>
internal sealed class Term : IEquatable<Term>
{
    public static readonly Term True = new(ImmutableSortedDictionary<string, bool>.Empty.WithComparers(StringComparer.Ordinal),
        ImmutableSortedDictionary<string, SetConstraint>.Empty.WithComparers(StringComparer.Ordinal));

    public ImmutableSortedDictionary<string, bool> Flags { get; }
    public ImmutableSortedDictionary<string, SetConstraint> Sets { get; }

    private Term(ImmutableSortedDictionary<string, bool> flags, ImmutableSortedDictionary<string, SetConstraint> sets)
    {
        Flags = flags;
        Sets = sets;
    }

    public static Term Flag(string name, bool value) => new(True.Flags.Add(name, value), True.Sets);

    public static Term Set(string dimension, SetConstraint constraint) => new(True.Flags, True.Sets.Add(dimension, constraint));

    public int Size => Flags.Count + Sets.Count;

    /// <summary>Both terms at once; null when they contradict each other.</summary>
    public Term? And(Term other)
    {
        var flags = Flags;
        foreach (var (name, value) in other.Flags)
        {
            if (flags.TryGetValue(name, out var mine))
            {
                if (mine != value)
                {
                    return null;
                }
            }
            else
            {
                flags = flags.Add(name, value);
            }
        }

        var sets = Sets;
        foreach (var (dimension, constraint) in other.Sets)
        {
            if (sets.TryGetValue(dimension, out var mine))
            {
                var both = mine.And(constraint);
                if (both is null)
                {
                    return null;
                }

                sets = sets.SetItem(dimension, both);
            }
            else
            {
                sets = sets.Add(dimension, constraint);
            }
        }

        return new Term(flags, sets);
    }

    /// <summary>Every program satisfying this term satisfies <paramref name="other"/>.</summary>
    public bool Implies(Term other) =>
        other.Flags.All(f => Flags.TryGetValue(f.Key, out var v) && v == f.Value) &&
        other.Sets.All(s => Sets.TryGetValue(s.Key, out var c) && c.Implies(s.Value));

    public Term WithoutKey(string key) => new(Flags.Remove(key), Sets.Remove(key));

    public Term WithoutFlags(IEnumerable<string> names) => new(Flags.RemoveRange(names), Sets);

    public Term WithSet(string dimension, SetConstraint constraint) => new(Flags, Sets.SetItem(dimension, constraint));

    public IEnumerable<string> Keys => Flags.Keys.Concat(Sets.Keys);

    /// <summary>The literals of this term as TSV condition words, in a fixed order (see <see cref="Vocabulary"/>).</summary>
    public IEnumerable<string> Words()
    {
        var words = new List<string>();
        foreach (var (name, value) in Flags)
        {
            words.Add(Vocabulary.FlagWord(name, value));
        }

        foreach (var (dimension, constraint) in Sets)
        {
            words.Add(dimension + (constraint.Include ? "=" : "!=") + string.Join(",", constraint.Values));
        }

        return words.OrderBy(Vocabulary.Rank).ThenBy(w => w, StringComparer.Ordinal);
    }

    public override string ToString() => Size == 0 ? "-" : string.Join(";", Words());

    public bool Equals(Term? other) => other is not null && ToString() == other.ToString();

    public override bool Equals(object? obj) => Equals(obj as Term);

    public override int GetHashCode() => ToString().GetHashCode(StringComparison.Ordinal);
}

/// <summary>A disjunction of terms (disjunctive normal form), kept simplified.</summary>
internal sealed class Dnf
{
    public static readonly Dnf False = new(Array.Empty<Term>());
    public static readonly Dnf True = new(new[] { Term.True });

    public IReadOnlyList<Term> Terms { get; }

    private Dnf(IReadOnlyList<Term> terms) => Terms = terms;

    public static Dnf Of(Term term) => new(new[] { term });

    public static Dnf Of(IEnumerable<Term> terms) => new(Simplify(terms));

    public bool IsFalse => Terms.Count == 0;

    public bool IsTrue => Terms.Count == 1 && Terms[0].Size == 0;

    public Dnf Or(Dnf other) => Of(Terms.Concat(other.Terms));

    public Dnf And(Dnf other) => Of(from a in Terms from b in other.Terms let both = a.And(b) where both is not null select both);

    public Dnf Not()
    {
        var result = True;
        foreach (var term in Terms)
        {
            // not (a and b) = (not a) or (not b)
            var negated = term.Flags.Select(f => Term.Flag(f.Key, !f.Value))
                .Concat(term.Sets.Select(s => Term.Set(s.Key, s.Value.Not())));
            result = result.And(Of(negated));
        }

        return result;
    }

    public override string ToString() => IsFalse ? "false" :
        string.Join(" | ", Terms.Select(t => t.ToString()).OrderBy(s => s, StringComparer.Ordinal));

    /// <summary>
    /// Brings the terms to a small equivalent form: drops terms that imply another one, merges two terms that
    /// differ in one literal only (x and not x, or two sets of attach types), and drops a literal from a term when
    /// another, weaker term covers its opposite ((a and x) or (a and b and not x) = (a and x) or (a and b)).
    /// </summary>
    private static List<Term> Simplify(IEnumerable<Term> input)
    {
        var terms = input.Distinct().ToList();
        bool changed;
        do
        {
            changed = false;
            for (var i = 0; i < terms.Count && !changed; i++)
            {
                for (var j = 0; j < terms.Count && !changed; j++)
                {
                    if (i == j)
                    {
                        continue;
                    }

                    var a = terms[i];
                    var b = terms[j];
                    if (a.Implies(b))
                    {
                        terms.RemoveAt(i);
                        changed = true;
                        break;
                    }

                    foreach (var key in a.Keys.Intersect(b.Keys))
                    {
                        var merged = MergeOn(key, a, b);
                        if (merged is null)
                        {
                            continue;
                        }

                        var restA = a.WithoutKey(key);
                        var restB = b.WithoutKey(key);
                        if (restA.Equals(restB))
                        {
                            // Same term but for this literal: one term with the merged literal (or without it).
                            terms[i] = merged.Value.Covers ? restA : restA.WithSet(key, merged.Value.Set!);
                            terms.RemoveAt(j);
                            changed = true;
                            break;
                        }

                        if (merged.Value.Covers && restB.Implies(restA))
                        {
                            terms[j] = restB;
                            changed = true;
                            break;
                        }
                    }
                }
            }
        }
        while (changed);

        return terms.OrderBy(t => t.ToString(), StringComparer.Ordinal).ToList();
    }

    /// <summary>The disjunction of the two terms' literals on <paramref name="key"/>, when it is one literal.</summary>
    private static (bool Covers, SetConstraint? Set)? MergeOn(string key, Term a, Term b)
    {
        if (a.Flags.TryGetValue(key, out var fa) && b.Flags.TryGetValue(key, out var fb))
        {
            return fa != fb ? (true, null) : null;
        }

        if (a.Sets.TryGetValue(key, out var sa) && b.Sets.TryGetValue(key, out var sb))
        {
            var or = sa.Or(sb);
            return (or is null, or);
        }

        return null;
    }
}

/// <summary>How literals are named in the TSV, and the order they are written in.</summary>
internal static class Vocabulary
{
    // Flag literals are stored under these names; the polarity is written as documented in the TSV header.
    public const string Lockdown = "lockdown";
    public const string Sleepable = "sleepable";

    public static string CapFlag(string capability) => "cap=" + capability;

    public static string KconfigFlag(string symbol) => "kconfig=" + symbol;

    public static string OpaqueFlag(string text) => "unknown=" + text;

    public static string FlagWord(string name, bool value)
    {
        if (value)
        {
            return name;
        }

        if (name == Sleepable)
        {
            return "non_sleepable";
        }

        if (name.StartsWith("kconfig=", StringComparison.Ordinal))
        {
            return "kconfig=!" + name["kconfig=".Length..];
        }

        return "!" + name;
    }

    private static readonly string[] Order =
    {
        "cap=", "!cap=", "attach_type", "attach_btf", "iter_target", "struct_ops=", "struct_ops!=", "struct_ops_member",
        "sleepable", "non_sleepable", "lockdown", "!lockdown", "kconfig=", "unknown=", "!unknown=",
    };

    public static int Rank(string word)
    {
        for (var i = 0; i < Order.Length; i++)
        {
            if (word.StartsWith(Order[i], StringComparison.Ordinal))
            {
                return i;
            }
        }

        return Order.Length;
    }
}
