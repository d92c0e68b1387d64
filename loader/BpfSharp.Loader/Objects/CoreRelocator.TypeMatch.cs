namespace BpfSharp.Loader.Objects
{
    /// <summary>
    /// The relation <c>bpf_core_type_matches()</c> asks about (libbpf's TYPE_MATCHES relocation): stricter than the
    /// compatibility of the other type relocations, because every member the program's type names must exist in the
    /// kernel's with a matching type.
    /// </summary>
    internal sealed partial class CoreRelocator
    {
        private const int TypeMatchLevels = 32;

        /// <summary>
        /// Whether a local type matches a kernel type. Modifiers and typedefs are looked through; names must agree (flavour
        /// suffixes aside) at every level; integers by size and signedness; arrays by length and element; function
        /// prototypes by parameters and result; enums by the local enumerators' names and the size; structs and unions
        /// by every local member, found by name in the target with a matching type. Behind a pointer a struct or union
        /// only needs the same kind (or a forward declaration of that kind).
        /// </summary>
        internal static bool TypesMatch(Btf localBtf, uint localId, Btf target, uint targetId, bool behindPointer = false, int level = TypeMatchLevels)
        {
            if (level <= 0)
            {
                throw new CoreException("the types nest too deeply to match");
            }

            for (var hops = 0; hops < TypeMatchLevels; hops++)
            {
                var local = Resolve(localBtf, localId);
                var remote = Resolve(target, targetId);
                if (local is null || remote is null)
                {
                    return local is null && remote is null; // void matches only void
                }

                if (!NamesMatch(local.Name, remote.Name))
                {
                    return false;
                }

                switch (local.Kind)
                {
                    case BtfKind.Forward:
                        if (behindPointer && remote.Kind != BtfKind.Forward)
                        {
                            // A forward declaration's flag says union (set) or struct.
                            return remote.Kind == (local.KindFlag ? BtfKind.Union : BtfKind.Struct);
                        }

                        return remote.Kind == BtfKind.Forward && local.KindFlag == remote.KindFlag;
                    case BtfKind.Enum or BtfKind.Enum64:
                        return remote.Kind is BtfKind.Enum or BtfKind.Enum64 && EnumsMatch(local, remote);
                    case BtfKind.Struct or BtfKind.Union:
                        if (behindPointer)
                        {
                            return remote.Kind == local.Kind || (remote.Kind == BtfKind.Forward && remote.KindFlag == (local.Kind == BtfKind.Union));
                        }

                        return remote.Kind == local.Kind && MembersMatch(localBtf, local, target, remote, level);
                    case BtfKind.Int:
                        return remote.Kind == BtfKind.Int && local.SizeOrType == remote.SizeOrType && (local.IntEncoding & 1) == (remote.IntEncoding & 1);
                    case BtfKind.Pointer when remote.Kind == BtfKind.Pointer:
                        behindPointer = true;
                        localId = local.SizeOrType;
                        targetId = remote.SizeOrType;
                        continue;
                    case BtfKind.Array when remote.Kind == BtfKind.Array:
                        if (local.Array.Count != remote.Array.Count)
                        {
                            return false;
                        }

                        localId = local.Array.ElementType;
                        targetId = remote.Array.ElementType;
                        continue;
                    case BtfKind.FunctionPrototype when remote.Kind == BtfKind.FunctionPrototype:
                        if (local.Members.Count != remote.Members.Count)
                        {
                            return false;
                        }

                        for (var i = 0; i < local.Members.Count; i++)
                        {
                            if (!TypesMatch(localBtf, local.Members[i].Type, target, remote.Members[i].Type, behindPointer, level - 1))
                            {
                                return false;
                            }
                        }

                        localId = local.SizeOrType; // the result
                        targetId = remote.SizeOrType;
                        continue;
                    default:
                        return false;
                }
            }

            throw new CoreException("the types nest too deeply to match");
        }

        // An anonymous kernel type matches only an anonymous local one; named ones by their essential names.
        private static bool NamesMatch(string local, string target) =>
            target.Length == 0 ? local.Length == 0 : EssentialName(local) == EssentialName(target);

        // Every local enumerator has a kernel one of the same name (the values may differ), and the sizes agree.
        private static bool EnumsMatch(BtfType local, BtfType remote)
        {
            if (local.SizeOrType != remote.SizeOrType || local.Enumerators.Count > remote.Enumerators.Count)
            {
                return false;
            }

            foreach (var enumerator in local.Enumerators)
            {
                var found = false;
                foreach (var candidate in remote.Enumerators)
                {
                    if (NamesMatch(enumerator.Name, candidate.Name))
                    {
                        found = true;
                        break;
                    }
                }

                if (!found)
                {
                    return false;
                }
            }

            return true;
        }

        // Every local member has a kernel member of the same name whose type matches (any of them, for anonymous ones).
        private static bool MembersMatch(Btf localBtf, BtfType local, Btf target, BtfType remote, int level)
        {
            if (local.Members.Count > remote.Members.Count)
            {
                return false;
            }

            foreach (var member in local.Members)
            {
                var found = false;
                foreach (var candidate in remote.Members)
                {
                    if (NamesMatch(member.Name, candidate.Name) && TypesMatch(localBtf, member.Type, target, candidate.Type, behindPointer: false, level - 1))
                    {
                        found = true;
                        break;
                    }
                }

                if (!found)
                {
                    return false;
                }
            }

            return true;
        }
    }
}
