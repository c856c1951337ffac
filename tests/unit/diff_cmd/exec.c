/* The executor: one operation on both sides (the kernel through ko_bpf(),
 * bpfvm through bpfvm_bpf()), the same attr bytes except for fds, and the
 * comparison of what came back: the result (an fd, 0, or -errno), the
 * fields written back into the attr, and the memory written through the
 * attr's pointers (output buffers are pre-filled with a sentinel, so writes
 * beyond what should be written show up too).
 *
 * Objects are known by slot (an fd on each side) and by object number: ids
 * that come back (prog array and map-in-map lookups, info, GET_NEXT_ID) are
 * translated to object numbers before comparing.
 *
 * Where Linux 6.18 legitimately answers otherwise than v5.1 (bpfvm's
 * reference), the mismatch is recognized (known.c lists them) and, if the
 * two states diverged, the kernel's is brought back to v5.1's ("resync"). */
#include "dc.h"
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BAD_FD 0x3ffffff0u
#define SENTINEL 0xa5
#define KMALLOC_MAX_SIZE (1u << 22)
#define ELEM_KEY_MAX 600u               /* element ops only on maps with smaller keys */
#define ELEM_VAL_MAX (1u << 20)         /* ... and values (as the syscall copies them) */

/* ---- failures ---- */

static int fail(struct run *r, const char *sig, const char *fmt, ...)
{
	if (r->failed)
		return 1;
	r->failed = 1;
	snprintf(r->sig, sizeof(r->sig), "%s", sig);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->msg, sizeof(r->msg), fmt, ap);
	va_end(ap);
	return 1;
}

static const char *rcs(int rc, char *buf)
{
	if (rc >= 0)
		snprintf(buf, 32, "%d", rc);
	else
		snprintf(buf, 32, "-%s", rc == -524 ? "ENOTSUPP" : strerrorname_np(-rc) ? strerrorname_np(-rc) : "?");
	return buf;
}

static int same_rc(int kr, int vr, int fd_result)
{
	if (fd_result && kr >= 0 && vr >= 0)
		return 1;
	return kr == vr;
}

static int rc_fail(struct run *r, const char *sig, int kr, int vr)
{
	char a[32], b[32];
	return fail(r, sig, "result: kernel %s, bpfvm %s", rcs(kr, a), rcs(vr, b));
}

static void hexdump(char *out, size_t len, const uint8_t *p, size_t n)
{
	size_t o = 0;
	out[0] = 0;
	for (size_t i = 0; i < n && o + 4 < len; i++)
		o += (size_t)snprintf(out + o, len - o, "%02x", p[i]);
}

static int bytes_fail(struct run *r, const char *sig, const char *what, const uint8_t *k, const uint8_t *v, size_t n)
{
	char a[300], b[300];
	size_t first = 0;
	while (first < n && k[first] == v[first])
		first++;
	size_t from = first > 16 ? first - 16 : 0, cnt = n - from > 64 ? 64 : n - from;
	hexdump(a, sizeof(a), k + from, cnt);
	hexdump(b, sizeof(b), v + from, cnt);
	return fail(r, sig, "%s differ at byte %zu (of %zu); from byte %zu:\n    kernel %s\n    bpfvm  %s", what, first,
		    n, from, a, b);
}

/* ---- calls ---- */

struct call {
	int kr, vr;
	_Alignas(8) uint8_t k[PAGE + 64];
	_Alignas(8) uint8_t v[PAGE + 64];
};

static int vm_bpf(struct run *r, int cmd, void *attr, unsigned size)
{
	int rc = bpfvm_bpf(r->vm, cmd, attr, size);
	return rc < 0 ? -errno : rc;
}

static int k_bpf(int cmd, void *attr, unsigned size)
{
	int rc, tries = 0;
	do
		rc = ko_bpf(cmd, attr, size);
	while (rc == -EAGAIN && ++tries < 5);
	return rc;
}

/* One command on both sides with the op's attr mode. ka / va are the attrs
 * (v5.1 size); after the call c->k / c->v hold them as the command left them. */
static void call_both(struct run *r, int cmd, const union bpf_attr *ka, const union bpf_attr *va,
		      const struct op *op, struct call *c)
{
	unsigned size = V51_ATTR_SIZE;
	void *kp = c->k, *vp = c->v;
	memset(c->k, 0, sizeof(c->k));
	memset(c->v, 0, sizeof(c->v));
	memcpy(c->k, ka, V51_ATTR_SIZE);
	memcpy(c->v, va, V51_ATTR_SIZE);
	switch (op ? op->am : AM_FULL) {
	case AM_FULL:
		break;
	case AM_SHORT:
		size = op->am_off;
		break;
	case AM_BIG:
		size = PAGE;
		break;
	case AM_TAIL:
		c->k[op->am_off] = c->v[op->am_off] = op->am_byte;
		break;
	case AM_MID:
	case AM_FAR:
		size = PAGE;
		c->k[op->am_off] = c->v[op->am_off] = op->am_byte;
		break;
	case AM_HUGE:
		size = PAGE + 1;
		break;
	case AM_NULL:
		kp = vp = NULL;
		size = 8;
		break;
	}
	c->kr = k_bpf(cmd, kp, size);
	c->vr = vm_bpf(r, cmd, vp, size);
	r->nexec++;
	r->last_kr = c->kr;
}

/* AM_MID: a nonzero byte inside Linux 6.18's larger union bpf_attr but
 * beyond v5.1's: v5.1 says E2BIG, 6.18 reads it as one of its own fields.
 * Returns 1 if that explains the results (an fd the kernel made is closed). */
/* AM_TAIL inside a field 6.18 added to the command: v5.1's CHECK_ATTR says
 * EINVAL, 6.18 reads the field. */
static int new_field(const struct op *op)
{
	unsigned o = op->am_off;
	switch (op->kind) {
	case OP_MAP_CREATE: return o >= 60 && o < 96;
	case OP_PROG_LOAD: return o >= 108 && o < 112;
	case OP_LOOKUP_DELETE: return o >= 24 && o < 32;
	case OP_PIN:
	case OP_OBJ_GET: return o >= 16 && o < 20;
	case OP_FD_BY_ID: return op->variant % 3 == 2 && o >= 4 && o < 16;     /* BTF: up to its token fd */
	default: return 0;
	}
}

static int attr_grown(const struct op *op, struct call *c, int fd_result)
{
	if (!op || c->kr == c->vr)
		return 0;
	if (op->am == AM_MID && c->vr == -E2BIG && c->kr != -E2BIG)
		known(KD_ATTR_GROWN);
	else if (op->am == AM_TAIL && c->vr == -EINVAL && new_field(op))
		known(KD_NEW_ATTR_FIELDS);
	else
		return 0;
	if (fd_result && c->kr >= 0)
		ko_cmd_close(c->kr);
	return 1;
}

static void drop_fds(struct call *c, struct run *r)
{
	if (c->kr >= 0)
		ko_cmd_close(c->kr);
	if (c->vr >= 0)
		bpfvm_close(r->vm, c->vr);
}

/* ---- slots and objects ---- */

static const struct slot *live(const struct run *r, int s)
{
	return s >= 0 && s < MAX_SLOTS && r->slots[s].state == S_LIVE ? &r->slots[s] : NULL;
}

static const struct obj *obj_of(const struct run *r, int s)
{
	const struct slot *sl = live(r, s);
	return sl ? &r->objs[sl->obj] : NULL;
}

static const struct obj *map_of(const struct run *r, int s)
{
	const struct obj *o = obj_of(r, s);
	return o && o->kind == K_MAP ? o : NULL;
}

static void fds_of(const struct run *r, int s, int mode, uint32_t *kfd, uint32_t *vfd)
{
	const struct slot *sl = live(r, s);
	if (mode == FD_NEG) {
		*kfd = *vfd = 0xffffffffu;
	} else if (mode == FD_BAD || !sl) {
		*kfd = *vfd = BAD_FD;
	} else {
		*kfd = (uint32_t)sl->kfd;
		*vfd = (uint32_t)sl->vfd;
	}
}

/* id -> object number (-1: none of ours) */
static int obj_by_kid(const struct run *r, int kind, uint32_t id)
{
	for (int i = 0; i < r->nobjs; i++)
		if (r->objs[i].kind == kind && r->objs[i].kid == id)
			return i;
	return -1;
}

static int obj_by_vid(const struct run *r, int kind, uint32_t id)
{
	for (int i = 0; i < r->nobjs; i++)
		if (r->objs[i].kind == kind && r->objs[i].vid == id)
			return i;
	return -1;
}

static uint64_t ptr(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

static uint32_t sys_value_size(const struct obj *o)
{
	if (!o)
		return 8;
	if (type_is_percpu(o->type))
		return ((o->value_size + 7) & ~7u) * cfg.ncpus;
	if (type_is_fd_map(o->type))
		return 4;
	return o->value_size;
}

static int elem_ok(const struct obj *o)
{
	return !o || (o->key_size <= ELEM_KEY_MAX && sys_value_size(o) <= ELEM_VAL_MAX);
}

/* info by fd, raw: 0 or -errno */
static int k_info(int fd, void *info, uint32_t len)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.info.bpf_fd = (uint32_t)fd;
	a.info.info_len = len;
	a.info.info = ptr(info);
	return k_bpf(BPF_OBJ_GET_INFO_BY_FD, &a, sizeof(a));
}

static int v_info(struct run *r, int fd, void *info, uint32_t len)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.info.bpf_fd = (uint32_t)fd;
	a.info.info_len = len;
	a.info.info = ptr(info);
	return vm_bpf(r, BPF_OBJ_GET_INFO_BY_FD, &a, sizeof(a));
}

/* Read-write fds of an object on both sides, for checks (closed after). */
static int check_fds(struct run *r, const struct obj *o, int *kfd, int *vfd)
{
	union bpf_attr a;
	int cmd = o->kind == K_MAP ? BPF_MAP_GET_FD_BY_ID : BPF_PROG_GET_FD_BY_ID;
	memset(&a, 0, sizeof(a));
	a.map_id = o->kid;
	*kfd = k_bpf(cmd, &a, sizeof(a));
	memset(&a, 0, sizeof(a));
	a.map_id = o->vid;
	*vfd = vm_bpf(r, cmd, &a, sizeof(a));
	if (*kfd >= 0 && *vfd >= 0)
		return 0;
	if (*kfd >= 0)
		ko_cmd_close(*kfd);
	if (*vfd >= 0)
		bpfvm_close(r->vm, *vfd);
	return -1;
}

static void close_check_fds(struct run *r, int kfd, int vfd)
{
	ko_cmd_close(kfd);
	bpfvm_close(r->vm, vfd);
}

/* ---- keys and values ---- */

/* The key of index kidx for map o: hash keys are distinct per kidx, array
 * keys are indexes, LPM keys combine a few prefix lengths with a few data
 * patterns (some prefixes nest, some collide). */
