/* Reading an ELF object with libelf: the header, the sections (name, kind,
 * bytes) and the symbol table. libelf checks that section headers and data
 * lie inside the file; the rest (string offsets, section indices in
 * symbols, entry sizes) is checked here. Symbols and relocations are read
 * from the section bytes as little-endian ELF64 records, which is what a
 * BPF object for a little-endian host holds (big-endian ones are refused). */
#include "obj/obj.h"
#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>

#ifndef EM_BPF
#define EM_BPF 247
#endif

static int has_prefix_dot(const char *name, const char *base)
{
	size_t n = strlen(base);
	return !strncmp(name, base, n) && (name[n] == 0 || name[n] == '.');
}

/* The kinds of section libbpf's bpf_object__elf_collect tells apart. */
static int classify(struct bpfvm_object *obj, uint32_t i, struct obj_sec *s)
{
	const char *n = s->name;
	if (s->type == SHT_SYMTAB) {
		if (obj->symtab)
			return obj_err(obj, EINVAL, "section '%s' (index %u): a second symbol table", n, i);
		obj->symtab = i;
		return SK_SYMTAB;
	}
	if (s->type == SHT_REL)
		return SK_REL;
	if (!strcmp(n, "license"))
		return SK_LICENSE;
	if (!strcmp(n, "version"))
		return SK_VERSION;
	if (!strcmp(n, "maps"))
		return SK_LEGACY_MAPS;
	if (!strcmp(n, ".maps"))
		return SK_BTF_MAPS;
	if (!strcmp(n, ".BTF"))
		return SK_BTF;
	if (!strcmp(n, ".BTF.ext"))
		return SK_BTF_EXT;
	if (s->type == SHT_PROGBITS && (s->flags & SHF_EXECINSTR)) {
		if (s->size == 0)
			return SK_OTHER;
		if (s->size % OBJ_INSN_SZ)
			return obj_err(obj, EINVAL,
				       "section '%s' (index %u): size %llu is not a multiple of 8 "
				       "(the instruction at offset %llu is truncated)", n, i,
				       (unsigned long long)s->size,
				       (unsigned long long)(s->size - s->size % OBJ_INSN_SZ));
		if (!strcmp(n, ".text"))
			return SK_TEXT;
		/* libbpf 1.0: "?sec" is sec, its programs not loaded unless
		 * asked for (bpfvm_program_set_autoload). */
		if (!(s->def = obj_sec_def_find(n[0] == '?' ? n + 1 : n)))
			return obj_err(obj, EINVAL,
				       "section '%s' (index %u): code in a section whose name is not a "
				       "program type (see libbpf's section names: xdp, socket, tc, ...)", n, i);
		return SK_PROG;
	}
	if (s->type == SHT_PROGBITS && s->size && has_prefix_dot(n, ".data"))
		return SK_DATA;
	if (s->type == SHT_PROGBITS && s->size && has_prefix_dot(n, ".rodata"))
		return SK_RODATA;
	if (s->type == SHT_NOBITS && s->size && has_prefix_dot(n, ".bss"))
		return SK_BSS;
	return SK_OTHER;
}

static int read_header(struct bpfvm_object *obj, Elf *elf, size_t *nsecs, size_t *shstrndx)
{
	if (elf_kind(elf) != ELF_K_ELF)
		return obj_err(obj, EINVAL, "not an ELF file");
	const char *ident = elf_getident(elf, NULL);
	if (!ident || ident[EI_CLASS] != ELFCLASS64)
		return obj_err(obj, EINVAL, "not a 64-bit ELF file (BPF objects are ELF64)");
	if (ident[EI_DATA] != ELFDATA2LSB)
		return obj_err(obj, ENOTSUP, "big-endian object: only little-endian BPF objects are supported");
	GElf_Ehdr eh;
	if (!gelf_getehdr(elf, &eh))
		return obj_err(obj, EINVAL, "bad ELF header: %s", elf_errmsg(-1));
	if (eh.e_type != ET_REL || (eh.e_machine && eh.e_machine != EM_BPF))
		return obj_err(obj, EINVAL, "not a BPF object file (ELF type %u, machine %u; want a relocatable "
			       "file for machine %u, EM_BPF)", eh.e_type, eh.e_machine, EM_BPF);
	if (elf_getshdrnum(elf, nsecs) < 0 || elf_getshdrstrndx(elf, shstrndx) < 0)
		return obj_err(obj, EINVAL, "bad section header table: %s", elf_errmsg(-1));
	if (*nsecs < 2 || *nsecs > 65535)
		return obj_err(obj, EINVAL, "bad section count %zu", *nsecs);
	if (*shstrndx == 0 || *shstrndx >= *nsecs)
		return obj_err(obj, EINVAL, "section name table index %zu is out of range (%zu sections)",
			       *shstrndx, *nsecs);
	return 0;
}

