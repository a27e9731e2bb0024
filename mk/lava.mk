# LAVA: lava/ptrace-suite.yaml runs the suite in a lab
# (docs/lab.md). `make check` parses the YAML files with python3-yaml and
# checks the fields LAVA requires (lava/check.py), and checks the KTAP to
# lava-test-case mapping on a sample.

.PHONY: lava-check
check: lava-check

lava-check: deps
	@python3 lava/check.py lava/*.yaml
	@printf '  ok 1 smoke/hello [lazy]\n  ok 2 f/x # XFAIL ref\n  ok 3 f/y [full-state] # SKIP no avx\n  not ok 4 f/z\n  not ok 5 f/e # ERROR broke\n  not ok 6 f/p # XPASS stale\n' | \
	 lava/ktap-to-lava.sh | diff -u - <(printf '%s\n' 'smoke.hello.lazy pass' 'f.x pass' \
	 'f.y.full-state skip' 'f.z fail' 'f.e unknown' 'f.p fail') && echo "lava: ktap-to-lava ok"
