/* Running an object's program: BPF_PROG_TEST_RUN on every packet of a
 * capture (read with libpcap: pcap and pcapng), or once on a file's bytes;
 * a table of verdicts named for the program type, the packet rate, and the
 * packets that pass written to a new capture. */
#include "objcli.h"
#include <errno.h>
/* pcap/bpf.h defines the classic struct bpf_insn, which uapi.h defines
 * for eBPF: leave it out (nothing here needs classic BPF). */
#define PCAP_DONT_INCLUDE_PCAP_BPF_H
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define OUT_SLACK 65536u                /* room for programs that grow packets */

struct row {
	uint32_t retval;
	int err;                        /* a failed run: its errno */
	uint64_t packets, bytes;
};

struct report {
	struct row *rows;
	size_t nrows;
	uint64_t packets, bytes, errors, written, run_ns;
	uint64_t t0, wall_ns;
	struct jw *w;                   /* JSON report, --trace packets go in it */
	int trace;
};

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ---- verdicts ------------------------------------------------------------- */

static const char *table(const char *const *names, size_t n, uint32_t rv)
{
	return rv < n ? names[rv] : NULL;
}

static const char *verdict(uint32_t type, uint32_t rv, char *buf, size_t n)
{
	static const char *const xdp[] = { "XDP_ABORTED", "XDP_DROP", "XDP_PASS", "XDP_TX", "XDP_REDIRECT" };
	static const char *const tc[] = { "TC_ACT_OK", "TC_ACT_RECLASSIFY", "TC_ACT_SHOT", "TC_ACT_PIPE",
					  "TC_ACT_STOLEN", "TC_ACT_QUEUED", "TC_ACT_REPEAT", "TC_ACT_REDIRECT",
					  "TC_ACT_TRAP" };
	static const char *const lwt[] = { "BPF_OK", "BPF_DROP_1", "BPF_DROP", "BPF_REDIRECT_3", "BPF_REDIRECT_4",
					   "BPF_REDIRECT_5", "BPF_REDIRECT_6", "BPF_REDIRECT" };
	const char *name = NULL;
	switch (type) {
	case BPF_PROG_TYPE_XDP:
		name = table(xdp, 5, rv);
		break;
	case BPF_PROG_TYPE_SCHED_CLS: case BPF_PROG_TYPE_SCHED_ACT:
		name = rv == UINT32_MAX ? "TC_ACT_UNSPEC" : table(tc, 9, rv);
		break;
	case BPF_PROG_TYPE_LWT_IN: case BPF_PROG_TYPE_LWT_OUT: case BPF_PROG_TYPE_LWT_XMIT:
		name = rv == 0 ? lwt[0] : rv == 2 ? lwt[2] : rv == 7 ? lwt[7] : NULL;
		break;
	case BPF_PROG_TYPE_CGROUP_SKB:
		name = rv == 1 ? "pass" : rv == 0 ? "drop" : NULL;
		break;
	case BPF_PROG_TYPE_SOCKET_FILTER:
		if (rv == 0)
			name = "drop";
		else if (rv == UINT32_MAX)
			name = "accept all bytes";
		else {
			snprintf(buf, n, "accept %u bytes", rv);
			return buf;
		}
		break;
	}
	if (name)
		return name;
	snprintf(buf, n, "retval %u", rv);
	return buf;
}

/* The packets that go on (--write-pcap), and how many bytes of them. */
static uint32_t passes(uint32_t type, uint32_t rv, uint32_t len)
{
	switch (type) {
	case BPF_PROG_TYPE_XDP:
		return rv == 2 ? len : 0;
	case BPF_PROG_TYPE_SCHED_CLS: case BPF_PROG_TYPE_SCHED_ACT:
	case BPF_PROG_TYPE_LWT_IN: case BPF_PROG_TYPE_LWT_OUT: case BPF_PROG_TYPE_LWT_XMIT:
		return rv == 0 ? len : 0;
	case BPF_PROG_TYPE_CGROUP_SKB:
		return rv == 1 ? len : 0;
	case BPF_PROG_TYPE_SOCKET_FILTER:   /* the filter trims to what it returns */
		return rv < len ? rv : len;
	}
	return 0;
}

static void count(struct report *r, uint32_t rv, int err, uint32_t len)
{
	size_t i;
	for (i = 0; i < r->nrows && (r->rows[i].retval != rv || r->rows[i].err != err); i++)
		;
	if (i == r->nrows) {
		struct row *nr = realloc(r->rows, (r->nrows + 1) * sizeof(*nr));
		if (!nr)
			return;
		r->rows = nr;
		i = r->nrows++;
		r->rows[i] = (struct row){ rv, err, 0, 0 };
	}
	r->rows[i].packets++;
	r->rows[i].bytes += len;
	r->packets++;
	r->bytes += len;
	r->errors += err != 0;
}

static int cmp_row(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	if (x->err != y->err)
		return x->err < y->err ? -1 : 1;
	return x->retval < y->retval ? -1 : x->retval > y->retval;
}

/* ---- one run ------------------------------------------------------------- */

struct one {
	uint32_t retval, out_len, duration;
	int err;
};

static struct one test_run(struct objcli *s, const uint8_t *data, uint32_t len, uint8_t *out, uint32_t outcap,
			   uint32_t repeat)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.test.prog_fd = (uint32_t)bpfvm_program_fd(s->prog);
	a.test.data_in = (uint64_t)(uintptr_t)data;
	a.test.data_size_in = len;
	a.test.data_out = (uint64_t)(uintptr_t)out;
	a.test.data_size_out = outcap;
	a.test.repeat = repeat;
	struct one r = { 0, 0, 0, 0 };
	if (bpfvm_bpf(s->vm, BPF_PROG_TEST_RUN, &a, sizeof(a)) < 0)
		r.err = errno;
	r.retval = a.test.retval;
	r.out_len = a.test.data_size_out < outcap ? a.test.data_size_out : outcap;
	r.duration = a.test.duration;
	return r;
}

/* A run that cannot work for any packet ends the whole run. */
static int fatal_run_error(struct objcli *s, int err)
{
	uint32_t type = bpfvm_program_type(s->prog);
	if (err == 524 || err == EOPNOTSUPP)
		return cli_error("program '%s' (%s): test runs are not supported for this program type",
				 bpfvm_program_name(s->prog), cli_prog_type_name(type));
	return 0;
}

/* ---- --trace ---------------------------------------------------------------- */

static void no_trace(void *user, const char *line, size_t len)
{
	(void)user;
	(void)line;
	(void)len;
}

struct trace_ctx {
	FILE *f;
};

static void trace_sink(void *user, const char *line, size_t len)
{
	struct trace_ctx *t = user;
	while (len && (line[len - 1] == '\n'))
		len--;
	fprintf(t->f, "trace: %.*s\n", (int)len, line);
}

static void trace_packet(struct report *r, struct objcli *s, uint64_t n, uint32_t len, const struct one *o)
{
	char buf[64];
	const char *v = o->err ? cli_errstr(o->err) : verdict(bpfvm_program_type(s->prog), o->retval, buf,
								  sizeof(buf));
	if (r->w) {
		jw_obj(r->w);
		jw_key(r->w, "packet");
		jw_u64(r->w, n);
		jw_key(r->w, "len");
		jw_u64(r->w, len);
		if (o->err) {
			jw_key(r->w, "error");
			jw_str(r->w, v);
		} else {
			jw_key(r->w, "retval");
			jw_u64(r->w, o->retval);
			jw_key(r->w, "verdict");
			jw_str(r->w, v);
			jw_key(r->w, "len_out");
			jw_u64(r->w, o->out_len);
		}
		jw_obj_end(r->w);
	} else if (o->err) {
		printf("packet %llu: error: %s (%u bytes)\n", (unsigned long long)n, v, len);
	} else {
		printf("packet %llu: %s (%u bytes in, %u out)\n", (unsigned long long)n, v, len, o->out_len);
	}
}

/* ---- progress ----------------------------------------------------------------- */

struct progress {
	int on;
	long size;
	uint64_t last;
};

static void progress(struct progress *p, pcap_t *pc, uint64_t packets, uint64_t t0)
{
	uint64_t now = now_ns();
	if (!p->on || now - t0 < 500000000ull || now - p->last < 100000000ull)
		return;
	p->last = now;
	FILE *f = pcap_file(pc);
	long pos = f ? ftell(f) : -1;
	int pct = pos >= 0 && p->size > 0 ? (int)(100.0 * (double)pos / (double)p->size) : 0;
	char bar[31];
	for (int i = 0; i < 30; i++)
		bar[i] = i < pct * 30 / 100 ? '#' : '.';
	bar[30] = 0;
	fprintf(stderr, "\r[%s] %3d%%  %llu packets", bar, pct, (unsigned long long)packets);
	fflush(stderr);
}

/* ---- the report ---------------------------------------------------------------- */

