/* A tiny JSON reader and writer (RFC 8259): enough for --map-init values
 * and --json output. The reader is recursive with a depth limit, keeps
 * integers exact (64-bit magnitude and a sign), and reports the first error
 * with its offset. */
#include "json.h"
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 64

struct reader {
	const char *s;
	size_t i;
	char *err;
	size_t errlen;
	int failed;
};

void json_where(const char *text, size_t pos, char *buf, size_t n)
{
	size_t line = 1, col = 1;
	for (size_t i = 0; i < pos && text[i]; i++) {
		if (text[i] == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	snprintf(buf, n, "line %zu, column %zu", line, col);
}

static int fail(struct reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct reader *r, const char *fmt, ...)
{
	if (r->failed)
		return -1;
	r->failed = 1;
	char what[160], where[64];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	json_where(r->s, r->i, where, sizeof(where));
	snprintf(r->err, r->errlen, "at offset %zu (%s): %s", r->i, where, what);
	return -1;
}

static void skip_ws(struct reader *r)
{
	while (r->s[r->i] == ' ' || r->s[r->i] == '\t' || r->s[r->i] == '\n' || r->s[r->i] == '\r')
		r->i++;
}

static const char *describe(char c)
{
	static char buf[16];
	if (!c)
		return "the end of the text";
	if (c >= 0x20 && c < 0x7f)
		snprintf(buf, sizeof(buf), "'%c'", c);
	else
		snprintf(buf, sizeof(buf), "byte 0x%02x", (unsigned char)c);
	return buf;
}

static int value(struct reader *r, struct json *v, int depth);

static int hex4(struct reader *r, unsigned *out)
{
	*out = 0;
	for (int k = 0; k < 4; k++) {
		char c = r->s[r->i];
		unsigned d = c >= '0' && c <= '9' ? (unsigned)(c - '0') : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10) :
			     c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10) : 16;
		if (d == 16)
			return fail(r, "expected a hex digit in a \\u escape, found %s", describe(c));
		*out = *out * 16 + d;
		r->i++;
	}
	return 0;
}

