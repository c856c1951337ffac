/* The differential test's corruptions of a base blob (truncations, bit
 * flips in the header and the type section, bad type ids, loops, bad
 * names), and the features that make a modern kernel answer differently
 * from v5.1 on purpose (enum known_diff). */
#include "corpus.h"
#include "builder.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- corruptions ---- */

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static uint8_t *dup(const uint8_t *p, uint32_t n)
{
	uint8_t *q = malloc(n ? n : 1);
	memcpy(q, p, n);
	return q;
}

/* offsets of the type records in the standard layout (base blobs only) */
static uint32_t type_offsets(const uint8_t *blob, uint32_t size, uint32_t *offs, uint32_t max)
{
	uint32_t tl = bb_get_hdr(blob, 3), off = 0, n = 0;
	if (BB_HDR_LEN + tl > size)
		return 0;
	while (off + 12 <= tl && n < max) {
		uint32_t info, vlen, kind, extra = 0;
		memcpy(&info, blob + BB_HDR_LEN + off + 4, 4);
		kind = (info >> 24) & 0x1f;
		vlen = info & 0xffff;
		switch (kind) {
		case BB_INT: case BB_VAR: extra = 4; break;
		case BB_ARRAY: extra = 12; break;
		case BB_STRUCT: case BB_UNION: case BB_DATASEC: extra = 12 * vlen; break;
		case BB_ENUM: case BB_FUNC_PROTO: extra = 8 * vlen; break;
		case BB_PTR: case BB_FWD: case BB_TYPEDEF: case BB_VOLATILE: case BB_CONST: case BB_RESTRICT:
		case BB_FUNC: break;
		default: return n;
		}
		offs[n++] = off;
		off += 12 + extra;
	}
	return n;
}

void corpus_mutations(struct bcases *c, const char *base_name, const uint8_t *base, uint32_t size, uint64_t seed,
		      int count)
{
	uint64_t s = seed | 1;
	uint32_t offs[4096];
	uint32_t nt = type_offsets(base, size, offs, 4096);
	uint32_t tl = bb_get_hdr(base, 3), sl = bb_get_hdr(base, 5);
	char name[96];
	for (int i = 0; i < count; i++) {
		uint8_t *p = dup(base, size);
		uint32_t n = size;
		int what = (int)(rnd(&s) % 8);
		uint32_t r = (uint32_t)rnd(&s);
		switch (what) {
		case 0:         /* truncation of the blob */
			n = r % size;
			snprintf(name, sizeof(name), "%s: truncated to %u", base_name, n);
			break;
		case 1:         /* truncation of the type section, header adjusted */
			if (!tl)
				break;
			{
				uint32_t cut = 1 + r % tl;
				memmove(p + BB_HDR_LEN + tl - cut, p + BB_HDR_LEN + tl, sl);
				bb_set_hdr(p, 3, tl - cut);
				bb_set_hdr(p, 4, tl - cut);
				n = size - cut;
				snprintf(name, sizeof(name), "%s: type section cut by %u", base_name, cut);
			}
			break;
		case 2:         /* a bit of the header */
			p[(r >> 3) % BB_HDR_LEN] ^= (uint8_t)(1u << (r & 7));
			snprintf(name, sizeof(name), "%s: header bit %u flipped", base_name, (r >> 3) % BB_HDR_LEN * 8 + (r & 7));
			break;
		case 3:         /* a bit of the type section */
		case 4:
			if (!tl)
				break;
			{
				uint32_t bit = r % (tl * 8);
				p[BB_HDR_LEN + bit / 8] ^= (uint8_t)(1u << (bit % 8));
				snprintf(name, sizeof(name), "%s: type bit %u flipped", base_name, bit);
			}
			break;
		case 5:         /* a bad type id in a reference field */
			if (!nt)
				break;
			{
				uint32_t t = offs[r % nt], id = (uint32_t)(rnd(&s) % (nt + 4));
				uint32_t field = 8;     /* ->type; for records with extra, maybe a later word */
				uint32_t words = (t + 12 < tl ? ((r >> 16) % 4) : 0);
				if (t + 12 + words * 4 + 4 <= tl && words)
					field = 12 + (words - 1) * 4;
				if (rnd(&s) % 4 == 0)
					id = 0x100000 + (uint32_t)(rnd(&s) % 16);
				bb_poke(p, t + field, id);
				snprintf(name, sizeof(name), "%s: word %u of type@%u := %u", base_name, field / 4, t, id);
			}
			break;
		case 6:         /* a loop: a reference back to its own type */
			if (!nt)
				break;
			{
				uint32_t k = r % nt;
				bb_poke(p, offs[k] + 8, k + 1);
				snprintf(name, sizeof(name), "%s: type %u refers to itself", base_name, k + 1);
			}
			break;
		case 7:         /* a bad name: a name offset, or a byte of the strings */
			if (r & 1) {
				if (!nt)
					break;
				uint32_t k = (r >> 1) % nt, off = (uint32_t)(rnd(&s) % (sl + 8));
				bb_poke(p, offs[k], off);
				snprintf(name, sizeof(name), "%s: name_off of type %u := %u", base_name, k + 1, off);
			} else {
				static const uint8_t bytes[] = { 0, '.', '-', ' ', '1', 0xe9, 0xd7, 0x80, 'A', '_' };
				uint32_t at = (r >> 1) % sl;
				uint8_t by = bytes[rnd(&s) % sizeof(bytes)];
				p[BB_HDR_LEN + tl + at] = by;
				snprintf(name, sizeof(name), "%s: string byte %u := 0x%02x", base_name, at, by);
			}
			break;
		}
		if (n == size && !memcmp(p, base, size)) {
			free(p);
			continue;
		}
		cases_add(c, name, p, n, 0);
	}
}

