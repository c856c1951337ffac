/* <linux/bpf.h> first, then <bpfvm/uapi.h>: must compile; the system's
 * definitions stay in effect and ours only adds the beyond-v5.1 macros. */
#include <linux/bpf.h>
#include <bpfvm/uapi.h>

#include <string.h>

#include "abi.h"

void abi_both_sys_first(struct abi_both *r)
{
	struct bpf_insn insn = {
		.code = BPF_LDX | BPF_MEMSX | BPF_H, .dst_reg = 1, .src_reg = 2, .off = 4,
	};
	union bpf_attr attr;

	memset(r, 0, sizeof *r);
	memset(&attr, 0, sizeof attr);
	attr.map_type = BPF_MAP_TYPE_ARRAY;
	r->attr_size = sizeof attr;
	r->func_max_id = __BPF_FUNC_MAX_ID;
	r->max_attach = __MAX_BPF_ATTACH_TYPE;
	r->ext[0] = BPF_PSEUDO_MAP_VALUE;
	r->ext[1] = BPF_ATOMIC;
	r->ext[2] = BPF_FETCH;
	r->ext[3] = BPF_XCHG;
	r->ext[4] = BPF_CMPXCHG;
	r->ext[5] = BPF_MEMSX;
	memcpy(r->insn, &insn, sizeof r->insn);
	/* extra: the system's struct __sk_buff, a v5.1 field through it */
	r->extra = offsetof(struct __sk_buff, sk);
}
