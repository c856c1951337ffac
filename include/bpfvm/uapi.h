/* TEMPORARY stub: being replaced by the full v5.1 ABI header. */
#ifndef BPFVM_UAPI_H
#define BPFVM_UAPI_H
#include <stdint.h>
struct bpf_insn { uint8_t code; uint8_t dst_reg:4; uint8_t src_reg:4; int16_t off; int32_t imm; };
#define BPF_PSEUDO_MAP_FD 1
#define BPF_PSEUDO_MAP_VALUE 2
#define BPF_PSEUDO_CALL 1
#define BPF_FETCH 0x01
union bpf_attr { uint64_t pad[15]; };
#endif
