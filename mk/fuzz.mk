# Fuzzing with libFuzzer (clang). `make fuzz` runs every fuzz target; a
# part of the tree adds its own with a `fuzz: fuzz-<name>` line. Each target
# runs for FUZZ_SECONDS; its corpus grows in $(B)/fuzz/corpus-<name>, and a
# crashing input is written as $(B)/fuzz/crash-* (replay: pass the file to
# the fuzz binary).

FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
# UBSan must not recover, or libFuzzer never sees the undefined behaviour.
FUZZ_CFLAGS  := -std=gnu11 -Wall -Wextra -Werror -g -O1 -fsanitize=fuzzer,address,undefined \
                -fno-sanitize-recover=undefined -D_GNU_SOURCE -I.
FUZZ_RUN      = -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 -artifact_prefix=$(B)/fuzz/

.PHONY: fuzz fuzz-loader
fuzz: fuzz-loader

# S4: the loader, on any file.
LOADER_FUZZ_SRC := harness/sentry/loader_fuzz.c harness/sentry/loader.c
LOADER_SEEDS    := $(addprefix $(B)/fuzz/corpus-loader/seed-,exec pie exec-onepage)

$(B)/fuzz/loader_fuzz: $(LOADER_FUZZ_SRC) harness/sentry/loader.h harness/sentry/loader_fake.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(LOADER_FUZZ_SRC) -o $@

# Seeds: a tiny static program with text, data and bss, linked three ways.
$(B)/fuzz/corpus-loader/seed-exec: harness/sentry/loader_fuzz_seed.S
	@mkdir -p $(dir $@)
	$(CC) -static -nostdlib -Wl,--build-id=none $< -o $@
$(B)/fuzz/corpus-loader/seed-pie: harness/sentry/loader_fuzz_seed.S
	@mkdir -p $(dir $@)
	$(CC) -static-pie -nostdlib -Wl,--build-id=none $< -o $@
$(B)/fuzz/corpus-loader/seed-exec-onepage: harness/sentry/loader_fuzz_seed.S
	@mkdir -p $(dir $@)
	$(CC) -static -nostdlib -Wl,--build-id=none -Wl,-z,noseparate-code $< -o $@

fuzz-loader: $(B)/fuzz/loader_fuzz $(LOADER_SEEDS)
	$< $(FUZZ_RUN) $(B)/fuzz/corpus-loader

# Cases: the parser and the bless round trip, on any bytes.
.PHONY: fuzz-case
fuzz: fuzz-case
CASE_FUZZ_SRC := harness/case/case_fuzz.c harness/case/case.c harness/case/case_format.c harness/chaos/case_chaos.c harness/util/words.c \
                 harness/util/hbuf.c harness/util/signame.c harness/util/utf8.c

$(B)/fuzz/case_fuzz: $(CASE_FUZZ_SRC) harness/case/case.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(CASE_FUZZ_SRC) -o $@

fuzz-case: $(B)/fuzz/case_fuzz
	@mkdir -p $(B)/fuzz/corpus-case
	cp -n $(shell find cases -name '*.case' 2>/dev/null | head -50) harness/case/CASES.md $(B)/fuzz/corpus-case/ 2>/dev/null || true
	$< $(FUZZ_RUN) $(B)/fuzz/corpus-case

# Guests: fixtures/fuzz/guest_fuzz through `harness run`, FUZZ_SEEDS seeds
# from FUZZ_FIRST_SEED, each run twice (reproducible), each run killed
# after FUZZ_GUEST_TIMEOUT s: no harness crash, no hang, no stub left
# behind (scripts/fuzz-guest.sh). Failing seeds: $(B)/fuzz/guest/seed-N/.
.PHONY: fuzz-guest
fuzz: fuzz-guest
FUZZ_SEEDS         ?= 200
FUZZ_FIRST_SEED    ?= 1
FUZZ_GUEST_TIMEOUT ?= 120

fuzz-guest: $(B)/harness $(B)/fixtures/fuzz/guest_fuzz
	scripts/fuzz-guest.sh $(B)/harness $(B)/fixtures/fuzz/guest_fuzz $(FUZZ_SEEDS) \
		$(FUZZ_GUEST_TIMEOUT) $(B)/fuzz/guest $(FUZZ_FIRST_SEED)
