build/obj/src/core/exec.o: src/core/exec.c src/core/vm.h \
 include/bpfvm/bpfvm.h include/bpfvm/uapi.h src/helpers/registry.h \
 src/interp/interp.h src/isa/validate.h src/isa/opcodes.h
src/core/vm.h:
include/bpfvm/bpfvm.h:
include/bpfvm/uapi.h:
src/helpers/registry.h:
src/interp/interp.h:
src/isa/validate.h:
src/isa/opcodes.h:
