# tests/e2e/lib.sh - helpers for end-to-end scripts (sourced, not run).
#
#   . tests/e2e/lib.sh
#   expect_eq NAME GOT WANT          PASS/FAIL line comparing two strings
#   expect_rc NAME RC WANT
#   expect_match NAME TEXT REGEX     grep -E
#   skip NAME REASON
#   tmpdir                            $T, removed at exit
# Runs from the repository root with $GAPFLOW, $GAPDUMP, $TOOLS set by
# tests/run.sh (defaults to build/ for running a script by hand).
: "${B:=build}"
: "${GAPFLOW:=$PWD/$B/gapflow}"
: "${GAPDUMP:=$PWD/$B/gapdump}"
: "${TOOLS:=$PWD/$B/tools}"
CAP=tests/captures
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
_script=$(basename "$0" .sh)

pass() { echo "PASS $_script:$1"; }
fail() { echo "FAIL $_script:$1"; shift; [ $# -gt 0 ] && printf '  %s\n' "$@"; return 0; }
skip() { echo "SKIP $_script:$1: $2"; }

expect_eq() {
	if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "got:  $2" "want: $3"; fi
}
expect_rc() {
	if [ "$2" -eq "$3" ]; then pass "$1"; else fail "$1" "exit status $2, want $3"; fi
}
expect_match() {
	if printf '%s\n' "$2" | grep -Eq -- "$3"; then pass "$1"; else fail "$1" "output does not match /$3/:" "$2"; fi
}
have() { command -v "$1" >/dev/null 2>&1; }
is_root() { [ "$(id -u)" -eq 0 ]; }
