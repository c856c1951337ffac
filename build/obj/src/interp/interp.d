build/obj/src/interp/interp.o: src/interp/interp.c src/interp/interp.h \
 include/bpfvm/bpfvm.h include/bpfvm/uapi.h src/isa/validate.h \
 src/isa/opcodes.h src/helpers/registry.h src/interp/loop.inc
src/interp/interp.h:
include/bpfvm/bpfvm.h:
include/bpfvm/uapi.h:
src/isa/validate.h:
src/isa/opcodes.h:
src/helpers/registry.h:
src/interp/loop.inc:
