/* A tiny JSON reader (for --map-init) and writer (for --json output). */
#ifndef BPFVM_CLI_JSON_H
#define BPFVM_CLI_JSON_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum json_type { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT };

struct json {
	enum json_type type;
	int boolean;
	/* numbers: integers are exact (is_int, neg, mag); others only parse */
	int is_int, neg;
	uint64_t mag;
	char *str;                      /* strings (NUL-terminated, may hold no NUL) */
	struct json *items;             /* arrays and objects */
	char **keys;                    /* objects */
	size_t n;
	size_t pos;                     /* offset in the text, for messages */
};

/* Parses text (a whole document). On error returns NULL and writes
 * "at offset N (line L, column C): what" to err. */
struct json *json_parse(const char *text, char *err, size_t errlen);
void json_free(struct json *v);
/* An object's member, or NULL. */
const struct json *json_get(const struct json *obj, const char *key);
/* "line L, column C" of offset pos in text. */
void json_where(const char *text, size_t pos, char *buf, size_t n);

/* The writer: compact JSON on one line, commas handled. */
struct jw {
	FILE *f;
	int depth;
	unsigned char first[64];        /* per level: nothing written yet */
	int after_key;
};
void jw_init(struct jw *w, FILE *f);
void jw_obj(struct jw *w);
void jw_obj_end(struct jw *w);
void jw_arr(struct jw *w);
void jw_arr_end(struct jw *w);
void jw_key(struct jw *w, const char *k);
void jw_str(struct jw *w, const char *s);
void jw_u64(struct jw *w, uint64_t v);
void jw_i64(struct jw *w, int64_t v);
void jw_double(struct jw *w, double v);
void jw_bool(struct jw *w, int v);
void jw_null(struct jw *w);
/* Bytes as bpftool writes them: ["0x01","0xab",...]. */
void jw_hex_bytes(struct jw *w, const uint8_t *p, size_t n);
#endif
