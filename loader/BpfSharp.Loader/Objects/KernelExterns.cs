using System.Linq;
using BpfSharp.Loader.Native;

namespace BpfSharp.Loader.Objects
{
    /// <summary>
    /// Externs the running kernel resolves (<c>__ksym</c>), as libbpf resolves them: a kfunc call gets the function's BTF id
    /// in the kernel (<c>BPF_PSEUDO_KFUNC_CALL</c>), a typed kernel variable its VAR's id (<c>BPF_PSEUDO_BTF_ID</c>), a
    /// typeless one (<c>extern const void x __ksym</c>) its address from /proc/kallsyms. The object's declaration must be
    /// compatible with the kernel's; a weak extern the kernel lacks is left 0. Kernel modules' BTF is not searched yet.
    /// </summary>
    internal sealed class KernelExterns
    {
        private const byte PseudoBtfId = 3; // BPF_PSEUDO_BTF_ID
        private const byte Weak = 2; // STB_WEAK

        private readonly string _file;
        private readonly Btf? _local;
        private readonly KconfigSection? _kconfig;

        public KernelExterns(string file, Btf? local, KconfigSection? kconfig)
        {
            _file = file;
            _local = local;
            _kconfig = kconfig;
        }

        /// <summary>Where a .kconfig extern's value lies: the map and the offset in its value; null for any other symbol.</summary>
        public (string Map, int Offset)? Config(string name) =>
            _kconfig != null && _kconfig.Offsets.TryGetValue(name, out var offset) ? (_kconfig.Map.Name, offset) : null;

        /// <summary>The kernel's BTF id of the kfunc a call names, 0 for a weak one the kernel lacks.</summary>
        public int Function(string program, ElfSymbol symbol)
        {
            var kernel = Kernel(program, symbol);
            if (Find(kernel, BtfKind.Function, symbol.Name) is not BtfType function)
            {
                return (symbol.Info >> 4) == Weak ? 0 : throw Missing(program, symbol, "kernel function");
            }

            var declared = Local(program, symbol, BtfKind.Function);
            if (!CoreRelocator.TypesCompatible(_local!, declared.SizeOrType, kernel, function.SizeOrType, 32))
            {
                throw new BpfObjectFormatException(_file, $"program '{program}' declares kernel function '{symbol.Name}' with a prototype the running kernel's does not match");
            }

            return (int)function.Id;
        }

        /// <summary>What a 64-bit load of a kernel variable becomes: its source register and its 64-bit value.</summary>
        public (byte Source, ulong Value) Variable(string program, ElfSymbol symbol)
        {
            var declared = Local(program, symbol, BtfKind.Variable);
            var section = _local!.Types.FirstOrDefault(t => t.Kind == BtfKind.DataSection && t.Members.Any(m => m.Type == declared.Id));
            if (section?.Name != Btf.KernelSymbolsSection)
            {
                throw new BpfObjectFormatException(_file, $"program '{program}' refers to extern '{symbol.Name}' in section '{section?.Name ?? "(none)"}': .kconfig values are not filled in by this loader yet");
            }

            if (_local.Resolve(declared.SizeOrType) is null)
            {
                // Typeless: the address.
                var address = KernelSymbols.Address(symbol.Name);
                return address is ulong value ? ((byte)0, value) : (symbol.Info >> 4) == Weak ? ((byte)0, 0UL) : throw Missing(program, symbol, "kernel symbol (in /proc/kallsyms)");
            }

            var kernel = Kernel(program, symbol);
            if (Find(kernel, BtfKind.Variable, symbol.Name) is not BtfType variable)
            {
                return (symbol.Info >> 4) == Weak ? ((byte)0, 0UL) : throw Missing(program, symbol, "kernel variable");
            }

            if (!CoreRelocator.TypesCompatible(_local, declared.SizeOrType, kernel, variable.SizeOrType, 32))
            {
                throw new BpfObjectFormatException(_file, $"program '{program}' declares kernel variable '{symbol.Name}' with a type the running kernel's does not match");
            }

            return (PseudoBtfId, variable.Id);
        }

        private BtfType Local(string program, ElfSymbol symbol, BtfKind kind) =>
            _local?.Named(kind, symbol.Name)
            ?? throw new BpfObjectFormatException(_file, $"program '{program}' uses extern '{symbol.Name}', which the object's BTF does not describe");

        private static Btf Kernel(string program, ElfSymbol symbol) =>
            KernelBtf.RunningOrRefuse($"program '{program}' uses kernel extern '{symbol.Name}'", string.Empty);

        private static BtfType? Find(Btf kernel, BtfKind kind, string name) => kernel.Named(kind, CoreRelocator.EssentialName(name));

        private static BpfException Missing(string program, ElfSymbol symbol, string what) =>
            new BpfException($"program '{program}' uses {what} '{symbol.Name}', which the running kernel does not have ({KernelBtf.VmlinuxPath}; kernel modules are not searched yet)", 0);
    }
}
