/* BTF objects: BPF_BTF_LOAD's parse (btf_parse of v5.1: the header and
 * its sections, the string section, then the two passes over the types),
 * the object's lifetime, and the type table's accessors. */
#include "btf/btf.h"
#include "btf/btf_verify.h"
#include "core/kerrno.h"
#include "core/log.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define BTF_MAX_SIZE (16 * 1024 * 1024)  /* 64k structs of 16 members, and strings */

void bpfvm_btf_release_id(struct bpfvm_btf *btf);

/* ---- the header ---- */

static void log_hdr(struct btf_env *env, uint32_t size)
{
	const struct btf_header *h = &env->btf->hdr;
	btf_log(env, "magic: 0x%x\n", h->magic);
	btf_log(env, "version: %u\n", h->version);
	btf_log(env, "flags: 0x%x\n", h->flags);
	btf_log(env, "hdr_len: %u\n", h->hdr_len);
	btf_log(env, "type_off: %u\n", h->type_off);
	btf_log(env, "type_len: %u\n", h->type_len);
	btf_log(env, "str_off: %u\n", h->str_off);
	btf_log(env, "str_len: %u\n", h->str_len);
	btf_log(env, "btf_total_size: %u\n", size);
}

struct sec { uint32_t off, len; };

/* btf_check_sec_info: the type and string sections, in the order the
 * kernel's sort() leaves them, must tile the data after the header: no
 * gap, no overlap, nothing after. The comparison is the kernel's, int
 * differences of u32 fields included; with two elements sort() swaps them
 * exactly when the comparison says "not less". */
static int check_sec_info(struct btf_env *env, uint32_t size)
{
	const struct btf_header *h = &env->btf->hdr;
	struct sec s[2] = { { h->type_off, h->type_len }, { h->str_off, h->str_len } };
	int cmp = (int)(s[0].off - s[1].off);
	if (!cmp)
		cmp = (int)(s[0].len - s[1].len);
	if (cmp >= 0) {
		struct sec tmp = s[0];
		s[0] = s[1];
		s[1] = tmp;
	}
	uint32_t total = 0, expected = size - h->hdr_len;
	for (int i = 0; i < 2; i++) {
		if (expected < s[i].off) {
			btf_log(env, "Invalid section offset");
			return -EINVAL;
		}
		if (total < s[i].off) {
			btf_log(env, "Unsupported section found");   /* a gap */
			return -EINVAL;
		}
		if (total > s[i].off) {
			btf_log(env, "Section overlap found");
			return -EINVAL;
		}
		if (expected - total < s[i].len) {
			btf_log(env, "Total section length too long");
			return -EINVAL;
		}
		total += s[i].len;
	}
	if (expected != total) {
		btf_log(env, "Unsupported section found");
		return -EINVAL;
	}
	return 0;
}

/* btf_parse_hdr. A header shorter than ours is zero-extended (and then
 * its own hdr_len reads 0 when it is shorter than 8 bytes); a longer one
 * must end in zeros. */
static int parse_hdr(struct btf_env *env)
{
	struct bpfvm_btf *btf = env->btf;
	uint32_t size = btf->size, hdr_len;
	if (size < 8) {
		btf_log(env, "hdr_len not found");
		return -EINVAL;
	}
	memcpy(&hdr_len, btf->data + 4, sizeof(hdr_len));
	if (size < hdr_len) {
		btf_log(env, "btf_header not found");
		return -EINVAL;
	}
	for (uint32_t i = sizeof(btf->hdr); i < hdr_len; i++) {
		if (btf->data[i]) {
			btf_log(env, "Unsupported btf_header");
			return -E2BIG;
		}
	}
	memset(&btf->hdr, 0, sizeof(btf->hdr));
	memcpy(&btf->hdr, btf->data, hdr_len < sizeof(btf->hdr) ? hdr_len : sizeof(btf->hdr));
	const struct btf_header *h = &btf->hdr;
	if (btf_log_needed(env))
		log_hdr(env, size);
	if (h->magic != BTF_MAGIC) {
		btf_log(env, "Invalid magic");
		return -EINVAL;
	}
	if (h->version != BTF_VERSION) {
		btf_log(env, "Unsupported version");
		return -ENOTSUPP;
	}
	if (h->flags) {
		btf_log(env, "Unsupported flags");
		return -ENOTSUPP;
	}
	if (size == h->hdr_len) {
		btf_log(env, "No data");
		return -EINVAL;
	}
	return check_sec_info(env, size);
}

