/* The helper registry and the table of built-in helpers. Each family of
 * helpers (maps, runtime, skb, xdp, ...) contributes a list of
 * (id, proto) pairs; a fresh vm gets all of them. */
#include "helpers/registry.h"
#include "helpers/builtin.h"
#include "core/vm.h"
#include <errno.h>
#include <string.h>

void bpfvm_helpers_install_builtin(struct bpfvm *vm)
{
	for (const struct bpfvm_helper_def *const *set = bpfvm_builtin_helper_sets; *set; set++)
		for (const struct bpfvm_helper_def *d = *set; d->proto.fn; d++)
			vm->helpers[d->id].proto = d->proto;
}

BPFVM_API int bpfvm_register_helper(struct bpfvm *vm, uint32_t id, const struct bpfvm_helper_proto *proto)
{
	if (!vm || id >= BPFVM_MAX_HELPERS || !proto || !proto->fn)
		return -EINVAL;
	vm->helpers[id].proto = *proto;
	return 0;
}
