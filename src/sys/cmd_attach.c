/* Attachment and tracing commands: PROG_ATTACH, PROG_DETACH, PROG_QUERY,
 * RAW_TRACEPOINT_OPEN, TASK_FD_QUERY, and BTF_LOAD.
 *
 * Attach points are models of the kernel's objects. Of those, this layer
 * has the flow dissector slot of the vm's (single) network namespace; cgroup,
 * sockmap and lirc targets are fds of objects the vm does not have yet, so
 * they answer as the kernel does for an fd that is not such an object
 * (-EBADF); no raw tracepoint exists (-ENOENT, the kernel's answer for an
 * unknown name). */
#include "sys/sys.h"
#include "core/log.h"
#include "core/prog.h"
#include "core/vm.h"
#include "btf/btf.h"
#include "maps/map.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ATTACH_FLAGS_MASK (BPF_F_ALLOW_OVERRIDE | BPF_F_ALLOW_MULTI)

/* The program type an attach type takes (v5.1's bpf_prog_attach switch). */
static int attach_prog_type(uint32_t attach_type)
{
	switch (attach_type) {
	case BPF_CGROUP_INET_INGRESS: case BPF_CGROUP_INET_EGRESS:
		return BPF_PROG_TYPE_CGROUP_SKB;
	case BPF_CGROUP_INET_SOCK_CREATE: case BPF_CGROUP_INET4_POST_BIND: case BPF_CGROUP_INET6_POST_BIND:
		return BPF_PROG_TYPE_CGROUP_SOCK;
	case BPF_CGROUP_INET4_BIND: case BPF_CGROUP_INET6_BIND: case BPF_CGROUP_INET4_CONNECT:
	case BPF_CGROUP_INET6_CONNECT: case BPF_CGROUP_UDP4_SENDMSG: case BPF_CGROUP_UDP6_SENDMSG:
		return BPF_PROG_TYPE_CGROUP_SOCK_ADDR;
	case BPF_CGROUP_SOCK_OPS:
		return BPF_PROG_TYPE_SOCK_OPS;
	case BPF_CGROUP_DEVICE:
		return BPF_PROG_TYPE_CGROUP_DEVICE;
	case BPF_SK_MSG_VERDICT:
		return BPF_PROG_TYPE_SK_MSG;
	case BPF_SK_SKB_STREAM_PARSER: case BPF_SK_SKB_STREAM_VERDICT:
		return BPF_PROG_TYPE_SK_SKB;
	case BPF_LIRC_MODE2:
		return BPF_PROG_TYPE_LIRC_MODE2;
	case BPF_FLOW_DISSECTOR:
		return BPF_PROG_TYPE_FLOW_DISSECTOR;
	}
	return -1;
}

/* bpf_prog_attach_check_attach_type: types that declare an expected attach
 * type at load must be attached there. */
static int attach_type_matches(const struct bpfvm_prog *prog, uint32_t attach_type)
{
	if (prog->type == BPF_PROG_TYPE_CGROUP_SOCK || prog->type == BPF_PROG_TYPE_CGROUP_SOCK_ADDR)
		return prog->expected_attach_type == attach_type;
	return 1;
}

static int get_prog_of_type(struct bpfvm *vm, uint32_t fd, int type, struct bpfvm_prog **out)
{
	int rc = bpfvm_sys_fd_to_prog(vm, (int)fd, out);
	if (rc < 0)
		return rc;
	if ((int)(*out)->type != type) {
		bpfvm_prog_put(*out);
		return -EINVAL;
	}
	return 0;
}

int bpfvm_cmd_prog_attach(struct bpfvm *vm, union bpf_attr *attr, union bpf_attr *uattr, unsigned int size)
{
	struct bpfvm_prog *prog;
	if (!bpfvm_attr_tail_zero(attr, ATTR_END(attach_flags)))
		return -EINVAL;
	if (attr->attach_flags & ~ATTACH_FLAGS_MASK)
		return -EINVAL;
	int ptype = attach_prog_type(attr->attach_type);
	if (ptype < 0)
		return -EINVAL;
	int rc = get_prog_of_type(vm, attr->attach_bpf_fd, ptype, &prog);
	if (rc < 0)
		return rc;
	if (!attach_type_matches(prog, attr->attach_type)) {
		bpfvm_prog_put(prog);
		return -EINVAL;
	}
	if (ptype == BPF_PROG_TYPE_FLOW_DISSECTOR) {
		/* One per network namespace; replacing it is allowed only by
		 * detaching first (-EEXIST). */
		pthread_mutex_lock(&vm->sys->lock);
		if (vm->flow_dissector) {
			pthread_mutex_unlock(&vm->sys->lock);
			bpfvm_prog_put(prog);
			return -EEXIST;
		}
		vm->flow_dissector = prog;      /* keeps the reference */
		pthread_mutex_unlock(&vm->sys->lock);
		return 0;
	}
	bpfvm_prog_put(prog);
	return -EBADF;                          /* target_fd is no cgroup/sockmap/lirc device */
}

