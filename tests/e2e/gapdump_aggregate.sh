# gapdump -m, -b, --sort, --top, -R and the pipe example on the repo's
# captures: every aggregate is checked against sums and counts made with
# awk from the per-record listing of the same records.
. tests/e2e/lib.sh

# the counters that must survive any aggregation unchanged
COUNTERS=spkts,dpkts,sbytes,dbytes,sappbytes,dappbytes,sgap,dgap,sackbytes,dackbytes,sloss,dloss,trans
sums() {        # sums of the CSV columns of stdin, space-separated
	awk -F, '{ for (i = 1; i <= NF; i++) s[i] += $i; n = NF }
	    END { for (i = 1; i <= n; i++) printf "%s%d", (i > 1 ? " " : ""), s[i]; print "" }'
}

for name in demo real-tcp4 real-tcp6 real-mixed real-loss; do
	cap=$CAP/$name.pcap
	[ -f "$cap" ] || { skip "$name" "no $cap"; continue; }
	gf=$T/$name.gf
	# 1 ms status intervals: most flows are cut into several records
	"$GAPFLOW" -r "$cap" -S 0.001 -w "$gf" 2>/dev/null
	records=$("$GAPDUMP" -r "$gf" -L0 -s flowid | wc -l)
	flows=$("$GAPDUMP" -r "$gf" -L0 -s flowid | sort -u | wc -l)
	want=$("$GAPDUMP" -r "$gf" -L0 -o csv -s $COUNTERS | sums)

	# -m flow: one row per flow, totals of the per-record counters
	got=$("$GAPDUMP" -r "$gf" -m flow -L0 -o csv -s $COUNTERS | sums)
	expect_eq "${name}_flow_totals" "$got" "$want"
	n=$("$GAPDUMP" -r "$gf" -m flow -L0 -s flowid | wc -l)
	expect_eq "${name}_flow_rows" "$n" "$flows"
	n=$("$GAPDUMP" -r "$gf" -m flow -L0 -s flowid | sort -u | wc -l)
	expect_eq "${name}_flow_rows_distinct" "$n" "$flows"
	# each merged flow: trans = its record count, one final, times widened
	"$GAPDUMP" -r "$gf" -L0 -o csv -n -u -s flowid,stime,ltime,spkts,kind |
	    awk -F, '{ n[$1]++; p[$1] += $4; if (!($1 in s) || $2 < s[$1]) s[$1] = $2;
		if ($3 > l[$1]) l[$1] = $3; if ($5 == 2) f[$1]++ }
		END { for (k in n) print k, n[k], p[k], s[k], l[k], f[k] + 0 }' |
	    sort >"$T/want_flows"
	"$GAPDUMP" -r "$gf" -m flow -L0 -o csv -n -u -s flowid,trans,spkts,stime,ltime,kind |
	    awk -F, '{ print $1, $2, $3, $4, $5, ($6 == 2) }' | sort >"$T/got_flows"
	if cmp -s "$T/want_flows" "$T/got_flows"; then pass "${name}_flow_each"
	else fail "${name}_flow_each" "$(diff "$T/want_flows" "$T/got_flows" | head -5)"; fi
	n=$("$GAPDUMP" -r "$gf" -m flow -L0 -s trans | awk '{ s += $1 } END { print s }')
	expect_eq "${name}_flow_trans" "$n" "$records"

	# -b: bins sum to the same totals, split or not, with any key
	for spec in "-b 2ms -m none" "-b 1ms -m flow" "-b 0.5 -m proto" "-b 3ms -m saddr,dport"; do
		got=$("$GAPDUMP" -r "$gf" $spec -L0 -o csv -s spkts,dpkts,sbytes,dbytes,sgap,dgap,sackbytes,dackbytes | sums)
		want8=$(echo "$want" | awk '{ print $1, $2, $3, $4, $7, $8, $9, $10 }')
		expect_eq "${name}_bins_${spec#-b }" "$got" "$want8"
	done
	# bins come out in time order, each within its bin [k*2ms, (k+1)*2ms]
	# (times as integer microseconds: awk's doubles hold them exactly)
	"$GAPDUMP" -r "$gf" -b 2ms -m none -L0 -o csv -u -s stime,ltime |
	    awk -F, 'function us(t, a) { split(t, a, "."); return a[1] * 1000000 + a[2] }
		{ s = us($1); l = us($2); b = int(s / 2000)
		  if (b < prev || int((l - 1) / 2000) > b || l - s > 2000) n++; prev = b }
		END { print n + 0 }' >"$T/bad"
	expect_eq "${name}_bins_ordered_within" "$(cat "$T/bad")" 0

	# -m by key fields against awk's grouping of the same records
	for key in saddr daddr proto dport sport; do
		"$GAPDUMP" -r "$gf" -L0 -o csv -n -s $key,spkts,dbytes,trans |
		    awk -F, '{ p[$1] += $2; b[$1] += $3; t[$1] += $4 }
			END { for (k in p) print k, p[k], b[k], t[k] }' | sort >"$T/want_key"
		"$GAPDUMP" -r "$gf" -m $key -L0 -o csv -n -s $key,spkts,dbytes,trans |
		    awk -F, '{ print $1, $2, $3, $4 }' | sort >"$T/got_key"
		if cmp -s "$T/want_key" "$T/got_key"; then pass "${name}_key_$key"
		else fail "${name}_key_$key" "$(diff "$T/want_key" "$T/got_key" | head -5)"; fi
	done
done

# -m saddr/24 and two keys on real-mixed, by hand: every IPv4 address is
# in 10.77.0.0/24, every IPv6 one in fd77::/64; the non-key identity
# fields print as - and 0
gf=$T/real-mixed.gf
if [ -f "$gf" ]; then
	got=$("$GAPDUMP" -r "$gf" -m saddr/24 -L0 -s saddr,daddr,sport,dport - ipv4 | tr -s ' ' | tr '\n' ';')
	expect_eq mixed_saddr24 "$got" "10.77.0.0 - 0 0;"
	got=$("$GAPDUMP" -r "$gf" -m saddr/64 -L0 -s saddr - ip6 | tr -d ' ' | sort -u | tr '\n' ';')
	expect_eq mixed_saddr64 "$got" "fd77::;"
	want=$("$GAPDUMP" -r "$gf" -L0 -o csv -n -s proto,dport,sbytes |
	    awk -F, '{ b[$1 " " $2] += $3 } END { for (k in b) print k, b[k] }' | sort)
	got=$("$GAPDUMP" -r "$gf" -m proto,dport -L0 -o csv -n -s proto,dport,sbytes | tr ',' ' ' | sort)
	expect_eq mixed_proto_dport "$got" "$want"
	# nfdump's names for the keys
	got=$("$GAPDUMP" -r "$gf" -m srcip,dstport -L0 -o csv -n -s saddr,dport,trans | sort)
	want=$("$GAPDUMP" -r "$gf" -m saddr,dport -L0 -o csv -n -s saddr,dport,trans | sort)
	expect_eq mixed_nfdump_keys "$got" "$want"

	# --sort: descending bytes, ties in input order; --top N is its head
	"$GAPDUMP" -r "$gf" -m flow --sort bytes:desc -L0 -o csv -s bytes,flowid >"$T/sorted"
	bad=$(awk -F, 'NR > 1 && $1 > prev { n++ } { prev = $1 } END { print n + 0 }' "$T/sorted")
	expect_eq sort_desc_order "$bad" 0
	got=$("$GAPDUMP" -r "$gf" -m flow --top 5 -L0 -o csv -s bytes,flowid)
	expect_eq top5_is_head "$got" "$(head -5 "$T/sorted")"
	got=$("$GAPDUMP" -r "$gf" -m flow --top 5 --sort bytes:desc -L0 -o csv -s bytes,flowid)
	expect_eq top5_with_sort "$got" "$(head -5 "$T/sorted")"
	if have python3; then
		"$GAPDUMP" -r "$gf" -m flow --sort proto,saddr,dport:desc -L0 -o csv -n \
		    -s proto,saddr,dport,flowid >"$T/sorted2"
		out=$(python3 - "$T/sorted2" <<'PY'
import csv, ipaddress, sys
rows = list(csv.reader(open(sys.argv[1])))
key = [(int(p), ipaddress.ip_address(a).version, ipaddress.ip_address(a).packed, -int(d))
       for p, a, d, _ in rows]
print("ok" if key == sorted(key) and len(rows) > 10 else "bad order: %r" % rows[:5])
PY
)
		expect_eq sort_three_keys "$out" ok
	fi
	got=$("$GAPDUMP" -r "$gf" --sort stime -L0 -o csv -u -s stime |
	    awk -F, 'NR > 1 && $1 < prev { n++ } { prev = $1 } END { print n + 0 }')
	expect_eq sort_stime "$got" 0
fi

