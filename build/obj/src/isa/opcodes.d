build/obj/src/isa/opcodes.o: src/isa/opcodes.c src/isa/opcodes.h \
 include/bpfvm/uapi.h
src/isa/opcodes.h:
include/bpfvm/uapi.h:
