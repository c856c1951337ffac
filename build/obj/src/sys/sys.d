build/obj/src/sys/sys.o: src/sys/sys.c src/sys/sys.h src/core/vm.h \
 include/bpfvm/bpfvm.h include/bpfvm/uapi.h src/helpers/registry.h
src/sys/sys.h:
src/core/vm.h:
include/bpfvm/bpfvm.h:
include/bpfvm/uapi.h:
src/helpers/registry.h:
