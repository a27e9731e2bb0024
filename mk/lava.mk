# LAVA: lava/ptrace-suite.yaml runs the suite in a lab
# (docs/lab.md). `make check` validates the job and the test definition
# against LAVA's own schemas (Debian's lava-common) plus this tree's rules
# (lava/check.py), shows that broken copies fail (lava/check_test.sh), and
# checks the KTAP to lava-test-case mapping on a sample. lava-common is
# installed for Debian's Python: LAVA_PYTHON, not whatever python3 comes
# first in PATH.
LAVA_PYTHON ?= /usr/bin/python3

.PHONY: lava-check
check: lava-check

lava-check: deps
	@$(LAVA_PYTHON) lava/check.py lava/*.yaml
	@LAVA_PYTHON=$(LAVA_PYTHON) lava/check_test.sh
	@printf '  ok 1 smoke/hello [lazy]\n  ok 2 f/x # XFAIL ref\n  ok 3 f/y [full-state] # SKIP no avx\n  not ok 4 f/z\n  not ok 5 f/e # ERROR broke\n  not ok 6 f/p # XPASS stale\n  ok 7 f/h [lazy] # SKIP host fails it too: native run: x\n  not ok 8 f/n # NOTRUN not run: interrupted\n' | \
	 lava/ktap-to-lava.sh | diff -u - <(printf '%s\n' 'smoke.hello.lazy pass' 'f.x pass' \
	 'f.y.full-state skip' 'f.z fail' 'f.e unknown' 'f.p fail' 'f.h.lazy skip' 'f.n unknown') && echo "lava: ktap-to-lava ok"
