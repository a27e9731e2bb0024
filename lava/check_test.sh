#!/usr/bin/env bash
# lava/check.py must fail on broken files, naming the file and the
# problem: copies of lava/*.yaml with one mistake each, the first ones
# caught only by LAVA's own schemas (lava-common), the last ones only by
# this tree's rules. Run by make check (mk/lava.mk).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PY=${LAVA_PYTHON:-/usr/bin/python3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0

# broken NAME SOURCE SED-SCRIPT EXPECTED-MESSAGE
broken() {
	local f=$tmp/$1.yaml err status=0
	sed -e "$3" "$2" >"$f"
	cmp -s "$f" "$2" && { echo "lava check_test: $1: the sed script changed nothing" >&2; exit 1; }
	err=$("$PY" lava/check.py "$f" 2>&1) || status=$?
	if ((status != 1)) || [[ $err != *"$f: $4"* ]]; then
		echo "lava check_test: $1: want status 1 and '$f: $4', got $status: $err" >&2
		exit 1
	fi
	n=$((n + 1))
}

broken no-visibility lava/job-qemu.yaml '/^visibility:/d' \
	"LAVA job schema: required key not provided @ data['visibility']"
broken boot-typo lava/job-qemu.yaml 's/^      method: qemu/      methd: qemu/' \
	"LAVA job schema: unknown action type @ data['actions']['boot']"
broken timeout-string lava/job-qemu.yaml '0,/minutes: 150/s//minutes: "150"/' \
	"LAVA job schema: extra keys not allowed @ data['timeouts']['job']['minutes']"
broken testdef-format lava/ptrace-suite.yaml 's/Test Definition 1.0/Test Definition 2.0/' \
	"LAVA test definition schema: not a valid value for dictionary value @ data['metadata']['format']"
broken testdef-path lava/job-qemu.yaml 's|path: lava/ptrace-suite.yaml|path: lava/missing.yaml|' \
	"test definition path lava/missing.yaml is not in the tree"
broken step-script lava/ptrace-suite.yaml 's|\./lava/run.sh|./lava/gone.sh|' \
	"run.steps[0]: ./lava/gone.sh is not an executable file of the tree"
echo "lava: check.py fails on $n broken files"
