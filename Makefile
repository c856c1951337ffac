# bpfvm — GNU Make build. Sources are found by wildcard so that adding a module
# is adding a file: src/**.c -> libbpfvm, cli/*.c -> bpfvm, tests/unit/*.c (or
# tests/unit/NAME/*.c) -> one test binary each.

CC       ?= cc
CLANG    ?= clang
PREFIX   ?= /usr/local
BUILD    ?= build
OPT      ?= -O2
SAN      ?=

WARN     := -Wall -Wextra -Werror -Wno-unused-parameter
CFLAGS_BASE := -std=c11 -D_GNU_SOURCE -g $(OPT) $(WARN) -Iinclude -Isrc -fPIC $(SAN)
LIBCFLAGS := $(CFLAGS_BASE) -fvisibility=hidden
LDLIBS   := -lpthread -lm
LIBELF_LIBS := $(shell pkg-config --libs libelf 2>/dev/null || echo -lelf)
PCAP_LIBS   := $(shell pkg-config --libs libpcap 2>/dev/null || echo -lpcap)
EXTRA_LIBS  := $(LIBELF_LIBS) $(PCAP_LIBS)

LIB_SRC  := $(shell find src -name '*.c' | sort)
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
CLI_SRC  := $(wildcard cli/*.c)
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/obj/%.o)
PLUGIN_SRC := $(wildcard cli/conformance/*.c)

UNIT_SINGLE := $(basename $(notdir $(wildcard tests/unit/*.c)))
UNIT_DIRS   := $(notdir $(patsubst %/,%,$(dir $(wildcard tests/unit/*/*.c))))
UNIT_NAMES  := $(sort $(UNIT_SINGLE) $(UNIT_DIRS))
UNIT_BINS   := $(UNIT_NAMES:%=$(BUILD)/tests/%)
TEST_HELPER_SRC := $(wildcard tests/lib/*.c)

LIBA  := $(BUILD)/libbpfvm.a
LIBSO := $(BUILD)/libbpfvm.so
CLI   := $(BUILD)/bpfvm
PLUGIN := $(BUILD)/bpfvm-conformance-plugin

.PHONY: all test test-fast test-asan test-tsan demo bench install clean fuzz fuzz-smoke examples
all: $(LIBA) $(LIBSO) $(CLI) $(PLUGIN)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(LIBCFLAGS) -MMD -MP -c $< -o $@

$(LIBA): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(LIBSO): $(LIB_OBJ)
	$(CC) -shared $(SAN) -o $@ $^ $(LDLIBS) $(LIBELF_LIBS)

$(CLI): $(CLI_OBJ) $(LIBA)
	$(CC) $(SAN) -o $@ $(CLI_OBJ) $(LIBA) $(LDLIBS) $(EXTRA_LIBS)

$(PLUGIN): $(PLUGIN_SRC) $(LIBA)
	$(CC) $(CFLAGS_BASE) -o $@ $(PLUGIN_SRC) $(LIBA) $(LDLIBS) $(EXTRA_LIBS)

# A test is tests/unit/NAME.c, or every .c in tests/unit/NAME/.
.SECONDEXPANSION:
$(BUILD)/tests/%: $$(wildcard tests/unit/$$*.c tests/unit/$$*/*.c) $(TEST_HELPER_SRC) $(LIBA) $$(wildcard tests/*.h tests/lib/*.h tests/unit/$$*/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_BASE) -Itests -o $@ $(filter %.c,$^) $(LIBA) $(LDLIBS) $(EXTRA_LIBS)

tests-build: $(UNIT_BINS) $(CLI) $(PLUGIN)
.PHONY: tests-build

# make test: the whole suite, again under ASan+UBSan in build-asan/, the
# concurrency tests (tests/unit/stress*.c) under ThreadSanitizer, then every
# libFuzzer target for a short, bounded time.
test: test-fast test-asan test-tsan fuzz-smoke

test-fast: tests-build
	BUILD=$(BUILD) sh tests/run.sh $(UNIT_NAMES)

test-asan:
	$(MAKE) BUILD=build-asan OPT=-O1 SAN="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" test-fast

STRESS_NAMES := $(filter stress%,$(UNIT_NAMES))
test-tsan:
	$(MAKE) BUILD=build-tsan OPT=-O1 SAN="-fsanitize=thread" $(STRESS_NAMES:%=build-tsan/tests/%)
	TSAN_OPTIONS=halt_on_error=1 BUILD=build-tsan sh tests/run.sh $(STRESS_NAMES)

demo: all
	sh examples/demo.sh

bench: all
	$(MAKE) -C bench run BUILD=$(abspath $(BUILD))

fuzz:
	sh tests/fuzz/run.sh

fuzz-smoke:
	FUZZ_SECONDS=$${FUZZ_SECONDS:-15} sh tests/fuzz/run.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include/bpfvm $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 644 $(LIBA) $(LIBSO) $(DESTDIR)$(PREFIX)/lib/
	install -m 644 include/bpfvm/*.h $(DESTDIR)$(PREFIX)/include/bpfvm/
	install -d $(DESTDIR)$(PREFIX)/include/bpfvm/compat/bpf
	install -m 644 include/bpfvm/compat/bpf/*.h $(DESTDIR)$(PREFIX)/include/bpfvm/compat/bpf/
	install -m 755 $(CLI) $(PLUGIN) $(DESTDIR)$(PREFIX)/bin/
	sed -e 's|@PREFIX@|$(PREFIX)|g' bpfvm.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/bpfvm.pc

clean:
	rm -rf build build-asan build-tsan build-fuzz

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
