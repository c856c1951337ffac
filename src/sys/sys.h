/* The command layer's state in a vm: the fd table, the id spaces, the pin
 * namespace; and what the command files share. */
#ifndef BPFVM_SYS_SYS_H
#define BPFVM_SYS_SYS_H
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <bpfvm/uapi.h>
#include "core/kerrno.h"

struct bpfvm;
struct bpfvm_map;
struct bpfvm_prog;
struct bpfvm_btf;

enum bpfvm_file_kind { FILE_NONE = 0, FILE_MAP, FILE_PROG, FILE_BTF, FILE_RAW_TP };

/* An fd's open file: the object, and what the fd may do with it. */
struct bpfvm_file {
	int kind;
	int can_read, can_write;        /* maps: from BPF_F_RDONLY / _WRONLY */
	void *obj;                      /* a held reference */
};

struct bpfvm_idr {                      /* an id space: ids in increasing order */
	uint32_t *ids;
	void **objs;
	uint32_t n, cap;
	uint32_t next;
};

struct bpfvm_pin {
	char *path;
	int kind;
	void *obj;                      /* a held user reference */
};

struct bpfvm_sys {
	pthread_mutex_t lock;           /* fds, ids and pins (not the objects) */
	struct bpfvm_file *files;
	int nfiles;
	struct bpfvm_idr map_ids, prog_ids, btf_ids;
	struct bpfvm_pin *pins;
	uint32_t npins, cap_pins;
};

int bpfvm_sys_init(struct bpfvm *vm);
void bpfvm_sys_fini(struct bpfvm *vm);

/* fds: install a referenced object (the reference moves to the fd), or
 * look one up (a new reference; -EBADF if no such fd, -EINVAL if it is not
 * of that kind). */
int bpfvm_fd_install(struct bpfvm *vm, int kind, void *obj, int can_read, int can_write);
int bpfvm_fd_get(struct bpfvm *vm, int fd, int kind, struct bpfvm_file *out);
/* References: a user reference is what an fd or a pin holds (for maps it
 * also counts in usercnt); the others are what programs and maps hold. */
void bpfvm_obj_get(int kind, void *obj);
void bpfvm_obj_put(int kind, void *obj);
void bpfvm_obj_get_user(int kind, void *obj);
void bpfvm_obj_put_user(int kind, void *obj);

/* ids: publish an object (assigns its id), and look up by id with a new
 * reference (NULL if absent or dying). */
int bpfvm_id_alloc(struct bpfvm *vm, int kind, void *obj, uint32_t *id);
void *bpfvm_id_get(struct bpfvm *vm, int kind, uint32_t id);
int bpfvm_id_next(struct bpfvm *vm, int kind, uint32_t start, uint32_t *next);

/* Every cmd handler: attr is a zero-extended kernel-sized copy; uattr is the
 * caller's buffer of `size` bytes for fields written back. */
typedef int (*bpfvm_cmd_fn)(struct bpfvm *vm, union bpf_attr *attr, union bpf_attr *uattr, unsigned int size);

/* The kernel's CHECK_ATTR: bytes after the command's last field are zero. */
int bpfvm_attr_tail_zero(const union bpf_attr *attr, size_t end);
#define ATTR_END(field) (offsetof(union bpf_attr, field) + sizeof(((union bpf_attr *)0)->field))
/* Writes back a field of uattr if the caller's attr was large enough. */
void bpfvm_attr_put_u32(union bpf_attr *uattr, unsigned int size, size_t off, uint32_t v);

int bpfvm_cmd_map_create(struct bpfvm *, union bpf_attr *, union bpf_attr *, unsigned int);
int bpfvm_cmd_map_lookup(struct bpfvm *, union bpf_attr *, union bpf_attr *, unsigned int);
int bpfvm_cmd_map_update(struct bpfvm *, union bpf_attr *, union bpf_attr *, unsigned int);
int bpfvm_cmd_map_delete(struct bpfvm *, union bpf_attr *, union bpf_attr *, unsigned int);
int bpfvm_cmd_map_get_next_key(struct bpfvm *, union bpf_attr *, union bpf_attr *, unsigned int);
int bpfvm_cmd_map_lookup_and_delete(struct bpfvm *, union bpf_attr *, union bpf_attr *, unsigned int);
int bpfvm_cmd_prog_load(struct bpfvm *, union bpf_attr *, union bpf_attr *, unsigned int);
int bpfvm_cmd_obj_pin(struct bpfvm *, union bpf_attr *, union bpf_attr *, unsigned int);
int bpfvm_cmd_obj_get(struct bpfvm *, union bpf_attr *, union bpf_attr *, unsigned int);
int bpfvm_cmd_prog_attach(struct bpfvm *, union bpf_attr *, union bpf_attr *, unsigned int);
int bpfvm_cmd_prog_detach(struct bpfvm *, union bpf_attr *, union bpf_attr *, unsigned int);
int bpfvm_cmd_prog_test_run(struct bpfvm *, union bpf_attr *, union bpf_attr *, unsigned int);
int bpfvm_cmd_prog_get_next_id(struct bpfvm *, union bpf_attr *, union bpf_attr *, unsigned int);
int bpfvm_cmd_map_get_next_id(struct bpfvm *, union bpf_attr *, union bpf_attr *, unsigned int);
int bpfvm_cmd_btf_get_next_id(struct bpfvm *, union bpf_attr *, union bpf_attr *, unsigned int);
int bpfvm_cmd_prog_get_fd_by_id(struct bpfvm *, union bpf_attr *, union bpf_attr *, unsigned int);
int bpfvm_cmd_map_get_fd_by_id(struct bpfvm *, union bpf_attr *, union bpf_attr *, unsigned int);
int bpfvm_cmd_btf_get_fd_by_id(struct bpfvm *, union bpf_attr *, union bpf_attr *, unsigned int);
int bpfvm_cmd_obj_get_info_by_fd(struct bpfvm *, union bpf_attr *, union bpf_attr *, unsigned int);
int bpfvm_cmd_prog_query(struct bpfvm *, union bpf_attr *, union bpf_attr *, unsigned int);
int bpfvm_cmd_raw_tracepoint_open(struct bpfvm *, union bpf_attr *, union bpf_attr *, unsigned int);
int bpfvm_cmd_btf_load(struct bpfvm *, union bpf_attr *, union bpf_attr *, unsigned int);
int bpfvm_cmd_task_fd_query(struct bpfvm *, union bpf_attr *, union bpf_attr *, unsigned int);
#endif
