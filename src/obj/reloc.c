/* Relocations, and linking each program.
 *
 * Code relocations (libbpf's bpf_program__record_reloc): a call (R_BPF_64_32
 * against a .text symbol) names a subprogram; an LD_IMM64 (R_BPF_64_64)
 * names a map (legacy "maps" or ".maps": BPF_PSEUDO_MAP_FD) or global data
 * (BPF_PSEUDO_MAP_VALUE, the second imm an offset into the value). The
 * relocation type itself is not checked, as libbpf does not: the
 * instruction says what it is.
 *
 * Linking (bpf_object__reloc_code): a program is its function followed by
 * every function it calls, directly or not, each once; a call's imm becomes
 * the distance to the callee's copy. The callee of a call is, with a
 * relocation, .text at the symbol's offset + imm + 1; without one, the same
 * section at the call's position + imm + 1.
 *
 * Relocations of ".maps" give the initial slots of map-in-map and prog
 * array maps (libbpf's bpf_object__collect_map_relos). */
#include "obj/obj.h"
#include <errno.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CODE_CALL (BPF_JMP | BPF_CALL)
#define CODE_LDDW (BPF_LD | BPF_IMM | BPF_DW)

static struct bpf_insn insn_at(const struct bpfvm_object *obj, uint32_t sec, uint64_t idx)
{
	struct bpf_insn in;
	memcpy(&in, obj->secs[sec].data + idx * OBJ_INSN_SZ, sizeof(in));
	return in;
}

static int cmp_relo(const void *a, const void *b)
{
	const struct obj_relo *x = a, *y = b;
	if (x->sec != y->sec)
		return x->sec < y->sec ? -1 : 1;
	return x->insn < y->insn ? -1 : x->insn > y->insn;
}

static const struct obj_relo *find_relo(const struct bpfvm_object *obj, uint32_t sec, uint32_t insn)
{
	struct obj_relo key = { .sec = sec, .insn = insn };
	return obj->nrelos ? bsearch(&key, obj->relos, obj->nrelos, sizeof(key), cmp_relo) : NULL;
}

static int data_map(const struct bpfvm_object *obj, uint32_t sec)
{
	for (uint32_t i = 0; i < obj->nmaps; i++)
		if (obj->maps[i].internal && obj->maps[i].sec == sec)
			return (int)i;
	return -1;
}

/* Where a relocation is, for messages. */
#define RELO_FMT "relocation #%u of '%s' (offset %llu in section '%s', symbol '%s')"
#define RELO_ARGS(k) k, rs->name, (unsigned long long)r_off, ts->name, y->name

static int ldimm_relo(struct bpfvm_object *obj, struct obj_relo *r, const struct obj_sym *y,
		      const struct bpf_insn *in, const struct obj_sec *rs, const struct obj_sec *ts, uint32_t k,
		      uint64_t r_off)
{
	if ((uint64_t)r->insn + 2 > ts->size / OBJ_INSN_SZ)
		return obj_err(obj, EINVAL, RELO_FMT ": LD_IMM64 without its second half", RELO_ARGS(k));
	if (y->shndx == SHN_UNDEF)
		return obj_err(obj, ENOTSUP, RELO_FMT ": '%s' is an extern (a __kconfig or __ksym variable, or "
			       "one of another object): externs came after v5.1 and the loader does not resolve "
			       "them", RELO_ARGS(k), y->name);
	if (y->shndx >= SHN_LORESERVE)
		return obj_err(obj, EINVAL, RELO_FMT ": symbol in special section 0x%x (an uninitialized global?)",
			       RELO_ARGS(k), y->shndx);
	const struct obj_sec *s = &obj->secs[y->shndx];
	if (s->kind == SK_LEGACY_MAPS || s->kind == SK_BTF_MAPS) {
		uint64_t off = y->value + (y->type == STT_SECTION ? (uint64_t)(int64_t)in->imm : 0);
		r->kind = RELO_MAP;
		if ((r->map = obj_map_by_offset(obj, y->shndx, off)) < 0)
			return obj_err(obj, EINVAL, RELO_FMT ": no map at offset %llu of section '%s'", RELO_ARGS(k),
				       (unsigned long long)off, s->name);
		return 0;
	}
	if (s->kind == SK_DATA || s->kind == SK_RODATA || s->kind == SK_BSS) {
		r->kind = RELO_DATA;
		r->map = data_map(obj, y->shndx);
		r->sym_off = y->value;
		if (r->map < 0 || y->value > s->size)
			return obj_err(obj, EINVAL, RELO_FMT ": offset %llu is outside section '%s'", RELO_ARGS(k),
				       (unsigned long long)y->value, s->name);
		return 0;
	}
	if (s->flags & SHF_EXECINSTR)
		return obj_err(obj, ENOTSUP, RELO_FMT ": the address of a function (callbacks came after v5.1)",
			       RELO_ARGS(k));
	return obj_err(obj, EINVAL, RELO_FMT ": symbol of section '%s', which holds no map nor global data",
		       RELO_ARGS(k), s->name);
}

static int code_relo(struct bpfvm_object *obj, uint32_t rsec, uint32_t k, const Elf64_Rel *rel)
{
	const struct obj_sec *rs = &obj->secs[rsec], *ts = &obj->secs[rs->info];
	uint64_t r_off = rel->r_offset;
	uint32_t symi = (uint32_t)GELF_R_SYM(rel->r_info);
	if (symi == 0 || symi >= obj->nsyms)
		return obj_err(obj, EINVAL, "relocation #%u of '%s' (offset %llu in section '%s'): symbol index %u "
			       "is out of range (%u symbols)", k, rs->name, (unsigned long long)r_off, ts->name, symi,
			       obj->nsyms);
	const struct obj_sym *y = &obj->syms[symi];
	if (r_off % OBJ_INSN_SZ || r_off >= ts->size)
		return obj_err(obj, EINVAL, RELO_FMT ": not at an instruction of the section (%llu bytes)",
			       RELO_ARGS(k), (unsigned long long)ts->size);
	struct obj_relo *r = &obj->relos[obj->nrelos];
	*r = (struct obj_relo){ .sec = rs->info, .insn = (uint32_t)(r_off / OBJ_INSN_SZ), .sym = symi, .map = -1 };
	struct bpf_insn in = insn_at(obj, rs->info, r->insn);
	int rc;
	if (in.code == CODE_CALL) {
		if (y->shndx == SHN_UNDEF)
			return obj_err(obj, ENOTSUP, RELO_FMT ": a call to '%s', which the object does not define: a "
				       "helper newer than v5.1 (<bpfvm/bpf_helpers.h> declares those of v5.1), a kernel "
				       "function (kfunc) or a function of another object (static linking), none of "
				       "which v5.1 has", RELO_ARGS(k), y->name);
		if (in.src_reg != BPF_PSEUDO_CALL)
			return obj_err(obj, EINVAL, RELO_FMT ": a call that is not BPF-to-BPF (src_reg %u)",
				       RELO_ARGS(k), in.src_reg);
		if (!obj->text || y->shndx != obj->text)
			return obj_err(obj, EINVAL, RELO_FMT ": a call to a symbol outside .text", RELO_ARGS(k));
		if (y->value % OBJ_INSN_SZ)
			return obj_err(obj, EINVAL, RELO_FMT ": call target offset %llu is not an instruction",
				       RELO_ARGS(k), (unsigned long long)y->value);
		r->kind = RELO_CALL;
		r->sym_off = y->value;
		rc = 0;
	} else if (in.code == CODE_LDDW) {
		rc = ldimm_relo(obj, r, y, &in, rs, ts, k, r_off);
	} else {
		rc = obj_err(obj, EINVAL, RELO_FMT ": instruction code 0x%02x is neither a call nor an LD_IMM64",
			     RELO_ARGS(k), in.code);
	}
	if (rc == 0)
		obj->nrelos++;
	return rc;
}

/* A relocation in ".maps": slot i of the map it falls into. */
static int slot_relo(struct bpfvm_object *obj, uint32_t rsec, uint32_t k, const Elf64_Rel *rel)
{
	const struct obj_sec *rs = &obj->secs[rsec];
	uint64_t off = rel->r_offset;
	uint32_t symi = (uint32_t)GELF_R_SYM(rel->r_info);
	if (symi == 0 || symi >= obj->nsyms)
		return obj_err(obj, EINVAL, "relocation #%u of '%s' (offset %llu in '.maps'): symbol index %u is out "
			       "of range", k, rs->name, (unsigned long long)off, symi);
	const struct obj_sym *y = &obj->syms[symi];
	struct bpfvm_object_map *m = NULL;
	for (uint32_t i = 0; i < obj->nmaps && !m; i++) {
		struct bpfvm_object_map *c = &obj->maps[i];
		if (c->sec == obj->btf_maps_sec && !c->internal && c->sec_off <= off && off - c->sec_off < c->sec_size &&
		    c->sec_size - (off - c->sec_off) >= 8)
			m = c;
	}
	if (!m || !m->values_off || off - m->sec_off < m->values_off || (off - m->sec_off - m->values_off) % 8)
		return obj_err(obj, EINVAL, "relocation #%u of '%s' (offset %llu in '.maps', symbol '%s'): not a "
			       "slot of a map's 'values'", k, rs->name, (unsigned long long)off, y->name);
	uint64_t slot = (off - m->sec_off - m->values_off) / 8;
	if (slot >= m->def.max_entries)
		return obj_err(obj, EINVAL, "map '%s': initial value for slot %llu, beyond max_entries %u", m->name,
			       (unsigned long long)slot, m->def.max_entries);
	int target = -1;
	if (m->def.type == BPF_MAP_TYPE_PROG_ARRAY) {
		for (uint32_t i = 0; i < obj->nprogs && target < 0; i++) {
			const struct obj_func *f = &obj->funcs[obj->progs[i].func];
			if (f->sec == y->shndx && (uint64_t)f->off * OBJ_INSN_SZ == y->value && y->type == STT_FUNC)
				target = (int)i;
		}
		if (target < 0)
			return obj_err(obj, EINVAL, "map '%s': slot %llu: '%s' is not a program", m->name,
				       (unsigned long long)slot, y->name);
	} else {
		if (y->shndx == obj->btf_maps_sec)
			target = obj_map_by_offset(obj, y->shndx, y->value);
		if (target < 0)
			return obj_err(obj, EINVAL, "map '%s': slot %llu: '%s' is not a map of '.maps'", m->name,
				       (unsigned long long)slot, y->name);
	}
	if (slot >= m->nslots) {
		int *ns = realloc(m->slots, (slot + 1) * sizeof(*ns));
		if (!ns)
			return obj_err(obj, ENOMEM, "out of memory");
		for (uint64_t i = m->nslots; i <= slot; i++)
			ns[i] = -1;
		m->slots = ns;
		m->nslots = (uint32_t)slot + 1;
	}
	m->slots[slot] = target;
	return 0;
}

static int relo_section(struct bpfvm_object *obj, uint32_t i)
{
	const struct obj_sec *rs = &obj->secs[i];
	if (rs->info == 0 || rs->info >= obj->nsecs)
		return obj_err(obj, EINVAL, "section '%s' (index %u): relocations for section index %u, which does "
			       "not exist", rs->name, i, rs->info);
	int kind = obj->secs[rs->info].kind;
	int code = kind == SK_PROG || kind == SK_TEXT;
	if (!code && kind != SK_BTF_MAPS)
		return 0;                       /* debug info, BTF: nothing to do */
	if (rs->link != obj->symtab || rs->entsize != sizeof(Elf64_Rel) || rs->size % sizeof(Elf64_Rel) ||
	    (rs->size && !rs->data))
		return obj_err(obj, EINVAL, "section '%s' (index %u): bad relocation table (symbol table %u, entry "
			       "size %llu, size %llu)", rs->name, i, rs->link, (unsigned long long)rs->entsize,
			       (unsigned long long)rs->size);
	uint32_t n = (uint32_t)(rs->size / sizeof(Elf64_Rel));
	if (code) {
		struct obj_relo *nr = realloc(obj->relos, (obj->nrelos + n + 1) * sizeof(*nr));
		if (!nr)
			return obj_err(obj, ENOMEM, "out of memory");
		obj->relos = nr;
	}
	for (uint32_t k = 0; k < n; k++) {
		Elf64_Rel rel;
		memcpy(&rel, rs->data + (size_t)k * sizeof(rel), sizeof(rel));
		int rc = code ? code_relo(obj, i, k, &rel) : slot_relo(obj, i, k, &rel);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int obj_collect_relos(struct bpfvm_object *obj)
{
	for (uint32_t i = 1; i < obj->nsecs; i++) {
		if (obj->secs[i].kind != SK_REL)
			continue;
		int rc = relo_section(obj, i);
		if (rc < 0)
			return rc;
	}
	if (obj->nrelos)
		qsort(obj->relos, obj->nrelos, sizeof(*obj->relos), cmp_relo);
	for (uint32_t i = 1; i < obj->nrelos; i++)
		if (!cmp_relo(&obj->relos[i - 1], &obj->relos[i]))
			return obj_err(obj, EINVAL, "section '%s': two relocations for the instruction at offset %u",
				       obj->secs[obj->relos[i].sec].name, obj->relos[i].insn * OBJ_INSN_SZ);
	return 0;
}

/* ---- linking ------------------------------------------------------------ */

struct link {
	uint32_t *units;                /* function indices, in program order */
	uint32_t nunits;
	int64_t *dest;                  /* per function: its first instruction in the program, -1 */
	uint32_t total;
};

/* The function a BPF-to-BPF call at instruction i of function f calls. */
static int call_target(struct bpfvm_object *obj, const struct obj_func *f, uint32_t i, const struct bpf_insn *in)
{
	uint32_t sec = f->sec, at = f->off + i;
	const struct obj_relo *r = find_relo(obj, sec, at);
	int64_t t;
	if (r && r->kind == RELO_CALL) {
		sec = obj->text;
		t = (int64_t)(r->sym_off / OBJ_INSN_SZ) + in->imm + 1;
	} else {
		t = (int64_t)at + in->imm + 1;
	}
	int g = t >= 0 && t <= UINT32_MAX ? obj_func_at(obj, sec, (uint32_t)t) : -1;
	if (g < 0)
		return obj_err(obj, EINVAL, "section '%s': the call at offset %u (in '%s') goes to instruction %lld of "
			       "section '%s', which does not start a function", obj->secs[f->sec].name,
			       at * OBJ_INSN_SZ, f->name, (long long)t, obj->secs[sec].name);
	return g;
}

static int add_unit(struct bpfvm_object *obj, struct link *l, uint32_t g)
{
	l->dest[g] = l->total;
	l->units[l->nunits++] = g;
	if (obj->funcs[g].cnt > UINT32_MAX - l->total)
		return obj_err(obj, E2BIG, "program too large");
	l->total += obj->funcs[g].cnt;
	return 0;
}

/* Finds every function the program reaches (each once). */
static int gather(struct bpfvm_object *obj, struct link *l, uint32_t entry)
{
	int rc = add_unit(obj, l, entry);
	for (uint32_t u = 0; u < l->nunits && rc == 0; u++) {
		const struct obj_func *f = &obj->funcs[l->units[u]];
		for (uint32_t i = 0; i < f->cnt && rc == 0; i++) {
			struct bpf_insn in = insn_at(obj, f->sec, f->off + i);
			if (in.code == CODE_LDDW) {
				if (i + 1 >= f->cnt)
					rc = obj_err(obj, EINVAL, "section '%s': the LD_IMM64 at offset %u is cut by the end "
						     "of function '%s'", obj->secs[f->sec].name,
						     (f->off + i) * OBJ_INSN_SZ, f->name);
				i++;
			} else if (in.code == CODE_CALL && in.src_reg == BPF_PSEUDO_CALL) {
				int g = call_target(obj, f, i, &in);
				if (g < 0)
					rc = g;
				else if (l->dest[g] < 0)
					rc = add_unit(obj, l, (uint32_t)g);
			}
		}
	}
	return rc;
}

static int fix_insn(struct bpfvm_object *obj, struct bpfvm_program *p, struct link *l, const struct obj_func *f,
		    uint32_t i, uint32_t at)
{
	struct bpf_insn *in = &p->insns[at];
	if (in->code == CODE_CALL && in->src_reg == BPF_PSEUDO_CALL) {
		int g = call_target(obj, f, i, in);
		if (g < 0)
			return g;
		in->imm = (int32_t)(l->dest[g] - (int64_t)at - 1);
		return 0;
	}
	if (in->code != CODE_LDDW)
		return 0;
	const struct obj_relo *r = find_relo(obj, f->sec, f->off + i);
	if (!r)
		return 0;
	struct obj_ldmap *lm = &p->ldmaps[p->nldmaps++];
	*lm = (struct obj_ldmap){ at, r->map, 0, r->kind == RELO_DATA };
	if (r->kind == RELO_DATA) {
		int64_t off = (int64_t)in->imm + (int64_t)r->sym_off;
		if (off < 0 || off >= (int64_t)obj->maps[r->map].def.value_size)
			return obj_err(obj, EINVAL, "section '%s': the LD_IMM64 at offset %u points %lld bytes into '%s' "
				       "(%u bytes)", obj->secs[f->sec].name, (f->off + i) * OBJ_INSN_SZ,
				       (long long)off, obj->maps[r->map].name, obj->maps[r->map].def.value_size);
		lm->off = (uint32_t)off;
		in[1].imm = (int32_t)off;
		in->src_reg = BPF_PSEUDO_MAP_VALUE;
	} else {
		in->src_reg = BPF_PSEUDO_MAP_FD;
	}
	in->imm = 0;
	return 0;
}

/* func_info and line_info of each copied function, shifted to its copy
 * (libbpf's adjust_prog_btf_ext_info). */
static int ext_info(struct bpfvm_object *obj, struct bpfvm_program *p, const struct link *l)
{
	for (int line = OBJ_EXT_FUNC; line <= OBJ_EXT_LINE; line++) {
		size_t n = 0;
		for (uint32_t u = 0; u < l->nunits; u++) {
			const struct obj_func *f = &obj->funcs[l->units[u]];
			const struct obj_ext_rec *recs;
			size_t m = obj_btf_ext_recs(obj->btf_ext, line, obj->secs[f->sec].name, &recs);
			for (size_t j = 0; j < m; j++)
				n += recs[j].insn >= f->off && recs[j].insn - f->off < f->cnt;
		}
		if (!n)
			continue;
		void *arr = calloc(n, line ? sizeof(struct bpf_line_info) : sizeof(struct bpf_func_info));
		if (!arr)
			return obj_err(obj, ENOMEM, "out of memory");
		uint32_t k = 0;
		for (uint32_t u = 0; u < l->nunits; u++) {
			const struct obj_func *f = &obj->funcs[l->units[u]];
			const struct obj_ext_rec *recs;
			size_t m = obj_btf_ext_recs(obj->btf_ext, line, obj->secs[f->sec].name, &recs);
			for (size_t j = 0; j < m; j++) {
				if (recs[j].insn < f->off || recs[j].insn - f->off >= f->cnt)
					continue;
				uint32_t at = (uint32_t)l->dest[l->units[u]] + recs[j].insn - f->off;
				if (line)
					((struct bpf_line_info *)arr)[k++] =
						(struct bpf_line_info){ at, recs[j].a, recs[j].b, recs[j].c };
				else
					((struct bpf_func_info *)arr)[k++] = (struct bpf_func_info){ at, recs[j].a };
			}
		}
		if (line) {
			p->line_info = arr;
			p->nline_info = k;
		} else {
			p->func_info = arr;
			p->nfunc_info = k;
		}
	}
	if (p->nline_info && !(p->lines = calloc(p->nline_info, sizeof(*p->lines))))
		return obj_err(obj, ENOMEM, "out of memory");
	for (uint32_t i = 0; i < p->nline_info; i++) {
		const struct bpf_line_info *li = &p->line_info[i];
		p->lines[i] = (struct bpfvm_line_info){ li->insn_off, BPF_LINE_INFO_LINE_NUM(li->line_col),
							BPF_LINE_INFO_LINE_COL(li->line_col),
							obj_btf_str(obj->btf, li->file_name_off),
							obj_btf_str(obj->btf, li->line_off) };
	}
	return 0;
}

static const char *core_kind(uint32_t k)
{
	static const char *const names[] = { "field byte offset", "field byte size", "field exists",
					     "field signed", "field lshift", "field rshift", "local type id",
					     "target type id", "type exists", "type size", "enum value exists",
					     "enum value", "type matches" };
	return k < sizeof(names) / sizeof(names[0]) ? names[k] : "unknown kind";
}

/* CO-RE relocations in the program's functions: counted and the first one
 * described, for load to refuse the program (libbpf resolves them against
 * the kernel's BTF, which v5.1 does not have; it fails such objects with
 * "failed to find valid kernel BTF"). */
static int core_relos(struct bpfvm_object *obj, struct bpfvm_program *p, const struct link *l)
{
	for (uint32_t u = 0; u < l->nunits; u++) {
		const struct obj_func *f = &obj->funcs[l->units[u]];
		const struct obj_ext_rec *recs;
		size_t m = obj_btf_ext_recs(obj->btf_ext, OBJ_EXT_CORE, obj->secs[f->sec].name, &recs);
		for (size_t j = 0; j < m; j++) {
			if (recs[j].insn < f->off || recs[j].insn - f->off >= f->cnt)
				continue;
			if (p->ncore++)
				continue;
			struct obj_btf_type t;
			const char *tname = obj_btf_type(obj->btf, recs[j].a, &t) == 0 && t.name[0] ? t.name : "(anon)";
			if (asprintf(&p->core_desc, "%s of '%s' (access %s) at instruction %u", core_kind(recs[j].c),
				     tname, obj_btf_str(obj->btf, recs[j].b),
				     (uint32_t)l->dest[l->units[u]] + recs[j].insn - f->off) < 0) {
				p->core_desc = NULL;
				return obj_err(obj, ENOMEM, "out of memory");
			}
		}
	}
	return 0;
}

static int link_program(struct bpfvm_object *obj, struct bpfvm_program *p, struct link *l)
{
	for (uint32_t i = 0; i < obj->nfuncs; i++)
		l->dest[i] = -1;
	l->nunits = l->total = 0;
	int rc = gather(obj, l, p->func);
	if (rc < 0)
		return rc;
	p->insns = calloc(l->total, sizeof(*p->insns));
	p->ldmaps = calloc(l->total, sizeof(*p->ldmaps));
	p->funcs = calloc(l->nunits, sizeof(*p->funcs));
	if (!p->insns || !p->ldmaps || !p->funcs)
		return obj_err(obj, ENOMEM, "out of memory");
	p->insn_cnt = l->total;
	p->nfuncs = l->nunits;
	for (uint32_t u = 0; u < l->nunits; u++) {
		const struct obj_func *f = &obj->funcs[l->units[u]];
		uint32_t at = (uint32_t)l->dest[l->units[u]];
		memcpy(p->insns + at, obj->secs[f->sec].data + (size_t)f->off * OBJ_INSN_SZ,
		       (size_t)f->cnt * OBJ_INSN_SZ);
		p->funcs[u] = (struct bpfvm_func_sym){ at, f->name };
		for (uint32_t i = 0; i < f->cnt; i++) {
			int lddw = p->insns[at + i].code == CODE_LDDW;
			if ((rc = fix_insn(obj, p, l, f, i, at + i)) < 0)
				return rc;
			i += lddw;      /* its second half is data */
		}
	}
	if (obj->btf && (rc = ext_info(obj, p, l)) == 0)
		rc = core_relos(obj, p, l);
	return rc;
}

int obj_link_programs(struct bpfvm_object *obj)
{
	struct link l = { calloc(obj->nfuncs + 1, sizeof(uint32_t)), 0, calloc(obj->nfuncs + 1, sizeof(int64_t)), 0 };
	int rc = l.units && l.dest ? 0 : obj_err(obj, ENOMEM, "out of memory");
	for (uint32_t i = 0; i < obj->nprogs && rc == 0; i++)
		rc = link_program(obj, &obj->progs[i], &l);
	free(l.units);
	free(l.dest);
	return rc;
}
