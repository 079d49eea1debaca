# tests/accuracy/lib.sh - gap accuracy evaluation (sourced by run.sh and
# tests/e2e/accuracy_quick.sh; POSIX sh).
#
# Needs: $ACC_TOOLS (pcapcut, gaptruth, gapsynth), $ACC_GAPFLOW,
# $ACC_GAPDUMP, $ACC_W (a scratch directory).  $ACC_OTHERS=1 also runs
# argus/ra and tshark (informational columns).
#
# Directions are joined on the DATA SENDER: key "saddr|sport|daddr|dport"
# with saddr:sport the endpoint that sent the data, so the join does not
# depend on which side a tool calls the initiator.  Each tool's gaps are
# summed per key over all its records (status + final, every flow id).
#
#   acc_cut ORIG OUT PCAPCUT-ARGS...   make an analyzed capture
#   acc_case NAME ORIG ANALYZED [zf]   evaluate one case, print a table
#       row; zf: zero false gap directions required.  Returns 1 when
#       gapflow misses a target; $ACC_WHY then says which.
#   acc_feed NAME ORIG CLEAN FEEDS [zf]  a tap-feed case: the sensor
#       reads FEEDS (comma-separated files, one -r each: the rx and tx
#       ports of a tap, or one file whose frames a SPAN port doubled,
#       VLAN-tagged or a writer cut); the truth is that of CLEAN, the
#       same packets as one clean feed (gaptruth ORIG CLEAN); argus and
#       tshark read the mergecap'd union of FEEDS.  Also checks every
#       connection against tshark on CLEAN (acc_conncheck) and appends
#       its line to $ACC_CONN.
#   acc_expect EXPECT [flows]           after acc_case: compare the last
#       case's records with the scenario's expected table (gapsynth's
#       SCENARIO.expect); prints "conns flows dirs loss ooo", the
#       connections and directions checked and how many gapflow gets
#       wrong; "flows": only the connection lines (flows per 4-tuple).
#   acc_feed_row ORIG CLEAN NAME SPLIT SHIFT [OPTS...]  one row of
#       ACC_FEED_TABLE: make its feeds from ORIG in $ACC_C and run
#       acc_feed against CLEAN (zf)
#   acc_infer_row ORIG SCEN NAME ZF EXPECT CUT...  one row of
#       ACC_INFER_TABLE: make the analyzed capture, run acc_case and,
#       per EXPECT, acc_expect against SCEN.expect (line in $ACC_EXP)
#   acc_header                          print the table header

ACC_OTHERS=${ACC_OTHERS:-0}
LC_ALL=C
export LC_ALL

acc_have() { command -v "$1" >/dev/null 2>&1; }

acc_cut() { # orig out args...
	_o=$1 _a=$2
	shift 2
	"$ACC_TOOLS/pcapcut" "$_o" "$_a" "$@" 2>/dev/null
}

# frames in a capture
acc_frames() {
	"$ACC_TOOLS/pcapcut" "$1" /dev/null 2>&1 | sed -n 's/^pcapcut: \([0-9]*\) frames in.*/\1/p'
}

# gapflow with status interval $2 on $1 (files separated by commas, one
# -r each) -> per-direction sums in $3
acc_gapflow() {
	_rs=$(printf '%s\n' "$1" | tr ',' '\n' | sed 's/^/-r\n/')
	(IFS='
'; exec "$ACC_GAPFLOW" $_rs -S "$2" -w "$ACC_W/gf.out") 2>"$ACC_W/gf.err" || return 1
	"$ACC_GAPDUMP" -r "$ACC_W/gf.out" -o csv -L0 \
	    -s proto,saddr,sport,daddr,dport,sgap,dgap 2>>"$ACC_W/gf.err" |
	awk -F, '$1 == "tcp" || $1 == "6" {
		g[$2 "|" $3 "|" $4 "|" $5] += $6
		g[$4 "|" $5 "|" $2 "|" $3] += $7
	} END { for (k in g) print k "," g[k] }' | sort >"$3"
}

acc_truth() { # orig analyzed out
	"$ACC_TOOLS/gaptruth" "$1" "$2" >"$ACC_W/truth.csv" 2>"$ACC_W/truth.err" || return 1
	awk -F, '{
		if ($6 == "s") k = $2 "|" $3 "|" $4 "|" $5
		else k = $4 "|" $5 "|" $2 "|" $3
		g[k] += $7
	} END { for (k in g) print k "," g[k] }' "$ACC_W/truth.csv" | sort >"$3"
}

acc_argus() { # cap out
	rm -f "$ACC_W/argus.out"
	argus -r "$1" -S 5 -w "$ACC_W/argus.out" >/dev/null 2>&1 || return 1
	ra -r "$ACC_W/argus.out" -n -L -1 -c , \
	    -s saddr sport daddr dport sgap dgap - tcp 2>/dev/null |
	awk -F, 'NF >= 6 {
		g[$1 "|" $2 "|" $3 "|" $4] += $5
		g[$3 "|" $4 "|" $1 "|" $2] += $6
	} END { for (k in g) print k "," g[k] }' | sort >"$2"
}

acc_tshark() { # cap out: directions acknowledged past unseen data
	tshark -r "$1" -Y tcp.analysis.ack_lost_segment -T fields \
	    -e ip.src -e ipv6.src -e tcp.srcport -e ip.dst -e ipv6.dst \
	    -e tcp.dstport -E separator=, 2>/dev/null |
	awk -F, '{
		s = $1 != "" ? $1 : $2; d = $4 != "" ? $4 : $5
		g[d "|" $6 "|" s "|" $3] = 1
	} END { for (k in g) print k "," g[k] }' | sort >"$2"
}

# acc_metrics TRUTH TOOL -> "tdirs tbytes P R err errabs fp gbytes fn"
acc_metrics() {
	awk -F, 'NR == FNR { t[$1] = $2; next } { g[$1] = $2 }
	END {
		for (k in t) u[k] = 1
		for (k in g) u[k] = 1
		for (k in u) {
			tv = (k in t) ? t[k] + 0 : 0; gv = (k in g) ? g[k] + 0 : 0
			st += tv; sg += gv
			if (tv > 0) nt++
			if (tv > 0 && gv > 0) tp++
			else if (gv > 0) fp++
			else if (tv > 0) fn++
		}
		p = (tp + fp) ? tp / (tp + fp) : 1
		r = (tp + fn) ? tp / (tp + fn) : 1
		d = sg - st; if (d < 0) d = -d
		if (st > 0) e = sprintf("%.6f 0", d / st)
		else e = sprintf("%d 1", d)
		printf "%d %d %.3f %.3f %s %d %d %d\n", nt, st, p, r, e, fp, sg, fn
	}' "$1" "$2"
}

acc_fmt_err() { # err abs
	if [ "$2" = 1 ]; then printf '%sB' "$1"; else awk -v e="$1" 'BEGIN { printf "%.2f%%", e * 100 }'; fi
}

acc_header() {
	printf '%-22s %5s %9s | %-41s | %-25s | %-17s\n' "" "truth" "" \
	    "gapflow" "argus" "tshark"
	printf '%-22s %5s %9s | %5s %5s %7s %6s %5s %5s | %5s %5s %7s %5s | %5s %5s %5s\n' \
	    case dirs bytes P R err diff false S-inv P R err false P R false
}

acc_case() { # name orig analyzed [zf]
	_acc_eval "$1" "$2" "$3" "$3" "$3" "${4:-}"
}

acc_feed() { # name orig clean feeds [zf]
	_fe_n=$1 _fe_o=$2 _fe_c=$3 _fe_f=$4 _fe_z=${5:-}
	case $_fe_f in
	*,*)	# peers read one file: the union of the feeds
		(IFS=,; exec mergecap -F pcap -w "$ACC_W/union.pcap" $_fe_f) \
		    2>/dev/null || rm -f "$ACC_W/union.pcap"
		_fe_u=$ACC_W/union.pcap ;;
	*)	_fe_u=$_fe_f ;;
	esac
	_acc_eval "$_fe_n" "$_fe_o" "$_fe_c" "$_fe_f" "$_fe_u" "$_fe_z"
	_fe_rc=$?
	[ -f "$ACC_W/g5" ] || return $_fe_rc
	_fe_cc=$(acc_conncheck "$_fe_c" "$ACC_W/gf5.out")
	printf '%-22s %s\n' "$_fe_n" "$_fe_cc" >>"${ACC_CONN:-/dev/null}"
	set -- $_fe_cc
	if [ "$#" -lt 6 ] || [ "$2$3$4$5$6" != 00000 ]; then
		ACC_WHY="${ACC_WHY:-$_fe_n:} per connection vs the clean feed: $_fe_cc;"
		_fe_rc=1
	fi
	return $_fe_rc
}

# acc_conncheck CLEAN GF -> "conns split pkts simplex loss ooo dups": the
# connections of CLEAN (tshark tcp.stream, per 4-tuple) and how many of
# them gapflow's records GF (merged with -m flow) get wrong:
#   split    flows per 4-tuple differ from tshark's streams
#   pkts     packets of a direction differ
#   simplex  a record is flagged simplex (S) though tshark saw both
#            directions
#   loss     retransmitted packets (sloss/dloss) differ from tshark's
#            frames flagged tcp.analysis.retransmission, fast_ or
#            spurious_retransmission
#   ooo      out-of-order packets (sooo/dooo) differ from tshark's
#            tcp.analysis.out_of_order frames
#   dups     frames gapflow counted as duplicates (sdups + ddups; a
#            count, informational: the expected value is the number of
#            copies the case added)
# tshark reads the clean single feed, so every expected value is
# independent of gapflow and of the feed conditions.
acc_conncheck() {
	"$ACC_GAPDUMP" -r "$2" -m flow -o csv -L0 \
	    -s proto,saddr,sport,daddr,dport,spkts,dpkts,sloss,dloss,sooo,dooo,sdups,ddups,flgs \
	    2>/dev/null | awk -F, '$1 == "tcp" || $1 == "6"' >"$ACC_W/cc.gf"
	tshark -r "$1" -n -Y tcp -T fields -E separator=, -E occurrence=f \
	    -e tcp.stream -e ip.src -e ipv6.src -e tcp.srcport -e ip.dst \
	    -e ipv6.dst -e tcp.dstport -e tcp.analysis.retransmission \
	    -e tcp.analysis.fast_retransmission \
	    -e tcp.analysis.spurious_retransmission \
	    -e tcp.analysis.out_of_order 2>/dev/null >"$ACC_W/cc.ts"
	awk -F, '
	function ukey(a, ap, b, bp) {
		return (a "|" ap < b "|" bp) ? a "|" ap "|" b "|" bp : b "|" bp "|" a "|" ap
	}
	FILENAME ~ /cc.ts$/ {
		s = $2 != "" ? $2 : $3; d = $5 != "" ? $5 : $6
		k = s "|" $4 "|" d "|" $7; u = ukey(s, $4, d, $7)
		if (!((u, $1) in st)) { st[u, $1] = 1; tstreams[u]++ }
		conn[u] = 1; tp[k]++
		if ($8 != "" || $9 != "" || $10 != "") tr[k]++
		if ($11 != "") to[k]++
		next
	}
	{
		k = $2 "|" $3 "|" $4 "|" $5; r = $4 "|" $5 "|" $2 "|" $3
		u = ukey($2, $3, $4, $5)
		gflows[u]++; gp[k] += $6; gp[r] += $7; gl[k] += $8; gl[r] += $9
		go[k] += $10; go[r] += $11; dups += $12 + $13
		if ($14 ~ /S/) gs[u] = 1
	}
	END {
		for (u in conn) {
			n++
			split(u, e, "|"); k = u; r = e[3] "|" e[4] "|" e[1] "|" e[2]
			if (gflows[u] + 0 != tstreams[u]) sp++
			if (gp[k] + 0 != tp[k] + 0 || gp[r] + 0 != tp[r] + 0) pk++
			if ((u in gs) && tp[k] > 0 && tp[r] > 0) sx++
			if (gl[k] + 0 != tr[k] + 0 || gl[r] + 0 != tr[r] + 0) lo++
			if (go[k] + 0 != to[k] + 0 || go[r] + 0 != to[r] + 0) oo++
		}
		for (u in gflows) if (!(u in conn)) { sp++; n++ }
		printf "%d %d %d %d %d %d %d\n", n, sp, pk, sx, lo, oo, dups
	}' "$ACC_W/cc.ts" "$ACC_W/cc.gf"
}

acc_expect() { # expect [flows]
	"$ACC_GAPDUMP" -r "$ACC_W/gf5.out" -m flow -o csv -L0 \
	    -s proto,saddr,sport,daddr,dport,sloss,dloss,sooo,dooo \
	    2>/dev/null | awk -F, '$1 == "tcp" || $1 == "6"' >"$ACC_W/ex.gf"
	awk -v only="${2:-}" '
	function ukey(a, ap, b, bp) {
		return (a "|" ap < b "|" bp) ? a "|" ap "|" b "|" bp : b "|" bp "|" a "|" ap
	}
	FILENAME ~ /ex.gf$/ {
		split($0, f, ",")
		k = f[2] "|" f[3] "|" f[4] "|" f[5]; r = f[4] "|" f[5] "|" f[2] "|" f[3]
		flows[ukey(f[2], f[3], f[4], f[5])]++
		l[k] += f[6]; l[r] += f[7]; o[k] += f[8]; o[r] += f[9]
		next
	}
	$1 == "conn" {
		split($2, e, "|"); nc++
		if (flows[ukey(e[1], e[2], e[3], e[4])] + 0 != $3) bf++
	}
	$1 == "dir" && only != "flows" {
		nd++
		if (l[$2] + 0 != $3) bl++
		if (o[$2] + 0 != $4) bo++
	}
	END { printf "%d %d %d %d %d\n", nc, bf, nd, bl, bo }' "$ACC_W/ex.gf" "$1"
}

acc_expect_header() {
	printf '%-22s %s\n' "inference case" "conns flows dirs loss ooo (checked, and how many gapflow gets wrong vs the scenario's expected table)"
}

acc_conn_header() {
	printf '%-22s %s\n' "feed case" "conns split pkts simplex loss ooo dups (connections gapflow gets wrong vs tshark on the clean feed; dups: frames counted as duplicates)"
}

_acc_eval() { # name orig truth-analyzed sensor-inputs peer-input zf
	ACC_WHY=
	_n=$1 _orig=$2 _an=$4 _tan=$3 _pan=$5 _zf=${6:-}
	rm -f "$ACC_W/t" "$ACC_W/g5" "$ACC_W/gf5.out"
	if ! acc_truth "$_orig" "$_tan" "$ACC_W/t"; then
		ACC_WHY="$_n: gaptruth failed: $(head -n 3 "$ACC_W/truth.err")"
		echo "$ACC_WHY"
		return 1
	fi
	if ! acc_gapflow "$_an" 5 "$ACC_W/g5"; then
		ACC_WHY="$_n: gapflow failed: $(head -n 3 "$ACC_W/gf.err")"
		echo "$ACC_WHY"
		return 1
	fi
	cp "$ACC_W/gf.out" "$ACC_W/gf5.out"
	_sinv=ok
	for _s in 0.1 60; do
		acc_gapflow "$_an" "$_s" "$ACC_W/gs" || _sinv=ERR
		cmp -s "$ACC_W/g5" "$ACC_W/gs" || _sinv=DIFF
		[ $_sinv = ok ] || cp "$ACC_W/gs" "$ACC_W/g_$_s"
	done
	set -- $(acc_metrics "$ACC_W/t" "$ACC_W/g5")
	_nt=$1 _st=$2 _p=$3 _r=$4 _e=$5 _abs=$6 _fp=$7 _sg=$8 _fn=$9
	_ar="n/a n/a n/a n/a" _ts="n/a n/a n/a"
	if [ "$ACC_OTHERS" = 1 ] && acc_have argus && acc_have ra &&
	    [ -s "$_pan" ] && acc_argus "$_pan" "$ACC_W/ar"; then
		set -- $(acc_metrics "$ACC_W/t" "$ACC_W/ar")
		_ar="$3 $4 $(acc_fmt_err "$5" "$6") $7"
	fi
	if [ "$ACC_OTHERS" = 1 ] && acc_have tshark && [ -s "$_pan" ]; then
		acc_tshark "$_pan" "$ACC_W/ts"
		set -- $(acc_metrics "$ACC_W/t" "$ACC_W/ts")
		_ts="$3 $4 $7"
	fi
	set -- $_ar $_ts
	printf '%-22s %5s %9s | %5s %5s %7s %6s %5s %5s | %5s %5s %7s %5s | %5s %5s %5s\n' \
	    "$_n" "$_nt" "$_st" "$_p" "$_r" "$(acc_fmt_err "$_e" "$_abs")" \
	    "$((_sg - _st))" "$_fp" "$_sinv" "$1" "$2" "$3" "$4" "$5" "$6" "$7"
	# targets
	awk -v p="$_p" -v r="$_r" 'BEGIN { exit !(p >= 0.99) }' ||
	    ACC_WHY="$ACC_WHY precision $_p < 0.99;"
	awk -v p="$_p" -v r="$_r" 'BEGIN { exit !(r >= 0.99) }' ||
	    ACC_WHY="$ACC_WHY recall $_r < 0.99 ($_fn missed);"
	if [ "$_abs" = 1 ]; then
		[ "$_e" = 0 ] || ACC_WHY="$ACC_WHY $_sg gap bytes where truth is 0;"
	else
		awk -v e="$_e" 'BEGIN { exit !(e <= 0.01) }' ||
		    ACC_WHY="$ACC_WHY byte error $(acc_fmt_err "$_e" 0) > 1% (gapflow $_sg, truth $_st);"
	fi
	[ "$_zf" = zf ] && [ "$_fp" != 0 ] &&
	    ACC_WHY="$ACC_WHY $_fp false gap directions;"
	[ $_sinv = ok ] || ACC_WHY="$ACC_WHY gaps differ between -S 5, -S 0.1 and -S 60;"
	if [ -n "$ACC_WHY" ]; then
		ACC_WHY="$_n:$ACC_WHY"
		return 1
	fi
	return 0
}

# Per-direction differences of the last case (for diagnosis).
acc_diff() {
	join -t, -a1 -a2 -e0 -o 0,1.2,2.2 "$ACC_W/t" "$ACC_W/g5" |
	    awk -F, '$2 != $3 { print "  " $1 ": truth " $2 ", gapflow " $3 }'
}

# ------------------------------------------------ tap-feed cases (issue 9)
# Each row names a case and how its feeds are made from a capture of
# connections between 10.78.0.1/fd78::1 and 10.78.0.2/fd78::2 (the live
# captures and accuracy-base.pcap): split y: rx/tx ports by IP source
# (ACC_FEED_HOST to the second file), the second port's clock shifted by
# SHIFT microseconds; extra pcapcut options (B: ACC_FEED_HOST).  run.sh
# runs each row as is and after ACC_FEED_RM (the same removal as its
# clean feed).  The truth is the clean single feed's.
#   name            split  shift(us)  extra pcapcut options
ACC_FEED_TABLE='split+0.5ms      y      500
split-0.5ms      y     -500
split+2ms        y     2000
split+10ms       y    10000
split-3ms        y    -3000
split-10ms       y   -10000
span-dup5us      n        0  --dup 5
vlan-2dirs       n        0  --vlan B 10 20
lost-wirelen96   n        0  --lose-wire 96'
ACC_FEED_HOST=10.78.0.2,fd78::2
ACC_FEED_RM='--tcp-only --rate 0.02 --seed 8'

acc_feed_row() { # orig clean name split shift [opts...]
	_fr_o=$1 _fr_c=$2 _fr_n=$3 _fr_sp=$4 _fr_sh=$5
	shift 5
	_fr_x=$(echo " $* " | sed "s/ B / $ACC_FEED_HOST /")
	if [ "$_fr_sp" = y ]; then
		acc_cut "$_fr_o" "$ACC_C/$_fr_n-rx.pcap" $_fr_x --feed2 \
		    "$ACC_FEED_HOST" "$ACC_C/$_fr_n-tx.pcap" --shift "$_fr_sh"
		_fr_in=$ACC_C/$_fr_n-rx.pcap,$ACC_C/$_fr_n-tx.pcap
	else
		acc_cut "$_fr_o" "$ACC_C/$_fr_n.pcap" $_fr_x
		_fr_in=$ACC_C/$_fr_n.pcap
	fi
	acc_feed "$_fr_n" "$_fr_o" "$_fr_c" "$_fr_in" zf
}

# ----------------------------------------------- inference cases (issue 10)
# src: a gapsynth scenario (SCEN.pcap, .drop, .expect in $ACC_C) or LONG
# (the live long capture); cut: pcapcut options making the analyzed
# capture ("drop": the scenario's own drop list, "-": none); zf: zero false
# gap directions required; expect: compare with the scenario's expected
# table (all: flows per connection, loss and ooo per direction; flows:
# flows only, as removal makes loss/ooo ambiguous; -: none).
#   name         src        zf  expect  cut
ACC_INFER_TABLE='ele-clean      elephant   zf  all     -
ele-rm0.5%     elephant   -   flows   --tcp-only --rate 0.005 --seed 1
ele-rm2%       elephant   -   flows   --tcp-only --rate 0.02 --seed 1
ele-rm5%       elephant   -   flows   --tcp-only --rate 0.05 --seed 1
ele-rm10%      elephant   -   flows   --tcp-only --rate 0.10 --seed 1
ele-rm20%      elephant   -   flows   --tcp-only --rate 0.20 --seed 1
ele-rm20%-s2   elephant   -   flows   --tcp-only --rate 0.20 --seed 2
long-rm5%      LONG       -   -       --tcp-only --rate 0.05 --seed 9
long-rm10%     LONG       -   -       --tcp-only --rate 0.10 --seed 9
long-rm20%     LONG       -   -       --tcp-only --rate 0.20 --seed 9
challenge      challenge  -   all     drop
randid         randid     zf  all     -
idle           idle       -   all     drop'

acc_infer_row() { # orig scen name zf expect cut...
	_ir_o=$1 _ir_s=$2 _ir_n=$3 _ir_z=$4 _ir_e=$5
	shift 5
	case $* in
	-)	_ir_a=$_ir_o ;;
	drop)	_ir_a=$ACC_C/$_ir_n-an.pcap
		acc_cut "$_ir_o" "$_ir_a" --drop-list "$_ir_s.drop" ;;
	*)	_ir_a=$ACC_C/$_ir_n.pcap
		acc_cut "$_ir_o" "$_ir_a" "$@" ;;
	esac
	[ "$_ir_z" = zf ] || _ir_z=
	acc_case "$_ir_n" "$_ir_o" "$_ir_a" $_ir_z
	_ir_rc=$?
	[ "$_ir_e" = - ] || [ ! -s "$ACC_W/gf5.out" ] && return $_ir_rc
	[ "$_ir_e" = all ] && _ir_e=
	_ir_r=$(acc_expect "$_ir_s.expect" $_ir_e)
	printf '%-22s %s\n' "$_ir_n" "$_ir_r" >>"${ACC_EXP:-/dev/null}"
	set -- $_ir_r
	if [ "$2$4$5" != 000 ]; then
		ACC_WHY="${ACC_WHY:-$_ir_n:} differs from the scenario's expected table (conns flows dirs loss ooo): $_ir_r;"
		_ir_rc=1
	fi
	return $_ir_rc
}
