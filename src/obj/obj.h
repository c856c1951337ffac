/* ELF objects: what the files of src/obj/ share.
 *
 * Opening is a pipeline over one struct bpfvm_object, each step in its own
 * file: elf.c reads sections and symbols (libelf), sections.c names program
 * types, btf_min.c and btf_ext.c read the type information, maps.c finds
 * map definitions, progs.c finds functions and programs, reloc.c collects
 * relocations and links each program (subprograms appended, calls and map
 * references fixed). load.c then creates everything through bpfvm_bpf().
 *
 * Every step checks what it reads against the file (indices, offsets, sizes)
 * and fails with one line naming the section and offset: the bytes come from
 * anyone, and a bad object must never crash or leak. */
#ifndef BPFVM_OBJ_OBJ_H
#define BPFVM_OBJ_OBJ_H
#include <stddef.h>
#include <stdint.h>
#include <bpfvm/object.h>

#define OBJ_INSN_SZ 8u

enum obj_sec_kind {
	SK_OTHER = 0,
	SK_PROG,                        /* executable, a libbpf program section */
	SK_TEXT,                        /* .text: subprograms */
	SK_LEGACY_MAPS,                 /* "maps" */
	SK_BTF_MAPS,                    /* ".maps" */
	SK_DATA, SK_RODATA, SK_BSS,     /* global data */
	SK_LICENSE, SK_VERSION,
	SK_BTF, SK_BTF_EXT,
	SK_SYMTAB,
	SK_REL,
};

/* One entry of libbpf's section-name table (sections.c). */
struct obj_sec_def {
	const char *sec;                /* "xdp", "kprobe+" (exact or "kprobe/..."), */
	uint32_t prog_type;
	uint32_t attach_type;           /* expected_attach_type given at load */
	unsigned flags;                 /* SEC_F_* (sections.c) */
};
const struct obj_sec_def *obj_sec_def_find(const char *name);

struct obj_sec {
	const char *name;               /* in the ELF file's string table */
	uint32_t type, link, info;
	uint64_t flags, entsize, size;
	const uint8_t *data;            /* NULL for SHT_NOBITS and empty sections */
	int kind;                       /* enum obj_sec_kind */
	const struct obj_sec_def *def;  /* SK_PROG */
};

struct obj_sym {
	const char *name;
	uint64_t value, size;
	uint32_t shndx;                 /* 0: undefined; >= SHN_LORESERVE: special */
	uint8_t type, bind, vis;
};

/* A function: the unit that is copied into programs. */
struct obj_func {
	char *name;
	uint32_t sec;
	uint32_t off, cnt;              /* instructions, within the section */
	int global;
};

enum obj_relo_kind { RELO_CALL = 1, RELO_MAP, RELO_DATA };

struct obj_relo {
	uint32_t sec, insn;             /* the instruction relocated */
	int kind;
	int map;                        /* RELO_MAP, RELO_DATA */
	uint64_t sym_off;               /* RELO_CALL: byte offset in .text; RELO_DATA: in the section */
	uint32_t sym;
};

struct obj_map_def {
	uint32_t type, key_size, value_size, max_entries, map_flags, numa_node;
	uint32_t key_type_id, value_type_id;   /* BTF, 0 if none */
	uint32_t pinning;                      /* enum libbpf_pin_type */
};

/* libbpf's pinning values, and where LIBBPF_PIN_BY_NAME pins: the vm's
 * bpffs (a pin namespace modelled at /sys/fs/bpf). */
enum { OBJ_PIN_NONE = 0, OBJ_PIN_BY_NAME = 1 };
#define OBJ_PIN_ROOT "/sys/fs/bpf"

