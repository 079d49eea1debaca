#!/usr/bin/env bash
# make-live.sh - real TCP traffic captures for the gap accuracy table.
#
# usage: tests/accuracy/make-live.sh TRAFGEN OUTDIR [NAME...]
#   NAME: mix loss long base (default: mix loss long)
#     mix   ~100 concurrent TCP transfers (1-150 KB each way), IPv4 and
#           IPv6, opened from both namespaces, links shaped to 60 Mbit/s
#           (tbf) so the capture lasts a few seconds.
#     loss  ~40 transfers, IPv4 and IPv6 both ways, with ~3% of the TCP
#           packets arriving in EACH namespace dropped by nftables after
#           the capture point (prerouting, priority raw - 10): real network
#           loss and retransmissions, but a complete capture.
#     long  8 transfers of 1.5-3 MB (both ways, v4 and v6) through 40
#           Mbit/s tbf shaping: flows lasting seconds, crossing many
#           status intervals.
#     base  the committed tests/captures/accuracy-base.pcap: 40 transfers
#           (500 B-30 KB up, 1-50 KB down), IPv4 and IPv6 both ways,
#           shaped to 8 Mbit/s (~1.7 s); must stay under 2 MB.
#   Writes OUTDIR/NAME.pcap.  Needs root (exit 77 otherwise).
#
# Same approach as tests/captures/make-captures.sh, with its own names so
# both can run at once: two private namespaces joined by a veth pair
#     gfacc-a [gfacc-va] 10.78.0.1/24 fd78::1/64
#     gfacc-b [gfacc-vb] 10.78.0.2/24 fd78::2/64
# offloads off (MSS-sized segments, real checksums), static neighbours,
# no DAD; trafgen servers on port 7700 in gfacc-b and 7701 in gfacc-a.
# Captures are taken on gfacc-vb (mix, long, base) or gfacc-va (loss) with
# tcpdump -s 0; shaping drops happen in the sender's qdisc, before any
# capture point, so every capture is complete (a capture tcpdump reports
# kernel drops for is made again).  Nothing leaves the namespaces, which
# are removed on every exit path.
set -euo pipefail

PROG=make-live.sh
if [ "$(id -u)" != 0 ]; then
    echo "$PROG: must run as root; skipped" >&2
    exit 77
fi
[ $# -ge 2 ] || { echo "usage: $PROG TRAFGEN OUTDIR [NAME...]" >&2; exit 2; }
TRAFGEN=$1
OUTDIR=$2
shift 2
WANT=${*:-mix loss long}
[ -x "$TRAFGEN" ] || { echo "$PROG: $TRAFGEN not executable" >&2; exit 2; }

NSA=gfacc-a NSB=gfacc-b VA=gfacc-va VB=gfacc-vb
MACA=02:00:0a:4e:00:01 MACB=02:00:0a:4e:00:02
A4=10.78.0.1 B4=10.78.0.2 A6=fd78::1 B6=fd78::2
PORT=7700 PORT_A=7701

WORK=$(mktemp -d /tmp/gfacc.XXXXXX)
BGPIDS=()

cleanup() {
    local rc=$? p ns
    for p in "${BGPIDS[@]:-}"; do
        [ -n "$p" ] && kill "$p" 2>/dev/null || true
    done
    for p in "${BGPIDS[@]:-}"; do
        [ -n "$p" ] && wait "$p" 2>/dev/null || true
    done
    for ns in "$NSA" "$NSB"; do
        for p in $(ip netns pids "$ns" 2>/dev/null); do
            kill "$p" 2>/dev/null || true
        done
    done
    ip netns del "$NSA" 2>/dev/null || true
    ip netns del "$NSB" 2>/dev/null || true
    rm -rf "$WORK"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

log() { echo "$PROG: $*" >&2; }
die() { log "error: $*"; exit 1; }
for c in ip tcpdump ethtool nft tc; do
    command -v $c >/dev/null 2>&1 || die "$c not found"
done

ina() { ip netns exec "$NSA" "$@"; }
inb() { ip netns exec "$NSB" "$@"; }

setup_net() {
    local ns dev
    ip netns del "$NSA" 2>/dev/null || true
    ip netns del "$NSB" 2>/dev/null || true
    ip netns add "$NSA"
    ip netns add "$NSB"
    for ns in "$NSA" "$NSB"; do
        ip netns exec "$ns" ip link set lo up
        ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.accept_dad=0 \
            net.ipv6.conf.default.dad_transmits=0 \
            net.ipv6.conf.default.router_solicitations=0 \
            net.ipv6.conf.default.accept_ra=0 >/dev/null
    done
    ip link add name "$VA" netns "$NSA" address "$MACA" type veth \
        peer name "$VB" netns "$NSB" address "$MACB"
    for dev in "$VA" "$VB"; do
        if [ "$dev" = "$VA" ]; then ns=$NSA; else ns=$NSB; fi
        ip netns exec "$ns" ethtool -K "$dev" tso off gso off gro off \
            tx off rx off >/dev/null 2>&1 ||
            ip netns exec "$ns" ethtool -K "$dev" tso off gso off gro off >/dev/null
    done
    ina ip addr add "$A4/24" dev "$VA"
    ina ip -6 addr add "$A6/64" dev "$VA" nodad
    inb ip addr add "$B4/24" dev "$VB"
    inb ip -6 addr add "$B6/64" dev "$VB" nodad
    ina ip link set "$VA" up
    inb ip link set "$VB" up
    ina ip neigh replace "$B4" lladdr "$MACB" dev "$VA" nud permanent
    ina ip -6 neigh replace "$B6" lladdr "$MACB" dev "$VA" nud permanent
    inb ip neigh replace "$A4" lladdr "$MACA" dev "$VB" nud permanent
    inb ip -6 neigh replace "$A6" lladdr "$MACA" dev "$VB" nud permanent
    sleep 2
    ina ping -n -q -c 1 -W 2 "$B4" >/dev/null || die "no IPv4 connectivity"
    ina ping -6 -n -q -c 1 -W 2 "$B6" >/dev/null || die "no IPv6 connectivity"
}

wait_for() { # file pattern what
    local i
    for i in $(seq 1 100); do
        grep -q "$2" "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    die "timed out waiting for $3"
}

start_servers() {
    ip netns exec "$NSB" "$TRAFGEN" server :: "$PORT" --timeout 900 \
        >"$WORK/srv-b.log" 2>&1 &
    BGPIDS+=("$!")
    wait_for "$WORK/srv-b.log" listening "server in $NSB"
    ip netns exec "$NSA" "$TRAFGEN" server :: "$PORT_A" --timeout 900 \
        >"$WORK/srv-a.log" 2>&1 &
    BGPIDS+=("$!")
    wait_for "$WORK/srv-a.log" listening "server in $NSA"
}

shape() { # rate|off
    local ns dev
    for dev in "$VA" "$VB"; do
        if [ "$dev" = "$VA" ]; then ns=$NSA; else ns=$NSB; fi
        ip netns exec "$ns" tc qdisc del dev "$dev" root 2>/dev/null || true
        if [ "$1" != off ]; then
            ip netns exec "$ns" tc qdisc add dev "$dev" root tbf rate "$1" \
                burst 32kb limit 2mb
        fi
    done
}

LOSS_A="table inet gfacc_loss {
    chain pre {
        type filter hook prerouting priority raw - 10; policy accept;
        iifname \"$VA\" meta l4proto tcp numgen random mod 100 < 3 counter drop
    }
}"
LOSS_B="table inet gfacc_loss {
    chain pre {
        type filter hook prerouting priority raw - 10; policy accept;
        iifname \"$VB\" meta l4proto tcp numgen random mod 100 < 3 counter drop
    }
}"
loss_on() { echo "$LOSS_A" | ina nft -f -; echo "$LOSS_B" | inb nft -f -; }
loss_off() {
    ina nft delete table inet gfacc_loss 2>/dev/null || true
    inb nft delete table inet gfacc_loss 2>/dev/null || true
}

CAP_PID= CAP_LOG=
start_capture() { # ns dev file
    CAP_LOG=$3.log
    ip netns exec "$1" tcpdump -i "$2" -n -s 0 -B 65536 -Z root -w "$3" tcp \
        >"$CAP_LOG" 2>&1 &
    CAP_PID=$!
    BGPIDS+=("$CAP_PID")
    wait_for "$CAP_LOG" "listening on" "tcpdump on $2"
    sleep 0.3
}

stop_capture() {
    local drops
    sleep 1
    kill -INT "$CAP_PID" 2>/dev/null || true
    wait "$CAP_PID" 2>/dev/null || true
    drops=$(sed -n 's/^\([0-9]*\) packets\{0,1\} dropped by kernel.*/\1/p' "$CAP_LOG")
    log "  tcpdump: $(grep -E 'captured|dropped by kernel' "$CAP_LOG" | tr '\n' ' ')"
    [ "${drops:-x}" = 0 ]
}

