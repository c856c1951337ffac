/* The object subcommands' shared steps: options, open, load, --map-init. */
#include "objcli.h"
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static int takes_value(const char *a)
{
	static const char *const with[] = { "--prog", "--pcap", "--write-pcap", "--data-in", "--data-out",
					    "--repeat", "--map-init", "--map", NULL };
	for (int i = 0; with[i]; i++)
		if (!strcmp(a, with[i]))
			return 1;
	return 0;
}

static int check_map_init(struct objcli_opts *o, const char *v)
{
	const char *eq = strchr(v, '=');
	if (!eq || eq == v)
		return cli_usage_error(o->cmd, "--map-init needs NAME=JSON, not '%s'", v);
	char err[256];
	struct json *j = json_parse(eq + 1, err, sizeof(err));
	if (!j)
		return cli_usage_error(o->cmd, "--map-init %.*s: bad JSON %s", (int)(eq - v), v, err);
	json_free(j);
	if (o->nmap_init >= OBJCLI_MAX_INIT)
		return cli_usage_error(o->cmd, "at most %d --map-init", OBJCLI_MAX_INIT);
	o->map_init[o->nmap_init++] = v;
	return 0;
}

int objcli_option(struct objcli_opts *o, int argc, char **argv, int *i)
{
	const char *a = argv[*i];
	if (!strcmp(a, "--trace")) {
		o->trace = 1;
		return 1;
	}
	if (!strcmp(a, "--json")) {
		o->json = 1;
		return 1;
	}
	if (!takes_value(a)) {
		if (a[0] == '-' && a[1])
			return 0;
		if (o->obj)
			return cli_usage_error(o->cmd, "unexpected argument '%s' (the object is '%s')", a, o->obj);
		o->obj = a;
		return 1;
	}
	if (*i + 1 >= argc)
		return cli_usage_error(o->cmd, "%s needs a value", a);
	const char *v = argv[++*i];
	const char **slot = !strcmp(a, "--prog") ? &o->prog : !strcmp(a, "--pcap") ? &o->pcap_in :
			    !strcmp(a, "--write-pcap") ? &o->pcap_out : !strcmp(a, "--data-in") ? &o->data_in :
			    !strcmp(a, "--data-out") ? &o->data_out : !strcmp(a, "--map") ? &o->map : NULL;
	if (slot) {
		*slot = v;
		return 1;
	}
	if (!strcmp(a, "--map-init"))
		return check_map_init(o, v) ? EXIT_USAGE : 1;
	if (cli_parse_u64(v, UINT32_MAX, &o->repeat) < 0 || o->repeat == 0)
		return cli_usage_error(o->cmd, "--repeat needs a count from 1 to %u, not '%s'", UINT32_MAX, v);
	return 1;
}

static void list(char *buf, size_t n, size_t count, const char *(*name)(const struct bpfvm_object *, size_t),
		 const struct bpfvm_object *obj)
{
	size_t used = 0;
	buf[0] = 0;
	for (size_t i = 0; i < count && used + 1 < n; i++) {
		int w = snprintf(buf + used, n - used, "%s%s", i ? ", " : "", name(obj, i));
		if (w < 0)
			break;
		used += (size_t)w < n - used ? (size_t)w : n - used - 1;
	}
	if (!count)
		snprintf(buf, n, "none");
}

static const char *prog_name_at(const struct bpfvm_object *obj, size_t i)
{
	return bpfvm_program_name(bpfvm_object_program(obj, i));
}

static const char *map_name_at(const struct bpfvm_object *obj, size_t i)
{
	return bpfvm_object_map_name(bpfvm_object_map(obj, i));
}

void objcli_list_programs(const struct bpfvm_object *obj, char *buf, size_t n)
{
	list(buf, n, bpfvm_object_program_count(obj), prog_name_at, obj);
}

void objcli_list_maps(const struct bpfvm_object *obj, char *buf, size_t n)
{
	list(buf, n, bpfvm_object_map_count(obj), map_name_at, obj);
}

static void discard_trace(void *user, const char *line, size_t len)
{
	(void)user;
	(void)line;
	(void)len;
}

