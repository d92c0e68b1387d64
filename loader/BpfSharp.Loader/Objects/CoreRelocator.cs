using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;

namespace BpfSharp.Loader.Objects
{
    /// <summary>
    /// Applies CO-RE relocations as libbpf does (relo_core.c's rules): the local type an access was compiled against is
    /// matched by name (without a <c>___flavour</c> suffix) to the kernel's types, the access is followed member by member
    /// by name through the kernel's layout, and the instruction gets the kernel's offset, size, existence, signedness,
    /// bitfield shifts, type id or enum value. A relocation no kernel type satisfies is poisoned (a call of a helper that
    /// does not exist, which the verifier drops when the program guards it and names when it does not); an existence
    /// check gets 0. Candidates that disagree, or an instruction that does not hold what the object says, are errors.
    /// </summary>
    internal sealed partial class CoreRelocator
    {
        private const int PoisonHelper = 0xbad2310; // libbpf's: an invalid helper id the verifier reports by instruction
        private const int MaxSpecLength = 64;
        private static readonly ConditionalWeakTable<Btf, Dictionary<string, List<BtfType>>> s_byEssentialName = new();

        private readonly string _file;
        private readonly Btf _local;
        private readonly Func<Btf> _target;
        private readonly Dictionary<uint, List<BtfType>> _candidates = new();

        public CoreRelocator(string file, Btf local, Func<Btf> target)
        {
            _file = file;
            _local = local;
            _target = target;
        }

        private readonly record struct Accessor(uint TypeId, int Index, string? Name);

        /// <summary>An access followed through one BTF: its accessors (named members and array indexes), the raw indexes, the bit offset.</summary>
        private sealed class Spec
        {
            public Spec(Btf btf, uint root)
            {
                Btf = btf;
                Root = root;
            }

            public Btf Btf { get; }

            public uint Root { get; }

            public List<Accessor> Accessors { get; } = new();

            public List<int> Raw { get; } = new();

            public long BitOffset { get; set; }
        }

        private sealed record Result(ulong Original, ulong New, bool Poison, bool Validate, uint OriginalSize, uint NewSize, bool FailSizeAdjust);

        /// <summary>Patches the instruction at <paramref name="index"/> (and the next, for a 64-bit load) of <paramref name="code"/>.</summary>
        public void Apply(List<byte> code, int index, CoreRelocation relocation, string program, int number)
        {
            string Where() => $"program '{program}': CO-RE relocation #{number} ({relocation.Kind} of type {relocation.TypeId}, access '{relocation.Access}')";
            Result result;
            try
            {
                result = Calculate(relocation);
            }
            catch (CoreException e)
            {
                throw new BpfObjectFormatException(_file, $"{Where()}: {e.Message}");
            }

            Patch(code, index, result, Where);
        }

        private Result Calculate(CoreRelocation relocation)
        {
            var local = Parse(relocation);
            if (relocation.Kind == CoreRelocationKind.TypeIdLocal)
            {
                return new Result(local.Root, local.Root, false, true, 0, 0, false);
            }

            var localType = _local.Type(relocation.TypeId)!;
            if (localType.Name.Length == 0)
            {
                throw new CoreException("the local type has no name, so no kernel type can be found for it");
            }

            var target = _target();
            if (!_candidates.TryGetValue(relocation.TypeId, out var candidates))
            {
                var essential = EssentialName(localType.Name);
                candidates = Index(target).TryGetValue(essential, out var named) ? named.Where(t => KindsCompatible(localType.Kind, t.Kind)).ToList() : new List<BtfType>();
                _candidates[relocation.TypeId] = candidates;
            }

            Result? chosen = null;
            Spec? chosenSpec = null;
            var matching = new List<BtfType>();
            foreach (var candidate in candidates)
            {
                if (Match(relocation.Kind, local, target, candidate.Id) is not Spec spec)
                {
                    continue;
                }

                var result = Calculate(relocation, local, spec);
                if (chosen is null)
                {
                    (chosen, chosenSpec) = (result, spec);
                }
                else if (spec.BitOffset != chosenSpec!.BitOffset)
                {
                    throw new CoreException($"kernel types {chosenSpec.Root} and {spec.Root} named like '{localType.Name}' put the field at different offsets");
                }
                else if (result.Poison != chosen.Poison || result.New != chosen.New)
                {
                    throw new CoreException($"kernel types {chosenSpec.Root} and {spec.Root} named like '{localType.Name}' give different values");
                }

                matching.Add(candidate);
            }

            if (matching.Count > 0)
            {
                _candidates[relocation.TypeId] = matching; // as libbpf: later relocations of the type consider these only
            }

            return chosen ?? Calculate(relocation, local, null);
        }

