/* libFuzzer target: BPF_BTF_LOAD through bpfvm_bpf() with the input as the
 * blob, and what uses a BTF object once loaded: OBJ_GET_INFO_BY_FD (the
 * blob must come back byte for byte), BTF_GET_FD_BY_ID, MAP_CREATE with
 * key/value type ids from the input (map_check_btf, bpf_spin_lock
 * search), and PROG_LOAD with func_info/line_info records naming types
 * and strings of the blob. One vm per input, every fd closed: LSan sees
 * any object the vm leaks.
 *
 * Input: 8 control bytes, then the blob.
 *   [0] log: bits 0-1 level (0, 1, 2, 3), bits 2-4 size (0, 1, 127, 128,
 *       200, 1024, the whole buffer, 2^24: above the kernel's limit),
 *       bit 5 no buffer
 *   [1] map type (of a list), bits 4-7 max_entries - 1
 *   [2] key type id, [3] value type id
 *   [4] bit 0: key_size is the key type's size (else [5]), bit 1: value
 *       size is the value type's (else [6]), bit 2: PROG_LOAD with
 *       func_info, bit 3: with line_info, bit 4: BPF_F_NO_PREALLOC,
 *       bit 5: a BPF-to-BPF call (two subprograms), bit 6: info with a
 *       short btf_size
 *   [5] key_size, [6] value_size (when not taken from the types)
 *   [7] func_info type id (the second function's: [7] + 1); line_info
 *       string offsets [7] and [7] * 2
 * Seeds: tests/fuzz/btf_corpus.sh (hand-built blobs, and .BTF of clang -g
 * objects).
 */
#include <bpfvm/bpfvm.h>
#include "btf/btf.h"
#include "sys/sys.h"
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOGBUF 65536u

static char logbuf[LOGBUF];

#define FAIL(...) do { fprintf(stderr, "fuzz_btf: " __VA_ARGS__); fputc('\n', stderr); __builtin_trap(); } while (0)

static int sys(struct bpfvm *vm, int cmd, union bpf_attr *a)
{
	int rc = bpfvm_bpf(vm, cmd, a, sizeof(*a));
	return rc < 0 ? -errno : rc;
}

/* A type's size as the map check computes it, or the fallback byte. */
static uint32_t type_size(struct bpfvm *vm, int btf_fd, uint32_t id, uint32_t fallback)
{
	struct bpfvm_file f;
	if (bpfvm_fd_get(vm, btf_fd, FILE_BTF, &f) < 0)
		FAIL("BTF_LOAD's fd %d is not a BTF fd", btf_fd);
	int64_t sz = bpfvm_btf_type_size(f.obj, id, NULL);
	bpfvm_btf_put(f.obj);
	return sz >= 0 && sz <= (1 << 16) ? (uint32_t)sz : fallback;
}

static void check_info(struct bpfvm *vm, int fd, const uint8_t *blob, uint32_t size, int shorter)
{
	uint32_t want = shorter && size ? size / 2 : size;
	uint8_t *copy = malloc(want ? want : 1);
	if (!copy)
		return;
	struct bpf_btf_info info;
	memset(&info, 0, sizeof(info));
	info.btf = (uint64_t)(uintptr_t)copy;
	info.btf_size = want;
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.info.bpf_fd = (uint32_t)fd;
	a.info.info_len = sizeof(info);
	a.info.info = (uint64_t)(uintptr_t)&info;
	int rc = sys(vm, BPF_OBJ_GET_INFO_BY_FD, &a);
	if (rc != 0)
		FAIL("OBJ_GET_INFO_BY_FD on a BTF fd: %d", rc);
	if (info.btf_size != size || memcmp(copy, blob, want) || !info.id || a.info.info_len != sizeof(info))
		FAIL("BTF info: size %u (loaded %u), id %u, the blob %s", info.btf_size, size, info.id,
		     memcmp(copy, blob, want) ? "differs" : "is the same");
	/* by id: a second fd of the same object */
	memset(&a, 0, sizeof(a));
	a.btf_id = info.id;
	int fd2 = sys(vm, BPF_BTF_GET_FD_BY_ID, &a);
	if (fd2 < 0)
		FAIL("BTF_GET_FD_BY_ID %u: %d", info.id, fd2);
	bpfvm_close(vm, fd2);
	free(copy);
}

