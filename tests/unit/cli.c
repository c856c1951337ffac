/* The bpfvm tool, run as a user runs it: $BUILD/bpfvm (build/bpfvm by
 * default) over objects compiled from tests/data/obj/ and captures written
 * here (pcap and pcapng), checking output lines and exit codes — of
 * successes and of errors: bad files, missing programs and maps, malformed
 * captures, bad JSON. Without clang the test is skipped. */
#include "test.h"
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char dir[64], bin[256], inc[512];
static char *out, *err;                 /* of the last command */

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	size_t n = 0, cap = 4096;
	char *b = malloc(cap + 1);
	if (!f) {
		b[0] = 0;
		if (len)
			*len = 0;
		return b;
	}
	size_t k;
	while ((k = fread(b + n, 1, cap - n, f)) > 0) {
		n += k;
		if (n == cap)
			b = realloc(b, (cap *= 2) + 1);
	}
	fclose(f);
	b[n] = 0;
	if (len)
		*len = n;
	return b;
}

/* Runs `bpfvm ARGS` (ARGS as a shell would split them); returns the exit
 * status, with stdout and stderr in out and err. */
static int bpfvm(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int bpfvm(const char *fmt, ...)
{
	char args[2048], cmd[4096], errpath[128];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	snprintf(errpath, sizeof(errpath), "%s/stderr", dir);
	snprintf(cmd, sizeof(cmd), "%s %s 2>%s", bin, args, errpath);
	free(out);
	free(err);
	FILE *p = popen(cmd, "r");
	size_t n = 0, cap = 4096, k;
	out = malloc(cap + 1);
	while (p && (k = fread(out + n, 1, cap - n, p)) > 0) {
		n += k;
		if (n == cap)
			out = realloc(out, (cap *= 2) + 1);
	}
	out[n] = 0;
	int st = p ? pclose(p) : -1;
	err = slurp(errpath, NULL);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

/* A line of text equal to line. */
static int has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	for (const char *p = text; p && *p;) {
		if (!strncmp(p, line, n) && (p[n] == '\n' || p[n] == 0))
			return 1;
		p = strchr(p, '\n');
		p = p ? p + 1 : NULL;
	}
	return 0;
}

#define CHECK_LINE(text, line) do { test_checks++; if (!has_line(text, line)) { test_failures++; \
	fprintf(stderr, "%s:%d: line \"%s\" not in:\n%s\n", __FILE__, __LINE__, line, text); } } while (0)
#define CHECK_PREFIX(text, prefix) do { test_checks++; const char *_p = (prefix); \
	if (strncmp(text, _p, strlen(_p))) { test_failures++; fprintf(stderr, "%s:%d: \"%s\" does not begin:\n%s\n", \
	__FILE__, __LINE__, _p, text); } } while (0)
#define CHECK_RC(call, want) do { int _rc = (call); test_checks++; if (_rc != (want)) { test_failures++; \
	fprintf(stderr, "%s:%d: exit %d, want %d\nstdout:\n%s\nstderr:\n%s\n", __FILE__, __LINE__, _rc, \
	(want), out, err); } } while (0)

/* ---- inputs ------------------------------------------------------------------ */

static void build(const char *name)
{
	char cmd[1024];
	snprintf(cmd, sizeof(cmd), "clang -O2 -g -target bpf %s -c tests/data/obj/%s.bpf.c -o %s/%s.o", inc, name, dir,
		 name);
	if (system(cmd) != 0) {
		fprintf(stderr, "failed: %s\n", cmd);
		exit(1);
	}
}

struct pkt {
	uint8_t b[128];
	uint32_t len;
};

/* TCP (60 bytes), UDP to port 53 (80), ARP (42), TCP (100), IPv4 cut after
 * 6 bytes of its header (20); and a runt (3) that is no Ethernet frame. */
