#!/usr/bin/env bash
# make check: no tracked file may be binary. Build outputs belong in the
# build trees (.gitignore); a committed ELF or object is stale the moment
# the source changes and hides what it was built from. git decides what is
# binary the way `git diff` does (a NUL byte in the first 8000 bytes).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	echo "check-binaries: not a git checkout; nothing to check" >&2
	exit 0
fi
bad=$(git ls-files --eol | awk '$1 == "i/-text" { sub(/^[^\t]*\t/, ""); print }')
if [ -n "$bad" ]; then
	echo "check-binaries: tracked binary files (build outputs belong in build/):" >&2
	sed 's/^/  /' <<<"$bad" >&2
	exit 1
fi
echo "check-binaries: no tracked binary file"
