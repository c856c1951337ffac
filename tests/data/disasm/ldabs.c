/* Legacy packet access: LD_ABS (constant offset) and LD_IND (register
 * offset) of bytes, halves and words, through clang's llvm.bpf.load.*
 * intrinsics (what old samples/bpf called load_byte & co). */
#include "common.h"

unsigned long long load_byte(void *skb, unsigned long long off) asm("llvm.bpf.load.byte");
unsigned long long load_half(void *skb, unsigned long long off) asm("llvm.bpf.load.half");
unsigned long long load_word(void *skb, unsigned long long off) asm("llvm.bpf.load.word");

SEC("socket") int legacy(void *skb)
{
	u64 proto = load_half(skb, 12);
	u64 ihl = load_byte(skb, 14) & 0xf;
	u64 saddr = load_word(skb, 26);
	u64 port = load_half(skb, 14 + ihl * 4);
	u64 b = load_byte(skb, ihl);
	u64 w = load_word(skb, ihl + 2);
	return (int)(proto + saddr + port + b + w);
}
