#!/bin/sh
# tests/fuzz/run.sh - build every libFuzzer harness and run each briefly.
#
#   sh tests/fuzz/run.sh            (make fuzz)
#   FUZZ_SECONDS=300 sh tests/fuzz/run.sh
#   sh tests/fuzz/run.sh decode     only fuzz_decode.c
#
# Every tests/fuzz/fuzz_NAME.c is a harness (LLVMFuzzerTestOneInput).  It
# is linked against all of common/, sensor/, client/ and tests/lib/ except
# the two main.c files (an archive, so only what it uses is pulled in),
# built with clang -fsanitize=fuzzer,address,undefined into build-fuzz/,
# and run for FUZZ_SECONDS (default 20) on the corpus build-fuzz/corpus-NAME.
#
# Seeds: a harness that also compiles with -DGF_FUZZ_SEED into a plain
# program (it mentions GF_FUZZ_SEED) is built that way too and run as
# `prog CORPUSDIR tests/captures/*`, to fill its corpus from the shipped
# captures in its own input format.  Other harnesses start from an empty
# corpus, or from tests/fuzz/corpus-NAME/ if that directory exists.
#
# Exit 0 if every harness ran clean, 1 if any crashed, leaked, timed out or
# failed to build (crash inputs are left as build-fuzz/NAME-crash-*), 2 on
# bad usage.  Without clang it says SKIP and exits 0.
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 2
CC=${FUZZ_CC:-clang}
B=build-fuzz
SECS=${FUZZ_SECONDS:-20}

if ! command -v "$CC" >/dev/null 2>&1; then
	echo "SKIP fuzz: $CC not found"
	exit 0
fi

SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
CFLAGS="-g -O1 -std=c11 -D_GNU_SOURCE -Icommon -Isensor -Iclient -Itests/lib"
CFLAGS="$CFLAGS $(pkg-config --cflags libpcap zlib yaml-0.1 2>/dev/null)"
LIBS=$(pkg-config --libs libpcap zlib yaml-0.1 2>/dev/null)
[ -n "$LIBS" ] || LIBS="-lpcap -lz -lyaml"
LIBS="$LIBS -lpthread -lm"

npass=0
nfail=0
rates=
mkdir -p "$B/obj" || exit 1

# The code under test, instrumented for coverage but without libFuzzer's
# main: one archive.
objs=
for src in common/*.c sensor/*.c client/*.c tests/lib/*.c; do
	[ -f "$src" ] || continue
	case "$src" in
	sensor/main.c|client/main.c) continue ;;
	esac
	obj="$B/obj/$(echo "$src" | tr / _ | sed 's/\.c$/.o/')"
	if [ ! -f "$obj" ] || [ "$src" -nt "$obj" ] ||
	    [ -n "$(find common sensor client tests/lib -name '*.h' \
	    -newer "$obj" 2>/dev/null | head -1)" ]; then
		echo "CC $src"
		# shellcheck disable=SC2086
		$CC $CFLAGS $SAN -fsanitize=fuzzer-no-link -c -o "$obj" \
		    "$src" || exit 1
	fi
	objs="$objs $obj"
done
rm -f "$B/libgffuzz.a"
# shellcheck disable=SC2086
ar rcs "$B/libgffuzz.a" $objs || exit 1

failed=0
ran=0
for h in tests/fuzz/fuzz_*.c; do
	[ -f "$h" ] || continue
	name=$(basename "$h" .c)
	name=${name#fuzz_}
	if [ $# -gt 0 ]; then
		want=0
		for a in "$@"; do [ "$a" = "$name" ] && want=1; done
		[ $want -eq 1 ] || continue
	fi
	bin="$B/fuzz_$name"
	echo "== fuzz_$name: build"
	# shellcheck disable=SC2086
	if ! $CC $CFLAGS $SAN -fsanitize=fuzzer -o "$bin" "$h" \
	    "$B/libgffuzz.a" $LIBS; then
		echo "FAIL fuzz_$name: does not build"
		failed=1
		continue
	fi

	corpus="$B/corpus-$name"
	mkdir -p "$corpus"
	if [ -d "tests/fuzz/corpus-$name" ]; then
		cp -p "tests/fuzz/corpus-$name"/* "$corpus"/ 2>/dev/null
	fi
	if grep -q GF_FUZZ_SEED "$h"; then
		# shellcheck disable=SC2086
		if $CC $CFLAGS -DGF_FUZZ_SEED -o "$B/seed_$name" "$h" \
		    "$B/libgffuzz.a" $SAN $LIBS; then
			"$B/seed_$name" "$corpus" tests/captures/* ||
			    echo "warning: seeding fuzz_$name failed"
		else
			echo "warning: seed generator for fuzz_$name does not build"
		fi
	fi

	echo "== fuzz_$name: ${SECS}s"
	ran=$((ran + 1))
	"./$bin" -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 \
	    -print_final_stats=1 -artifact_prefix="$B/$name-" "$corpus" \
	    >"$B/fuzz_$name.log" 2>&1
	rc=$?
	tail -n 12 "$B/fuzz_$name.log"
	# the speed, per harness: libFuzzer's final stats
	eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$B/fuzz_$name.log" | tail -1)
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$B/fuzz_$name.log" | tail -1)
	echo "fuzz_$name: ${eps:-?} executions per second (${runs:-?} in ${SECS}s)"
	rates="$rates
fuzz_$name: ${eps:-?} exec/s"
	if [ $rc -ne 0 ]; then
		echo "FAIL fuzz_$name: exit $rc, see $B/fuzz_$name.log" \
		    "and $B/$name-*"
		failed=1
		nfail=$((nfail + 1))
	else
		echo "PASS fuzz_$name"
		npass=$((npass + 1))
	fi
done
printf '%s\n' "$rates" | sed '/^$/d'
echo "fuzz: $npass passed, $nfail failed"

if [ $ran -eq 0 ] && [ $failed -eq 0 ]; then
	echo "no harness matched"
	[ $# -gt 0 ] && exit 2
fi
exit $failed
