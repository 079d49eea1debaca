#!/usr/bin/env bash
# make-captures.sh - regenerate the real traffic captures shipped in
# tests/captures (demo.pcap, real-tcp4.pcap, real-tcp6.pcap, real-mixed.pcap,
# real-loss.pcap).
#
# usage: tests/captures/make-captures.sh [NAME...]
#   NAME is one of demo real-tcp4 real-tcp6 real-mixed real-loss (default:
#   all).  Environment:
#     TRAFGEN=path   use this trafgen binary instead of compiling
#                    tests/tools/trafgen.c into a temporary directory
#     OUTDIR=dir     write the captures there (default: this directory)
#     CC=compiler    compiler used for trafgen (default: gcc, else cc)
#
# Needs root (exit 77 otherwise).  All traffic stays inside two private
# network namespaces created here and removed on every exit path:
#
#     gfcap-a  [gfcap-va] 10.77.0.1/24 fd77::1/64  02:00:0a:4d:00:01
#        |  veth pair
#     gfcap-b  [gfcap-vb] 10.77.0.2/24 fd77::2/64  02:00:0a:4d:00:02
#
# Offloads (TSO/GSO/GRO, checksum) are turned off on both veth ends, so the
# captured segments are MSS-sized with real checksums, as on a wire.  IPv6
# DAD and router solicitations are off and neighbours are static, so the
# captures hold no ARP / neighbour discovery chatter: only the TCP, UDP and
# ICMP traffic made here (an occasional MLD report may still appear).
#
# The trafgen server (tests/tools/trafgen.c) runs in gfcap-b on port 7700
# (TCP + UDP echo, dual stack); clients run in gfcap-a.  real-mixed also runs
# a server in gfcap-a on port 7701 for connections opened from gfcap-b.
# Transfer sizes come from fixed seeds, so re-running gives captures of the
# same shape (ports, timestamps and, for real-loss, which packets are lost
# differ from run to run).
#
# Every capture is checked before it is installed: tcpdump must report
# 0 packets dropped by kernel, the file must stay under 300 KB, and when
# tshark is present no capture may contain tcp.analysis.ack_lost_segment
# (the files are used as gap-free ground truth); real-loss.pcap must contain
# retransmissions.  A capture that fails a check is made again (3 tries).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OUTDIR=${OUTDIR:-$HERE}
PROG=make-captures.sh

if [ "$(id -u)" != 0 ]; then
    echo "$PROG: must run as root (creates network namespaces, runs tcpdump and nft); skipped" >&2
    exit 77
fi

NSA=gfcap-a NSB=gfcap-b
VA=gfcap-va VB=gfcap-vb
MACA=02:00:0a:4d:00:01 MACB=02:00:0a:4d:00:02
A4=10.77.0.1 B4=10.77.0.2
A6=fd77::1 B6=fd77::2
# ports with no tshark dissector registered, so payloads show as data
PORT=7700 PORT_A=7701 CLOSED=7799
MAXSIZE=300000

WORK=$(mktemp -d /tmp/gfcap.XXXXXX)
BGPIDS=()

cleanup() {
    local rc=$?
    local p
    for p in "${BGPIDS[@]:-}"; do
        [ -n "$p" ] || continue
        kill "$p" 2>/dev/null || true
    done
    for p in "${BGPIDS[@]:-}"; do
        [ -n "$p" ] || continue
        wait "$p" 2>/dev/null || true
    done
    # anything of ours still running inside the namespaces
    local ns
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

# forget a background pid once it has been waited for
forget() {
    local p=$1 i
    for i in "${!BGPIDS[@]}"; do
        [ "${BGPIDS[$i]}" = "$p" ] && unset 'BGPIDS[i]'
    done
    return 0
}

# ---------------------------------------------------------------- tools

need_pkg() { # command package
    command -v "$1" >/dev/null 2>&1 && return 0
    if command -v apt-get >/dev/null 2>&1; then
        log "installing $2"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null 2>&1 ||
            { apt-get update -qq >/dev/null 2>&1 &&
              DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null 2>&1; } || true
    fi
    command -v "$1" >/dev/null 2>&1 || die "$1 not found (package $2)"
}
need_pkg ip iproute2
need_pkg tcpdump tcpdump
need_pkg ethtool ethtool
need_pkg ping iputils-ping
need_pkg nft nftables
HAVE_TSHARK=0
command -v tshark >/dev/null 2>&1 && HAVE_TSHARK=1
[ $HAVE_TSHARK = 1 ] || log "tshark not found: skipping the tshark checks"

if [ -n "${TRAFGEN:-}" ]; then
    [ -x "$TRAFGEN" ] || die "TRAFGEN=$TRAFGEN is not executable"
else
    cc=${CC:-}
    if [ -z "$cc" ]; then
        if command -v gcc >/dev/null 2>&1; then cc=gcc; else cc=cc; fi
    fi
    TRAFGEN=$WORK/trafgen
    "$cc" -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -O2 -pthread \
        -o "$TRAFGEN" "$ROOT/tests/tools/trafgen.c" || die "cannot build trafgen"
fi

# ---------------------------------------------------------------- network

ina() { ip netns exec "$NSA" "$@"; }
inb() { ip netns exec "$NSB" "$@"; }

setup_net() {
    ip netns del "$NSA" 2>/dev/null || true
    ip netns del "$NSB" 2>/dev/null || true
    ip netns add "$NSA"
    ip netns add "$NSB"
    local ns
    for ns in "$NSA" "$NSB"; do
        ip netns exec "$ns" ip link set lo up
        # inherited by the veth created below
        ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.accept_dad=0 \
            net.ipv6.conf.default.dad_transmits=0 \
            net.ipv6.conf.default.router_solicitations=0 \
            net.ipv6.conf.default.accept_ra=0 >/dev/null
    done
    ip link add name "$VA" netns "$NSA" address "$MACA" type veth \
        peer name "$VB" netns "$NSB" address "$MACB"
    local dev
    for dev in "$VA" "$VB"; do
        if [ "$dev" = "$VA" ]; then ns=$NSA; else ns=$NSB; fi
        # no segmentation / receive offloads: segments on the veth are
        # MSS-sized; no checksum offload: captured checksums are real
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
    # static neighbours: no ARP / NDP in the captures
    ina ip neigh replace "$B4" lladdr "$MACB" dev "$VA" nud permanent
    ina ip -6 neigh replace "$B6" lladdr "$MACB" dev "$VA" nud permanent
    inb ip neigh replace "$A4" lladdr "$MACA" dev "$VB" nud permanent
    inb ip -6 neigh replace "$A6" lladdr "$MACA" dev "$VB" nud permanent
    # let link-up chatter (MLD reports) pass before any capture starts
    sleep 3
    ina ping -n -q -c 1 -W 2 "$B4" >/dev/null || die "no IPv4 connectivity between namespaces"
    ina ping -6 -n -q -c 1 -W 2 "$B6" >/dev/null || die "no IPv6 connectivity between namespaces"
}

# wait (bounded) until FILE contains PATTERN
wait_for() { # file pattern what
    local i
    for i in $(seq 1 100); do
        grep -q "$2" "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    cat "$1" >&2 || true
    die "timed out waiting for $3"
}

SRV_B= SRV_A=
start_servers() {
    # ip netns exec directly (not through a shell function), so that $! is
    # the server process itself
    ip netns exec "$NSB" "$TRAFGEN" server :: "$PORT" --timeout 600 \
        >"$WORK/srv-b.log" 2>&1 &
    SRV_B=$!
    BGPIDS+=("$SRV_B")
    wait_for "$WORK/srv-b.log" listening "trafgen server in $NSB"
    ip netns exec "$NSA" "$TRAFGEN" server :: "$PORT_A" --timeout 600 \
        >"$WORK/srv-a.log" 2>&1 &
    SRV_A=$!
    BGPIDS+=("$SRV_A")
    wait_for "$WORK/srv-a.log" listening "trafgen server in $NSA"
}

CAP_PID= CAP_LOG=
start_capture() { # ns dev file
    CAP_LOG=$3.log
    ip netns exec "$1" tcpdump -i "$2" -n -s 0 -B 8192 -Z root -w "$3" \
        >"$CAP_LOG" 2>&1 &
    CAP_PID=$!
    BGPIDS+=("$CAP_PID")
    wait_for "$CAP_LOG" "listening on" "tcpdump on $2"
    sleep 0.3
}

# stop tcpdump; fails when the kernel dropped packets
stop_capture() {
    sleep 1 # final ACKs
    kill -INT "$CAP_PID" 2>/dev/null || true
    wait "$CAP_PID" 2>/dev/null || true
    forget "$CAP_PID"
    local drops
    drops=$(sed -n 's/^\([0-9]*\) packets\{0,1\} dropped by kernel.*/\1/p' "$CAP_LOG")
    log "  tcpdump: $(grep -E 'captured|dropped by kernel' "$CAP_LOG" | tr '\n' ' ')"
    [ -n "$drops" ] || { cat "$CAP_LOG" >&2; log "  no tcpdump statistics"; return 1; }
    [ "$drops" = 0 ] || { log "  tcpdump: $drops packets dropped by kernel"; return 1; }
}

client() { # ns trafgen-client-args...
    local ns=$1; shift
    ip netns exec "$ns" "$TRAFGEN" client "$@" >>"$WORK/client.log" 2>&1 ||
        { tail -n 5 "$WORK/client.log" >&2; log "  client failed: $*"; return 1; }
}

pings() { # ns dst count
    local six=()
    case $2 in *:*) six=(-6) ;; esac
    ip netns exec "$1" ping "${six[@]}" -n -q -c "$3" -i 0.2 -W 1 -w 10 "$2" \
        >/dev/null || { log "  ping $2 failed"; return 1; }
}

tshark_count() { # file filter
    tshark -r "$1" -Y "$2" 2>/dev/null | wc -l
}

check_capture() { # file
    local f=$1 size n
    size=$(stat -c %s "$f")
    [ "$size" -lt "$MAXSIZE" ] || { log "  $f too large ($size bytes)"; return 1; }
    if [ $HAVE_TSHARK = 1 ]; then
        n=$(tshark_count "$f" tcp.analysis.ack_lost_segment)
        [ "$n" = 0 ] || { log "  $n ack_lost_segment in $f"; return 1; }
        n=$(tshark_count "$f" tcp.analysis.lost_segment)
        [ "$n" = 0 ] || { log "  $n lost_segment in $f"; return 1; }
    fi
    return 0
}

# ---------------------------------------------------------------- scenarios
# Each runs with the capture already started; returns non-zero on failure.

# demo: short mixed capture for `make demo`
scen_demo() {
    pings "$NSA" "$B4" 3 &&
    client "$NSA" "$B4" "$PORT" --conns 3 --parallel 3 --up 300-4000 \
        --down 1000-12000 --seed 101 &&
    client "$NSA" "$B6" "$PORT" --conns 2 --parallel 2 --up 300-4000 \
        --down 1000-12000 --seed 102 &&
    client "$NSA" "$B4" "$PORT" --conns 0 --udp 4 --udp-size 40-600 --seed 103 &&
    client "$NSA" "$B6" "$PORT" --conns 0 --udp 2 --udp-size 40-600 --seed 104 &&
    pings "$NSA" "$B6" 3
}

# real-tcp4: 20 concurrent IPv4 connections, varied sizes both ways
scen_tcp4() {
    client "$NSA" "$B4" "$PORT" --conns 20 --parallel 20 --up 100-5000 \
        --down 200-7000 --seed 4004
}

# real-tcp6: the same over IPv6
scen_tcp6() {
    client "$NSA" "$B6" "$PORT" --conns 20 --parallel 20 --up 100-5000 \
        --down 200-7000 --seed 6006
}

# real-mixed: TCP v4/v6 both ways, UDP v4/v6, ICMP echo v4/v6, one
# connection ended by RST (SO_LINGER 0), one SYN to a closed port (-> RST)
scen_mixed() {
    pings "$NSA" "$B4" 3 &&
    pings "$NSB" "$A6" 3 &&
    client "$NSA" "$B4" "$PORT" --conns 6 --parallel 3 --up 100-5000 \
        --down 100-8000 --seed 7001 &&
    client "$NSA" "$B6" "$PORT" --conns 4 --parallel 4 --up 100-5000 \
        --down 100-8000 --seed 7002 &&
    client "$NSB" "$A4" "$PORT_A" --conns 2 --parallel 2 --up 1000-3000 \
        --down 1000-3000 --seed 7003 &&
    client "$NSA" "$B4" "$PORT" --conns 0 --udp 6 --udp-size 32-1400 --seed 7004 &&
    client "$NSB" "$A6" "$PORT_A" --conns 0 --udp 4 --udp-size 32-1400 --seed 7005 &&
    client "$NSA" "$B4" "$PORT" --conns 1 --up 500 --down 2000 --rst --seed 7006 &&
    client "$NSA" "$B4" "$CLOSED" --conns 1 --expect-refused &&
    client "$NSA" "$B6" "$CLOSED" --conns 1 --expect-refused &&
    pings "$NSB" "$A4" 2 &&
    pings "$NSA" "$B6" 2
}

# real-loss: see the comment at make_loss
scen_loss() {
    client "$NSA" "$B4" "$PORT" --conns 12 --parallel 6 --up 2000-20000 \
        --down 100-1500 --seed 9009 --timeout 30
}

# Loss AFTER the capture point.  The capture runs in the SENDER's namespace
# (gfcap-a, on gfcap-va, where the clients upload most of the bytes), so it
# records every packet gfcap-a transmits and every packet it receives.  In
# the RECEIVER's namespace (gfcap-b) an nftables rule at the prerouting hook
# (priority raw - 10, before conntrack and before the socket sees anything)
# drops about 3% of the TCP packets arriving from 10.77.0.1 on gfcap-vb:
#     numgen random mod 100 < 3 drop
# Those packets (data segments, and occasionally a SYN, FIN or pure ACK of
# the client) are in the capture, but never reach the server: its TCP stack
# answers with duplicate ACKs / SACKs and the client retransmits, so the
# capture holds both the original and the retransmission.  Nothing sent by
# gfcap-b is dropped, so the capture is still complete: every packet that
# crossed the capture point is in the file.
LOSS_RULES="table inet gfcap_loss {
    chain pre {
        type filter hook prerouting priority raw - 10; policy accept;
        iifname \"$VB\" ip saddr $A4 meta l4proto tcp numgen random mod 100 < 3 counter drop
    }
}"

loss_on() { echo "$LOSS_RULES" | inb nft -f -; }
loss_off() { inb nft delete table inet gfcap_loss 2>/dev/null || true; }
loss_dropped() {
    inb nft list table inet gfcap_loss 2>/dev/null |
        sed -n 's/.*counter packets \([0-9]*\) .*/\1/p' | head -n 1
}

# ---------------------------------------------------------------- driver

make_one() { # name capture-ns capture-dev scenario
    local name=$1 ns=$2 dev=$3 scen=$4 try f
    f=$WORK/$name.pcap
    for try in 1 2 3; do
        log "$name: try $try"
        rm -f "$f"
        : >"$WORK/client.log"
        [ "$name" = real-loss ] && loss_on
        start_capture "$ns" "$dev" "$f"
        local ok=1
        $scen || ok=0
        stop_capture || ok=0
        if [ "$name" = real-loss ]; then
            local d
            d=$(loss_dropped)
            loss_off
            log "  nft dropped ${d:-?} packets in $NSB"
            if [ $HAVE_TSHARK = 1 ] && [ $ok = 1 ]; then
                local r
                r=$(tshark_count "$f" tcp.analysis.retransmission)
                log "  $r retransmissions"
                [ "$r" -gt 0 ] || ok=0
            elif [ "${d:-0}" = 0 ]; then
                ok=0
            fi
        fi
        [ $ok = 1 ] && check_capture "$f" || ok=0
        if [ $ok = 1 ]; then
            install -m 0644 "$f" "$OUTDIR/$name.pcap"
            log "  wrote $OUTDIR/$name.pcap ($(stat -c %s "$f") bytes)"
            return 0
        fi
        sleep 1
    done
    die "$name: no good capture after 3 tries"
}

ALL="demo real-tcp4 real-tcp6 real-mixed real-loss"
WANT=${*:-$ALL}
for w in $WANT; do
    case " $ALL " in *" $w "*) ;; *) die "unknown capture '$w' (one of: $ALL)" ;; esac
done
mkdir -p "$OUTDIR"

setup_net
start_servers

for w in $WANT; do
    case $w in
    demo)       make_one demo       "$NSB" "$VB" scen_demo ;;
    real-tcp4)  make_one real-tcp4  "$NSB" "$VB" scen_tcp4 ;;
    real-tcp6)  make_one real-tcp6  "$NSB" "$VB" scen_tcp6 ;;
    real-mixed) make_one real-mixed "$NSB" "$VB" scen_mixed ;;
    real-loss)  make_one real-loss  "$NSA" "$VA" scen_loss ;;
    esac
done
log "done"
