# An idle keep-alive connection stays one flow (issue 10.4): tools/synflood
# (no flood) writes a connection with 1000-byte requests at 0.3 and
# 0.6 s, a 70 s pause, then requests at 70.9 and 71.2 s, the first of
# which the capture lost (the server's answer acknowledges it: tshark
# says "ACKed unseen segment"), and a FIN close.  With the default
# flows.timeouts.tcp (5 min) it is one flow that keeps its sequence state,
# so the lost request is a 1000-byte gap; with a 60 s timeout (the old
# default) the pause splits it, and the second flow, picked up mid-stream
# (m), cannot know what the first had seen: no gap.
. tests/e2e/lib.sh
if ! "$TOOLS/synflood" "$T/idle.pcap" --syns 0 --exchanges 4 --request 1000 \
    --pause-before 3 --pause 70000 --lose 3 >/dev/null; then
	fail all "synflood failed"
	exit 0
fi
# flows, FINAL end reasons, client packets and bytes, gap, flags (summed)
summary() {
	"$GAPFLOW" -r "$T/idle.pcap" "$@" -w - |
	    "$GAPDUMP" -r - -n -o csv -s flowid,kind,end,spkts,sappbytes,sgap,dgap |
	    awk -F, 'NR > 1 { id[$1] = 1; if ($2 == 2) e = e $3 "/";
		p += $4; b += $5; g += $6 + $7 }
		END { print length(id), e, p, b, g }'
}
expect_eq default_one_flow "$(summary)" "1 1/ 7 3000 1000"
expect_eq timeout_60s_splits "$(summary --set flows.timeouts.tcp=60s)" "2 3/1/ 7 3000 0"
expect_eq default_flags "$("$GAPFLOW" -r "$T/idle.pcap" -w - |
    "$GAPDUMP" -r - -m flow -L0 -s flgs | tr -d ' ')" "g"
