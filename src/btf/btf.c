/* BTF: header validation and the object's lifetime. (Type-section
 * validation as the kernel's btf_check_all_metas lands with the ELF issue.) */
#include "btf/btf.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BTF_MAGIC_LE 0xeb9f
#define BTF_MAX_SIZE (16 * 1024 * 1024)  /* BTF_MAX_SIZE of the kernel */

struct btf_header_v1 {
	uint16_t magic;
	uint8_t version;
	uint8_t flags;
	uint32_t hdr_len;
	uint32_t type_off, type_len, str_off, str_len;
};

void bpfvm_btf_release_id(struct bpfvm_btf *btf);

static int bad(char *log, size_t n, const char *msg)
{
	if (log && n)
		snprintf(log, n, "%s\n", msg);
	return -EINVAL;
}

int bpfvm_btf_parse(struct bpfvm *vm, const void *data, uint32_t size, char *log, size_t log_size,
		    struct bpfvm_btf **out)
{
	struct btf_header_v1 h;
	*out = NULL;
	if (size > BTF_MAX_SIZE)
		return -E2BIG;
	if (size < sizeof(h))
		return bad(log, log_size, "btf_header not found");
	memcpy(&h, data, sizeof(h));
	if (h.magic != BTF_MAGIC_LE)
		return bad(log, log_size, "Invalid magic");
	if (h.version != 1)
		return bad(log, log_size, "Unsupported version");
	if (h.flags)
		return bad(log, log_size, "Unsupported flags");
	if (h.hdr_len < sizeof(h) || h.hdr_len > size)
		return bad(log, log_size, "Unsupported btf_header");
	for (uint32_t i = sizeof(h); i < h.hdr_len; i++)
		if (((const uint8_t *)data)[i])
			return bad(log, log_size, "Unsupported btf_header");
	uint64_t body = size - h.hdr_len;
	if ((uint64_t)h.type_off + h.type_len > body || (uint64_t)h.str_off + h.str_len > body)
		return bad(log, log_size, "Total section length too long");
	if (h.type_off & 3)
		return bad(log, log_size, "Unaligned type_off");
	if (!h.str_len)
		return bad(log, log_size, "No string section");
	const char *strs = (const char *)data + h.hdr_len + h.str_off;
	if (strs[0] || strs[h.str_len - 1])
		return bad(log, log_size, "Invalid string section");
	struct bpfvm_btf *btf = calloc(1, sizeof(*btf));
	if (!btf || !(btf->data = malloc(size))) {
		free(btf);
		return -ENOMEM;
	}
	memcpy(btf->data, data, size);
	btf->size = size;
	btf->vm = vm;
	atomic_store(&btf->refcnt, 1);
	*out = btf;
	return 0;
}

void bpfvm_btf_get(struct bpfvm_btf *btf)
{
	atomic_fetch_add(&btf->refcnt, 1);
}

void bpfvm_btf_put(void *p)
{
	struct bpfvm_btf *btf = p;
	if (!btf || atomic_fetch_sub(&btf->refcnt, 1) != 1)
		return;
	bpfvm_btf_release_id(btf);
	free(btf->data);
	free(btf);
}
