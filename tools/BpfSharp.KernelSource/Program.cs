using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using BpfSharp.KernelSource;

// kernel-source: reads a Linux source tree and writes, per BPF program type, the helpers whose func_proto getter
// (the verifier's env->ops->get_func_proto) returns non-NULL, with the conditions for it. See spec/kernels/SOURCES.md.
string? source = null;
string? output = null;
string? kconfigPath = null;
string? package = null;
string? version = null;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--source" when i + 1 < args.Length:
            source = args[++i];
            break;
        case "--out" when i + 1 < args.Length:
            output = args[++i];
            break;
        case "--kconfig" when i + 1 < args.Length:
            kconfigPath = args[++i];
            break;
        case "--package" when i + 1 < args.Length:
            package = args[++i];
            break;
        case "--package-version" when i + 1 < args.Length:
            version = args[++i];
            break;
        default:
            Console.Error.WriteLine("usage: kernel-source --source DIR --out FILE [--kconfig CONFIG[.xz]] [--package NAME] [--package-version VERSION]");
            Console.Error.WriteLine("  DIR is an extracted Debian linux-source-X.Y tree; NAME defaults to its folder name,");
            Console.Error.WriteLine("  VERSION to what dpkg-query says, CONFIG to /usr/src/linux-config-X.Y/config.amd64_none_amd64.xz.");
            return 2;
    }
}

if (source is null || output is null)
{
    Console.Error.WriteLine("error: --source and --out are required (run with --help for usage)");
    return 2;
}

source = Path.GetFullPath(source);
package ??= Path.GetFileName(source.TrimEnd('/'));
version ??= DebianPackage.Version(package) ?? "unknown";
var series = Regex.Match(package, @"\d+\.\d+$").Value;
kconfigPath ??= $"/usr/src/linux-config-{series}/config.amd64_none_amd64.xz";

var index = KernelIndex.Load(source);
var table = new HelperTable(index);
table.Build();

var unresolved = table.Rows.Where(r => r.Conditions.Contains("unknown=", StringComparison.Ordinal)).ToList();
if (unresolved.Count > 0)
{
    foreach (var row in unresolved)
    {
        Console.Error.WriteLine($"unresolved condition: {row.ProgramType} {row.Helper}: {row.Conditions}");
    }

    Console.Error.WriteLine("error: teach KernelFacts.Recognizers what these tests mean");
    return 1;
}

var kconfig = Kconfig.Read(kconfigPath);
var text = TsvWriter.Write(index, table, package, version, kconfigPath, kconfig);
Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
File.WriteAllText(output, text, new UTF8Encoding(false));
Console.WriteLine($"{output}: {table.Rows.Count} rows, {table.Rows.Select(r => r.ProgramType).Distinct().Count()} program types, {index.Helpers.Count} helper ids");
return 0;

namespace BpfSharp.KernelSource
{
    internal static class DebianPackage
    {
        /// <summary>The installed version of a Debian package, or null where dpkg-query is missing.</summary>
        public static string? Version(string package)
        {
            try
            {
                var start = new ProcessStartInfo("dpkg-query", new[] { "-W", "-f=${Version}", package })
                {
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                };
                using var process = Process.Start(start)!;
                var text = process.StandardOutput.ReadToEnd().Trim();
                process.WaitForExit();
                return process.ExitCode == 0 && text.Length > 0 ? text : null;
            }
            catch (System.ComponentModel.Win32Exception)
            {
                return null;
            }
        }
    }

    /// <summary>A .config (plain or .xz): symbol -> y/m/value; absent or "is not set" reads as n.</summary>
    internal sealed class Kconfig
    {
        private readonly Dictionary<string, string> _values;

        private Kconfig(Dictionary<string, string> values, bool found)
        {
            _values = values;
            Found = found;
        }

        public bool Found { get; }

        public string this[string symbol] => !Found ? "?" : _values.GetValueOrDefault(symbol, "n");

        public static Kconfig Read(string path)
        {
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            if (!File.Exists(path))
            {
                return new Kconfig(values, false);
            }

            string text;
            if (path.EndsWith(".xz", StringComparison.Ordinal))
            {
                var start = new ProcessStartInfo("xz", new[] { "-dc", path }) { RedirectStandardOutput = true };
                using var process = Process.Start(start)!;
                text = process.StandardOutput.ReadToEnd();
                process.WaitForExit();
            }
            else
            {
                text = File.ReadAllText(path);
            }

            foreach (Match m in Regex.Matches(text, @"^(CONFIG_\w+)=(.*)$", RegexOptions.Multiline))
            {
                values[m.Groups[1].Value] = m.Groups[2].Value.Trim();
            }

            return new Kconfig(values, true);
        }
    }

