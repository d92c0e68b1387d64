using System;
using System.Buffers.Binary;
using System.Collections.Generic;

namespace BpfSharp.Loader.Objects
{
    /// <summary>How a local access is followed through the kernel's types (libbpf's candidate matching).</summary>
    internal sealed partial class CoreRelocator
    {
        // libbpf's bpf_core_spec_match: the local access followed by names through a candidate, or null when it does not fit.
        private static Spec? Match(CoreRelocationKind kind, Spec local, Btf target, uint candidate)
        {
            var spec = new Spec(target, candidate);
            if (IsTypeBased(kind))
            {
                var fits = kind == CoreRelocationKind.TypeMatches
                    ? TypesMatch(local.Btf, local.Root, target, candidate)
                    : TypesCompatible(local.Btf, local.Root, target, candidate, 32);
                return fits ? spec : null;
            }

            if (IsEnumBased(kind))
            {
                var type = Resolve(target, candidate);
                if (!IsEnum(type))
                {
                    return null;
                }

                var wanted = EssentialName(local.Accessors[0].Name!);
                for (var i = 0; i < type!.Enumerators.Count; i++)
                {
                    if (EssentialName(type.Enumerators[i].Name) == wanted)
                    {
                        spec.Accessors.Add(new Accessor(type.Id, i, type.Enumerators[i].Name));
                        spec.Raw.Add(i);
                        return spec;
                    }
                }

                return null;
            }

            var id = candidate;
            for (var i = 0; i < local.Accessors.Count; i++)
            {
                var accessor = local.Accessors[i];
                if (accessor.Name != null)
                {
                    if (MatchMember(local.Btf, accessor, target, id, spec, out var next) is not true)
                    {
                        return null;
                    }

                    id = next;
                    continue;
                }

                if (i > 0)
                {
                    var array = Resolve(target, id);
                    if (array?.Kind != BtfKind.Array || (!IsFlexible(target, spec.Accessors[^1], array) && accessor.Index >= array.Array.Count))
                    {
                        return null;
                    }

                    id = Resolve(target, array.Array.ElementType)?.Id ?? 0;
                }

                if (spec.Raw.Count == MaxSpecLength)
                {
                    throw new CoreException("the access nests deeper than 64 levels in the kernel's type");
                }

                spec.Accessors.Add(new Accessor(id, accessor.Index, null));
                spec.Raw.Add(accessor.Index);
                spec.BitOffset += accessor.Index * (long)Size(target, id) * 8;
            }

            return spec;
        }

        // libbpf's bpf_core_match_member: the member of that name, looked for through anonymous members too.
        private static bool? MatchMember(Btf localBtf, Accessor local, Btf target, uint targetId, Spec spec, out uint next)
        {
            next = 0;
            var localType = localBtf.Type(local.TypeId)!;
            var localMember = localType.Members[local.Index];
            var type = Resolve(target, targetId);
            if (type is null || !(type.Kind is BtfKind.Struct or BtfKind.Union))
            {
                return false;
            }

            for (var i = 0; i < type.Members.Count; i++)
            {
                if (spec.Raw.Count == MaxSpecLength)
                {
                    throw new CoreException("the access nests deeper than 64 levels in the kernel's type");
                }

                var bitOffset = type.MemberBitOffset(i);
                spec.BitOffset += bitOffset;
                spec.Raw.Add(i);
                var member = type.Members[i];
                if (member.Name.Length == 0)
                {
                    if (MatchMember(localBtf, local, target, member.Type, spec, out next) is true)
                    {
                        return true;
                    }
                }
                else if (member.Name == localMember.Name)
                {
                    spec.Accessors.Add(new Accessor(type.Id, i, member.Name));
                    next = member.Type;
                    if (FieldsCompatible(localBtf, localMember.Type, target, member.Type))
                    {
                        return true;
                    }

                    spec.Accessors.RemoveAt(spec.Accessors.Count - 1);
                    return false;
                }

                spec.BitOffset -= bitOffset;
                spec.Raw.RemoveAt(spec.Raw.Count - 1);
            }

            return false;
        }

        private static bool FieldsCompatible(Btf localBtf, uint localId, Btf target, uint targetId)
        {
            for (var depth = 0; depth < 32; depth++)
            {
                var local = Resolve(localBtf, localId);
                var remote = Resolve(target, targetId);
                if (local is null || remote is null)
                {
                    return false;
                }

                if (local.Kind is BtfKind.Struct or BtfKind.Union && remote.Kind is BtfKind.Struct or BtfKind.Union)
                {
                    return true;
                }

                if (!KindsCompatible(local.Kind, remote.Kind))
                {
                    return false;
                }

                switch (local.Kind)
                {
                    case BtfKind.Pointer or BtfKind.Float:
                        return true;
                    case BtfKind.Forward or BtfKind.Enum or BtfKind.Enum64:
                        return EssentialName(local.Name) == EssentialName(remote.Name);
                    case BtfKind.Int:
                        return local.IntOffset == 0 && remote.IntOffset == 0;
                    case BtfKind.Array:
                        localId = local.Array.ElementType;
                        targetId = remote.Array.ElementType;
                        continue;
                    default:
                        return false;
                }
            }

            return false;
        }

        // libbpf's bpf_core_types_are_compat, for relocations on whole types.
        internal static bool TypesCompatible(Btf localBtf, uint localId, Btf target, uint targetId, int depth)
        {
            if (localBtf.Type(localId) is BtfType first && target.Type(targetId) is BtfType second && !KindsCompatible(first.Kind, second.Kind))
            {
                return false;
            }

            for (; depth > 0; depth--)
            {
                var local = Resolve(localBtf, localId);
                var remote = Resolve(target, targetId);
                if (local is null || remote is null)
                {
                    return local is null && remote is null; // void and void
                }

                if (!KindsCompatible(local.Kind, remote.Kind))
                {
                    return false;
                }

                switch (local.Kind)
                {
                    case BtfKind.Struct or BtfKind.Union or BtfKind.Enum or BtfKind.Enum64 or BtfKind.Forward:
                        return true;
                    case BtfKind.Int:
                        return local.IntOffset == 0 && remote.IntOffset == 0;
                    case BtfKind.Pointer:
                        localId = local.SizeOrType;
                        targetId = remote.SizeOrType;
                        continue;
                    case BtfKind.Array:
                        localId = local.Array.ElementType;
                        targetId = remote.Array.ElementType;
                        continue;
                    case BtfKind.FunctionPrototype:
                        if (local.Members.Count != remote.Members.Count)
                        {
                            return false;
                        }

                        for (var i = 0; i < local.Members.Count; i++)
                        {
                            // Each parameter compared without its modifiers and typedefs, as libbpf compares them.
                            if (!TypesCompatible(localBtf, Resolve(localBtf, local.Members[i].Type)?.Id ?? 0, target, Resolve(target, remote.Members[i].Type)?.Id ?? 0, depth - 1))
                            {
                                return false;
                            }
                        }

                        localId = local.SizeOrType;
                        targetId = remote.SizeOrType;
                        continue;
                    default:
                        return false;
                }
            }

            throw new CoreException("the types nest too deeply to compare");
        }


        private static BtfType? Resolve(Btf btf, uint id)
        {
            try
            {
                return btf.Resolve(id);
            }
            catch (BpfObjectFormatException e)
            {
                throw new CoreException(e.Message);
            }
        }

        private static uint Size(Btf btf, uint id)
        {
            try
            {
                return btf.SizeOf(id);
            }
            catch (BpfObjectFormatException e)
            {
                throw new CoreException(e.Message);
            }
        }

        // libbpf's is_flex_arr: an array of no elements, the last member of the struct that holds it.
        private static bool IsFlexible(Btf btf, Accessor holder, BtfType array) =>
            holder.Name != null && array.Array.Count == 0 && btf.Type(holder.TypeId) is BtfType parent && holder.Index == parent.Members.Count - 1;
    }
}
