/* Map contents as `bpftool map dump` prints them: key and value in hex
 * (16 bytes a line, groups of 8), one line per entry when both are short,
 * per-CPU values one per CPU; "Found N elements". JSON: bpftool's array of
 * {"key": ["0x00", ...], "value": [...]} ("values" per CPU). Everything
 * is read through BPF_MAP_GET_NEXT_KEY and BPF_MAP_LOOKUP_ELEM. */
#include "objcli.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static void print_hex(const uint8_t *p, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		const char *pfx = !i ? "" : !(i % 16) ? "\n" : !(i % 8) ? "  " : " ";
		printf("%s%02x", pfx, p[i]);
	}
}

static int is_percpu(uint32_t t)
{
	return t == BPF_MAP_TYPE_PERCPU_ARRAY || t == BPF_MAP_TYPE_PERCPU_HASH || t == BPF_MAP_TYPE_LRU_PERCPU_HASH ||
	       t == BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE;
}

static void entry_plain(uint32_t ks, uint32_t vs, int percpu, unsigned ncpus, const uint8_t *key,
			const uint8_t *val, int found)
{
	if (percpu) {
		printf("key:\n");
		print_hex(key, ks);
		printf("\n");
		for (unsigned c = 0; c < ncpus; c++) {
			printf("value (CPU %02u):%c", c, vs > 16 ? '\n' : ' ');
			if (found)
				print_hex(val + c * ((vs + 7) & ~7u), vs);
			else
				printf("<no entry>");
			printf("\n");
		}
		return;
	}
	int brk = ks > 16 || vs > 16, single = ks + vs <= 24 && !brk;
	if (ks) {
		printf("key:%c", brk ? '\n' : ' ');
		print_hex(key, ks);
		printf(single ? "  " : "\n");
	}
	printf("value:%c", brk ? '\n' : ' ');
	if (found)
		print_hex(val, vs);
	else
		printf("<no entry>");
	printf("\n");
}

static void entry_json(struct jw *w, uint32_t ks, uint32_t vs, int percpu, unsigned ncpus, const uint8_t *key,
		       const uint8_t *val, int found)
{
	jw_obj(w);
	jw_key(w, "key");
	jw_hex_bytes(w, key, ks);
	if (!found) {
		jw_key(w, "value");
		jw_null(w);
	} else if (percpu) {
		jw_key(w, "values");
		jw_arr(w);
		for (unsigned c = 0; c < ncpus; c++) {
			jw_obj(w);
			jw_key(w, "cpu");
			jw_u64(w, c);
			jw_key(w, "value");
			jw_hex_bytes(w, val + c * ((vs + 7) & ~7u), vs);
			jw_obj_end(w);
		}
		jw_arr_end(w);
	} else {
		jw_key(w, "value");
		jw_hex_bytes(w, val, vs);
	}
	jw_obj_end(w);
}

static int next_key(struct objcli *s, int fd, const void *key, void *next)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)fd;
	a.key = (uint64_t)(uintptr_t)key;
	a.next_key = (uint64_t)(uintptr_t)next;
	return bpfvm_bpf(s->vm, BPF_MAP_GET_NEXT_KEY, &a, sizeof(a)) < 0 ? -errno : 0;
}

static int lookup(struct objcli *s, int fd, const void *key, void *val)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)fd;
	a.key = (uint64_t)(uintptr_t)key;
	a.value = (uint64_t)(uintptr_t)val;
	return bpfvm_bpf(s->vm, BPF_MAP_LOOKUP_ELEM, &a, sizeof(a)) < 0 ? -errno : 0;
}

static int all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

int objcli_dump_map(struct objcli *s, const struct bpfvm_object_map *m, struct jw *w, int flags)
{
	int header = flags & DUMP_HEADER;
	uint32_t type = bpfvm_object_map_type(m), ks = bpfvm_object_map_key_size(m);
	uint32_t vs = bpfvm_object_map_value_size(m), max = bpfvm_object_map_max_entries(m);
	int fd = bpfvm_object_map_fd(m), percpu = is_percpu(type);
	unsigned ncpus = bpfvm_ncpus(s->vm);
	if (header && !w)
		printf("map %s: %s  key %uB  value %uB  max_entries %u  flags 0x%x\n", bpfvm_object_map_name(m),
		       cli_map_type_name(type), ks, vs, max, bpfvm_object_map_flags(m));
	if (w)
		jw_arr(w);
	int rc = EXIT_OK;
	uint64_t found = 0, zeros = 0;
	/* Arrays always hold max_entries elements: in a run's summary, the
	 * untouched (all-zero) ones would bury the rest. */
	int skip_zero = (flags & DUMP_SKIP_ZERO) && !w &&
			(type == BPF_MAP_TYPE_ARRAY || type == BPF_MAP_TYPE_PERCPU_ARRAY);
	size_t vbytes = (size_t)((vs + 7) & ~7u) * (percpu ? ncpus : 1);
	uint8_t *key = calloc(1, ks + 1), *next = calloc(1, ks + 1);
	uint8_t *val = calloc(1, (size_t)((vs + 7) & ~7u) * (percpu ? ncpus : 1) + 8);
	if (!key || !next || !val) {
		rc = cli_error("out of memory");
	} else if (fd < 0) {
		rc = cli_error("map '%s' is not loaded", bpfvm_object_map_name(m));
	} else if (ks == 0) {
		/* Queues and stacks have no keys to walk: the element that would
		 * come out next is read with a lookup (peek), the rest unseen. */
		int lerr = lookup(s, fd, NULL, val);
		if (lerr && lerr != -ENOENT)
			rc = cli_error("map '%s': peek failed: %s", bpfvm_object_map_name(m), cli_errstr(-lerr));
		else if (!lerr)
			found = 1;
		if (rc == EXIT_OK && w && !lerr)
			entry_json(w, 0, vs, 0, ncpus, key, val, 1);
		else if (rc == EXIT_OK && !lerr) {
			printf("(a %s map has no keys: only its next element is shown)\n", cli_map_type_name(type));
			entry_plain(0, vs, 0, ncpus, key, val, 1);
		}
	} else {
		/* A bound in case the map changes under the walk. */
		uint64_t limit = 2 * (uint64_t)max + 16;
		int err = next_key(s, fd, NULL, next);
		for (uint64_t i = 0; err == 0 && i < limit; i++) {
			memcpy(key, next, ks);
			int lerr = lookup(s, fd, key, val);
			if (lerr && lerr != -ENOENT) {
				rc = cli_error("map '%s': lookup failed: %s", bpfvm_object_map_name(m), cli_errstr(-lerr));
				break;
			}
			found += !lerr;
			if (skip_zero && !lerr && all_zero(val, vbytes))
				zeros++;
			else if (w)
				entry_json(w, ks, vs, percpu, ncpus, key, val, !lerr);
			else
				entry_plain(ks, vs, percpu, ncpus, key, val, !lerr);
			err = next_key(s, fd, key, next);
		}
		if (err && err != -ENOENT && rc == EXIT_OK)
			rc = cli_error("map '%s': getting the next key failed: %s", bpfvm_object_map_name(m),
				       cli_errstr(-err));
	}
	if (w)
		jw_arr_end(w);
	else {
		if (zeros)
			printf("(%llu element%s all zero, not shown)\n", (unsigned long long)zeros, zeros == 1 ? "" : "s");
		printf("Found %llu element%s\n", (unsigned long long)found, found == 1 ? "" : "s");
	}
	free(key);
	free(next);
	free(val);
	return rc;
}