/* ---- features a modern kernel treats differently ---- */

struct walk {
	const uint8_t *t;               /* the type section */
	uint32_t tl;
	const char *str;
	uint32_t sl;
	uint32_t *offs;                 /* offs[id - 1]: record of type id */
	uint32_t n;
};

static uint32_t w32(const struct walk *w, uint32_t off)
{
	uint32_t v;
	memcpy(&v, w->t + off, 4);
	return v;
}

static const char *wname(const struct walk *w, uint32_t off)
{
	return off && off < w->sl ? w->str + off : NULL;
}

static int wkind(const struct walk *w, uint32_t id)
{
	return id && id <= w->n ? (int)((w32(w, w->offs[id - 1] + 4) >> 24) & 0x1f) : -1;
}

/* the id after const/volatile/typedef/restrict (a few hops at most) */
static uint32_t skip_mods(const struct walk *w, uint32_t id, int *skipped)
{
	for (int hop = 0; hop < 8; hop++) {
		int k = wkind(w, id);
		if (k != BB_TYPEDEF && k != BB_VOLATILE && k != BB_CONST && k != BB_RESTRICT)
			return id;
		*skipped = 1;
		id = w32(w, w->offs[id - 1] + 8);
	}
	return id;
}

static int has_dot(const struct walk *w, uint32_t name_off)
{
	const char *n = wname(w, name_off);
	return n && strchr(n, '.');
}

/* v5.2's btf_name_valid_section, roughly: letters, digits, '_', '.' */
static int section_name_ok(const char *n)
{
	if (!n || !*n)
		return 0;
	for (const unsigned char *p = (const unsigned char *)n; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= 0xc0 && *p != 0xd7 && *p != 0xf7) ||
		      *p == '_' || *p == '.' || (p != (const unsigned char *)n && *p >= '0' && *p <= '9')))
			return 0;
	return 1;
}

static int spin_lock_quirks(const struct walk *w, uint32_t off, uint32_t kind, uint32_t vlen, uint32_t kflag)
{
	int locks = 0, odd = kind == BB_UNION;
	for (uint32_t m = 0; m < vlen; m++) {
		uint32_t mo = off + 12 + 12 * m, skipped = 0;
		int sk = 0;
		uint32_t id = skip_mods(w, w32(w, mo + 4), &sk);
		skipped = (uint32_t)sk;
		if (wkind(w, id) != BB_STRUCT)
			continue;
		const char *n = wname(w, w32(w, w->offs[id - 1]));
		if (!n || strcmp(n, "bpf_spin_lock"))
			continue;
		uint32_t bits = kflag ? w32(w, mo + 8) & 0xffffff : w32(w, mo + 8);
		locks++;
		if (skipped || bits % 32)
			odd = 1;
	}
	return locks && (locks > 1 || odd);
}

