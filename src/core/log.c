#include "core/log.h"
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int bpfvm_log_init(struct bpfvm_log *log, uint32_t level, uint64_t ubuf, uint32_t size)
{
	memset(log, 0, sizeof(*log));
	if (!level && !ubuf && !size)
		return 0;
	/* log attributes have to be sane (bpf_check) */
	if (size < 128 || size > UINT32_MAX >> 8 || !level || !ubuf)
		return -EINVAL;
	log->level = level;
	log->ubuf = (char *)(uintptr_t)ubuf;
	log->len_total = size;
	log->ubuf[0] = 0;
	return 0;
}

void bpfvm_log(struct bpfvm_log *log, const char *fmt, ...)
{
	char buf[1024];
	if (!log || !log->level || !log->ubuf)
		return;
	va_list ap;
	va_start(ap, fmt);
	int k = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (k < 0)
		return;
	uint32_t n = (uint32_t)k < sizeof(buf) ? (uint32_t)k : sizeof(buf) - 1;
	uint32_t room = log->len_total - log->len_used - 1;
	if (n > room)
		n = room;
	memcpy(log->ubuf + log->len_used, buf, n);
	log->len_used += n;
	log->ubuf[log->len_used] = 0;
}

int bpfvm_log_full(const struct bpfvm_log *log)
{
	return log->level && log->len_used == log->len_total - 1;
}
