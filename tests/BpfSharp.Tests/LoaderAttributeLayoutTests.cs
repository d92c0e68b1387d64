using System;
using System.Linq;
using BpfSharp.Loader.Native;
using Xunit;

namespace BpfSharp.Tests;

/// <summary>
/// The structs the loader passes to bpf(2) and perf_event_open(2) have the kernel's sizes and field offsets
/// (include/uapi/linux/bpf.h, perf_event.h): a field one byte off would reach the kernel as another field.
/// </summary>
public unsafe class LoaderAttributeLayoutTests
{
    [Fact]
    public void Map_commands_have_the_kernel_layout()
    {
        var create = default(MapCreateAttributes);
        var at = (byte*)&create;
        Layout(72, sizeof(MapCreateAttributes),
            ("map_type", 0, (byte*)&create.MapType - at),
            ("key_size", 4, (byte*)&create.KeySize - at),
            ("value_size", 8, (byte*)&create.ValueSize - at),
            ("max_entries", 12, (byte*)&create.MaxEntries - at),
            ("map_flags", 16, (byte*)&create.MapFlags - at),
            ("inner_map_fd", 20, (byte*)&create.InnerMapFd - at),
            ("map_name", 28, (byte*)&create.MapName - at),
            ("btf_fd", 48, (byte*)&create.BtfFd - at),
            ("btf_key_type_id", 52, (byte*)&create.BtfKeyTypeId - at),
            ("btf_value_type_id", 56, (byte*)&create.BtfValueTypeId - at),
            ("btf_vmlinux_value_type_id", 60, (byte*)&create.BtfVmlinuxValueTypeId - at),
            ("map_extra", 64, (byte*)&create.MapExtra - at));

        var element = default(MapElementAttributes);
        at = (byte*)&element;
        Layout(32, sizeof(MapElementAttributes),
            ("map_fd", 0, (byte*)&element.MapFd - at),
            ("key", 8, (byte*)&element.Key - at),
            ("value", 16, (byte*)&element.Value - at),
            ("next_key", 16, (byte*)&element.NextKey - at),
            ("flags", 24, (byte*)&element.Flags - at));

        var batch = default(MapBatchAttributes);
        at = (byte*)&batch;
        Layout(56, sizeof(MapBatchAttributes),
            ("in_batch", 0, (byte*)&batch.InBatch - at),
            ("out_batch", 8, (byte*)&batch.OutBatch - at),
            ("keys", 16, (byte*)&batch.Keys - at),
            ("values", 24, (byte*)&batch.Values - at),
            ("count", 32, (byte*)&batch.Count - at),
            ("map_fd", 36, (byte*)&batch.MapFd - at),
            ("elem_flags", 40, (byte*)&batch.ElemFlags - at),
            ("flags", 48, (byte*)&batch.Flags - at));

        Assert.Equal(8, sizeof(MapFreezeAttributes));
    }

    [Fact]
    public void Object_commands_and_map_info_have_the_kernel_layout()
    {
        var path = default(ObjectPathAttributes);
        var at = (byte*)&path;
        Layout(16, sizeof(ObjectPathAttributes),
            ("pathname", 0, (byte*)&path.Pathname - at),
            ("bpf_fd", 8, (byte*)&path.BpfFd - at),
            ("file_flags", 12, (byte*)&path.FileFlags - at));

        var info = default(ObjectInfoAttributes);
        at = (byte*)&info;
        Layout(16, sizeof(ObjectInfoAttributes),
            ("bpf_fd", 0, (byte*)&info.BpfFd - at),
            ("info_len", 4, (byte*)&info.InfoLen - at),
            ("info", 8, (byte*)&info.Info - at));

        var map = default(BpfMapInfo);
        at = (byte*)&map;
        Layout(88, sizeof(BpfMapInfo),
            ("type", 0, (byte*)&map.Type - at),
            ("key_size", 8, (byte*)&map.KeySize - at),
            ("value_size", 12, (byte*)&map.ValueSize - at),
            ("max_entries", 16, (byte*)&map.MaxEntries - at),
            ("map_flags", 20, (byte*)&map.MapFlags - at),
            ("name", 24, (byte*)&map.Name - at),
            ("netns_dev", 48, (byte*)&map.NetnsDev - at),
            ("btf_id", 64, (byte*)&map.BtfId - at),
            ("map_extra", 80, (byte*)&map.MapExtra - at));
    }

    [Fact]
    public void Program_and_btf_commands_have_the_kernel_layout()
    {
        var load = default(ProgramLoadAttributes);
        var at = (byte*)&load;
        Layout(128, sizeof(ProgramLoadAttributes),
            ("prog_type", 0, (byte*)&load.ProgType - at),
            ("insn_cnt", 4, (byte*)&load.InsnCnt - at),
            ("insns", 8, (byte*)&load.Insns - at),
            ("license", 16, (byte*)&load.License - at),
            ("log_level", 24, (byte*)&load.LogLevel - at),
            ("log_size", 28, (byte*)&load.LogSize - at),
            ("log_buf", 32, (byte*)&load.LogBuf - at),
            ("prog_flags", 44, (byte*)&load.ProgFlags - at),
            ("prog_name", 48, (byte*)&load.ProgName - at),
            ("expected_attach_type", 68, (byte*)&load.ExpectedAttachType - at),
            ("prog_btf_fd", 72, (byte*)&load.ProgBtfFd - at),
            ("func_info_rec_size", 76, (byte*)&load.FuncInfoRecSize - at),
            ("func_info", 80, (byte*)&load.FuncInfo - at),
            ("func_info_cnt", 88, (byte*)&load.FuncInfoCnt - at),
            ("line_info_rec_size", 92, (byte*)&load.LineInfoRecSize - at),
            ("line_info", 96, (byte*)&load.LineInfo - at),
            ("line_info_cnt", 104, (byte*)&load.LineInfoCnt - at),
            ("attach_btf_id", 108, (byte*)&load.AttachBtfId - at),
            ("attach_prog_fd", 112, (byte*)&load.AttachProgFd - at),
            ("fd_array", 120, (byte*)&load.FdArray - at));

        Assert.Equal(8, sizeof(BpfFunctionInfo));
        var line = default(BpfLineInfo);
        at = (byte*)&line;
        Layout(16, sizeof(BpfLineInfo),
            ("insn_off", 0, (byte*)&line.InsnOff - at),
            ("file_name_off", 4, (byte*)&line.FileNameOff - at),
            ("line_off", 8, (byte*)&line.LineOff - at),
            ("line_col", 12, (byte*)&line.LineCol - at));

        var test = default(ProgramTestRunAttributes);
        at = (byte*)&test;
        Layout(80, sizeof(ProgramTestRunAttributes),
            ("prog_fd", 0, (byte*)&test.ProgFd - at),
            ("retval", 4, (byte*)&test.Retval - at),
            ("data_size_in", 8, (byte*)&test.DataSizeIn - at),
            ("data_size_out", 12, (byte*)&test.DataSizeOut - at),
            ("data_in", 16, (byte*)&test.DataIn - at),
            ("data_out", 24, (byte*)&test.DataOut - at),
            ("repeat", 32, (byte*)&test.Repeat - at),
            ("duration", 36, (byte*)&test.Duration - at),
            ("ctx_size_in", 40, (byte*)&test.CtxSizeIn - at),
            ("ctx_size_out", 44, (byte*)&test.CtxSizeOut - at),
            ("ctx_in", 48, (byte*)&test.CtxIn - at),
            ("ctx_out", 56, (byte*)&test.CtxOut - at),
            ("batch_size", 72, (byte*)&test.BatchSize - at));

        var btf = default(BtfLoadAttributes);
        at = (byte*)&btf;
        Layout(32, sizeof(BtfLoadAttributes),
            ("btf", 0, (byte*)&btf.Btf - at),
            ("btf_log_buf", 8, (byte*)&btf.BtfLogBuf - at),
            ("btf_size", 16, (byte*)&btf.BtfSize - at),
            ("btf_log_size", 20, (byte*)&btf.BtfLogSize - at),
            ("btf_log_level", 24, (byte*)&btf.BtfLogLevel - at));
    }

    [Fact]
    public void Attach_commands_and_perf_events_have_the_kernel_layout()
    {
        var raw = default(RawTracepointOpenAttributes);
        var at = (byte*)&raw;
        Layout(16, sizeof(RawTracepointOpenAttributes),
            ("name", 0, (byte*)&raw.Name - at),
            ("prog_fd", 8, (byte*)&raw.ProgFd - at));

        var link = default(LinkCreateAttributes);
        at = (byte*)&link;
        Layout(64, sizeof(LinkCreateAttributes),
            ("prog_fd", 0, (byte*)&link.ProgFd - at),
            ("target_fd", 4, (byte*)&link.TargetFd - at),
            ("target_ifindex", 4, (byte*)&link.TargetIfindex - at),
            ("attach_type", 8, (byte*)&link.AttachType - at),
            ("flags", 12, (byte*)&link.Flags - at),
            ("target_btf_id", 16, (byte*)&link.TargetBtfId - at),
            ("perf_event.bpf_cookie", 16, (byte*)&link.PerfEventBpfCookie - at));

        var perf = default(PerfEventAttributes);
        at = (byte*)&perf;
        Layout(128, sizeof(PerfEventAttributes),
            ("type", 0, (byte*)&perf.Type - at),
            ("size", 4, (byte*)&perf.Size - at),
            ("config", 8, (byte*)&perf.Config - at),
            ("sample_period", 16, (byte*)&perf.SamplePeriod - at),
            ("sample_type", 24, (byte*)&perf.SampleType - at),
            ("the flag bits", 40, (byte*)&perf.Flags - at),
            ("wakeup_events", 48, (byte*)&perf.WakeupEvents - at),
            ("config1", 56, (byte*)&perf.Config1 - at),
            ("config2", 64, (byte*)&perf.Config2 - at),
            ("clockid", 92, (byte*)&perf.Clockid - at),
            ("sample_max_stack", 108, (byte*)&perf.SampleMaxStack - at),
            ("sig_data", 120, (byte*)&perf.SigData - at));
    }

    [Theory]
    [InlineData(null, "")]
    [InlineData("handle_exec", "handle_exec")]
    [InlineData("a_name_of_twenty_chars", "a_name_of_twent")]
    public void Object_names_keep_at_most_15_bytes_and_the_terminating_zero(string? name, string expected)
    {
        var bytes = ObjectName.From(name);
        ReadOnlySpan<byte> span = bytes;
        Assert.Equal(16, span.Length);
        Assert.Equal(0, span[15]);
        Assert.Equal(expected, KernelObjects.CString(span));
    }

    // Names with offsets, so that a failure says which field moved.
    private static void Layout(int expectedSize, int size, params (string Field, int Expected, long Actual)[] fields)
    {
        Assert.Equal(expectedSize, size);
        Assert.Equal(fields.Select(f => (f.Field, (long)f.Expected)), fields.Select(f => (f.Field, f.Actual)));
    }
}
