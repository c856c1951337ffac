/* libFuzzer target: the structural validator and the checked interpreter.
 * Input: instructions (8 bytes each) after a 1-byte header choosing the ISA
 * level and a 64-byte memory image. Whatever validates is run in checked
 * mode with an instruction budget: a crash or a sanitizer report is a bug
 * (checked mode must stop every bad access with an error). */
#include <bpfvm/bpfvm.h>
#include <stdint.h>
#include <string.h>

static uint64_t helper_id5(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e, struct bpfvm_run *run)
{
	return a + b;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct bpfvm *vm;
	if (!vm) {
		vm = bpfvm_new();
		struct bpfvm_helper_proto p = { .name = "fuzz5", .fn = helper_id5 };
		bpfvm_register_helper(vm, 5, &p);
	}
	if (size < 1 + 64)
		return 0;
	int isa = data[0] % 3;
	uint8_t mem[64];
	memcpy(mem, data + 1, sizeof(mem));
	data += 65;
	size -= 65;
	size_t n = size / 8;
	if (n == 0 || n > 4096)
		return 0;
	struct bpf_insn insns[4096];
	memcpy(insns, data, n * 8);
	struct bpfvm_exec_opts o = { .sz = sizeof(o), .isa = (enum bpfvm_isa)isa, .insn_limit = 10000 };
	struct bpfvm_exec *e;
	char err[256];
	if (bpfvm_exec_new(vm, insns, n, &o, &e, err, sizeof(err)) == 0) {
		uint64_t r0;
		bpfvm_exec_run(e, mem, sizeof(mem), &r0, err, sizeof(err));
		bpfvm_exec_free(e);
	}
	return 0;
}