int bpfvm_cmd_prog_detach(struct bpfvm *vm, union bpf_attr *attr, union bpf_attr *uattr, unsigned int size)
{
	if (!bpfvm_attr_tail_zero(attr, ATTR_END(attach_type)))
		return -EINVAL;
	int ptype = attach_prog_type(attr->attach_type);
	if (ptype < 0)
		return -EINVAL;
	if (ptype == BPF_PROG_TYPE_FLOW_DISSECTOR) {
		pthread_mutex_lock(&vm->sys->lock);
		struct bpfvm_prog *prog = vm->flow_dissector;
		vm->flow_dissector = NULL;
		pthread_mutex_unlock(&vm->sys->lock);
		if (!prog)
			return -ENOENT;
		bpfvm_prog_put(prog);
		return 0;
	}
	return -EBADF;
}

int bpfvm_cmd_prog_query(struct bpfvm *vm, union bpf_attr *attr, union bpf_attr *uattr, unsigned int size)
{
	if (!bpfvm_attr_tail_zero(attr, ATTR_END(query.prog_cnt)))
		return -EINVAL;
	if (attr->query.query_flags & ~BPF_F_QUERY_EFFECTIVE)
		return -EINVAL;
	switch (attr->query.attach_type) {
	case BPF_CGROUP_INET_INGRESS: case BPF_CGROUP_INET_EGRESS: case BPF_CGROUP_INET_SOCK_CREATE:
	case BPF_CGROUP_INET4_BIND: case BPF_CGROUP_INET6_BIND: case BPF_CGROUP_INET4_POST_BIND:
	case BPF_CGROUP_INET6_POST_BIND: case BPF_CGROUP_INET4_CONNECT: case BPF_CGROUP_INET6_CONNECT:
	case BPF_CGROUP_UDP4_SENDMSG: case BPF_CGROUP_UDP6_SENDMSG: case BPF_CGROUP_SOCK_OPS:
	case BPF_CGROUP_DEVICE: case BPF_LIRC_MODE2:
		return -EBADF;                  /* target_fd is no cgroup / lirc device */
	}
	return -EINVAL;
}

int bpfvm_cmd_raw_tracepoint_open(struct bpfvm *vm, union bpf_attr *attr, union bpf_attr *uattr, unsigned int size)
{
	if (!bpfvm_attr_tail_zero(attr, ATTR_END(raw_tracepoint.prog_fd)))
		return -EINVAL;
	if (!attr->raw_tracepoint.name)
		return -EFAULT;
	return -ENOENT;                         /* no tracepoint of that name */
}

int bpfvm_cmd_task_fd_query(struct bpfvm *vm, union bpf_attr *attr, union bpf_attr *uattr, unsigned int size)
{
	if (!bpfvm_attr_tail_zero(attr, ATTR_END(task_fd_query.probe_addr)))
		return -EINVAL;
	if (attr->task_fd_query.flags)
		return -EINVAL;
	/* The vm's objects belong to this process. */
	if (attr->task_fd_query.pid != (uint32_t)getpid())
		return -ENOENT;
	struct bpfvm_file f;
	int rc = bpfvm_fd_get(vm, (int)attr->task_fd_query.fd, 0, &f);
	if (rc < 0)
		return -EBADF;
	bpfvm_obj_put(f.kind, f.obj);
	return -ENOTSUPP;                       /* neither a raw tracepoint nor a perf event */
}

int bpfvm_cmd_btf_load(struct bpfvm *vm, union bpf_attr *attr, union bpf_attr *uattr, unsigned int size)
{
	if (!bpfvm_attr_tail_zero(attr, ATTR_END(btf_log_level)))
		return -EINVAL;
	/* btf_parse of v5.1: size, log attributes, the blob, the log. */
	struct bpfvm_btf *btf;
	int rc = bpfvm_btf_load(vm, (const void *)(uintptr_t)attr->btf, attr->btf_size, attr->btf_log_level,
				attr->btf_log_buf, attr->btf_log_size, &btf);
	if (rc < 0)
		return rc;
	if ((rc = bpfvm_id_alloc(vm, FILE_BTF, btf, &btf->id)) < 0) {
		bpfvm_btf_put(btf);
		return rc;
	}
	rc = bpfvm_fd_install(vm, FILE_BTF, btf, 1, 1);
	if (rc < 0)
		bpfvm_btf_put(btf);
	return rc;
}
