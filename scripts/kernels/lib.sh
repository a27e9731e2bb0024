# Shared by the scripts of `make kernels` (sourced, not run).

# The release a Debian kernel package boots as: its name without the
# linux-image- prefix (Debian names the package after `uname -r`).
release_of() {
	echo "${1#linux-image-}"
}

# A JSON string from stdin: backslashes and quotes escaped, control bytes
# dropped, lines joined with \n.
json_text() {
	LC_ALL=C tr -d '\000-\011\013-\037\177-\377' |
		sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' |
		awk 'BEGIN { ORS = "" } { if (NR > 1) print "\\n"; print }'
}

# run.json beside a kernel's results: how the run went, flat strings.
# write_run DIR key value key value...
write_run() {
	local dir=$1 sep='{'
	shift
	mkdir -p "$dir"
	{
		while [ $# -ge 2 ]; do
			printf '%s\n  "%s": "%s"' "$sep" "$1" "$(printf '%s' "$2" | json_text)"
			sep=,
			shift 2
		done
		printf '\n}\n'
	} >"$dir/run.json.tmp" && mv "$dir/run.json.tmp" "$dir/run.json"
}

# results.json for a kernel that gave no results (did not boot, did not
# answer in time, sent a damaged file): the same shape as the harness's,
# no results, and the reason in the fingerprint so `harness triage` shows
# the kernel as such. write_noresult DIR RELEASE STATUS REASON LOGFILE
write_noresult() {
	local dir=$1 rel=$2 status=$3 reason=$4 log=$5 tail=""
	[ -f "$log" ] && tail=$(tr -d '\r' <"$log" | tail -n 30 | json_text)
	mkdir -p "$dir"
	cat >"$dir/results.json.tmp" <<JSON
{
  "fingerprint": {
    "kernel": "$(printf '%s' "$rel" | json_text)",
    "kernel_run": "$status",
    "kernel_run_reason": "$(printf '%s' "$reason" | json_text)",
    "console_tail": "$tail"
  },
  "results": [],
  "totals": {"pass": 0, "fail": 0, "xfail": 0, "xpass": 0, "skip": 0, "error": 0, "timeout": 0, "hostfail": 0, "notrun": 0, "total": 0}
}
JSON
	mv "$dir/results.json.tmp" "$dir/results.json"
}

# The totals line of a results.json, for the summary.
totals_of() {
	grep -o '"totals": {[^}]*}' "$1" 2>/dev/null | sed -e 's/"totals": {//' -e 's/[}"]//g' -e 's/, / /g'
}
