build/obj/src/isa/validate.o: src/isa/validate.c src/isa/validate.h \
 src/isa/opcodes.h include/bpfvm/uapi.h
src/isa/validate.h:
src/isa/opcodes.h:
include/bpfvm/uapi.h:
