/* The bpf() entry point: attr size handling as the kernel's, and dispatch
 * by command through one table. */
#include "sys/sys.h"
#include "core/vm.h"
#include "core/prog.h"
#include "maps/map.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const bpfvm_cmd_fn cmd_table[] = {
	[BPF_MAP_CREATE] = bpfvm_cmd_map_create,
	[BPF_MAP_LOOKUP_ELEM] = bpfvm_cmd_map_lookup,
	[BPF_MAP_UPDATE_ELEM] = bpfvm_cmd_map_update,
	[BPF_MAP_DELETE_ELEM] = bpfvm_cmd_map_delete,
	[BPF_MAP_GET_NEXT_KEY] = bpfvm_cmd_map_get_next_key,
	[BPF_PROG_LOAD] = bpfvm_cmd_prog_load,
	[BPF_OBJ_PIN] = bpfvm_cmd_obj_pin,
	[BPF_OBJ_GET] = bpfvm_cmd_obj_get,
	[BPF_PROG_ATTACH] = bpfvm_cmd_prog_attach,
	[BPF_PROG_DETACH] = bpfvm_cmd_prog_detach,
	[BPF_PROG_TEST_RUN] = bpfvm_cmd_prog_test_run,
	[BPF_PROG_GET_NEXT_ID] = bpfvm_cmd_prog_get_next_id,
	[BPF_MAP_GET_NEXT_ID] = bpfvm_cmd_map_get_next_id,
	[BPF_PROG_GET_FD_BY_ID] = bpfvm_cmd_prog_get_fd_by_id,
	[BPF_MAP_GET_FD_BY_ID] = bpfvm_cmd_map_get_fd_by_id,
	[BPF_OBJ_GET_INFO_BY_FD] = bpfvm_cmd_obj_get_info_by_fd,
	[BPF_PROG_QUERY] = bpfvm_cmd_prog_query,
	[BPF_RAW_TRACEPOINT_OPEN] = bpfvm_cmd_raw_tracepoint_open,
	[BPF_BTF_LOAD] = bpfvm_cmd_btf_load,
	[BPF_BTF_GET_FD_BY_ID] = bpfvm_cmd_btf_get_fd_by_id,
	[BPF_TASK_FD_QUERY] = bpfvm_cmd_task_fd_query,
	[BPF_MAP_LOOKUP_AND_DELETE_ELEM] = bpfvm_cmd_map_lookup_and_delete,
};

#define PAGE_SIZE_BYTES 4096u

BPFVM_API int bpfvm_bpf(struct bpfvm *vm, int cmd, union bpf_attr *uattr, unsigned int size)
{
	union bpf_attr attr;
	if (!vm) {
		errno = EINVAL;
		return -1;
	}
	/* The kernel's bpf_check_uarg_tail_zero: a caller built against a
	 * newer ABI may pass a larger attr if what we do not know is zero. */
	if (size > PAGE_SIZE_BYTES) {
		errno = E2BIG;
		return -1;
	}
	if (size && !uattr) {
		errno = EFAULT;
		return -1;
	}
	if (size > sizeof(attr)) {
		const uint8_t *p = (const uint8_t *)uattr;
		for (unsigned int i = sizeof(attr); i < size; i++)
			if (p[i]) {
				errno = E2BIG;
				return -1;
			}
		size = sizeof(attr);
	}
	memset(&attr, 0, sizeof(attr));
	if (size)
		memcpy(&attr, uattr, size);
	if (cmd < 0 || (size_t)cmd >= sizeof(cmd_table) / sizeof(cmd_table[0]) || !cmd_table[cmd]) {
		errno = EINVAL;
		return -1;
	}
	int rc = cmd_table[cmd](vm, &attr, uattr, size);
	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	return rc;
}

int bpfvm_attr_tail_zero(const union bpf_attr *attr, size_t end)
{
	const uint8_t *p = (const uint8_t *)attr;
	for (size_t i = end; i < sizeof(*attr); i++)
		if (p[i])
			return 0;
	return 1;
}

void bpfvm_attr_put_u32(union bpf_attr *uattr, unsigned int size, size_t off, uint32_t v)
{
	if (off + sizeof(v) <= size)
		memcpy((uint8_t *)uattr + off, &v, sizeof(v));
}

int bpfvm_sys_init(struct bpfvm *vm)
{
	struct bpfvm_sys *s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	pthread_mutex_init(&s->lock, NULL);
	s->map_ids.next = s->prog_ids.next = s->btf_ids.next = 1;
	vm->sys = s;
	return 0;
}

void bpfvm_sys_fini(struct bpfvm *vm)
{
	struct bpfvm_sys *s = vm->sys;
	if (!s)
		return;
	if (vm->flow_dissector)
		bpfvm_prog_put(vm->flow_dissector);
	vm->flow_dissector = NULL;
	/* Drop pins and fds; objects go when their last reference does. The
	 * lock is not held while dropping: puts may re-enter id release. */
	for (uint32_t i = 0; i < s->npins; i++) {
		bpfvm_obj_put_user(s->pins[i].kind, s->pins[i].obj);
		free(s->pins[i].path);
	}
	free(s->pins);
	s->pins = NULL;
	s->npins = 0;
	for (int fd = 0; fd < s->nfiles; fd++)
		if (s->files[fd].kind) {
			struct bpfvm_file f = s->files[fd];
			s->files[fd].kind = FILE_NONE;
			bpfvm_obj_put_user(f.kind, f.obj);
		}
	free(s->files);
	free(s->map_ids.ids);
	free(s->map_ids.objs);
	free(s->prog_ids.ids);
	free(s->prog_ids.objs);
	free(s->btf_ids.ids);
	free(s->btf_ids.objs);
	pthread_mutex_destroy(&s->lock);
	free(s);
	vm->sys = NULL;
}
