/* .BTF.ext: func_info and line_info records per program section, with
 * instruction offsets in bytes (converted here to instruction indices, as
 * libbpf does before PROG_LOAD), and CO-RE relocations (struct
 * bpf_core_relo, in the header's third block when hdr_len is 32 or more),
 * which are only counted: the loader does not apply them (see reloc.c).
 * Strings (section names, file names, line text, access strings) live in
 * .BTF's string section. */
#include "obj/obj.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct ext_block {
	const char *sec_name;
	struct obj_ext_rec *recs;
	uint32_t n;
};

struct obj_btf_ext {
	struct ext_block *blocks[3];    /* OBJ_EXT_FUNC, OBJ_EXT_LINE, OBJ_EXT_CORE */
	uint32_t nblocks[3];
};

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

void obj_btf_ext_free(struct obj_btf_ext *ext)
{
	if (!ext)
		return;
	for (int k = 0; k < 3; k++) {
		for (uint32_t i = 0; i < ext->nblocks[k]; i++)
			free(ext->blocks[k][i].recs);
		free(ext->blocks[k]);
	}
	free(ext);
}

static int cmp_rec(const void *a, const void *b)
{
	const struct obj_ext_rec *x = a, *y = b;
	return x->insn < y->insn ? -1 : x->insn > y->insn;
}

static const char *const ext_what[3] = { "func_info", "line_info", "core_relo" };

/* One info section: rec_size, then { sec_name_off, num_info, records }. */
static int parse_info(struct bpfvm_object *obj, struct obj_btf_ext *ext, int line, const uint8_t *p,
		      uint32_t len, uint32_t base)
{
	const char *what = ext_what[line];
	uint32_t min = line == OBJ_EXT_FUNC ? 8 : 16;
	if (len == 0)
		return 0;
	if (len < 4)
		return obj_err(obj, EINVAL, ".BTF.ext: %s at offset %u is truncated", what, base);
	uint32_t rec = rd32(p), pos = 4;
	if (rec < min || rec % 4)
		return obj_err(obj, EINVAL, ".BTF.ext: %s record size %u at offset %u is invalid", what, rec, base);
	while (pos < len) {
		if (len - pos < 8)
			return obj_err(obj, EINVAL, ".BTF.ext: %s block at offset %u is truncated", what, base + pos);
		uint32_t name_off = rd32(p + pos), n = rd32(p + pos + 4);
		if (!obj_btf_str_ok(obj->btf, name_off))
			return obj_err(obj, EINVAL, ".BTF.ext: %s block at offset %u: section name offset %u is "
				       "outside .BTF's strings", what, base + pos, name_off);
		if (n == 0 || (uint64_t)n * rec > len - pos - 8)
			return obj_err(obj, EINVAL, ".BTF.ext: %s block at offset %u: %u records of %u bytes do not "
				       "fit", what, base + pos, n, rec);
		struct ext_block *nb = realloc(ext->blocks[line], (ext->nblocks[line] + 1) * sizeof(*nb));
		if (!nb)
			return obj_err(obj, ENOMEM, "out of memory");
		ext->blocks[line] = nb;
		struct ext_block *b = &nb[ext->nblocks[line]];
		*b = (struct ext_block){ obj_btf_str(obj->btf, name_off), calloc(n, sizeof(*b->recs)), n };
		if (!b->recs)
			return obj_err(obj, ENOMEM, "out of memory");
		ext->nblocks[line]++;
		pos += 8;
		for (uint32_t i = 0; i < n; i++, pos += rec) {
			const uint8_t *r = p + pos;
			uint32_t off = rd32(r);
			if (off % OBJ_INSN_SZ)
				return obj_err(obj, EINVAL, ".BTF.ext: %s record at offset %u: instruction offset %u "
					       "is not a multiple of 8", what, base + pos, off);
			b->recs[i] = (struct obj_ext_rec){ off / OBJ_INSN_SZ, rd32(r + 4), line ? rd32(r + 8) : 0,
							   line ? rd32(r + 12) : 0 };
			if (line == OBJ_EXT_CORE && !obj_btf_str_ok(obj->btf, b->recs[i].b))
				return obj_err(obj, EINVAL, ".BTF.ext: %s record at offset %u: access string offset "
					       "%u is outside .BTF's strings", what, base + pos, b->recs[i].b);
		}
		qsort(b->recs, n, sizeof(*b->recs), cmp_rec);
	}
	return 0;
}

int obj_btf_ext_parse(struct bpfvm_object *obj, const void *data, size_t size, struct obj_btf_ext **out)
{
	const uint8_t *p = data;
	*out = NULL;
	if (size < 24)
		return obj_err(obj, EINVAL, ".BTF.ext: %zu bytes is too short for its header", size);
	uint32_t hdr_len = rd32(p + 4);
	if (p[0] != 0x9f || p[1] != 0xeb || p[2] != 1 || p[3] != 0)
		return obj_err(obj, EINVAL, ".BTF.ext: bad magic, version or flags");
	if (hdr_len < 24 || hdr_len > size)
		return obj_err(obj, EINVAL, ".BTF.ext: bad header length %u", hdr_len);
	struct obj_btf_ext *ext = calloc(1, sizeof(*ext));
	if (!ext)
		return obj_err(obj, ENOMEM, "out of memory");
	int rc = 0;
	int blocks = hdr_len >= 32 ? 3 : 2;     /* core_relo_off/len came with CO-RE */
	for (int line = 0; line < blocks && rc == 0; line++) {
		uint32_t off = rd32(p + 8 + 8 * line), len = rd32(p + 12 + 8 * line);
		if ((uint64_t)off + len > size - hdr_len)
			rc = obj_err(obj, EINVAL, ".BTF.ext: %s (offset %u, %u bytes) is past the end",
				     ext_what[line], off, len);
		else
			rc = parse_info(obj, ext, line, p + hdr_len + off, len, hdr_len + off);
	}
	if (rc < 0) {
		obj_btf_ext_free(ext);
		return rc;
	}
	*out = ext;
	return 0;
}

size_t obj_btf_ext_recs(const struct obj_btf_ext *ext, int line, const char *sec_name,
			const struct obj_ext_rec **out)
{
	*out = NULL;
	if (!ext)
		return 0;
	for (uint32_t i = 0; i < ext->nblocks[line]; i++)
		if (!strcmp(ext->blocks[line][i].sec_name, sec_name)) {
			*out = ext->blocks[line][i].recs;
			return ext->blocks[line][i].n;
		}
	return 0;
}
