# Process helpers for the runner's shell tests (kill_suite.sh,
# results_e2e.sh); sourced, not run.

# Every descendant of $1, from one snapshot of the process table.
descendants() {
	ps -e -o pid=,ppid= | awk -v root="$1" '
		{ kids[$2] = kids[$2] " " $1 }
		END {
			n = split(kids[root], q, " ")
			for (i = 1; i <= n; i++) {
				print q[i]
				m = split(kids[q[i]], more, " ")
				for (j = 1; j <= m; j++) q[++n] = more[j]
			}
		}'
}

is_stub() { # only the stub page and [vsyscall] mapped (P4)
	local maps
	maps=$(grep -vc '\[vsyscall\]' "/proc/$1/maps" 2>/dev/null) || return 1
	[[ $maps == 1 ]]
}

# The processes of "$@" still alive (not zombies), on stdout.
alive() {
	local p
	for p in "$@"; do
		[[ -d /proc/$p ]] && [[ $(awk '{sub(/.*\) /, ""); print $1}' "/proc/$p/stat" 2>/dev/null) != Z ]] &&
			echo "$p"
	done
	return 0
}
