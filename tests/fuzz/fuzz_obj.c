/* libFuzzer target: ELF objects through bpfvm_object_open_mem and, when they
 * open, bpfvm_object_load into a fresh vm. Any crash, sanitizer report or
 * leak is a bug: a bad object must give an error message, nothing else.
 *
 * Build and run (as tests/fuzz/run.sh does; objects are larger than its
 * -max_len=8192, so give this target more):
 *   make CC=clang BUILD=build-fuzz OPT=-O1 \
 *        SAN="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" \
 *        build-fuzz/libbpfvm.a
 *   clang -g -O1 -std=c11 -D_GNU_SOURCE -fsanitize=address,undefined -fno-sanitize-recover=all \
 *        -fno-omit-frame-pointer -fsanitize=fuzzer -Iinclude -Isrc -Itests tests/fuzz/fuzz_obj.c \
 *        build-fuzz/libbpfvm.a -lpthread -lm -lelf -lpcap -o build-fuzz/fuzz_obj
 *   sh tests/fuzz/obj_corpus.sh build-fuzz/corpus/fuzz_obj
 *   build-fuzz/fuzz_obj -max_len=65536 -max_total_time=60 build-fuzz/corpus/fuzz_obj
 */
#include <bpfvm/bpfvm.h>
#include <bpfvm/object.h>
#include <stddef.h>
#include <stdint.h>

/* Maps may be as large as the kernel allows (4 GB); loading those says
 * nothing about the loader and only exhausts the fuzzer's memory. */
static int small_maps(const struct bpfvm_object *o)
{
	for (size_t i = 0; i < bpfvm_object_map_count(o); i++) {
		const struct bpfvm_object_map *m = bpfvm_object_map(o, i);
		uint64_t elem = (uint64_t)bpfvm_object_map_key_size(m) + bpfvm_object_map_value_size(m) + 64;
		if (elem * bpfvm_object_map_max_entries(m) * 2 > (64u << 20))
			return 0;
	}
	return 1;
}

static void no_trace(void *user, const char *line, size_t len)
{
	(void)user;
	(void)line;
	(void)len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char log[1 << 16];
	char err[512];
	struct bpfvm *vm = bpfvm_new();
	if (!vm)
		return 0;
	bpfvm_set_trace_sink(vm, no_trace, NULL);
	struct bpfvm_object *obj = bpfvm_object_open_mem(vm, data, size, "fuzz.bpf.o", err, sizeof(err));
	if (obj) {
		if (small_maps(obj))
			bpfvm_object_load(obj, log, sizeof(log));
		bpfvm_object_close(obj);
	}
	bpfvm_free(vm);
	return 0;
}
