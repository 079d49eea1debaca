#!/bin/sh
# zeek_missed.sh - gapflow's capture gaps against Zeek's published
# conn.log missed_bytes, on the public captures that come from Zeek's test
# suite (../shared/pcaps/zeek_*; skipped when that folder is absent, or
# GF_PCAPS=DIR).  The expected numbers are Zeek's own baselines, copied
# into tests/e2e/zeek_missed.tsv with the baseline path and Zeek commit of
# each row (read from github.com/zeek/zeek testing/btest/Baseline).
#
# Per capture: gapflow runs with its defaults; its gap is the sum over
# `gapdump -m flow` TCP rows of sgap and dgap, and must EQUAL Zeek's
# missed_bytes summed over the capture's TCP connections (e.g.
# zeek_ftp_bigtransfer: 5,416,642,848), with these documented
# differences of definition:
#  - a direction of which the capture has no packet at all (one-sided
#    captures such as zeek_ssh.server-side-half-duplex): gapflow reports
#    what the seen side acknowledged as a gap (gapflow(8), simplex flows),
#    Zeek reports nothing, as it has no stream to miss bytes in.  Those
#    gaps (sgap with spkts = 0, dgap with dpkts = 0) are left out of the
#    comparison and printed in the "one-sided" column.
#  - a capture of which gapflow decodes no TCP flow at all while Zeek's
#    baseline has TCP connections (encapsulations gapflow does not decode:
#    GTP, PBB, PPPoE, VXLAN, GRE over UDP, Teredo inner TCP...) is
#    reported as SKIP with that reason, not compared.
# Any other difference fails.
. tests/e2e/lib.sh
P=${GF_PCAPS:-../shared/pcaps}
TSV=tests/e2e/zeek_missed.tsv
if [ ! -d "$P" ]; then
	skip all "$P absent (public captures; a fresh clone has none)"
	exit 0
fi
printf '%-46s %14s %14s %10s\n' capture zeek gapflow one-sided
grep -v '^#' "$TSV" | sed 1d | while IFS='	' read -r cap zconns missed _ base; do
	if [ ! -f "$P/$cap" ]; then
		skip "$cap" "not in $P"
		continue
	fi
	if ! "$GAPFLOW" -r "$P/$cap" -w "$T/o.gf" 2>"$T/err"; then
		fail "$cap" "gapflow failed: $(head -n 2 "$T/err")"
		continue
	fi
	set -- $("$GAPDUMP" -r "$T/o.gf" -m flow -o csv -L0 \
	    -s proto,spkts,dpkts,sgap,dgap - tcp |
	    awk -F, '{ n++
		if ($2 > 0) g += $4; else o += $4
		if ($3 > 0) g += $5; else o += $5
	    } END { printf "%d %.0f %.0f\n", n, g, o }')
	printf '%-46s %14s %14s %10s\n' "$cap" "$missed" "$2" "$3"
	if [ "$1" = 0 ]; then
		skip "$cap" "gapflow decodes no TCP flow here, Zeek $zconns connections (encapsulation not decoded)"
	elif [ "$2" = "$missed" ]; then
		pass "$cap"
	else
		fail "$cap" "gapflow gap $2 bytes, Zeek missed_bytes $missed ($base)"
	fi
done
