using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.InteropServices;
using Microsoft.CodeAnalysis;

namespace BpfSharp.Compiler
{
    /// <summary>
    /// How .NET lays out a blittable struct ([StructLayout] kind, Pack, Size, [FieldOffset]), so that the C struct matches it byte
    /// for byte: the kernel and the .NET side share map values through these layouts.
    /// </summary>
    internal sealed class StructLayout
    {
        private const int MaximumNesting = 32;
        private static readonly string TooDeep = $"nests structs more than {MaximumNesting} deep (does it contain itself?)";

        private StructLayout(LayoutKind kind, int pack, int size, int alignment, int naturalSize, string? problem)
        {
            Kind = kind;
            Pack = pack;
            Size = size;
            Alignment = alignment;
            NaturalSize = naturalSize;
            Problem = problem;
        }

        public LayoutKind Kind { get; }

        /// <summary>StructLayout.Pack, 0 when not given.</summary>
        public int Pack { get; }

        /// <summary>StructLayout.Size, 0 when not given or not larger than the fields need.</summary>
        public int Size { get; }

        public int Alignment { get; }

        /// <summary>The size the fields need, rounded up to the alignment.</summary>
        public int NaturalSize { get; }

        /// <summary>Why C cannot lay the struct out as .NET does, or null.</summary>
        public string? Problem { get; }

        public int TotalSize => Math.Max(Size, NaturalSize);

        public static StructLayout Of(INamedTypeSymbol type) => Of(type, 0);

        // depth: a struct that contains itself (CS0523, met while the user types) must not recurse for ever.
        private static StructLayout Of(INamedTypeSymbol type, int depth)
        {
            if (depth > MaximumNesting)
            {
                return new StructLayout(LayoutKind.Sequential, 0, 0, 1, 0, TooDeep);
            }

            var kind = LayoutKind.Sequential;
            var pack = 0;
            var size = 0;
            var attribute = type.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == "System.Runtime.InteropServices.StructLayoutAttribute");
            if (attribute != null)
            {
                kind = attribute.ConstructorArguments.FirstOrDefault().Value is object value ? (LayoutKind)Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture) : LayoutKind.Sequential;
                foreach (var named in attribute.NamedArguments)
                {
                    if (named.Key == "Pack" && named.Value.Value is int packValue)
                    {
                        pack = packValue;
                    }
                    else if (named.Key == "Size" && named.Value.Value is int sizeValue)
                    {
                        size = sizeValue;
                    }
                }
            }

            if (kind == LayoutKind.Auto)
            {
                return new StructLayout(kind, pack, 0, 1, 0, "has LayoutKind.Auto: the runtime chooses its field order, so BPF code cannot share it; use Sequential or Explicit");
            }

            var alignment = 1;
            var extent = 0;
            var tooDeep = false;
            var naturalAlignment = 1;
            var naturalExtent = 0;
            var packMovesNothing = true;
            var lowered = new List<string>();
            foreach (var field in type.GetMembers().OfType<IFieldSymbol>().Where(f => !f.IsStatic && !f.IsConst))
            {
                var element = field.IsFixedSizeBuffer && field.Type is IPointerTypeSymbol buffer ? buffer.PointedAtType : field.Type;
                var (elementAlignment, elementSize, elementTooDeep) = Measure(element, depth + 1);
                tooDeep |= elementTooDeep;
                var fieldAlignment = pack > 0 ? Math.Min(elementAlignment, pack) : elementAlignment;
                var fieldSize = elementSize * (field.IsFixedSizeBuffer ? field.FixedSize : 1);
                alignment = Math.Max(alignment, fieldAlignment);
                if (kind == LayoutKind.Explicit)
                {
                    extent = Math.Max(extent, (FieldOffset(field) ?? 0) + fieldSize);
                }
                else
                {
                    // Beside the layout .NET gives, the one it would give without Pack: where they agree, Pack only slows loads.
                    var offset = RoundUp(extent, fieldAlignment);
                    var naturalOffset = RoundUp(naturalExtent, elementAlignment);
                    packMovesNothing &= offset == naturalOffset;
                    if (fieldAlignment < elementAlignment)
                    {
                        lowered.Add(field.Name);
                    }

                    extent = offset + fieldSize;
                    naturalExtent = naturalOffset + fieldSize;
                    naturalAlignment = Math.Max(naturalAlignment, elementAlignment);
                }
            }

            var naturalSize = RoundUp(extent, alignment);
            string? problem = tooDeep ? TooDeep : null;
            if (size > naturalSize && size % alignment != 0)
            {
                problem = $"has StructLayout.Size = {size}, which is not a multiple of its alignment ({alignment}): .NET makes it {size} bytes, C would make it {RoundUp(size, alignment)}";
            }

            var packOnlySlowsLoads = kind == LayoutKind.Sequential && pack > 0 && packMovesNothing
                && RoundUp(naturalExtent, naturalAlignment) == naturalSize && size <= naturalSize;
            return new StructLayout(kind, pack, size > naturalSize ? size : 0, alignment, naturalSize, problem)
            {
                SlowedByPack = packOnlySlowsLoads ? lowered : (IReadOnlyList<string>)Array.Empty<string>(),
            };
        }

        /// <summary>
        /// The fields whose alignment Pack lowers, when every field keeps the offset, and the struct the size, it would
        /// have without Pack: the packing changes nothing in the layout, only makes clang read those fields byte by byte.
        /// Empty otherwise.
        /// </summary>
        public IReadOnlyList<string> SlowedByPack { get; private set; } = Array.Empty<string>();

        public static int? FieldOffset(IFieldSymbol field) =>
            field.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == "System.Runtime.InteropServices.FieldOffsetAttribute")?.ConstructorArguments.FirstOrDefault().Value as int?;

        /// <summary>Where .NET puts the field in its struct: its [FieldOffset], or its place in the sequence under Pack.</summary>
        public static int OffsetOf(IFieldSymbol field)
        {
            var layout = Of(field.ContainingType);
            if (layout.Kind == LayoutKind.Explicit)
            {
                return FieldOffset(field) ?? 0;
            }

            var extent = 0;
            foreach (var member in field.ContainingType.GetMembers().OfType<IFieldSymbol>().Where(f => !f.IsStatic && !f.IsConst))
            {
                var element = member.IsFixedSizeBuffer && member.Type is IPointerTypeSymbol buffer ? buffer.PointedAtType : member.Type;
                var (alignment, size, _) = Measure(element, 1);
                var offset = RoundUp(extent, layout.Pack > 0 ? Math.Min(alignment, layout.Pack) : alignment);
                if (SymbolEqualityComparer.Default.Equals(member, field))
                {
                    return offset;
                }

                extent = offset + size * (member.IsFixedSizeBuffer ? member.FixedSize : 1);
            }

            return 0;
        }

        /// <summary>The alignment .NET (and C, on BPF's 64-bit target) gives a field of the type.</summary>
        public static int AlignmentOf(ITypeSymbol type) => Measure(type, 0).Alignment;

        /// <summary>The bytes .NET (and C) give a value of the type.</summary>
        public static int SizeOf(ITypeSymbol type) => Measure(type, 0).Size;

        private static (int Alignment, int Size, bool TooDeep) Measure(ITypeSymbol type, int depth)
        {
            if (type is INamedTypeSymbol named && named.TypeKind == TypeKind.Struct && named.SpecialType == SpecialType.None)
            {
                var layout = Of(named, depth);
                return (layout.Alignment, layout.TotalSize, ReferenceEquals(layout.Problem, TooDeep));
            }

            var size = PrimitiveSize(type);
            return (size, size, false);
        }

        private static int PrimitiveSize(ITypeSymbol type)
        {
            if (type.TypeKind == TypeKind.Enum && type is INamedTypeSymbol enumType && enumType.EnumUnderlyingType != null)
            {
                type = enumType.EnumUnderlyingType;
            }

            switch (type.SpecialType)
            {
                case SpecialType.System_Boolean:
                case SpecialType.System_Byte:
                case SpecialType.System_SByte:
                    return 1;
                case SpecialType.System_Int16:
                case SpecialType.System_UInt16:
                case SpecialType.System_Char:
                    return 2;
                case SpecialType.System_Int32:
                case SpecialType.System_UInt32:
                case SpecialType.System_Single:
                    return 4;
                default:
                    return 8; // long, ulong, double, pointers, native integers
            }
        }

        private static int RoundUp(int value, int alignment) => (value + alignment - 1) / alignment * alignment;
    }
}
