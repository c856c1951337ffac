/* Reading clang's BPF objects with libelf, for the BTF differential test.
 * Only what the test needs of libbpf's loader: the DATASEC fix-up, and the
 * linking of one program section with .text (calls and .BTF.ext). */
#include "clangobj.h"
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct elfobj {
	Elf *elf;
	size_t shstrndx;
	Elf_Data *symtab;
	size_t nsyms;
	size_t strtab_idx;
};

static Elf_Scn *find_scn(struct elfobj *e, const char *name, GElf_Shdr *sh)
{
	Elf_Scn *scn = NULL;
	while ((scn = elf_nextscn(e->elf, scn))) {
		gelf_getshdr(scn, sh);
		const char *n = elf_strptr(e->elf, e->shstrndx, sh->sh_name);
		if (n && !strcmp(n, name))
			return scn;
	}
	return NULL;
}

static uint8_t *scn_copy(struct elfobj *e, const char *name, uint32_t *size, size_t *idx)
{
	GElf_Shdr sh;
	Elf_Scn *scn = find_scn(e, name, &sh);
	if (!scn)
		return NULL;
	Elf_Data *d = elf_getdata(scn, NULL);
	if (!d || !d->d_buf)
		return NULL;
	uint8_t *p = malloc(d->d_size ? d->d_size : 1);
	memcpy(p, d->d_buf, d->d_size);
	*size = (uint32_t)d->d_size;
	if (idx)
		*idx = elf_ndxscn(scn);
	return p;
}

static int find_sym(struct elfobj *e, const char *name, GElf_Sym *out)
{
	for (size_t i = 0; i < e->nsyms; i++) {
		GElf_Sym s;
		gelf_getsym(e->symtab, (int)i, &s);
		const char *n = elf_strptr(e->elf, e->strtab_idx, s.st_name);
		if (n && !strcmp(n, name) && GELF_ST_TYPE(s.st_info) != STT_SECTION) {
			*out = s;
			return 0;
		}
	}
	return -1;
}

/* ---- .BTF walking (standard header) ---- */

struct btfv {
	uint8_t *types;
	uint32_t tlen;
	const char *strs;
	uint32_t slen;
};

static int btf_view(uint8_t *btf, uint32_t size, struct btfv *v)
{
	uint32_t h[6];
	if (size < 24)
		return -1;
	memcpy(h, btf, sizeof(h));
	if ((uint64_t)h[1] + h[2] + h[3] > size || (uint64_t)h[1] + h[4] + h[5] > size)
		return -1;
	v->types = btf + h[1] + h[2];
	v->tlen = h[3];
	v->strs = (const char *)btf + h[1] + h[4];
	v->slen = h[5];
	return 0;
}

static uint32_t rec_len(uint32_t info)
{
	uint32_t kind = (info >> 24) & 0x1f, vlen = info & 0xffff;
	switch (kind) {
	case 1: case 14: return 16;
	case 3: return 24;
	case 4: case 5: case 15: return 12 + 12 * vlen;
	case 6: case 13: return 12 + 8 * vlen;
	default: return 12;
	}
}

/* pointer to type `id` (1-based) */
static uint8_t *btf_type_at(struct btfv *v, uint32_t id)
{
	uint32_t off = 0;
	for (uint32_t k = 1; off + 12 <= v->tlen; k++) {
		uint32_t info;
		memcpy(&info, v->types + off + 4, 4);
		if (k == id)
			return v->types + off;
		off += rec_len(info);
	}
	return NULL;
}

static const char *btf_str(struct btfv *v, uint32_t off)
{
	return off < v->slen ? v->strs + off : "";
}

struct vsi { uint32_t type, off, size; };

static int vsi_cmp(const void *a, const void *b)
{
	const struct vsi *x = a, *y = b;
	return x->off < y->off ? -1 : x->off > y->off;
}

/* libbpf's btf_fixup_datasec: a DATASEC's size is its ELF section's, a
 * variable's offset its symbol's value; secinfo sorted by offset. */
static void fixup_datasecs(struct elfobj *e, uint8_t *btf, uint32_t size)
{
	struct btfv v;
	if (btf_view(btf, size, &v))
		return;
	for (uint32_t off = 0; off + 12 <= v.tlen;) {
		uint32_t w[3];
		memcpy(w, v.types + off, 12);
		uint32_t kind = (w[1] >> 24) & 0x1f, vlen = w[1] & 0xffff;
		if (kind == 15) {
			GElf_Shdr sh;
			if (find_scn(e, btf_str(&v, w[0]), &sh)) {
				w[2] = (uint32_t)sh.sh_size;
				memcpy(v.types + off + 8, &w[2], 4);
			}
			struct vsi *s = (struct vsi *)(v.types + off + 12);
			for (uint32_t i = 0; i < vlen; i++) {
				struct vsi x;
				memcpy(&x, &s[i], sizeof(x));
				uint8_t *var = btf_type_at(&v, x.type);
				GElf_Sym sym;
				uint32_t name;
				if (var) {
					memcpy(&name, var, 4);
					if (!find_sym(e, btf_str(&v, name), &sym))
						x.off = (uint32_t)sym.st_value;
				}
				memcpy(&s[i], &x, sizeof(x));
			}
			struct vsi *tmp = malloc(vlen * sizeof(*tmp) + 1);
			memcpy(tmp, s, vlen * sizeof(*tmp));
			qsort(tmp, vlen, sizeof(*tmp), vsi_cmp);
			memcpy(s, tmp, vlen * sizeof(*tmp));
			free(tmp);
		}
		off += rec_len(w[1]);
	}
}

int btf_sanitize_func_linkage(uint8_t *btf, uint32_t size)
{
	struct btfv v;
	int n = 0;
	if (btf_view(btf, size, &v))
		return 0;
	for (uint32_t off = 0; off + 12 <= v.tlen;) {
		uint32_t info;
		memcpy(&info, v.types + off + 4, 4);
		if (((info >> 24) & 0x1f) == 12 && (info & 0xffff)) {
			info &= ~0xffffu;
			memcpy(v.types + off + 4, &info, 4);
			n++;
		}
		off += rec_len(info);
	}
	return n;
}

/* ---- linking prog_sec with .text ---- */

/* R_BPF_64_32 on a call: target in .text = st_value / 8 + imm + 1 */
static int fix_calls(struct elfobj *e, const char *rel_name, uint8_t *insns, uint32_t text_base)
{
	GElf_Shdr sh;
	Elf_Scn *scn = find_scn(e, rel_name, &sh);
	if (!scn)
		return 0;
	Elf_Data *d = elf_getdata(scn, NULL);
	for (size_t i = 0; i < sh.sh_size / sh.sh_entsize; i++) {
		GElf_Rel r;
		GElf_Sym s;
		gelf_getrel(d, (int)i, &r);
		gelf_getsym(e->symtab, (int)GELF_R_SYM(r.r_info), &s);
		uint32_t at = (uint32_t)(r.r_offset / 8);
		uint8_t *in = insns + at * 8;
		int32_t imm;
		memcpy(&imm, in + 4, 4);
		if (in[0] != 0x85)
			return -1;              /* only calls: the sources use no maps */
		int32_t target = (int32_t)text_base + (int32_t)(s.st_value / 8) + imm + 1;
		imm = target - (int32_t)at - 1;
		memcpy(in + 4, &imm, 4);
		in[1] = (uint8_t)((in[1] & 0x0f) | (1 << 4));   /* src_reg = BPF_PSEUDO_CALL */
	}
	return 0;
}

/* .BTF.ext records of one section (rec_size-sized), insn_off made an
 * instruction index plus base; appended to *out */
static void ext_records(const uint8_t *ext, uint32_t ext_size, int which, const char *sec, struct btfv *v,
			uint32_t base, uint32_t keep, uint8_t **out, uint32_t *cnt)
{
	uint32_t h[8];
	if (ext_size < 24)
		return;
	memcpy(h, ext, ext_size < 32 ? 24 : 32);
	uint32_t hdr_len = h[1], off = which ? h[4] : h[2], len = which ? h[5] : h[3];
	if ((uint64_t)hdr_len + off + len > ext_size || len < 4)
		return;
	const uint8_t *p = ext + hdr_len + off, *end = p + len;
	uint32_t rec_size;
	memcpy(&rec_size, p, 4);
	p += 4;
	while (p + 8 <= end) {
		uint32_t name, num;
		memcpy(&name, p, 4);
		memcpy(&num, p + 4, 4);
		p += 8;
		int match = !strcmp(btf_str(v, name), sec);
		for (uint32_t i = 0; i < num && p + rec_size <= end; i++, p += rec_size) {
			if (!match)
				continue;
			*out = realloc(*out, (*cnt + 1) * keep);
			uint8_t *r = *out + *cnt * keep;
			memset(r, 0, keep);
			memcpy(r, p, rec_size < keep ? rec_size : keep);
			uint32_t insn_off;
			memcpy(&insn_off, r, 4);
			insn_off = insn_off / 8 + base;
			memcpy(r, &insn_off, 4);
			(*cnt)++;
		}
	}
}

static int read_obj(struct elfobj *e, const char *prog_sec, struct clang_obj *o, char *why, size_t len)
{
	GElf_Shdr sh;
	Elf_Scn *sym = NULL;
	elf_getshdrstrndx(e->elf, &e->shstrndx);
	while ((sym = elf_nextscn(e->elf, sym))) {
		gelf_getshdr(sym, &sh);
		if (sh.sh_type == SHT_SYMTAB) {
			e->symtab = elf_getdata(sym, NULL);
			e->nsyms = sh.sh_size / sh.sh_entsize;
			e->strtab_idx = sh.sh_link;
			break;
		}
	}
	o->btf = scn_copy(e, ".BTF", &o->btf_size, NULL);
	if (!o->btf || !e->symtab) {
		snprintf(why, len, "no .BTF or no symbols");
		return -1;
	}
	fixup_datasecs(e, o->btf, o->btf_size);
	if (!prog_sec)
		return 0;
	uint32_t psize = 0, tsize = 0, esize = 0;
	uint8_t *prog = scn_copy(e, prog_sec, &psize, NULL);
	uint8_t *text = scn_copy(e, ".text", &tsize, NULL);
	uint8_t *ext = scn_copy(e, ".BTF.ext", &esize, NULL);
	if (!prog) {
		snprintf(why, len, "no section %s", prog_sec);
		free(text);
		free(ext);
		return -1;
	}
	o->insn_cnt = (psize + tsize) / 8;
	o->insns = malloc(psize + tsize + 8);
	memcpy(o->insns, prog, psize);
	if (text)
		memcpy(o->insns + psize, text, tsize);
	char rel[128];
	snprintf(rel, sizeof(rel), ".rel%s", prog_sec);
	int rc = fix_calls(e, rel, o->insns, psize / 8);
	if (!rc && text)
		rc = fix_calls(e, ".rel.text", o->insns + psize, 0);
	if (rc)
		snprintf(why, len, "a relocation other than a call");
	struct btfv v;
	if (!rc && ext && !btf_view(o->btf, o->btf_size, &v)) {
		ext_records(ext, esize, 0, prog_sec, &v, 0, 8, &o->func_info, &o->func_info_cnt);
		ext_records(ext, esize, 0, ".text", &v, psize / 8, 8, &o->func_info, &o->func_info_cnt);
		ext_records(ext, esize, 1, prog_sec, &v, 0, 16, &o->line_info, &o->line_info_cnt);
		ext_records(ext, esize, 1, ".text", &v, psize / 8, 16, &o->line_info, &o->line_info_cnt);
	}
	free(prog);
	free(text);
	free(ext);
	return rc;
}

int clang_obj_load(const char *src, const char *prog_sec, struct clang_obj *o, char *why, size_t len)
{
	char obj[] = "/tmp/bpfvm-btf-XXXXXX";
	char cmd[1024];
	memset(o, 0, sizeof(*o));
	int fd = mkstemp(obj);
	if (fd < 0) {
		snprintf(why, len, "mkstemp failed");
		return -1;
	}
	close(fd);
	snprintf(cmd, sizeof(cmd), "${CLANG:-clang} -O2 -g -target bpf -c '%s' -o '%s' 2>/dev/null", src, obj);
	if (system(cmd) != 0) {
		unlink(obj);
		snprintf(why, len, "clang -target bpf failed on %s", src);
		return -1;
	}
	int rc = -1;
	fd = open(obj, O_RDONLY);
	elf_version(EV_CURRENT);
	struct elfobj e = { 0 };
	e.elf = fd >= 0 ? elf_begin(fd, ELF_C_READ, NULL) : NULL;
	if (e.elf)
		rc = read_obj(&e, prog_sec, o, why, len);
	else
		snprintf(why, len, "cannot read %s", obj);
	if (e.elf)
		elf_end(e.elf);
	if (fd >= 0)
		close(fd);
	unlink(obj);
	if (rc)
		clang_obj_free(o);
	return rc;
}

void clang_obj_free(struct clang_obj *o)
{
	free(o->btf);
	free(o->insns);
	free(o->func_info);
	free(o->line_info);
	memset(o, 0, sizeof(*o));
}
