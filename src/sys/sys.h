/* The command layer's state in a vm: fd table, id spaces, pins. */
#ifndef BPFVM_SYS_SYS_H
#define BPFVM_SYS_SYS_H
struct bpfvm;
int bpfvm_sys_init(struct bpfvm *vm);
void bpfvm_sys_fini(struct bpfvm *vm);
#endif
