#!/usr/bin/env bash
# A stand-in for scripts/kernels/bisect-run.sh in the tests of
# `harness triage bisect` (bisect_test.c): it boots nothing, it answers
# per package from BISECT_STANDIN, words PACKAGE=ANSWER in build order:
#   PASS | FAIL    a results.json with that result for the case (a FAIL
#                  carries the actual trace "changed")
#   TIMEOUT        a TIMEOUT
#   FAIL2          a FAIL with another trace (a second change)
#   noboot         a results.json saying the kernel did not boot
#   nothing        no results.json at all, status 1
# PASS@100 (any answer @SECONDS): the run.json beside says the suite
# took that long (harness triage bisect --slow).
# Every run appends the package to BISECT_STANDIN_LOG, so a test can see
# which packages were booted, in which order.
set -euo pipefail
answer() {
	local w
	for w in $BISECT_STANDIN; do
		[ "${w%%=*}" = "$1" ] && { echo "${w#*=}"; return; }
	done
	echo "standin: no answer for $1" >&2
	exit 3
}
case $1 in
list)
	on=0
	for w in $BISECT_STANDIN; do
		p=${w%%=*}
		[ "$p" = "$2" ] && on=1
		[ $on = 1 ] && echo "$p"
		[ "$p" = "$3" ] && on=0
	done
	;;
run)
	pkg=$2 dir=$3 name=$4 variant=${5:-}
	echo "$pkg" >>"$BISECT_STANDIN_LOG"
	mkdir -p "$dir"
	a=$(answer "$pkg")
	secs=1
	case $a in *@*) secs=${a#*@} a=${a%@*} ;; esac
	echo "{\"package\": \"$pkg\", \"suite_s\": \"$secs\"}" >"$dir/run.json"
	v=null
	[ -n "$variant" ] && v="\"$variant\""
	case $a in
	PASS) res="\"result\": \"PASS\"" ;;
	TIMEOUT) res="\"result\": \"TIMEOUT\", \"message\": \"timed out\", \"actual\": {\"exit\": \"none\", \"stdout\": \"\", \"stderr\": \"\", \"trace\": \"\"}" ;;
	FAIL) res="\"result\": \"FAIL\", \"diff\": \"d\", \"actual\": {\"exit\": \"exit 0\", \"stdout\": \"\", \"stderr\": \"\", \"trace\": \"changed\\n\"}" ;;
	FAIL2) res="\"result\": \"FAIL\", \"diff\": \"d\", \"actual\": {\"exit\": \"exit 0\", \"stdout\": \"\", \"stderr\": \"\", \"trace\": \"again\\n\"}" ;;
	noboot)
		echo "{\"fingerprint\": {\"kernel\": \"${pkg#linux-image-}\", \"kernel_run\": \"no-boot\", \"kernel_run_reason\": \"did not reach init\"}, \"results\": []}" >"$dir/results.json"
		exit 0
		;;
	nothing) exit 1 ;;
	esac
	echo "{\"fingerprint\": {\"kernel\": \"${pkg#linux-image-}\"}, \"results\": [{\"name\": \"$name\", \"variant\": $v, $res}]}" >"$dir/results.json"
	;;
esac
