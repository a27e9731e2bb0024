# Build for the ptrace platform, its harness and the conformance suite.
# Layout conventions (new files need no Makefile edit):
#   platform/*.c, platform/*/*.c, stub/*.S -> build/libplatform.a
#                                   (tests: platform/*_test.c, platform/*/*_test.c)
#   harness/**/*.c               -> build/libharness.a + build/harness (harness/cli/main.c)
#                                   (tests: harness/**/*_test.c, fuzz targets: *_fuzz.c)
#   fixtures/lib/*.{c,S}         -> build/fixtures/libguest.a (freestanding)
#   fixtures/<family>/<name>.c   -> build/fixtures/<family>/<name> (static, non-PIE)
# SANITIZE=1 builds into build-san/ with ASan+UBSan.

SHELL      := /bin/bash
CC         ?= gcc
SANITIZE   ?= 0
CFLAGS_STD := -std=gnu11 -Wall -Wextra -Werror -g -O2 -D_GNU_SOURCE -fno-omit-frame-pointer
ifeq ($(SANITIZE),1)
B          := build-san
CFLAGS_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined
else
B          := build
CFLAGS_SAN :=
endif
# Objects live apart from the binaries: build/harness is the harness itself.
O          := $(B)/obj
CFLAGS     := $(CFLAGS_STD) $(CFLAGS_SAN) -I. $(EXTRA_CFLAGS)
LDLIBS     := -lseccomp -ljansson -lpthread
TEST_LDLIBS:= -lcriterion $(LDLIBS)

PLATFORM_SRC := $(filter-out %_test.c,$(wildcard platform/*.c platform/*/*.c))
STUB_SRC     := $(wildcard stub/*.S)
PLATFORM_OBJ := $(PLATFORM_SRC:%.c=$(O)/%.o) $(STUB_SRC:%.S=$(O)/%.o)
# The unit tests link a variant of the library that exposes test-only entry
# points (PLAT_TESTING); the normal library does not have them.
PLATFORM_TOBJ:= $(PLATFORM_SRC:%.c=$(O)/testing/%.o) $(STUB_SRC:%.S=$(O)/%.o)
PLATFORM_TESTS := $(wildcard platform/*_test.c platform/*/*_test.c)

HARNESS_ALL  := $(shell find harness -name '*.c' 2>/dev/null | sort)
HARNESS_SRC  := $(filter-out %_test.c %_fuzz.c harness/cli/main.c,$(HARNESS_ALL))
HARNESS_OBJ  := $(HARNESS_SRC:%.c=$(O)/%.o)
HARNESS_TESTS:= $(filter %_test.c,$(HARNESS_ALL))
HARNESS_MAIN := $(wildcard harness/cli/main.c)

