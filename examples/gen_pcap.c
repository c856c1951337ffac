/* Writes the demo's sample capture: a few hundred Ethernet frames of IPv4
 * TCP, UDP and ICMP and of IPv6, from a handful of sources, some of which
 * the firewall example blocks. Deterministic (fixed seed), so the demo's
 * output is the same everywhere. Usage: gen_pcap OUT.pcap [COUNT] */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t rng = 12345;
static uint32_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)(v >> 16)); put16(p + 2, (uint16_t)v); }

static uint16_t csum(const uint8_t *p, size_t n, uint32_t sum)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Sources: 10.0.0.0/8 and 192.168.66.0/24 are on the example's blocklist. */
static const uint32_t sources[] = { 0x0a000001, 0x0a010203, 0xc0a84201, 0xc0a80101, 0x08080808, 0x01010101,
				    0xac100005 };

static size_t ipv4_frame(uint8_t *f)
{
	static const uint8_t proto_pick[] = { 6, 6, 6, 17, 17, 1 };
	uint8_t proto = proto_pick[next() % sizeof(proto_pick)];
	size_t l4 = proto == 6 ? 20 : 8, payload = next() % 64;
	size_t iplen = 20 + l4 + payload;
	memset(f, 0, 14 + iplen);
	memcpy(f, "\x02\x00\x00\x00\x00\x01\x02\x00\x00\x00\x00\x02", 12);
	put16(f + 12, 0x0800);
	uint8_t *ip = f + 14;
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)iplen);
	put16(ip + 4, (uint16_t)next());
	ip[8] = 64;
	ip[9] = proto;
	put32(ip + 12, sources[next() % (sizeof(sources) / sizeof(sources[0]))]);
	put32(ip + 16, 0xc0a80002);
	put16(ip + 10, csum(ip, 20, 0));
	uint8_t *t = ip + 20;
	if (proto == 1) {
		t[0] = 8;
	} else {
		put16(t, (uint16_t)(1024 + next() % 60000));
		static const uint16_t ports[] = { 80, 443, 53, 22, 8080 };
		put16(t + 2, ports[next() % 5]);
		if (proto == 6) {
			t[12] = 5 << 4;
			t[13] = 0x18;
			put16(t + 14, 65535);
		} else {
			put16(t + 4, (uint16_t)(l4 + payload));
		}
	}
	for (size_t i = 0; i < payload; i++)
		t[l4 + i] = (uint8_t)next();
	/* Transport checksum over the pseudo-header. */
	uint32_t ph = 0;
	ph += (uint32_t)ip[12] << 8 | ip[13];
	ph += (uint32_t)ip[14] << 8 | ip[15];
	ph += (uint32_t)ip[16] << 8 | ip[17];
	ph += (uint32_t)ip[18] << 8 | ip[19];
	ph += proto + (uint32_t)(l4 + payload);
	if (proto == 6)
		put16(t + 16, csum(t, l4 + payload, ph));
	else if (proto == 17)
		put16(t + 6, csum(t, l4 + payload, ph));
	else
		put16(t + 2, csum(t, l4 + payload, 0));
	return 14 + iplen;
}

static size_t ipv6_frame(uint8_t *f)
{
	size_t payload = 8 + next() % 32;
	memset(f, 0, 14 + 40 + payload);
	memcpy(f, "\x02\x00\x00\x00\x00\x01\x02\x00\x00\x00\x00\x02", 12);
	put16(f + 12, 0x86dd);
	uint8_t *ip = f + 14;
	ip[0] = 0x60;
	put16(ip + 4, (uint16_t)payload);
	ip[6] = 17;
	ip[7] = 64;
	ip[8] = 0x20;
	ip[9] = 0x01;
	ip[10] = 0x0d;
	ip[11] = 0xb8;
	ip[23] = (uint8_t)(next() % 4);
	ip[24] = 0xfe;
	ip[25] = 0x80;
	ip[39] = 1;
	put16(ip + 40, 5353);
	put16(ip + 42, 5353);
	put16(ip + 44, (uint16_t)payload);
	return 14 + 40 + payload;
}

int main(int argc, char **argv)
{
	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: gen_pcap OUT.pcap [COUNT]\n");
		return 2;
	}
	long count = argc == 3 ? strtol(argv[2], NULL, 10) : 500;
	if (count <= 0 || count > 10000000) {
		fprintf(stderr, "gen_pcap: COUNT must be 1..10000000\n");
		return 2;
	}
	FILE *out = fopen(argv[1], "wb");
	if (!out) {
		perror(argv[1]);
		return 1;
	}
	/* pcap global header: magic, v2.4, UTC, sigfigs, snaplen, Ethernet */
	uint32_t gh[6] = { 0xa1b2c3d4, 0x00040002, 0, 0, 65535, 1 };
	fwrite(gh, sizeof(gh), 1, out);
	uint8_t frame[256];
	for (long i = 0; i < count; i++) {
		size_t n = next() % 8 == 0 ? ipv6_frame(frame) : ipv4_frame(frame);
		uint32_t rh[4] = { 1764000000u + (uint32_t)(i / 1000), (uint32_t)(i % 1000) * 1000, (uint32_t)n,
				   (uint32_t)n };
		fwrite(rh, sizeof(rh), 1, out);
		fwrite(frame, 1, n, out);
	}
	if (fclose(out)) {
		perror(argv[1]);
		return 1;
	}
	return 0;
}