static void report(struct report *r, struct objcli *s, const struct objcli_opts *o, const char *input)
{
	uint32_t type = bpfvm_program_type(s->prog);
	double secs = (double)r->wall_ns / 1e9;
	double pps = secs > 0 ? (double)r->packets / secs : 0;
	uint64_t avg = r->packets - r->errors ? r->run_ns / (r->packets - r->errors) : 0;
	char buf[64];
	if (r->nrows)
		qsort(r->rows, r->nrows, sizeof(*r->rows), cmp_row);
	if (r->w) {
		jw_key(r->w, "input");
		jw_str(r->w, input);
		jw_key(r->w, "packets");
		jw_u64(r->w, r->packets);
		jw_key(r->w, "bytes");
		jw_u64(r->w, r->bytes);
		jw_key(r->w, "errors");
		jw_u64(r->w, r->errors);
		jw_key(r->w, "verdicts");
		jw_arr(r->w);
		for (size_t i = 0; i < r->nrows; i++) {
			const struct row *x = &r->rows[i];
			jw_obj(r->w);
			if (x->err) {
				jw_key(r->w, "error");
				jw_str(r->w, cli_errstr(x->err));
			} else {
				jw_key(r->w, "retval");
				jw_u64(r->w, x->retval);
				jw_key(r->w, "verdict");
				jw_str(r->w, verdict(type, x->retval, buf, sizeof(buf)));
			}
			jw_key(r->w, "packets");
			jw_u64(r->w, x->packets);
			jw_key(r->w, "bytes");
			jw_u64(r->w, x->bytes);
			jw_obj_end(r->w);
		}
		jw_arr_end(r->w);
		jw_key(r->w, "packets_per_second");
		jw_double(r->w, pps);
		jw_key(r->w, "run_ns");
		jw_u64(r->w, avg);
		if (o->pcap_out) {
			jw_key(r->w, "written");
			jw_u64(r->w, r->written);
		}
		return;
	}
	printf("%s (%s) on %s: %llu packets, %llu bytes\n", bpfvm_program_name(s->prog), cli_prog_type_name(type),
	       input, (unsigned long long)r->packets, (unsigned long long)r->bytes);
	printf("%-24s %10s %12s\n", "verdict", "packets", "bytes");
	for (size_t i = 0; i < r->nrows; i++) {
		const struct row *x = &r->rows[i];
		char label[96];
		if (x->err)
			snprintf(label, sizeof(label), "error: %s", cli_errstr(x->err));
		else
			snprintf(label, sizeof(label), "%s", verdict(type, x->retval, buf, sizeof(buf)));
		printf("%-24s %10llu %12llu\n", label, (unsigned long long)x->packets, (unsigned long long)x->bytes);
	}
	printf("rate: %.0f packets/s, %llu ns per run (average)\n", pps, (unsigned long long)avg);
	if (o->pcap_out)
		printf("wrote %llu packets to %s\n", (unsigned long long)r->written, o->pcap_out);
}

/* ---- inputs ------------------------------------------------------------------- */

static int write_packet(pcap_dumper_t *d, const struct pcap_pkthdr *h, const uint8_t *out, uint32_t n)
{
	struct pcap_pkthdr nh = *h;
	nh.caplen = n;
	/* A packet captured whole stays whole; a truncated one keeps its
	 * original length, moved by what the program changed. */
	nh.len = h->caplen == h->len ? n : (uint32_t)((int64_t)h->len + n - h->caplen);
	pcap_dump((u_char *)d, &nh, out);
	return 0;
}

static int run_pcap(struct objcli *s, const struct objcli_opts *o, struct report *r)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	pcap_t *pc = pcap_open_offline(o->pcap_in, errbuf);
	if (!pc)       /* libpcap's message names the file when it is about the file */
		return strstr(errbuf, o->pcap_in) ? cli_error("%s", errbuf) : cli_error("%s: %s", o->pcap_in, errbuf);
	pcap_t *dead = NULL;
	pcap_dumper_t *dump = NULL;
	uint8_t *out = NULL;
	int rc = EXIT_OK;
	if (o->pcap_out) {
		dead = pcap_open_dead(pcap_datalink(pc), 262144);
		dump = dead ? pcap_dump_open(dead, o->pcap_out) : NULL;
		if (!dump) {
			rc = cli_error("%s: %s", o->pcap_out, dead ? pcap_geterr(dead) : "out of memory");
			goto out;
		}
	}
	struct progress pg = { isatty(2), 0, 0 };
	struct stat st;
	if (pg.on && stat(o->pcap_in, &st) == 0)
		pg.size = (long)st.st_size;
	struct pcap_pkthdr *h;
	const u_char *data;
	int nx;
	size_t outcap = 0;
	while ((nx = pcap_next_ex(pc, &h, &data)) == 1) {
		if (h->caplen + (size_t)OUT_SLACK > outcap) {
			uint8_t *no = realloc(out, h->caplen + (size_t)OUT_SLACK);
			if (!no) {
				rc = cli_error("out of memory");
				goto out;
			}
			out = no;
			outcap = h->caplen + (size_t)OUT_SLACK;
		}
		struct one one = test_run(s, data, h->caplen, out, (uint32_t)outcap, (uint32_t)o->repeat);
		if (one.err && r->packets == 0 && fatal_run_error(s, one.err)) {
			rc = EXIT_FAIL;
			goto out;
		}
		/* A socket filter that keeps the whole packet it saw (from the
		 * network header: skb->len is the frame less its Ethernet header)
		 * counts as "accept all bytes" whatever length it returned; a
		 * shorter one by length. */
		uint32_t rv = one.retval;
		if (bpfvm_program_type(s->prog) == BPF_PROG_TYPE_SOCKET_FILTER && h->caplen >= 14 &&
		    rv >= h->caplen - 14)
			rv = UINT32_MAX;
		count(r, rv, one.err, h->caplen);
		r->run_ns += one.err ? 0 : one.duration;
		if (o->trace)
			trace_packet(r, s, r->packets, h->caplen, &one);
		uint32_t keep = one.err ? 0 : passes(bpfvm_program_type(s->prog), one.retval, one.out_len);
		if (dump && keep) {
			write_packet(dump, h, out, keep);
			r->written++;
		}
		progress(&pg, pc, r->packets, r->t0);
	}
	if (pg.on && pg.last)
		fputs("\r\033[K", stderr);
	if (nx == -1)
		rc = cli_error("%s: %s", o->pcap_in, pcap_geterr(pc));
	if (dump && pcap_dump_flush(dump) < 0)
		rc = cli_error("%s: write error", o->pcap_out);
