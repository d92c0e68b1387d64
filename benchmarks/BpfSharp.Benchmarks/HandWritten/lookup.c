// The C side of the "lookup" benchmark: the same map lookup through libbpf (bpf_map_lookup_elem), timed in a loop.
#include <bpf/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv)
{
    long count = argc > 1 ? atol(argv[1]) : 1000000;
    int fd = bpf_map_create(BPF_MAP_TYPE_HASH, "lookup", 4, 8, 64, NULL);
    if (fd < 0) { perror("bpf_map_create"); return 1; }
    unsigned int key = 17;
    unsigned long long value = 42, read = 0;
    if (bpf_map_update_elem(fd, &key, &value, BPF_ANY)) { perror("bpf_map_update_elem"); return 1; }
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (long i = 0; i < count; i++)
    {
        if (bpf_map_lookup_elem(fd, &key, &read) || read != 42) { fprintf(stderr, "lookup failed\n"); return 1; }
    }
    clock_gettime(CLOCK_MONOTONIC, &end);
    printf("%.1f\n", ((end.tv_sec - start.tv_sec) * 1e9 + (end.tv_nsec - start.tv_nsec)) / count);
    return 0;
}