static void make_key(const struct obj *o, uint32_t kidx, uint8_t *buf, uint32_t ks)
{
	memset(buf, 0, ks);
	if (!o || !ks)
		return;
	if (o->type == BPF_MAP_TYPE_LPM_TRIE && ks > 4) {
		static const uint32_t pl[] = { 0, 1, 4, 7, 8, 9, 12, 16, 24, 32 };
		uint32_t d = ks - 4, maxp = d * 8, p = kidx % 12, plen;
		plen = p < 10 ? (pl[p] > maxp ? maxp : pl[p]) : p == 10 ? maxp : maxp + 1;
		memcpy(buf, &plen, 4);
		uint32_t pat = (kidx / 12) % 6;
		uint64_t h = mix64(kidx);
		for (uint32_t i = 0; i < d; i++) {
			uint8_t b = 0;
			switch (pat) {
			case 0: b = 0; break;
			case 1: b = 0xff; break;
			case 2: b = i == 0 ? 0x0a : 0; break;
			case 3: b = i == 0 ? 0xc0 : i == 1 ? 0xa8 : (uint8_t)i; break;
			case 4: b = i == 0 ? 0x80 : 0; break;
			default: b = (uint8_t)(h >> (8 * (i % 8))) ^ (uint8_t)(i * 37); break;
			}
			buf[4 + i] = b;
		}
		return;
	}
	if (type_is_array(o->type)) {
		memcpy(buf, &kidx, ks < 4 ? ks : 4);
		return;
	}
	uint64_t h = mix64(kidx ^ 0x5bd1e995u);
	for (uint32_t i = 0; i < ks; i++)
		buf[i] = i < 4 ? (uint8_t)(kidx >> (8 * i)) : (uint8_t)(h >> (8 * (i % 8))) + (uint8_t)i;
}

static void fill(uint8_t *buf, size_t n, uint64_t seed)
{
	uint64_t s = mix64(seed), w = 0;
	for (size_t i = 0; i < n; i++) {
		if (i % 8 == 0)
			w = mix64(s + i);
		buf[i] = (uint8_t)(w >> (8 * (i % 8)));
	}
}

/* ---- map info comparison ---- */

static int compare_map_info(struct run *r, const char *sig, const struct bpf_map_info *k, const struct bpf_map_info *v,
			    uint32_t len, uint32_t flags)
{
	struct bpf_map_info a = *k, b = *v;
	a.id = b.id = 0;
	uint32_t fdf = BPF_F_RDONLY | BPF_F_WRONLY;
	if (len > offsetof(struct bpf_map_info, map_flags) && a.map_flags != b.map_flags && (b.map_flags & fdf) &&
	    a.map_flags == (b.map_flags & ~fdf)) {
		known(KD_INFO_FD_FLAGS);
		b.map_flags = a.map_flags;
	}
	if (memcmp(&a, &b, len < sizeof(a) ? len : sizeof(a))) {
		return fail(r, sig,
			    "map info differs:\n    kernel type %u key %u value %u max %u flags 0x%x name '%.16s'\n"
			    "    bpfvm  type %u key %u value %u max %u flags 0x%x name '%.16s'",
			    a.type, a.key_size, a.value_size, a.max_entries, a.map_flags, a.name, b.type, b.key_size,
			    b.value_size, b.max_entries, b.map_flags, b.name);
	}
	return 0;
}

/* A new fd on each side for object `o` (or a new object): record the slot. */
static void set_slot(struct run *r, int out, int obj, int kfd, int vfd, int can_read, int can_write)
{
	if (out < 0 || out >= MAX_SLOTS) {
		ko_cmd_close(kfd);
		bpfvm_close(r->vm, vfd);
		return;
	}
	struct slot *s = &r->slots[out];
	if (s->state == S_LIVE) {       /* cannot happen: outs are unique */
		ko_cmd_close(s->kfd);
		bpfvm_close(r->vm, s->vfd);
	}
	*s = (struct slot){ S_LIVE, kfd, vfd, obj, can_read, can_write };
}

/* ---- MAP_CREATE ---- */

static int exec_map_create(struct run *r, const struct op *op)
{
	union bpf_attr ka, va;
	memset(&ka, 0, sizeof(ka));
	ka.map_type = op->type;
	ka.key_size = op->key_size;
	ka.value_size = op->value_size;
	ka.max_entries = op->max_entries;
	ka.map_flags = op->map_flags;
	ka.numa_node = op->numa_node;
	ka.map_ifindex = op->u32a;
	memcpy(ka.map_name, op->name, sizeof(ka.map_name));
	va = ka;
	if (op->slot2 >= 0 || op->fdmode2 != FD_SLOT) {
		uint32_t kfd, vfd;
		fds_of(r, op->slot2, op->fdmode2, &kfd, &vfd);
		ka.inner_map_fd = kfd;
		va.inner_map_fd = vfd;
	}
	struct call *c = malloc(sizeof(*c));
	call_both(r, BPF_MAP_CREATE, &ka, &va, op, c);
	int rc = 0;
	if (attr_grown(op, c, 1))
		goto out;
	if (!same_rc(c->kr, c->vr, 1)) {
		int kd = -1;
		uint32_t t = op->type, vs = op->value_size, ks = op->key_size, fl = op->map_flags;
		uint32_t r8 = (vs + 7) & ~7u;
		if ((fl & 0x7ff80u) && !(fl & 0xfff80000u) && c->vr == -EINVAL)
			kd = KD_NEW_MAP_FLAGS;
		else if (type_is_percpu(t) && r8 > 32768 && c->kr == -E2BIG)
			kd = KD_PERCPU_VALUE_LIMIT;
		else if (t == BPF_MAP_TYPE_ARRAY && vs > KMALLOC_MAX_SIZE && c->vr == -E2BIG)
			kd = KD_ARRAY_VALUE_LIMIT;
		else if (type_is_hash(t) && c->vr == -E2BIG && c->kr != -E2BIG &&
			 (ks > 512 || vs >= KMALLOC_MAX_SIZE - 512 - 48))
			kd = KD_HASH_SIZE_LIMITS;
		else if (c->vr == -E2BIG && c->kr != -E2BIG && op->max_entries > (1u << 24))
			kd = KD_COST_LIMIT;
		if (kd >= 0) {
			known(kd);
			drop_fds(c, r);
			goto out;
		}
		rc = rc_fail(r, "MAP_CREATE/rc", c->kr, c->vr);
		drop_fds(c, r);
		goto out;
	}
	if (c->kr < 0)
		goto out;
	/* Both made a map: compare what they say about it. */
	struct bpf_map_info ki, vi;
	memset(&ki, 0, sizeof(ki));
	memset(&vi, 0, sizeof(vi));
	int a = k_info(c->kr, &ki, sizeof(ki)), b = v_info(r, c->vr, &vi, sizeof(vi));
	if (a || b) {
		rc = fail(r, "MAP_CREATE/info", "info of the new map: kernel %d, bpfvm %d", a, b);
		drop_fds(c, r);
		goto out;
	}
	if (compare_map_info(r, "MAP_CREATE/info", &ki, &vi, sizeof(ki), vi.map_flags)) {
		rc = 1;
		drop_fds(c, r);
		goto out;
	}
	if (r->nobjs >= MAX_SLOTS) {
		drop_fds(c, r);
		goto out;
	}
	struct obj *o = &r->objs[r->nobjs];
	memset(o, 0, sizeof(*o));
	o->kind = K_MAP;
	o->kid = ki.id;
	o->vid = vi.id;
	o->type = vi.type;
	o->key_size = vi.key_size;
	o->value_size = vi.value_size;
	o->max_entries = ki.max_entries;        /* v5.1's (see KD_BPFVM_LRU_MAX_ROUND) */
	o->map_flags = vi.map_flags;
	o->map_obj = -1;
	const struct obj *in = map_of(r, op->slot2);
	if (in && (o->type == BPF_MAP_TYPE_ARRAY_OF_MAPS || o->type == BPF_MAP_TYPE_HASH_OF_MAPS)) {
		o->inner.type = in->type;
		o->inner.key_size = in->key_size;
		o->inner.value_size = in->value_size;
		o->inner.max_entries = in->max_entries;
		o->inner.map_flags = in->map_flags;
	}
	set_slot(r, op->out, r->nobjs++, c->kr, c->vr, !(op->map_flags & BPF_F_WRONLY), !(op->map_flags & BPF_F_RDONLY));
out:
	free(c);
	return rc;
}

/* ---- element operations ---- */

/* The keys of a map, in iteration order, through fds with read access.
 * Returns the count, or -1 if the iteration does not end (or fails). */
static int vm_keys(struct run *r, int vfd, const struct obj *o, uint8_t *keys, int max)
{
	union bpf_attr a;
	int n = 0;
	uint32_t ks = o->key_size;
	for (;;) {
		if (n >= max)
			return -1;
		memset(&a, 0, sizeof(a));
		a.map_fd = (uint32_t)vfd;
		a.key = n ? ptr(keys + (size_t)(n - 1) * ks) : 0;
		a.next_key = ptr(keys + (size_t)n * ks);
		int rc = vm_bpf(r, BPF_MAP_GET_NEXT_KEY, &a, sizeof(a));
		if (rc == -ENOENT)
			return n;
		if (rc < 0)
			return -1;
		n++;
	}
}

static int lpm_same_prefix(const uint8_t *a, const uint8_t *b)
{
	uint32_t pa, pb;
	memcpy(&pa, a, 4);
	memcpy(&pb, b, 4);
	if (pa != pb)
		return 0;
	for (uint32_t i = 0; i < pa; i++) {
		unsigned ba = (a[4 + i / 8] >> (7 - i % 8)) & 1, bb = (b[4 + i / 8] >> (7 - i % 8)) & 1;
		if (ba != bb)
			return 0;
	}
	return 1;
}

/* How many keys bpfvm's map has, and (LPM) the stored key with key's prefix. */
struct pre {
	int count;              /* -1: unknown */
	int exists;
	uint8_t stored[ELEM_KEY_MAX];
	uint8_t *oldval;        /* LPM: the value of the existing prefix */
};

