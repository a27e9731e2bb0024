#!/usr/bin/env bash
# The Debian kernel packages of a series, as apt (apt.sh) knows them.
#
#   series.sh newest SERIES       the newest package of SERIES
#   series.sh list SERIES         every package of SERIES, oldest first:
#                                 "PACKAGE VERSION" per line
#   series.sh between GOOD BAD    GOOD, the packages of its series built
#                                 between the two, and BAD, in order from
#                                 GOOD to BAD (either may be the newer)
#
# SERIES is MAJOR.MINOR with an optional flavour: 5.10, 6.1, 6.12, 7.2
# (cloud, the smallest image), 6.12-rt, 6.1-cloud, 6.12-generic. Packages
# are ordered by their Debian version (dpkg --compare-versions), not their
# names: 6.1.0-0.deb11.52 is a 6.1.180 built for bullseye, 6.12.90+deb12.1
# a rebuild of 6.12.90. In `between`, when GOOD and BAD come from the
# same build line (the bullseye, bookworm or trixie builds of 6.12, or
# 6.1's ABI numbers) only that line is listed, so the steps are one build
# of one suite apart; otherwise every build of the series.
# An unknown series or package is one line on stderr and status 2.
set -uo pipefail
here=$(dirname "$0")

die() {
	echo "kernels: $*" >&2
	exit 2
}

# SERIES -> an extended regular expression on package names.
pattern_of() {
	local s=$1 flav=cloud mm
	case $s in
	*-rt) flav=rt s=${s%-rt} ;;
	*-cloud) s=${s%-cloud} ;;
	*-generic) flav= s=${s%-generic} ;;
	esac
	[[ $s =~ ^[0-9]+\.[0-9]+$ ]] || return 1
	mm=${s//./\\.}
	# 6.1.0-57-, 6.1.0-0.deb11.52-, 6.12.118+deb13-, 6.12.90+deb12.1-
	echo "^linux-image-$mm\\.[0-9]+(-[0-9a-z.]+)?(\\+[0-9a-z.]+)?-${flav:+$flav-}amd64\$"
}

# The build line of a package: which suite's builds it belongs to.
line_of() {
	local r=${1#linux-image-}
	case $r in
	*+deb*) r=${r#*+deb}; echo "deb${r%%[.-]*}" ;;
	*.0-0.deb*) r=${r#*.0-0.deb}; echo "bpo${r%%.*}" ;;
	*) echo abi ;;
	esac
}

# "PACKAGE VERSION" for every package matching the ERE, each with its
# newest version (a name can be in two suites).
versions() {
	local names
	names=$("$here/apt.sh" cache pkgnames linux-image- 2>/dev/null | grep -E "$1" | sort)
	[ -n "$names" ] || return 0
	# shellcheck disable=SC2086
	"$here/apt.sh" cache show $names 2>/dev/null |
		awk '$1 == "Package:" { p = $2 } $1 == "Version:" { print p, $2 }' | sort -u | {
		last= lv=
		while read -r p v; do
			if [ "$p" = "$last" ]; then
				dpkg --compare-versions "$v" gt "$lv" && lv=$v
				continue
			fi
			[ -n "$last" ] && echo "$last $lv"
			last=$p lv=$v
		done
		[ -n "$last" ] && echo "$last $lv"
	}
}

# Sorts "PACKAGE VERSION" lines by version (insertion with binary search:
# a series has a few dozen builds).
by_version() {
	local -a pk=() ve=()
	local p v lo hi mid i
	while read -r p v; do
		lo=0 hi=${#ve[@]}
		while [ "$lo" -lt "$hi" ]; do
			mid=$(((lo + hi) / 2))
			if dpkg --compare-versions "${ve[mid]}" le "$v"; then lo=$((mid + 1)); else hi=$mid; fi
		done
		for ((i = ${#ve[@]}; i > lo; i--)); do
			pk[i]=${pk[i - 1]} ve[i]=${ve[i - 1]}
		done
		pk[lo]=$p ve[lo]=$v
	done
	for i in "${!pk[@]}"; do
		echo "${pk[i]} ${ve[i]}"
	done
}

list() {
	local re
	re=$(pattern_of "$1") || die "$1: not a kernel series (5.10, 6.1, 6.12, 7.2, with -rt, -cloud or -generic)"
	versions "$re" | by_version
}

# The series a package belongs to, from its name (cloud, rt or generic).
series_of() {
	local r=${1#linux-image-} flav
	case $r in
	*-cloud-amd64) flav=-cloud ;;
	*-rt-amd64) flav=-rt ;;
	*-amd64) flav=-generic ;;
	*) return 1 ;;
	esac
	[[ $r =~ ^([0-9]+\.[0-9]+)\. ]] || return 1
	echo "${BASH_REMATCH[1]}$flav"
}

between() {
	local good=$1 bad=$2 s sb all gl bl p v i gi= bi=
	s=$(series_of "$good") || die "$good: not a Debian kernel image package (linux-image-X.Y...-FLAVOUR-amd64)"
	sb=$(series_of "$bad") || die "$bad: not a Debian kernel image package (linux-image-X.Y...-FLAVOUR-amd64)"
	[ "$s" = "$sb" ] || die "$good and $bad are not of one series ($s, $sb): bisect within a series"
	all=$(list "$s") || exit 2
	local -a pk=()
	while read -r p v; do
		[ -n "$p" ] || continue
		[ "$p" = "$good" ] && gi=${#pk[@]}
		[ "$p" = "$bad" ] && bi=${#pk[@]}
		pk+=("$p")
	done <<<"$all"
	[ -n "$gi" ] || die "$good: apt knows no such package (series $s)"
	[ -n "$bi" ] || die "$bad: apt knows no such package (series $s)"
	[ "$gi" != "$bi" ] || die "the good and the bad package are the same ($good)"
	gl=$(line_of "$good") bl=$(line_of "$bad")
	local step=1
	[ "$gi" -lt "$bi" ] || step=-1
	for ((i = gi; ; i += step)); do
		p=${pk[i]}
		if [ "$i" = "$gi" ] || [ "$i" = "$bi" ] || [ "$gl" != "$bl" ] || [ "$(line_of "$p")" = "$gl" ]; then
			echo "$p"
		fi
		[ "$i" = "$bi" ] && break
	done
}

cmd=${1:-}
case $cmd in
newest)
	[ $# -eq 2 ] || die "usage: series.sh newest SERIES"
	out=$(list "$2") || exit 2
	[ -n "$out" ] || die "$2: apt knows no package of this series (lists: ${KERNEL_CACHE:-?}/apt)"
	echo "$out" | tail -n 1 | cut -d' ' -f1
	;;
list)
	[ $# -eq 2 ] || die "usage: series.sh list SERIES"
	list "$2"
	;;
between)
	[ $# -eq 3 ] || die "usage: series.sh between GOOD BAD"
	between "$2" "$3"
	;;
*) die "usage: series.sh newest SERIES | list SERIES | between GOOD BAD" ;;
esac
