#include "common.h"

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 16);
    __type(key, __u32);
    __type(value, __u64);
} Protocols SEC(".maps");

static inline __attribute__((always_inline)) void count(__u32 *key)
{
    __u64 *seen = bpf_map_lookup_elem(&Protocols, key);
    if (seen) {
        __sync_fetch_and_add(seen, 1);
        return;
    }
    __u64 one = 1;
    bpf_map_update_elem(&Protocols, key, &one, BPF_NOEXIST);
}

SEC("tc")
int Classify(struct __sk_buff *skb)
{
    __u8 frame[16] = {0};
    if (bpf_skb_load_bytes(skb, 0, frame, 14) != 0)
        return TC_ACT_OK;
    __u32 kind;
    switch (frame[12]) {
    case 0x08: kind = frame[13] == 0x06 ? 6 : 4; break;
    case 0x86: kind = 6; break;
    default: kind = 0; break;
    }
    count(&kind);
    return kind == 4 && skb->len >= 14 ? TC_ACT_OK : TC_ACT_SHOT;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
