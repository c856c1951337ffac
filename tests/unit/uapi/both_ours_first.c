/* <bpfvm/uapi.h> first, then <linux/bpf.h> and <linux/filter.h>: must
 * compile; the later includes are no-ops (ours defines their guards), so the
 * v5.1 definitions of ours are the ones in effect. */
#include <bpfvm/uapi.h>
#include <linux/bpf.h>
#include <linux/bpf_common.h>
#include <linux/filter.h>

#include <string.h>

#include "abi.h"

void abi_both_ours_first(struct abi_both *r)
{
	struct bpf_insn insn = {
		.code = BPF_LDX | BPF_MEMSX | BPF_H, .dst_reg = 1, .src_reg = 2, .off = 4,
	};
	/* classic BPF from <linux/filter.h> on top of our bpf_common part */
	struct sock_filter ret = BPF_STMT(BPF_RET | BPF_K, 0x1234);
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
	/* extra: code and k of the classic instruction */
	r->extra = (uint64_t)ret.code << 32 | ret.k;
}
