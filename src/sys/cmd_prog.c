/* PROG_LOAD and PROG_TEST_RUN, following the kernel's bpf_prog_load of v5.1
 * for the order of checks and their errnos. */
#include "sys/sys.h"
#include "core/log.h"
#include "core/prog.h"
#include "core/vm.h"
#include "btf/btf.h"
#include "isa/opcodes.h"
#include "maps/map.h"
#include "maps/arraymap.h"
#include "progs/progs.h"
#include "progs/net.h"
#include "util/sha1.h"
#include "verifier/verifier.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LICENSE_LEN 128

/* license_is_gpl_compatible */
static int license_gpl(const char *l)
{
	static const char *const ok[] = { "GPL", "GPL v2", "GPL and additional rights", "Dual BSD/GPL",
					  "Dual MIT/GPL", "Dual MPL/GPL" };
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (!strcmp(l, ok[i]))
			return 1;
	return 0;
}

/* The tag: SHA-1 of the instructions with map fds zeroed (bpf_prog_calc_tag). */
static void calc_tag(const struct bpf_insn *in, uint32_t n, uint8_t tag[BPF_TAG_SIZE])
{
	struct bpf_insn *dst = malloc(n * sizeof(*dst));
	uint8_t digest[20];
	if (!dst) {
		memset(tag, 0, BPF_TAG_SIZE);
		return;
	}
	int was_ld_map = 0;
	for (uint32_t i = 0; i < n; i++) {
		dst[i] = in[i];
		if (!was_ld_map && dst[i].code == (BPF_LD | BPF_IMM | BPF_DW) &&
		    (dst[i].src_reg == BPF_PSEUDO_MAP_FD || dst[i].src_reg == BPF_PSEUDO_MAP_VALUE)) {
			was_ld_map = 1;
			dst[i].imm = 0;
		} else if (was_ld_map && dst[i].code == 0 && dst[i].dst_reg == 0 && dst[i].src_reg == 0 &&
			   dst[i].off == 0) {
			was_ld_map = 0;
			dst[i].imm = 0;
		} else {
			was_ld_map = 0;
		}
	}
	bpfvm_sha1(dst, n * sizeof(*dst), digest);
	memcpy(tag, digest, BPF_TAG_SIZE);
	free(dst);
}

/* replace_map_fd_with_map_ptr: LD_IMM64 of a map fd becomes the map's
 * address (or a value's address), and the program holds each map once. */
static int resolve_maps(struct bpfvm *vm, struct bpfvm_prog *prog, struct bpf_insn *insns, uint32_t n,
			struct bpfvm_log *log)
{
	for (uint32_t i = 0; i + 1 < n; i++) {
		struct bpf_insn *in = &insns[i];
		if (in->code != (BPF_LD | BPF_IMM | BPF_DW))
			continue;
		if (in->src_reg == 0) {
			i++;
			continue;
		}
		if (in->src_reg != BPF_PSEUDO_MAP_FD && in->src_reg != BPF_PSEUDO_MAP_VALUE) {
			bpfvm_log(log, "unrecognized bpf_ld_imm64 insn\n");
			return -EINVAL;
		}
		struct bpfvm_map *map;
		int rc = bpfvm_sys_fd_to_map(vm, in->imm, &map);
		if (rc < 0) {
			bpfvm_log(log, "fd %d is not pointing to valid bpf_map\n", in->imm);
			return rc;
		}
		uint64_t addr = (uint64_t)(uintptr_t)map;
		if (in->src_reg == BPF_PSEUDO_MAP_VALUE) {
			uint32_t off = (uint32_t)in[1].imm;
			void *base = map->ops->direct_value_addr ? map->ops->direct_value_addr(map) : NULL;
			if (!base) {
				bpfvm_map_put(map);
				bpfvm_log(log, "map does not support direct value access\n");
				return -EOPNOTSUPP;
			}
			if (off >= map->value_size) {
				bpfvm_log(log, "invalid access to map value pointer, value_size=%u off=%u\n",
					  map->value_size, off);
				bpfvm_map_put(map);
				return -EINVAL;
			}
			addr = (uint64_t)(uintptr_t)base + off;
		} else if (in[1].imm) {
			bpfvm_map_put(map);
			bpfvm_log(log, "unrecognized bpf_ld_imm64 insn\n");
			return -EINVAL;
		}
		in[0].imm = (int32_t)(uint32_t)addr;
		in[1].imm = (int32_t)(uint32_t)(addr >> 32);
		uint32_t k;
		for (k = 0; k < prog->used_map_cnt && prog->used_maps[k] != map; k++)
			;
		if (k < prog->used_map_cnt) {
			bpfvm_map_put(map);     /* already held once */
		} else {
			if (prog->used_map_cnt >= BPFVM_MAX_USED_MAPS) {
				bpfvm_map_put(map);
				bpfvm_log(log, "too many maps\n");
				return -E2BIG;
			}
			prog->used_maps[prog->used_map_cnt++] = map;
		}
		i++;
	}
	return 0;
}

/* GPL-only helpers need a GPL-compatible license (check_helper_call). */
static int check_helpers(struct bpfvm *vm, const struct bpfvm_prog *prog, const struct bpf_insn *insns,
			 uint32_t n, struct bpfvm_log *log)
{
	for (uint32_t i = 0; i < n; i++) {
		if (insns[i].code != (BPF_JMP | BPF_CALL) || insns[i].src_reg == BPF_PSEUDO_CALL)
			continue;
		int32_t id = insns[i].imm;
		if (id < 0 || id >= BPFVM_MAX_HELPERS || !vm->helpers[id].proto.fn) {
			bpfvm_log(log, "invalid func unknown#%d\n", id);
			return -EINVAL;
		}
		if (vm->helpers[id].proto.gpl_only && !prog->gpl_compatible) {
			bpfvm_log(log, "cannot call GPL-restricted function from non-GPL compatible program\n");
			return -EINVAL;
		}
	}
	return 0;
}

static uint64_t boot_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int check_attach_type(const struct bpfvm_prog_type *t, union bpf_attr *attr)
{
	if (!t->attach_types)
		return 0;
	if (attr->expected_attach_type == 0 && t->default_attach_type)
		attr->expected_attach_type = t->default_attach_type;
	for (const uint32_t *a = t->attach_types; *a; a++)
		if (*a == attr->expected_attach_type)
			return 0;
	return -EINVAL;
}

/* ---- BTF step: check_btf_info of v5.1 ------------------------------------
 * func_info and line_info from .BTF.ext, checked against the program's
 * subprograms by src/btf and kept on the prog for OBJ_GET_INFO_BY_FD. The
 * kernel runs it after replacing map fds and before verifying. */
static int load_btf_info(struct bpfvm *vm, const union bpf_attr *attr, union bpf_attr *uattr, unsigned int size,
			 struct bpfvm_log *log, struct bpfvm_prog *prog)
{
	if (!attr->func_info_cnt && !attr->line_info_cnt)
		return 0;
	struct bpfvm_file f;
	int rc = bpfvm_fd_get(vm, (int)attr->prog_btf_fd, FILE_BTF, &f);
	if (rc < 0)
		return rc;
	prog->btf = f.obj;
	struct bpfvm_btf_prog_info pi;
	rc = bpfvm_btf_check_prog_info(prog->btf, prog->code.insns, prog->code.len, attr, log, &pi);
	if (rc == -E2BIG && pi.fix_off)
		bpfvm_attr_put_u32(uattr, size, pi.fix_off, pi.fix_val);
	if (rc < 0)
		return rc;
	prog->func_info = pi.func_info;
	prog->func_info_cnt = pi.func_info_cnt;
	prog->line_info = pi.line_info;
	prog->line_info_cnt = pi.line_info_cnt;
	return 0;
}

