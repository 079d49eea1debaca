# IPFIX export (gapflow --ipfix, gapdump --ipfix; gapflow-ipfix(5)) read
# back by the collectors people run, on the loopback of a private network
# namespace: ipfixDump (libfixbuf) decodes a file, a UDP and a TCP export
# and, with ipfix/gapflow-fixbuf.xml, names every element; its totals
# (records, IP and layer-2 octets, packets, capture gaps, retransmissions)
# equal gapdump's on the same capture.  nfcapd/nfdump gives the same flows
# with the same in/out packets and bytes; nfacctd (pmacct) with the
# primitives file prints the same gap and loss fields.  A collector started
# late decodes once the template refresh has passed (and not without it);
# a dead TCP collector is counted and the archive is unaffected; a TCP
# collector that restarts gets a new session (sequence 0, templates).
# UDP messages are as large as the path allows: the MTU of the veth to the
# peer namespace (1500, then 9000) less the IP and UDP headers.
# (socat reads with -b 65536: its default 8192-byte buffer would cut off
# the larger datagrams, as any collector with a smaller buffer would.)
# The capture: real-tcp4.pcap with every 7th packet from the 12th removed
# (editcap) -- capture gaps in both directions -- merged with real-loss
# (retransmissions) and real-mixed (IPv6, UDP, ICMP).
. tests/e2e/lib.sh
for t in ipfixDump socat editcap mergecap; do
	if ! have $t; then
		skip all "needs $t (libfixbuf-tools, socat, wireshark-common; .ci/deps)"
		exit 0
	fi
done
netns_pair x 91
XML=ipfix/gapflow-fixbuf.xml
editcap $CAP/real-tcp4.pcap "$T/gap.pcap" $(seq 12 7 300)
mergecap -F pcap -w "$T/cap.pcap" "$T/gap.pcap" $CAP/real-loss.pcap $CAP/real-mixed.pcap
udp_up() { $NA ss -Hlun "sport = :$1" | grep -q .; }
tcp_up() { $NA ss -Hltn "sport = :$1" | grep -q LISTEN; }
# nothing left in the receive queue of the UDP socket on port $1
udp_drained() { $NA ss -Hlun "sport = :$1" | awk '{ n++; if ($2 != 0) q = 1 } END { exit !(n && !q) }'; }

# gapdump's totals of a record file, in the order ipfix_sums prints
gd_sums() {
	"$GAPDUMP" -r "$1" -L0 -o csv -s sipbytes,dipbytes,sbytes,dbytes,spkts,dpkts,sgap,dgap,sloss,dloss,slossbytes,dlossbytes |
	    awk -F, '{ n++; for (i = 1; i <= 12; i++) s[i] += $i }
	    END { printf "records %d ip %d %d l2 %d %d pkts %d %d gap %d %d loss %d %d lossbytes %d %d\n",
	        n, s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[8], s[9], s[10], s[11], s[12] }'
}
# the same totals over the flow data records (templates 256, 257) ipfixDump
# decodes from an IPFIX file
ipfix_sums() {
	ipfixDump -e $XML -i "$1" 2>/dev/null | awk '
	/^\tcount:/ { flow = ($4 == 256 || $4 == 257); if (flow) n++; next }
	/^--- / { flow = 0 }
	/^\t\(/ && flow {
		i = index($0, " : "); name = substr($0, 1, i - 1); v = substr($0, i + 3)
		sub(/^.*\) */, "", name); s[name] += v
	}
	END { printf "records %d ip %d %d l2 %d %d pkts %d %d gap %d %d loss %d %d lossbytes %d %d\n", n,
	    s["octetDeltaCount"], s["reverseOctetDeltaCount"],
	    s["layer2OctetDeltaCount"], s["reverseLayer2OctetDeltaCount"],
	    s["packetDeltaCount"], s["reversePacketDeltaCount"],
	    s["captureGapOctetDeltaCount"], s["reverseCaptureGapOctetDeltaCount"],
	    s["retransmittedPacketDeltaCount"], s["reverseRetransmittedPacketDeltaCount"],
	    s["retransmittedOctetDeltaCount"], s["reverseRetransmittedOctetDeltaCount"] }'
}
nflows() { ipfix_sums "$1" | awk '{ print $2 }'; }

# ---- file ---------------------------------------------------------------
"$GAPFLOW" -r "$T/cap.pcap" -w "$T/cap.gf" --ipfix "file:$T/file.ipfix" 2>"$T/file.err"
expect_rc file_exit $? 0
want=$(gd_sums "$T/cap.gf")
expect_match capture_has_gaps_and_loss "$want" 'gap [1-9][0-9]* [1-9][0-9]* loss [1-9][0-9]* [1-9]'
expect_eq file_totals "$(ipfix_sums "$T/file.ipfix")" "$want"
# with the element file every element has its name; without, gapflow's are
# unknown to libfixbuf (the file is what names them)
n=$(ipfixDump -e $XML -i "$T/file.ipfix" 2>&1 | grep -c -e _alienInformationElement -e WARN)
expect_eq file_every_element_named "$n" 0
n=$(ipfixDump -i "$T/file.ipfix" 2>/dev/null | grep -c _alienInformationElement)
expect_match file_unnamed_without_xml "$n" '^[1-9]'
names=$(ipfixDump -e $XML -i "$T/file.ipfix" 2>/dev/null | awk '/^--- data record/ { r++ } r == 1 && /^\t\(/ { print }' |
    sed 's/^.*) *\([A-Za-z0-9]*\) :.*/\1/' | sort | tr '\n' ' ')
for e in captureGapOctetDeltaCount reverseCaptureGapOctetDeltaCount retransmittedPacketDeltaCount \
    reverseRetransmittedOctetDeltaCount outOfOrderPacketDeltaCount captureGapEventDeltaCount \
    ackedOctetDeltaCount duplicatePacketDeltaCount reverseDuplicatePacketDeltaCount \
    gapflowRecordKind gapflowFlags flowEndReason biflowDirection layer2OctetDeltaCount; do
	expect_match "file_names_$e" "$names" " ?$e "
done
# gapdump exports what it selects: the same records, and a filter's subset
"$GAPDUMP" -r "$T/cap.gf" --ipfix "file:$T/gd.ipfix"
expect_eq gapdump_file_totals "$(ipfix_sums "$T/gd.ipfix")" "$want"
"$GAPDUMP" -r "$T/cap.gf" -w "$T/gapsel.gf" - 'gap > 0' 
"$GAPDUMP" -r "$T/cap.gf" --ipfix "file:$T/gdf.ipfix" - 'gap > 0'
expect_eq gapdump_filter_totals "$(ipfix_sums "$T/gdf.ipfix")" "$(gd_sums "$T/gapsel.gf")"
"$GAPDUMP" -r "$T/cap.gf" -m flow -w "$T/merged.gf"
"$GAPDUMP" -r "$T/cap.gf" -m flow --ipfix "file:$T/gdm.ipfix"
expect_eq gapdump_merged_totals "$(ipfix_sums "$T/gdm.ipfix")" "$(gd_sums "$T/merged.gf")"

# ---- UDP and TCP to socat, which writes what it receives to a file -------
$NA socat -u -b 65536 UDP-RECV:4739,bind=127.0.0.1 "OPEN:$T/udp.ipfix,creat,append" 2>/dev/null &
upid=$!
wait_for udp_up 4739 || fail udp_listening
$NA "$GAPFLOW" -r "$T/cap.pcap" -w "$T/udp.gf" --ipfix udp:127.0.0.1:4739 2>"$T/udp.err"
expect_rc udp_exit $? 0
nrec=$(echo "$want" | awk '{ print $2 }')
udp_all() { [ "$(nflows "$T/udp.ipfix")" = "$nrec" ]; }
wait_for udp_all
kill $upid 2>/dev/null; wait $upid 2>/dev/null
expect_eq udp_totals "$(ipfix_sums "$T/udp.ipfix")" "$want"

# ---- UDP message size: the path MTU less the IP and UDP headers ----------
# gapdump exports the archive (no output loop cutting messages short, so
# they are as full as the size allows) to a collector on the loopback and
# over the veth to the peer namespace at MTU 1500 and 9000.
msgs() { ipfixDump -i "$1" 2>/dev/null | awk '$1 == "message" && $2 == "length:" { n++; if ($3 > m) m = $3 } END { print n + 0, m + 0 }'; }
pm_up() { $2 ss -Hlun "sport = :$1" | grep -q .; }
# path_mtu TAG NS ADDR: export to ADDR:4746 in namespace NS ($NA or $NB);
# sets N (messages) and M (the largest)
path_mtu() {
	$2 socat -u -b 65536 UDP-RECV:4746,bind=$3 "OPEN:$T/pm-$1.ipfix,creat,append" 2>/dev/null &
	ppid=$!
	wait_for pm_up 4746 "$2" || fail "path_mtu_$1_listening"
	$NA "$GAPDUMP" -r "$T/cap.gf" --ipfix "udp:$3:4746" 2>"$T/pm-$1.err"
	expect_rc "path_mtu_$1_exit" $? 0
	pm_all() { [ "$(nflows "$T/pm-$1.ipfix")" = "$nrec" ]; }
	wait_for pm_all "$1"
	kill $ppid 2>/dev/null; wait $ppid 2>/dev/null
	expect_eq "path_mtu_$1_totals" "$(ipfix_sums "$T/pm-$1.ipfix")" "$want"
	set -- $(msgs "$T/pm-$1.ipfix")
	N=$1 M=$2
}
# the loopback reports 65535: 65507, all 54 records (about 11 kB) in one
path_mtu lo "$NA" 127.0.0.1
expect_eq path_mtu_lo_messages "$N" 1
if [ "$M" -gt 10000 ] && [ "$M" -le 65507 ]; then pass path_mtu_lo_size
else fail path_mtu_lo_size "message of $M bytes, want 10001 to 65507"; fi
# 1500 - 20 - 8 = 1472: full to less than a record (194 or 218 bytes) and
# 3 of padding short of it
path_mtu 1500 "$NB" 10.91.0.2
if [ "$M" -le 1472 ] && [ "$M" -gt $((1472 - 218 - 3)) ]; then pass path_mtu_1500_size
else fail path_mtu_1500_size "largest message $M, want 1252 to 1472"; fi
ip -n "$NS-a" link set gfx-a mtu 9000
ip -n "$NS-b" link set gfx-b mtu 9000
path_mtu 9000 "$NB" 10.91.0.2
if [ "$M" -le 8972 ] && [ "$M" -gt $((8972 - 218 - 3)) ]; then pass path_mtu_9000_size
else fail path_mtu_9000_size "largest message $M, want 8752 to 8972"; fi
ip -n "$NS-a" link set gfx-a mtu 1500
ip -n "$NS-b" link set gfx-b mtu 1500

$NA socat -u TCP-LISTEN:4740,bind=127.0.0.1,reuseaddr "OPEN:$T/tcp.ipfix,creat" 2>/dev/null &
tpid=$!
wait_for tcp_up 4740 || fail tcp_listening
$NA "$GAPFLOW" -r "$T/cap.pcap" -w "$T/tcp.gf" --ipfix tcp:127.0.0.1:4740 2>"$T/tcp.err"
expect_rc tcp_exit $? 0
wait $tpid          # the exporter closed the session: socat ends
expect_eq tcp_totals "$(ipfix_sums "$T/tcp.ipfix")" "$want"
# the options record of exporter statistics follows each SENSOR record
n=$(ipfixDump -e $XML -i "$T/tcp.ipfix" 2>/dev/null | grep -c 'exportedFlowRecordTotalCount')
expect_match tcp_options_records "$n" '^[1-9]'

# ---- a dead TCP collector: counted, said, the archive unaffected ---------
$NA "$GAPFLOW" -r "$T/cap.pcap" -w "$T/dead.gf" --ipfix tcp:127.0.0.1:4741 2>"$T/dead.err"
expect_rc dead_exit $? 0
expect_eq dead_archive_same "$("$GAPDUMP" -r "$T/dead.gf" -L0 -s stime,saddr,sport,daddr,dport,spkts,dpkts,sgap,dgap | md5sum)" \
    "$("$GAPDUMP" -r "$T/cap.gf" -L0 -s stime,saddr,sport,daddr,dport,spkts,dpkts,sgap,dgap | md5sum)"
expect_match dead_said "$(cat "$T/dead.err")" "ipfix tcp:127.0.0.1:4741: $nrec FLOW records not sent, 0 sent"
expect_match dead_reason "$(cat "$T/dead.err")" "cannot connect: Connection refused"
# counted in the SENSOR records, exactly: the thread that refuses the
# records writes the count into the next SENSOR record it passes on
n=$("$GAPDUMP" -r "$T/dead.gf" -L0 -o csv -s ipfixnotsent - sensor | awk '{ s += $1 } END { print s + 0 }')
expect_eq dead_counted_in_sensor "$n" "$nrec"

