/* The verifier: PROG_LOAD's proof that a program is safe to run without
 * runtime checks, with the kernel's verdicts, errnos and log (the model of
 * Linux v5.1's kernel/bpf/verifier.c, plus the bounded loops and precision
 * tracking of 5.3).
 *
 * Options: the v5.1 ABI has no prog_flags bit for them, so they live on the
 * vm (struct bpfvm's verifier_flags, set with bpfvm_verifier_set_flags)
 * and apply to every later PROG_LOAD of that vm. The default, 0, is a
 * privileged loader (we run as the kernel would for root) that accepts
 * loops whose every path provably ends, as kernels >= 5.3 do. */
#ifndef BPFVM_VERIFIER_VERIFIER_H
#define BPFVM_VERIFIER_VERIFIER_H
#include <stdint.h>
#include <bpfvm/bpfvm.h>

struct bpfvm;
struct bpfvm_prog;
struct bpfvm_log;

/* The options (enum bpfvm_verifier_flags, bpfvm_verifier_set_flags) are
 * public: <bpfvm/bpfvm.h>. */

/* PROG_LOAD's verification (bpf_check). prog->code holds the validated
 * instructions with maps resolved (prog->used_maps); prog->type and
 * gpl_compatible are set. On success the program may have been rewritten
 * (context accesses, dead code) and is decoded to run: prog->verified = 1
 * when every access could be rewritten for the unchecked fast path,
 * otherwise it runs checked. On failure: a negative errno as the kernel
 * returns it (-EACCES for unsafe accesses, -EINVAL for malformed programs,
 * -E2BIG for too complex ones), with the reason in the log. At log_level
 * >= 1 the log ends with "processed N insns (limit 1000000) ...". */
int bpfvm_verify(struct bpfvm *vm, struct bpfvm_prog *prog, const union bpf_attr *attr, struct bpfvm_log *log);

/* The same with explicit flags (enum bpfvm_verifier_flags), ignoring the vm's. */
int bpfvm_verify_flags(struct bpfvm *vm, struct bpfvm_prog *prog, const union bpf_attr *attr, struct bpfvm_log *log,
		       uint32_t flags);
#endif