        private Spec Parse(CoreRelocation relocation)
        {
            var raw = relocation.Access.Split(':').Select(part => int.TryParse(part, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value) ? value : -1).ToList();
            if (raw.Count == 0 || raw.Count > MaxSpecLength || raw.Contains(-1))
            {
                throw new CoreException("the access string is not a list of indexes");
            }

            if (_local.Type(relocation.TypeId) is null)
            {
                throw new CoreException($"the object's BTF has no type {relocation.TypeId}");
            }

            var spec = new Spec(_local, relocation.TypeId);
            spec.Raw.AddRange(raw);
            if (IsTypeBased(relocation.Kind))
            {
                return raw.Count == 1 && raw[0] == 0 ? spec : throw new CoreException("a type relocation's access string must be \"0\"");
            }

            var root = Resolve(_local, relocation.TypeId);
            if (IsEnumBased(relocation.Kind))
            {
                if (!IsEnum(root) || raw.Count > 1 || raw[0] >= root!.Enumerators.Count)
                {
                    throw new CoreException("an enum relocation must name one enumerator of an enum");
                }

                spec.Accessors.Add(new Accessor(root.Id, raw[0], root.Enumerators[raw[0]].Name));
                return spec;
            }

            var id = root?.Id ?? 0;
            spec.Accessors.Add(new Accessor(id, raw[0], null));
            spec.BitOffset = raw[0] * (long)Size(_local, id) * 8;
            for (var i = 1; i < raw.Count; i++)
            {
                var type = Resolve(_local, id) ?? throw new CoreException("the access goes into void");
                var index = raw[i];
                if (type.Kind is BtfKind.Struct or BtfKind.Union)
                {
                    if (index >= type.Members.Count)
                    {
                        throw new CoreException($"the access names member {index} of '{type.Name}', which has {type.Members.Count}");
                    }

                    spec.BitOffset += type.MemberBitOffset(index);
                    if (type.Members[index].Name.Length > 0)
                    {
                        spec.Accessors.Add(new Accessor(type.Id, index, type.Members[index].Name));
                    }

                    id = type.Members[index].Type;
                }
                else if (type.Kind == BtfKind.Array)
                {
                    var element = Resolve(_local, type.Array.ElementType);
                    if (!IsFlexible(_local, spec.Accessors[^1], type) && index >= type.Array.Count)
                    {
                        throw new CoreException($"the access reads element {index} of an array of {type.Array.Count}");
                    }

                    id = element?.Id ?? 0;
                    spec.Accessors.Add(new Accessor(id, index, null));
                    spec.BitOffset += index * (long)Size(_local, id) * 8;
                }
                else
                {
                    throw new CoreException($"the access goes into a {type.Kind}, which has neither members nor elements");
                }
            }

            return spec;
        }

        private static Result Calculate(CoreRelocation relocation, Spec local, Spec? target)
        {
            if (IsTypeBased(relocation.Kind))
            {
                return new Result(TypeValue(relocation.Kind, local), target is null ? 0 : TypeValue(relocation.Kind, target), false, relocation.Kind != CoreRelocationKind.TypeIdTarget, 0, 0, false);
            }

            if (IsEnumBased(relocation.Kind))
            {
                if (relocation.Kind == CoreRelocationKind.EnumValueExists)
                {
                    return new Result(1, target is null ? 0UL : 1, false, true, 0, 0, false);
                }

                return target is null
                    ? new Result(EnumValue(local), 0, true, true, 0, 0, false)
                    : new Result(EnumValue(local), EnumValue(target), false, true, 0, 0, false);
            }

            if (relocation.Kind == CoreRelocationKind.FieldExists)
            {
                return new Result(1, target is null ? 0UL : 1, false, true, 0, 0, false);
            }

            var (original, originalSize, originalType, validate) = FieldValue(relocation.Kind, local);
            if (target is null)
            {
                return new Result(original, 0, true, validate, originalSize, 0, false);
            }

            var (value, size, type, _) = FieldValue(relocation.Kind, target);
            var failSizeAdjust = false;
            if (originalSize != size)
            {
                var localType = local.Btf.Type(originalType);
                var targetType = target.Btf.Type(type);
                var pointers = localType?.Kind == BtfKind.Pointer && targetType?.Kind == BtfKind.Pointer;
                var integers = localType?.Kind == BtfKind.Int && targetType?.Kind == BtfKind.Int && localType.IntEncoding == targetType.IntEncoding;
                failSizeAdjust = !pointers && !integers;
            }

            return new Result(original, value, false, validate, originalSize, size, failSizeAdjust);
        }

        private static ulong TypeValue(CoreRelocationKind kind, Spec spec) => kind switch
        {
            CoreRelocationKind.TypeIdLocal or CoreRelocationKind.TypeIdTarget => spec.Root,
            CoreRelocationKind.TypeExists or CoreRelocationKind.TypeMatches => 1,
            _ => Size(spec.Btf, spec.Root),
        };

