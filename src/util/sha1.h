/* SHA-1, for program tags (the kernel's bpf_prog_calc_tag is the first 8
 * bytes of the SHA-1 of the instructions). */
#ifndef BPFVM_UTIL_SHA1_H
#define BPFVM_UTIL_SHA1_H
#include <stddef.h>
#include <stdint.h>
void bpfvm_sha1(const void *data, size_t len, uint8_t digest[20]);
#endif
