/*
 * bpfvm — ELF objects: open a `clang -target bpf` object file, load its maps
 * and programs into a vm, and look at what it holds.
 *
 * The loader follows libbpf's conventions: libbpf's section names give the
 * program types; maps come from the legacy "maps" section (struct
 * bpf_map_def) and from BTF-defined ".maps"; global data (.data, .rodata,
 * .bss) becomes one-element array maps; functions in .text called from a
 * program are appended to it (BPF-to-BPF calls). Loading goes through
 * bpfvm_bpf() only (BPF_BTF_LOAD, BPF_MAP_CREATE, BPF_MAP_UPDATE_ELEM,
 * BPF_PROG_LOAD), as libbpf goes through the bpf(2) syscall.
 *
 * Include this header in addition to <bpfvm/bpfvm.h>. Nothing here prints:
 * errors are a negative errno (or NULL) and one line of text naming what is
 * wrong (the section, the offset, the map or the program).
 */
#ifndef BPFVM_OBJECT_H
#define BPFVM_OBJECT_H

#include <bpfvm/bpfvm.h>

#ifdef __cplusplus
extern "C" {
#endif

struct bpfvm_object;
struct bpfvm_program;
struct bpfvm_object_map;

/* ---- open and close ----------------------------------------------------- */

/* Reads and checks an object: sections, symbols, relocations, maps, BTF.
 * Nothing is created in the vm yet. On error returns NULL with errno set and
 * a one-line message in err. */
BPFVM_API struct bpfvm_object *bpfvm_object_open(struct bpfvm *vm, const char *path,
						  char *err, size_t errlen);
/* The same from memory (the bytes are copied). name plays the role of the
 * file name: the object's name is its base name up to the first '.', as
 * libbpf names objects (it prefixes the names of global data maps). */
BPFVM_API struct bpfvm_object *bpfvm_object_open_mem(struct bpfvm *vm, const void *buf, size_t len,
						      const char *name, char *err, size_t errlen);
/* Closes every fd the object created (maps, programs, BTF) and frees it. */
BPFVM_API void bpfvm_object_close(struct bpfvm_object *obj);

/* ---- load --------------------------------------------------------------- */

enum bpfvm_object_load_flags {
	/* Load every program even when one fails (for `bpfvm verify`): the
	 * call still fails, but everything else stays loaded and each
	 * program says how its load went (bpfvm_program_load_error). */
	BPFVM_OBJECT_LOAD_KEEP_GOING = 1u << 0,
};

struct bpfvm_object_load_opts {
	size_t sz;                      /* sizeof(struct bpfvm_object_load_opts) */
	uint32_t log_level;             /* PROG_LOAD log_level for every program.
					   0: a log is asked for only after a
					   failure, at level 1 (as libbpf does) */
	uint32_t flags;                 /* enum bpfvm_object_load_flags */
};

/* Loads the BTF (BPF_BTF_LOAD; if the vm refuses it, the object loads
 * without BTF, with a warning in log), creates the maps and fills the
 * initial contents (global data, map-in-map and prog-array slots), loads the
 * programs. log receives warnings and, for a program that fails, the error
 * and the verifier's log. Returns 0 or a negative errno; unless
 * KEEP_GOING, a failure closes everything created so far. Once only:
 * -EBUSY after a first load. */
BPFVM_API int bpfvm_object_load(struct bpfvm_object *obj, char *log, size_t logsz);
BPFVM_API int bpfvm_object_load_opts(struct bpfvm_object *obj, const struct bpfvm_object_load_opts *opts,
				     char *log, size_t logsz);

/* ---- the object --------------------------------------------------------- */

BPFVM_API struct bpfvm *bpfvm_object_vm(const struct bpfvm_object *obj);
BPFVM_API const char *bpfvm_object_name(const struct bpfvm_object *obj);
/* The "license" section ("" if none) and the "version" section (0 if none). */
BPFVM_API const char *bpfvm_object_license(const struct bpfvm_object *obj);
BPFVM_API uint32_t bpfvm_object_kversion(const struct bpfvm_object *obj);
/* 1 if the object has .BTF that the loader could read. */
BPFVM_API int bpfvm_object_has_btf(const struct bpfvm_object *obj);
/* The BTF object's fd after load, or -1 (none, or the vm refused it). */
BPFVM_API int bpfvm_object_btf_fd(const struct bpfvm_object *obj);

/* ---- programs ----------------------------------------------------------- */

/* Programs in the order of the ELF file (section, then offset). */
BPFVM_API size_t bpfvm_object_program_count(const struct bpfvm_object *obj);
BPFVM_API struct bpfvm_program *bpfvm_object_program(const struct bpfvm_object *obj, size_t i);
BPFVM_API struct bpfvm_program *bpfvm_object_find_program(const struct bpfvm_object *obj, const char *name);

BPFVM_API const char *bpfvm_program_name(const struct bpfvm_program *prog);     /* the function's name */
BPFVM_API const char *bpfvm_program_section(const struct bpfvm_program *prog);  /* "xdp", "kprobe/sys_open" */
BPFVM_API uint32_t bpfvm_program_type(const struct bpfvm_program *prog);        /* enum bpf_prog_type */
BPFVM_API uint32_t bpfvm_program_expected_attach_type(const struct bpfvm_program *prog);
/* The program's fd after a successful load, or -1. */
BPFVM_API int bpfvm_program_fd(const struct bpfvm_program *prog);
/* Whether load loads it (default 1). Only before load. */
BPFVM_API int bpfvm_program_set_autoload(struct bpfvm_program *prog, int on);
/* After load: 0, or the negative errno its PROG_LOAD failed with (or
 * -ENOENT if it was not loaded). */
BPFVM_API int bpfvm_program_load_error(const struct bpfvm_program *prog);
/* The log of its last PROG_LOAD ("" if none was asked for). */
BPFVM_API const char *bpfvm_program_log(const struct bpfvm_program *prog);

/* The instructions given to PROG_LOAD: the entry function followed by the
 * functions it calls (each once), calls and map references relocated.
 * The imm of a map reference holds the map's fd once the maps exist (0
 * before load). */
BPFVM_API const struct bpf_insn *bpfvm_program_insns(const struct bpfvm_program *prog, size_t *cnt);
/* If insns[i] is an LD_IMM64 of a map (BPF_PSEUDO_MAP_FD) or of a global
 * variable (BPF_PSEUDO_MAP_VALUE), its map, and in *off the offset into the
 * value (0 for a map reference); NULL otherwise. */
BPFVM_API const struct bpfvm_object_map *bpfvm_program_insn_map(const struct bpfvm_program *prog, size_t i,
								uint32_t *off);

/* Functions of the program, in instruction order: where each starts. */
struct bpfvm_func_sym {
	uint32_t insn;                  /* index into bpfvm_program_insns() */
	const char *name;
};
BPFVM_API size_t bpfvm_program_funcs(const struct bpfvm_program *prog, const struct bpfvm_func_sym **out);

/* Source lines from .BTF.ext line_info, in instruction order (empty without
 * BTF, or for objects built without -g). */
struct bpfvm_line_info {
	uint32_t insn;                  /* index into bpfvm_program_insns() */
	uint32_t line, col;
	const char *file;               /* "" if unknown */
	const char *src;                /* the line's text, "" if unknown */
};
BPFVM_API size_t bpfvm_program_lines(const struct bpfvm_program *prog, const struct bpfvm_line_info **out);

/* ---- maps --------------------------------------------------------------- */

/* Maps in creation order: legacy "maps", then ".maps", then global data. */
BPFVM_API size_t bpfvm_object_map_count(const struct bpfvm_object *obj);
BPFVM_API struct bpfvm_object_map *bpfvm_object_map(const struct bpfvm_object *obj, size_t i);
/* By name: the symbol's name, or for global data the map's name
 * ("prog.bss") or its section's (".bss"). */
BPFVM_API struct bpfvm_object_map *bpfvm_object_find_map(const struct bpfvm_object *obj, const char *name);

BPFVM_API const char *bpfvm_object_map_name(const struct bpfvm_object_map *map);
BPFVM_API const char *bpfvm_object_map_section(const struct bpfvm_object_map *map);
/* 1 for a global data map (.data, .rodata, .bss and their .NAME variants). */
BPFVM_API int bpfvm_object_map_is_internal(const struct bpfvm_object_map *map);
BPFVM_API uint32_t bpfvm_object_map_type(const struct bpfvm_object_map *map);   /* enum bpf_map_type */
BPFVM_API uint32_t bpfvm_object_map_key_size(const struct bpfvm_object_map *map);
BPFVM_API uint32_t bpfvm_object_map_value_size(const struct bpfvm_object_map *map);
BPFVM_API uint32_t bpfvm_object_map_max_entries(const struct bpfvm_object_map *map);
BPFVM_API uint32_t bpfvm_object_map_flags(const struct bpfvm_object_map *map);
/* The map's fd after load, or -1. */
BPFVM_API int bpfvm_object_map_fd(const struct bpfvm_object_map *map);

#ifdef __cplusplus
}
#endif
#endif