static size_t packets(struct pkt *p)
{
	static const struct { int proto; uint32_t len; } spec[] = {
		{ 6, 60 }, { 17, 80 }, { 0, 42 }, { 6, 100 }, { 6, 20 }, { -1, 3 }
	};
	for (size_t i = 0; i < 6; i++) {
		memset(&p[i], 0, sizeof(p[i]));
		p[i].len = spec[i].len;
		if (spec[i].proto < 0) {
			memcpy(p[i].b, "\x01\x02\x03", 3);
			continue;
		}
		memset(p[i].b, 0xff, 6);
		memcpy(p[i].b + 6, "\x11\x22\x33\x44\x55\x66", 6);
		if (spec[i].proto == 0) {
			memcpy(p[i].b + 12, "\x08\x06", 2);
			continue;
		}
		memcpy(p[i].b + 12, "\x08\x00\x45", 3);
		p[i].b[23] = (uint8_t)spec[i].proto;
		p[i].b[37] = 53;
	}
	return 6;
}

static void put32(FILE *f, uint32_t v)
{
	fwrite(&v, 4, 1, f);
}

static void write_pcap(const char *name, size_t first, size_t npkts, int truncate_last)
{
	char path[256];
	struct pkt p[6];
	packets(p);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	put32(f, 0xa1b2c3d4);
	put32(f, 2 | 4u << 16);         /* version 2.4 */
	put32(f, 0);
	put32(f, 0);
	put32(f, 65535);
	put32(f, 1);                    /* Ethernet */
	for (size_t i = first; i < first + npkts; i++) {
		put32(f, 1000 + (uint32_t)i);
		put32(f, 0);
		put32(f, p[i].len);
		put32(f, p[i].len);
		fwrite(p[i].b, 1, truncate_last && i + 1 == first + npkts ? p[i].len / 2 : p[i].len, f);
	}
	fclose(f);
}

static void write_pcapng(const char *name)
{
	char path[256];
	struct pkt p[6];
	packets(p);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	put32(f, 0x0a0d0d0a);           /* section header block */
	put32(f, 28);
	put32(f, 0x1a2b3c4d);
	put32(f, 1);                    /* version 1.0 */
	put32(f, 0xffffffff);           /* section length unknown */
	put32(f, 0xffffffff);
	put32(f, 28);
	put32(f, 1);                    /* interface description block */
	put32(f, 20);
	put32(f, 1);                    /* Ethernet, reserved */
	put32(f, 65535);
	put32(f, 20);
	for (size_t i = 0; i < 5; i++) {
		uint32_t padded = (p[i].len + 3) & ~3u, total = 32 + padded;
		put32(f, 6);            /* enhanced packet block */
		put32(f, total);
		put32(f, 0);
		put32(f, 0);
		put32(f, 1000 + (uint32_t)i);
		put32(f, p[i].len);
		put32(f, p[i].len);
		fwrite(p[i].b, 1, padded, f);
		put32(f, total);
	}
	fclose(f);
}

static void write_file(const char *name, const void *data, size_t len)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	fwrite(data, 1, len, f);
	fclose(f);
}

/* ---- the tests ------------------------------------------------------------------- */

static void test_usage(void)
{
	CHECK_RC(bpfvm("--help"), 0);
	CHECK_CONTAINS(out, "  run ");
	CHECK_CONTAINS(out, "  verify ");
	CHECK_CONTAINS(out, "  disasm ");
	CHECK_CONTAINS(out, "  map ");
	static const char *const cmds[] = { "run", "verify", "disasm", "map" };
	for (int i = 0; i < 4; i++) {
		CHECK_RC(bpfvm("%s --help", cmds[i]), 0);
		CHECK_CONTAINS(out, "usage: bpfvm ");
		CHECK_CONTAINS(out, "Exit status:");
	}
	CHECK_RC(bpfvm("nope"), 2);
	CHECK_LINE(err, "bpfvm: unknown command 'nope'");
	CHECK_RC(bpfvm("run"), 2);
	CHECK_LINE(err, "bpfvm run: nothing to run: give an object file (OBJ) or --raw PROG.bin (see 'bpfvm run "
		   "--help')");
	CHECK_RC(bpfvm("run %s/pkt.o --bogus", dir), 2);
	CHECK_LINE(err, "bpfvm run: unknown option '--bogus' (see 'bpfvm run --help')");
	CHECK_RC(bpfvm("run %s/pkt.o --prog xdp_filter --write-pcap x.pcap", dir), 2);
	CHECK_LINE(err, "bpfvm run: --write-pcap needs --pcap (see 'bpfvm run --help')");
	CHECK_RC(bpfvm("run %s/pkt.o --repeat 0", dir), 2);
	CHECK_RC(bpfvm("verify"), 2);
	CHECK_RC(bpfvm("disasm %s/pkt.o --log-level 1", dir), 2);
	CHECK_RC(bpfvm("map"), 2);
	CHECK_RC(bpfvm("map show %s/pkt.o", dir), 2);
	CHECK_LINE(err, "bpfvm map: unknown subcommand 'show' (only: dump) (see 'bpfvm map --help')");
	CHECK_RC(bpfvm("map dump %s/pkt.o", dir), 2);
	CHECK_LINE(err, "bpfvm map dump: give the map to dump with --map NAME (see 'bpfvm map dump --help')");
}

