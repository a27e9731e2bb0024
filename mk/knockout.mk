# Feature knockouts. build/knockout runs a program under a
# seccomp filter that makes chosen ptrace requests or syscalls fail
# (tools/knockout/knockout.h), so the platform's fallback paths run on this
# kernel. `make knockouts` (part of make check) runs the suite once under
# each knockout the platform claims to survive, on the families and the
# variant that exercise the knocked-out path (README, "Feature knockouts").

KO_OBJ := $(O)/tools/knockout/knockout.o

all: $(B)/knockout
$(B)/knockout: $(O)/tools/knockout/main.o $(KO_OBJ)
	$(CC) $(CFLAGS) $^ $(LDLIBS) -o $@

# The platform's fallback tests (platform/fallback_test.c) install
# knockouts in their own process.
$(B)/tests/platform_tests: $(KO_OBJ)

$(B)/tests/knockout_tests: $(O)/tools/knockout/knockout_test.o $(CRITERION_RUNNER) $(KO_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $^ $(TEST_LDLIBS) -o $@
UNIT_BINS += $(B)/tests/knockout_tests
unit: $(B)/tests/knockout_tests

# No XSTATE regset in either direction: FP state moves with
# PTRACE_GETFPREGS/SETFPREGS. full-state moves it on every switch; the
# families are those whose guests use signal frames and FP state.
KO_xstate       := --deny PTRACE_GETREGSET:NT_X86_XSTATE --deny PTRACE_SETREGSET:NT_X86_XSTATE
KO_xstate_SUITE := --variant full-state abi/ signals/ faults/ memory/ smoke/
# No PTRACE_O_EXITKILL (before 3.8): stubs die by PDEATHSIG alone (P25).
# The families whose cases kill processes, exit tracer threads and re-key.
KO_exitkill       := --deny PTRACE_SETOPTIONS:PTRACE_O_EXITKILL --deny PTRACE_SEIZE:PTRACE_O_EXITKILL
KO_exitkill_SUITE := --variant lazy smoke/ threads/ process/
KNOCKOUTS := xstate exitkill
KO_ARGS   ?=

.PHONY: knockouts $(KNOCKOUTS:%=knockout-%)
knockouts: all
	@set -e; for k in $(KNOCKOUTS); do $(MAKE) --no-print-directory knockout-$$k; done

$(KNOCKOUTS:%=knockout-%): knockout-%: all
	@echo "== knockout $*: $(KO_$*)"
	$(B)/knockout $(KO_$*) -- $(B)/harness suite --fixtures $(B)/fixtures \
		--report-dir reports/knockout/$* $(KO_$*_SUITE) $(KO_ARGS)
	@scripts/check-no-stubs.sh
