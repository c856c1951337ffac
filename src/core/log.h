/* The verifier/loader log: a user buffer filled as the kernel fills it
 * (truncated at log_size - 1 bytes, always NUL-terminated; a full log makes
 * PROG_LOAD fail with -ENOSPC). */
#ifndef BPFVM_CORE_LOG_H
#define BPFVM_CORE_LOG_H
#include <stdint.h>

struct bpfvm_log {
	uint32_t level;
	char *ubuf;
	uint32_t len_total;
	uint32_t len_used;
};

/* Checks log attributes as bpf_check does: all zero (no log) or sane. */
int bpfvm_log_init(struct bpfvm_log *log, uint32_t level, uint64_t ubuf, uint32_t size);
void bpfvm_log(struct bpfvm_log *log, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int bpfvm_log_full(const struct bpfvm_log *log);
#endif
