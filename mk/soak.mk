# Soak: the whole suite SOAK_ROUNDS times in ONE harness
# process (`harness soak`, harness/runner/soak.c), -j = the CPUs. After each
# round it prints the runner's VmRSS, open fds, threads and the stub
# processes left on the system; it fails when a round fails or the figures
# do not stay flat (fds and threads as after round 1, no stub, VmRSS of the
# last round within max(10%, 2 MiB) of round 2). KTAP of every round:
# $(B)/soak/ktap.txt; reports of the last round: $(B)/soak/.
.PHONY: soak
SOAK_ROUNDS ?= 20
SOAK_JOBS   ?= $(shell nproc)

soak: deps
	@$(MAKE) --no-print-directory all
	@mkdir -p $(B)/soak
	$(B)/harness soak --rounds $(SOAK_ROUNDS) -j $(SOAK_JOBS) --fixtures $(B)/fixtures \
		--report-dir $(B)/soak $(SUITE_ARGS) > $(B)/soak/ktap.txt
	@scripts/check-no-stubs.sh
