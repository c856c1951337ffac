/* The helper registry: helper id -> function and prototype. Each vm has its
 * own table (a host may add or replace helpers); programs index it by the
 * call's imm. */
#ifndef BPFVM_HELPERS_REGISTRY_H
#define BPFVM_HELPERS_REGISTRY_H
#include <bpfvm/bpfvm.h>

#define BPFVM_MAX_HELPERS 1024

struct bpfvm_helper_slot {
	struct bpfvm_helper_proto proto;        /* proto.fn NULL: no helper */
};

struct bpfvm;
/* Fills a fresh vm's table with the built-in helpers. */
void bpfvm_helpers_install_builtin(struct bpfvm *vm);
#endif
