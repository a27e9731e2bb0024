#!/bin/sh
# KTAP from `harness suite` on stdin -> "NAME RESULT" lines on stdout,
# one per case and variant, for lava-test-case. LAVA test case names
# allow letters, digits, '_', '-' and '.': "smoke/hello [lazy]" becomes
# "smoke.hello.lazy". Results: PASS and XFAIL (a listed known failure)
# -> pass; SKIP (HOSTFAIL too: KTAP writes it as a SKIP) -> skip; FAIL,
# XPASS, TIMEOUT -> fail; ERROR (the harness or the environment broke,
# not the kernel) and NOTRUN (the run was interrupted first) -> unknown.
exec awk '
/^  (ok|not ok) [0-9]+ / {
	line = $0
	sub(/^  /, "", line)
	ok = line ~ /^ok /
	sub(/^(ok|not ok) [0-9]+ /, "", line)
	dir = ""
	if (match(line, / # [A-Z]+/)) {
		dir = substr(line, RSTART + 3, RLENGTH - 3)
		line = substr(line, 1, RSTART - 1)
	}
	name = line
	gsub(/[][]/, "", name)
	gsub(/[^A-Za-z0-9_.-]+/, ".", name)
	sub(/\.$/, "", name)
	if (dir == "SKIP") r = "skip"
	else if (dir == "ERROR" || dir == "NOTRUN") r = "unknown"
	else if (dir == "XFAIL") r = "pass"
	else r = ok ? "pass" : "fail"
	print name, r
}'