int known_differences(const uint8_t *blob, uint32_t size)
{
	int k = 0;
	uint32_t h[6];
	if (size < BB_HDR_LEN)
		return 0;
	memcpy(h, blob, sizeof(h));
	uint32_t hl = h[1];
	if (hl < BB_HDR_LEN || hl > size)
		return 0;
	uint64_t tend = (uint64_t)hl + h[2] + h[3], send = (uint64_t)hl + h[4] + h[5];
	if (tend > size || send > size || !h[5] || blob[send - 1])
		return 0;
	struct walk w = { blob + hl + h[2], h[3], (const char *)blob + hl + h[4], h[5], NULL, 0 };
	/* any string 129..512 long */
	for (uint32_t i = 0, start = 0; i < w.sl; i++) {
		if (w.str[i])
			continue;
		if (i - start > 128 && i - start <= 512)
			k |= KD_NAME_LEN;
		start = i + 1;
	}
	w.offs = malloc((w.tl / 12 + 1) * sizeof(*w.offs));
	for (uint32_t off = 0; off + 12 <= w.tl;) {
		uint32_t info = w32(&w, off + 4), kind = (info >> 24) & 0x1f, vlen = info & 0xffff, extra;
		switch (kind) {
		case BB_INT: case BB_VAR: extra = 4; break;
		case BB_ARRAY: extra = 12; break;
		case BB_STRUCT: case BB_UNION: case BB_DATASEC: extra = 12 * vlen; break;
		case BB_ENUM: case BB_FUNC_PROTO: extra = 8 * vlen; break;
		case BB_PTR: case BB_FWD: case BB_TYPEDEF: case BB_VOLATILE: case BB_CONST: case BB_RESTRICT:
		case BB_FUNC: extra = 0; break;
		default: extra = 0; break;
		}
		if (info & 0x10000000u)
			k |= KD_NEW_KINDS;
		if (kind > BB_DATASEC || (uint64_t)off + 12 + extra > w.tl)
			break;          /* past here the walk means nothing */
		w.offs[w.n++] = off;
		off += 12 + extra;
	}
	for (uint32_t i = 0; i < w.n; i++) {
		uint32_t off = w.offs[i], name = w32(&w, off), info = w32(&w, off + 4), ref = w32(&w, off + 8);
		uint32_t kind = (info >> 24) & 0x1f, vlen = info & 0xffff;
		switch (kind) {
		case BB_FUNC:
			if (vlen)
				k |= KD_FUNC_LINKAGE;
			if (has_dot(&w, name))
				k |= KD_NAME_DOT;
			break;
		case BB_ENUM:
			if (ref != 4 || (info >> 31))
				k |= KD_ENUM_SIZE;
			for (uint32_t m = 0; m < vlen; m++) {
				if (has_dot(&w, w32(&w, off + 12 + 8 * m)))
					k |= KD_NAME_DOT;
			}
			if (has_dot(&w, name))
				k |= KD_NAME_DOT;
			break;
		case BB_DATASEC:
			if (!vlen)
				k |= KD_DATASEC;
			if (!section_name_ok(wname(&w, name)))
				k |= KD_DATASEC_NAME;
			break;
		case BB_STRUCT: case BB_UNION:
			for (uint32_t m = 0; m < vlen; m++)
				if (has_dot(&w, w32(&w, off + 12 + 12 * m)))
					k |= KD_NAME_DOT;
			if (spin_lock_quirks(&w, off, kind, vlen, info >> 31))
				k |= KD_SPECIAL_FIELDS;
			/* fall through */
		case BB_TYPEDEF: case BB_FWD: case BB_VAR:
			if (has_dot(&w, name))
				k |= KD_NAME_DOT;
			break;
		case BB_FUNC_PROTO: {
			int rk = wkind(&w, ref);
			if (rk == BB_VAR || rk == BB_DATASEC)
				k |= KD_PROTO_VAR;
			for (uint32_t m = 0; m < vlen; m++) {
				int ak = wkind(&w, w32(&w, off + 16 + 8 * m));
				if (ak == BB_VAR || ak == BB_DATASEC)
					k |= KD_PROTO_VAR;
				if (has_dot(&w, w32(&w, off + 12 + 8 * m)))
					k |= KD_NAME_DOT;
			}
			break;
		}
		}
		if (kind == BB_PTR || kind == BB_TYPEDEF || kind == BB_VOLATILE || kind == BB_CONST ||
		    kind == BB_RESTRICT) {
			if (wkind(&w, ref) == BB_FUNC)
				k |= KD_REF_FUNC;
		}
	}
	free(w.offs);
	return k;
}
