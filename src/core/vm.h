/* struct bpfvm: one isolated "kernel". Everything hangs off it; there is no
 * global state, so several vms can live in one process. */
#ifndef BPFVM_CORE_VM_H
#define BPFVM_CORE_VM_H
#include <pthread.h>
#include <bpfvm/bpfvm.h>
#include "helpers/registry.h"

struct bpfvm_sys;

struct bpfvm {
	unsigned int ncpus;
	int ncpus_frozen;               /* a per-CPU map exists: ncpus is fixed */
	int stats_enabled;              /* run_cnt/run_time_ns (kernel.bpf_stats_enabled) */
	bpfvm_trace_fn trace_fn;
	void *trace_user;
	struct bpfvm_sys *sys;          /* the command layer: fds, ids, pins */
	struct bpfvm_prog *flow_dissector; /* attached to the vm's netns, held */
	struct net *net;                /* the network model (progs/net.c) */
	pthread_mutex_t net_lock;
	uint32_t verifier_flags;        /* enum bpfvm_verifier_flags (verifier/verifier.h) */
	struct bpfvm_helper_slot helpers[BPFVM_MAX_HELPERS];
};

/* The CPU the calling thread runs programs of `vm` on. */
unsigned int bpfvm_current_cpu(const struct bpfvm *vm);
#endif
