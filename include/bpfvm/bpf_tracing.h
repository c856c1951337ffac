/*
 * bpf_tracing.h — kprobe and raw tracepoint arguments, for programs
 * compiled with `clang -target bpf`.
 *
 * bpfvm's counterpart of the part of libbpf's header that works without
 * CO-RE: PT_REGS_PARM1..6(ctx), PT_REGS_RC, PT_REGS_RET, PT_REGS_FP,
 * PT_REGS_SP, PT_REGS_IP (and the _SYSCALL forms of the parameters),
 * BPF_KPROBE, BPF_KRETPROBE and BPF_PROG. bpfvm's kprobe and perf_event
 * contexts are x86-64's struct pt_regs (168 bytes), so this header knows
 * x86-64 only: the registers are read at their offsets in that struct,
 * whether or not the program includes <asm/ptrace.h> (whose field names
 * differ between the kernel's and userspace's view).
 *
 * Not here, because they came after v5.1 or need CO-RE (which bpfvm's
 * loader does not apply): the _CORE forms, BPF_KSYSCALL, BPF_USDT,
 * BPF_UPROBE's sleepable forms, bpf_core_read.h.
 *
 * Needs <bpfvm/bpf_helpers.h> (included here). Programs that write
 * `#include <bpf/bpf_tracing.h>` find it through
 * `-I<bpfvm>/include/bpfvm/compat`.
 */
#ifndef BPFVM_BPF_TRACING_H
#define BPFVM_BPF_TRACING_H

#include "bpf_helpers.h"

#if (defined(__TARGET_ARCH_arm) || defined(__TARGET_ARCH_arm64) || defined(__TARGET_ARCH_s390) ||          \
     defined(__TARGET_ARCH_mips) || defined(__TARGET_ARCH_powerpc) || defined(__TARGET_ARCH_sparc) ||    \
     defined(__TARGET_ARCH_riscv) || defined(__TARGET_ARCH_arc) || defined(__TARGET_ARCH_loongarch))
#error "bpfvm's tracing contexts are x86-64's struct pt_regs: build with -D__TARGET_ARCH_x86 (or none)"
#endif

/* x86-64's struct pt_regs as userspace's <asm/ptrace.h> spells it. */
struct ___bpfvm_pt_regs {
	unsigned long r15, r14, r13, r12, rbp, rbx, r11, r10, r9, r8, rax, rcx, rdx, rsi, rdi, orig_rax, rip,
		cs, eflags, rsp, ss;
};
#define ___bpfvm_reg(x, r) (((const struct ___bpfvm_pt_regs *)(x))->r)

#define PT_REGS_PARM1(x) ___bpfvm_reg(x, rdi)
#define PT_REGS_PARM2(x) ___bpfvm_reg(x, rsi)
#define PT_REGS_PARM3(x) ___bpfvm_reg(x, rdx)
#define PT_REGS_PARM4(x) ___bpfvm_reg(x, rcx)
#define PT_REGS_PARM5(x) ___bpfvm_reg(x, r8)
#define PT_REGS_PARM6(x) ___bpfvm_reg(x, r9)
#define PT_REGS_RET(x) ___bpfvm_reg(x, rsp)
#define PT_REGS_FP(x) ___bpfvm_reg(x, rbp)
#define PT_REGS_RC(x) ___bpfvm_reg(x, rax)
#define PT_REGS_SP(x) ___bpfvm_reg(x, rsp)
#define PT_REGS_IP(x) ___bpfvm_reg(x, rip)

/* A system call's arguments, given the pt_regs of its entry: the fourth is
 * in r10. (Kernels with syscall wrappers pass that pt_regs as the first
 * argument: PT_REGS_SYSCALL_REGS, read with bpf_probe_read.) */
#define PT_REGS_PARM1_SYSCALL(x) PT_REGS_PARM1(x)
#define PT_REGS_PARM2_SYSCALL(x) PT_REGS_PARM2(x)
#define PT_REGS_PARM3_SYSCALL(x) PT_REGS_PARM3(x)
#define PT_REGS_PARM4_SYSCALL(x) ___bpfvm_reg(x, r10)
#define PT_REGS_PARM5_SYSCALL(x) PT_REGS_PARM5(x)
#define PT_REGS_PARM6_SYSCALL(x) PT_REGS_PARM6(x)
#ifndef PT_REGS_SYSCALL_REGS
#define PT_REGS_SYSCALL_REGS(ctx) ((struct pt_regs *)PT_REGS_PARM1(ctx))
#endif

/* The return address of a kprobe'd function (on the stack at entry). */
#define BPF_KPROBE_READ_RET_IP(ip, ctx) ({ bpf_probe_read(&(ip), sizeof(ip), (void *)PT_REGS_RET(ctx)); })
#define BPF_KRETPROBE_READ_RET_IP(ip, ctx)                                                        \
	({ bpf_probe_read(&(ip), sizeof(ip), (void *)(PT_REGS_FP(ctx) + sizeof(ip))); })

/* BPF_PROG(name, args...): a raw tracepoint program whose u64 arguments
 * are named and typed. */
