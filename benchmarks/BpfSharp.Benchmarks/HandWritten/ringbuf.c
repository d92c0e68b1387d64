// The C side of the "ringbuf" benchmark: libbpf's ring_buffer__consume over the records test runs produced.
// Usage: ringbuf <object> <records per round> <rounds>; prints the ns per record of each round.
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

struct record {
    unsigned long long sequence;
    unsigned long long value;
};

static int handle(void *context, void *data, size_t size)
{
    *(unsigned long long *)context += ((struct record *)data)->value;
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 4) { fprintf(stderr, "usage: ringbuf <object> <records> <rounds>\n"); return 2; }
    int count = atoi(argv[2]), rounds = atoi(argv[3]);
    struct bpf_object *object = bpf_object__open_file(argv[1], NULL);
    if (!object || bpf_object__load(object)) { fprintf(stderr, "could not load %s\n", argv[1]); return 1; }
    int program = bpf_program__fd(bpf_object__find_program_by_name(object, "produce"));
    int map = bpf_object__find_map_fd_by_name(object, "records");
    unsigned long long sum = 0;
    struct ring_buffer *ring = ring_buffer__new(map, handle, &sum, NULL);
    if (!ring) { fprintf(stderr, "ring_buffer__new failed\n"); return 1; }
    char packet[64] = { 0 };
    for (int round = 0; round < rounds; round++)
    {
        LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = packet, .data_size_in = sizeof(packet), .repeat = count);
        if (bpf_prog_test_run_opts(program, &opts)) { perror("bpf_prog_test_run_opts"); return 1; }
        struct timespec start, end;
        clock_gettime(CLOCK_MONOTONIC, &start);
        int consumed = ring_buffer__consume(ring);
        clock_gettime(CLOCK_MONOTONIC, &end);
        if (consumed != count) { fprintf(stderr, "consumed %d of %d\n", consumed, count); return 1; }
        printf("%.2f\n", ((end.tv_sec - start.tv_sec) * 1e9 + (end.tv_nsec - start.tv_nsec)) / count);
    }
    ring_buffer__free(ring);
    bpf_object__close(object);
    return sum == 7ULL * count * rounds ? 0 : 1;
}
