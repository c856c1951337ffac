/* The ABI table as the system's <linux/bpf.h> defines it. */
#include <linux/bpf.h>

#define ABI_SIDE sys
#include "abi_table.h"
