#!/usr/bin/env bash
# Runs the cases that ask for the native oracle (O3) directly on the host
# kernel and checks their stdout, stderr (when the case has a section) and
# exit status against the case file. It documents and verifies the
# expectations until the harness can (harness/case/CASES.md has the format).
#
#   cases/check_native.sh [-v] [-b BUILD_DIR] [CASE_FILE_OR_DIR...]
#
# Default: every cases/**/*.case; fixtures from BUILD_DIR/fixtures (default
# build/, relative to the repository). Cases without `native` in their
# oracle list are skipped: they must never run on the host. Exit status 0
# when every checked case matches, 1 on a mismatch, 2 on a usage or
# case-file problem. Needs bash and coreutils only.
#
# How a case is run: with exactly the case's environment (env -i), its argv
# (quoted as in CASES.md, never expanded), its stdin section (else
# /dev/null), the case's timeout (default 10 s), and core dumps off. The
# host reports a core dump only when RLIMIT_CORE allows one, so for
# `exit: signal NAME core` only the signal is compared.
#
# Fixtures that read 0x7fffffff0000 (faults/stub_read) expect nothing to be
# mapped there, which holds with address-space randomisation on (the
# default): with it off the native stack covers that page.

set -u
shopt -s globstar nullglob

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$root/build
verbose=0

usage() {
	echo "usage: $0 [-v] [-b BUILD_DIR] [CASE_FILE_OR_DIR...]" >&2
	exit 2
}

while getopts vb: opt; do
	case $opt in
	v) verbose=1 ;;
	b) build=$(cd "$OPTARG" && pwd) || exit 2 ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))

if [[ $(cat /proc/sys/kernel/randomize_va_space 2>/dev/null) == 0 ]]; then
	echo "warning: address-space randomisation is off; faults/stub_read will not fault natively" >&2
fi