/* btf_parse_str_sec: last, starting and ending with NUL, offsets fit */
static int parse_str_sec(struct btf_env *env)
{
	struct bpfvm_btf *btf = env->btf;
	const struct btf_header *h = &btf->hdr;
	uint64_t start = (uint64_t)h->hdr_len + h->str_off, end = start + h->str_len;
	if (end != btf->size) {
		btf_log(env, "String section is not at the end");
		return -EINVAL;
	}
	if (!h->str_len || h->str_len - 1 > BTF_MAX_NAME_OFFSET || btf->data[start] || btf->data[end - 1]) {
		btf_log(env, "Invalid string section");
		return -EINVAL;
	}
	btf->strings = (const char *)btf->data + start;
	return 0;
}

static int parse_type_sec(struct btf_env *env)
{
	const struct btf_header *h = &env->btf->hdr;
	if (h->type_off & 3) {
		btf_log(env, "Unaligned type_off");
		return -EINVAL;
	}
	if (!h->type_len) {
		btf_log(env, "No type found");
		return -EINVAL;
	}
	int rc = btf_check_all_metas(env);
	return rc ? rc : btf_check_all_types(env);
}

static void btf_free(struct bpfvm_btf *btf)
{
	if (!btf)
		return;
	free(btf->types);
	free(btf->resolved_ids);
	free(btf->resolved_sizes);
	free(btf->alloc);
	free(btf);
}

/* Copies the blob so that the type section is 4-aligned in memory: the
 * header may be any length, and the types are read in place. */
static struct bpfvm_btf *btf_alloc(const void *data, uint32_t size)
{
	struct bpfvm_btf *btf = calloc(1, sizeof(*btf));
	if (!btf)
		return NULL;
	/* where parse_hdr will start the sections: hdr_len as the zero-
	 * extended copy of the header has it (0 if it ends before byte 5) */
	uint32_t hdr_len = 0;
	if (size >= 8)
		memcpy(&hdr_len, (const uint8_t *)data + 4, sizeof(hdr_len));
	if (hdr_len < 5)
		hdr_len = 0;
	uint32_t pad = (4 - (hdr_len & 3)) & 3;
	btf->alloc = malloc((size_t)size + pad + 1);
	if (!btf->alloc) {
		free(btf);
		return NULL;
	}
	btf->data = (uint8_t *)btf->alloc + pad;
	if (size)
		memcpy(btf->data, data, size);
	btf->size = size;
	return btf;
}

static int parse(struct bpfvm *vm, const void *data, uint32_t size, struct bpfvm_log *log, struct bpfvm_btf **out)
{
	struct btf_env env = { .log = log };
	struct bpfvm_btf *btf = btf_alloc(data, size);
	*out = NULL;
	if (!btf)
		return -ENOMEM;
	env.btf = btf;
	int rc = parse_hdr(&env);
	if (!rc)
		rc = parse_str_sec(&env);
	if (!rc)
		rc = parse_type_sec(&env);
	free(env.visit_states);
	if (rc) {
		btf_free(btf);
		return rc;
	}
	btf->vm = vm;
	atomic_store(&btf->refcnt, 1);
	*out = btf;
	return 0;
}

int bpfvm_btf_load(struct bpfvm *vm, const void *data, uint32_t size, uint32_t log_level, uint64_t log_buf,
		   uint32_t log_size, struct bpfvm_btf **out)
{
	struct bpfvm_log log;
	*out = NULL;
	if (size > BTF_MAX_SIZE)
		return -E2BIG;
	int rc = bpfvm_log_init(&log, log_level, log_buf, log_size);
	if (rc < 0)
		return rc;
	if (size && !data)
		return -EFAULT;
	if ((rc = parse(vm, data, size, &log, out)) < 0)
		return rc;
	/* Valid, but the user's log could not hold all of it. */
	if (log.level && bpfvm_log_full(&log)) {
		bpfvm_btf_put(*out);
		*out = NULL;
		return -ENOSPC;
	}
	return 0;
}