int objcli_open(struct objcli *s, const struct objcli_opts *o, int need_prog)
{
	char err[512], names[512];
	memset(s, 0, sizeof(*s));
	if (!(s->vm = bpfvm_new()))
		return cli_error("out of memory");
	bpfvm_set_trace_sink(s->vm, discard_trace, NULL);
	s->obj = bpfvm_object_open(s->vm, o->obj, err, sizeof(err));
	if (!s->obj) {
		/* open's messages name the file when it cannot be read */
		if (!strncmp(err, o->obj, strlen(o->obj)))
			return cli_error("%s", err);
		return cli_error("%s: %s", o->obj, err);
	}
	if (o->prog) {
		if (!(s->prog = bpfvm_object_find_program(s->obj, o->prog))) {
			objcli_list_programs(s->obj, names, sizeof(names));
			return cli_error("%s: no program '%s' (programs: %s)", o->obj, o->prog, names);
		}
	} else if (bpfvm_object_program_count(s->obj) == 1) {
		s->prog = bpfvm_object_program(s->obj, 0);
	} else if (need_prog) {
		objcli_list_programs(s->obj, names, sizeof(names));
		if (!bpfvm_object_program_count(s->obj))
			return cli_error("%s: the object has no programs", o->obj);
		return cli_usage_error(o->cmd, "%s has %zu programs (%s): choose one with --prog", o->obj,
				       bpfvm_object_program_count(s->obj), names);
	}
	return EXIT_OK;
}

void objcli_close(struct objcli *s)
{
	bpfvm_object_close(s->obj);
	bpfvm_free(s->vm);
	memset(s, 0, sizeof(*s));
}

/* Prints the loader's log: warnings as "bpfvm: warning: ...", the rest
 * (errors, verifier logs) as they are. */
static void print_load_log(const char *log)
{
	const char *p = log;
	while (*p) {
		size_t n = strcspn(p, "\n");
		if (!strncmp(p, "warning: ", 9))
			fprintf(stderr, "bpfvm: %.*s\n", (int)n, p);
		else
			fprintf(stderr, "%.*s\n", (int)n, p);
		p += n + (p[n] == '\n');
	}
}

/* ---- --map-init ------------------------------------------------------------ */

struct init_ctx {
	struct objcli *s;
	const char *spec, *text;
	const char *map;
};