static int read_section(struct bpfvm_object *obj, Elf *elf, uint32_t i, size_t shstrndx)
{
	struct obj_sec *s = &obj->secs[i];
	Elf_Scn *scn = elf_getscn(elf, i);
	GElf_Shdr sh;
	if (!scn || !gelf_getshdr(scn, &sh))
		return obj_err(obj, EINVAL, "section #%u: bad header: %s", i, elf_errmsg(-1));
	s->name = elf_strptr(elf, shstrndx, sh.sh_name);
	if (!s->name)
		return obj_err(obj, EINVAL, "section #%u: name offset %u is outside the section name table",
			       i, sh.sh_name);
	s->type = sh.sh_type;
	s->flags = sh.sh_flags;
	s->link = sh.sh_link;
	s->info = sh.sh_info;
	s->entsize = sh.sh_entsize;
	s->size = sh.sh_size;
	if (sh.sh_type != SHT_NOBITS && sh.sh_type != SHT_NULL && sh.sh_size) {
		if (sh.sh_offset > obj->len || sh.sh_size > obj->len - sh.sh_offset)
			return obj_err(obj, EINVAL,
				       "section '%s' (index %u): data at offset %llu, %llu bytes, is past the "
				       "end of the file (%zu bytes)", s->name, i, (unsigned long long)sh.sh_offset,
				       (unsigned long long)sh.sh_size, obj->len);
		Elf_Data *d = elf_rawdata(scn, NULL);
		if (!d || !d->d_buf || d->d_size != sh.sh_size)
			return obj_err(obj, EINVAL, "section '%s' (index %u): unreadable data: %s", s->name, i,
				       elf_errmsg(-1));
		s->data = d->d_buf;
	}
	int k = classify(obj, i, s);
	if (k < 0)
		return k;
	s->kind = k;
	return 0;
}

static int read_symbols(struct bpfvm_object *obj, Elf *elf)
{
	const struct obj_sec *st = &obj->secs[obj->symtab];
	if (st->entsize != sizeof(Elf64_Sym) || st->size % sizeof(Elf64_Sym) || !st->data)
		return obj_err(obj, EINVAL, "section '%s' (index %u): bad symbol table (entry size %llu, size %llu)",
			       st->name, obj->symtab, (unsigned long long)st->entsize, (unsigned long long)st->size);
	if (st->link == 0 || st->link >= obj->nsecs || obj->secs[st->link].type != SHT_STRTAB)
		return obj_err(obj, EINVAL, "section '%s': its string table index %u is not a string table",
			       st->name, st->link);
	size_t n = st->size / sizeof(Elf64_Sym);
	if (n > UINT32_MAX / 2)
		return obj_err(obj, EINVAL, "section '%s': too many symbols", st->name);
	obj->syms = calloc(n ? n : 1, sizeof(*obj->syms));
	if (!obj->syms)
		return obj_err(obj, ENOMEM, "out of memory");
	obj->nsyms = (uint32_t)n;
	for (size_t i = 0; i < n; i++) {
		Elf64_Sym raw;
		memcpy(&raw, st->data + i * sizeof(raw), sizeof(raw));
		struct obj_sym *y = &obj->syms[i];
		y->name = elf_strptr(elf, st->link, raw.st_name);
		if (!y->name)
			return obj_err(obj, EINVAL, "symbol #%zu (offset %zu in '%s'): name offset %u is outside "
				       "the string table", i, i * sizeof(raw), st->name, raw.st_name);
		y->value = raw.st_value;
		y->size = raw.st_size;
		y->shndx = raw.st_shndx;
		y->type = GELF_ST_TYPE(raw.st_info);
		y->bind = GELF_ST_BIND(raw.st_info);
		y->vis = GELF_ST_VISIBILITY(raw.st_other);
		if (y->shndx == SHN_XINDEX)
			return obj_err(obj, ENOTSUP, "symbol '%s' (#%zu): extended section indices are not supported",
				       y->name, i);
		if (y->shndx < SHN_LORESERVE && y->shndx >= obj->nsecs)
			return obj_err(obj, EINVAL, "symbol '%s' (#%zu, offset %zu in '%s'): section index %u is out "
				       "of range (%u sections)", y->name, i, i * sizeof(raw), st->name, y->shndx,
				       obj->nsecs);
	}
	return 0;
}

static int read_license_version(struct bpfvm_object *obj)
{
	for (uint32_t i = 1; i < obj->nsecs; i++) {
		const struct obj_sec *s = &obj->secs[i];
		if (s->kind == SK_LICENSE && s->data) {
			size_t n = s->size < sizeof(obj->license) - 1 ? s->size : sizeof(obj->license) - 1;
			memcpy(obj->license, s->data, n);
			obj->license[n] = 0;
		} else if (s->kind == SK_VERSION) {
			if (s->size != 4 || !s->data)
				return obj_err(obj, EINVAL, "section 'version' (index %u): %llu bytes, expected 4", i,
					       (unsigned long long)s->size);
			memcpy(&obj->kversion, s->data, 4);
		}
	}
	return 0;
}

int obj_elf_read(struct bpfvm_object *obj)
{
	if (elf_version(EV_CURRENT) == EV_NONE)
		return obj_err(obj, EINVAL, "libelf: %s", elf_errmsg(-1));
	Elf *elf = elf_memory((char *)obj->buf, obj->len);
	if (!elf)
		return obj_err(obj, EINVAL, "not an ELF file: %s", elf_errmsg(-1));
	obj->elf = elf;
	size_t nsecs, shstrndx;
	int rc = read_header(obj, elf, &nsecs, &shstrndx);
	if (rc < 0)
		return rc;
	obj->secs = calloc(nsecs, sizeof(*obj->secs));
	if (!obj->secs)
		return obj_err(obj, ENOMEM, "out of memory");
	obj->nsecs = (uint32_t)nsecs;
	obj->secs[0].name = "";
	for (uint32_t i = 1; i < obj->nsecs; i++)
		if ((rc = read_section(obj, elf, i, shstrndx)) < 0)
			return rc;
	for (uint32_t i = 1; i < obj->nsecs; i++) {
		struct obj_sec *s = &obj->secs[i];
		int k = s->kind;
		uint32_t *slot = k == SK_TEXT ? &obj->text : k == SK_LEGACY_MAPS ? &obj->maps_sec :
				 k == SK_BTF_MAPS ? &obj->btf_maps_sec : k == SK_BTF ? &obj->btf_sec :
				 k == SK_BTF_EXT ? &obj->btf_ext_sec : NULL;
		if (slot && *slot)
			return obj_err(obj, EINVAL, "section '%s' (index %u): a second section of that name",
				       s->name, i);
		if (slot)
			*slot = i;
		/* RELA never comes out of clang for BPF: refuse it where it
		 * would change code rather than ignore it silently. */
		if (s->type == SHT_RELA && s->info < obj->nsecs && (obj->secs[s->info].flags & SHF_EXECINSTR))
			return obj_err(obj, ENOTSUP, "section '%s' (index %u): RELA relocations are not supported "
				       "(BPF objects use REL)", s->name, i);
	}
	if (!obj->symtab)
		return obj_err(obj, EINVAL, "no symbol table (stripped object file?)");
	if ((rc = read_symbols(obj, elf)) < 0)
		return rc;
	return read_license_version(obj);
}

void obj_elf_end(struct bpfvm_object *obj)
{
	if (obj->elf)
		elf_end(obj->elf);
	obj->elf = NULL;
}

const struct obj_sym *obj_sym_find(const struct bpfvm_object *obj, uint32_t sec, const char *name)
{
	for (uint32_t i = 1; i < obj->nsyms; i++) {
		const struct obj_sym *y = &obj->syms[i];
		if (y->shndx == sec && y->type != STT_SECTION && !strcmp(y->name, name))
			return y;
	}
	return NULL;
}