static void pre_state(struct run *r, const struct obj *o, const uint8_t *key, struct pre *p)
{
	p->count = -1;
	p->exists = 0;
	p->oldval = NULL;
	int kfd, vfd;
	if (check_fds(r, o, &kfd, &vfd) < 0)
		return;
	int max = (int)(o->max_entries < 4096 ? o->max_entries : 4096) + 8;
	uint8_t *keys = malloc((size_t)max * o->key_size);
	int n = vm_keys(r, vfd, o, keys, max);
	p->count = n;
	for (int i = 0; key && i < n; i++) {
		const uint8_t *k = keys + (size_t)i * o->key_size;
		int eq = o->type == BPF_MAP_TYPE_LPM_TRIE ? lpm_same_prefix(k, key) : !memcmp(k, key, o->key_size);
		if (eq) {
			p->exists = 1;
			memcpy(p->stored, k, o->key_size);
			break;
		}
	}
	if (p->exists && o->type == BPF_MAP_TYPE_LPM_TRIE) {
		union bpf_attr a;
		p->oldval = malloc(sys_value_size(o));
		memset(&a, 0, sizeof(a));
		a.map_fd = (uint32_t)vfd;
		a.key = ptr(p->stored);
		a.value = ptr(p->oldval);
		if (vm_bpf(r, BPF_MAP_LOOKUP_ELEM, &a, sizeof(a)) < 0) {
			free(p->oldval);
			p->oldval = NULL;
		}
	}
	free(keys);
	close_check_fds(r, kfd, vfd);
}

/* A kernel-side update through a fresh fd (resync). */
static int k_update(const struct obj *o, const void *key, const void *value, uint64_t flags)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_id = o->kid;
	int fd = k_bpf(BPF_MAP_GET_FD_BY_ID, &a, sizeof(a));
	if (fd < 0)
		return fd;
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)fd;
	a.key = ptr(key);
	a.value = ptr(value);
	a.flags = flags;
	int rc = k_bpf(BPF_MAP_UPDATE_ELEM, &a, sizeof(a));
	ko_cmd_close(fd);
	return rc;
}

/* LPM_TRIE update as v5.1 and as Linux >= 6.13 answer it, given the state. */
static int lpm_v51(uint64_t flags, uint32_t plen, uint32_t maxp, const struct pre *p, const struct obj *o)
{
	if (flags > BPF_EXIST || plen > maxp)
		return -EINVAL;
	if ((uint32_t)p->count >= o->max_entries)
		return -ENOSPC;
	return 0;
}

static int lpm_613(uint64_t flags, uint32_t plen, uint32_t maxp, const struct pre *p, const struct obj *o)
{
	if (flags > BPF_EXIST || plen > maxp)
		return -EINVAL;
	if (p->exists)
		return flags == BPF_NOEXIST ? -EEXIST : 0;
	if (flags == BPF_EXIST)
		return -ENOENT;
	if ((uint32_t)p->count >= o->max_entries)
		return -ENOSPC;
	return 0;
}

/* Value buffers of an update: for fd maps, slot2's fd on each side. */
static void update_values(struct run *r, const struct op *op, const struct obj *o, uint8_t *kv, uint8_t *vv,
			  uint32_t vsz)
{
	fill(kv, vsz, op->vseed);
	if (o && type_is_fd_map(o->type)) {
		uint32_t kfd, vfd;
		fds_of(r, op->slot2, op->fdmode2, &kfd, &vfd);
		memcpy(kv, &kfd, 4);
		memcpy(vv, &vfd, 4);
		return;
	}
	memcpy(vv, kv, vsz);
}

/* Map-in-map: the object bpfvm's slot `key` holds (-1: none, -3: unknown). */
static int slot_content(struct run *r, const struct obj *o, const uint8_t *key)
{
	int kfd, vfd, res = -3;
	if (check_fds(r, o, &kfd, &vfd) < 0)
		return res;
	uint32_t id = 0;
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)vfd;
	a.key = ptr(key);
	a.value = ptr(&id);
	int rc = vm_bpf(r, BPF_MAP_LOOKUP_ELEM, &a, sizeof(a));
	res = rc == -ENOENT ? -1 : rc == 0 ? obj_by_vid(r, K_MAP, id) : -3;
	if (res < -1)
		res = -3;
	close_check_fds(r, kfd, vfd);
	return res;
}

/* Puts the kernel's map-in-map slot `key` back to object `obj` (-1: empty). */
static int restore_slot(struct run *r, const struct obj *o, const uint8_t *key, int obj)
{
	if (obj == -3)
		return -1;
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_id = o->kid;
	int fd = k_bpf(BPF_MAP_GET_FD_BY_ID, &a, sizeof(a)), rc;
	if (fd < 0)
		return -1;
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)fd;
	a.key = ptr(key);
	if (obj < 0) {
		rc = k_bpf(BPF_MAP_DELETE_ELEM, &a, sizeof(a));
	} else {
		union bpf_attr b;
		memset(&b, 0, sizeof(b));
		b.map_id = r->objs[obj].kid;
		int ifd = k_bpf(BPF_MAP_GET_FD_BY_ID, &b, sizeof(b));
		uint32_t v = (uint32_t)ifd;
		a.value = ptr(&v);
		rc = ifd < 0 ? ifd : k_bpf(BPF_MAP_UPDATE_ELEM, &a, sizeof(a));
		ko_cmd_close(ifd);
	}
	ko_cmd_close(fd);
	return rc;
}

static int exec_update(struct run *r, const struct op *op)
{
	const struct obj *o = map_of(r, op->slot);
	if (!elem_ok(o))
		return r->nskip++, 0;
	uint32_t ks = o ? o->key_size : 8, vsz = sys_value_size(o);
	uint8_t *key = calloc(1, ks + 8), *kv = calloc(1, vsz + 8), *vv = calloc(1, vsz + 8);
	make_key(o, op->kidx, key, ks);
	update_values(r, op, o, kv, vv, vsz);
	union bpf_attr ka, va;
	memset(&ka, 0, sizeof(ka));
	fds_of(r, op->slot, op->fdmode, &ka.map_fd, &va.map_fd);
	uint32_t kfd = ka.map_fd, vfd = va.map_fd;
	ka.key = op->keymode == KM_NULL ? 0 : ptr(key);
	ka.value = op->valmode == KM_NULL ? 0 : ptr(kv);
	ka.flags = op->flags;
	va = ka;
	va.map_fd = vfd;
	ka.map_fd = kfd;
	va.value = op->valmode == KM_NULL ? 0 : ptr(vv);
	const struct slot *sl = live(r, op->slot);
	/* Does the call get to the map's update (and with which flags)? */
	uint64_t flags = op->flags;
	int whole = op->am == AM_FULL || op->am == AM_BIG || (op->am == AM_SHORT && op->am_off >= 24);
	if (op->am == AM_SHORT && op->am_off < 32)
		flags = op->am_off <= 24 ? 0 : flags & ((1ull << (8 * (op->am_off - 24))) - 1);
	int reaches = o && op->fdmode == FD_SLOT && sl && sl->can_write && op->keymode == KM_NORMAL &&
		      op->valmode == KM_NORMAL && whole;
	struct pre p = { -1, 0, { 0 }, NULL };
	int rc = 0;
	if (reaches && (type_is_lru(o->type) || o->type == BPF_MAP_TYPE_LPM_TRIE))
		pre_state(r, o, key, &p);
	/* A full LRU map evicts on update; which element goes depends on the
	 * LRU's internals, which changed after v5.1 (and on syscall lookups,
	 * which set reference bits in v5.1 but not since 5.2): not compared. */
	if (reaches && type_is_lru(o->type) && flags <= BPF_EXIST) {
		uint32_t cap = o->max_entries;
		if (o->map_flags & BPF_F_NO_COMMON_LRU)
			cap /= cfg.ncpus;
		if (p.count < 0 || (uint32_t)p.count >= cap || !cfg.pinned_cpu) {
			known(KD_LRU_EVICTION);
			r->nskip++;
			goto out;
		}
	}
	if (reaches && o->type == BPF_MAP_TYPE_PROG_ARRAY && o->owner_diverged) {
		/* Bound to a program type in the kernel only (by a load only
		 * the kernel took, a known difference): not comparable. */
		r->nskip++;
		goto out;
	}
	/* Map-in-map: what the slot holds before (object number, -1 none). */
	int before = -2;
	const struct obj *val = map_of(r, op->slot2);
	uint32_t fdf = BPF_F_RDONLY | BPF_F_WRONLY;
	int inner_close = reaches && (o->type == BPF_MAP_TYPE_HASH_OF_MAPS || o->type == BPF_MAP_TYPE_ARRAY_OF_MAPS) &&
			  val && op->fdmode2 == FD_SLOT && val->type == o->inner.type &&
			  val->key_size == o->inner.key_size && val->value_size == o->inner.value_size &&
			  (val->map_flags & ~fdf) == (o->inner.map_flags & ~fdf);
	if (inner_close && (val->max_entries != o->inner.max_entries || val->map_flags != o->inner.map_flags))
		before = slot_content(r, o, key);
	struct call *c = malloc(sizeof(*c));
	call_both(r, BPF_MAP_UPDATE_ELEM, &ka, &va, op, c);
	if (attr_grown(op, c, 0))
		goto out_c;
	if (c->kr == 0 && c->vr == 0 && op->keymode == KM_NORMAL) {
		unsigned i = r->nrecent++ % 8;
		r->recent[i].slot = op->slot;
		r->recent[i].kidx = op->kidx;
	}
	if (c->kr == 0 && c->vr == 0 && o && o->type == BPF_MAP_TYPE_PROG_ARRAY && op->fdmode2 == FD_SLOT &&
	    live(r, op->slot2))
		r->objs[o - r->objs].owner_type = r->objs[r->slots[op->slot2].obj].prog_type;
	if (!same_rc(c->kr, c->vr, 0)) {
		if (before != -2 && c->vr == -EINVAL) {
			/* 5.2+: RDONLY/WRONLY are not map flags; 5.10+: max_entries
			 * of non-array inner maps is free. */
			known(val->max_entries != o->inner.max_entries ? KD_INNER_MAX_ENTRIES : KD_INFO_FD_FLAGS);
			if (c->kr == 0 && restore_slot(r, o, key, before) < 0)
				rc = fail(r, "UPDATE/resync", "cannot put the kernel's map-in-map slot back");
			goto out_c;
		}
		if (reaches && o->type == BPF_MAP_TYPE_LPM_TRIE && p.count >= 0) {
			uint32_t plen, maxp = (o->key_size - 4) * 8;
			memcpy(&plen, key, 4);
			int e51 = lpm_v51(flags, plen, maxp, &p, o), e613 = lpm_613(flags, plen, maxp, &p, o);
			if (c->vr == e51 && c->kr == e613) {
				int x = 0;
				if (e51 == 0 && e613 < 0) {
					/* v5.1 ignored NOEXIST/EXIST: do what it did. */
					known(flags == BPF_NOEXIST ? KD_LPM_NOEXIST : KD_LPM_EXIST);
					x = k_update(o, key, kv, BPF_ANY);
				} else if (e51 == -ENOSPC && e613 == 0) {
					/* 6.13 replaces in a full trie: restore. */
					known(KD_LPM_FULL_REPLACE);
					x = p.oldval ? k_update(o, p.stored, p.oldval, BPF_ANY) : -EIO;
				} else {
					known(KD_LPM_EXIST);
				}
				if (x)
					rc = fail(r, "UPDATE/resync", "LPM_TRIE resync update in the kernel: %d", x);
				goto out_c;
			}
		}
		if (o && type_is_percpu(o->type) && ((o->value_size + 7) & ~7u) > 32768 && c->vr == -ENOMEM) {
			known(KD_PERCPU_VALUE_LIMIT);
			goto out_c;
		}
		rc = rc_fail(r, "UPDATE/rc", c->kr, c->vr);
	}
out_c:
	free(c);
out:
	free(p.oldval);
	free(key);
	free(kv);
	free(vv);
	return rc;
}