# Splits $1 into the array WORDS with the quoting of harness/util/words.c:
# '...' literal, "..." with \" and \\, \x outside quotes is x, blanks
# separate words. Returns 1 with the reason in WHY on a quoting error.
split_words() {
	local s=$1 i=0 n=${#1} c w
	WORDS=()
	while ((i < n)); do
		while ((i < n)) && [[ ${s:i:1} == [$' \t'] ]]; do
			((i++))
		done
		((i < n)) || break
		w=''
		while ((i < n)) && [[ ${s:i:1} != [$' \t'] ]]; do
			c=${s:i:1}
			if [[ $c == "'" ]]; then
				((i++))
				while ((i < n)) && [[ ${s:i:1} != "'" ]]; do
					w+=${s:i:1}
					((i++))
				done
				((i < n)) || { WHY="unterminated ' quote"; return 1; }
				((i++))
			elif [[ $c == '"' ]]; then
				((i++))
				while ((i < n)) && [[ ${s:i:1} != '"' ]]; do
					c=${s:i:1}
					if [[ $c == '\' && ${s:i+1:1} == [\"\\] ]]; then
						((i++))
						c=${s:i:1}
					fi
					w+=$c
					((i++))
				done
				((i < n)) || { WHY='unterminated " quote'; return 1; }
				((i++))
			elif [[ $c == '\' ]]; then
				((i + 1 < n)) || { WHY='backslash at end of line'; return 1; }
				w+=${s:i+1:1}
				((i += 2))
			else
				w+=$c
				((i++))
			fi
		done
		WORDS+=("$w")
	done
	return 0
}

# Signal number for a name; "" when unknown.
signum() {
	local n
	n=$(kill -l "${1#SIG}" 2>/dev/null) || return 1
	echo "$n"
}

# Parses case file $1 into K_* variables and section files under $2.
# Returns 1 with a message on a format problem.
parse_case() {
	local file=$1 dir=$2 line lineno=0 sect='' key val noeol=0 in_section=''
	K_fixture='' K_args='' K_env='' K_oracle='' K_exit='' K_timeout=''
	HAVE_stdin=0 HAVE_stdout=0 HAVE_stderr=0
	finish_section() {
		[[ -n $sect && $sect != trace ]] || return 0
		if ((noeol)); then
			# Drop the newline before the next header.
			local f=$dir/$sect
			local size
			size=$(stat -c %s "$f")
			((size > 0)) && truncate -s $((size - 1)) "$f"
		fi
	}
	while IFS= read -r line || [[ -n $line ]]; do
		((lineno++))
		# Inside a section only an exact header ends it (harness/case/case.h):
		# traces hold "--- fault ..." and "--- SIGSEGV {...} ---" lines.
		if [[ $line == '--- '* && ( -z $sect$in_section ||
			$line =~ ^---\ (stdin|stdout|stderr|trace)(\ noeol)?$|^---\ end$ ) ]]; then
			in_section=1
			finish_section
			set -- ${line#--- }
			sect=${1:-} noeol=0
			[[ ${2:-} == noeol ]] && noeol=1
			case $sect in
			end) sect=''; break ;;
			stdin | stdout | stderr)
				: >"$dir/$sect"
				printf -v "HAVE_$sect" 1 ;;
			trace) ;;
			*) echo "$file:$lineno: unknown section '$sect'"; return 1 ;;
			esac
			continue
		fi
		if [[ -n $sect ]]; then
			[[ $sect == trace ]] || printf '%s\n' "$line" >>"$dir/$sect"
			continue
		fi
		[[ -z ${line//[$' \t']/} || $line == '#'* ]] && continue
		key=${line%%:*}
		[[ $line == *:* && $key =~ ^[a-z]+$ ]] ||
			{ echo "$file:$lineno: expected 'key: value'"; return 1; }
		val=${line#*:}
		val=${val#"${val%%[![:blank:]]*}"}
		val=${val%"${val##*[![:blank:]]}"}
		case $key in
		fixture | args | env | oracle | exit | timeout) printf -v "K_$key" '%s' "$val" ;;
		# chaos and expect cases never ask for native (harness/case/CASES.md).
		description | requires | features | variants | expect | chaos) ;;
		*) echo "$file:$lineno: unknown key '$key'"; return 1 ;;
		esac
	done <"$file"
	finish_section
	[[ -n $K_fixture ]] || { echo "$file: no fixture"; return 1; }
	[[ -n $K_oracle ]] || { echo "$file: no oracle"; return 1; }
	return 0
}

# Expected status in the form bash reports it ($?), or "" if unchecked.
expected_status() {
	local e=$1 n
	case $e in
	'') echo '' ;;
	signal\ *)
		set -- $e
		n=$(signum "$2") || return 1
		echo $((128 + n)) ;;
	*) [[ $e =~ ^[0-9]+$ ]] || return 1; echo "$e" ;;
	esac
}

# Byte-exact comparison of two files without diffutils: checksums, then
# on a mismatch the first line that differs (or which file is longer).
same_file() {
	[[ $(cksum <"$1") == "$(cksum <"$2")" ]]
}

first_difference() {
	local -a a b
	local i
	mapfile -t a <"$1"
	mapfile -t b <"$2"
	for ((i = 0; i < ${#a[@]} || i < ${#b[@]}; i++)); do
		if ((i >= ${#a[@]})); then
			echo "line $((i + 1)): unexpected: ${b[i]}"
			return
		elif ((i >= ${#b[@]})); then
			echo "line $((i + 1)): missing: ${a[i]}"
			return
		elif [[ ${a[i]} != "${b[i]}" ]]; then
			echo "line $((i + 1)): expected '${a[i]}', got '${b[i]}'"
			return
		fi
	done
	echo "same lines; the final newline differs"
}

show_status() {
	local s=$1
	if ((s > 128)); then
		echo "signal SIG$(kill -l $((s - 128)) 2>/dev/null || echo $((s - 128))) ($s)"
	else
		echo "$s"
	fi
}

files=()
if (($# == 0)); then
	set -- "$root/cases"
fi
for a in "$@"; do
	if [[ -d $a ]]; then
		files+=("$a"/**/*.case)
	else
		files+=("$a")
	fi
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

pass=0 fail=0 skip=0 bad=0
for f in "${files[@]}"; do
	name=${f#"$root"/}
	name=${name#cases/}
	name=${name%.case}
	d=$tmp/case
	rm -rf "$d"
	mkdir -p "$d"
	if ! parse_case "$f" "$d" >"$tmp/msg"; then
		echo "BAD  $name: $(<"$tmp/msg")"
		((bad++))
		continue
	fi
	if [[ " $K_oracle " != *" native "* ]]; then
		((verbose)) && echo "SKIP $name (no native oracle)"
		((skip++))
		continue
	fi
	if ! split_words "$K_args"; then
		echo "BAD  $name: args: $WHY"
		((bad++))
		continue
	fi
	args=("${WORDS[@]}")
	if ! split_words "$K_env"; then
		echo "BAD  $name: env: $WHY"
		((bad++))
		continue
	fi
	envs=("${WORDS[@]}")
	if ! want=$(expected_status "$K_exit"); then
		echo "BAD  $name: bad exit '$K_exit'"
		((bad++))
		continue
	fi
	prog=$build/fixtures/$K_fixture
	if [[ ! -x $prog ]]; then
		echo "FAIL $name: no fixture $prog (make fixtures)"
		((fail++))
		continue
	fi
	in=/dev/null
	((HAVE_stdin)) && in=$d/stdin
	# The braces silence bash's own "Segmentation fault" job report.
	{
		(
			ulimit -c 0
			exec env -i "${envs[@]}" timeout -k 1 "${K_timeout:-10}" \
				"$prog" "${args[@]}" <"$in" >"$d/out" 2>"$d/err"
		)
		got=$?
	} 2>/dev/null
	problems=()
	if ((got == 124)); then
		problems+=("timed out after ${K_timeout:-10} s")
	elif [[ -n $want && $got != "$want" ]]; then
		problems+=("exit: expected $(show_status "$want"), got $(show_status "$got")")
	fi
	if ((HAVE_stdout)) && ! same_file "$d/stdout" "$d/out"; then
		problems+=("stdout differs, $(first_difference "$d/stdout" "$d/out")")
	fi
	if ((HAVE_stderr)) && ! same_file "$d/stderr" "$d/err"; then
		problems+=("stderr differs, $(first_difference "$d/stderr" "$d/err")")
	fi
	if ((${#problems[@]})); then
		echo "FAIL $name"
		printf '     %s\n' "${problems[@]}"
		((fail++))
	else
		((verbose)) && echo "ok   $name"
		((pass++))
	fi
done

echo "native: $pass passed, $fail failed, $skip skipped (no native oracle), $bad bad case files"
((bad)) && exit 2
((fail)) && exit 1
exit 0