static void test_raw_still_works(void)
{
	static const uint8_t prog[16] = { 0xb7, 0, 0, 0, 7, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0 };
	write_file("seven.bin", prog, sizeof(prog));
	CHECK_RC(bpfvm("run --raw %s/seven.bin", dir), 0);
	CHECK_PREFIX(out, "Return value: 7, duration (average): ");
	CHECK_RC(bpfvm("run --raw %s/seven.bin --json", dir), 0);
	CHECK_PREFIX(out, "{\"retval\":7,\"duration_ns\":");
}

static const char *const counters_after[] = {
	"map counters: array  key 4B  value 8B  max_entries 4  flags 0x0",
	"key: 00 00 00 00  value: 02 00 00 00 00 00 00 00",
	"key: 01 00 00 00  value: 01 00 00 00 00 00 00 00",
	"key: 02 00 00 00  value: 01 00 00 00 00 00 00 00",
	"key: 03 00 00 00  value: 01 00 00 00 00 00 00 00",
	"Found 4 elements",
};

static void check_xdp_table(const char *input)
{
	char l[512];
	snprintf(l, sizeof(l), "xdp_filter (xdp) on %s/%s: 5 packets, 302 bytes", dir, input);
	CHECK_LINE(out, l);
	CHECK_LINE(out, "verdict                     packets        bytes");
	CHECK_LINE(out, "XDP_ABORTED                       1           20");
	CHECK_LINE(out, "XDP_DROP                          1           80");
	CHECK_LINE(out, "XDP_PASS                          2          160");
	CHECK_LINE(out, "XDP_TX                            1           42");
	CHECK_CONTAINS(out, "\nrate: ");
	for (size_t i = 0; i < sizeof(counters_after) / sizeof(counters_after[0]); i++)
		CHECK_LINE(out, counters_after[i]);
	CHECK_LINE(out, "map last_udp: array  key 4B  value 4B  max_entries 1  flags 0x0");
	CHECK_LINE(out, "key: 00 00 00 00  value: 35 00 00 00");
}

static void test_run_pcap(void)
{
	CHECK_RC(bpfvm("run %s/pkt.o --prog xdp_filter --pcap %s/in.pcap --write-pcap %s/out.pcap", dir, dir, dir), 0);
	check_xdp_table("in.pcap");
	char l[512];
	snprintf(l, sizeof(l), "wrote 2 packets to %s/out.pcap", dir);
	CHECK_LINE(out, l);
	/* The packets that passed, marked by the program (first byte 0x02). */
	char path[256];
	size_t len;
	snprintf(path, sizeof(path), "%s/out.pcap", dir);
	uint8_t *w = (uint8_t *)slurp(path, &len);
	CHECK_EQ(len, 24 + 16 + 60 + 16 + 100);
	if (len == 24 + 16 + 60 + 16 + 100) {
		uint32_t magic, link, caplen;
		memcpy(&magic, w, 4);
		memcpy(&link, w + 20, 4);
		memcpy(&caplen, w + 24 + 8, 4);
		CHECK_EQ(magic, 0xa1b2c3d4);
		CHECK_EQ(link, 1);
		CHECK_EQ(caplen, 60);
		CHECK_EQ(w[24 + 16], 0x02);
		CHECK_EQ(w[24 + 16 + 60 + 16], 0x02);
		CHECK_EQ(w[24 + 16 + 1], 0xff);
	}
	free(w);

	/* pcapng reads the same. */
	CHECK_RC(bpfvm("run %s/pkt.o --prog xdp_filter --pcap %s/in.pcapng", dir, dir), 0);
	check_xdp_table("in.pcapng");

	/* --trace: printk output and each packet's verdict, in order. */
	CHECK_RC(bpfvm("run %s/pkt.o --prog xdp_filter --pcap %s/in.pcap --trace", dir, dir), 0);
	CHECK_CONTAINS(out, "packet 1: XDP_PASS (60 bytes in, 60 out)\n"
			    "trace: udp dropped, 80 bytes\n"
			    "packet 2: XDP_DROP (80 bytes in, 80 out)\n"
			    "packet 3: XDP_TX (42 bytes in, 42 out)\n"
			    "packet 4: XDP_PASS (100 bytes in, 100 out)\n"
			    "packet 5: XDP_ABORTED (20 bytes in, 20 out)\n");
	/* Without it, no printk output anywhere. */
	CHECK_RC(bpfvm("run %s/pkt.o --prog xdp_filter --pcap %s/in.pcap", dir, dir), 0);
	CHECK(!strstr(out, "udp dropped") && !strstr(err, "udp dropped"));

	/* tc verdicts */
	CHECK_RC(bpfvm("run %s/pkt.o --prog tc_filter --pcap %s/in.pcap", dir, dir), 0);
	CHECK_LINE(out, "TC_ACT_OK                         4          222");
	CHECK_LINE(out, "TC_ACT_SHOT                       1           80");
	/* A frame shorter than an Ethernet header cannot be run (EINVAL, as
	 * the kernel's bpf_test_init): an error row, and exit 1. */
	CHECK_RC(bpfvm("run %s/pkt.o --prog tc_filter --pcap %s/runt.pcap --trace", dir, dir), 1);
	CHECK_LINE(out, "TC_ACT_SHOT                       1           80");
	CHECK_LINE(out, "error: Invalid argument           1            3");
	CHECK_LINE(out, "packet 5: error: Invalid argument (3 bytes)");
	/* Socket filters: drop, or accept so many bytes. */
	CHECK_RC(bpfvm("run %s/pkt.o --prog sock_filter --pcap %s/in4.pcap --write-pcap %s/sock.pcap", dir, dir, dir),
		 0);
	CHECK_LINE(out, "drop                              2          102");
	CHECK_LINE(out, "accept 60 bytes                   2          180");
	snprintf(path, sizeof(path), "%s/sock.pcap", dir);
	free(slurp(path, &len));
	CHECK_EQ(len, 24 + 2 * (16 + 60));     /* trimmed to what the filter accepted */

	/* JSON */
	CHECK_RC(bpfvm("run %s/pkt.o --prog xdp_filter --pcap %s/in.pcap --json", dir, dir), 0);
	snprintf(l, sizeof(l), "{\"program\":\"xdp_filter\",\"type\":\"xdp\",\"input\":\"%s/in.pcap\",\"packets\":5,"
		 "\"bytes\":302,\"errors\":0,\"verdicts\":[{\"retval\":0,\"verdict\":\"XDP_ABORTED\",\"packets\":1,"
		 "\"bytes\":20},{\"retval\":1,\"verdict\":\"XDP_DROP\",\"packets\":1,\"bytes\":80},{\"retval\":2,"
		 "\"verdict\":\"XDP_PASS\",\"packets\":2,\"bytes\":160},{\"retval\":3,\"verdict\":\"XDP_TX\","
		 "\"packets\":1,\"bytes\":42}],\"packets_per_second\":", dir);
	CHECK_PREFIX(out, l);
	CHECK_CONTAINS(out, "{\"name\":\"counters\",\"type\":\"array\",\"key_size\":4,\"value_size\":8,"
			    "\"max_entries\":4,\"entries\":[{\"key\":[\"0x00\",\"0x00\",\"0x00\",\"0x00\"],\"value\":"
			    "[\"0x02\",\"0x00\",\"0x00\",\"0x00\",\"0x00\",\"0x00\",\"0x00\",\"0x00\"]},");
	CHECK_EQ(strchr(out, '\n') - out + 1, (long)strlen(out));     /* one line */
}

