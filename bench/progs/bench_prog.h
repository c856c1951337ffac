/* Shared by the benchmark programs: each is one function
 *     uint64_t bench_NAME(uint8_t *mem, uint64_t len)
 * compiled twice, natively (clang -O2) and for BPF (clang -O2 -target bpf
 * -mcpu=v3), from the same source. The harness gives every program
 * BENCH_MEM_LEN bytes of memory (the kernel sees them as the XDP packet).
 *
 * Loops use constant bounds and index the memory by a counter, so the
 * kernel's verifier can prove every access in range (it follows bounded
 * loops iteration by iteration); `len` is the size the caller passed and
 * is never trusted for indexing. */
#ifndef BENCH_PROG_H
#define BENCH_PROG_H
#include <stdint.h>

#define BENCH_MEM_LEN 1024

/* Natively the harness calls the function through a pointer from another
 * translation unit; noinline keeps the BPF object to one function too. */
#define BENCH_FN __attribute__((noinline))
#endif
