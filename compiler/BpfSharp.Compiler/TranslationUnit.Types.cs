using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using BpfSharp.Spec;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace BpfSharp.Compiler
{
    /// <summary>The unit's types: the C type of each C# type, and structs laid out as .NET lays them out.</summary>
    internal sealed partial class TranslationUnit
    {
        /// <summary>The C type of a C# type; a problem (and a placeholder) for types BPF has no form of.</summary>
        public string CType(ITypeSymbol type, Location at)
        {
            switch (type.SpecialType)
            {
                case SpecialType.System_Void: return "void";
                case SpecialType.System_Boolean: return "_Bool";
                case SpecialType.System_Byte: return "__u8";
                case SpecialType.System_SByte: return "__s8";
                case SpecialType.System_Int16: return "__s16";
                case SpecialType.System_UInt16: return "__u16";
                case SpecialType.System_Char: return "__u16";
                case SpecialType.System_Int32: return "__s32";
                case SpecialType.System_UInt32: return "__u32";
                case SpecialType.System_Int64: return "__s64";
                case SpecialType.System_UInt64: return "__u64";
                case SpecialType.System_IntPtr: return "long";
                case SpecialType.System_UIntPtr: return "unsigned long";
                case SpecialType.System_Single:
                case SpecialType.System_Double:
                case SpecialType.System_Decimal:
                    Problem(CompilerDiagnosticIds.UnsupportedType, at, $"'{type.ToDisplayString()}' is floating point, which BPF programs cannot use");
                    return "__u64";
            }

            if (type is IPointerTypeSymbol pointer)
            {
                return CType(pointer.PointedAtType, at) + " *";
            }

            if (type is IFunctionPointerTypeSymbol)
            {
                return "void *"; // a helper's callback parameter: the address of a BPF function
            }

            if (type.TypeKind == TypeKind.Enum && type is INamedTypeSymbol enumType && enumType.EnumUnderlyingType != null)
            {
                return CType(enumType.EnumUnderlyingType, at);
            }

            if (type.TypeKind == TypeKind.Struct && type is INamedTypeSymbol structType)
            {
                return Struct(structType, at);
            }

            if (type.TypeKind == TypeKind.Error)
            {
                return "__u64"; // the C# compiler has said what is wrong
            }

            Problem(CompilerDiagnosticIds.UnsupportedType, at, $"'{type.ToDisplayString()}' is a {(type.IsReferenceType ? "reference type" : type.TypeKind.ToString().ToLowerInvariant())}, which BPF programs cannot use: only integers, bool, enums, pointers and blittable structs");
            return "__u64";
        }

        /// <summary>A struct's C name, defined before first use; the runtime's context structs are the kernel's own.</summary>
        private string Struct(INamedTypeSymbol type, Location at)
        {
            if (KernelStructName(type) is string kernelName)
            {
                return "struct " + kernelName;
            }

            if (_structNames.TryGetValue(type, out var known))
            {
                return known;
            }

            // Two structs of one name (other namespaces, nesting) get distinct C names, numbered in the order met.
            var cName = CNames.Identifier(type.Name);
            for (var n = 2; !_structNamesTaken.Add(cName); n++)
            {
                cName = CNames.Identifier(type.Name) + "_" + n.ToString(CultureInfo.InvariantCulture);
            }

            var name = "struct " + cName;
            _structNames.Add(type, name);
            if (type.IsGenericType)
            {
                Problem(CompilerDiagnosticIds.UnsupportedType, at, $"'{type.ToDisplayString()}' is generic, which this version of the BPF compiler does not translate: declare a struct for each instantiation");
                return name;
            }

            if (!type.Locations.Any(l => l.IsInSource) && type.ContainingAssembly?.Name != RuntimeAssembly)
            {
                // StructLayout, FieldOffset and Pack are metadata flags that Roslyn shows for source types only: a struct
                // of another assembly would be laid out as sequential, maybe wrongly.
                Problem(CompilerDiagnosticIds.UnsupportedType, at, $"'{type.ToDisplayString()}' is declared in another assembly ({type.ContainingAssembly?.Name}), whose struct layouts (StructLayout, FieldOffset, Pack) the compiler cannot see: declare it in this project, or compile its source file into this project too");
                return name;
            }

            var layout = StructLayout.Of(type);
            var fields = type.GetMembers().OfType<IFieldSymbol>().Where(f => !f.IsStatic && !f.IsConst).ToList();
            string Declaration(IFieldSymbol field) =>
                field.IsFixedSizeBuffer && field.Type is IPointerTypeSymbol element
                    ? $"{CType(element.PointedAtType, at)} {CNames.Identifier(field.Name)}[{field.FixedSize}]"
                    : $"{CType(field.Type, at)} {CNames.Identifier(field.Name)}";

            if (layout.Problem is string problem)
            {
                Problem(CompilerDiagnosticIds.UnsupportedType, at, $"'{type.ToDisplayString()}' {problem}");
                return name;
            }

            if (layout.SlowedByPack.Count > 0)
            {
                Problem(CompilerDiagnosticIds.PackedStruct, type.Locations.FirstOrDefault(l => l.IsInSource) ?? at, $"'{type.Name}' has Pack = {layout.Pack}, which changes nothing in its layout but makes clang read {string.Join(", ", layout.SlowedByPack)} byte by byte: remove Pack (or use the runtime's EthHdr, IpHdr, ... headers, which have the kernel's layout)");
            }

            var members = layout.Kind == LayoutKind.Explicit
                ? ExplicitMembers(fields, layout, Declaration, at)
                : fields.Select(f => "    " + Declaration(f) + ";").ToList();
            if (layout.Size > 0)
            {
                // StructLayout.Size: at least that many bytes, as .NET lays it out (a multiple of the alignment, checked in StructLayout).
                members = new List<string> { "    union {", "    struct {" }.Concat(members.Select(m => "    " + m)).Concat(new[] { "    };", $"    __u8 {SizedBytes}[{layout.Size}];", "    };" }).ToList();
            }

            var definition = name + " {\n" + string.Join("\n", members) + "\n}" + (layout.Kind == LayoutKind.Explicit ? $" __attribute__((aligned({layout.Alignment})))" : string.Empty) + ";";
            _structs.Add(new ObjectPart(SymbolKey(type), cName, layout.Kind == LayoutKind.Sequential && layout.Pack > 0
                ? $"#pragma pack(push, {layout.Pack})\n{definition}\n#pragma pack(pop)"
                : definition));
            return name;
        }

        // The byte-array members that cover the whole of a struct whose C is a union (explicit layout; StructLayout.Size).
        private const string ExplicitBytes = "bpfsharp_bytes";

        // The runtime's own structs (packet headers) are sequential and naturally aligned: their layout needs no metadata.
        private const string RuntimeAssembly = "BpfSharp";
        private const string SizedBytes = "bpfsharp_size";

        // FieldOffset(O) as C: each field in its own packed struct behind O bytes of padding, all in one union. The field keeps the
        // alignment its offset allows (so clang still loads it whole where it can), capped by Pack.
        private List<string> ExplicitMembers(List<IFieldSymbol> fields, StructLayout layout, Func<IFieldSymbol, string> declaration, Location at)
        {
            var members = new List<string> { "    union {" };
            foreach (var field in fields)
            {
                var offset = StructLayout.FieldOffset(field);
                if (offset is null)
                {
                    Problem(CompilerDiagnosticIds.UnsupportedType, field.Locations.FirstOrDefault() ?? at, $"field '{field.Name}' of a struct with an explicit layout needs [FieldOffset]");
                    continue;
                }

                var alignment = StructLayout.AlignmentOf(field.IsFixedSizeBuffer && field.Type is IPointerTypeSymbol element ? element.PointedAtType : field.Type);
                var allowed = offset.Value == 0 ? alignment : Math.Min(alignment, offset.Value & -offset.Value);
                if (layout.Pack > 0)
                {
                    allowed = Math.Min(allowed, layout.Pack);
                }

                var padding = offset.Value > 0 ? $"__u8 bpfsharp_at_{field.Name}[{offset.Value}]; " : string.Empty;
                members.Add($"    struct {{ {padding}{declaration(field)} __attribute__((aligned({allowed}))); }} __attribute__((packed));");
            }

            // The whole value as bytes: how a global of this type gets its initial value (a union keeps only one member's).
            members.Add($"    __u8 {ExplicitBytes}[{layout.NaturalSize}];");
            members.Add("    };");
            return members;
        }

        /// <summary>Whether a field belongs to one of the kernel's context structs (read through a cast: some are pointer slots).</summary>
        public static bool IsContextField(IFieldSymbol field) => KernelStructName(field.ContainingType) != null;

        /// <summary>The kernel struct a [BpfKernelStruct] type stands for, or null.</summary>
        private static string? KernelStructName(ITypeSymbol type) =>
            type.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == "BpfSharp.BpfKernelStructAttribute")?.ConstructorArguments.FirstOrDefault().Value as string;

        /// <summary>A C field name: a kernel context struct's field is the kernel's snake_case name.</summary>
        public static string FieldName(IFieldSymbol field) => IsContextField(field) ? SnakeCase(field.Name) : CNames.Identifier(field.Name);

        // "DataEnd" -> "data_end", "RemoteIp4" -> "remote_ip4".
        private static string SnakeCase(string name)
        {
            var builder = new StringBuilder();
            for (var i = 0; i < name.Length; i++)
            {
                if (char.IsUpper(name[i]) && i > 0)
                {
                    builder.Append('_');
                }

                builder.Append(char.ToLowerInvariant(name[i]));
            }

            return builder.ToString();
        }
    }
}
