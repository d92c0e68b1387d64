using System;
using System.Linq;
using BpfSharp.Spec;
using BpfSharp.Tests.Infrastructure;
using Xunit;

namespace BpfSharp.Tests;

public class KernelTypeTests
{
    [Fact]
    public void Runtime_program_type_enum_matches_the_spec_table()
    {
        var expected = KernelTypes.ProgramTypes.Members.Select(m => (m.MemberName, m.Value));
        var actual = Enum.GetNames<BpfProgramType>().Select(n => (n, (int)Enum.Parse<BpfProgramType>(n)));
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Runtime_map_type_enum_matches_the_spec_table_with_aliases()
    {
        var expected = KernelTypes.MapTypes.Members.Select(m => (m.MemberName, m.Value)).OrderBy(m => m.MemberName);
        var actual = typeof(BpfMapType).GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
            .Select(f => (f.Name, (int)f.GetValue(null)!)).OrderBy(m => m.Name);
        Assert.Equal(expected, actual);
        Assert.Equal(BpfMapType.CgroupStorageDeprecated, BpfMapType.CgroupStorage);
    }

    [SkippableFact]
    public void Spec_tables_equal_the_kernel_headers()
    {
        Skip.IfNot(RepoPaths.HasShared, RepoPaths.NoSharedReason);
        Assert.Equal(KernelData.Rows("prog-types.tsv").Select(r => (int.Parse(r[0]), r[1])), KernelTypes.ProgramTypes.Members.Select(m => (m.Value, m.Name)));
        Assert.Equal(KernelData.Rows("map-types.tsv").Select(r => (int.Parse(r[0]), r[1])), KernelTypes.MapTypes.Members.Select(m => (m.Value, m.Name)));
    }

    [Fact]
    public void Every_map_type_has_exactly_one_map_class()
    {
        var classes = typeof(BpfMap).Assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(BpfMap)))
            .Select(t => (Type: t, Attribute: (BpfMapClassAttribute?)Attribute.GetCustomAttribute(t, typeof(BpfMapClassAttribute))))
            .ToArray();

        Assert.All(classes, c => Assert.NotNull(c.Attribute));
        var expected = KernelTypes.MapTypes.Members.Where(m => m.Value != 0).Select(m => m.Value).Distinct().OrderBy(v => v);
        Assert.Equal(expected, classes.Select(c => (int)c.Attribute!.MapType).OrderBy(v => v));
        Assert.Equal(BpfMapType.Queue, new QueueMap<int>(8).MapType);
        Assert.Equal(BpfMapType.DevmapHash, new DevmapHashMap().MapType);
    }

    [Fact]
    public void Every_map_type_names_its_map_class_in_the_spec()
    {
        var classes = typeof(BpfMap).Assembly.GetTypes()
            .Where(t => Attribute.IsDefined(t, typeof(BpfMapClassAttribute)))
            .ToDictionary(t => t.Name.Split('`')[0], t => (int)((BpfMapClassAttribute)Attribute.GetCustomAttribute(t, typeof(BpfMapClassAttribute))!).MapType);
        var named = KernelTypes.MapTypes.Members.Where(m => m.MapClass != null).ToArray();

        Assert.Equal(classes.Keys.OrderBy(k => k), named.Select(m => m.MapClass!).OrderBy(k => k));
        Assert.All(named, m => Assert.Equal(m.Value, classes[m.MapClass!]));
        Assert.All(KernelTypes.MapTypes.Members.Where(m => m.Value != 0), m => Assert.Contains(KernelTypes.MapTypes.Members, n => n.Value == m.Value && n.MapClass != null));
    }

    [Fact]
    public void Every_map_class_takes_the_key_and_value_types_its_kind_says()
    {
        // A class has a TKey exactly when the program chooses the key (any type, or an LPM trie's prefix and data), and a
        // TValue exactly when it chooses the value: the compiler relies on it to write the BTF map definition.
        var classes = typeof(BpfMap).Assembly.GetTypes()
            .Where(t => Attribute.IsDefined(t, typeof(BpfMapClassAttribute)))
            .ToDictionary(t => t.Name.Split('`')[0], t => t.GetGenericArguments().Select(a => a.Name).ToArray());
        var named = KernelTypes.MapTypes.Members.Where(m => m.MapClass != null).ToArray();
        Assert.Equal(named.Length, named.Count(m => m.MapKind != null));
        Assert.All(named, m =>
        {
            var kind = m.MapKind!;
            var parameters = classes[m.MapClass!];
            Assert.True(parameters.Contains("TKey") == kind.Key is MapKeyKind.Any or MapKeyKind.Prefix, $"{m.Name}: key {kind.Key}, class {m.MapClass}<{string.Join(", ", parameters)}>");
            Assert.True(parameters.Contains("TValue") == (kind.Value == MapValueKind.Any), $"{m.Name}: value {kind.Value}, class {m.MapClass}<{string.Join(", ", parameters)}>");
        });
    }

    [Fact]
    public void The_map_kind_table_reads_its_columns()
    {
        Assert.True(KernelTypes.MapKindOf((int)BpfMapType.LruPercpuHash).PerCpu);
        Assert.False(KernelTypes.MapKindOf((int)BpfMapType.LruHash).PerCpu);
        Assert.Equal(MapValueKind.PerfEvent, KernelTypes.MapKindOf((int)BpfMapType.PerfEventArray).Value);
        Assert.Equal(MapEntriesRule.Cpus, KernelTypes.MapKindOf((int)BpfMapType.PerfEventArray).Entries);
        Assert.Equal(MapKind.NoPreallocFlag, KernelTypes.MapKindOf((int)BpfMapType.TaskStorage).RequiredFlags);
        Assert.Equal(MapKind.MemoryMappableFlag, KernelTypes.MapKindOf((int)BpfMapType.Arena).RequiredFlags);
        Assert.False(KernelTypes.MapKindOf((int)BpfMapType.Sockhash).TakesBtf);
        Assert.Equal(8, KernelTypes.MapKindOf((int)BpfMapType.Sockhash).FixedValueSize);
        Assert.True(KernelTypes.MapKindOf((int)BpfMapType.StructOps).IsKernelMade);
        // Every named type has a kind; a type newer than the table reads as one the program shapes.
        Assert.All(KernelTypes.MapTypes.Members.Where(m => m.MapClass != null), m => Assert.NotNull(m.MapKind));
        Assert.Equal(MapKeyKind.Any, KernelTypes.MapKindOf(1000).Key);
    }

    [Fact]
    public void Every_row_of_the_section_table_resolves_to_its_own_program_type()
    {
        foreach (var definition in SectionNames.All)
        {
            var examples = definition.Pattern.EndsWith('+') ? new[] { definition.Prefix, definition.Prefix + "/target" } : [definition.Pattern];
            foreach (var example in examples)
            {
                var resolved = SectionNames.Resolve(example);
                Assert.NotNull(resolved);
                Assert.Equal(definition.ProgramType, resolved!.ProgramType);
            }
        }

        Assert.True(SectionNames.All.Count >= 100, $"{SectionNames.All.Count} section names");
    }

    [Theory]
    [InlineData("xdp", "BPF_PROG_TYPE_XDP")]
    [InlineData("xdp.frags", "BPF_PROG_TYPE_XDP")]
    [InlineData("xdp/devmap", "BPF_PROG_TYPE_XDP")]
    [InlineData("kprobe/do_unlinkat", "BPF_PROG_TYPE_KPROBE")]
    [InlineData("kprobe", "BPF_PROG_TYPE_KPROBE")]
    [InlineData("kretprobe/do_unlinkat", "BPF_PROG_TYPE_KPROBE")]
    [InlineData("uprobe.s//bin/bash:readline", "BPF_PROG_TYPE_KPROBE")]
    [InlineData("tracepoint/syscalls/sys_enter_openat", "BPF_PROG_TYPE_TRACEPOINT")]
    [InlineData("tp/syscalls/sys_enter_openat", "BPF_PROG_TYPE_TRACEPOINT")]
    [InlineData("raw_tp/sched_switch", "BPF_PROG_TYPE_RAW_TRACEPOINT")]
    [InlineData("raw_tp.w/sched_switch", "BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE")]
    [InlineData("socket", "BPF_PROG_TYPE_SOCKET_FILTER")]
    [InlineData("tc", "BPF_PROG_TYPE_SCHED_CLS")]
    [InlineData("tc/ingress", "BPF_PROG_TYPE_SCHED_CLS")]
    [InlineData("classifier", "BPF_PROG_TYPE_SCHED_CLS")]
    [InlineData("action", "BPF_PROG_TYPE_SCHED_ACT")]
    [InlineData("cgroup_skb/ingress", "BPF_PROG_TYPE_CGROUP_SKB")]
    [InlineData("cgroup/connect4", "BPF_PROG_TYPE_CGROUP_SOCK_ADDR")]
    [InlineData("perf_event", "BPF_PROG_TYPE_PERF_EVENT")]
    [InlineData("fentry/do_unlinkat", "BPF_PROG_TYPE_TRACING")]
    [InlineData("fentry.s/do_unlinkat", "BPF_PROG_TYPE_TRACING")]
    [InlineData("iter/task", "BPF_PROG_TYPE_TRACING")]
    [InlineData("lsm/file_open", "BPF_PROG_TYPE_LSM")]
    [InlineData("struct_ops/tcp_init", "BPF_PROG_TYPE_STRUCT_OPS")]
    [InlineData("freplace/handler", "BPF_PROG_TYPE_EXT")]
    [InlineData("syscall", "BPF_PROG_TYPE_SYSCALL")]
    [InlineData("sk_lookup", "BPF_PROG_TYPE_SK_LOOKUP")]
    [InlineData("netfilter", "BPF_PROG_TYPE_NETFILTER")]
    public void Section_names_resolve_as_libbpf_resolves_them(string section, string programType)
    {
        Assert.Equal(programType, SectionNames.Resolve(section)?.ProgramType);
    }

    [Theory]
    [InlineData("")]
    [InlineData("XDP")]
    [InlineData("xdpx")]
    [InlineData("kprobeX/foo")]
    [InlineData("tc/foo")]
    [InlineData("socket/extra")]
    [InlineData("cgroup_skb")]
    public void Unknown_section_names_do_not_resolve(string section)
    {
        Assert.Null(SectionNames.Resolve(section));
    }

    [Fact]
    public void Every_section_pattern_names_a_known_program_type()
    {
        Assert.All(SectionNames.All, s => Assert.NotNull(KernelTypes.ProgramTypes.FindByName(s.ProgramType)));
        Assert.True(SectionNames.Resolve("fentry.s/x")!.IsSleepable);
        Assert.True(SectionNames.Resolve("fentry/x")!.RequiresTarget);
    }
}
