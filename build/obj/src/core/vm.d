build/obj/src/core/vm.o: src/core/vm.c src/core/vm.h \
 include/bpfvm/bpfvm.h include/bpfvm/uapi.h src/helpers/registry.h \
 src/sys/sys.h
src/core/vm.h:
include/bpfvm/bpfvm.h:
include/bpfvm/uapi.h:
src/helpers/registry.h:
src/sys/sys.h:
