#!/bin/sh
# pcaps_invariants.sh - invariants that must hold for every public capture
# in ../shared/pcaps that gapflow reads (skipped when that folder is
# absent: a fresh clone has none; GF_PCAPS=DIR names another folder).
#
# For each capture (*.pcap, *.pcapng, *.gz and derived/*, in name order)
# gapflow runs with its defaults; a capture it refuses (exit status not 0:
# unsupported link type, truncated or invalid file) is listed, not checked.
#
# 1. frames: every frame is counted once.  SENSOR pkts summed over the run
#    equals the frame count capinfos reports (capinfos -c -M), and
#        pkts = nonip + sum of bad_* + sum over flow records of
#               (spkts + dpkts + sdups + ddups + icmperr)
#    (an ICMP error is counted in the icmperr of the flow it quotes, not
#    as a packet of a flow of its own: gapflow(8); SPAN duplicates in
#    sdups/ddups, not in the packets: gapflow-records(5)).
# 2. loss: no interval of `gapdump --loss` above 100 %, in bytes
#    (lossbytes_pct) or in events (lossev_pct).
# 3. gap bound: no TCP direction's gap exceeds what its sender's window
#    permits.  The bound is computed from the capture by tshark alone
#    (tcp.stream splits connections), per connection and data sender X
#    with peer Y, in X's sequence space unwrapped to 64 bits:
#      lo  = ISN+1 of X's SYN or SYN-ACK when the capture has it (what
#            X sent before it belongs to an older incarnation), else the
#            lowest sequence number X sent; Y's first ACK when X sent
#            nothing
#      hi  = the highest seq + len (+ SYN, FIN) X sent so far
#      W   = the largest window Y advertised so far, scaled by its
#            tshark-known scale factor; when the scale is unknown (no
#            handshake in the capture) the largest possible, x 2^14
#      an ACK a from Y (not RST) is plausible when
#            a <= max(hi, the highest plausible ACK so far) + W
#            and, while X is in SYN-SENT (X sent only its SYN and Y no
#            SYN-ACK), a = ISN+1 (RFC 793 3.9; an RFC 5961 challenge ACK
#            is not)
#      bound = highest plausible ACK - lo   (Y never sent: hi - lo)
#    A gap is payload acknowledged but unseen, so it cannot exceed the
#    span the peer plausibly acknowledged.  gapflow's sgap/dgap summed
#    over its records of a 4-tuple (VLAN ignored), per sender, must be
#    <= the bounds summed over tshark's connections of that 4-tuple.  The
#    chain (each ACK within one window of the last plausible one) keeps
#    true huge gaps of filtered captures (zeek_ftp_bigtransfer), and
#    rejects ACKs that jump far beyond anything sent.  tshark runs only on
#    captures where gapflow reports a TCP gap.
#
# Run time: gapflow alone takes ~0.6 s per capture today (its fixed
# start-up), ~3 minutes for the ~270 captures on an idle two-core machine
# and over 10 on a busy one.  So by default (make check) the test checks a
# fixed subset, the same on every run: the captures named in issues 9 and
# 10 and every 6th other capture in name order (~50).  GF_PCAPS_ALL=1
# checks every capture (before a merge of the gap engine).
#
# Checks 2 and 3 fail today on captures named in issue 10 (capture-loss
# percentages, challenge ACKs); until the gap engine is fixed they are
# reported as SKIP lines with the captures that break them.
# GF_INVARIANTS_STRICT=1 makes them failures (switch it on when the fix
# lands); check 1 always fails on a violation.
. tests/e2e/lib.sh
P=${GF_PCAPS:-../shared/pcaps}
if [ ! -d "$P" ]; then
	skip all "$P absent (public captures; a fresh clone has none)"
	exit 0
fi
for c in capinfos tshark; do
	if ! have $c; then
		skip all "$c not installed"
		exit 0
	fi
done
STRICT=${GF_INVARIANTS_STRICT:-1}
BAD=$("$GAPDUMP" --fields | awk '$1 == "sensor" && $2 ~ /^bad_/ {printf ",%s", $2}')
: >"$T/unread" ; : >"$T/frames"; : >"$T/loss"; : >"$T/bound"
n=0
# the captures named in issues 9 and 10, and every 6th other one
NAMED='zeek_http_bro.org-filtered|zeek_ftp_bigtransfer|pcpp_tls2|suricata_tls-subjectaltname|zeek_tunnels_gre-sample|zeek_ldap_gap-data-missing|stopddos_amp.dns.RRSIG.fragmented'
ls "$P"/*.pcap "$P"/*.pcapng "$P"/*.gz "$P"/derived/* 2>/dev/null | sort >"$T/all"
if [ "${GF_PCAPS_ALL:-0}" = 1 ]; then
	cp "$T/all" "$T/list"
else
	awk -v named="$NAMED" 'NR % 6 == 1 || $0 ~ named' "$T/all" >"$T/list"
fi
for f in $(cat "$T/list"); do
	[ -f "$f" ] || continue
	b=${f#"$P"/}
	if ! "$GAPFLOW" -r "$f" -w "$T/o.gf" 2>"$T/err"; then
		echo "$b: $(head -n 1 "$T/err")" >>"$T/unread"
		continue
	fi
	n=$((n + 1))
	# 1. frames
	frames=$(capinfos -c -M "$f" 2>/dev/null | sed -n 's/^Number of packets: *\([0-9]*\).*/\1/p')
	s=$("$GAPDUMP" -r "$T/o.gf" -o csv -L0 -s "pkts,nonip$BAD" - sensor |
	    awk -F, '{ p += $1; for (i = 2; i <= NF; i++) o += $i } END { print p + 0, o + 0 }')
	"$GAPDUMP" -r "$T/o.gf" -o csv -L0 -s \
	    proto,saddr,sport,daddr,dport,sgap,dgap,spkts,dpkts,sdups,ddups,icmperr \
	    - 'not sensor' >"$T/flows"
	fl=$(awk -F, '{ p += $8 + $9 + $10 + $11 + $12 } END { print p + 0 }' "$T/flows")
	set -- $s
	if [ "$frames" != "$1" ] || [ "$1" != $(($2 + fl)) ]; then
		echo "$b: $frames frames, SENSOR pkts $1, nonip+bad $2 + in flows $fl" >>"$T/frames"
	fi
	# 2. loss percentages
	"$GAPDUMP" -r "$T/o.gf" --loss -o csv 2>/dev/null | awk -F, -v b="$b" '
	    NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	    $c["lossbytes_pct"] > 100 || $c["lossev_pct"] > 100 {
		print b ": interval " $1 ": bytes " $c["lossbytes_pct"] " %, events " $c["lossev_pct"] " %"; exit
	    }' >>"$T/loss"
	# 3. gap bound (only where gapflow reports a TCP gap)
	awk -F, '($1 == "tcp" || $1 == 6) && ($6 > 0 || $7 > 0) {
		g[$2 "|" $3 "|" $4 "|" $5] += $6; g[$4 "|" $5 "|" $2 "|" $3] += $7
	    } END { for (k in g) if (g[k] > 0) print "G," k "," g[k] }' "$T/flows" >"$T/g"
	[ -s "$T/g" ] || continue
	tshark -r "$f" -n -Y 'tcp and not icmp and not icmpv6' -T fields \
	    -E separator=, -E occurrence=l -e frame.protocols -e tcp.stream \
	    -e ip.src -e ip.dst -e ipv6.src -e ipv6.dst -e tcp.srcport \
	    -e tcp.dstport -e tcp.seq_raw -e tcp.ack_raw -e tcp.len \
	    -e tcp.flags.syn -e tcp.flags.ack -e tcp.flags.reset -e tcp.flags.fin \
	    -e tcp.window_size_value -e tcp.window_size_scalefactor 2>/dev/null |
	    awk -F, -v b="$b" '
	function unwrap(sp, v,   d) {   # place v within 2^31 of the anchor of space sp
		if (!(sp in anc)) return v + 4294967296
		d = (v - anc[sp] % 4294967296 + 4294967296) % 4294967296
		if (d >= 2147483648) d -= 4294967296
		return anc[sp] + d
	}
	$1 == "G" { gap[$2] = $3; next }
	{
		pr = $1; i4 = 0; i6 = 0
		while ((p = index(substr(pr, i4 + 1), ":ip:")) > 0) i4 += p
		while ((p = index(substr(pr, i6 + 1), ":ipv6:")) > 0) i6 += p
		if (i6 > i4) { s = $5; d = $6 } else { s = $3; d = $4 }
		if (s == "" || d == "") next
		st = $2; X = s "|" $7 "|" d "|" $8; Y = d "|" $8 "|" s "|" $7
		cx = st SUBSEP X; cy = st SUBSEP Y       # a direction of a connection
		conns[cx] = X; conns[cy] = Y
		syn = $12 == 1 || $12 == "True"; ack = $13 == 1 || $13 == "True"
		rst = $14 == 1 || $14 == "True"; fin = $15 == 1 || $15 == "True"
		# the window this packet advertises for the data X receives
		w = $16 + 0; sf = $17 + 0
		if (sf == -1) w *= 16384; else if (sf > 0) w *= sf
		if (w > win[cx]) win[cx] = w
		# X sends
		q = unwrap(cx, $9 + 0)
		if (!rst) anc[cx] = q
		sent[cx] = 1
		if (syn && !ack) { isn[cx] = q; synsent[cx] = 1 }
		else if (syn && ack) synsent[cy] = 0
		else if (!rst) synsent[cx] = 0
		if (syn && !rst) {      # the ISN starts the sequence space
			lo[cx] = q + 1; hadsyn[cx] = 1; delete pa[cx]
		} else if (!hadsyn[cx] && (!(cx in lo) || q < lo[cx]))
			lo[cx] = q
		h = q + $11 + (syn ? 1 : 0) + (fin ? 1 : 0)
		if (!(cx in hi) || h > hi[cx]) hi[cx] = h
		# X acknowledges Y
		if (ack && !rst) {
			a = unwrap(cy, $10 + 0)
			if (!(cy in hi) && !(cy in lo)) lo[cy] = a
			r = (cy in hi) ? hi[cy] : a
			if ((cy in pa) && pa[cy] > r) r = pa[cy]
			ok = a <= r + win[cx]
			if (synsent[cy] && a != isn[cy] + 1) ok = 0
			if (ok) {
				anc[cy] = a
				if (!(cy in pa) || a > pa[cy]) pa[cy] = a
			}
		}
	}
	END {
		for (c in conns) {
			split(c, e, SUBSEP); k = conns[c]; split(k, f, "|")
			peer = e[1] SUBSEP f[3] "|" f[4] "|" f[1] "|" f[2]
			if (peer in sent) v = (c in pa) ? pa[c] - lo[c] : 0
			else v = (c in hi) ? hi[c] - lo[c] : 0
			if (v > 0) bound[k] += v
		}
		for (k in gap) if (gap[k] > bound[k] + 0)
			printf "%s: %s gap %.0f > bound %.0f\n", b, k, gap[k], bound[k]
	}' "$T/g" - >>"$T/bound"
done
if [ $n -eq 0 ]; then
	skip all "no capture in $P that gapflow reads"
	exit 0
fi
echo "pcaps_invariants: $n of $(wc -l <"$T/all") captures checked (GF_PCAPS_ALL=1: all); $(wc -l <"$T/unread") not read by gapflow:"
sed 's/^/  /' "$T/unread"
if [ -s "$T/frames" ]; then
	fail frames "$(wc -l <"$T/frames") captures whose frames do not add up:" "$(cat "$T/frames")"
else
	pass "frames ($n captures)"
fi
for c in loss bound; do
	if [ ! -s "$T/$c" ]; then
		pass "$c ($n captures)"
	elif [ "$STRICT" = 1 ]; then
		fail "$c" "$(wc -l <"$T/$c") violations:" "$(cat "$T/$c")"
	else
		skip "$c" "$(wc -l <"$T/$c") violations (engine fix pending, issue 10; GF_INVARIANTS_STRICT=1 fails on them): $(cat "$T/$c" | tr '\n' '|')"
	fi
done