# clients run in parallel; each is bounded by --timeout
CLPIDS=()
client_bg() { # ns args...
    local ns=$1; shift
    ip netns exec "$ns" "$TRAFGEN" client "$@" --timeout 60 \
        >>"$WORK/client.log" 2>&1 &
    CLPIDS+=("$!")
    BGPIDS+=("$!")
}
clients_wait() {
    local p ok=0
    for p in "${CLPIDS[@]}"; do
        wait "$p" || ok=1
    done
    CLPIDS=()
    [ $ok = 0 ] || { tail -n 5 "$WORK/client.log" >&2; log "  a client failed"; }
    return $ok
}

scen_mix() {
    shape 60mbit
    client_bg "$NSA" "$B4" "$PORT" --conns 40 --parallel 20 --up 1k-150k \
        --down 1k-150k --seed 11
    client_bg "$NSA" "$B6" "$PORT" --conns 30 --parallel 15 --up 1k-150k \
        --down 1k-150k --seed 12
    client_bg "$NSB" "$A4" "$PORT_A" --conns 15 --parallel 8 --up 1k-150k \
        --down 1k-150k --seed 13
    client_bg "$NSB" "$A6" "$PORT_A" --conns 15 --parallel 8 --up 1k-150k \
        --down 1k-150k --seed 14
    clients_wait
}

scen_loss() {
    shape off
    loss_on
    client_bg "$NSA" "$B4" "$PORT" --conns 15 --parallel 8 --up 2k-120k \
        --down 2k-120k --seed 21
    client_bg "$NSA" "$B6" "$PORT" --conns 10 --parallel 5 --up 2k-120k \
        --down 2k-120k --seed 22
    client_bg "$NSB" "$A4" "$PORT_A" --conns 8 --parallel 4 --up 2k-120k \
        --down 2k-120k --seed 23
    client_bg "$NSB" "$A6" "$PORT_A" --conns 7 --parallel 4 --up 2k-120k \
        --down 2k-120k --seed 24
    local rc=0
    clients_wait || rc=1
    log "  nft dropped: a $(ina nft list table inet gfacc_loss | sed -n 's/.*packets \([0-9]*\).*/\1/p') b $(inb nft list table inet gfacc_loss | sed -n 's/.*packets \([0-9]*\).*/\1/p')"
    loss_off
    return $rc
}

scen_long() {
    shape 40mbit
    client_bg "$NSA" "$B4" "$PORT" --conns 3 --parallel 3 --up 1500k-3m \
        --down 100k-3m --seed 31
    client_bg "$NSA" "$B6" "$PORT" --conns 2 --parallel 2 --up 100k-3m \
        --down 1500k-3m --seed 32
    client_bg "$NSB" "$A4" "$PORT_A" --conns 2 --parallel 2 --up 1m-2m \
        --down 1m-2m --seed 33
    client_bg "$NSB" "$A6" "$PORT_A" --conns 1 --up 1m-2m --down 1m-2m \
        --seed 34
    clients_wait
}

scen_base() {
    shape 8mbit
    client_bg "$NSA" "$B4" "$PORT" --conns 16 --parallel 8 --up 500-30000 \
        --down 1000-50000 --seed 41
    client_bg "$NSA" "$B6" "$PORT" --conns 12 --parallel 6 --up 500-30000 \
        --down 1000-50000 --seed 42
    client_bg "$NSB" "$A4" "$PORT_A" --conns 6 --parallel 3 --up 500-30000 \
        --down 1000-50000 --seed 43
    client_bg "$NSB" "$A6" "$PORT_A" --conns 6 --parallel 3 --up 500-30000 \
        --down 1000-50000 --seed 44
    clients_wait
}

make_one() { # name
    local name=$1 f try ns dev
    f=$WORK/$name.pcap
    ns=$NSB dev=$VB
    [ "$name" = loss ] && ns=$NSA dev=$VA
    for try in 1 2 3; do
        log "$name: try $try"
        rm -f "$f"
        : >"$WORK/client.log"
        start_capture "$ns" "$dev" "$f"
        local ok=1
        "scen_$name" || ok=0
        stop_capture || ok=0
        shape off
        if [ "$name" = base ] && [ "$(stat -c %s "$f")" -ge 2000000 ]; then
            log "  too large"; ok=0
        fi
        if [ $ok = 1 ]; then
            install -m 0644 "$f" "$OUTDIR/$name.pcap"
            log "  wrote $OUTDIR/$name.pcap ($(stat -c %s "$f") bytes)"
            return 0
        fi
        sleep 1
    done
    die "$name: no good capture after 3 tries"
}

for w in $WANT; do
    case $w in mix|loss|long|base) ;; *) die "unknown capture $w" ;; esac
done
mkdir -p "$OUTDIR"
setup_net
start_servers
for w in $WANT; do
    make_one "$w"
done
log done
