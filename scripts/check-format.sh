#!/usr/bin/env bash
# make check: every tracked C file is formatted as the tree's .clang-format
# says. Formatting differs between clang-format releases, so the check uses
# the one scripts/deps.sh installs (Debian 12: clang-format 14) and names
# it when it fails. To fix: scripts/check-format.sh --fix (rewrites files).
set -euo pipefail
cd "$(dirname "$0")/.."
fmt=${CLANG_FORMAT:-clang-format}
command -v "$fmt" >/dev/null || { echo "check-format: $fmt not found (make deps installs it)" >&2; exit 1; }
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	mapfile -t files < <(git ls-files '*.c' '*.h')
else
	mapfile -t files < <(find platform harness stub bench tools fixtures mk -name '*.[ch]' | sort)
fi
if [ "${1:-}" = --fix ]; then
	"$fmt" -i "${files[@]}"
	exit 0
fi
bad=()
for f in "${files[@]}"; do
	"$fmt" --dry-run --Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done
if [ ${#bad[@]} -gt 0 ]; then
	echo "check-format: ${#bad[@]} file(s) differ from .clang-format ($("$fmt" --version | head -1)):" >&2
	printf '  %s\n' "${bad[@]}" >&2
	echo "check-format: see the difference with '$fmt FILE | diff FILE -'; fix all with scripts/check-format.sh --fix" >&2
	exit 1
fi
echo "check-format: ${#files[@]} files formatted"