static void test_run_data(void)
{
	struct pkt p[6];
	packets(p);
	write_file("tcp.bin", p[0].b, p[0].len);
	CHECK_RC(bpfvm("run %s/pkt.o --prog xdp_filter --data-in %s/tcp.bin --data-out %s/tcp.out", dir, dir, dir), 0);
	CHECK_PREFIX(out, "Return value: 2 (XDP_PASS), 60 bytes out, duration (average): ");
	CHECK_LINE(out, "key: 00 00 00 00  value: 01 00 00 00 00 00 00 00");
	char path[256];
	size_t len;
	snprintf(path, sizeof(path), "%s/tcp.out", dir);
	char *o = slurp(path, &len);
	CHECK_EQ(len, 60);
	CHECK_EQ((uint8_t)o[0], 0x02);
	CHECK(!memcmp(o + 1, p[0].b + 1, 59));
	free(o);
	write_file("udp.bin", p[1].b, p[1].len);
	CHECK_RC(bpfvm("run %s/pkt.o --prog xdp_filter --data-in %s/udp.bin --trace --json", dir, dir), 0);
	CHECK_PREFIX(out, "{\"program\":\"xdp_filter\",\"type\":\"xdp\",");
	CHECK_CONTAINS(out, "\"retval\":1,\"verdict\":\"XDP_DROP\",\"data_size_out\":80,");
	CHECK_LINE(err, "trace: udp dropped, 80 bytes");    /* stdout is JSON only */
	CHECK_RC(bpfvm("run %s/pkt.o --prog xdp_filter --data-in %s/nothere.bin", dir, dir), 1);
	char l[512];
	snprintf(l, sizeof(l), "bpfvm: %s/nothere.bin: No such file or directory", dir);
	CHECK_LINE(err, l);
}