int bpfvm_btf_parse(struct bpfvm *vm, const void *data, uint32_t size, char *log, size_t log_size,
		    struct bpfvm_btf **out)
{
	struct bpfvm_log l = { 0 };
	*out = NULL;
	if (size > BTF_MAX_SIZE)
		return -E2BIG;
	if (log && log_size) {
		l.level = 1;
		l.ubuf = log;
		l.len_total = log_size > UINT32_MAX ? UINT32_MAX : (uint32_t)log_size;
		log[0] = 0;
	}
	return parse(vm, data, size, &l, out);
}

void bpfvm_btf_get(struct bpfvm_btf *btf)
{
	atomic_fetch_add(&btf->refcnt, 1);
}

void bpfvm_btf_put(void *p)
{
	struct bpfvm_btf *btf = p;
	if (!btf || atomic_fetch_sub(&btf->refcnt, 1) != 1)
		return;
	if (btf->id)
		bpfvm_btf_release_id(btf);
	btf_free(btf);
}

/* ---- the type table ---- */

const struct btf_type *bpfvm_btf_type_by_id(const struct bpfvm_btf *btf, uint32_t id)
{
	if (id > btf->nr_types)
		return NULL;
	return id ? btf->types[id] : &btf_void;
}

const char *bpfvm_btf_name_by_offset(const struct bpfvm_btf *btf, uint32_t off)
{
	return off < btf->hdr.str_len ? btf->strings + off : NULL;
}

int bpfvm_btf_find_by_name_kind(const struct bpfvm_btf *btf, const char *name, unsigned int kind)
{
	for (uint32_t id = 1; id <= btf->nr_types; id++) {
		const struct btf_type *t = btf->types[id];
		if (btf_kind(t) == kind && !strcmp(bpfvm_btf_name_by_offset(btf, t->name_off), name))
			return (int)id;
	}
	return -ENOENT;
}

int64_t bpfvm_btf_type_size(const struct bpfvm_btf *btf, uint32_t id, uint32_t *resolved_id)
{
	uint32_t size = 0;
	if (!btf_type_id_size(btf, &id, &size))
		return -EINVAL;
	if (resolved_id)
		*resolved_id = id;
	return size;
}

/* btf_find_spin_lock: members are looked at as they are declared (a const
 * or typedef'ed lock is not one); the lock's struct must be named
 * bpf_spin_lock and be 4 bytes. */
static int find_spin_lock(const struct bpfvm_btf *btf, const struct btf_type *t)
{
	int off = -ENOENT;
	if (btf_kind(t) != BTF_KIND_STRUCT)
		return -EINVAL;
	const struct btf_member *m = btf_members(t);
	for (uint16_t i = 0; i < btf_vlen(t); i++, m++) {
		const struct btf_type *mt = bpfvm_btf_type_by_id(btf, m->type);
		if (btf_kind(mt) != BTF_KIND_STRUCT || mt->size != sizeof(struct bpf_spin_lock))
			continue;
		if (strcmp(btf_name_or_anon(btf, mt->name_off), "bpf_spin_lock"))
			continue;
		if (off != -ENOENT)
			return -E2BIG;          /* one lock per value */
		uint32_t bits = btf_member_bit_offset(t, m);
		if (bits % 8 || (bits / 8) % 4)
			return -EINVAL;         /* C cannot produce it */
		off = (int)(bits / 8);
	}
	return off;
}

int bpfvm_btf_find_spin_lock(const struct bpfvm_btf *btf, uint32_t value_type_id)
{
	const struct btf_type *t = btf_type_id_size(btf, &value_type_id, NULL);
	return t ? find_spin_lock(btf, t) : -EINVAL;
}