# ---- template refresh: a collector started late ----------------------------
# gapflow reads the capture from a pipe in two halves; the first is exported
# (and received by a first listener) before the collector starts; after the
# refresh interval the second half's records come with the templates.
editcap -F pcap -r "$T/cap.pcap" "$T/p1.pcap" 1-200
editcap -F pcap -r "$T/cap.pcap" "$T/p2.pcap" 201-100000
late() {        # late TAG REFRESH: flow records the late collector decodes
	rm -f "$T/pipe"; mkfifo "$T/pipe"
	$NA socat -u -b 65536 UDP-RECV:4742,bind=127.0.0.1 "OPEN:$T/early-$1.ipfix,creat,append" 2>/dev/null &
	lpid=$!
	wait_for udp_up 4742
	$NA "$GAPFLOW" -r - -S 0.001 -w "$T/late-$1.gf" --ipfix udp:127.0.0.1:4742 \
	    --set "output.ipfix_template_refresh=$2" <"$T/pipe" 2>"$T/late-$1.err" &
	gpid=$!
	exec 3>"$T/pipe"
	cat "$T/p1.pcap" >&3
	early() { [ -s "$T/early-$1.ipfix" ]; }
	wait_for early "$1" || fail "late_$1_first_half_exported" "nothing came"
	kill $lpid; wait $lpid 2>/dev/null
	# (3>&-: the pipe's writer stays ours alone, or gapflow never sees EOF)
	$NA socat -u -b 65536 UDP-RECV:4742,bind=127.0.0.1 "OPEN:$T/late-$1.ipfix,creat,append" 2>/dev/null 3>&- &
	lpid=$!
	wait_for udp_up 4742
	sleep 1.5       # past a 1 s refresh interval
	tail -c +25 "$T/p2.pcap" >&3
	exec 3>&-
	wait $gpid
	wait_for udp_drained 4742
	decodes() { [ "$(nflows "$T/late-$1.ipfix")" -gt 0 ]; }
	[ "$2" = 1s ] && wait_for decodes "$1"
	kill $lpid; wait $lpid 2>/dev/null
	nflows "$T/late-$1.ipfix"
}
n=$(late r 1s)
expect_match refresh_late_collector_decodes "$n" '^[1-9]'
n=$(late n 1h)
expect_eq no_refresh_late_collector_blind "$n" 0

# ---- TCP: the collector restarts; a new session, sequence 0, templates --
rm -f "$T/pipe"; mkfifo "$T/pipe"
$NA socat -u TCP-LISTEN:4745,bind=127.0.0.1,reuseaddr "OPEN:$T/tcp1.ipfix,creat" 2>/dev/null &
s1=$!
wait_for tcp_up 4745
$NA "$GAPFLOW" -v -r - -S 0.001 -w "$T/re.gf" --ipfix tcp:127.0.0.1:4745 <"$T/pipe" 2>"$T/re.err" &
gpid=$!
exec 3>"$T/pipe"
cat "$T/p1.pcap" >&3
has_data() { [ -s "$1" ]; }
wait_for has_data "$T/tcp1.ipfix" || fail tcp_first_session "nothing came"
kill $s1; wait $s1 2>/dev/null
lost_said() { grep -q "connection closed by the collector\|connection lost" "$T/re.err"; }
wait_for lost_said || fail tcp_loss_seen "$(cat "$T/re.err")"
$NA socat -u TCP-LISTEN:4745,bind=127.0.0.1,reuseaddr "OPEN:$T/tcp2.ipfix,creat" 2>/dev/null 3>&- &
s2=$!
reconnected() { [ "$(grep -c 'ipfix tcp:127.0.0.1:4745: connected' "$T/re.err")" -ge 2 ]; }
wait_for reconnected || fail tcp_reconnected "$(cat "$T/re.err")"
tail -c +25 "$T/p2.pcap" >&3
exec 3>&-
wait $gpid
expect_rc tcp_reconnect_exit $? 0
wait $s2
expect_match tcp_second_session_decodes "$(nflows "$T/tcp2.ipfix")" '^[1-9]'
first=$(ipfixDump -i "$T/tcp2.ipfix" 2>/dev/null | awk '/sequence number:/ { print $NF == "(0)" ? "seq0" : "seq" $NF; exit }')
expect_eq tcp_second_session_seq0 "$first" seq0
n=$(ipfixDump -t -i "$T/tcp2.ipfix" 2>/dev/null | grep -c 'tid:   25[67]')
expect_match tcp_second_session_templates "$n" '^[1-9]'

# ---- nfcapd / nfdump -------------------------------------------------------
if have nfcapd && have nfdump; then
	mkdir "$T/nf"
	$NA nfcapd -b 127.0.0.1 -p 4743 -w "$T/nf" -t 3600 >"$T/nfcapd.log" 2>&1 &
	npid=$!
	wait_for udp_up 4743 || fail nfcapd_listening
	$NA "$GAPFLOW" -r "$T/cap.pcap" -w /dev/null --ipfix udp:127.0.0.1:4743
	wait_for udp_drained 4743
	kill $npid; wait $npid
	# (nfcapd 1.7.1 counts a sequence error after each options record: it
	# leaves options data records out of its count, RFC 7011 counts them)
	expect_match nfcapd_flows "$(cat "$T/nfcapd.log")" "Flows: $nrec, .*Bad Packets: 0"
	# same flows, in/out packets and bytes (IP-layer octets, as RFC 7012
	# defines octetDeltaCount) as gapdump, TCP and UDP
	nfdump -R "$T/nf" -q -N -o 'fmt:%pr,%sa,%sp,%da,%dp,%ipkt,%ibyt,%opkt,%obyt' 2>/dev/null |
	    tr -d ' ' | awk -F, '$1 == 6 || $1 == 17' | cut -d, -f2- | sort >"$T/nf.txt"
	"$GAPDUMP" -r "$T/cap.gf" -L0 -o csv -s saddr,sport,daddr,dport,spkts,sipbytes,dpkts,dipbytes - 'tcp or udp' |
	    sort >"$T/gd.txt"
	expect_eq nfdump_rows "$(wc -l <"$T/nf.txt")" "$(wc -l <"$T/gd.txt")"
	expect_eq nfdump_same_flows "$(diff "$T/nf.txt" "$T/gd.txt" | head -5)" ""
else
	skip nfdump "needs nfdump (nfcapd)"
fi

# ---- nfacctd (pmacct) with the primitives file ---------------------------
if have nfacctd; then
	cat >"$T/nfacctd.conf" <<EOF
daemonize: false
nfacctd_ip: 127.0.0.1
nfacctd_port: 4744
aggregate_primitives: $PWD/ipfix/gapflow-pmacct.lst
plugins: print[gf]
aggregate[gf]: src_host, dst_host, src_port, dst_port, proto, sgap, dgap, sloss, dloss
print_output[gf]: csv
print_output_file[gf]: $T/pm.csv
print_output_file_append[gf]: true
print_refresh_time[gf]: 1
EOF
	# (not stopped here: it ignores SIGTERM while its plugin runs; the
	# namespace's clean-up kills it)
	$NA nfacctd -f "$T/nfacctd.conf" >"$T/nfacctd.log" 2>&1 &
	pm_ready() { grep -q 'cache entries=' "$T/nfacctd.log"; }
	wait_for udp_up 4744 && wait_for pm_ready || fail nfacctd_listening "$(cat "$T/nfacctd.log")"
	gd=$("$GAPDUMP" -r "$T/cap.gf" -L0 -o csv -s sgap,dgap,sloss,dloss |
	    awk -F, '{ a += $1; b += $2; c += $3; d += $4 } END { print a, b, c, d }')
	pm_sums() { awk -F, 'NR > 1 && $1 != "SRC_IP" { a += $6; b += $7; c += $8; d += $9 } END { print a + 0, b + 0, c + 0, d + 0 }' "$T/pm.csv" 2>/dev/null; }
	pm_done() { [ "$(pm_sums)" = "$gd" ]; }
	# nfacctd drops what comes in its first second or so, with nothing in
	# its log to wait for: the export is sent again (to a fresh output
	# file) until one arrives whole
	for try in 1 2 3 4 5; do
		rm -f "$T/pm.csv"
		$NA "$GAPFLOW" -r "$T/cap.pcap" -w /dev/null --ipfix udp:127.0.0.1:4744
		WAIT_TENTHS=40 wait_for pm_done && break
	done
	expect_eq nfacctd_gap_fields "$(pm_sums)" "$gd"
else
	skip nfacctd "needs pmacct (nfacctd)"
fi
