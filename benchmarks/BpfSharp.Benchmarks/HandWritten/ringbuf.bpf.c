// The "ringbuf" benchmark's producer: each test run submits one 16-byte record to the ring buffer.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct record {
    __u64 sequence;
    __u64 value;
};

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 8 << 20);
} records SEC(".maps");

__u64 produced;

SEC("socket")
int produce(void *ctx)
{
    struct record r = { .sequence = __sync_fetch_and_add(&produced, 1), .value = 7 };
    bpf_ringbuf_output(&records, &r, sizeof(r), BPF_RB_NO_WAKEUP);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