/* Compares two values as the syscall returned them (buffers of vsz + 16
 * bytes, sentinel-filled before): ids of fd maps as objects. */
static int compare_values(struct run *r, const char *sig, const struct obj *o, const uint8_t *kb, const uint8_t *vb,
			  uint32_t vsz)
{
	if (o && (o->type == BPF_MAP_TYPE_PROG_ARRAY || o->type == BPF_MAP_TYPE_ARRAY_OF_MAPS ||
		  o->type == BPF_MAP_TYPE_HASH_OF_MAPS)) {
		int kind = o->type == BPF_MAP_TYPE_PROG_ARRAY ? K_PROG : K_MAP;
		uint32_t kid, vid;
		memcpy(&kid, kb, 4);
		memcpy(&vid, vb, 4);
		int ko = obj_by_kid(r, kind, kid), vo = obj_by_vid(r, kind, vid);
		if (ko != vo || ko < 0)
			return fail(r, sig, "stored object differs: kernel id %u (object %d), bpfvm id %u (object %d)", kid,
				    ko, vid, vo);
		if (memcmp(kb + 4, vb + 4, vsz + 16 - 4))
			return bytes_fail(r, sig, "bytes after the id", kb, vb, vsz + 16);
		return 0;
	}
	if (memcmp(kb, vb, vsz + 16))
		return bytes_fail(r, sig, "values", kb, vb, vsz + 16);
	return 0;
}

static int exec_lookup(struct run *r, const struct op *op, int and_delete)
{
	const struct obj *o = map_of(r, op->slot);
	if (!elem_ok(o))
		return r->nskip++, 0;
	uint32_t ks = o ? o->key_size : 8, vsz = sys_value_size(o);
	uint8_t *key = calloc(1, ks + 8), *kb = malloc(vsz + 16), *vb = malloc(vsz + 16);
	uint8_t *before = NULL;
	make_key(o, op->kidx, key, ks);
	memset(kb, SENTINEL, vsz + 16);
	memset(vb, SENTINEL, vsz + 16);
	union bpf_attr ka, va;
	memset(&ka, 0, sizeof(ka));
	memset(&va, 0, sizeof(va));
	fds_of(r, op->slot, op->fdmode, &ka.map_fd, &va.map_fd);
	ka.key = va.key = op->keymode == KM_NULL ? 0 : ptr(key);
	ka.value = op->valmode == KM_NULL ? 0 : ptr(kb);
	va.value = op->valmode == KM_NULL ? 0 : ptr(vb);
	/* LOOKUP_AND_DELETE: 6.18's flags field, after v5.1's last (value). */
	ka.flags = va.flags = op->flags;
	const struct slot *sl = live(r, op->slot);
	int rc = 0;
	/* LOOKUP_AND_DELETE on hash maps: v5.1 has none (ENOTSUPP), 5.14+
	 * does. Remember bpfvm's value to compare with what the kernel pops. */
	int hash_lad = and_delete && o &&
		       ((type_is_hash(o->type) && o->type != BPF_MAP_TYPE_HASH_OF_MAPS) || o->type == BPF_MAP_TYPE_STACK_TRACE);
	if (hash_lad) {
		int kfd, vfd;
		before = malloc(vsz + 16);
		memset(before, SENTINEL, vsz + 16);
		if (check_fds(r, o, &kfd, &vfd) == 0) {
			union bpf_attr a;
			memset(&a, 0, sizeof(a));
			a.map_fd = (uint32_t)vfd;
			a.key = ptr(key);
			a.value = ptr(before);
			if (vm_bpf(r, BPF_MAP_LOOKUP_ELEM, &a, sizeof(a)) < 0)
				memset(before, SENTINEL, vsz + 16);
			close_check_fds(r, kfd, vfd);
		}
	}
	struct call *c = malloc(sizeof(*c));
	call_both(r, and_delete ? BPF_MAP_LOOKUP_AND_DELETE_ELEM : BPF_MAP_LOOKUP_ELEM, &ka, &va, op, c);
	const char *sig = and_delete ? "LOOKUP_AND_DELETE/rc" : "LOOKUP/rc";
	if (attr_grown(op, c, 0))
		goto out;
	if (!same_rc(c->kr, c->vr, 0)) {
		if (!and_delete && o && o->type == BPF_MAP_TYPE_LPM_TRIE && c->kr == -ENOENT &&
		    (c->vr == 0 || c->vr == -EFAULT)) {
			uint32_t plen;
			memcpy(&plen, key, 4);
			if (plen > (o->key_size - 4) * 8) {
				known(KD_LPM_LOOKUP_TOO_LONG);
				goto out;
			}
		}
		if (and_delete && op->flags && c->vr == -EINVAL && (c->kr == -EBADF || c->kr == -EPERM)) {
			/* 6.18's flags field: v5.1's CHECK_ATTR refuses it before
			 * looking at the fd, 6.18 checks the fd and access first. */
			known(KD_LOOKUP_DELETE_FLAGS);
			goto out;
		}
		if (and_delete && sl && sl->can_write && !sl->can_read && c->kr == -EPERM) {
			/* v5.1 asks for write access only, 6.18 for both. */
			known(KD_LOOKUP_DELETE_WRONLY);
			if ((c->vr == 0 || c->vr == -EFAULT) && o &&
			    (o->type == BPF_MAP_TYPE_QUEUE || o->type == BPF_MAP_TYPE_STACK)) {
				/* bpfvm popped: pop the kernel too, compare. */
				int kfd = -1, vfd = -1;
				if (check_fds(r, o, &kfd, &vfd) == 0) {
					union bpf_attr a;
					memset(&a, 0, sizeof(a));
					a.map_fd = (uint32_t)kfd;
					a.value = ptr(kb);
					int x = k_bpf(BPF_MAP_LOOKUP_AND_DELETE_ELEM, &a, sizeof(a));
					close_check_fds(r, kfd, vfd);
					if (x != 0)
						rc = fail(r, "LOOKUP_AND_DELETE/resync", "kernel pop failed: %d", x);
					else if (c->vr == 0)
						rc = compare_values(r, "LOOKUP_AND_DELETE/value", o, kb, vb, vsz);
				}
			}
			goto out;
		}
		if (hash_lad && c->vr == -ENOTSUPP && (c->kr == 0 || c->kr == -ENOENT || c->kr == -EFAULT)) {
			known(KD_HASH_LOOKUP_DELETE);
			if (c->kr == 0 || c->kr == -EFAULT) {
				/* The kernel deleted the element: bpfvm too. */
				int kfd, vfd;
				if (check_fds(r, o, &kfd, &vfd) == 0) {
					union bpf_attr a;
					memset(&a, 0, sizeof(a));
					a.map_fd = (uint32_t)vfd;
					a.key = ptr(key);
					int x = vm_bpf(r, BPF_MAP_DELETE_ELEM, &a, sizeof(a));
					close_check_fds(r, kfd, vfd);
					if (x != 0)
						rc = fail(r, "LOOKUP_AND_DELETE/resync", "bpfvm had no such element: %d", x);
				}
				if (!rc && c->kr == 0)
					rc = compare_values(r, "LOOKUP_AND_DELETE/value", o, kb, before, vsz);
			}
			goto out;
		}
		rc = rc_fail(r, sig, c->kr, c->vr);
		goto out;
	}
	if (c->kr == 0 && op->valmode != KM_NULL)
		rc = compare_values(r, and_delete ? "LOOKUP_AND_DELETE/value" : "LOOKUP/value", o, kb, vb, vsz);
out:
	free(c);
	free(before);
	free(key);
	free(kb);
	free(vb);
	return rc;
}

static int exec_delete(struct run *r, const struct op *op)
{
	const struct obj *o = map_of(r, op->slot);
	if (!elem_ok(o))
		return r->nskip++, 0;
	uint32_t ks = o ? o->key_size : 8;
	uint8_t *key = calloc(1, ks + 8);
	make_key(o, op->kidx, key, ks);
	union bpf_attr ka, va;
	memset(&ka, 0, sizeof(ka));
	memset(&va, 0, sizeof(va));
	fds_of(r, op->slot, op->fdmode, &ka.map_fd, &va.map_fd);
	ka.key = va.key = op->keymode == KM_NULL ? 0 : ptr(key);
	struct call *c = malloc(sizeof(*c));
	call_both(r, BPF_MAP_DELETE_ELEM, &ka, &va, op, c);
	int rc = 0;
	if (!attr_grown(op, c, 0) && !same_rc(c->kr, c->vr, 0))
		rc = rc_fail(r, "DELETE/rc", c->kr, c->vr);
	free(c);
	free(key);
	return rc;
}

/* Whether iteration order is the same on both sides: hash maps only with a
 * zero seed (BPF_F_ZERO_SEED: same jhash, same buckets, same chains). */
static int same_order(const struct obj *o)
{
	return !type_is_hash(o->type) || (o->map_flags & BPF_F_ZERO_SEED);
}

/* Whether GET_NEXT_KEY answers can be compared one by one. */
static int next_key_order(const struct obj *o)
{
	return same_order(o) && o->type != BPF_MAP_TYPE_HASH_OF_MAPS;  /* KD_HTAB_OF_MAPS_IN_PLACE */
}

static int exec_next_key(struct run *r, const struct op *op)
{
	const struct obj *o = map_of(r, op->slot);
	if (!elem_ok(o))
		return r->nskip++, 0;
	uint32_t ks = o ? o->key_size : 8;
	uint8_t *key = calloc(1, ks + 8), *kb = malloc(ks + 16), *vb = malloc(ks + 16);
	make_key(o, op->kidx, key, ks);
	memset(kb, SENTINEL, ks + 16);
	memset(vb, SENTINEL, ks + 16);
	union bpf_attr ka, va;
	memset(&ka, 0, sizeof(ka));
	memset(&va, 0, sizeof(va));
	fds_of(r, op->slot, op->fdmode, &ka.map_fd, &va.map_fd);
	ka.key = va.key = op->keymode == KM_NULL ? 0 : ptr(key);
	ka.next_key = op->valmode == KM_NULL ? 0 : ptr(kb);
	va.next_key = op->valmode == KM_NULL ? 0 : ptr(vb);
	struct pre p = { -1, 0, { 0 }, NULL };
	if (o && o->type == BPF_MAP_TYPE_LPM_TRIE && op->keymode == KM_NORMAL)
		pre_state(r, o, key, &p);
	struct call *c = malloc(sizeof(*c));
	call_both(r, BPF_MAP_GET_NEXT_KEY, &ka, &va, op, c);
	int rc = 0;
	if (attr_grown(op, c, 0))
		goto out;
	int ordered = !o || next_key_order(o);
	if (!ordered) {
		/* Different seeds, different orders: only errors other than
		 * "no next key" must agree, and a key from NULL iff nonempty. */
		int next_null = op->valmode == KM_NULL || (op->am == AM_SHORT && op->am_off <= 16);
		int key_null = op->keymode == KM_NULL || (op->am == AM_SHORT && op->am_off <= 8);
		int found = next_null ? -EFAULT : 0;   /* what finding a next key gives */
		int kn = c->kr == found || c->kr == -ENOENT, vn = c->vr == found || c->vr == -ENOENT;
		if (kn != vn || (!kn && c->kr != c->vr) || (key_null && c->kr != c->vr))
			rc = rc_fail(r, "NEXT_KEY/rc", c->kr, c->vr);
		goto out;
	}
	if (!same_rc(c->kr, c->vr, 0) ||
	    (c->kr == 0 && op->valmode != KM_NULL && memcmp(kb, vb, ks + 16))) {
		if (o && o->type == BPF_MAP_TYPE_LPM_TRIE && p.count >= 0 && !p.exists) {
			/* 6.13 fixed which node an absent key is taken as. */
			known(KD_LPM_NEXT_KEY_ABSENT);
			goto out;
		}
		if (!same_rc(c->kr, c->vr, 0))
			rc = rc_fail(r, "NEXT_KEY/rc", c->kr, c->vr);
		else
			rc = bytes_fail(r, "NEXT_KEY/key", "next keys", kb, vb, ks + 16);
	}
out:
	free(p.oldval);
	free(c);
	free(key);
	free(kb);
	free(vb);
	return rc;
}

/* ---- programs ---- */

static const char *license_of(int v)
{
	static const char *const l[] = { "GPL", "MIT", "Dual BSD/GPL", "", "GPL v2", "Proprietary" };
	return v >= 0 && v < 6 ? l[v] : NULL;
}

/* The v5.1 tag: SHA-1 of the instructions with map fds zeroed. */
static void v51_tag(const struct obj *o, uint8_t tag[8])
{
	struct bpf_insn in[4];
	memcpy(in, o->insns, sizeof(in));
	for (uint32_t i = 0; i + 1 < o->insn_cnt; i++)
		if (in[i].code == (BPF_LD | BPF_IMM | BPF_DW) && in[i].src_reg == BPF_PSEUDO_MAP_FD) {
			in[i].imm = 0;
			in[i + 1].imm = 0;
			i++;
		}
	uint8_t d[20];
	sha1(in, o->insn_cnt * sizeof(in[0]), d);
	memcpy(tag, d, 8);
}

static int compare_prog_info(struct run *r, const char *sig, const struct obj *o, const struct bpf_prog_info *k,
			     const struct bpf_prog_info *v, uint32_t len)
{
	if (len >= offsetof(struct bpf_prog_info, id) && k->type != v->type)
		return fail(r, sig, "prog info type: kernel %u, bpfvm %u", k->type, v->type);
	if (len >= offsetof(struct bpf_prog_info, ifindex) && memcmp(k->name, v->name, 16))
		return fail(r, sig, "prog info name: kernel '%.16s', bpfvm '%.16s'", k->name, v->name);
	if (len >= offsetof(struct bpf_prog_info, netns_dev) && k->gpl_compatible != v->gpl_compatible)
		return fail(r, sig, "prog info gpl_compatible: kernel %u, bpfvm %u", k->gpl_compatible,
			    v->gpl_compatible);
	if (len >= offsetof(struct bpf_prog_info, jited_prog_insns) && o && o->map_obj < 0 &&
	    k->xlated_prog_len != v->xlated_prog_len)
		return fail(r, sig, "prog info xlated_prog_len: kernel %u, bpfvm %u", k->xlated_prog_len,
			    v->xlated_prog_len);
	if (len >= offsetof(struct bpf_prog_info, map_ids) && k->nr_map_ids != v->nr_map_ids)
		return fail(r, sig, "prog info nr_map_ids: kernel %u, bpfvm %u", k->nr_map_ids, v->nr_map_ids);
	if (o && len >= offsetof(struct bpf_prog_info, jited_prog_len)) {
		uint8_t want[8];
		v51_tag(o, want);
		stats.tags_checked += cfg.counting;
		if (memcmp(v->tag, want, 8)) {
			char a[20], b[20];
			hexdump(a, sizeof(a), v->tag, 8);
			hexdump(b, sizeof(b), want, 8);
			return fail(r, sig, "bpfvm's prog tag %s is not the SHA-1 tag %s", a, b);
		}
	}
	return 0;
}

static int exec_prog_load(struct run *r, const struct op *op)
{
	struct bpf_insn kin[4], vin[4];
	uint32_t cnt = 2;
	memset(kin, 0, sizeof(kin));
	int map_ref = -1;
	switch (op->variant % 5) {
	case 0:         /* r0 = imm; exit */
	case 3:         /* (no instructions) */
	case 4:         /* (insns NULL) */
		kin[0] = (struct bpf_insn){ .code = BPF_ALU64 | BPF_MOV | BPF_K, .imm = (int32_t)op->u32a };
		kin[1] = (struct bpf_insn){ .code = BPF_JMP | BPF_EXIT };
		break;
	case 1:         /* r1 = map (ld_imm64); r0 = imm; exit */
		kin[0] = (struct bpf_insn){ .code = BPF_LD | BPF_IMM | BPF_DW, .dst_reg = 1, .src_reg = BPF_PSEUDO_MAP_FD };
		kin[2] = (struct bpf_insn){ .code = BPF_ALU64 | BPF_MOV | BPF_K, .imm = (int32_t)op->u32a };
		kin[3] = (struct bpf_insn){ .code = BPF_JMP | BPF_EXIT };
		cnt = 4;
		if (live(r, op->slot2) && op->fdmode2 == FD_SLOT)
			map_ref = r->slots[op->slot2].obj;
		break;
	case 2:         /* exit (r0 never written) */
		kin[0] = (struct bpf_insn){ .code = BPF_JMP | BPF_EXIT };
		cnt = 1;
		break;
	}
	memcpy(vin, kin, sizeof(kin));
	if (op->variant % 5 == 1) {
		uint32_t kfd, vfd;
		fds_of(r, op->slot2, op->fdmode2, &kfd, &vfd);
		kin[0].imm = (int32_t)kfd;
		vin[0].imm = (int32_t)vfd;
	}
	union bpf_attr ka, va;
	memset(&ka, 0, sizeof(ka));
	ka.prog_type = op->type;
	ka.insn_cnt = op->variant % 5 == 3 ? 0 : cnt;
	ka.license = ptr(license_of(op->variant / 5));
	ka.prog_flags = op->map_flags;
	memcpy(ka.prog_name, op->name, sizeof(ka.prog_name));
	va = ka;
	ka.insns = op->variant % 5 == 4 ? 0 : ptr(kin);
	va.insns = op->variant % 5 == 4 ? 0 : ptr(vin);
	struct call *c = malloc(sizeof(*c));
	call_both(r, BPF_PROG_LOAD, &ka, &va, op, c);
	int rc = 0;
	struct obj *pa = map_ref >= 0 && r->objs[map_ref].kind == K_MAP &&
				 r->objs[map_ref].type == BPF_MAP_TYPE_PROG_ARRAY ? &r->objs[map_ref] : NULL;
	/* Loading a program that references a prog array binds the array to
	 * its type (bpf_check_tail_call); a load only one side took leaves
	 * the two arrays bound differently. */
	if (pa && c->kr >= 0 && !pa->owner_type) {
		pa->owner_type = op->type;
		pa->owner_diverged = c->vr < 0;
	}
	if (attr_grown(op, c, 1))
		goto out;
	if (!same_rc(c->kr, c->vr, 1)) {
		int cut = op->am == AM_SHORT ? op->am_off : 1000;
		if (c->kr == -E2BIG && c->vr == -EFAULT && (!ka.license || cut < 24) && (!ka.insn_cnt || cut < 8)) {
			known(KD_PROG_LOAD_ORDER);
			goto out;
		}
		rc = rc_fail(r, "PROG_LOAD/rc", c->kr, c->vr);
		drop_fds(c, r);
		goto out;
	}
	if (c->kr < 0 || r->nobjs >= MAX_SLOTS) {
		if (c->kr >= 0)
			drop_fds(c, r);
		goto out;
	}
	struct obj *o = &r->objs[r->nobjs];
	memset(o, 0, sizeof(*o));
	o->kind = K_PROG;
	memcpy(o->insns, vin, sizeof(vin));
	o->insn_cnt = cnt;
	o->map_obj = map_ref;
	o->prog_type = op->type;
	struct bpf_prog_info ki, vi;
	memset(&ki, 0, sizeof(ki));
	memset(&vi, 0, sizeof(vi));
	int a = k_info(c->kr, &ki, sizeof(ki)), b = v_info(r, c->vr, &vi, sizeof(vi));
	if (a || b) {
		rc = fail(r, "PROG_LOAD/info", "info of the new program: kernel %d, bpfvm %d", a, b);
		drop_fds(c, r);
		goto out;
	}
	o->kid = ki.id;
	o->vid = vi.id;
	if (compare_prog_info(r, "PROG_LOAD/info", o, &ki, &vi, sizeof(ki))) {
		rc = 1;
		drop_fds(c, r);
		goto out;
	}
	set_slot(r, op->out, r->nobjs++, c->kr, c->vr, 1, 1);
out:
	free(c);
	return rc;
}

/* ---- pins ---- */

static void pin_path(const struct run *r, const struct op *op, char *buf, size_t len, const char **p)
{
	unsigned v = op->variant;
	*p = buf;
	if (v < 6)
		snprintf(buf, len, "%s/p%u", r->dir, v);
	else if (v == 6)
		snprintf(buf, len, "%s", "");
	else if (v == 7)
		snprintf(buf, len, "/tmp/bpfvm_diff_cmd_nonexistent_%d", (int)getpid());
	else if (v == 8)
		snprintf(buf, len, "%s/p0/", r->dir);
	else if (v == 9)
		*p = NULL;
	else
		snprintf(buf, len, "bpfvm_diff_cmd_relative_%d", (int)getpid());
}