    internal static class TsvWriter
    {
        public static string Write(KernelIndex index, HelperTable table, string package, string version, string kconfigPath, Kconfig kconfig)
        {
            var sb = new StringBuilder();
            void Line(string s) => sb.Append(s).Append('\n');
            string Values(Term builtWith) => string.Join(" ", builtWith.Flags.Keys.Select(k => k["kconfig=".Length..]).Select(s => $"{s}={kconfig[s]}"));

            Line("# BPF helpers each program type may call: every helper id for which the verifier's");
            Line("# env->ops->get_func_proto(func_id, prog) returns non-NULL, with the conditions for it.");
            Line("# Generated by tools/BpfSharp.KernelSource (see spec/kernels/SOURCES.md); do not edit by hand.");
            Line($"# source: Debian package {package}, version {version} (files extracted from /usr/src/{package}.tar.xz)");
            Line($"# regenerate: dotnet run --project tools/BpfSharp.KernelSource -- --source <extracted {package}> --out spec/kernels/source-{Regex.Match(package, @"\d+\.\d+$").Value}.tsv");
            Line($"# files read: {string.Join(" ", index.UsedFiles)}");
            Line($"# helper ids: {index.Helpers.Count} from __BPF_FUNC_MAPPER in include/uapi/linux/bpf.h");
            Line($"# kconfig values quoted below: {(kconfig.Found ? kconfigPath : "(config not found)")} (rows are not filtered by them)");
            Line("#");
            Line("# program types, from include/linux/bpf_types.h: TYPE: verifier ops -> getter (file); exists only with [kconfig=value in amd64 config].");
            Line("# Those symbols are assumed on and left out of the TYPE's rows.");
            foreach (var p in table.ProgramTypes.OrderBy(p => p.Name, StringComparer.Ordinal))
            {
                // BPF_CGROUP_INET_INGRESS is 0, which is also what "no expected attach type" reads as.
                var attach = p.AttachTypes is null ? "" : $"; loads only with attach_type={string.Join(",", p.AttachTypes.Values.Select(v => v == "BPF_CGROUP_INET_INGRESS" ? v + "(=0)" : v))}";
                Line($"#   {p.Name}: {p.OpsName} -> {p.Getter} ({p.GetterFile}); [{Values(p.BuiltWith)}]{attach}");
            }

            var missing = index.UapiProgramTypes.Where(t => table.ProgramTypes.All(p => p.Name != t)).ToList();
            if (missing.Count > 0)
            {
                Line($"#   not in bpf_types.h (no verifier ops, cannot be loaded): {string.Join(" ", missing)}");
            }

            Line("# struct_ops (BPF_PROG_TYPE_STRUCT_OPS rows, condition struct_ops=NAME): NAME: verifier ops -> getter (file); [kconfig]");
            foreach (var s in table.StructOps)
            {
                var note = s.Getter == "(none)" ? " (no getter: no helper allowed)" : "";
                Line($"#   {s.Name}: {s.OpsName} -> {s.Getter} ({s.File}){note}; [{Values(s.BuiltWith)}]");
            }

            Line("# iterator targets with their own getter (condition iter_target=NAME, asked by bpf_iter_get_func_proto for BPF_TRACE_ITER):");
            foreach (var (target, getter) in KernelFacts.IteratorTargets(index))
            {
                var kc = string.Join(" ", KernelFacts.FileKconfigSymbols(getter.File).Select(s => $"{s}={kconfig[s]}"));
                Line($"#   {target}: {getter.Name} ({getter.File}); [{kc}]");
            }

            Line("#");
            Line("# conditions: '-' = none; otherwise words joined by ';', all of which must hold; ' | ' joins alternatives.");
            Line("#   cap=CAP_BPF         bpf_capable() / bpf_token_capable(prog->aux->token, CAP_BPF): CAP_BPF or CAP_SYS_ADMIN (6.12: or a BPF token granting it)");
            Line("#   cap=CAP_PERFMON     perfmon_capable() / bpf_token_capable(..., CAP_PERFMON): CAP_PERFMON or CAP_SYS_ADMIN (6.12: or a token)");
            Line("#   cap=CAP_SYS_ADMIN   capable(CAP_SYS_ADMIN) (no token)");
            Line("#   attach_type=A,B     prog->expected_attach_type is one of A,B;  attach_type!=A,B  it is none of them. Where");
            Line("#                       bpf_prog_load_check_attach() (kernel/bpf/syscall.c) limits a type's attach types (listed above),");
            Line("#                       conditions are narrowed to those and dropped when they allow all of them");
            Line("#                       (bpf_prog_has_trampoline() is expanded into the attach types it tests)");
            Line("#   attach_btf=SET      the attach target (prog->aux->attach_btf_id) is in the BTF id set SET (btf_id_set_contains)");
            Line("#   iter_target=T       BPF_TRACE_ITER program attached to iterator target T (see the list above)");
            Line("#   struct_ops=S        BPF_PROG_TYPE_STRUCT_OPS program implementing struct_ops S (see the list above)");
            Line("#   struct_ops_member!=M  the struct_ops member the program implements is not M (prog_ops_moff in bpf_tcp_ca.c)");
            Line("#   sleepable / non_sleepable   prog->sleepable (6.1: prog->aux->sleepable) set / not set");
            Line("#   lockdown            refused when security_locked_down() denies it: LOCKDOWN_BPF_READ_KERNEL for probe_read_kernel(_str)");
            Line("#                       and probe_read(_str), LOCKDOWN_BPF_WRITE_USER for probe_write_user");
            Line("#   kconfig=CONFIG_X    built with CONFIG_X (#ifdef, or the file holding the code is built only with it); kconfig=!CONFIG_X without it");
            Line("#   same_as_target      BPF_PROG_TYPE_EXT: the helpers of the program it extends (helper column '*')");
            Line("# Not modelled (checked by the verifier outside get_func_proto): GPL-only helpers, fn->allowed() callbacks");
            Line("# (e.g. bpf_d_path's allow-list), might_sleep helpers in non-sleepable programs, __weak protos left unimplemented.");
            var symbols = table.Rows.SelectMany(r => Regex.Matches(r.Conditions, @"kconfig=!?(CONFIG_\w+)").Select(m => m.Groups[1].Value))
                .Distinct().OrderBy(s => s, StringComparer.Ordinal);
            Line($"# kconfig symbols in conditions, amd64 values: {string.Join(" ", symbols.Select(s => $"{s}={kconfig[s]}"))}");
            Line("program_type\thelper\tconditions");
            foreach (var row in table.Rows)
            {
                Line($"{row.ProgramType}\t{row.Helper}\t{row.Conditions}");
            }

            return sb.ToString();
        }
    }
}
