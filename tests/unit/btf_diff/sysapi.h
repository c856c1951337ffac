/* The two systems the differential test compares, behind one interface of
 * plain types: kern.c implements it over the real bpf() syscall (and
 * includes <linux/bpf.h>), vm.c over bpfvm_bpf() (and includes
 * <bpfvm/bpfvm.h>); the two headers define the same names, so each lives
 * in its own translation unit. Every call returns an fd or a result >= 0,
 * or -errno. */
#ifndef BPFVM_TEST_BTF_SYSAPI_H
#define BPFVM_TEST_BTF_SYSAPI_H
#include <stddef.h>
#include <stdint.h>

/* PROG_LOAD with BTF: the fields of union bpf_attr this test sets */
struct t_prog {
	uint32_t prog_type;
	const void *insns;              /* 8-byte struct bpf_insn records */
	uint32_t insn_cnt;
	int btf_fd;
	const void *func_info;
	uint32_t func_info_rec_size, func_info_cnt;
	const void *line_info;
	uint32_t line_info_rec_size, line_info_cnt;
	/* out: the attr's rec sizes after the call (the kernel rewrites them
	 * on a nonzero record tail) */
	uint32_t func_info_rec_size_out, line_info_rec_size_out;
};

struct t_sys {
	const char *name;
	/* BPF_BTF_LOAD; log_level 0 means no log. */
	int (*btf_load)(const void *blob, uint32_t size, uint32_t log_level, char *log, uint32_t log_size);
	int (*map_create)(uint32_t type, uint32_t key_size, uint32_t value_size, uint32_t max_entries, int btf_fd,
			  uint32_t key_type_id, uint32_t value_type_id);
	int (*prog_load)(struct t_prog *p, char *log, uint32_t log_size);
	/* OBJ_GET_INFO_BY_FD on a prog: how many func_info/line_info records,
	 * and up to max of each copied out (8- and 16-byte records) */
	int (*prog_info)(int fd, uint32_t *nr_func, void *func, uint32_t *nr_line, void *line, uint32_t max);
	void (*close)(int fd);
};

/* 1 if the running kernel loads BTF; else 0 and why */
int kern_available(char *why, size_t len);
extern const struct t_sys kern_sys;
/* a fresh bpfvm for each vm_open() */
int vm_open(void);
void vm_close(void);
extern const struct t_sys vm_sys;
#endif
