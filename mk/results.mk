# The results of a real harness suite end to end (harness/runner/
# results_e2e.sh): SIGINT and SIGTERM mid-run give reports with NOTRUN
# results, status 130 and 143 and no stub left; a case the host itself
# fails is HOSTFAIL. About 10 s; part of make check.
.PHONY: results-e2e
check: results-e2e

results-e2e: deps
	@$(MAKE) --no-print-directory all
	@SANITIZE=$(SANITIZE) harness/runner/results_e2e.sh