static void test_map_init_and_dump(void)
{
	CHECK_RC(bpfvm("map dump %s/pkt.o --map counters --map-init 'counters=[{\"key\":1,\"value\":7},"
		       "{\"key\":[2,0,0,0],\"value\":[\"0x05\",0,0,0,0,0,0,1]}]' --map-init 'counters={\"key\":3,"
		       "\"value\":-1}'", dir), 0);
	CHECK_STR(out, "key: 00 00 00 00  value: 00 00 00 00 00 00 00 00\n"
		       "key: 01 00 00 00  value: 07 00 00 00 00 00 00 00\n"
		       "key: 02 00 00 00  value: 05 00 00 00 00 00 00 01\n"
		       "key: 03 00 00 00  value: ff ff ff ff ff ff ff ff\n"
		       "Found 4 elements\n");
	/* After a run over a capture, as JSON. */
	CHECK_RC(bpfvm("map dump %s/pkt.o --map last_udp --prog xdp_filter --pcap %s/in.pcap --json", dir, dir), 0);
	CHECK_STR(out, "[{\"key\":[\"0x00\",\"0x00\",\"0x00\",\"0x00\"],\"value\":[\"0x35\",\"0x00\",\"0x00\","
		       "\"0x00\"]}]\n");
	CHECK_RC(bpfvm("map dump %s/pkt.o --map counters --prog xdp_filter --pcap %s/in.pcap", dir, dir), 0);
	for (size_t i = 1; i < sizeof(counters_after) / sizeof(counters_after[0]); i++)
		CHECK_LINE(out, counters_after[i]);
	CHECK(!strstr(out, "XDP_PASS"));              /* no run report */
	CHECK_RC(bpfvm("map dump %s/pkt.o --map last_udp --prog xdp_filter --data-in %s/udp.bin", dir, dir), 0);
	CHECK_STR(out, "key: 00 00 00 00  value: 35 00 00 00\nFound 1 element\n");

	CHECK_RC(bpfvm("map dump %s/pkt.o --map nope", dir), 1);
	CHECK_CONTAINS(err, "bpfvm: ");
	CHECK_CONTAINS(err, "/pkt.o: no map 'nope' (maps: last_udp, counters");
	CHECK_RC(bpfvm("map dump %s/pkt.o --map counters --map-init 'counters={\"key\":1,\"value\":7'", dir), 2);
	CHECK_LINE(err, "bpfvm map dump: --map-init counters: bad JSON at offset 18 (line 1, column 19): expected "
		   "',' or '}', found the end of the text (see 'bpfvm map dump --help')");
	CHECK_RC(bpfvm("map dump %s/pkt.o --map counters --map-init 'counters=[{\"key\":1 \"value\":7}]'", dir), 2);
	CHECK_CONTAINS(err, "bad JSON at offset 10 (line 1, column 11): expected ',' or '}', found '\"'");
	CHECK_RC(bpfvm("map dump %s/pkt.o --map counters --map-init counters", dir), 2);
	CHECK_CONTAINS(err, "--map-init needs NAME=JSON, not 'counters'");
	CHECK_RC(bpfvm("map dump %s/pkt.o --map counters --map-init 'counters={\"key\":1,\"value\":[1,2,3]}'", dir), 1);
	CHECK_LINE(err, "bpfvm: --map-init counters: value: expected 8 bytes, got 3 (at line 1, column 18)");
	CHECK_RC(bpfvm("map dump %s/pkt.o --map counters --map-init 'counters={\"key\":4294967296,\"value\":1}'", dir), 1);
	CHECK_LINE(err, "bpfvm: --map-init counters: key: the integer does not fit in 4 bytes (at line 1, column 8)");
	CHECK_RC(bpfvm("map dump %s/pkt.o --map counters --map-init 'counters={\"key\":9,\"value\":1}'", dir), 1);
	CHECK_LINE(err, "bpfvm: --map-init counters: updating the map failed: Argument list too long");
	CHECK_RC(bpfvm("map dump %s/pkt.o --map counters --map-init 'nomap={\"key\":1,\"value\":1}'", dir), 1);
	CHECK_CONTAINS(err, "bpfvm: --map-init: no map 'nomap' (maps: last_udp, counters");
	CHECK_RC(bpfvm("map dump %s/pkt.o --map counters --map-init 'counters={\"k\":1}'", dir), 1);
	CHECK_LINE(err, "bpfvm: --map-init counters: expected {\"key\": ..., \"value\": ...} (at line 1, column 1)");
}

static void test_errors(void)
{
	char l[512];
	CHECK_RC(bpfvm("run %s/missing.o", dir), 1);
	snprintf(l, sizeof(l), "bpfvm: %s/missing.o: No such file or directory", dir);
	CHECK_LINE(err, l);
	CHECK_RC(bpfvm("run %s/in.pcap", dir), 1);
	snprintf(l, sizeof(l), "bpfvm: %s/in.pcap: not an ELF file", dir);
	CHECK_PREFIX(err, l);
	CHECK_RC(bpfvm("run %s/pkt.o --prog nope --pcap %s/in.pcap", dir, dir), 1);
	snprintf(l, sizeof(l), "bpfvm: %s/pkt.o: no program 'nope' (programs: xdp_filter, tc_filter, sock_filter)", dir);
	CHECK_LINE(err, l);
	CHECK_RC(bpfvm("run %s/pkt.o --pcap %s/in.pcap", dir, dir), 2);
	snprintf(l, sizeof(l), "bpfvm run: %s/pkt.o has 3 programs (xdp_filter, tc_filter, sock_filter): choose one "
		 "with --prog (see 'bpfvm run --help')", dir);
	CHECK_LINE(err, l);
	/* Malformed captures: libpcap's words, and nothing else printed. */
	write_file("garbage.pcap", "this is not a capture\n", 22);
	CHECK_RC(bpfvm("run %s/pkt.o --prog xdp_filter --pcap %s/garbage.pcap", dir, dir), 1);
	snprintf(l, sizeof(l), "bpfvm: %s/garbage.pcap: unknown file format", dir);
	CHECK_LINE(err, l);
	CHECK_STR(out, "");
	write_file("short.pcap", "\xd4\xc3\xb2\xa1\x02\x00", 6);
	CHECK_RC(bpfvm("run %s/pkt.o --prog xdp_filter --pcap %s/short.pcap", dir, dir), 1);
	snprintf(l, sizeof(l), "bpfvm: %s/short.pcap: truncated dump file; tried to read ", dir);
	CHECK_PREFIX(err, l);
	/* A record cut short: the packets before it are reported. */
	CHECK_RC(bpfvm("run %s/pkt.o --prog xdp_filter --pcap %s/cut.pcap", dir, dir), 1);
	snprintf(l, sizeof(l), "bpfvm: %s/cut.pcap: truncated dump file; tried to read 80 captured bytes, only got 40",
		 dir);
	CHECK_LINE(err, l);
	CHECK_LINE(out, "XDP_PASS                          1           60");
	CHECK_RC(bpfvm("run %s/pkt.o --prog xdp_filter --pcap %s/nothere.pcap", dir, dir), 1);
	CHECK_CONTAINS(err, "nothere.pcap: No such file or directory");
	/* A program type without test runs. */
	CHECK_RC(bpfvm("run %s/sections.o --prog kprobe_prog --pcap %s/in.pcap", dir, dir), 1);
	CHECK_LINE(err, "bpfvm: program 'kprobe_prog' (kprobe): test runs are not supported for this program type");
}

