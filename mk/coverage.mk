# make coverage: an instrumented build in build-cov/ (gcov,
# -DCOVERAGE: see platform/coverage.h for the processes that leave by
# _exit, execve or a signal), the unit tests and the whole suite in both
# variants, then lcov with branch coverage and genhtml into
# reports/coverage/. Fixtures (never instrumented), tests and /usr are left
# out. The run fails when a test fails or a directory is below its floor:
#   platform/  90 % of lines and 75 % of branches;   harness/  80 % of lines.
# The floors are part of the contract: raise them, never lower them.

COV_B     := build-cov
COV_OUT   := reports/coverage
COV_FLAGS := --coverage -fprofile-update=atomic -DCOVERAGE
# B and COVERAGE on the command line reach every rule and e2e.sh.
COV_MAKE   = $(MAKE) --no-print-directory B=$(COV_B) COVERAGE=1 SANITIZE=0 EXTRA_CFLAGS='$(COV_FLAGS)'
# lcov 1.16 (Debian 12) spells branch coverage as an rc option.
LCOV      := lcov --quiet --rc lcov_branch_coverage=1
COV_SCALE ?= 3

.PHONY: coverage coverage-report clean-coverage

coverage: deps
	@+$(COV_MAKE) all $(COV_B)/tests/platform_tests $(COV_B)/tests/harness_tests
	@find $(COV_B) -name '*.gcda' -delete
	@rm -rf $(COV_OUT) $(COV_B)/failed; mkdir -p $(COV_B)
	@+$(COV_MAKE) unit || echo unit > $(COV_B)/failed
	@$(COV_B)/harness suite --fixtures $(COV_B)/fixtures --report-dir $(COV_B)/suite \
		--timeout-scale $(COV_SCALE) || echo suite >> $(COV_B)/failed
	@+$(MAKE) --no-print-directory coverage-report
	@if [ -s $(COV_B)/failed ]; then \
		echo "coverage: failed: $$(tr '\n' ' ' < $(COV_B)/failed)(the report is still in $(COV_OUT)/)" >&2; exit 1; fi

# The report and the floors alone, from the counters already in build-cov/.
coverage-report:
	@$(LCOV) --capture --initial --directory $(COV_B) --base-directory . -o $(COV_B)/base.info
	@$(LCOV) --capture --directory $(COV_B) --base-directory . -o $(COV_B)/run.info
	@$(LCOV) -a $(COV_B)/base.info -a $(COV_B)/run.info -o $(COV_B)/all.info
	@$(LCOV) --remove $(COV_B)/all.info '/usr/*' '*/fixtures/*' '*_test.c' '*/test_guest.h' \
		'*.inc' -o $(COV_B)/coverage.info
	@$(LCOV) --extract $(COV_B)/coverage.info '$(CURDIR)/platform/*' -o $(COV_B)/platform.info
	@$(LCOV) --extract $(COV_B)/coverage.info '$(CURDIR)/harness/*' -o $(COV_B)/harness.info
	@genhtml --quiet --branch-coverage --rc lcov_branch_coverage=1 --prefix $(CURDIR) \
		--title 'ptrace platform: unit tests + suite' -o $(COV_OUT) $(COV_B)/coverage.info
	@echo "== coverage (all of it; HTML: $(COV_OUT)/index.html)"
	@lcov --rc lcov_branch_coverage=1 --summary $(COV_B)/coverage.info 2>&1 | grep -E '^ *(lines|functions|branches)'
	@scripts/coverage-floor.sh platform $(COV_B)/platform.info 90 75
	@scripts/coverage-floor.sh harness $(COV_B)/harness.info 80 0

clean: clean-coverage
clean-coverage:
	rm -rf $(COV_B) $(COV_OUT)
