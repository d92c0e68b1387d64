// The libbpf side of the "loadcost" benchmark: open, load and close an object N times; prints ns per round.
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <bpf/libbpf.h>

static int quiet(enum libbpf_print_level level, const char *format, va_list args) { return 0; }

int main(int argc, char **argv)
{
	if (argc != 3)
		return 2;
	libbpf_set_print(quiet);
	long rounds = atol(argv[2]);
	struct timespec start, end;
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (long i = 0; i < rounds; i++) {
		struct bpf_object *obj = bpf_object__open_file(argv[1], NULL);
		if (!obj || bpf_object__load(obj)) {
			fprintf(stderr, "cannot load %s\n", argv[1]);
			return 1;
		}
		bpf_object__close(obj);
	}
	clock_gettime(CLOCK_MONOTONIC, &end);
	printf("%.1f\n", ((end.tv_sec - start.tv_sec) * 1e9 + (end.tv_nsec - start.tv_nsec)) / rounds);
	return 0;
}