static void put_utf8(char *o, size_t *n, unsigned cp)
{
	if (cp < 0x80) {
		o[(*n)++] = (char)cp;
	} else if (cp < 0x800) {
		o[(*n)++] = (char)(0xc0 | cp >> 6);
		o[(*n)++] = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		o[(*n)++] = (char)(0xe0 | cp >> 12);
		o[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[(*n)++] = (char)(0x80 | (cp & 0x3f));
	} else {
		o[(*n)++] = (char)(0xf0 | cp >> 18);
		o[(*n)++] = (char)(0x80 | ((cp >> 12) & 0x3f));
		o[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[(*n)++] = (char)(0x80 | (cp & 0x3f));
	}
}

static int escape(struct reader *r, char *o, size_t *n)
{
	char c = r->s[r->i++];
	const char *from = "\"\\/bfnrt", *to = "\"\\/\b\f\n\r\t";
	const char *p = c ? strchr(from, c) : NULL;
	if (p) {
		o[(*n)++] = to[p - from];
		return 0;
	}
	if (c != 'u') {
		r->i--;
		return fail(r, "unknown escape \\%c", c ? c : '?');
	}
	unsigned cp, lo;
	if (hex4(r, &cp) < 0)
		return -1;
	if (cp >= 0xd800 && cp < 0xdc00 && r->s[r->i] == '\\' && r->s[r->i + 1] == 'u') {
		r->i += 2;
		if (hex4(r, &lo) < 0)
			return -1;
		if (lo < 0xdc00 || lo > 0xdfff)
			return fail(r, "bad UTF-16 surrogate pair");
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
	}
	put_utf8(o, n, cp);
	return 0;
}

static int string(struct reader *r, char **out)
{
	r->i++;                                 /* the opening quote */
	size_t start = r->i, k = start, n = 0;
	/* The decoded string is never longer than its text: find the end
	 * (the first quote not escaped) to size it. */
	while (r->s[k] && r->s[k] != '"')
		k += r->s[k] == '\\' && r->s[k + 1] ? 2 : 1;
	char *o = malloc(k - start + 8);
	if (!o)
		return fail(r, "out of memory");
	for (;;) {
		char c = r->s[r->i];
		if (!c) {
			free(o);
			return fail(r, "unterminated string (it began at offset %zu)", start - 1);
		}
		if ((unsigned char)c < 0x20) {
			free(o);
			return fail(r, "control character %s in a string", describe(c));
		}
		r->i++;
		if (c == '"')
			break;
		if (c == '\\') {
			if (escape(r, o, &n) < 0) {
				free(o);
				return -1;
			}
		} else {
			o[n++] = c;
		}
	}
	o[n] = 0;
	*out = o;
	return 0;
}

static int number(struct reader *r, struct json *v)
{
	const char *s = r->s;
	size_t i = r->i;
	v->type = JSON_NUMBER;
	v->is_int = 1;
	if (s[i] == '-') {
		v->neg = 1;
		i++;
	}
	if (!(s[i] >= '0' && s[i] <= '9')) {
		r->i = i;
		return fail(r, "expected a digit, found %s", describe(s[i]));
	}
	if (s[i] == '0' && s[i + 1] >= '0' && s[i + 1] <= '9') {
		r->i = i;
		return fail(r, "numbers cannot have leading zeros");
	}
	for (; s[i] >= '0' && s[i] <= '9'; i++) {
		unsigned d = (unsigned)(s[i] - '0');
		if (v->mag > (UINT64_MAX - d) / 10)
			v->is_int = 0;          /* too large to be exact */
		else
			v->mag = v->mag * 10 + d;
	}
	if (s[i] == '.') {
		v->is_int = 0;
		if (!(s[++i] >= '0' && s[i] <= '9')) {
			r->i = i;
			return fail(r, "expected a digit after '.', found %s", describe(s[i]));
		}
		while (s[i] >= '0' && s[i] <= '9')
			i++;
	}
	if (s[i] == 'e' || s[i] == 'E') {
		v->is_int = 0;
		i++;
		if (s[i] == '+' || s[i] == '-')
			i++;
		if (!(s[i] >= '0' && s[i] <= '9')) {
			r->i = i;
			return fail(r, "expected a digit in the exponent, found %s", describe(s[i]));
		}
		while (s[i] >= '0' && s[i] <= '9')
			i++;
	}
	r->i = i;
	return 0;
}

static int push(struct reader *r, struct json *v, size_t *cap)
{
	if (v->n < *cap)
		return 0;
	size_t nc = *cap ? *cap * 2 : 4;
	struct json *ni = realloc(v->items, nc * sizeof(*ni));
	if (!ni)
		return fail(r, "out of memory");
	v->items = ni;
	if (v->type == JSON_OBJECT) {
		char **nk = realloc(v->keys, nc * sizeof(*nk));
		if (!nk)
			return fail(r, "out of memory");
		v->keys = nk;
	}
	*cap = nc;
	return 0;
}

static int container(struct reader *r, struct json *v, int depth)
{
	int obj = r->s[r->i] == '{';
	char close = obj ? '}' : ']';
	size_t cap = 0;
	v->type = obj ? JSON_OBJECT : JSON_ARRAY;
	r->i++;
	skip_ws(r);
	if (r->s[r->i] == close) {
		r->i++;
		return 0;
	}
	for (;;) {
		skip_ws(r);
		if (push(r, v, &cap) < 0)
			return -1;
		struct json *item = &v->items[v->n];
		memset(item, 0, sizeof(*item));
		if (obj) {
			if (r->s[r->i] != '"')
				return fail(r, "expected a member name in quotes, found %s", describe(r->s[r->i]));
			if (string(r, &v->keys[v->n]) < 0)
				return -1;
			v->n++;                 /* owned from here on */
			skip_ws(r);
			if (r->s[r->i] != ':')
				return fail(r, "expected ':' after a member name, found %s", describe(r->s[r->i]));
			r->i++;
		} else {
			v->n++;
		}
		if (value(r, item, depth + 1) < 0)
			return -1;
		skip_ws(r);
		char c = r->s[r->i];
		if (c == close) {
			r->i++;
			return 0;
		}
		if (c != ',')
			return fail(r, "expected ',' or '%c', found %s", close, describe(c));
		r->i++;
	}
}

static int literal(struct reader *r, struct json *v, const char *word, enum json_type t, int b)
{
	size_t n = strlen(word);
	if (strncmp(r->s + r->i, word, n))
		return fail(r, "unexpected %s (expected a value)", describe(r->s[r->i]));
	r->i += n;
	v->type = t;
	v->boolean = b;
	return 0;
}

static int value(struct reader *r, struct json *v, int depth)
{
	if (depth > MAX_DEPTH)
		return fail(r, "nested more than %d levels deep", MAX_DEPTH);
	skip_ws(r);
	v->pos = r->i;
	char c = r->s[r->i];
	switch (c) {
	case '{': case '[':
		return container(r, v, depth);
	case '"':
		v->type = JSON_STRING;
		return string(r, &v->str);
	case 't':
		return literal(r, v, "true", JSON_BOOL, 1);
	case 'f':
		return literal(r, v, "false", JSON_BOOL, 0);
	case 'n':
		return literal(r, v, "null", JSON_NULL, 0);
	}
	if (c == '-' || (c >= '0' && c <= '9'))
		return number(r, v);
	return fail(r, "unexpected %s (expected a value)", describe(c));
}

static void free_inner(struct json *v)
{
	free(v->str);
	for (size_t i = 0; i < v->n; i++) {
		free_inner(&v->items[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->items);
	free(v->keys);
}

void json_free(struct json *v)
{
	if (!v)
		return;
	free_inner(v);
	free(v);
}

struct json *json_parse(const char *text, char *err, size_t errlen)
{
	struct reader r = { text, 0, err, errlen, 0 };
	struct json *v = calloc(1, sizeof(*v));
	if (!v) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (value(&r, v, 0) == 0) {
		skip_ws(&r);
		if (text[r.i])
			fail(&r, "unexpected %s after the value", describe(text[r.i]));
	}
	if (r.failed) {
		json_free(v);
		return NULL;
	}
	return v;
}

const struct json *json_get(const struct json *obj, const char *key)
{
	if (!obj || obj->type != JSON_OBJECT)
		return NULL;
	for (size_t i = 0; i < obj->n; i++)
		if (!strcmp(obj->keys[i], key))
			return &obj->items[i];
	return NULL;
}

/* ---- writer --------------------------------------------------------------- */

void jw_init(struct jw *w, FILE *f)
{
	memset(w, 0, sizeof(*w));
	w->f = f;
	w->first[0] = 1;
}

static void sep(struct jw *w)
{
	if (w->after_key) {
		w->after_key = 0;
		return;
	}
	if (!w->first[w->depth])
		fputc(',', w->f);
	w->first[w->depth] = 0;
}

static void open_(struct jw *w, char c)
{
	sep(w);
	fputc(c, w->f);
	if (w->depth + 1 < (int)sizeof(w->first))
		w->depth++;
	w->first[w->depth] = 1;
}

static void close_(struct jw *w, char c)
{
	fputc(c, w->f);
	if (w->depth > 0)
		w->depth--;
	if (w->depth == 0)
		fputc('\n', w->f);
}

void jw_obj(struct jw *w) { open_(w, '{'); }
void jw_obj_end(struct jw *w) { close_(w, '}'); }
void jw_arr(struct jw *w) { open_(w, '['); }
void jw_arr_end(struct jw *w) { close_(w, ']'); }

static void write_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", f);
		else if (*p == '\t')
			fputs("\\t", f);
		else if (*p < 0x20)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

void jw_key(struct jw *w, const char *k)
{
	sep(w);
	write_str(w->f, k);
	fputc(':', w->f);
	w->after_key = 1;
}

void jw_str(struct jw *w, const char *s)
{
	sep(w);
	write_str(w->f, s);
}

void jw_u64(struct jw *w, uint64_t v)
{
	sep(w);
	fprintf(w->f, "%llu", (unsigned long long)v);
}

void jw_i64(struct jw *w, int64_t v)
{
	sep(w);
	fprintf(w->f, "%lld", (long long)v);
}

void jw_double(struct jw *w, double v)
{
	sep(w);
	fprintf(w->f, "%.3f", v);
}

void jw_bool(struct jw *w, int v)
{
	sep(w);
	fputs(v ? "true" : "false", w->f);
}

void jw_null(struct jw *w)
{
	sep(w);
	fputs("null", w->f);
}

void jw_hex_bytes(struct jw *w, const uint8_t *p, size_t n)
{
	jw_arr(w);
	for (size_t i = 0; i < n; i++) {
		char b[8];
		snprintf(b, sizeof(b), "0x%02x", p[i]);
		jw_str(w, b);
	}
	jw_arr_end(w);
}
