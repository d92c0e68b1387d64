#include "common.h"

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, __u64);
} Packets SEC(".maps");

SEC("xdp")
int Count(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *end = (void *)(long)ctx->data_end;
    if (data + 14 > end)
        return XDP_DROP;
    __u32 key = 0;
    __u64 *value = bpf_map_lookup_elem(&Packets, &key);
    if (value)
        __sync_fetch_and_add(value, 1);
    return ((unsigned char *)data)[12] == 0x08 ? XDP_PASS : XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
