/* OBJ_GET_INFO_BY_FD: bpf_prog_info, bpf_map_info, bpf_btf_info, filled as
 * the kernel's *_get_info_by_fd: the caller's info_len bounds what is read
 * and written (a longer struct must be zero beyond ours: -E2BIG), arrays
 * are copied up to the caller's count while the count written back is the
 * real one. */
#include "sys/sys.h"
#include "core/prog.h"
#include "core/vm.h"
#include "maps/map.h"
#include "btf/btf.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int info_prologue(const union bpf_attr *attr, void *info, size_t info_size, uint32_t *len)
{
	uint32_t ulen = attr->info.info_len;
	const uint8_t *u = (const uint8_t *)(uintptr_t)attr->info.info;
	/* bpf_check_uarg_tail_zero: no more than a page, and what we do not
	 * know must be zero. */
	if (ulen > 4096)
		return -E2BIG;
	if (!u && ulen)
		return -EFAULT;
	for (uint32_t i = (uint32_t)info_size; i < ulen; i++)
		if (u[i])
			return -E2BIG;
	*len = ulen < info_size ? ulen : (uint32_t)info_size;
	memset(info, 0, info_size);
	if (*len)
		memcpy(info, u, *len);
	return 0;
}

static int info_epilogue(const union bpf_attr *attr, union bpf_attr *uattr, unsigned int size,
			 const void *info, uint32_t len)
{
	if (len)
		memcpy((void *)(uintptr_t)attr->info.info, info, len);
	bpfvm_attr_put_u32(uattr, size, offsetof(union bpf_attr, info.info_len), len);
	return 0;
}

/* The program as the kernel dumps it: map addresses become map ids. */
static void dump_insns(const struct bpfvm_prog *prog, struct bpf_insn *out)
{
	const struct bpfvm_code *c = &prog->code;
	memcpy(out, c->insns, c->len * sizeof(*out));
	for (uint32_t i = 0; i + 1 < c->len; i++) {
		struct bpf_insn *in = &out[i];
		if (in->code != (BPF_LD | BPF_IMM | BPF_DW))
			continue;
		if (in->src_reg == BPF_PSEUDO_MAP_FD || in->src_reg == BPF_PSEUDO_MAP_VALUE) {
			uint64_t addr = (uint32_t)in[0].imm | (uint64_t)(uint32_t)in[1].imm << 32;
			for (uint32_t k = 0; k < prog->used_map_cnt; k++) {
				struct bpfvm_map *m = prog->used_maps[k];
				uint64_t base = in->src_reg == BPF_PSEUDO_MAP_FD ? (uint64_t)(uintptr_t)m
					      : m->ops->direct_value_addr ? (uint64_t)(uintptr_t)m->ops->direct_value_addr(m)
									  : 0;
				if (in->src_reg == BPF_PSEUDO_MAP_FD ? addr == base
								     : (base && addr >= base && addr < base + m->value_size)) {
					in[0].imm = (int32_t)m->id;
					in[1].imm = in->src_reg == BPF_PSEUDO_MAP_FD ? 0 : (int32_t)(addr - base);
					break;
				}
			}
		}
		i++;
	}
}

/* An array of the info: the caller said how many records its buffer holds
 * (*count in); that many at most are copied, and *count becomes how many
 * there are. */
static int copy_records(uint64_t ubuf, uint32_t *count, uint32_t have, const void *src, size_t rec)
{
	uint32_t n = *count < have ? *count : have;
	*count = have;
	if (!n)
		return 0;
	if (!ubuf)
		return -EFAULT;
	memcpy((void *)(uintptr_t)ubuf, src, (size_t)n * rec);
	return 0;
}

static int prog_info(struct bpfvm_prog *prog, const union bpf_attr *attr, union bpf_attr *uattr, unsigned int size)
{
	struct bpf_prog_info info;
	uint32_t len;
	int rc = info_prologue(attr, &info, sizeof(info), &len);
	if (rc < 0)
		return rc;
	info.type = prog->type;
	info.id = prog->id;
	memcpy(info.tag, prog->tag, sizeof(info.tag));
	info.load_time = prog->load_time;
	info.created_by_uid = prog->uid;
	info.gpl_compatible = prog->gpl_compatible;
	memcpy(info.name, prog->name, sizeof(info.name));
	info.run_time_ns = atomic_load(&prog->run_time_ns);
	info.run_cnt = atomic_load(&prog->run_cnt);

	uint32_t ids[BPFVM_MAX_USED_MAPS];
	for (uint32_t i = 0; i < prog->used_map_cnt; i++)
		ids[i] = prog->used_maps[i]->id;
	if ((rc = copy_records(info.map_ids, &info.nr_map_ids, prog->used_map_cnt, ids, sizeof(ids[0]))) < 0)
		return rc;

	uint32_t ulen = info.xlated_prog_len;
	info.xlated_prog_len = prog->code.len * (uint32_t)sizeof(struct bpf_insn);
	if (ulen > info.xlated_prog_len)
		ulen = info.xlated_prog_len;
	if (ulen) {
		if (!info.xlated_prog_insns)
			return -EFAULT;
		struct bpf_insn *dump = malloc(info.xlated_prog_len);
		if (!dump)
			return -ENOMEM;
		dump_insns(prog, dump);
		memcpy((void *)(uintptr_t)info.xlated_prog_insns, dump, ulen);
		free(dump);
	}
	/* Not JIT-compiled: no jited image, symbols or line info. */
	info.jited_prog_len = 0;
	info.nr_jited_ksyms = 0;
	info.nr_jited_func_lens = 0;
	info.nr_jited_line_info = 0;
	info.nr_prog_tags = 0;
	info.btf_id = prog->btf ? ((struct bpfvm_btf *)prog->btf)->id : 0;

	info.func_info_rec_size = sizeof(struct bpf_func_info);
	if ((rc = copy_records(info.func_info, &info.nr_func_info, prog->func_info_cnt, prog->func_info,
			       sizeof(struct bpf_func_info))) < 0)
		return rc;
	info.line_info_rec_size = sizeof(struct bpf_line_info);
	if ((rc = copy_records(info.line_info, &info.nr_line_info, prog->line_info_cnt, prog->line_info,
			       sizeof(struct bpf_line_info))) < 0)
		return rc;
	return info_epilogue(attr, uattr, size, &info, len);
}

static int map_info(struct bpfvm_map *map, const union bpf_attr *attr, union bpf_attr *uattr, unsigned int size)
{
	struct bpf_map_info info;
	uint32_t len;
	int rc = info_prologue(attr, &info, sizeof(info), &len);
	if (rc < 0)
		return rc;
	memset(&info, 0, sizeof(info));
	info.type = map->map_type;
	info.id = map->id;
	info.key_size = map->key_size;
	info.value_size = map->value_size;
	info.max_entries = map->max_entries;
	info.map_flags = map->map_flags;
	memcpy(info.name, map->name, sizeof(info.name));
	info.btf_id = map->btf_id;
	info.btf_key_type_id = map->btf_key_type_id;
	info.btf_value_type_id = map->btf_value_type_id;
	return info_epilogue(attr, uattr, size, &info, len);
}

static int btf_info(struct bpfvm_btf *btf, const union bpf_attr *attr, union bpf_attr *uattr, unsigned int size)
{
	struct bpf_btf_info info;
	uint32_t len;
	int rc = info_prologue(attr, &info, sizeof(info), &len);
	if (rc < 0)
		return rc;
	uint32_t ulen = info.btf_size;
	if (ulen > btf->size)
		ulen = btf->size;
	if (ulen) {
		if (!info.btf)
			return -EFAULT;
		memcpy((void *)(uintptr_t)info.btf, btf->data, ulen);
	}
	info.btf_size = btf->size;
	info.id = btf->id;
	return info_epilogue(attr, uattr, size, &info, len);
}

int bpfvm_cmd_obj_get_info_by_fd(struct bpfvm *vm, union bpf_attr *attr, union bpf_attr *uattr, unsigned int size)
{
	struct bpfvm_file f;
	if (!bpfvm_attr_tail_zero(attr, ATTR_END(info.info)))
		return -EINVAL;
	int rc = bpfvm_fd_get(vm, (int)attr->info.bpf_fd, 0, &f);
	if (rc < 0)
		return -EBADFD;         /* v5.1 answers a bad fd here with EBADFD */
	switch (f.kind) {
	case FILE_PROG: rc = prog_info(f.obj, attr, uattr, size); break;
	case FILE_MAP: rc = map_info(f.obj, attr, uattr, size); break;
	case FILE_BTF: rc = btf_info(f.obj, attr, uattr, size); break;
	default: rc = -EINVAL; break;
	}
	bpfvm_obj_put(f.kind, f.obj);
	return rc;
}
