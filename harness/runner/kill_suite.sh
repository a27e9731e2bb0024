#!/usr/bin/env bash
# P25 end to end, checked from outside: a real `harness suite` SIGKILLed
# while its cases run must leave no process behind: no job child, no
# master stub, no stub process. The suite runs lifecycle/ cases (forks,
# blocked threads, pooled stubs) with -j2 in a session of its own; once a
# stub process exists we record every descendant of the harness, SIGKILL
# the harness alone (not its process group) and wait, bounded, until
# every recorded process is gone. PDEATHSIG takes the job children,
# PTRACE_O_EXITKILL and PDEATHSIG the stubs (P25).
#
#   harness/runner/kill_suite.sh        (after make all; uses build/)
#   SANITIZE=1 harness/runner/kill_suite.sh   (build-san/)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
B=build
[[ ${SANITIZE:-0} == 1 ]] && B=build-san
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

. harness/runner/proc_lib.sh

setsid "$B/harness" suite -j2 --fixtures "$B/fixtures" --report-dir "$tmp/reports" \
	lifecycle/ >"$tmp/out" 2>&1 &
harness=$!
procs=() stubs=0
for _ in $(seq 400); do # poll /proc: up to 20 s for a stub to exist
	procs=($(descendants "$harness"))
	stubs=0
	for p in "${procs[@]}"; do is_stub "$p" && stubs=$((stubs + 1)); done
	((stubs > 0)) && break
	sleep 0.05
done
if ((stubs == 0)); then
	kill -KILL "$harness" 2>/dev/null || true
	echo "kill_suite: FAIL: no stub process appeared within 20 s" >&2
	exit 1
fi
kill -KILL "$harness"
wait "$harness" 2>/dev/null || true
for _ in $(seq 200); do # up to 10 s for every recorded process to go
	left=($(alive "${procs[@]}"))
	((${#left[@]} == 0)) && break
	sleep 0.05
done
if ((${#left[@]})); then
	echo "kill_suite: FAIL: left behind after SIGKILL of the harness: ${left[*]}" >&2
	for p in "${left[@]}"; do
		echo "  $p $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null) $(grep -E '^(State|TracerPid)' "/proc/$p/status" 2>/dev/null | tr '\n' ' ')" >&2
	done
	exit 1
fi
echo "kill_suite: ok: ${#procs[@]} processes (${stubs} stub processes) gone after SIGKILL of the harness"