static int exec_pin(struct run *r, const struct op *op)
{
	char path[512];
	const char *p;
	pin_path(r, op, path, sizeof(path), &p);
	union bpf_attr ka, va;
	memset(&ka, 0, sizeof(ka));
	memset(&va, 0, sizeof(va));
	fds_of(r, op->slot, op->fdmode, &ka.bpf_fd, &va.bpf_fd);
	ka.pathname = va.pathname = ptr(p);
	ka.file_flags = va.file_flags = op->u32a;
	struct call *c = malloc(sizeof(*c));
	call_both(r, BPF_OBJ_PIN, &ka, &va, op, c);
	int rc = 0;
	if (attr_grown(op, c, 0))
		;
	else if (c->kr == -EINVAL && c->vr == -EBADF)
		known(KD_PIN_BAD_FD);
	else if (!same_rc(c->kr, c->vr, 0))
		rc = rc_fail(r, "OBJ_PIN/rc", c->kr, c->vr);
	else if (c->kr == 0 && op->variant < 6)
		r->pins[op->variant] = r->slots[op->slot].obj;
	free(c);
	return rc;
}

static int exec_obj_get(struct run *r, const struct op *op)
{
	char path[512];
	const char *p;
	pin_path(r, op, path, sizeof(path), &p);
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.pathname = ptr(p);
	a.file_flags = op->u32a;
	a.bpf_fd = op->fdmode == FD_BAD ? 7 : 0;
	struct call *c = malloc(sizeof(*c));
	call_both(r, BPF_OBJ_GET, &a, &a, op, c);
	int rc = 0;
	if (attr_grown(op, c, 1))
		goto out;
	if (!same_rc(c->kr, c->vr, 1)) {
		rc = rc_fail(r, "OBJ_GET/rc", c->kr, c->vr);
		drop_fds(c, r);
		goto out;
	}
	if (c->kr < 0)
		goto out;
	/* Which object came back? The one pinned there, on both sides. */
	int want = op->variant < 6 ? r->pins[op->variant] : -1;
	struct bpf_map_info ki, vi;         /* type and id lead prog info too */
	memset(&ki, 0, sizeof(ki));
	memset(&vi, 0, sizeof(vi));
	int x = k_info(c->kr, &ki, 8), y = v_info(r, c->vr, &vi, 8);
	int ko = want;
	if (want < 0 || x || y || ki.id != r->objs[want].kid || vi.id != r->objs[want].vid) {
		rc = fail(r, "OBJ_GET/object", "OBJ_GET returned ids %u (kernel) and %u (bpfvm), the pin was object %d",
			  ki.id, vi.id, want);
		drop_fds(c, r);
		goto out;
	}
	uint32_t fl = op->u32a;
	if (op->am == AM_SHORT && op->am_off < 16)
		fl = op->am_off <= 12 ? 0 : fl & ((1u << (8 * (op->am_off - 12))) - 1);
	set_slot(r, op->out, ko, c->kr, c->vr, !(fl & BPF_F_WRONLY), !(fl & BPF_F_RDONLY));
out:
	free(c);
	return rc;
}

/* ---- info ---- */

static int exec_info(struct run *r, const struct op *op)
{
	const struct obj *o = obj_of(r, op->slot);
	unsigned ksz = 2048, vsz = 2048;
	uint8_t *kb = malloc(ksz + 16), *vb = malloc(vsz + 16);
	memset(kb, 0, ksz + 16);
	memset(vb, 0, vsz + 16);
	uint32_t full = o && o->kind == K_PROG ? (uint32_t)sizeof(struct bpf_prog_info)
					       : (uint32_t)sizeof(struct bpf_map_info);
	uint32_t len = full;
	int null_ptr = 0;
	uint32_t kmap_ids[4] = { 0 }, vmap_ids[4] = { 0 };
	struct bpf_insn kx[8], vx[8];
	memset(kx, 0, sizeof(kx));
	memset(vx, 0, sizeof(vx));
	switch (op->variant) {
	case 0: len = full; break;
	case 1: len = 0; null_ptr = 1; break;
	case 2: len = 0; break;
	case 3: len = 8; break;
	case 4: len = 4 + (op->u32a % full); break;
	case 5: len = full + 32; break;             /* larger, zero tail */
	case 6: len = 2048; kb[1500] = vb[1500] = 1; break;     /* nonzero tail: E2BIG */
	case 7: len = PAGE + 1; break;
	case 8: len = full; null_ptr = 1; break;
	case 9:         /* programs: ask for map ids and instructions */
		len = full;
		if (o && o->kind == K_PROG) {
			struct bpf_prog_info *pk = (void *)kb, *pv = (void *)vb;
			pk->nr_map_ids = pv->nr_map_ids = 4;
			pk->map_ids = ptr(kmap_ids);
			pv->map_ids = ptr(vmap_ids);
			if (o->map_obj < 0) {
				pk->xlated_prog_len = pv->xlated_prog_len = sizeof(kx);
				pk->xlated_prog_insns = ptr(kx);
				pv->xlated_prog_insns = ptr(vx);
			}
		}
		break;
	}
	uint8_t *kbig = NULL, *vbig = NULL;
	if (len > ksz) {
		kbig = calloc(1, len + 16);
		vbig = calloc(1, len + 16);
	}
	union bpf_attr ka, va;
	memset(&ka, 0, sizeof(ka));
	memset(&va, 0, sizeof(va));
	fds_of(r, op->slot, op->fdmode, &ka.info.bpf_fd, &va.info.bpf_fd);
	ka.info.info_len = va.info.info_len = len;
	ka.info.info = null_ptr ? 0 : ptr(kbig ? kbig : kb);
	va.info.info = null_ptr ? 0 : ptr(vbig ? vbig : vb);
	struct call *c = malloc(sizeof(*c));
	call_both(r, BPF_OBJ_GET_INFO_BY_FD, &ka, &va, op, c);
	int rc = 0;
	union bpf_attr kback, vback;
	memcpy(&kback, c->k, sizeof(kback));
	memcpy(&vback, c->v, sizeof(vback));
	if (attr_grown(op, c, 0))
		goto out;
	if (!same_rc(c->kr, c->vr, 0)) {
		rc = rc_fail(r, "INFO/rc", c->kr, c->vr);
		goto out;
	}
	if (c->kr < 0)
		goto out;
	uint32_t klen = kback.info.info_len, vlen = vback.info.info_len;
	if (op->am == AM_SHORT && op->am_off < 8) {
		/* info_len itself was cut: 0 on both; the kernel writes it
		 * back anyway (put_user ignores the attr size), bpfvm does not. */
		if (klen != vlen) {
			known(KD_BPFVM_WRITEBACK_BEYOND_SIZE);
			goto out;
		}
	}
	if (klen != vlen) {
		if (len > full && vlen == full && klen > full) {
			known(KD_INFO_GROWN);   /* 6.18's struct is longer */
		} else {
			rc = fail(r, "INFO/len", "info_len written back: kernel %u, bpfvm %u", klen, vlen);
			goto out;
		}
	}
	uint32_t cmp = vlen < full ? vlen : full;
	const uint8_t *ki = kbig ? kbig : kb, *vi = vbig ? vbig : vb;
	if (!o)
		goto out;
	if (o->kind == K_MAP) {
		struct bpf_map_info km, vm;
		memset(&km, 0, sizeof(km));
		memset(&vm, 0, sizeof(vm));
		memcpy(&km, ki, cmp);
		memcpy(&vm, vi, cmp);
		rc = compare_map_info(r, "INFO/map", &km, &vm, cmp, o->map_flags);
		if (!rc && cmp >= 8 && (km.id != o->kid || vm.id != o->vid))
			rc = fail(r, "INFO/id", "map info id is not the object's");
		goto out;
	}
	struct bpf_prog_info kp, vp;
	memset(&kp, 0, sizeof(kp));
	memset(&vp, 0, sizeof(vp));
	memcpy(&kp, ki, cmp);
	memcpy(&vp, vi, cmp);
	if ((rc = compare_prog_info(r, "INFO/prog", o, &kp, &vp, cmp)))
		goto out;
	if (op->variant == 9) {
		uint32_t n = kp.nr_map_ids < 4 ? kp.nr_map_ids : 4;
		for (uint32_t i = 0; i < n; i++) {
			int a = obj_by_kid(r, K_MAP, kmap_ids[i]), b = obj_by_vid(r, K_MAP, vmap_ids[i]);
			if (a != b || a < 0) {
				rc = fail(r, "INFO/map_ids", "map_ids[%u]: kernel object %d, bpfvm object %d", i, a, b);
				goto out;
			}
		}
		if (o->map_obj < 0 && memcmp(kx, vx, sizeof(kx))) {
			rc = bytes_fail(r, "INFO/xlated", "xlated instructions", (void *)kx, (void *)vx, sizeof(kx));
			goto out;
		}
	}
out:
	free(c);
	free(kb);
	free(vb);
	free(kbig);
	free(vbig);
	return rc;
}

/* ---- ids ---- */

static int exec_next_id(struct run *r, const struct op *op)
{
	int cmd = op->variant & 1 ? BPF_PROG_GET_NEXT_ID : BPF_MAP_GET_NEXT_ID;
	int kind = op->variant & 1 ? K_PROG : K_MAP;
	const struct obj *o = obj_of(r, op->slot);
	union bpf_attr ka, va;
	memset(&ka, 0, sizeof(ka));
	memset(&va, 0, sizeof(va));
	switch (op->variant >> 1) {
	case 0:         /* just before one of ours: that one comes next */
		if (!o || o->kind != kind)
			return r->nskip++, 0;
		ka.start_id = o->kid - 1;
		va.start_id = o->vid - 1;
		break;
	case 1: ka.start_id = va.start_id = 0x7ffffffe; break;
	case 2: ka.start_id = va.start_id = 0x7fffffff; break;
	case 3: ka.start_id = va.start_id = 0x80000000u; break;
	default: ka.start_id = va.start_id = 0xffffffffu; break;
	}
	ka.next_id = va.next_id = 0xdeadbeef;
	struct call *c = malloc(sizeof(*c));
	call_both(r, cmd, &ka, &va, op, c);
	int rc = 0;
	union bpf_attr kb, vb;
	memcpy(&kb, c->k, sizeof(kb));
	memcpy(&vb, c->v, sizeof(vb));
	if (attr_grown(op, c, 0))
		goto out;
	if (!same_rc(c->kr, c->vr, 0)) {
		rc = rc_fail(r, "NEXT_ID/rc", c->kr, c->vr);
		goto out;
	}
	if (c->kr < 0)
		goto out;
	if (op->am == AM_SHORT && op->am_off < 8 && kb.next_id != vb.next_id && vb.next_id == 0xdeadbeef) {
		known(KD_BPFVM_WRITEBACK_BEYOND_SIZE);
		goto out;
	}
	int a = obj_by_kid(r, kind, kb.next_id), b = obj_by_vid(r, kind, vb.next_id);
	if (a != b || a < 0)
		rc = fail(r, "NEXT_ID/id", "next id: kernel %u (object %d), bpfvm %u (object %d)", kb.next_id, a,
			  vb.next_id, b);
out:
	free(c);
	return rc;
}

