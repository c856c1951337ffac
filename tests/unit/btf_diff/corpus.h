/* The differential test's corpus of BTF blobs and the list of ways in which
 * the running kernel is meant to differ from Linux v5.1. */
#ifndef BPFVM_TEST_BTF_CORPUS_H
#define BPFVM_TEST_BTF_CORPUS_H
#include <stddef.h>
#include <stdint.h>

/* Where a modern kernel differs from v5.1 on purpose. A case that
 * disagrees counts as a known difference only if it has one of these
 * features (set by the generator, or found in the blob by
 * known_differences()). */
enum known_diff {
	KD_FUNC_LINKAGE = 1 << 0,       /* FUNC vlen = linkage (5.6): v5.1 "vlen != 0" */
	KD_ENUM_SIZE = 1 << 1,          /* ENUM of 1/2/8 bytes (5.3), kind_flag = signed (6.0) */
	KD_NAME_LEN = 1 << 2,           /* KSYM_NAME_LEN 128 -> 512 (5.18) */
	KD_NEW_KINDS = 1 << 3,          /* info bit 28: kinds 16..31 (FLOAT, DECL_TAG, TYPE_TAG, ENUM64) */
	KD_SIZE_RESOLUTION = 1 << 4,    /* modifier sizes recomputed (5.3): PTR->TYPEDEF->ARRAY */
	KD_LOG = 1 << 5,                /* log attributes and truncation (6.4 rotating log) */
	KD_NAME_DOT = 1 << 6,           /* '.' allowed in every name (6.5) */
	KD_MAP_KEYLESS = 1 << 7,        /* btf_key_type_id 0 allowed for some maps */
	KD_DATASEC = 1 << 8,            /* DATASEC: empty ones (vlen 0) accepted */
	KD_FUNC_INFO = 1 << 9,          /* func_info/line_info checked before subprogs */
	KD_DATASEC_NAME = 1 << 10,      /* DATASEC names: any printable character (6.8) */
	KD_REF_FUNC = 1 << 11,          /* a modifier or pointer to a FUNC accepted (FUNC resolved, 5.x) */
	KD_PROTO_VAR = 1 << 12,         /* FUNC_PROTO returning/taking a VAR: v5.2 accepts, newer refuse */
	KD_SPECIAL_FIELDS = 1 << 13,    /* bpf_spin_lock & co parsed at BTF load, modifiers skipped (6.2) */
	KD_EOPNOTSUPP = 1 << 14,        /* a lock in a map that cannot hold one: 524 -> EOPNOTSUPP */
	KD_FD_MAP_BTF = 1 << 15,        /* prog arrays take BTF types */
	KD_COUNT_BITS = 16,
};
const char *known_diff_text(int bit);

struct bcase {
	char name[96];
	uint8_t *blob;
	uint32_t size;
	uint32_t log_size;              /* 0: the default (64 KiB) */
	uint32_t log_level;             /* 0: the default (1) */
	int known;                      /* enum known_diff bits the generator knows of */
};

struct bcases {
	struct bcase *v;
	size_t n, cap;
};

/* takes blob (malloc'ed) */
struct bcase *cases_add(struct bcases *c, const char *name, uint8_t *blob, uint32_t size, int known);
void cases_free(struct bcases *c);

void corpus_handbuilt(struct bcases *c);
/* The blob of "every kind" (the base for mutations); malloc'ed */
uint8_t *corpus_every_kind(uint32_t *size);
/* n deterministic corruptions of base (seeded) */
void corpus_mutations(struct bcases *c, const char *base_name, const uint8_t *base, uint32_t size, uint64_t seed,
		     int n);
/* Features of a blob that a modern kernel treats differently (bits of
 * enum known_diff); tolerant of any bytes. */
int known_differences(const uint8_t *blob, uint32_t size);
#endif
