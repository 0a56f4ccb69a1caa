# trustshim — see README.md.  `make` builds build/libtrustshim.so.
CC      ?= cc
CFLAGS  ?= -O2 -g
WARN     = -Wall -Wextra -Werror
BASEFLAGS = $(WARN) -std=gnu11 -fPIC -fvisibility=hidden -D_GNU_SOURCE -pthread
PREFIX  ?= /usr/local
DESTDIR ?=
BUILD   ?= build

SHIM_SRC  = $(wildcard shim/*.c)
SHIM_OBJ  = $(patsubst shim/%.c,$(BUILD)/obj/%.o,$(SHIM_SRC))
SHIM_HDR  = $(wildcard shim/*.h)
LIB       = $(BUILD)/libtrustshim.so
MAP       = $(BUILD)/trustshim.map

UNIT_SRC  = $(wildcard tests/unit/*.c)
UNIT_BIN  = $(patsubst tests/unit/%.c,$(BUILD)/unit/%,$(UNIT_SRC))
CLIENT_SRC = $(wildcard tests/clients/*.c)
CLIENT_BIN = $(patsubst tests/clients/%.c,$(BUILD)/clients/%,$(CLIENT_SRC))

.PHONY: all test unit integration install clean demo bench deps
all: $(LIB)

# The version script is generated from the HOOK rows of the API lists, so the
# exported symbols and the hooks can never drift apart.
$(MAP): shim/exports.in $(SHIM_HDR)
	@mkdir -p $(@D)
	{ echo '{ global:'; \
	  $(CC) -E -P -x c -Ishim shim/exports.in | tr ' ' '\n' | awk 'p { print "  " $$0 ";"; p = 0 } $$0 == "TS_EXPORT_NAME" { p = 1 }'; \
	  echo 'local: *; };'; } > $@

$(BUILD)/obj/%.o: shim/%.c $(SHIM_HDR)
	@mkdir -p $(@D)
	$(CC) $(BASEFLAGS) $(CFLAGS) -c $< -o $@

# -z defs: any direct reference to libssl/libgnutls would fail the link, so
# every call provably goes through the resolver.  -z noseparate-code: two
# mappings instead of four, which keeps the preload's start-up cost within 2%
# of an empty preload (make bench, figure 1); RELRO, NX data and stack stay.
$(LIB): $(SHIM_OBJ) $(MAP)
	$(CC) -shared $(BASEFLAGS) $(CFLAGS) -Wl,-z,defs -Wl,-z,noseparate-code -Wl,--version-script=$(MAP) -o $@ $(SHIM_OBJ) -ldl -pthread

# Unit tests include the .c files they test.
$(BUILD)/unit/%: tests/unit/%.c $(SHIM_SRC) $(SHIM_HDR) tests/unit/tap.h
	@mkdir -p $(@D)
	$(CC) $(WARN) -std=gnu11 -D_GNU_SOURCE -pthread -g -O1 -Ishim -Itests/unit $< -o $@ -ldl

# Small C clients used by the integration tests link the real libraries.
$(BUILD)/clients/%: tests/clients/%.c $(wildcard tests/clients/*.h)
	@mkdir -p $(@D)
	$(CC) $(WARN) -std=gnu11 -D_GNU_SOURCE -pthread -g -O1 $< -o $@ $(shell sed -n 's/^\/\/ LIBS: //p' $<)

deps:
	@scripts/deps

unit: $(UNIT_BIN)
integration: $(LIB) $(CLIENT_BIN)

test: deps $(LIB) $(UNIT_BIN) $(CLIENT_BIN)
	@tests/run

demo: deps $(LIB)
	@scripts/demo

bench: deps $(LIB) $(CLIENT_BIN)
	@scripts/bench

install: $(LIB)
	install -d $(DESTDIR)$(PREFIX)/lib/trustshim $(DESTDIR)$(PREFIX)/bin
	install -m 0644 $(LIB) $(DESTDIR)$(PREFIX)/lib/trustshim/libtrustshim.so
	install -m 0755 scripts/trustshim $(DESTDIR)$(PREFIX)/bin/trustshim
	install -m 0644 scripts/trustshim-lib.sh $(DESTDIR)$(PREFIX)/lib/trustshim/trustshim-lib.sh
	install -m 0755 scripts/trustshim-report scripts/trustshim-mkcert scripts/trustshim-doctor $(DESTDIR)$(PREFIX)/lib/trustshim/

clean:
	rm -rf $(BUILD) tests/.work

# ---- hardening (issue 8): fuzzing, sanitizer and valgrind runs, smoke ----
# Each tests/fuzz/fuzz_NAME.c is a libFuzzer target with a seed corpus in
# tests/fuzz/NAME/.  `make test` replays every corpus through a plain-gcc
# driver (no clang needed); `make fuzz FUZZ_SECONDS=N` fuzzes each target
# for N seconds with clang's libFuzzer, ASan and UBSan, FUZZ_JOBS at a time.
FUZZ_TARGETS = $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_SHIM    = shim/config.c shim/audit.c shim/record.c shim/flood.c shim/policy.c shim/anchors.c shim/der.c
FUZZ_DEPS    = tests/fuzz/replay.c $(wildcard tests/fuzz/*.h) $(FUZZ_SHIM) $(SHIM_HDR)
REPLAY_BIN   = $(patsubst %,$(BUILD)/fuzz-replay/%,$(FUZZ_TARGETS))
FUZZ_BIN     = $(patsubst %,$(BUILD)/fuzz/%,$(FUZZ_TARGETS))
FUZZ_CC     ?= clang
FUZZ_SECONDS ?= 60
FUZZ_JOBS   ?= 2

.PHONY: fuzz fuzz-build check-asan check-tsan check-valgrind smoke

$(BUILD)/fuzz-replay/%: tests/fuzz/fuzz_%.c $(FUZZ_DEPS)
	@mkdir -p $(@D)
	$(CC) $(WARN) -std=gnu11 -D_GNU_SOURCE -pthread -g -O1 -Ishim -Itests/fuzz $< tests/fuzz/replay.c $(FUZZ_SHIM) -o $@ -ldl

$(BUILD)/fuzz/%: tests/fuzz/fuzz_%.c $(FUZZ_DEPS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(WARN) -std=gnu11 -D_GNU_SOURCE -pthread -g -O1 -fno-omit-frame-pointer \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		-Ishim -Itests/fuzz $< $(FUZZ_SHIM) -o $@ -ldl

test: $(REPLAY_BIN)

fuzz-build: $(FUZZ_BIN)

fuzz: $(FUZZ_BIN)
	@FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_JOBS=$(FUZZ_JOBS) BUILD=$(BUILD) scripts/fuzz $(FUZZ_TARGETS)

check-asan:
	@scripts/check-asan

check-tsan:
	@scripts/check-tsan

# 70 ordinary programs with and without the preload: identical output, and
# the start-up cost per program (SMOKE_RUNS runs each).
SMOKE_RUNS ?= 10
smoke: $(LIB)
	@scripts/smoke --time $(SMOKE_RUNS)

check-valgrind:
	@scripts/check-valgrind