static int load(struct bpfvm *vm, union bpf_attr *attr, union bpf_attr *uattr, unsigned int size,
		struct bpfvm_log *log, struct bpfvm_prog *prog)
{
	const struct bpfvm_prog_type *t = bpfvm_prog_type_get(attr->prog_type);
	uint32_t n = attr->insn_cnt;
	/* A device-bound program (bpf_prog_offload_init): XDP or tc only,
	 * no prog_flags, on a device that can offload; none of the vm's can. */
	if (attr->prog_ifindex) {
		if ((attr->prog_type != BPF_PROG_TYPE_SCHED_CLS && attr->prog_type != BPF_PROG_TYPE_XDP) ||
		    attr->prog_flags)
			return -EINVAL;
		return bpfvm_net_dev_exists(vm, attr->prog_ifindex) ? -EOPNOTSUPP : -EINVAL;
	}
	if (!t)
		return -EINVAL;
	prog->type = attr->prog_type;
	prog->expected_attach_type = attr->expected_attach_type;
	prog->prog_flags = attr->prog_flags;
	prog->load_time = boot_ns();
	prog->uid = (uint32_t)getuid();
	if (bpfvm_obj_name_check(attr->prog_name, prog->name) < 0)
		return -EINVAL;
	struct bpf_insn *insns = malloc(n * sizeof(*insns));
	prog->used_maps = calloc(BPFVM_MAX_USED_MAPS, sizeof(*prog->used_maps));
	if (!insns || !prog->used_maps) {
		free(insns);
		return -ENOMEM;
	}
	memcpy(insns, (const void *)(uintptr_t)attr->insns, n * sizeof(*insns));
	calc_tag(insns, n, prog->tag);
	char err[256] = "";
	int rc = bpfvm_code_init(&prog->code, vm, insns, n, BPFVM_ISA_V4, VALIDATE_ALLOW_PSEUDO_MAP, err, sizeof(err));
	if (rc < 0 && rc != -EINVAL) {
		free(insns);
		return rc;
	}
	if (rc == -EINVAL) {
		bpfvm_log(log, "%s\n", err);
		free(insns);
		return rc;
	}
	free(insns);
	if ((rc = check_helpers(vm, prog, prog->code.insns, n, log)) < 0)
		return rc;
	if ((rc = resolve_maps(vm, prog, prog->code.insns, n, log)) < 0)
		return rc;
	/* bpf_check_tail_call: a program may only use prog arrays whose
	 * programs are of its own type (the first program stored fixes it). */
	for (uint32_t i = 0; i < prog->used_map_cnt; i++)
		if (prog->used_maps[i]->map_type == BPF_MAP_TYPE_PROG_ARRAY &&
		    !bpfvm_prog_array_compatible(prog->used_maps[i], prog))
			return -EINVAL;
	prog->code.maps = prog->used_maps;
	prog->code.nmaps = prog->used_map_cnt;
	prog->code.owner = prog;
	if ((rc = load_btf_info(vm, attr, uattr, size, log, prog)) < 0)
		return rc;
	/* bpf_check: the verifier proves the program safe or refuses it, then
	 * rewrites and decodes it to run (unchecked only if prog->verified). */
	return bpfvm_verify(vm, prog, attr, log);
}

int bpfvm_cmd_prog_load(struct bpfvm *vm, union bpf_attr *attr, union bpf_attr *uattr, unsigned int size)
{
	char license[LICENSE_LEN];
	struct bpfvm_log log;
	if (!bpfvm_attr_tail_zero(attr, ATTR_END(line_info_cnt)))
		return -EINVAL;
	if (attr->prog_flags & ~(BPF_F_STRICT_ALIGNMENT | BPF_F_ANY_ALIGNMENT))
		return -EINVAL;
	if (!attr->license)
		return -EFAULT;
	strncpy(license, (const char *)(uintptr_t)attr->license, sizeof(license) - 1);
	license[sizeof(license) - 1] = 0;
	if (attr->insn_cnt == 0 || attr->insn_cnt > BPFVM_MAX_INSNS)
		return -E2BIG;
	const struct bpfvm_prog_type *t = bpfvm_prog_type_get(attr->prog_type);
	if (t && check_attach_type(t, attr) < 0)
		return -EINVAL;
	if (!attr->insns)
		return -EFAULT;
	int rc = bpfvm_log_init(&log, attr->log_level, attr->log_buf, attr->log_size);
	struct bpfvm_prog *prog = calloc(1, sizeof(*prog));
	if (!prog)
		return -ENOMEM;
	atomic_store(&prog->refcnt, 1);
	prog->vm = vm;
	prog->gpl_compatible = license_gpl(license);
	if (rc == 0)
		rc = load(vm, attr, uattr, size, &log, prog);
	if (log.level && bpfvm_log_full(&log))
		rc = -ENOSPC;
	if (rc == 0)
		rc = bpfvm_id_alloc(vm, FILE_PROG, prog, &prog->id);
	if (rc == 0) {
		rc = bpfvm_fd_install(vm, FILE_PROG, prog, 1, 1);
		if (rc >= 0)
			return rc;
	}
	bpfvm_prog_free(prog);
	return rc;
}

int bpfvm_cmd_prog_test_run(struct bpfvm *vm, union bpf_attr *attr, union bpf_attr *uattr, unsigned int size)
{
	struct bpfvm_file f;
	if (!bpfvm_attr_tail_zero(attr, ATTR_END(test.ctx_out)))
		return -EINVAL;
	int rc = bpfvm_fd_get(vm, (int)attr->test.prog_fd, FILE_PROG, &f);
	if (rc < 0)
		return rc;
	struct bpfvm_prog *prog = f.obj;
	const struct bpfvm_prog_type *t = bpfvm_prog_type_get(prog->type);
	rc = t && t->test_run ? t->test_run(prog, attr, uattr, size) : -ENOTSUPP;
	bpfvm_prog_put(prog);
	return rc;
}
