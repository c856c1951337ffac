/* <bpf/bpf_tracing.h> for programs written for libbpf: bpfvm's <bpfvm/bpf_tracing.h>.
 * Compile with -I<bpfvm>/include/bpfvm/compat so that this directory is
 * the one where <bpf/...> resolves (it holds nothing else, so no other
 * header of the program is shadowed). */
#include "../../bpf_tracing.h"
