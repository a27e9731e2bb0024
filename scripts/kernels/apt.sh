#!/usr/bin/env bash
# apt.sh update | apt.sh get ARGS... | apt.sh cache ARGS...
#
# apt with a configuration of its own under KERNEL_CACHE/apt: its own
# sources list (Debian's bullseye, bookworm, trixie and unstable suites,
# with their -updates, -security and backports, KERNEL_SUITES), package
# lists, download cache, an empty dpkg status and no pinning. The
# machine's apt sources and lists are never read or changed for kernels;
# its apt.conf.d still applies (a proxy setting there is wanted).
#
# update: refreshes the lists when they are older than KERNEL_APT_MAX_AGE
# seconds (default one day), when the sources changed, or always with
# KERNEL_APT_UPDATE=1. A suite that cannot be reached is one line on
# stderr; the others go on (status 0 while at least one suite has lists).
# get/cache: apt-get/apt-cache with that configuration.
#
# The mirror is the one the machine already uses for Debian (apt-get
# indextargets), else deb.debian.org; KERNEL_MIRROR and
# KERNEL_SECURITY_MIRROR override it.
set -uo pipefail
root=${KERNEL_CACHE:?KERNEL_CACHE is not set}/apt
suites=${KERNEL_SUITES:-bullseye bullseye-updates bullseye-security bookworm bookworm-updates bookworm-security bookworm-backports trixie trixie-updates trixie-security unstable}
keyring=${KERNEL_KEYRING:-/usr/share/keyrings/debian-archive-keyring.gpg}

opts=(-o "Dir::Etc::sourcelist=$root/sources.list" -o "Dir::Etc::sourceparts=$root/empty.d"
	-o "Dir::State::Lists=$root/lists" -o "Dir::Cache=$root/cache"
	-o "Dir::Cache::pkgcache=$root/cache/pkgcache.bin" -o "Dir::Cache::srcpkgcache=$root/cache/srcpkgcache.bin"
	-o "Dir::State::status=$root/status" -o "Dir::Etc::preferences=$root/preferences"
	-o "Dir::Etc::preferencesparts=$root/empty.d" -o APT::Architecture=amd64
	-o Acquire::Languages=none -o APT::Get::List-Cleanup=true)

# The machine's Debian mirror for a suite: main archive or security.
machine_mirror() {
	apt-get indextargets --format '$(REPO_URI) $(RELEASE)' 2>/dev/null |
		awk -v sec="$1" '
			($2 ~ /-security$/) == (sec == "yes") && $1 ~ /debian(-security)?\/$/ {
				sub(/\/$/, "", $1); print $1; exit }'
}

sources() {
	local main sec s url
	main=${KERNEL_MIRROR:-$(machine_mirror no)}
	sec=${KERNEL_SECURITY_MIRROR:-$(machine_mirror yes)}
	main=${main:-http://deb.debian.org/debian}
	sec=${sec:-http://deb.debian.org/debian-security}
	for s in $suites; do
		case $s in *-security) url=$sec ;; *) url=$main ;; esac
		echo "deb [signed-by=$keyring] $url $s main"
	done
}

# Seconds since the last successful update, or a large number.
age() {
	local t
	t=$(stat -c %Y "$root/updated" 2>/dev/null) || { echo 999999999; return; }
	echo $(($(date +%s) - t))
}

# One line per suite apt could not fetch: "Err:N URL SUITE ..." and the
# reason on the next line.
report_failures() {
	awk '
		/^Err:/ { if (s != "") print s; s = $3 " (" $2 ")"; next }
		s != "" { sub(/^ +/, ""); print s ": " $0; s = "" }
		END { if (s != "") print s }' "$1" | sort -u |
		while IFS= read -r line; do
			echo "kernels: apt: suite $line; going on without it" >&2
		done
}

have_lists() {
	compgen -G "$root/lists/*_Packages*" >/dev/null
}

update() {
	mkdir -p "$root/lists/partial" "$root/cache/archives/partial" "$root/empty.d"
	: >>"$root/status"
	: >>"$root/preferences"
	sources >"$root/sources.list.new"
	local changed=1
	cmp -s "$root/sources.list.new" "$root/sources.list" && changed=0
	mv "$root/sources.list.new" "$root/sources.list"
	if [ "$changed" = 0 ] && [ "${KERNEL_APT_UPDATE:-0}" != 1 ] &&
		[ "$(age)" -lt "${KERNEL_APT_MAX_AGE:-86400}" ] && have_lists; then
		return 0
	fi
	echo "kernels: apt: updating the lists of $(echo $suites | wc -w) suites into $root" >&2
	apt-get "${opts[@]}" -q update >"$root/update.log" 2>&1
	report_failures "$root/update.log"
	if ! have_lists; then
		echo "kernels: apt: no suite could be reached (see $root/update.log); only cached kernels can run" >&2
		return 1
	fi
	touch "$root/updated"
}

cmd=${1:-}
shift || true
case $cmd in
update)
	mkdir -p "$root"
	exec 9>"$root/lock"
	flock 9
	update
	;;
get | cache)
	mkdir -p "$root/empty.d"
	exec "apt-$cmd" "${opts[@]}" "$@"
	;;
*)
	echo "usage: apt.sh update | get ARGS... | cache ARGS..." >&2
	exit 2
	;;
esac