        private static ulong EnumValue(Spec spec)
        {
            var accessor = spec.Accessors[0];
            return (ulong)spec.Btf.Type(accessor.TypeId)!.Enumerators[accessor.Index].Value;
        }

        // libbpf's bpf_core_calc_field_relo: the value, and for a load or store the size and type of what it moves.
        private static (ulong Value, uint Size, uint Type, bool Validate) FieldValue(CoreRelocationKind kind, Spec spec)
        {
            var accessor = spec.Accessors[^1];
            if (accessor.Name is null)
            {
                var size = Size(spec.Btf, accessor.TypeId);
                return kind switch
                {
                    CoreRelocationKind.FieldByteOffset => ((ulong)(spec.BitOffset / 8), size, accessor.TypeId, true),
                    CoreRelocationKind.FieldByteSize => (size, 0, 0, true),
                    _ => throw new CoreException("only the offset and the size of an array element can be relocated"),
                };
            }

            var parent = spec.Btf.Type(accessor.TypeId)!;
            var memberType = Resolve(spec.Btf, parent.Members[accessor.Index].Type) ?? throw new CoreException("the field is void");
            var bitOffset = spec.BitOffset;
            long bitSize = parent.MemberBitfieldSize(accessor.Index);
            var bitfield = bitSize > 0;
            long byteSize;
            long byteOffset;
            if (bitfield)
            {
                byteSize = memberType.SizeOrType;
                byteOffset = bitOffset / 8 / byteSize * byteSize;
                while (bitOffset + bitSize - (byteOffset * 8) > byteSize * 8)
                {
                    if (byteSize >= 8)
                    {
                        throw new CoreException("the bitfield cannot be read with one 64-bit load");
                    }

                    byteSize *= 2;
                    byteOffset = bitOffset / 8 / byteSize * byteSize;
                }
            }
            else
            {
                byteSize = Size(spec.Btf, memberType.Id);
                byteOffset = bitOffset / 8;
                bitSize = byteSize * 8;
            }

            return kind switch
            {
                CoreRelocationKind.FieldByteOffset => ((ulong)byteOffset, bitfield ? 0u : (uint)byteSize, bitfield ? 0u : memberType.Id, !bitfield),
                CoreRelocationKind.FieldByteSize => ((ulong)byteSize, 0, 0, !bitfield),
                CoreRelocationKind.FieldSigned => ((IsEnum(memberType) && memberType.KindFlag) || (memberType.Kind == BtfKind.Int && (memberType.IntEncoding & 1) != 0) ? 1UL : 0UL, 0, 0, true),
                CoreRelocationKind.FieldLeftShift => ((ulong)(64 - (bitOffset + bitSize - (byteOffset * 8))), 0, 0, !bitfield),
                CoreRelocationKind.FieldRightShift => ((ulong)(64 - bitSize), 0, 0, true),
                _ => throw new CoreException($"{kind} is not a field relocation"),
            };
        }


        private static Dictionary<string, List<BtfType>> Index(Btf target) =>
            s_byEssentialName.GetValue(target, btf =>
            {
                var index = new Dictionary<string, List<BtfType>>(StringComparer.Ordinal);
                foreach (var type in btf.Types)
                {
                    if (type.Name.Length == 0)
                    {
                        continue;
                    }

                    var name = EssentialName(type.Name);
                    if (!index.TryGetValue(name, out var list))
                    {
                        index[name] = list = new List<BtfType>();
                    }

                    list.Add(type);
                }

                return index;
            });

        /// <summary>A name without its flavour (<c>task_struct___old</c> is <c>task_struct</c>), as libbpf compares names.</summary>
        public static string EssentialName(string name)
        {
            for (var i = name.Length - 5; i >= 0; i--)
            {
                if (name[i] != '_' && name[i + 1] == '_' && name[i + 2] == '_' && name[i + 3] == '_' && name[i + 4] != '_')
                {
                    return name.Substring(0, i + 1);
                }
            }

            return name;
        }

        private static bool IsTypeBased(CoreRelocationKind kind) => kind is CoreRelocationKind.TypeIdLocal or CoreRelocationKind.TypeIdTarget or CoreRelocationKind.TypeExists or CoreRelocationKind.TypeSize or CoreRelocationKind.TypeMatches;

        private static bool IsEnumBased(CoreRelocationKind kind) => kind is CoreRelocationKind.EnumValueExists or CoreRelocationKind.EnumValue;

        private static bool KindsCompatible(BtfKind local, BtfKind target) =>
            local == target || (local is BtfKind.Enum or BtfKind.Enum64 && target is BtfKind.Enum or BtfKind.Enum64);

        private static bool IsEnum(BtfType? type) => type?.Kind is BtfKind.Enum or BtfKind.Enum64;


        private sealed class CoreException : Exception
        {
            public CoreException(string message)
                : base(message)
            {
            }
        }
    }
}