out:
	if (dump)
		pcap_dump_close(dump);
	if (dead)
		pcap_close(dead);
	pcap_close(pc);
	free(out);
	return rc;
}

static int run_data(struct objcli *s, const struct objcli_opts *o, struct report *r)
{
	size_t len;
	uint8_t *data = cli_read_file(o->data_in, &len);
	if (!data)
		return cli_error("%s: %s", o->data_in, strerror(errno));
	int rc = EXIT_OK;
	uint8_t *out = NULL;
	if (len > UINT32_MAX - OUT_SLACK || !(out = malloc(len + OUT_SLACK))) {
		free(data);
		return cli_error("%s: too large", o->data_in);
	}
	struct one one = test_run(s, data, (uint32_t)len, out, (uint32_t)(len + OUT_SLACK), (uint32_t)o->repeat);
	char buf[64];
	if (one.err) {
		rc = fatal_run_error(s, one.err);
		if (!rc)
			rc = cli_error("program '%s': BPF_PROG_TEST_RUN failed on %s: %s", bpfvm_program_name(s->prog),
				       o->data_in, cli_errstr(one.err));
	} else if (o->data_out && cli_write_file(o->data_out, out, one.out_len) < 0) {
		rc = cli_error("%s: %s", o->data_out, strerror(errno));
	} else if (r->w) {
		jw_key(r->w, "input");
		jw_str(r->w, o->data_in);
		jw_key(r->w, "retval");
		jw_u64(r->w, one.retval);
		jw_key(r->w, "verdict");
		jw_str(r->w, verdict(bpfvm_program_type(s->prog), one.retval, buf, sizeof(buf)));
		jw_key(r->w, "data_size_out");
		jw_u64(r->w, one.out_len);
		jw_key(r->w, "duration_ns");
		jw_u64(r->w, one.duration);
	} else if (!o->quiet) {
		printf("Return value: %u (%s), %u bytes out, duration (average): %uns\n", one.retval,
		       verdict(bpfvm_program_type(s->prog), one.retval, buf, sizeof(buf)), one.out_len, one.duration);
	}
	free(data);
	free(out);
	return rc;
}

int objcli_run(struct objcli *s, const struct objcli_opts *o, struct jw *w, uint64_t *runs)
{
	struct report r = { .w = o->quiet ? NULL : w, .trace = o->trace };
	struct trace_ctx tc = { w ? stderr : stdout };
	if (o->trace)
		bpfvm_set_trace_sink(s->vm, trace_sink, &tc);
	if (r.w) {
		jw_key(r.w, "program");
		jw_str(r.w, bpfvm_program_name(s->prog));
		jw_key(r.w, "type");
		jw_str(r.w, cli_prog_type_name(bpfvm_program_type(s->prog)));
	}
	*runs = 0;
	if (o->data_in) {
		int rc = run_data(s, o, &r);
		*runs = rc == EXIT_OK;
		bpfvm_set_trace_sink(s->vm, no_trace, NULL);
		return rc;
	}
	if (r.w && o->trace) {
		jw_key(r.w, "trace");
		jw_arr(r.w);
	}
	r.t0 = now_ns();
	int rc = run_pcap(s, o, &r);
	r.wall_ns = now_ns() - r.t0;
	if (r.w && o->trace)
		jw_arr_end(r.w);
	bpfvm_set_trace_sink(s->vm, no_trace, NULL);
	if (rc == EXIT_OK && r.errors)
		rc = EXIT_FAIL;
	if (!o->quiet && (r.packets || rc == EXIT_OK || r.w))
		report(&r, s, o, o->pcap_in);
	*runs = r.packets;
	free(r.rows);
	return rc;
}