static void try_map(struct bpfvm *vm, int btf_fd, const uint8_t *c)
{
	static const uint32_t types[] = {
		BPF_MAP_TYPE_HASH, BPF_MAP_TYPE_ARRAY, BPF_MAP_TYPE_PERCPU_ARRAY, BPF_MAP_TYPE_PERCPU_HASH,
		BPF_MAP_TYPE_LRU_HASH, BPF_MAP_TYPE_LRU_PERCPU_HASH, BPF_MAP_TYPE_LPM_TRIE, BPF_MAP_TYPE_QUEUE,
		BPF_MAP_TYPE_STACK, BPF_MAP_TYPE_PROG_ARRAY, BPF_MAP_TYPE_STACK_TRACE, BPF_MAP_TYPE_PERF_EVENT_ARRAY,
		BPF_MAP_TYPE_CGROUP_STORAGE, BPF_MAP_TYPE_HASH, BPF_MAP_TYPE_ARRAY, BPF_MAP_TYPE_HASH,
	};
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_type = types[c[1] & 15];
	a.max_entries = 1 + (c[1] >> 4);
	a.btf_fd = (uint32_t)btf_fd;
	a.btf_key_type_id = c[2];
	a.btf_value_type_id = c[3];
	a.key_size = c[4] & 1 ? type_size(vm, btf_fd, c[2], c[5]) : c[5];
	a.value_size = c[4] & 2 ? type_size(vm, btf_fd, c[3], c[6]) : c[6];
	if (c[4] & 16)
		a.map_flags = BPF_F_NO_PREALLOC;
	int fd = sys(vm, BPF_MAP_CREATE, &a);
#ifdef FUZZ_BTF_DEBUG
	fprintf(stderr, "MAP_CREATE type %u key %u/%u value %u/%u: %d\n", a.map_type, a.btf_key_type_id, a.key_size,
		a.btf_value_type_id, a.value_size, fd);
#endif
	if (fd < 0)
		return;
	struct bpf_map_info info;
	memset(&info, 0, sizeof(info));
	union bpf_attr q;
	memset(&q, 0, sizeof(q));
	q.info.bpf_fd = (uint32_t)fd;
	q.info.info_len = sizeof(info);
	q.info.info = (uint64_t)(uintptr_t)&info;
	/* (both ids 0: a map without BTF) */
	if (sys(vm, BPF_OBJ_GET_INFO_BY_FD, &q) != 0 || !info.btf_id != !(c[2] || c[3]) ||
	    info.btf_key_type_id != c[2] || info.btf_value_type_id != c[3])
		FAIL("map info after MAP_CREATE with BTF: btf_id %u key %u value %u", info.btf_id,
		     info.btf_key_type_id, info.btf_value_type_id);
	/* the map now holds the BTF: use it a little */
	uint8_t key[1 << 16], value[1 << 16];
	if (a.key_size <= sizeof(key) && a.value_size * 8 <= sizeof(value)) {
		memset(key, 0, sizeof(key));
		memset(value, 0, sizeof(value));
		memset(&q, 0, sizeof(q));
		q.map_fd = (uint32_t)fd;
		q.key = a.key_size ? (uint64_t)(uintptr_t)key : 0;
		q.value = (uint64_t)(uintptr_t)value;
		sys(vm, BPF_MAP_UPDATE_ELEM, &q);
		q.flags = BPF_F_LOCK;
		sys(vm, BPF_MAP_UPDATE_ELEM, &q);
		sys(vm, BPF_MAP_LOOKUP_ELEM, &q);
		q.flags = 0;
		sys(vm, BPF_MAP_LOOKUP_ELEM, &q);
	}
	bpfvm_close(vm, fd);
}

static void try_prog(struct bpfvm *vm, int btf_fd, const uint8_t *c)
{
	/* r0 = 0; [call +1;] exit; [r0 = 1; exit] */
	struct bpf_insn p[5];
	uint32_t n = 0;
	memset(p, 0, sizeof(p));
	p[n++] = (struct bpf_insn){ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 0 };
	int call = c[4] & 32;
	if (call)
		p[n++] = (struct bpf_insn){ .code = BPF_JMP | BPF_CALL, .src_reg = BPF_PSEUDO_CALL, .imm = 1 };
	p[n++] = (struct bpf_insn){ .code = BPF_JMP | BPF_EXIT };
	if (call) {
		p[n++] = (struct bpf_insn){ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 1 };
		p[n++] = (struct bpf_insn){ .code = BPF_JMP | BPF_EXIT };
	}
	struct bpf_func_info fi[2] = { { 0, c[7] }, { 3, c[7] + 1u } };
	struct bpf_line_info li[2] = { { 0, c[7], c[7] * 2u, 1 << 10 }, { 3, c[7], c[7], 2 << 10 } };
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
	a.insns = (uint64_t)(uintptr_t)p;
	a.insn_cnt = n;
	a.license = (uint64_t)(uintptr_t)"GPL";
	a.prog_btf_fd = (uint32_t)btf_fd;
	if (c[4] & 4) {
		a.func_info = (uint64_t)(uintptr_t)fi;
		a.func_info_rec_size = sizeof(fi[0]);
		a.func_info_cnt = call ? 2 : 1;
	}
	if (c[4] & 8) {
		a.line_info = (uint64_t)(uintptr_t)li;
		a.line_info_rec_size = sizeof(li[0]);
		a.line_info_cnt = call ? 2 : 1;
	}
	a.log_buf = (uint64_t)(uintptr_t)logbuf;
	a.log_size = LOGBUF;
	a.log_level = 1;
	int fd = sys(vm, BPF_PROG_LOAD, &a);
#ifdef FUZZ_BTF_DEBUG
	fprintf(stderr, "PROG_LOAD func_info %u line_info %u: %d %s\n", a.func_info_cnt, a.line_info_cnt, fd, logbuf);
#endif
	if (fd < 0)
		return;
	/* what was accepted comes back in prog info */
	struct bpf_prog_info info;
	struct bpf_func_info fo[2];
	struct bpf_line_info lo[2];
	memset(&info, 0, sizeof(info));
	info.nr_func_info = 2;
	info.func_info = (uint64_t)(uintptr_t)fo;
	info.nr_line_info = 2;
	info.line_info = (uint64_t)(uintptr_t)lo;
	union bpf_attr q;
	memset(&q, 0, sizeof(q));
	q.info.bpf_fd = (uint32_t)fd;
	q.info.info_len = sizeof(info);
	q.info.info = (uint64_t)(uintptr_t)&info;
	if (sys(vm, BPF_OBJ_GET_INFO_BY_FD, &q) != 0 || info.nr_func_info != a.func_info_cnt ||
	    info.nr_line_info != a.line_info_cnt || (a.func_info_cnt && !info.btf_id))
		FAIL("prog info after PROG_LOAD with BTF: func_info %u/%u line_info %u/%u btf_id %u", info.nr_func_info,
		     a.func_info_cnt, info.nr_line_info, a.line_info_cnt, info.btf_id);
	bpfvm_close(vm, fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint32_t log_sizes[] = { 0, 1, 127, 128, 200, 1024, LOGBUF, 1u << 24 };
	if (size < 8)
		return 0;
	const uint8_t *c = data, *blob = data + 8;
	uint32_t blen = (uint32_t)(size - 8);
	struct bpfvm *vm = bpfvm_new();
	if (!vm)
		return 0;
	/* the blob in a buffer of its own size: ASan sees a read past it */
	uint8_t *copy = malloc(blen ? blen : 1);
	if (!copy) {
		bpfvm_free(vm);
		return 0;
	}
	memcpy(copy, blob, blen);
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.btf = (uint64_t)(uintptr_t)copy;
	a.btf_size = blen;
	a.btf_log_level = c[0] & 3;
	a.btf_log_size = log_sizes[(c[0] >> 2) & 7];
	a.btf_log_buf = c[0] & 32 ? 0 : (uint64_t)(uintptr_t)logbuf;
	int fd = sys(vm, BPF_BTF_LOAD, &a);
#ifdef FUZZ_BTF_DEBUG
	fprintf(stderr, "BTF_LOAD of %u bytes: %d %s\n", blen, fd, a.btf_log_buf ? logbuf : "");
#endif
	if (fd >= 0) {
		if (memcmp(copy, blob, blen))
			FAIL("BTF_LOAD wrote into the caller's blob");
		check_info(vm, fd, blob, blen, c[4] & 64);
		try_map(vm, fd, c);
		if (c[4] & 12)
			try_prog(vm, fd, c);
		if (bpfvm_close(vm, fd) != 0)
			FAIL("close of the BTF fd");
	} else if (fd == -ENOSPC) {
		/* valid BTF with too small a log: it must load without one */
		a.btf_log_level = 0;
		a.btf_log_size = 0;
		a.btf_log_buf = 0;
		fd = sys(vm, BPF_BTF_LOAD, &a);
		if (fd < 0)
			FAIL("ENOSPC with a log, then %d without", fd);
		bpfvm_close(vm, fd);
	} else if (a.btf_log_level && a.btf_log_buf && a.btf_log_size >= 128 && a.btf_log_size <= LOGBUF) {
		/* a refusal with a usable log says why, NUL-terminated inside it */
		if (!memchr(logbuf, 0, a.btf_log_size))
			FAIL("log not terminated");
	}
	free(copy);
	bpfvm_free(vm);
	return 0;
}