static int init_err(const struct init_ctx *c, const struct json *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int init_err(const struct init_ctx *c, const struct json *at, const char *fmt, ...)
{
	char where[64], msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	json_where(c->text, at->pos, where, sizeof(where));
	return cli_error("--map-init %s: %s (at %s)", c->map, msg, where);
}

/* An integer (little-endian in size bytes), or an array of size bytes
 * (numbers, or strings "0xNN" as bpftool prints them). */
static int encode(const struct init_ctx *c, const struct json *j, const char *what, uint8_t *out, uint32_t size)
{
	if (j->type == JSON_NUMBER) {
		if (!j->is_int)
			return init_err(c, j, "%s: not an integer", what);
		uint64_t v = j->neg ? (uint64_t)0 - j->mag : j->mag;
		int neg = j->neg && j->mag;     /* -0 is 0 */
		int fits = size == 0 ? j->mag == 0 :
			   size >= 8 ? (!neg || j->mag <= (1ull << 63)) :
			   neg ? j->mag <= (1ull << (8 * size - 1)) : j->mag < (1ull << (8 * size));
		if (!fits)
			return init_err(c, j, "%s: the integer does not fit in %u bytes", what, size);
		memset(out, neg ? 0xff : 0, size);
		for (uint32_t i = 0; i < size && i < 8; i++)
			out[i] = (uint8_t)(v >> (8 * i));
		return 0;
	}
	if (j->type != JSON_ARRAY)
		return init_err(c, j, "%s: expected an integer or an array of bytes", what);
	if (j->n != size)
		return init_err(c, j, "%s: expected %u bytes, got %zu", what, size, j->n);
	for (size_t i = 0; i < j->n; i++) {
		const struct json *b = &j->items[i];
		uint64_t v = 256;
		char *end = NULL;
		if (b->type == JSON_NUMBER && b->is_int && !b->neg)
			v = b->mag;
		else if (b->type == JSON_STRING && b->str[0]) {
			v = strtoull(b->str, &end, 0);
			if (*end)
				v = 256;
		}
		if (v > 255)
			return init_err(c, b, "%s: byte %zu is not a number from 0 to 255", what, i);
		out[i] = (uint8_t)v;
	}
	return 0;
}

/* Prog arrays and maps of maps take a program or map of the object, by
 * name. */
static int encode_fd(const struct init_ctx *c, const struct json *j, uint32_t type, uint8_t *out)
{
	int fd = -1;
	if (j->type == JSON_STRING) {
		if (type == BPF_MAP_TYPE_PROG_ARRAY) {
			struct bpfvm_program *p = bpfvm_object_find_program(c->s->obj, j->str);
			fd = p ? bpfvm_program_fd(p) : -1;
		} else {
			struct bpfvm_object_map *m = bpfvm_object_find_map(c->s->obj, j->str);
			fd = m ? bpfvm_object_map_fd(m) : -1;
		}
	}
	if (fd < 0)
		return init_err(c, j, "value: expected the name of a loaded %s of the object",
				type == BPF_MAP_TYPE_PROG_ARRAY ? "program" : "map");
	memcpy(out, &fd, 4);
	return 0;
}

static int init_entry(const struct init_ctx *c, const struct bpfvm_object_map *m, const struct json *e)
{
	uint32_t ks = bpfvm_object_map_key_size(m), vs = bpfvm_object_map_value_size(m);
	uint32_t type = bpfvm_object_map_type(m);
	int percpu = type == BPF_MAP_TYPE_PERCPU_ARRAY || type == BPF_MAP_TYPE_PERCPU_HASH ||
		     type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
	int fdmap = type == BPF_MAP_TYPE_PROG_ARRAY || type == BPF_MAP_TYPE_ARRAY_OF_MAPS ||
		    type == BPF_MAP_TYPE_HASH_OF_MAPS;
	unsigned ncpus = bpfvm_ncpus(c->s->vm);
	uint32_t stride = (vs + 7) & ~7u, total = percpu ? stride * ncpus : vs;
	const struct json *k = json_get(e, "key"), *v = json_get(e, "value");
	if (e->type != JSON_OBJECT || !k || !v)
		return init_err(c, e, "expected {\"key\": ..., \"value\": ...}");
	uint8_t *key = calloc(1, ks + 1), *val = calloc(1, total + 8);
	int rc = key && val ? 0 : cli_error("out of memory");
	if (rc == 0)
		rc = encode(c, k, "key", key, ks);
	if (rc == 0)
		rc = fdmap && v->type == JSON_STRING ? encode_fd(c, v, type, val) : encode(c, v, "value", val, vs);
	for (unsigned cpu = 1; rc == 0 && percpu && cpu < ncpus; cpu++)
		memcpy(val + cpu * stride, val, vs);
	if (rc == 0) {
		union bpf_attr a;
		memset(&a, 0, sizeof(a));
		a.map_fd = (uint32_t)bpfvm_object_map_fd(m);
		a.key = ks ? (uint64_t)(uintptr_t)key : 0;     /* queues and stacks take no key */
		a.value = (uint64_t)(uintptr_t)val;
		if (bpfvm_bpf(c->s->vm, BPF_MAP_UPDATE_ELEM, &a, sizeof(a)) < 0)
			rc = cli_error("--map-init %s: updating the map failed: %s", c->map, cli_errstr(errno));
	}
	free(key);
	free(val);
	return rc;
}

static int map_init(struct objcli *s, const char *spec)
{
	const char *eq = strchr(spec, '=');
	char name[256], err[256], names[512];
	snprintf(name, sizeof(name), "%.*s", (int)(eq - spec), spec);
	struct bpfvm_object_map *m = bpfvm_object_find_map(s->obj, name);
	if (!m) {
		objcli_list_maps(s->obj, names, sizeof(names));
		return cli_error("--map-init: no map '%s' (maps: %s)", name, names);
	}
	struct json *j = json_parse(eq + 1, err, sizeof(err));
	if (!j)
		return cli_error("--map-init %s: bad JSON %s", name, err);
	struct init_ctx c = { s, spec, eq + 1, name };
	int rc = 0;
	if (j->type == JSON_ARRAY)
		for (size_t i = 0; i < j->n && rc == 0; i++)
			rc = init_entry(&c, m, &j->items[i]);
	else
		rc = init_entry(&c, m, j);
	json_free(j);
	return rc;
}

int objcli_load(struct objcli *s, const struct objcli_opts *o)
{
	char *log = malloc(1 << 20);
	if (!log)
		return cli_error("out of memory");
	int rc = bpfvm_object_load(s->obj, log, 1 << 20);
	print_load_log(log);
	free(log);
	if (rc < 0)
		return cli_error("%s: loading failed: %s", o->obj, cli_errstr(-rc));
	for (int i = 0; i < o->nmap_init; i++)
		if (map_init(s, o->map_init[i]))
			return EXIT_FAIL;
	return EXIT_OK;
}
