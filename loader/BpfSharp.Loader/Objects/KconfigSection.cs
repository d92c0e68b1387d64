using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using BpfSharp.Loader.Native;

namespace BpfSharp.Loader.Objects
{
    /// <summary>
    /// An object's <c>.kconfig</c> externs (<c>extern int CONFIG_HZ __kconfig;</c>, <c>LINUX_KERNEL_VERSION</c>) laid out as
    /// libbpf lays them out (by alignment, largest first, then size, then name) in a read-only map the programs read them
    /// from, with the values the running kernel gives them: its build options, its version, two features. A weak extern
    /// the kernel does not set is 0; any other is refused by name.
    /// </summary>
    internal sealed class KconfigSection
    {
        public const string SectionName = ".kconfig";

        private const int Signed = 1;
        private const int Character = 2;
        private const int Boolean = 4;

        private KconfigSection(MapSpec map, Dictionary<string, int> offsets)
        {
            Map = map;
            Offsets = offsets;
        }

        /// <summary>The map that holds the values.</summary>
        public MapSpec Map { get; }

        /// <summary>Each extern's offset in the map's value.</summary>
        public IReadOnlyDictionary<string, int> Offsets { get; }

        public static KconfigSection? Create(string file, string objectName, Btf? btf, ElfFile elf)
        {
            var section = btf?.Types.FirstOrDefault(t => t.Kind == BtfKind.DataSection && t.Name == SectionName);
            if (section is null)
            {
                return null;
            }

            var externs = section.Members.Select(member =>
            {
                var variable = btf!.Type(member.Type);
                if (variable?.Kind != BtfKind.Variable)
                {
                    throw new BpfObjectFormatException(file, $"the {SectionName} section names BTF type {member.Type}, which is no variable");
                }

                var size = (int)btf.SizeOf(variable.SizeOrType);
                var weak = elf.Symbols.Any(s => s.Name == variable.Name && s.SectionIndex == 0 && (s.Info >> 4) == 2);
                return (variable.Name, Type: variable.SizeOrType, Size: size, Align: AlignOf(btf, variable.SizeOrType), Weak: weak);
            }).OrderByDescending(e => e.Align).ThenBy(e => e.Size).ThenBy(e => e.Name, StringComparer.Ordinal).ToList();

            var offsets = new Dictionary<string, int>(StringComparer.Ordinal);
            var end = 0;
            foreach (var external in externs)
            {
                offsets[external.Name] = (end + external.Align - 1) / external.Align * external.Align;
                end = offsets[external.Name] + external.Size;
            }

            var data = new byte[end];
            foreach (var external in externs)
            {
                if (Value(file, btf!, external.Name, external.Type, external.Size) is byte[] value)
                {
                    value.CopyTo(data, offsets[external.Name]);
                }
                else if (!external.Weak)
                {
                    throw new BpfException($"{file}: the kernel gives extern '{external.Name}' ({SectionName}) no value{(external.Name.StartsWith("CONFIG_", StringComparison.Ordinal) ? $": it is not set in {KernelConfig.Source}" : ": this loader knows LINUX_KERNEL_VERSION, LINUX_HAS_BPF_COOKIE, LINUX_HAS_SYSCALL_WRAPPER and CONFIG_* options")}; declare it __weak to take 0 instead", 0);
                }
            }

            return new KconfigSection(ObjectSpec.DataMap(objectName, SectionName, section.Id, end == 0 ? new byte[1] : data, readOnly: true), offsets);
        }

        // The bytes of an extern's value, or null when the kernel gives it none.
        private static byte[]? Value(string file, Btf btf, string name, uint typeId, int size)
        {
            var type = btf.Resolve(typeId) ?? throw Unsupported(file, name);
            switch (name)
            {
                case "LINUX_KERNEL_VERSION":
                    return Number(file, name, type, size, KernelConfig.Version);
                case "LINUX_HAS_BPF_COOKIE":
                    return Number(file, name, type, size, KernelConfig.Version >= (5u << 16) + (15u << 8) ? 1UL : 0);
                case "LINUX_HAS_SYSCALL_WRAPPER":
                    return Number(file, name, type, size, KernelSymbols.Address(SyscallPrefix + "sys_bpf") is null ? 0UL : 1);
            }

            if (!name.StartsWith("CONFIG_", StringComparison.Ordinal) || KernelConfig.Option(name) is not string option)
            {
                return null;
            }

            var encoding = (int)type.IntEncoding;
            if (type.Kind == BtfKind.Int && (encoding & Boolean) != 0)
            {
                return option is "y" or "n" ? new[] { (byte)(option == "y" ? 1 : 0) } : throw Invalid(file, name, option, "a bool");
            }

            if (type.Kind is BtfKind.Enum or BtfKind.Enum64 && type.Name == "libbpf_tristate")
            {
                return Number(file, name, type, size, option switch { "y" => 1UL, "m" => 2UL, "n" => 0UL, _ => throw Invalid(file, name, option, "a tristate") });
            }

            if (type.Kind == BtfKind.Int && (encoding & Character) != 0)
            {
                return option is "y" or "n" or "m" ? new[] { (byte)option[0] } : throw Invalid(file, name, option, "a char");
            }

            if (type.Kind == BtfKind.Array)
            {
                if (option.Length < 2 || option[0] != '"' || option[^1] != '"')
                {
                    throw Invalid(file, name, option, "a string");
                }

                var bytes = new byte[size];
                var text = Encoding.UTF8.GetBytes(option.Substring(1, option.Length - 2));
                text.AsSpan(0, Math.Min(text.Length, size - 1)).CopyTo(bytes);
                return bytes;
            }

            if (type.Kind == BtfKind.Int)
            {
                var negative = option.StartsWith("-", StringComparison.Ordinal);
                var digits = negative ? option.Substring(1) : option;
                var parsed = digits.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
                    ? ulong.TryParse(digits.Substring(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var hex) ? hex : (ulong?)null
                    : ulong.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var dec) ? dec : null;
                if (parsed is not ulong magnitude || (negative && (encoding & Signed) == 0))
                {
                    throw Invalid(file, name, option, $"a{((encoding & Signed) != 0 ? " signed" : "n unsigned")} {size}-byte integer");
                }

                return Number(file, name, type, size, negative ? unchecked((ulong)-(long)magnitude) : magnitude);
            }

            throw Unsupported(file, name);
        }

        private static string SyscallPrefix => System.Runtime.InteropServices.RuntimeInformation.OSArchitecture switch
        {
            System.Runtime.InteropServices.Architecture.Arm64 => "__arm64_",
            System.Runtime.InteropServices.Architecture.S390x => "__s390x_",
            _ => "__x64_",
        };

        private static byte[] Number(string file, string name, BtfType type, int size, ulong value)
        {
            if (!(type.Kind is BtfKind.Int or BtfKind.Enum or BtfKind.Enum64) || size is not (1 or 2 or 4 or 8))
            {
                throw Unsupported(file, name);
            }

            var bytes = new byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(bytes, value);
            if (size < 8 && (value >> (size * 8)) != 0 && ((long)value >= 0 || (long)value < -(1L << ((size * 8) - 1))))
            {
                throw new BpfException($"{file}: extern '{name}' ({SectionName}) is {size} bytes, too small for the kernel's value {value}", 0);
            }

            return bytes.AsSpan(0, size).ToArray();
        }

        // btf__align_of for the types a .kconfig extern may have.
        private static int AlignOf(Btf btf, uint id)
        {
            var type = btf.Resolve(id);
            return type?.Kind switch
            {
                BtfKind.Array => AlignOf(btf, type.Array.ElementType),
                BtfKind.Int or BtfKind.Enum or BtfKind.Enum64 => (int)Math.Min(Math.Max(type.SizeOrType, 1), 8),
                BtfKind.Pointer => 8,
                _ => 1,
            };
        }

        private static BpfObjectFormatException Unsupported(string file, string name) =>
            new BpfObjectFormatException(file, $"extern '{name}' ({SectionName}) has a type libbpf does not fill: a bool, a tristate (enum libbpf_tristate), a char, a char array or an integer of 1, 2, 4 or 8 bytes");

        private static BpfException Invalid(string file, string name, string value, string what) =>
            new BpfException($"{file}: the kernel's value of '{name}' ({value}, in {KernelConfig.Source}) is not {what}, as the object declares it", 0);
    }
}
