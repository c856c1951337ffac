/* Output: aligned tables for people, or (--json) one JSON document with the
 * same rows for tools. Numbers that could not be measured are NAN with a
 * reason, shown in place of the number ("n/a (EINVAL)"). */
#include "bench.h"
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_COLS 16

struct bench_out {
	int json;
	int nsections, nrows, cell;
	int ncols;
	const char *const *keys;
	const int *widths;
	char *notes;            /* JSON: collected notes, already escaped */
	size_t notes_len;
};

struct bench_out *bench_out_new(int json)
{
	struct bench_out *o = calloc(1, sizeof(*o));
	if (o && json)
		printf("{\n");
	if (o)
		o->json = json;
	return o;
}

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", *s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

void bench_note(struct bench_out *o, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (!o->json) {
		printf("%s\n", line);
		return;
	}
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	if (!m)
		return;
	fprintf(m, "%s    ", o->notes_len ? ",\n" : "");
	json_str(m, line);
	fclose(m);
	char *n = realloc(o->notes, o->notes_len + len + 1);
	if (n) {
		memcpy(n + o->notes_len, buf, len + 1);
		o->notes = n;
		o->notes_len += len;
	}
	free(buf);
}

void bench_section(struct bench_out *o, const char *key, const char *title)
{
	o->nrows = 0;
	if (!o->json) {
		printf("\n== %s ==\n", title);
		return;
	}
	printf("%s  ", o->nsections++ ? ",\n" : "");
	json_str(stdout, key);
	printf(": {\n    \"title\": ");
	json_str(stdout, title);
	printf(",\n    \"rows\": [");
}

void bench_columns(struct bench_out *o, int n, const char *const *keys, const char *const *heads, const int *widths)
{
	o->ncols = n < MAX_COLS ? n : MAX_COLS;
	o->keys = keys;
	o->widths = widths;
	if (o->json)
		return;
	int total = 0;
	for (int i = 0; i < o->ncols; i++) {
		printf(i == 0 ? "%-*s" : " %*s", widths[i], heads[i]);
		total += widths[i] + (i > 0);
	}
	printf("\n");
	for (int i = 0; i < total; i++)
		putchar('-');
	printf("\n");
}

void bench_row_begin(struct bench_out *o)
{
	o->cell = 0;
	if (o->json)
		printf("%s\n      {", o->nrows ? "," : "");
	o->nrows++;
}

static void cell_text(struct bench_out *o, const char *text, int is_json_literal)
{
	int i = o->cell++;
	if (i >= o->ncols)
		return;
	if (o->json) {
		printf("%s", i ? ", " : "");
		json_str(stdout, o->keys[i]);
		printf(": ");
		if (is_json_literal)
			printf("%s", text);
		else
			json_str(stdout, text);
		return;
	}
	printf(i == 0 ? "%-*s" : " %*s", o->widths[i], text);
}

void bench_cell_str(struct bench_out *o, const char *s)
{
	cell_text(o, s, 0);
}

void bench_cell_num(struct bench_out *o, double v, int decimals, const char *reason)
{
	char buf[64];
	if (isnan(v)) {
		cell_text(o, reason ? reason : "n/a", 0);
		return;
	}
	snprintf(buf, sizeof(buf), "%.*f", decimals, v);
	cell_text(o, buf, 1);
}

void bench_cell_int(struct bench_out *o, uint64_t v)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
	cell_text(o, buf, 1);
}

void bench_row_end(struct bench_out *o)
{
	printf(o->json ? "}" : "\n");
}

void bench_section_end(struct bench_out *o)
{
	if (o->json)
		printf("\n    ]\n  }");
}

void bench_out_finish(struct bench_out *o)
{
	if (o->json) {
		printf("%s  \"notes\": [\n%s\n  ]\n}\n", o->nsections ? ",\n" : "", o->notes ? o->notes : "");
	}
	fflush(stdout);
	free(o->notes);
	free(o);
}
