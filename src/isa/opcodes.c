/* The opcode table, expanded from BPFVM_OPCODES, and lookup by instruction. */
#include "isa/opcodes.h"
#include <bpfvm/uapi.h>

const struct bpfvm_opinfo bpfvm_opinfo[OP__COUNT] = {
#define X(NAME, CODE, DISC, DVAL, ISA, KIND, SYM) \
	[OP_##NAME] = { #NAME, CODE, DISC, ISA, KIND, DVAL, SYM },
	BPFVM_OPCODES(X)
#undef X
};

/* Per opcode byte, the first table entry with that code and how many follow
 * it with the same code. Built once; the table itself is constant, so a
 * race on first use writes identical values (kept simple with a flag). */
static struct { unsigned short first, count; } by_code[256];
static int by_code_ready;

static void build_index(void)
{
	for (int c = 0; c < 256; c++)
		by_code[c].count = 0;
	/* Entries with the same code may be apart in the list; since lookups
	 * scan the whole table for such codes anyway, record only counts and
	 * the first index. */
	for (int i = 0; i < OP__COUNT; i++) {
		unsigned c = bpfvm_opinfo[i].code;
		if (by_code[c].count++ == 0)
			by_code[c].first = (unsigned short)i;
	}
	__atomic_store_n(&by_code_ready, 1, __ATOMIC_RELEASE);
}

int bpfvm_op_lookup(const struct bpf_insn *insn)
{
	if (!__atomic_load_n(&by_code_ready, __ATOMIC_ACQUIRE))
		build_index();
	unsigned c = insn->code;
	unsigned n = by_code[c].count;
	for (int i = by_code[c].first; n && i < OP__COUNT; i++) {
		const struct bpfvm_opinfo *o = &bpfvm_opinfo[i];
		if (o->code != c)
			continue;
		n--;
		if (o->disc == D_NONE ||
		    (o->disc == D_OFF && insn->off == o->dval) ||
		    (o->disc == D_IMM && insn->imm == o->dval))
			return i;
	}
	return -1;
}