static void test_verify(void)
{
	CHECK_RC(bpfvm("verify %s/pkt.o", dir), 0);
	CHECK_STR(out, "xdp_filter: OK\ntc_filter: OK\nsock_filter: OK\n");
	CHECK_RC(bpfvm("verify %s/bad.o", dir), 1);
	CHECK_LINE(out, "good_prog: OK");
	CHECK_LINE(out, "bad_prog: FAILED (Invalid argument)");
	CHECK_CONTAINS(out, "invalid func unknown#999");
	CHECK_RC(bpfvm("verify %s/bad.o --prog good_prog", dir), 0);
	CHECK_STR(out, "good_prog: OK\n");
	CHECK_RC(bpfvm("verify %s/bad.o --prog bad_prog --json", dir), 1);
	CHECK_PREFIX(out, "[{\"name\":\"bad_prog\",\"section\":\"xdp\",\"type\":\"xdp\",\"ok\":false,\"error\":"
			    "\"Invalid argument\",\"log\":\"");
	CHECK_RC(bpfvm("verify %s/bad.o --prog nope", dir), 1);
	CHECK_RC(bpfvm("verify %s/bad.o --log-level x", dir), 2);
	CHECK_RC(bpfvm("verify %s/pkt.o --log-level 1", dir), 0);
	CHECK_LINE(out, "sock_filter: OK");
}

static void test_disasm(void)
{
	CHECK_RC(bpfvm("disasm %s/calls.o --prog calls_a", dir), 0);
	CHECK_STR(out, "calls_a: section socket, type socket_filter, 17 instructions\n"
		       "<calls_a>:\n"
		       "; return twice(5) + add3(1, 2, 3);   /* 10 + 6 = 16 */  [calls.bpf.c:32]\n"
		       "   0: (b7) r1 = 5\n"
		       "   1: (85) call pc+7 <twice>\n"
		       "   2: (bf) r6 = r0\n"
		       "   3: (b7) r1 = 1\n"
		       "   4: (b7) r2 = 2\n"
		       "   5: (b7) r3 = 3\n"
		       "   6: (85) call pc+6 <add3>\n"
		       "   7: (0f) r0 += r6\n"
		       "   8: (95) exit\n"
		       "<twice>:\n"
		       "; return add3(x, x, 0);  [calls.bpf.c:13]\n"
		       "   9: (bf) r2 = r1\n"
		       "  10: (b7) r3 = 0\n"
		       "  11: (85) call pc+1 <add3>\n"
		       "  12: (95) exit\n"
		       "<add3>:\n"
		       "; static __noinline int add3(int a, int b, int c)  [calls.bpf.c:6]\n"
		       "  13: (bf) r0 = r2\n"
		       "; return a + b + c;  [calls.bpf.c:8]\n"
		       "  14: (0f) r0 += r1\n"
		       "  15: (0f) r0 += r3\n"
		       "  16: (95) exit\n");
	CHECK_RC(bpfvm("disasm %s/pkt.o --prog xdp_filter", dir), 0);
	CHECK_CONTAINS(out, ": (18) r1 = map[counters] ll\n");
	CHECK_CONTAINS(out, ": (85) call bpf_map_lookup_elem#1\n");
	CHECK_CONTAINS(out, ": (85) call bpf_trace_printk#6\n");
	CHECK_RC(bpfvm("disasm %s/global_data.o", dir), 0);
	CHECK_CONTAINS(out, ": (18) r3 = map[global_d.data]+8 ll\n");
	CHECK_CONTAINS(out, "; if (len > threshold) {  [global_data.bpf.c:18]\n");
	CHECK_RC(bpfvm("disasm %s/calls.o --json", dir), 0);
	CHECK_PREFIX(out, "[{\"name\":\"calls_a\",\"section\":\"socket\",\"type\":\"socket_filter\",\"insns\":[{\"insn\":0,"
			    "\"code\":\"0xb7\",\"text\":\"r1 = 5\",\"func\":\"calls_a\",\"line\":{\"file\":");
	CHECK_RC(bpfvm("disasm %s/calls.o --prog nope", dir), 1);
	CHECK_RC(bpfvm("disasm %s/garbage.pcap", dir), 1);
}