# the pipe example: sensor to merged records through stdin and stdout
if [ -f $CAP/real-tcp4.pcap ]; then
	"$GAPFLOW" -r $CAP/real-tcp4.pcap -S 0.001 -w - 2>/dev/null |
	    "$GAPDUMP" -r - -m flow -w "$T/merged.gf"
	expect_rc pipe_rc $? 0
	got=$("$GAPDUMP" -r "$T/merged.gf" -L0 -o csv -s flowid,$COUNTERS | sort)
	want=$("$GAPDUMP" -r "$T/real-tcp4.gf" -m flow -L0 -o csv -s flowid,$COUNTERS | sort)
	expect_eq pipe_merged_equal "$got" "$want"
	n=$(printf '%s\n' "$got" | wc -l)
	expect_eq pipe_one_row_per_connection "$n" 20
	# the written stream says its records are not interval records, so
	# -b over it holds every bin until the end: nothing is late
	"$GAPDUMP" -r "$T/merged.gf" -b 1ms -m none -L0 >/dev/null 2>"$T/err"
	expect_eq pipe_rebin_no_late "$(cat "$T/err")" ""
	# records written back after -b are aligned to the bin: binning them
	# again with a multiple of the width changes no total
	"$GAPDUMP" -r "$T/real-tcp4.gf" -b 1ms -m flow -w "$T/binned.gf"
	got=$("$GAPDUMP" -r "$T/binned.gf" -b 2ms -m none -L0 -o csv -s spkts,sbytes | sums)
	want=$("$GAPDUMP" -r "$T/real-tcp4.gf" -L0 -o csv -s spkts,sbytes | sums)
	expect_eq rebin_aligned_totals "$got" "$want"
fi

# -R: a tree of record files, read in order of their start times; flows
# of two sensor runs stay apart although their flowids are the same
if [ -f "$T/real-tcp4.gf" ] && [ -f "$T/real-tcp6.gf" ]; then
	mkdir -p "$T/tree/a" "$T/tree/b"
	t4=$("$GAPDUMP" -r "$T/real-tcp4.gf" -u -L0 -s stime | sort -n | head -1)
	t6=$("$GAPDUMP" -r "$T/real-tcp6.gf" -u -L0 -s stime | sort -n | head -1)
	# the later run under the name that sorts first
	if awk -v a="$t4" -v b="$t6" 'BEGIN { exit !(a < b) }'; then early=real-tcp4; late=real-tcp6
	else early=real-tcp6; late=real-tcp4; fi
	cp "$T/$late.gf" "$T/tree/a/1.gf"
	gzip -c "$T/$early.gf" >"$T/tree/b/2.gf.gz"
	echo "a note, not records" >"$T/tree/README"
	got=$("$GAPDUMP" -R "$T/tree" -L0 -u -s stime)
	want=$( ("$GAPDUMP" -r "$T/$early.gf" -L0 -u -s stime; "$GAPDUMP" -r "$T/$late.gf" -L0 -u -s stime))
	expect_eq tree_time_order "$got" "$want"
	n=$("$GAPDUMP" -R "$T/tree" -m flow -L0 | wc -l)
	expect_eq tree_runs_apart "$n" 40
	ids=$( ("$GAPDUMP" -r "$T/real-tcp4.gf" -L0 -s flowid; "$GAPDUMP" -r "$T/real-tcp6.gf" -L0 -s flowid) | sort -u | wc -l)
	[ "$ids" -lt 40 ] && pass tree_flowids_collide || skip tree_flowids_collide "flowids differ anyway"
fi

# Merged flags (issue 10 point 6) on a public capture, when ../shared is
# there: in zeek_tunnels_gre-sample a TCP flow's first status record holds
# only its SYN (the sensor marks it simplex), later ones both directions.
# Merged with -m flow, a row with packets both ways is never simplex, and
# the flow whose first record was simplex is among the two-way rows.
pub=../shared/pcaps/zeek_tunnels_gre-sample.pcap
if [ -f "$pub" ]; then
	"$GAPFLOW" -r "$pub" -w "$T/gre.gf" 2>/dev/null
	first=$("$GAPDUMP" -r "$T/gre.gf" -L0 -o csv -s flowid,spkts,dpkts - 'tcp and simplex' | awk -F, '{ print $1 }' | sort -u | tr '\n' ' ')
	twoway=$("$GAPDUMP" -r "$T/gre.gf" -m flow -L0 -o csv -s flowid,spkts,dpkts - tcp | awk -F, '$2 > 0 && $3 > 0 { print $1 }' | sort -u | tr '\n' ' ')
	both=0
	for id in $first; do case " $twoway " in *" $id "*) both=1 ;; esac; done
	expect_eq merged_flags_case_present "$both" 1
	got=$("$GAPDUMP" -r "$T/gre.gf" -m flow -L0 -o csv -s flgs,spkts,dpkts - tcp | awk -F, '$1 ~ /S/ && $2 > 0 && $3 > 0' | wc -l | tr -d ' ')
	expect_eq merged_flow_not_simplex "$got" 0
else
	skip merged_flags_public "../shared/pcaps is absent (fresh clone)"
fi
