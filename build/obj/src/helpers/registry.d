build/obj/src/helpers/registry.o: src/helpers/registry.c \
 src/helpers/registry.h include/bpfvm/bpfvm.h include/bpfvm/uapi.h \
 src/helpers/builtin.h src/core/vm.h
src/helpers/registry.h:
include/bpfvm/bpfvm.h:
include/bpfvm/uapi.h:
src/helpers/builtin.h:
src/core/vm.h:
