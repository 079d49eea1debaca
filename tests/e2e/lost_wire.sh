# Lost wire lengths (issue 9): a copy of a real capture whose writer lost
# the wire lengths (wire = caplen = 96-byte snaplen, as dpkt writes) gives
# exactly the per-flow packets, bytes, gaps, losses and flags of the
# original, and the SENSOR field shortwire counts the frames whose IP
# datagram outran their recorded wire length: by tshark, the frames of
# the original longer than 96 bytes.  Gaps come from frames removed with
# pcapcut first, so there is a real gap to keep.
. tests/e2e/lib.sh
fields=proto,saddr,sport,daddr,dport,spkts,dpkts,sbytes,dbytes,sappbytes,dappbytes,sgap,dgap,sloss,dloss,flgs
for name in real-mixed real-loss; do
	"$TOOLS/pcapcut" "$CAP/$name.pcap" "$T/o.pcap" --tcp-only --rate 0.05 \
	    --seed 3 2>/dev/null
	"$TOOLS/pcapcut" "$T/o.pcap" "$T/l.pcap" --lose-wire 96 2>/dev/null
	for x in o l; do
		"$GAPFLOW" -r "$T/$x.pcap" -w "$T/$x.gf" 2>"$T/err.$x"
		"$GAPDUMP" -r "$T/$x.gf" -n -o csv -s "$fields" >"$T/$x.csv"
		"$GAPDUMP" -r "$T/$x.gf" -o csv -s shortwire,bad_iplen,pkts,bytes \
		    - sensor | tail -n 1 >"$T/$x.sensor"
	done
	gaps=$(awk -F, 'NR > 1 && ($12 > 0 || $13 > 0)' "$T/o.csv" | wc -l)
	if [ "$gaps" -eq 0 ]; then
		fail "$name-has-gaps" "the cut original has no gap to compare"
	fi
	expect_eq "$name-flows" "$(cat "$T/l.csv")" "$(cat "$T/o.csv")"
	if have tshark; then
		long=$(tshark -r "$T/o.pcap" -Y 'frame.len > 96' 2>/dev/null | wc -l)
		# shortwire, no bad_iplen, the same packets and wire bytes
		want="$long,0,$(cut -d, -f3,4 "$T/o.sensor")"
		expect_eq "$name-shortwire" "$(cat "$T/l.sensor")" "$want"
	else
		skip "$name-shortwire" "tshark is needed for the independent count"
	fi
done
