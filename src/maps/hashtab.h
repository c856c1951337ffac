/*
 * Internals of the hash map family shared with tests: the hash function.
 *
 * The kernel hashes keys with jhash (Bob Jenkins' lookup3 "hashlittle",
 * public domain) seeded with a random word, or 0 under BPF_F_ZERO_SEED.
 * Using the same function with the same seed puts every key in the same
 * bucket as the kernel does, so with ZERO_SEED the get_next_key order
 * matches the kernel's exactly. (Later kernels use jhash2 for keys whose size
 * is a multiple of 4; on a little-endian machine it gives the same value.)
 */
#ifndef BPFVM_MAPS_HASHTAB_H
#define BPFVM_MAPS_HASHTAB_H
#include <stdint.h>
#include <string.h>

#define BPFVM_JHASH_INIT 0xdeadbeefu

static inline uint32_t bpfvm_rol32(uint32_t v, unsigned s)
{
	return (v << s) | (v >> (32 - s));
}

/* Little-endian 32-bit read at any alignment (a single load on x86). */
static inline uint32_t bpfvm_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* lookup3's reversible mixing of three words, for all but the last block. */
#define BPFVM_JHASH_MIX(a, b, c)                                                                   \
	do {                                                                                       \
		a -= c; a ^= bpfvm_rol32(c, 4); c += b;                                            \
		b -= a; b ^= bpfvm_rol32(a, 6); a += c;                                            \
		c -= b; c ^= bpfvm_rol32(b, 8); b += a;                                            \
		a -= c; a ^= bpfvm_rol32(c, 16); c += b;                                           \
		b -= a; b ^= bpfvm_rol32(a, 19); a += c;                                           \
		c -= b; c ^= bpfvm_rol32(b, 4); b += a;                                            \
	} while (0)

/* lookup3's final avalanche of the last block into c. */
#define BPFVM_JHASH_FINAL(a, b, c)                                                                 \
	do {                                                                                       \
		c ^= b; c -= bpfvm_rol32(b, 14);                                                   \
		a ^= c; a -= bpfvm_rol32(c, 11);                                                   \
		b ^= a; b -= bpfvm_rol32(a, 25);                                                   \
		c ^= b; c -= bpfvm_rol32(b, 16);                                                   \
		a ^= c; a -= bpfvm_rol32(c, 4);                                                    \
		b ^= a; b -= bpfvm_rol32(a, 14);                                                   \
		c ^= b; c -= bpfvm_rol32(b, 24);                                                   \
	} while (0)

/* jhash(key, len, seed): 12-byte blocks mixed into (a, b, c); the last
 * 1..12 bytes, zero-padded, added as three little-endian words and
 * finalised. An empty key hashes to the initial value. */
static inline uint32_t bpfvm_jhash(const void *key, uint32_t len, uint32_t seed)
{
	const uint8_t *k = (const uint8_t *)key;
	uint32_t a, b, c;
	a = b = c = BPFVM_JHASH_INIT + len + seed;
	while (len > 12) {
		a += bpfvm_le32(k);
		b += bpfvm_le32(k + 4);
		c += bpfvm_le32(k + 8);
		BPFVM_JHASH_MIX(a, b, c);
		len -= 12;
		k += 12;
	}
	if (len == 0)
		return c;
	uint8_t tail[12] = {0};
	memcpy(tail, k, len);
	a += bpfvm_le32(tail);
	b += bpfvm_le32(tail + 4);
	c += bpfvm_le32(tail + 8);
	BPFVM_JHASH_FINAL(a, b, c);
	return c;
}

/* The same for 4- and 8-byte keys, without the loop and the tail copy. */
static inline uint32_t bpfvm_jhash_4(const void *key, uint32_t seed)
{
	uint32_t a, b, c;
	a = b = c = BPFVM_JHASH_INIT + 4 + seed;
	a += bpfvm_le32((const uint8_t *)key);
	BPFVM_JHASH_FINAL(a, b, c);
	return c;
}

static inline uint32_t bpfvm_jhash_8(const void *key, uint32_t seed)
{
	uint32_t a, b, c;
	a = b = c = BPFVM_JHASH_INIT + 8 + seed;
	a += bpfvm_le32((const uint8_t *)key);
	b += bpfvm_le32((const uint8_t *)key + 4);
	BPFVM_JHASH_FINAL(a, b, c);
	return c;
}
#endif
