#!/bin/sh
# tests/run.sh BUILD_DIR - run every unit test binary and end-to-end script.
#
# Each test prints lines "PASS name", "FAIL name" or "SKIP name: reason".
# A binary or script that exits non-zero without printing FAIL counts as a
# failure of its own.  The last line is "N passed, N failed, N skipped".
B=${1:-build}
export B
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2
export GAPFLOW="$top/$B/gapflow" GAPDUMP="$top/$B/gapdump" TOOLS="$top/$B/tools"
log=$(mktemp)
trap 'rm -f "$log"' EXIT

run_one() {
	name=$1; shift
	start=$(date +%s)
	out=$("$@" 2>&1); rc=$?
	printf '%s\n' "$out" | grep -E '^(PASS|FAIL|SKIP) ' >>"$log"
	n=$(printf '%s\n' "$out" | grep -c '^PASS ')
	echo "$name: $n passed ($(( $(date +%s) - start ))s)"
	# the details (expected error messages included) only when it failed
	if [ $rc -ne 0 ] || printf '%s\n' "$out" | grep -q '^FAIL '; then
		printf '%s\n' "$out" | grep -vE '^PASS ' | sed '/^$/d'
	fi
	if [ $rc -ne 0 ] && ! printf '%s\n' "$out" | grep -q '^FAIL '; then
		echo "FAIL $name: exited with status $rc" | tee -a "$log"
	fi
}

for t in "$B"/tests/test_*; do
	[ -x "$t" ] || continue
	run_one "$t" "$t"
done
for s in tests/e2e/*.sh; do
	[ "$(basename "$s")" = lib.sh ] && continue
	[ -f "$s" ] || continue
	run_one "$s" sh "$s"
done

pass=$(grep -c '^PASS ' "$log")
fail=$(grep -c '^FAIL ' "$log")
skip=$(grep -c '^SKIP ' "$log")
grep '^SKIP ' "$log"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