GUEST_LIB_SRC:= $(wildcard fixtures/lib/*.c fixtures/lib/*.S)
GUEST_LIB_OBJ:= $(patsubst %,$(B)/%.o,$(basename $(GUEST_LIB_SRC)))
FIXTURE_SRC  := $(filter-out fixtures/lib/%,$(shell find fixtures -name '*.c' 2>/dev/null | sort))
FIXTURES     := $(FIXTURE_SRC:%.c=$(B)/%)
GUEST_CFLAGS := -std=gnu11 -Wall -Wextra -Werror -O1 -g -ffreestanding -fno-builtin \
                -fno-stack-protector -fno-pie -no-pie -nostdlib -static -fcf-protection=none \
                -mno-red-zone -Ifixtures/lib

UNIT_BINS := $(if $(PLATFORM_TESTS),$(B)/tests/platform_tests) $(if $(HARNESS_TESTS),$(B)/tests/harness_tests)

.PHONY: all deps check unit suite clean fixtures debug
.DEFAULT_GOAL := all

all: $(B)/libplatform.a $(if $(HARNESS_SRC),$(B)/libharness.a) $(if $(HARNESS_MAIN),$(B)/harness) fixtures

deps:
	@scripts/deps.sh

fixtures: $(FIXTURES)

$(O)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(O)/testing/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -DPLAT_TESTING -MMD -MP -c $< -o $@

$(O)/stub/%.o: stub/%.S
	@mkdir -p $(dir $@)
	$(CC) -MMD -MP -c $< -o $@

# Archives are written afresh: ar r keeps members whose source moved or
# went away, and a stale copy of a moved file can win at link time.
$(B)/libplatform.a: $(PLATFORM_OBJ)
	rm -f $@ && ar rcs $@ $^

$(B)/libplatform-testing.a: $(PLATFORM_TOBJ)
	rm -f $@ && ar rcs $@ $^

$(B)/libharness.a: $(HARNESS_OBJ)
	rm -f $@ && ar rcs $@ $^

$(B)/harness: $(O)/harness/cli/main.o $(B)/libharness.a $(B)/libplatform.a
	$(CC) $(CFLAGS) $^ $(LDLIBS) -o $@

# Every Criterion binary links tools/criterion/lsan_runner.o (see there).
CRITERION_RUNNER := $(O)/tools/criterion/lsan_runner.o

$(B)/tests/platform_tests: $(PLATFORM_TESTS:%.c=$(O)/testing/%.o) $(CRITERION_RUNNER) $(B)/libplatform-testing.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $^ $(TEST_LDLIBS) -o $@

$(B)/tests/harness_tests: $(HARNESS_TESTS:%.c=$(O)/%.o) $(CRITERION_RUNNER) $(B)/libharness.a $(B)/libplatform.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $^ $(TEST_LDLIBS) -o $@

# Guest code: freestanding, static, never instrumented by the sanitizers.
# Archives are written afresh: `ar r` on an old one keeps its member order,
# and the order decides where the linker puts library code, so a rebuilt
# fixture would get other addresses than a clean build (golden traces).
$(B)/fixtures/lib/%.o: fixtures/lib/%.c
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS) -MMD -MP -c $< -o $@
$(B)/fixtures/lib/%.o: fixtures/lib/%.S
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS) -MMD -MP -c $< -o $@
$(B)/fixtures/libguest.a: $(GUEST_LIB_OBJ)
	rm -f $@ && ar rcs $@ $^
# -MMD: a fixture is rebuilt when a header it includes (catch.h, sig.h)
# changes; the .d files sit beside the binaries.
$(B)/fixtures/%: fixtures/%.c $(B)/fixtures/libguest.a
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS) -MMD -MP -MF $@.d $< $(B)/fixtures/libguest.a -lgcc -o $@

# Unit tests: Criterion, one binary per tree, run against the real kernel.
unit: deps $(UNIT_BINS) fixtures
	@set -e; for t in $(UNIT_BINS); do echo "== $$t"; scripts/run-unit.sh $$t --jobs=2 $(UNIT_ARGS); done
	@echo "== runner end-to-end (fake sentry)"
	@SANITIZE=$(SANITIZE) harness/runner/e2e.sh

# The conformance suite (S1-S12, O1-O3), both variants by default.
SUITE_ARGS ?=
HARNESS_SUITE = $(B)/harness suite --fixtures $(B)/fixtures $(SUITE_ARGS)

check: deps
	@scripts/check-binaries.sh
	@scripts/check-format.sh
	@$(MAKE) --no-print-directory unit
	@$(MAKE) --no-print-directory all
	$(HARNESS_SUITE)
	@scripts/check-no-stubs.sh
	@$(MAKE) --no-print-directory knockouts

suite: deps
	@$(MAKE) --no-print-directory all
	$(HARNESS_SUITE)

# One case under gdb, in the foreground: make debug CASE=smoke/hello
debug: all
	@test -n "$(CASE)" || { echo "usage: make debug CASE=family/name" >&2; exit 2; }
	gdb -q -x scripts/harness.gdb --args $(B)/harness run --verbose --case $(CASE) --fixtures $(B)/fixtures

clean:
	rm -rf build build-san

# Extra targets owned by one part of the tree (fuzzing, ...).
-include $(sort $(wildcard mk/*.mk))

-include $(shell find $(O) $(B)/fixtures -name '*.d' 2>/dev/null)
