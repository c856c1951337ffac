/* The bpfvm side: the same calls through bpfvm_bpf(). This translation
 * unit includes <bpfvm/bpfvm.h> and not <linux/bpf.h>. */
#include "sysapi.h"
#include <bpfvm/bpfvm.h>
#include <errno.h>
#include <string.h>

static struct bpfvm *vm;

int vm_open(void)
{
	vm = bpfvm_new();
	return vm ? 0 : -ENOMEM;
}

void vm_close(void)
{
	bpfvm_free(vm);
	vm = NULL;
}

static int sys(int cmd, union bpf_attr *a)
{
	int rc = bpfvm_bpf(vm, cmd, a, sizeof(*a));
	return rc < 0 ? -errno : rc;
}

static uint64_t ptr64(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

static int v_btf_load(const void *blob, uint32_t size, uint32_t level, char *log, uint32_t log_size)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.btf = ptr64(blob);
	a.btf_size = size;
	if (level) {
		a.btf_log_level = level;
		a.btf_log_buf = ptr64(log);
		a.btf_log_size = log_size;
		if (log && log_size)
			log[0] = 0;
	}
	return sys(BPF_BTF_LOAD, &a);
}

static int v_map_create(uint32_t type, uint32_t key_size, uint32_t value_size, uint32_t max_entries, int btf_fd,
			uint32_t key_type_id, uint32_t value_type_id)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_type = type;
	a.key_size = key_size;
	a.value_size = value_size;
	a.max_entries = max_entries;
	a.btf_fd = (uint32_t)btf_fd;
	a.btf_key_type_id = key_type_id;
	a.btf_value_type_id = value_type_id;
	return sys(BPF_MAP_CREATE, &a);
}

static int v_prog_load(struct t_prog *p, char *log, uint32_t log_size)
{
	static const char license[] = "GPL";
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.prog_type = p->prog_type;
	a.insns = ptr64(p->insns);
	a.insn_cnt = p->insn_cnt;
	a.license = ptr64(license);
	a.prog_btf_fd = (uint32_t)p->btf_fd;
	a.func_info = ptr64(p->func_info);
	a.func_info_rec_size = p->func_info_rec_size;
	a.func_info_cnt = p->func_info_cnt;
	a.line_info = ptr64(p->line_info);
	a.line_info_rec_size = p->line_info_rec_size;
	a.line_info_cnt = p->line_info_cnt;
	if (log && log_size) {
		log[0] = 0;
		a.log_level = 1;
		a.log_buf = ptr64(log);
		a.log_size = log_size;
	}
	int rc = sys(BPF_PROG_LOAD, &a);
	p->func_info_rec_size_out = a.func_info_rec_size;
	p->line_info_rec_size_out = a.line_info_rec_size;
	return rc;
}

static int v_prog_info(int fd, uint32_t *nr_func, void *func, uint32_t *nr_line, void *line, uint32_t max)
{
	struct bpf_prog_info info;
	union bpf_attr a;
	memset(&info, 0, sizeof(info));
	info.nr_func_info = max;
	info.func_info_rec_size = 8;
	info.func_info = ptr64(func);
	info.nr_line_info = max;
	info.line_info_rec_size = 16;
	info.line_info = ptr64(line);
	memset(&a, 0, sizeof(a));
	a.info.bpf_fd = (uint32_t)fd;
	a.info.info_len = sizeof(info);
	a.info.info = ptr64(&info);
	int rc = sys(BPF_OBJ_GET_INFO_BY_FD, &a);
	*nr_func = info.nr_func_info;
	*nr_line = info.nr_line_info;
	return rc;
}

static void v_close(int fd)
{
	if (fd >= 0)
		bpfvm_close(vm, fd);
}

const struct t_sys vm_sys = { "bpfvm", v_btf_load, v_map_create, v_prog_load, v_prog_info, v_close };
