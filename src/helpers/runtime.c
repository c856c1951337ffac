/* Runtime helpers: time, randomness, the CPU, and bpf_trace_printk. */
#include "helpers/builtin.h"
#include "core/vm.h"
#include "interp/interp.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

static uint64_t ktime_get_ns(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5, struct bpfvm_run *run)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* A per-thread generator (the kernel's is per CPU): xorshift128+, seeded
 * from the clock and the thread's stack address on first use. */
static _Thread_local uint64_t rnd_s[2];

static uint64_t get_prandom_u32(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5, struct bpfvm_run *run)
{
	if (!rnd_s[0] && !rnd_s[1]) {
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		rnd_s[0] = (uint64_t)ts.tv_nsec * 0x9e3779b97f4a7c15ull ^ (uint64_t)(uintptr_t)&ts;
		rnd_s[1] = (uint64_t)ts.tv_sec ^ 0xbf58476d1ce4e5b9ull;
	}
	uint64_t a = rnd_s[0], b = rnd_s[1];
	rnd_s[0] = b;
	a ^= a << 23;
	rnd_s[1] = a ^ b ^ (a >> 17) ^ (b >> 26);
	return (uint32_t)((rnd_s[1] + b) >> 32);
}

static uint64_t get_smp_processor_id(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
				     struct bpfvm_run *run)
{
	return run->cpu;
}

static uint64_t get_numa_node_id(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5, struct bpfvm_run *run)
{
	return 0;
}

/* probe_read of a string: the address may be anything the program likes,
 * so it is read through process_vm_readv, which fails cleanly on unmapped
 * memory instead of faulting. */
static int read_str_safely(uint64_t addr, char *buf, size_t size)
{
	size_t n = 0;
	while (n + 1 < size) {
		struct iovec local = { buf + n, 1 }, remote = { (void *)(uintptr_t)(addr + n), 1 };
		if (process_vm_readv(getpid(), &local, 1, &remote, 1, 0) != 1)
			return -EFAULT;
		if (!buf[n])
			return 0;
		n++;
	}
	buf[n] = 0;
	return 0;
}

/* bpf_trace_printk as v5.1: fmt must be NUL-terminated within fmt_size; at
 * most three conversions among %d %i %u %x %ld %li %lu %lx %lld %lli %llu
 * %llx %p %s; anything else is -EINVAL. Returns the bytes written. */
static uint64_t trace_printk(uint64_t fmt_p, uint64_t fmt_size, uint64_t a1, uint64_t a2, uint64_t a3,
			     struct bpfvm_run *run)
{
	const char *fmt = (const char *)(uintptr_t)fmt_p;
	uint64_t args[3] = { a1, a2, a3 };
	char out[512], strbuf[3][64];
	size_t o = 0;
	int nargs = 0;
	if (!fmt_size || fmt[fmt_size - 1])
		return (uint64_t)-EINVAL;
	for (size_t i = 0; fmt[i]; i++) {
		char c = fmt[i];
		if ((c < 0x20 || c > 0x7e) && c != '\n' && c != '\t' && c != '\r')
			return (uint64_t)-EINVAL;
		if (c != '%') {
			if (o + 1 < sizeof(out))
				out[o++] = c;
			continue;
		}
		if (fmt[i + 1] == '%') {
			if (o + 1 < sizeof(out))
				out[o++] = '%';
			i++;
			continue;
		}
		if (nargs >= 3)
			return (uint64_t)-EINVAL;
		int mod = 0;
		i++;
		while (fmt[i] == 'l' && mod < 2) {
			mod++;
			i++;
		}
		char conv = fmt[i];
		char spec[8];
		int k = 0;
		uint64_t v = args[nargs];
		int w = 0;
		size_t room = sizeof(out) - o;
		if (conv == 'p' && mod == 0) {
			w = snprintf(out + o, room, "0x%llx", (unsigned long long)v);
		} else if (conv == 's' && mod == 0) {
			if (read_str_safely(v, strbuf[nargs], sizeof(strbuf[nargs])) < 0)
				strcpy(strbuf[nargs], "");
			w = snprintf(out + o, room, "%s", strbuf[nargs]);
		} else if (conv == 'd' || conv == 'i' || conv == 'u' || conv == 'x') {
			spec[k++] = '%';
			spec[k++] = 'l';
			spec[k++] = 'l';
			spec[k++] = conv;
			spec[k] = 0;
			/* Without l, the argument is an int; with one l, a long
			 * (64-bit here); with two, a long long. */
			if (mod == 0)
				v = (conv == 'd' || conv == 'i') ? (uint64_t)(int64_t)(int32_t)v : (uint32_t)v;
			if (conv == 'd' || conv == 'i')
				w = snprintf(out + o, room, spec, (long long)v);
			else
				w = snprintf(out + o, room, spec, (unsigned long long)v);
		} else {
			return (uint64_t)-EINVAL;
		}
		nargs++;
		if (w > 0)
			o += (size_t)w < room ? (size_t)w : room - 1;
	}
	out[o] = 0;
	struct bpfvm *vm = run->vm;
	vm->trace_fn(vm->trace_user, out, o);
	return o;
}

#define A(x) BPFVM_ARG_##x
const struct bpfvm_helper_def bpfvm_helpers_runtime[] = {
	{ BPF_FUNC_ktime_get_ns, { "ktime_get_ns", ktime_get_ns, BPFVM_RET_INTEGER, { 0 }, 1, 0 } },
	{ BPF_FUNC_trace_printk, { "trace_printk", trace_printk, BPFVM_RET_INTEGER,
				   { A(PTR_TO_MEM), A(CONST_SIZE) }, 1, 0 } },
	{ BPF_FUNC_get_prandom_u32, { "get_prandom_u32", get_prandom_u32, BPFVM_RET_INTEGER, { 0 }, 0, 0 } },
	{ BPF_FUNC_get_smp_processor_id, { "get_smp_processor_id", get_smp_processor_id, BPFVM_RET_INTEGER,
					   { 0 }, 0, 0 } },
	{ BPF_FUNC_get_numa_node_id, { "get_numa_node_id", get_numa_node_id, BPFVM_RET_INTEGER, { 0 }, 0, 0 } },
	{ 0, { 0 } },
};
