# make bench: side-by-side figures for the platform, with their
# ratios to a pipe round trip; see bench/README.md. Never part of make
# check. Knobs: BENCH_ROUNDS (5), BENCH_SCALE (1: ops per repetition),
# BENCH_CPU (0), BENCH_SUITE (suite patterns; empty: every case; none: no
# suite), BENCH_ONLY (comma-separated figure names), BENCH_OUT. make
# bench-runs: BENCH_RUNS runs in a row and the README table from them.
#
#   bench/*.c (but uml_init.c) -> build/bench/bench, linked with libplatform.a
#   bench/uml_init.c           -> build/bench/uml-root/bench (static: UML's init)

BENCH_SRC     := $(filter-out bench/uml_init.c,$(wildcard bench/*.c))
BENCH_BIN     := $(B)/bench/bench
BENCH_UMLROOT := $(B)/bench/uml-root

.PHONY: bench bench-runs

$(BENCH_BIN): $(BENCH_SRC:%.c=$(O)/%.o) $(B)/libplatform.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $^ $(LDLIBS) -o $@

# The hostfs root UML boots: this binary as /bench, and empty dev, proc, tmp.
$(BENCH_UMLROOT)/bench: bench/uml_init.c
	@mkdir -p $(BENCH_UMLROOT)/dev $(BENCH_UMLROOT)/proc $(BENCH_UMLROOT)/tmp
	$(CC) -std=gnu11 -Wall -Wextra -Werror -O2 -static $< -o $@

bench: deps
	@$(MAKE) --no-print-directory all $(BENCH_BIN) $(BENCH_UMLROOT)/bench
	@B=$(B) bench/run.sh

# BENCH_RUNS (3) runs of make bench and bench/README.md's table from them.
bench-runs: deps
	@$(MAKE) --no-print-directory all $(BENCH_BIN) $(BENCH_UMLROOT)/bench
	@B=$(B) bench/runs.sh
