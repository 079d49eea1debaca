# Per-flow packet, byte and payload counts of gapflow equal tshark's own
# dissection of the same captures (tests/e2e/tshark_flows.py).
. tests/e2e/lib.sh
if ! have tshark || ! have python3; then
	skip all "tshark and python3 are needed for the independent count"
	exit 0
fi
for cap in $CAP/demo.pcap $CAP/real-*.pcap $CAP/synth-*.pcap; do
	[ -f "$cap" ] || continue
	name=$(basename "$cap" .pcap)
	# damaged packets are skipped by design: test_decode checks those;
	# reassembled tunnel fragments and the Teredo relay (found by
	# content, which tshark does not do) have their own tests
	case $name in synth-trunc|synth-tunbad|synth-tunfrag) continue ;; esac
	"$GAPFLOW" -r "$cap" -S 1 -w "$T/$name.gf" 2>"$T/err"
	rc=$?
	if [ $rc -gt 1 ]; then
		fail "$name" "gapflow exited $rc: $(cat "$T/err")"
		continue
	fi
	"$GAPDUMP" -r "$T/$name.gf" -n -o csv \
	    -s flowid,proto,saddr,sport,daddr,dport,spkts,dpkts,sbytes,dbytes,sappbytes,dappbytes,icmperr \
	    >"$T/$name.csv"
	if out=$(python3 tests/e2e/tshark_flows.py "$cap" "$T/$name.csv" 2>&1); then
		pass "$name"
	else
		fail "$name" "$out"
	fi
done