static int exec_fd_by_id(struct run *r, const struct op *op)
{
	static const int cmds[] = { BPF_MAP_GET_FD_BY_ID, BPF_PROG_GET_FD_BY_ID, BPF_BTF_GET_FD_BY_ID };
	int which = op->variant % 3, cmd = cmds[which];
	const struct obj *o = obj_of(r, op->slot);
	union bpf_attr ka, va;
	memset(&ka, 0, sizeof(ka));
	memset(&va, 0, sizeof(va));
	int idmode = op->variant / 3;
	if (idmode == 0) {
		if (!o || which == 2 || o->kind != (which == 0 ? K_MAP : K_PROG))
			return r->nskip++, 0;
		ka.map_id = o->kid;
		va.map_id = o->vid;
	} else {
		ka.map_id = va.map_id = idmode == 1 ? 0 : 0x7ffffffe;
	}
	ka.open_flags = va.open_flags = op->u32a;
	struct call *c = malloc(sizeof(*c));
	call_both(r, cmd, &ka, &va, op, c);
	int rc = 0;
	if (attr_grown(op, c, 1))
		goto out;
	if (!same_rc(c->kr, c->vr, 1)) {
		rc = rc_fail(r, "FD_BY_ID/rc", c->kr, c->vr);
		drop_fds(c, r);
		goto out;
	}
	if (c->kr < 0)
		goto out;
	if (!o) {
		drop_fds(c, r);
		goto out;
	}
	uint32_t fl = op->u32a;
	if (op->am == AM_SHORT && op->am_off < 12)
		fl = op->am_off <= 8 ? 0 : fl & ((1u << (8 * (op->am_off - 8))) - 1);
	set_slot(r, op->out, r->slots[op->slot].obj, c->kr, c->vr, !(fl & BPF_F_WRONLY), !(fl & BPF_F_RDONLY));
out:
	free(c);
	return rc;
}

static int exec_close(struct run *r, const struct op *op)
{
	if (!live(r, op->slot))
		return r->nskip++, 0;
	struct slot *s = &r->slots[op->slot];
	ko_cmd_close(s->kfd);
	int rc = bpfvm_close(r->vm, s->vfd);
	s->state = S_CLOSED;
	if (rc)
		return fail(r, "CLOSE", "bpfvm_close(%d) failed: %s", s->vfd, strerror(errno));
	return 0;
}

/* Commands outside the others: unknown commands, empty attrs. */
static int exec_raw(struct run *r, const struct op *op)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	int cmd = (int)op->u32a;
	struct call *c = malloc(sizeof(*c));
	int rc = 0;
	if (op->variant == 1) {         /* NULL attr of size 0: all zero */
		c->kr = k_bpf(cmd, NULL, 0);
		c->vr = vm_bpf(r, cmd, NULL, 0);
		r->nexec++;
	} else {
		if (op->variant == 2)
			a.btf_id = 0x7ffffffe;
		call_both(r, cmd, &a, &a, op, c);
	}
	if (attr_grown(op, c, 1))
		;
	else if (cmd == BPF_PROG_LOAD && c->kr == -E2BIG && c->vr == -EFAULT)
		known(KD_PROG_LOAD_ORDER);      /* all zero: no license, no instructions */
	else if (!same_rc(c->kr, c->vr, 1))
		rc = rc_fail(r, "RAW/rc", c->kr, c->vr);
	drop_fds(c, r);
	free(c);
	return rc;
}

/* ---- contents ---- */

struct kv {
	uint8_t *key;
	uint8_t *val;           /* sys value + 16 sentinel bytes */
	int rc;
};

static int kv_cmp_size;
static int kv_cmp(const void *a, const void *b)
{
	return memcmp(((const struct kv *)a)->key, ((const struct kv *)b)->key, (size_t)kv_cmp_size);
}

/* Iterates a map from NULL, then looks every key up. Returns the number of
 * entries, or -1 (iteration did not end) / -errno. */
static int dump(struct run *r, int kernel, int fd, const struct obj *o, struct kv *out, int max)
{
	uint32_t ks = o->key_size, vsz = sys_value_size(o);
	int n = 0;
	for (;;) {
		if (n >= max)
			return -1;
		union bpf_attr a;
		memset(&a, 0, sizeof(a));
		a.map_fd = (uint32_t)fd;
		a.key = n ? ptr(out[n - 1].key) : 0;
		out[n].key = calloc(1, ks + 1);
		out[n].val = NULL;
		a.next_key = ptr(out[n].key);
		int rc = kernel ? k_bpf(BPF_MAP_GET_NEXT_KEY, &a, sizeof(a)) : vm_bpf(r, BPF_MAP_GET_NEXT_KEY, &a, sizeof(a));
		if (rc == -ENOENT) {
			free(out[n].key);
			break;
		}
		if (rc < 0) {
			free(out[n].key);
			return rc;
		}
		n++;
	}
	for (int i = 0; i < n; i++) {
		union bpf_attr a;
		out[i].val = malloc(vsz + 16);
		memset(out[i].val, SENTINEL, vsz + 16);
		memset(&a, 0, sizeof(a));
		a.map_fd = (uint32_t)fd;
		a.key = ptr(out[i].key);
		a.value = ptr(out[i].val);
		out[i].rc = kernel ? k_bpf(BPF_MAP_LOOKUP_ELEM, &a, sizeof(a)) : vm_bpf(r, BPF_MAP_LOOKUP_ELEM, &a, sizeof(a));
	}
	return n;
}

static void free_kv(struct kv *e, int n)
{
	for (int i = 0; i < n; i++) {
		free(e[i].key);
		free(e[i].val);
	}
}

static int compare_keyed(struct run *r, const struct obj *o, int kfd, int vfd)
{
	int max = (int)(o->max_entries < 4096 ? o->max_entries : 4096) + 8;
	struct kv *ke = calloc((size_t)max, sizeof(*ke)), *ve = calloc((size_t)max, sizeof(*ve));
	int kn = dump(r, 1, kfd, o, ke, max), vn = dump(r, 0, vfd, o, ve, max);
	int rc = 0;
	uint32_t ks = o->key_size, vsz = sys_value_size(o);
	if (kn < 0 || vn < 0 || kn != vn) {
		rc = fail(r, "CHECK/count", "%s map (flags 0x%x): kernel has %d entries, bpfvm %d", type_name(o->type),
			  o->map_flags, kn, vn);
		goto out;
	}
	if (cfg.counting) {
		stats.maps_compared++;
		stats.entries_compared += (unsigned long)kn;
		stats.ordered_hash += type_is_hash(o->type) && same_order(o) && kn >= 2;
	}
	int sorted = !same_order(o);
	if (!sorted && o->type == BPF_MAP_TYPE_HASH_OF_MAPS) {
		for (int i = 0; i < kn; i++)
			if (memcmp(ke[i].key, ve[i].key, ks)) {
				known(KD_HTAB_OF_MAPS_IN_PLACE);
				sorted = 1;
				break;
			}
	}
	if (sorted) {
		kv_cmp_size = (int)ks;
		qsort(ke, (size_t)kn, sizeof(*ke), kv_cmp);
		qsort(ve, (size_t)vn, sizeof(*ve), kv_cmp);
	}
	for (int i = 0; i < kn && !rc; i++) {
		if (memcmp(ke[i].key, ve[i].key, ks)) {
			rc = bytes_fail(r, "CHECK/keys", sorted ? "keys (sorted)" : "keys (in iteration order)",
					ke[i].key, ve[i].key, ks);
			break;
		}
		if (ke[i].rc != ve[i].rc) {
			rc = rc_fail(r, "CHECK/lookup", ke[i].rc, ve[i].rc);
			break;
		}
		if (ke[i].rc == 0)
			rc = compare_values(r, "CHECK/values", o, ke[i].val, ve[i].val, vsz);
	}
out:
	free_kv(ke, kn > 0 ? kn : 0);
	free_kv(ve, vn > 0 ? vn : 0);
	free(ke);
	free(ve);
	return rc;
}

static int compare_indexed(struct run *r, const struct obj *o, int kfd, int vfd)
{
	uint32_t vsz = sys_value_size(o);
	uint8_t *kb = malloc(vsz + 16), *vb = malloc(vsz + 16);
	int rc = 0;
	uint32_t n = o->max_entries;
	stats.maps_compared += cfg.counting;
	for (uint32_t i = 0; i <= n && !rc; i++) {
		stats.entries_compared += cfg.counting;
		if (i == 64 && n > 66)
			i = n - 1;      /* big arrays: the first 64 and the last */
		union bpf_attr a;
		memset(kb, SENTINEL, vsz + 16);
		memset(vb, SENTINEL, vsz + 16);
		memset(&a, 0, sizeof(a));
		a.map_fd = (uint32_t)kfd;
		a.key = ptr(&i);
		a.value = ptr(kb);
		int x = k_bpf(BPF_MAP_LOOKUP_ELEM, &a, sizeof(a));
		a.map_fd = (uint32_t)vfd;
		a.value = ptr(vb);
		int y = vm_bpf(r, BPF_MAP_LOOKUP_ELEM, &a, sizeof(a));
		if (x != y)
			rc = fail(r, "CHECK/lookup", "%s index %u: lookup kernel %d, bpfvm %d", type_name(o->type), i, x, y);
		else if (x == 0)
			rc = compare_values(r, "CHECK/values", o, kb, vb, vsz);
	}
	free(kb);
	free(vb);
	return rc;
}

static int compare_queue(struct run *r, const struct obj *o, int kfd, int vfd, int final)
{
	uint32_t vsz = o->value_size;
	uint8_t *kb = malloc(vsz + 16), *vb = malloc(vsz + 16);
	int rc = 0;
	for (uint32_t i = 0; i <= o->max_entries + 1 && !rc; i++) {
		union bpf_attr a;
		int cmd = final ? BPF_MAP_LOOKUP_AND_DELETE_ELEM : BPF_MAP_LOOKUP_ELEM;
		memset(kb, SENTINEL, vsz + 16);
		memset(vb, SENTINEL, vsz + 16);
		memset(&a, 0, sizeof(a));
		a.map_fd = (uint32_t)kfd;
		a.value = ptr(kb);
		int x = k_bpf(cmd, &a, sizeof(a));
		a.map_fd = (uint32_t)vfd;
		a.value = ptr(vb);
		int y = vm_bpf(r, cmd, &a, sizeof(a));
		if (x != y)
			rc = fail(r, "CHECK/pop", "%s element %u: kernel %d, bpfvm %d", type_name(o->type), i, x, y);
		else if (x == 0)
			rc = compare_values(r, "CHECK/values", o, kb, vb, vsz);
		if (x || !final)
			break;
	}
	free(kb);
	free(vb);
	return rc;
}

