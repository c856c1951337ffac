build/obj/src/helpers/builtin.o: src/helpers/builtin.c \
 src/helpers/builtin.h include/bpfvm/bpfvm.h include/bpfvm/uapi.h
src/helpers/builtin.h:
include/bpfvm/bpfvm.h:
include/bpfvm/uapi.h:
