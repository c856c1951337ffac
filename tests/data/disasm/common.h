/* Shared by the disassembler's test programs (compiled with
 * clang -O2 -target bpf -mcpu=v3 -c): no system headers. */
#ifndef DISASM_TEST_COMMON_H
#define DISASM_TEST_COMMON_H
typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef signed char s8;
typedef short s16;
typedef int s32;
typedef long long s64;
#define SEC(name) __attribute__((section(name), used))
#define NOINLINE __attribute__((noinline))
#endif
