/* Loads and stores of every size: through a pointer argument, on the stack
 * (r10 - N) and with negative and large offsets. */
#include "common.h"

struct pkt {
	u8 b[4];
	u16 h[4];
	u32 w[4];
	u64 d[4];
};

SEC("socket") int loads(struct pkt *p)
{
	u64 s = 0;
	s += p->b[1];
	s += p->h[2];
	s += p->w[3];
	s += p->d[3];
	return (int)s;
}

SEC("socket") int stores(struct pkt *p)
{
	u64 v = p->d[0];
	p->b[3] = (u8)v;
	p->h[1] = (u16)v;
	p->w[2] = (u32)v;
	p->d[1] = v;
	p->b[0] = 5;
	p->h[0] = 0x1234;
	p->w[0] = 0xdeadbeef;
	p->d[2] = 42;
	return 0;
}

static NOINLINE int sum(volatile u8 *buf, int n)
{
	int s = 0;
	for (int i = 0; i < n; i++)
		s += buf[i];
	return s;
}

SEC("socket") int stack(struct pkt *p)
{
	volatile u8 b8[8];
	volatile u16 b16[4];
	volatile u32 b32[4];
	volatile u64 b64[40];
	for (int i = 0; i < 8; i++)
		b8[i] = p->b[i & 3];
	b16[1] = p->h[1];
	b32[2] = p->w[2];
	b64[0] = p->d[0];
	b64[39] = p->d[1];
	return sum(b8, 8) + b16[1] + (int)b32[2] + (int)b64[0] + (int)b64[39];
}

SEC("socket") int offsets(volatile u8 *p)
{
	volatile u8 *q = p + 40000;
	u64 s = *(volatile u64 *)(p - 8) + *(volatile u32 *)(p + 32767) +
		*(volatile u16 *)(p - 32768) + q[0];
	*(volatile u64 *)(p - 16) = s;
	*(volatile u8 *)(p + 1000) = 1;
	return (int)s;
}