static void test_run_no_input(void)
{
	CHECK_RC(bpfvm("run %s/legacy_maps.o", dir), 0);
	CHECK_LINE(out, "program count: xdp, section xdp, 22 instructions");
	CHECK_LINE(out, "map counters: array  key 4B  value 8B  max_entries 4  flags 0x0");
	/* A run's summary leaves out array elements that are all zero... */
	CHECK_LINE(out, "(4 elements all zero, not shown)");
	/* ... and map dump shows every element. */
	CHECK_RC(bpfvm("map dump %s/legacy_maps.o --map counters", dir), 0);
	CHECK_LINE(out, "key: 03 00 00 00  value: 00 00 00 00 00 00 00 00");
}

int main(void)
{
	if (system("clang --version >/dev/null 2>&1") != 0)
		test_skip("clang is not installed (needed to build BPF objects)");
	const char *b = getenv("BUILD");
	snprintf(bin, sizeof(bin), "%s/bpfvm", b && *b ? b : "build");
	if (access(bin, X_OK) != 0) {
		fprintf(stderr, "%s: %s (build it first)\n", bin, strerror(errno));
		return 1;
	}
	strcpy(dir, "/tmp/bpfvm-cli-XXXXXX");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	char arch[128] = "", d[256];
	FILE *p = popen("clang -print-multiarch 2>/dev/null", "r");
	if (p && fgets(arch, sizeof(arch), p))
		arch[strcspn(arch, "\n")] = 0;
	if (p)
		pclose(p);
	struct stat st;
	snprintf(d, sizeof(d), "/usr/include/%s", arch);
	snprintf(inc, sizeof(inc), "-Iinclude%s%s", arch[0] && !stat(d, &st) ? " -I" : "",
		 arch[0] && !stat(d, &st) ? d : "");
	char probe[1024];
	snprintf(probe, sizeof(probe), "clang -O2 -g -target bpf %s -c tests/data/obj/pkt.bpf.c -o %s/probe.o", inc, dir);
	if (system(probe) != 0)
		test_skip("clang cannot build BPF objects here (no <linux/bpf.h>? install linux-libc-dev)");
	static const char *const objs[] = { "pkt", "calls", "bad", "global_data", "legacy_maps", "sections" };
	for (size_t i = 0; i < sizeof(objs) / sizeof(objs[0]); i++)
		build(objs[i]);
	write_pcap("in.pcap", 0, 5, 0);
	write_pcap("in4.pcap", 0, 4, 0);
	write_pcap("cut.pcap", 0, 2, 1);
	write_pcap("runt.pcap", 1, 5, 0);
	write_pcapng("in.pcapng");
	test_usage();
	test_raw_still_works();
	test_run_pcap();
	test_run_data();
	test_map_init_and_dump();
	test_errors();
	test_verify();
	test_disasm();
	test_run_no_input();
	free(out);
	free(err);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return test_done();
}