#define ___bpf_ctx_cast0() ctx
#define ___bpf_ctx_cast1(x) ___bpf_ctx_cast0(), ctx[0]
#define ___bpf_ctx_cast2(x, args...) ___bpf_ctx_cast1(args), ctx[1]
#define ___bpf_ctx_cast3(x, args...) ___bpf_ctx_cast2(args), ctx[2]
#define ___bpf_ctx_cast4(x, args...) ___bpf_ctx_cast3(args), ctx[3]
#define ___bpf_ctx_cast5(x, args...) ___bpf_ctx_cast4(args), ctx[4]
#define ___bpf_ctx_cast6(x, args...) ___bpf_ctx_cast5(args), ctx[5]
#define ___bpf_ctx_cast7(x, args...) ___bpf_ctx_cast6(args), ctx[6]
#define ___bpf_ctx_cast8(x, args...) ___bpf_ctx_cast7(args), ctx[7]
#define ___bpf_ctx_cast9(x, args...) ___bpf_ctx_cast8(args), ctx[8]
#define ___bpf_ctx_cast10(x, args...) ___bpf_ctx_cast9(args), ctx[9]
#define ___bpf_ctx_cast11(x, args...) ___bpf_ctx_cast10(args), ctx[10]
#define ___bpf_ctx_cast12(x, args...) ___bpf_ctx_cast11(args), ctx[11]
#define ___bpf_ctx_cast(args...) ___bpf_apply(___bpf_ctx_cast, ___bpf_narg(args))(args)

#define BPF_PROG(name, args...)                                                 \
	name(unsigned long long *ctx);                                          \
	static __always_inline typeof(name(0)) ____##name(unsigned long long *ctx, ##args); \
	typeof(name(0)) name(unsigned long long *ctx)                           \
	{                                                                       \
		_Pragma("GCC diagnostic push")                                  \
		_Pragma("GCC diagnostic ignored \"-Wint-conversion\"")          \
		return ____##name(___bpf_ctx_cast(args));                       \
		_Pragma("GCC diagnostic pop")                                   \
	}                                                                       \
	static __always_inline typeof(name(0)) ____##name(unsigned long long *ctx, ##args)

struct pt_regs;

/* BPF_KPROBE(name, args...): a kprobe whose arguments are named and typed
 * (at most six: the ones passed in registers). */
#define ___bpf_kprobe_args0() ctx
#define ___bpf_kprobe_args1(x) ___bpf_kprobe_args0(), (unsigned long long)PT_REGS_PARM1(ctx)
#define ___bpf_kprobe_args2(x, args...) ___bpf_kprobe_args1(args), (unsigned long long)PT_REGS_PARM2(ctx)
#define ___bpf_kprobe_args3(x, args...) ___bpf_kprobe_args2(args), (unsigned long long)PT_REGS_PARM3(ctx)
#define ___bpf_kprobe_args4(x, args...) ___bpf_kprobe_args3(args), (unsigned long long)PT_REGS_PARM4(ctx)
#define ___bpf_kprobe_args5(x, args...) ___bpf_kprobe_args4(args), (unsigned long long)PT_REGS_PARM5(ctx)
#define ___bpf_kprobe_args6(x, args...) ___bpf_kprobe_args5(args), (unsigned long long)PT_REGS_PARM6(ctx)
#define ___bpf_kprobe_args(args...) ___bpf_apply(___bpf_kprobe_args, ___bpf_narg(args))(args)

#define BPF_KPROBE(name, args...)                                               \
	name(struct pt_regs *ctx);                                              \
	static __always_inline typeof(name(0)) ____##name(struct pt_regs *ctx, ##args); \
	typeof(name(0)) name(struct pt_regs *ctx)                               \
	{                                                                       \
		_Pragma("GCC diagnostic push")                                  \
		_Pragma("GCC diagnostic ignored \"-Wint-conversion\"")          \
		return ____##name(___bpf_kprobe_args(args));                    \
		_Pragma("GCC diagnostic pop")                                   \
	}                                                                       \
	static __always_inline typeof(name(0)) ____##name(struct pt_regs *ctx, ##args)

/* BPF_KRETPROBE(name, ret): a kretprobe, with the return value. */
#define ___bpf_kretprobe_args0() ctx
#define ___bpf_kretprobe_args1(x) ___bpf_kretprobe_args0(), (unsigned long long)PT_REGS_RC(ctx)
#define ___bpf_kretprobe_args(args...) ___bpf_apply(___bpf_kretprobe_args, ___bpf_narg(args))(args)

#define BPF_KRETPROBE(name, args...)                                            \
	name(struct pt_regs *ctx);                                              \
	static __always_inline typeof(name(0)) ____##name(struct pt_regs *ctx, ##args); \
	typeof(name(0)) name(struct pt_regs *ctx)                               \
	{                                                                       \
		_Pragma("GCC diagnostic push")                                  \
		_Pragma("GCC diagnostic ignored \"-Wint-conversion\"")          \
		return ____##name(___bpf_kretprobe_args(args));                 \
		_Pragma("GCC diagnostic pop")                                   \
	}                                                                       \
	static __always_inline typeof(name(0)) ____##name(struct pt_regs *ctx, ##args)

#endif
