/* PROG_LOAD's func_info and line_info (the records of .BTF.ext), checked
 * as v5.1's check_btf_func and check_btf_line (kernel/bpf/verifier.c) do:
 * one FUNC per subprogram, in order, and line records in increasing
 * instruction order covering the start of every subprogram. The messages
 * are the verifier's, newlines (and their absence) included. */
#include "btf/btf.h"
#include "btf/btf_verify.h"
#include "core/log.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define MIN_FUNC_INFO_SIZE 8u           /* insn_off, type_id */
#define MAX_INFO_REC_SIZE 252u
#define MIN_LINE_INFO_SIZE 16u          /* up to and with line_col */

/* check_subprogs' list: insn 0 and every BPF_PSEUDO_CALL target, sorted,
 * each once; then insn_cnt as the end of the last one. */
static uint32_t *subprog_starts(const struct bpf_insn *insns, uint32_t n, uint32_t *cnt)
{
	uint32_t *s = malloc(((size_t)n + 1) * sizeof(*s)), k = 0;
	if (!s)
		return NULL;
	uint8_t *is_start = calloc(n ? n : 1, 1);
	if (!is_start) {
		free(s);
		return NULL;
	}
	if (n)
		is_start[0] = 1;
	for (uint32_t i = 0; i < n; i++) {
		if (insns[i].code != (BPF_JMP | BPF_CALL) || insns[i].src_reg != BPF_PSEUDO_CALL)
			continue;
		int64_t target = (int64_t)i + insns[i].imm + 1;
		if (target >= 0 && target < n)   /* validated already; out of range is never a start */
			is_start[target] = 1;
	}
	for (uint32_t i = 0; i < n; i++)
		if (is_start[i])
			s[k++] = i;
	s[k] = n;
	free(is_start);
	*cnt = k;
	return s;
}

/* bpf_check_uarg_tail_zero for one record: the bytes past what the kernel
 * knows must be zero (-E2BIG otherwise). */
static bool tail_zero(const uint8_t *rec, uint32_t known, uint32_t rec_size)
{
	for (uint32_t i = known; i < rec_size; i++)
		if (rec[i])
			return false;
	return true;
}

static int check_func_info(const struct bpfvm_btf *btf, const union bpf_attr *attr, const uint32_t *sub,
			   uint32_t sub_cnt, struct bpfvm_log *log, struct bpfvm_btf_prog_info *out)
{
	uint32_t n = attr->func_info_cnt, rec_size = attr->func_info_rec_size, prev = 0;
	if (!n)
		return 0;
	if (n != sub_cnt) {
		bpfvm_log(log, "number of funcs in func_info doesn't match number of subprogs\n");
		return -EINVAL;
	}
	if (rec_size < MIN_FUNC_INFO_SIZE || rec_size > MAX_INFO_REC_SIZE || rec_size % 4) {
		bpfvm_log(log, "invalid func info rec size %u\n", rec_size);
		return -EINVAL;
	}
	const uint8_t *urec = (const uint8_t *)(uintptr_t)attr->func_info;
	if (!urec)
		return -EFAULT;
	struct bpf_func_info *k = calloc(n, sizeof(*k));
	if (!k)
		return -ENOMEM;
	int rc = -EINVAL;
	for (uint32_t i = 0; i < n; i++, urec += rec_size) {
		if (!tail_zero(urec, sizeof(*k), rec_size)) {
			bpfvm_log(log, "nonzero tailing record in func info");
			/* the kernel tells the loader the size it expects */
			out->fix_off = offsetof(union bpf_attr, func_info_rec_size);
			out->fix_val = sizeof(*k);
			rc = -E2BIG;
			goto fail;
		}
		memcpy(&k[i], urec, sizeof(*k));
		if (i == 0 && k[i].insn_off) {
			bpfvm_log(log, "nonzero insn_off %u for the first func info record", k[i].insn_off);
			goto fail;
		}
		if (i && k[i].insn_off <= prev) {
			bpfvm_log(log, "same or smaller insn offset (%u) than previous func info record (%u)",
				  k[i].insn_off, prev);
			goto fail;
		}
		if (sub[i] != k[i].insn_off) {
			bpfvm_log(log, "func_info BTF section doesn't match subprog layout in BPF program\n");
			goto fail;
		}
		const struct btf_type *t = bpfvm_btf_type_by_id(btf, k[i].type_id);
		if (!t || btf_kind(t) != BTF_KIND_FUNC) {
			bpfvm_log(log, "invalid type id %d in func info", (int)k[i].type_id);
			goto fail;
		}
		prev = k[i].insn_off;
	}
	out->func_info = k;
	out->func_info_cnt = n;
	return 0;
fail:
	free(k);
	return rc;
}

static int check_line_info(const struct bpfvm_btf *btf, const union bpf_attr *attr, const struct bpf_insn *insns,
			   uint32_t insn_cnt, const uint32_t *sub, uint32_t sub_cnt, struct bpfvm_log *log,
			   struct bpfvm_btf_prog_info *out)
{
	uint32_t n = attr->line_info_cnt, rec_size = attr->line_info_rec_size, prev = 0, s = 0;
	if (!n)
		return 0;
	if (rec_size < MIN_LINE_INFO_SIZE || rec_size > MAX_INFO_REC_SIZE || rec_size & 3)
		return -EINVAL;         /* no message in v5.1 */
	const uint8_t *urec = (const uint8_t *)(uintptr_t)attr->line_info;
	if (!urec)
		return -EFAULT;
	struct bpf_line_info *l = calloc(n, sizeof(*l));
	if (!l)
		return -ENOMEM;
	int rc = -EINVAL;
	for (uint32_t i = 0; i < n; i++, urec += rec_size) {
		if (!tail_zero(urec, sizeof(*l), rec_size)) {
			bpfvm_log(log, "nonzero tailing record in line_info");
			out->fix_off = offsetof(union bpf_attr, line_info_rec_size);
			out->fix_val = sizeof(*l);
			rc = -E2BIG;
			goto fail;
		}
		memcpy(&l[i], urec, sizeof(*l));
		/* strictly increasing, inside the program (insn 0 first follows
		 * from the subprogram check below) */
		if ((i && l[i].insn_off <= prev) || l[i].insn_off >= insn_cnt) {
			bpfvm_log(log, "Invalid line_info[%u].insn_off:%u (prev_offset:%u prog->len:%u)\n", i,
				  l[i].insn_off, prev, insn_cnt);
			goto fail;
		}
		/* not on the second half of an LD_IMM64 */
		if (!insns[l[i].insn_off].code) {
			bpfvm_log(log, "Invalid insn code at line_info[%u].insn_off\n", i);
			goto fail;
		}
		if (!bpfvm_btf_name_by_offset(btf, l[i].line_off) ||
		    !bpfvm_btf_name_by_offset(btf, l[i].file_name_off)) {
			bpfvm_log(log, "Invalid line_info[%u].line_off or .file_name_off\n", i);
			goto fail;
		}
		if (s != sub_cnt) {
			if (l[i].insn_off == sub[s]) {
				s++;
			} else if (sub[s] < l[i].insn_off) {
				bpfvm_log(log, "missing bpf_line_info for func#%u\n", s);
				goto fail;
			}
		}
		prev = l[i].insn_off;
	}
	if (s != sub_cnt) {
		bpfvm_log(log, "missing bpf_line_info for %u funcs starting from func#%u\n", sub_cnt - s, s);
		goto fail;
	}
	out->line_info = l;
	out->line_info_cnt = n;
	return 0;
fail:
	free(l);
	return rc;
}

int bpfvm_btf_check_prog_info(const struct bpfvm_btf *btf, const struct bpf_insn *insns, uint32_t insn_cnt,
			      const union bpf_attr *attr, struct bpfvm_log *log, struct bpfvm_btf_prog_info *out)
{
	uint32_t sub_cnt = 0;
	memset(out, 0, sizeof(*out));
	uint32_t *sub = subprog_starts(insns, insn_cnt, &sub_cnt);
	if (!sub)
		return -ENOMEM;
	int rc = check_func_info(btf, attr, sub, sub_cnt, log, out);
	if (!rc)
		rc = check_line_info(btf, attr, insns, insn_cnt, sub, sub_cnt, log, out);
	free(sub);
	if (rc) {
		free(out->func_info);
		free(out->line_info);
		out->func_info = NULL;
		out->line_info = NULL;
		out->func_info_cnt = out->line_info_cnt = 0;
	}
	return rc;
}
