using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Linq;
using BpfSharp.Spec;

namespace BpfSharp.Loader.Objects
{
    /// <summary>
    /// A program's instructions as the kernel loads them: its own function, then every function it calls or passes as a
    /// callback (BPF-to-BPF calls, usually in .text), each appended once, with calls and function addresses pointed at
    /// the copies, and the maps, global data and BTF func/line info of every piece rebased to where it landed (as libbpf
    /// links subprograms).
    /// </summary>
    internal sealed class ProgramLinker
    {
        private const byte Call = 0x85; // BPF_JMP | BPF_CALL
        private const byte LoadImmediate64 = 0x18; // BPF_LD | BPF_IMM | BPF_DW
        private const int PseudoCall = 1; // BPF_PSEUDO_CALL: imm is the callee's offset
        private const int PseudoKernelFunctionCall = 2; // BPF_PSEUDO_KFUNC_CALL
        private const int PseudoFunction = 4; // BPF_PSEUDO_FUNC: ld_imm64 of a callback's address

        private readonly string _file;
        private readonly ElfFile _elf;
        private readonly BtfExt _ext;
        private readonly List<MapSpec> _maps;
        private readonly Dictionary<int, IReadOnlyList<ElfRelocation>> _relocations = new Dictionary<int, IReadOnlyList<ElfRelocation>>();

        private readonly CoreRelocator? _core;
        private readonly KernelExterns _externs;

        public ProgramLinker(string file, ElfFile elf, BtfExt ext, List<MapSpec> maps, CoreRelocator? core, KernelExterns externs)
        {
            _file = file;
            _elf = elf;
            _ext = ext;
            _maps = maps;
            _core = core;
            _externs = externs;
        }

        /// <summary>One function of a section, copied into the program at <see cref="Start"/> (an instruction index).</summary>
        private readonly record struct Piece(ElfSection Section, ElfSymbol Function, int Start);

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        public ProgramSpec Link(ElfSection section, ElfSymbol function, SectionDefinition definition)
        {
            var code = new List<byte>();
            var pieces = new List<Piece>();
            var placed = new Dictionary<(int Section, ulong Offset), int>();
            var references = new List<MapReference>();

            // A function is appended where it is first called and linked at once, before the rest of its caller, as
            // libbpf does (depth first): the same instructions in the same order, so the kernel gives the same tag.
            int Place(ElfSection where, ElfSymbol what)
            {
                if (!placed.TryGetValue((where.Index, what.Value), out var start))
                {
                    start = code.Count / 8;
                    placed[(where.Index, what.Value)] = start;
                    var piece = new Piece(where, what, start);
                    pieces.Add(piece);
                    code.AddRange(Checked(where, what).ToArray());
                    Link(piece);
                }

                return start;
            }

            Place(section, function);
            return new ProgramSpec(
                function.Name,
                section.Name,
                definition,
                code.ToArray(),
                references,
                Rebased(pieces, _ext.Functions, f => f.ByteOffset, (f, index) => f with { ByteOffset = index }),
                Rebased(pieces, _ext.Lines, l => l.ByteOffset, (l, index) => l with { ByteOffset = index }));

            [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
            void Link(Piece piece)
            {
                var first = piece.Function.Value / 8;
                var count = (int)(piece.Function.Size / 8);
                Relocate(piece, code, function.Name);
                var relocations = new Dictionary<int, ElfRelocation>();
                foreach (var relocation in RelocationsOf(piece.Section).Where(r => r.Offset >= piece.Function.Value && r.Offset < piece.Function.Value + piece.Function.Size))
                {
                    var index = (int)((relocation.Offset - piece.Function.Value) / 8);
                    if (relocations.ContainsKey(index))
                    {
                        throw Refuse(function, $"has two relocations on instruction {index} of '{piece.Function.Name}'");
                    }

                    relocations[index] = relocation;
                }

                for (var i = 0; i < count; i++)
                {
                    var at = (piece.Start + i) * 8;
                    var opcode = code[at];
                    ElfRelocation? relocation = null;
                    if (relocations.Count > 0)
                    {
                        relocations.Remove(i, out relocation);
                    }

                    if (relocation is null && opcode != Call && opcode != LoadImmediate64)
                    {
                        continue; // most instructions: nothing to link
                    }

                    var source = code[at + 1] >> 4;
                    var immediate = ReadImmediate(code, at);
                    var symbol = relocation is null ? null : _elf.Symbols[relocation.SymbolIndex];
                    var target = symbol is null || symbol.SectionIndex <= 0 || symbol.SectionIndex >= _elf.Sections.Count ? null : _elf.Sections[symbol.SectionIndex];
                    if (opcode == Call && source == PseudoCall && symbol is { SectionIndex: 0 })
                    {
                        // A kfunc (an extern function the kernel provides): called by its BTF id in the kernel.
                        code[at + 1] = (byte)((code[at + 1] & 0x0f) | (PseudoKernelFunctionCall << 4));
                        code[at + 2] = 0;
                        code[at + 3] = 0;
                        WriteImmediate(code, at, _externs.Function(function.Name, symbol));
                    }
                    else if (opcode == LoadImmediate64 && symbol is { SectionIndex: 0 } && _externs.Config(symbol.Name) is var (configMap, configOffset))
                    {
                        // A .kconfig extern: its value in the read-only map the loader fills.
                        references.Add(new MapReference(piece.Start + i, configMap, true, (uint)(configOffset + immediate)));
                    }
                    else if (opcode == LoadImmediate64 && symbol is { SectionIndex: 0 } && !symbol.IsSection && (piece.Start + i + 2) * 8 <= code.Count)
                    {
                        // A kernel variable (__ksym): its BTF id, or its address when it is typeless.
                        var (kind, value) = _externs.Variable(function.Name, symbol);
                        code[at + 1] = (byte)((code[at + 1] & 0x0f) | (kind << 4));
                        WriteImmediate(code, at, (int)value);
                        WriteImmediate(code, at + 8, (int)(value >> 32));
                    }
                    else if (opcode == Call && source == PseudoCall)
                    {
                        // A subprogram call: through a relocation (to .text from elsewhere), or relative within the section.
                        var (calleeSection, calleeIndex) = relocation is null
                            ? (piece.Section, (long)first + i + immediate + 1)
                            : (target ?? throw Refuse(function, symbol!.SectionIndex == 0
                                ? $"calls kernel function '{symbol.Name}' (an extern: a kfunc the kernel provides), which this loader does not resolve yet"
                                : $"calls '{symbol.Name}', which is in no section"), ((long)symbol!.Value / 8) + immediate + 1);
                        var callee = FunctionAt(function, calleeSection, calleeIndex);
                        WriteImmediate(code, at, Place(calleeSection, callee) - (piece.Start + i) - 1);
                    }
                    else if (opcode == Call && source == PseudoKernelFunctionCall)
                    {
                        throw Refuse(function, $"calls kernel function '{symbol?.Name ?? "?"}' (a kfunc), which this loader does not resolve yet");
                    }
                    else if (opcode == LoadImmediate64 && (source == PseudoFunction || target?.IsExecutable == true))
                    {
                        // A callback's address: the byte offset it names, made relative to the copy (BPF_PSEUDO_FUNC).
                        var (calleeSection, calleeIndex) = relocation is null
                            ? (piece.Section, (long)first + i + immediate + 1)
                            : (target!, ((long)symbol!.Value + immediate) / 8);
                        var callee = FunctionAt(function, calleeSection, calleeIndex);
                        code[at + 1] = (byte)((code[at + 1] & 0x0f) | (PseudoFunction << 4));
                        WriteImmediate(code, at, Place(calleeSection, callee) - (piece.Start + i) - 1);
                    }
                    else if (relocation != null)
                    {
                        references.Add(DataReference(function, relocation, symbol!, target, code, piece.Start + i));
                    }

                    if (opcode == LoadImmediate64)
                    {
                        i++; // the second half of a 64-bit load
                    }
                }

                if (relocations.Count > 0)
                {
                    throw Refuse(function, $"has a relocation at instruction {relocations.Keys.Min()} of '{piece.Function.Name}', inside a 64-bit load");
                }
            }
        }

        // CO-RE relocations of the piece's instructions, against the kernel's types (before the calls are linked, as libbpf does).
        private void Relocate(Piece piece, List<byte> code, string program)
        {
            if (!_ext.CoreRelocations.TryGetValue(piece.Section.Name, out var relocations))
            {
                return;
            }

            for (var number = 0; number < relocations.Count; number++)
            {
                var relocation = relocations[number];
                if (relocation.ByteOffset < piece.Function.Value || relocation.ByteOffset >= piece.Function.Value + piece.Function.Size)
                {
                    continue;
                }

                if (relocation.ByteOffset % 8 != 0 || _core is null)
                {
                    throw new BpfObjectFormatException(_file, $"program '{program}': CO-RE relocation #{number} of section '{piece.Section.Name}' is at byte {relocation.ByteOffset}, which starts no instruction");
                }

                _core.Apply(code, piece.Start + (int)((relocation.ByteOffset - piece.Function.Value) / 8), relocation, program, number);
            }
        }

        private ReadOnlySpan<byte> Checked(ElfSection section, ElfSymbol function)
        {
            var start = (long)function.Value;
            var size = (long)function.Size;
            if (size <= 0 || size % 8 != 0 || start % 8 != 0 || start + size > section.Size)
            {
                throw new BpfObjectFormatException(_file, $"function '{function.Name}' in '{section.Name}' has an impossible size ({size} bytes at {start})");
            }

            return _elf.Bytes(section).Slice((int)start, (int)size);
        }

        // The function that starts at an instruction of a section: a call or a callback must land on one.
        private ElfSymbol FunctionAt(ElfSymbol program, ElfSection section, long index)
        {
            if (!section.IsExecutable)
            {
                throw Refuse(program, $"calls into section '{section.Name}', which holds no code");
            }

            return _elf.Symbols.FirstOrDefault(s => s.IsFunction && s.SectionIndex == section.Index && s.Size > 0 && (long)s.Value == index * 8)
                ?? throw Refuse(program, $"calls instruction {index} of '{section.Name}', where no function starts");
        }

        private MapReference DataReference(ElfSymbol program, ElfRelocation relocation, ElfSymbol symbol, ElfSection? target, List<byte> code, int instruction)
        {
            if (relocation.Type != ElfRelocation.BpfAbsolute64 || code[instruction * 8] != LoadImmediate64 || (instruction + 2) * 8 > code.Count)
            {
                throw Refuse(program, $"relocation of type {relocation.Type} at instruction {instruction} is not a 64-bit load this loader can patch");
            }

            if (target?.Name == ".maps")
            {
                var map = _maps.FirstOrDefault(m => m.Name == symbol.Name) ?? throw Refuse(program, $"uses map '{symbol.Name}', which .maps does not describe");
                return new MapReference(instruction, map.Name, false, 0);
            }

            if (_maps.FirstOrDefault(m => target != null && m.DataSection == target.Name) is MapSpec data)
            {
                return new MapReference(instruction, data.Name, true, (uint)((long)symbol.Value + ReadImmediate(code, instruction * 8)));
            }

            throw Refuse(program, symbol.SectionIndex == 0
                ? $"refers to extern '{symbol.Name}' (a .kconfig value or a __ksym kernel symbol, which the loader fills in), which this loader does not resolve yet"
                : $"refers to '{symbol.Name}' in section '{target?.Name ?? "(none)"}', which is neither a map, global data nor a function");
        }

        private IReadOnlyList<ElfRelocation> RelocationsOf(ElfSection section)
        {
            if (!_relocations.TryGetValue(section.Index, out var relocations))
            {
                _relocations[section.Index] = relocations = _elf.RelocationsOf(section);
            }

            return relocations;
        }

        // BTF.ext records of every piece, as instruction indexes into the linked program (the kernel wants them in order).
        private static List<T> Rebased<T>(List<Piece> pieces, IReadOnlyDictionary<string, List<T>> table, Func<T, uint> offset, Func<T, uint, T> rebase)
        {
            var all = new List<T>();
            foreach (var piece in pieces)
            {
                if (table.TryGetValue(piece.Section.Name, out var records))
                {
                    var (start, end) = (piece.Function.Value, piece.Function.Value + piece.Function.Size);
                    foreach (var record in records)
                    {
                        var at = offset(record);
                        if (at >= start && at < end)
                        {
                            all.Add(rebase(record, (uint)((ulong)piece.Start + ((at - start) / 8))));
                        }
                    }
                }
            }

            return all;
        }

        private BpfObjectFormatException Refuse(ElfSymbol program, string what) => new BpfObjectFormatException(_file, $"program '{program.Name}' {what}");

        private static int ReadImmediate(List<byte> code, int at) => code[at + 4] | (code[at + 5] << 8) | (code[at + 6] << 16) | (code[at + 7] << 24);

        private static void WriteImmediate(List<byte> code, int at, int value)
        {
            Span<byte> bytes = stackalloc byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(bytes, value);
            for (var k = 0; k < 4; k++)
            {
                code[at + 4 + k] = bytes[k];
            }
        }
    }
}