struct bpfvm_object_map {
	struct bpfvm_object *obj;
	char *name;
	char kname[BPF_OBJ_NAME_LEN];   /* the name given to MAP_CREATE */
	uint32_t sec;
	uint64_t sec_off, sec_size;     /* where its definition (or data) is */
	int internal;                   /* global data: the section is the value */
	struct obj_map_def def;
	int has_inner;                  /* map-in-map: the inner template */
	struct obj_map_def inner;
	uint32_t values_off;            /* BTF maps: byte offset of "values" (0: none) */
	char *pin_path;                 /* __uint(pinning, LIBBPF_PIN_BY_NAME): where, or NULL */
	int reused;                     /* load found it pinned and took that map */
	int *slots;                     /* initial contents: map or program index, -1 */
	uint32_t nslots;
	int fd;
};

struct obj_ldmap {                      /* an LD_IMM64 of a map or global data */
	uint32_t insn;
	int map;
	uint32_t off;
	int value;                      /* BPF_PSEUDO_MAP_VALUE */
};

struct bpfvm_program {
	struct bpfvm_object *obj;
	const char *name;               /* its entry function's */
	const char *sec_name;
	uint32_t sec;
	const struct obj_sec_def *def;
	uint32_t func;                  /* entry function */
	struct bpf_insn *insns;
	uint32_t insn_cnt;
	struct obj_ldmap *ldmaps;
	uint32_t nldmaps;
	struct bpfvm_func_sym *funcs;
	uint32_t nfuncs;
	struct bpf_func_info *func_info;
	uint32_t nfunc_info;
	struct bpf_line_info *line_info;
	uint32_t nline_info;
	struct bpfvm_line_info *lines;
	uint32_t ncore;                 /* CO-RE relocations in its functions (not applied) */
	char *core_desc;                /* the first one, described */
	int autoload;
	int fd;
	int load_err;
	char *log;
};

struct obj_btf;
struct obj_btf_ext;

struct bpfvm_object {
	struct bpfvm *vm;
	char *name;
	uint8_t *buf;                   /* our copy of the file */
	size_t len;
	void *elf;                      /* Elf * */
	struct obj_sec *secs;
	uint32_t nsecs;
	struct obj_sym *syms;
	uint32_t nsyms;
	uint32_t symtab, text;          /* section indices, 0 if none */
	uint32_t maps_sec, btf_maps_sec, btf_sec, btf_ext_sec;
	char license[128];
	uint32_t kversion;
	struct obj_func *funcs;
	uint32_t nfuncs;
	struct bpfvm_program *progs;
	uint32_t nprogs;
	struct bpfvm_object_map *maps;
	uint32_t nmaps;
	struct obj_relo *relos;         /* sorted by (sec, insn) */
	uint32_t nrelos;
	struct obj_btf *btf;            /* NULL: none, or unreadable */
	char *btf_warning;              /* why .BTF was not usable */
	struct obj_btf_ext *btf_ext;
	int btf_fd;
	int loaded;
	char *err;                      /* open's error buffer */
	size_t errlen;
};

/* Records the first error (printf-style) and returns -err. */
int obj_err(struct bpfvm_object *obj, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* elf.c */
int obj_elf_read(struct bpfvm_object *obj);
void obj_elf_end(struct bpfvm_object *obj);
/* The symbol of .symtab named `name` defined in section sec, or NULL. */
const struct obj_sym *obj_sym_find(const struct bpfvm_object *obj, uint32_t sec, const char *name);

/* progs.c: functions of executable sections, and the programs. */
int obj_find_programs(struct bpfvm_object *obj);
/* The function of section sec that starts at instruction off, or -1. */
int obj_func_at(const struct bpfvm_object *obj, uint32_t sec, uint32_t off);
void obj_progs_free(struct bpfvm_object *obj);

/* maps.c */
int obj_find_maps(struct bpfvm_object *obj);
int obj_map_by_offset(const struct bpfvm_object *obj, uint32_t sec, uint64_t off);
void obj_maps_free(struct bpfvm_object *obj);

/* reloc.c */
int obj_collect_relos(struct bpfvm_object *obj);
int obj_link_programs(struct bpfvm_object *obj);

/* load.c */
int obj_load(struct bpfvm_object *obj, const struct bpfvm_object_load_opts *opts, char *log, size_t logsz);
void obj_unload(struct bpfvm_object *obj);

/* btf_min.c: the little of BTF the loader needs. */
enum {
	BTF_K_INT = 1, BTF_K_PTR, BTF_K_ARRAY, BTF_K_STRUCT, BTF_K_UNION, BTF_K_ENUM, BTF_K_FWD,
	BTF_K_TYPEDEF, BTF_K_VOLATILE, BTF_K_CONST, BTF_K_RESTRICT, BTF_K_FUNC, BTF_K_FUNC_PROTO,
	BTF_K_VAR, BTF_K_DATASEC, BTF_K_FLOAT, BTF_K_DECL_TAG, BTF_K_TYPE_TAG, BTF_K_ENUM64,
};
struct obj_btf_type {                   /* a decoded type */
	uint32_t id;
	uint32_t kind, vlen, kflag;
	const char *name;
	uint32_t size_or_type;
	const uint8_t *extra;           /* what follows struct btf_type */
};
struct obj_btf_member {
	const char *name;
	uint32_t type;
	uint32_t offset;                /* bits (struct member), or DATASEC var offset */
	uint32_t size;                  /* DATASEC var size */
};
/* Parses a copy of .BTF; -EINVAL with a reason in why. */
int obj_btf_parse(const void *data, size_t size, struct obj_btf **out, char *why, size_t whylen);
void obj_btf_free(struct obj_btf *btf);
int obj_btf_type(const struct obj_btf *btf, uint32_t id, struct obj_btf_type *t);
/* Member i of a STRUCT/UNION, or var secinfo i of a DATASEC. */
int obj_btf_member(const struct obj_btf *btf, const struct obj_btf_type *t, uint32_t i,
		   struct obj_btf_member *m);
/* Skips typedefs and qualifiers. */
int obj_btf_skip_mods(const struct obj_btf *btf, uint32_t id, struct obj_btf_type *t);
/* Size in bytes of a type (btf__resolve_size), or -EINVAL. */
int64_t obj_btf_resolve_size(const struct obj_btf *btf, uint32_t id);
/* The id of the DATASEC named name, or 0. */
uint32_t obj_btf_find_datasec(const struct obj_btf *btf, const char *name);
/* A string of the string section ("" if off is out of range: callers that
 * must tell use obj_btf_str_ok). */
const char *obj_btf_str(const struct obj_btf *btf, uint32_t off);
int obj_btf_str_ok(const struct obj_btf *btf, uint32_t off);
/* Fills in what clang leaves zero: DATASEC sizes and variable offsets,
 * from the ELF sections and symbols (libbpf's btf_fixup_datasec). */
int obj_btf_fixup(struct bpfvm_object *obj);
/* The raw blob, and a copy rewritten for a v5.1 kernel (VAR/DATASEC,
 * FLOAT, DECL_TAG, TYPE_TAG and FUNC linkage replaced as libbpf's
 * bpf_object__sanitize_btf does); the caller frees the copy. */
const void *obj_btf_raw(const struct obj_btf *btf, uint32_t *size);
void *obj_btf_sanitized(const struct obj_btf *btf, uint32_t *size);

/* btf_ext.c */
struct obj_ext_rec {                    /* one func_info, line_info or core_relo record */
	uint32_t insn;                  /* instruction index in the section */
	uint32_t a, b, c;               /* func: type_id; line: file_name_off, line_off, line_col;
					   core: type_id, access_str_off, kind */
};
enum { OBJ_EXT_FUNC = 0, OBJ_EXT_LINE = 1, OBJ_EXT_CORE = 2 };
int obj_btf_ext_parse(struct bpfvm_object *obj, const void *data, size_t size, struct obj_btf_ext **out);
void obj_btf_ext_free(struct obj_btf_ext *ext);
/* The records of section sec_name of one kind (OBJ_EXT_*; line 0 is
 * func_info, 1 line_info), sorted by instruction. */
size_t obj_btf_ext_recs(const struct obj_btf_ext *ext, int line, const char *sec_name,
			const struct obj_ext_rec **out);
#endif