static int compare_map(struct run *r, const struct obj *o, int final)
{
	if (!elem_ok(o))
		return 0;
	int kfd, vfd;
	if (check_fds(r, o, &kfd, &vfd) < 0)
		return fail(r, "CHECK/fds", "cannot open map %u/%u by id on both sides", o->kid, o->vid);
	int rc;
	if (type_is_hash(o->type) || o->type == BPF_MAP_TYPE_LPM_TRIE || o->type == BPF_MAP_TYPE_STACK_TRACE)
		rc = compare_keyed(r, o, kfd, vfd);
	else if (o->type == BPF_MAP_TYPE_QUEUE || o->type == BPF_MAP_TYPE_STACK)
		rc = compare_queue(r, o, kfd, vfd, final);
	else
		rc = compare_indexed(r, o, kfd, vfd);
	close_check_fds(r, kfd, vfd);
	return rc;
}

int run_check_all(struct run *r, int final)
{
	int seen[MAX_SLOTS] = { 0 };
	for (int s = 0; s < MAX_SLOTS; s++) {
		const struct obj *o = map_of(r, s);
		if (!o || seen[r->slots[s].obj]++)
			continue;
		if (compare_map(r, o, final))
			return 1;
	}
	return 0;
}

static int exec_check(struct run *r, const struct op *op)
{
	const struct obj *o = map_of(r, op->slot);
	if (!o)
		return r->nskip++, 0;
	return compare_map(r, o, 0);
}

/* ---- the run ---- */

int run_init(struct run *r, unsigned long seqno)
{
	memset(r, 0, sizeof(*r));
	for (int i = 0; i < MAX_SLOTS; i++)
		r->slots[i].kfd = r->slots[i].vfd = -1;
	for (int i = 0; i < 6; i++)
		r->pins[i] = -1;
	r->vm = bpfvm_new();
	if (!r->vm)
		return -ENOMEM;
	int rc = bpfvm_set_ncpus(r->vm, cfg.ncpus);
	if (rc < 0)
		return rc;
	snprintf(r->dir, sizeof(r->dir), "/sys/fs/bpf/%s/s%lu", cfg.base, seqno);
	if (cfg.pins) {
		if (mkdir(r->dir, 0700) != 0)
			return -errno;
		r->dir_made = 1;
	}
	return 0;
}

void run_fini(struct run *r)
{
	for (int i = 0; i < MAX_SLOTS; i++)
		if (r->slots[i].state == S_LIVE) {
			ko_cmd_close(r->slots[i].kfd);
			bpfvm_close(r->vm, r->slots[i].vfd);
			r->slots[i].state = S_CLOSED;
		}
	if (r->dir_made)
		ko_bpffs_rmtree(r->dir);
	r->dir_made = 0;
	bpfvm_free(r->vm);
	r->vm = NULL;
}

struct dc_stats stats;

static int run_op1(struct run *r, const struct op *op)
{
	switch (op->kind) {
	case OP_MAP_CREATE: return exec_map_create(r, op);
	case OP_UPDATE: return exec_update(r, op);
	case OP_LOOKUP: return exec_lookup(r, op, 0);
	case OP_LOOKUP_DELETE: return exec_lookup(r, op, 1);
	case OP_DELETE: return exec_delete(r, op);
	case OP_NEXT_KEY: return exec_next_key(r, op);
	case OP_PROG_LOAD: return exec_prog_load(r, op);
	case OP_PIN: return cfg.pins ? exec_pin(r, op) : (r->nskip++, 0);
	case OP_OBJ_GET: return cfg.pins ? exec_obj_get(r, op) : (r->nskip++, 0);
	case OP_INFO: return exec_info(r, op);
	case OP_NEXT_ID: return exec_next_id(r, op);
	case OP_FD_BY_ID: return exec_fd_by_id(r, op);
	case OP_CLOSE: return exec_close(r, op);
	case OP_RAW: return exec_raw(r, op);
	case OP_CHECK: return exec_check(r, op);
	}
	return 0;
}

int run_op(struct run *r, const struct op *op)
{
	unsigned long k0 = known_seen;
	int skip0 = r->nskip;
	r->last_kr = 1;
	int rc = run_op1(r, op);
	unsigned long k1 = known_seen;
	if (!cfg.counting)
		return rc;
	int st = rc ? ST_MISMATCH : k1 != k0 ? ST_KNOWN : r->nskip != skip0 ? ST_SKIP
	       : r->last_kr == 1 ? ST_OK : r->last_kr >= 0 ? ST_OK : ST_ERR;
	if (op->kind == OP_CLOSE || op->kind == OP_CHECK)
		st = rc ? ST_MISMATCH : r->nskip != skip0 ? ST_SKIP : ST_OK;
	stats.ops[op->kind][st]++;
	return rc;
}

/* ---- printing ---- */

static const char *const kind_names[OP__COUNT] = {
	"MAP_CREATE", "MAP_UPDATE_ELEM", "MAP_LOOKUP_ELEM", "MAP_DELETE_ELEM", "MAP_GET_NEXT_KEY",
	"MAP_LOOKUP_AND_DELETE_ELEM", "PROG_LOAD", "OBJ_PIN", "OBJ_GET", "OBJ_GET_INFO_BY_FD", "*_GET_NEXT_ID",
	"*_GET_FD_BY_ID", "close", "raw", "compare contents",
};

static int am_print(char *b, size_t n, const struct op *op)
{
	switch (op->am) {
	case AM_SHORT: return snprintf(b, n, " [attr size %u]", op->am_off);
	case AM_BIG: return snprintf(b, n, " [attr size 4096, zero tail]");
	case AM_TAIL: return snprintf(b, n, " [attr byte %u = 0x%02x]", op->am_off, op->am_byte);
	case AM_MID:
	case AM_FAR: return snprintf(b, n, " [attr size 4096, byte %u = 0x%02x]", op->am_off, op->am_byte);
	case AM_HUGE: return snprintf(b, n, " [attr size 4097]");
	case AM_NULL: return snprintf(b, n, " [attr NULL, size 8]");
	}
	return 0;
}

static const char *fdm(int mode, int slot, char *buf)
{
	if (mode == FD_BAD)
		return "<bad fd>";
	if (mode == FD_NEG)
		return "<fd -1>";
	snprintf(buf, 16, "s%d", slot);
	return buf;
}

void op_print(char *b, size_t n, const struct op *op)
{
	char f1[16], f2[16], nm[96];
	int o = snprintf(b, n, "%s", kind_names[op->kind]);
	size_t i = 0, m = 0;
	nm[m++] = '"';
	for (; i < 16 && op->name[i]; i++) {
		unsigned char ch = (unsigned char)op->name[i];
		if (ch >= 0x20 && ch < 0x7f && ch != '"' && ch != '\\')
			nm[m++] = (char)ch;
		else
			m += (size_t)snprintf(nm + m, sizeof(nm) - m, "\\x%02x", ch);
	}
	snprintf(nm + m, sizeof(nm) - m, "\"%s", i == 16 ? " (no NUL)" : "");
	switch (op->kind) {
	case OP_MAP_CREATE:
		o += snprintf(b + o, n - o, " -> s%d: %s(%u) key %u value %u max %u flags 0x%x numa %d name %s",
			      op->out, type_name(op->type), op->type, op->key_size, op->value_size, op->max_entries,
			      op->map_flags, (int)op->numa_node, nm);
		if (op->slot2 >= 0 || op->fdmode2 != FD_SLOT)
			o += snprintf(b + o, n - o, " inner %s", fdm(op->fdmode2, op->slot2, f2));
		if (op->u32a)
			o += snprintf(b + o, n - o, " ifindex %u", op->u32a);
		break;
	case OP_UPDATE:
	case OP_LOOKUP:
	case OP_DELETE:
	case OP_NEXT_KEY:
	case OP_LOOKUP_DELETE:
		o += snprintf(b + o, n - o, " %s key %s", fdm(op->fdmode, op->slot, f1),
			      op->keymode == KM_NULL ? "NULL" : "#");
		if (op->keymode != KM_NULL)
			o += snprintf(b + o, n - o, "%u", op->kidx);
		if (op->kind != OP_DELETE)
			o += snprintf(b + o, n - o, " %s %s", op->kind == OP_NEXT_KEY ? "next" : "value",
				      op->valmode == KM_NULL ? "NULL" : "buf");
		if (op->kind == OP_UPDATE)
			o += snprintf(b + o, n - o, " (seed %" PRIx64 ", fd-value %s)", op->vseed,
				      fdm(op->fdmode2, op->slot2, f2));
		if (op->kind == OP_UPDATE || op->kind == OP_LOOKUP || op->kind == OP_LOOKUP_DELETE)
			o += snprintf(b + o, n - o, " flags 0x%" PRIx64, op->flags);
		break;
	case OP_PROG_LOAD:
		o += snprintf(b + o, n - o, " -> s%d: type %u insns#%u (r0=%d, map %s) license#%u flags 0x%x name %s",
			      op->out, op->type, op->variant % 5, (int)op->u32a, fdm(op->fdmode2, op->slot2, f2),
			      op->variant / 5, op->map_flags, nm);
		break;
	case OP_PIN:
		o += snprintf(b + o, n - o, " %s path#%u file_flags 0x%x", fdm(op->fdmode, op->slot, f1), op->variant,
			      op->u32a);
		break;
	case OP_OBJ_GET:
		o += snprintf(b + o, n - o, " -> s%d: path#%u file_flags 0x%x%s", op->out, op->variant, op->u32a,
			      op->fdmode == FD_BAD ? " bpf_fd 7" : "");
		break;
	case OP_INFO:
		o += snprintf(b + o, n - o, " %s variant %u (%u)", fdm(op->fdmode, op->slot, f1), op->variant, op->u32a);
		break;
	case OP_NEXT_ID:
		o += snprintf(b + o, n - o, " %s start#%u (s%d)", op->variant & 1 ? "PROG" : "MAP", op->variant >> 1,
			      op->slot);
		break;
	case OP_FD_BY_ID:
		o += snprintf(b + o, n - o, " -> s%d: %s id#%u (s%d) open_flags 0x%x", op->out,
			      op->variant % 3 == 0 ? "MAP" : op->variant % 3 == 1 ? "PROG" : "BTF", op->variant / 3,
			      op->slot, op->u32a);
		break;
	case OP_CLOSE:
	case OP_CHECK:
		o += snprintf(b + o, n - o, " s%d", op->slot);
		break;
	case OP_RAW:
		o += snprintf(b + o, n - o, " cmd %d variant %u", (int)op->u32a, op->variant);
		break;
	}
	if ((size_t)o < n)
		am_print(b + o, n - (size_t)o, op);
}
