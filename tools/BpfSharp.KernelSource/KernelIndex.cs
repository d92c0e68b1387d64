using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;

namespace BpfSharp.KernelSource;

/// <summary>
/// Everything the tool reads from a kernel tree: function definitions, struct initializers (verifier ops,
/// struct_ops, iterator targets), the BPF_PROG_TYPE table and the helper ids. Only files that mention one of the
/// BPF types below are parsed, which keeps a full tree fast and a partial extract sufficient.
/// </summary>
internal sealed class KernelIndex
{
    // Where func_proto getters, verifier ops, struct_ops and iterator targets live (tools/ and samples are skipped).
    private static readonly string[] ScannedDirectories = { "include/linux", "kernel", "net", "drivers" };

    private static readonly string[] InterestingWords =
        { "bpf_func_proto", "bpf_verifier_ops", "bpf_struct_ops", "bpf_iter_reg", "BPF_PROG_TYPE(" };

    private readonly Dictionary<string, List<FunctionDef>> _functions = new(StringComparer.Ordinal);
    private readonly SortedSet<string> _usedFiles = new(StringComparer.Ordinal);

    public string Root { get; }
    public IReadOnlyList<StructInit> Structs { get; }
    public IReadOnlyList<MacroUse> ProgramTypes { get; }
    public IReadOnlyList<string> Helpers { get; }
    public IReadOnlyList<string> UapiProgramTypes { get; }

    /// <summary>Files whose contents decided a row or a header line.</summary>
    public IEnumerable<string> UsedFiles => _usedFiles;

    private KernelIndex(string root, List<FunctionDef> functions, List<StructInit> structs, List<MacroUse> macros,
        List<string> helpers, List<string> uapiProgramTypes)
    {
        Root = root;
        foreach (var f in functions)
        {
            if (!_functions.TryGetValue(f.Name, out var list))
            {
                _functions[f.Name] = list = new List<FunctionDef>();
            }

            list.Add(f);
        }

        Structs = structs;
        ProgramTypes = macros.Where(m => m.Macro == "BPF_PROG_TYPE").ToList();
        Helpers = helpers;
        UapiProgramTypes = uapiProgramTypes;
    }

    public static KernelIndex Load(string root)
    {
        var functions = new List<FunctionDef>();
        var structs = new List<StructInit>();
        var macros = new List<MacroUse>();
        var wanted = new HashSet<string>(StringComparer.Ordinal) { "BPF_PROG_TYPE" };
        var files = ScannedDirectories
            .Select(d => Path.Combine(root, d))
            .Where(Directory.Exists)
            .SelectMany(d => Directory.EnumerateFiles(d, "*.*", SearchOption.AllDirectories))
            .Where(f => f.EndsWith(".c", StringComparison.Ordinal) || f.EndsWith(".h", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/'))
            .Where(f => !f.Contains("/uapi/", StringComparison.Ordinal))
            .OrderBy(f => f, StringComparer.Ordinal);
        foreach (var file in files)
        {
            var text = File.ReadAllText(Path.Combine(root, file));
            if (!InterestingWords.Any(w => text.Contains(w, StringComparison.Ordinal)))
            {
                continue;
            }

            try
            {
                FileScanner.Scan(file, Lexer.Lex(text), functions, structs, macros, wanted);
            }
            catch (FormatException e)
            {
                // Reported, not fatal: a getter missing because of it is an error later, when it is called.
                Console.Error.WriteLine($"warning: {file}: {e.Message}");
            }
        }

        var uapi = File.ReadAllText(Path.Combine(root, "include/uapi/linux/bpf.h"));
        return new KernelIndex(root, functions, structs, macros, ReadHelpers(uapi), ReadProgramTypes(uapi));
    }

    /// <summary>Helper names from the __BPF_FUNC_MAPPER list ("FN(map_lookup_elem)" in 6.1, "FN(map_lookup_elem, 1, ##ctx)" later).</summary>
    private static List<string> ReadHelpers(string uapi)
    {
        var start = Regex.Match(uapi, @"#define\s+_{2,3}BPF_FUNC_MAPPER\(");
        if (!start.Success)
        {
            throw new InvalidDataException("no __BPF_FUNC_MAPPER in include/uapi/linux/bpf.h");
        }

        var lines = uapi[start.Index..].Split('\n');
        var block = string.Join('\n', lines.TakeWhile(l => l.TrimEnd().EndsWith('\\')).Append(lines.SkipWhile(l => l.TrimEnd().EndsWith('\\')).First()));
        return Regex.Matches(block, @"FN\((\w+)").Select(m => m.Groups[1].Value).Where(n => n != "unspec").ToList();
    }

    private static List<string> ReadProgramTypes(string uapi)
    {
        var body = Regex.Match(uapi, @"enum bpf_prog_type \{(.*?)\};", RegexOptions.Singleline).Groups[1].Value;
        return Regex.Matches(body, @"\b(BPF_PROG_TYPE_\w+)").Select(m => m.Groups[1].Value).Where(n => n != "BPF_PROG_TYPE_UNSPEC").ToList();
    }

    public bool Calls(string name) => _functions.ContainsKey(name) || KernelFacts.IsModelled(name);

    public IReadOnlyList<FunctionDef> Definitions(string name) =>
        _functions.TryGetValue(name, out var list) ? list : Array.Empty<FunctionDef>();

    public void MarkUsed(string file) => _usedFiles.Add(file);

    /// <summary>
    /// When a definition is compiled: the Kconfig of its file (from the Makefiles, see KernelFacts), the #if it is
    /// inside, and for a __weak one, that no strong definition is built.
    /// </summary>
    public Dnf BuildCondition(FunctionDef def)
    {
        var condition = KernelFacts.FileKconfig(def.File).And(def.PpCondition);
        if (def.IsWeak)
        {
            var strong = Definitions(def.Name).Where(d => !d.IsWeak)
                .Aggregate(Dnf.False, (acc, d) => acc.Or(KernelFacts.FileKconfig(d.File).And(d.PpCondition)));
            condition = condition.And(strong.Not());
        }

        return condition;
    }

    public IEnumerable<StructInit> StructsOf(string type) => Structs.Where(s => s.Type == type);

    public StructInit? Struct(string type, string name) => Structs.FirstOrDefault(s => s.Type == type && s.Name == name);

    /// <summary>
    /// The definition a struct field names: the one in the struct's own file, else the only strong one in a .c
    /// file (a header's static inline stub is what a kernel without that code gets; the field is not built then).
    /// </summary>
    public FunctionDef FunctionFor(string name, string preferredFile)
    {
        var defs = Definitions(name);
        var strong = defs.Where(d => !d.IsWeak && d.File.EndsWith(".c", StringComparison.Ordinal)).ToList();
        var chosen = defs.FirstOrDefault(d => d.File == preferredFile) ?? (strong.Count == 1 ? strong[0] : null);
        return chosen ?? throw new InvalidDataException($"no single definition of {name} (wanted from {preferredFile})");
    }
}
