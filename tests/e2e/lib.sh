# tests/e2e/lib.sh - helpers for end-to-end scripts (sourced, not run).
#
#   . tests/e2e/lib.sh
#   expect_eq NAME GOT WANT          PASS/FAIL line comparing two strings
#   expect_rc NAME RC WANT
#   expect_match NAME TEXT REGEX     grep -E
#   skip NAME REASON
#   tmpdir                            $T, removed at exit
#   netns_pair TAG NET                two private network namespaces
#   wait_for COND...                  poll until COND holds
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

# netns_pair TAG NET: private network namespaces $NS-a and $NS-b joined
# by a veth pair, gfTAG-a 10.NET.0.1/24 and gfTAG-b 10.NET.0.2/24, with
# loopback up, IPv6 off (no stray packets) and offloads off (packets as
# on the wire); $NA and $NB run a command in each.  At exit everything in
# them is killed and they are removed.  Not root, or no namespaces: the
# script is skipped (exit 0).
netns_pair() {
	if ! is_root || ! have ip; then
		skip all "needs root and iproute2 (network namespaces)"
		exit 0
	fi
	NS=gftest-$1-$$
	trap netns_cleanup EXIT
	if ! ip netns add "$NS-a" 2>/dev/null || ! ip netns add "$NS-b"; then
		skip all "cannot create network namespaces here"
		exit 0
	fi
	ip link add "gf$1-a" netns "$NS-a" type veth peer name "gf$1-b" netns "$NS-b"
	ip -n "$NS-a" addr add "10.$2.0.1/24" dev "gf$1-a"
	ip -n "$NS-b" addr add "10.$2.0.2/24" dev "gf$1-b"
	for _side in a b; do
		ip netns exec "$NS-$_side" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
		ip -n "$NS-$_side" link set "gf$1-$_side" up
		ip -n "$NS-$_side" link set lo up
		ip netns exec "$NS-$_side" ethtool -K "gf$1-$_side" tso off gso off gro off >/dev/null 2>&1
	done
	NA="ip netns exec $NS-a"
	NB="ip netns exec $NS-b"
}
netns_cleanup() {
	for _p in $(ip netns pids "$NS-a" 2>/dev/null) $(ip netns pids "$NS-b" 2>/dev/null); do
		kill -9 "$_p" 2>/dev/null
	done
	ip netns del "$NS-a" 2>/dev/null
	ip netns del "$NS-b" 2>/dev/null
	rm -rf "$T"
}
# wait_for COND...: run COND every 0.1 s until it succeeds, at most
# WAIT_TENTHS times (150); status 1 if it never did
wait_for() {
	_i=0
	while ! "$@" 2>/dev/null; do
		_i=$((_i + 1))
		[ $_i -ge "${WAIT_TENTHS:-150}" ] && return 1
		sleep 0.1
	done
}
