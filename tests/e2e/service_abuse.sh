# The archive never pays for clients (issue 13): a flood replayed by
# tcpreplay into a private network namespace, once without clients and
# once with 32 clients that never read and 32 whose filter matches
# nothing, all from one address, then a real client from another.  The
# archive's flows equal those of the run without clients, no record is
# dropped, the sensor's memory stays within the documented bound, the
# real client is served, the clients over the per-source limit are told
# why and their refusals take a line or two of log, not 56.  Needs root,
# network namespaces and tcpreplay.
. tests/e2e/lib.sh
if ! have tcpreplay; then
	skip all "tcpreplay not installed (see .ci/deps)"
	exit 0
fi
netns_pair ab 83
NC="$TOOLS/netcat_gf"
PORT=7950

"$TOOLS/biggen" "$T/flood.pcap" --packets 150000 --flows 15000 --duration 3 --seed 5 >/dev/null ||
    { fail biggen "cannot generate the flood"; exit 1; }
listening() { $NB ss -Hltn "sport = :$PORT" | grep -q LISTEN; }
keepalive() { $NB ss -tno state established "sport = :$PORT" | grep -q 'timer:(keepalive'; }
hwm() { sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$1/status"; }

# run NAME: the sensor on the veth, the flood replayed into it; the
# caller's clients connect between "up" and the replay (hook HOOK)
run() {
	$NB "$GAPFLOW" -i gfab-b -S 1 -w "$T/$1.gf" -P 10.83.0.2:$PORT \
	    --set service.allow=10.83.0.0/24 'not tcp port '$PORT 2>"$T/$1.err" &
	gfpid=$!
	wait_for listening || { fail "$1_listening" "$(cat "$T/$1.err")"; return 1; }
	$2
	$NA tcpreplay -q -i gfab-a --pps 40000 "$T/flood.pcap" >/dev/null 2>&1 ||
	    fail "$1_replay" "tcpreplay failed"
	sleep 2
	eval "${1}_hwm=\$(hwm $gfpid)"
	kill -TERM $gfpid
	wait $gfpid
	expect_rc "$1_exit_0" $? 0
}

none() { :; }
abuse() {
	i=0
	while [ $i -lt 32 ]; do
		$NA "$NC" 10.83.0.2:$PORT -f flow --slow -t 30 >/dev/null 2>&1 &
		$NA "$NC" 10.83.0.2:$PORT -f 'proto = 250' -o /dev/null -t 30 \
		    >/dev/null 2>&1 &
		i=$((i + 1))
	done
	sleep 1.5
	# the real client, from the sensor's own address: served
	$NB "$GAPDUMP" -S 10.83.0.2:$PORT -L0 -n -o csv -s proto >"$T/real.txt" 2>"$T/real.err" &
	realpid=$!
	sleep 1.5
	# TCP keepalive on the service's sockets (an accepted, idle one)
	if wait_for keepalive; then pass keepalive_on
	else fail keepalive_on "$($NB ss -tno state established "sport = :$PORT")"; fi
	# a request begun and never finished: told, and closed (from the
	# sensor's address: the crowd's has no room left)
	if have python3; then
		got=$($NB python3 -c 'import socket,sys
s = socket.create_connection(("10.83.0.2", int(sys.argv[1])))
s.sendall(b"FILTER tcp")
s.settimeout(10)
print(s.recv(200).decode(errors="replace").strip())' $PORT)
		expect_eq unfinished_request_told "$got" "REFUSED request not finished in time"
	else
		skip unfinished_request_told "python3 not installed"
	fi
	# one more from the crowd's address: refused, and told why
	$NA "$GAPDUMP" -S 10.83.0.2:$PORT >/dev/null 2>"$T/over.err"
	expect_rc over_limit_status $? 2
	expect_match over_limit_reason "$(cat "$T/over.err")" \
	    "^gapdump: 10\.83\.0\.2:$PORT: refused by the sensor: too many clients from 10\.83\.0\.1 \(service\.max_per_source 8\)$"
}

run base none
run abused abuse
wait $realpid
rc=$?
expect_rc real_client_exit_0 $rc 0
[ $rc -eq 0 ] || cat "$T/real.err" "$T/abused.err"
n=$(grep -c . "$T/real.txt")
if [ "$n" -ge 100 ]; then pass real_client_served; else fail real_client_served "$n lines: $(cat "$T/real.err")"; fi

drops() { "$GAPDUMP" -r "$1" -o csv -L0 -s "$2" - sensor | awk '{ s += $1 } END { print s + 0 }'; }
expect_eq base_recdrops "$(drops "$T/base.gf" recdrops)" 0
expect_eq abused_recdrops "$(drops "$T/abused.gf" recdrops)" 0
kd=$(( $(drops "$T/base.gf" kdrops) + $(drops "$T/abused.gf" kdrops) + $(drops "$T/base.gf" ringdrops) + $(drops "$T/abused.gf" ringdrops) ))
flows() { "$GAPDUMP" -r "$1" -m flow -L0 -n -o csv -s proto,saddr,sport,daddr,dport,spkts,dpkts,sbytes,dbytes | sort; }
if [ "$kd" -eq 0 ]; then
	flows "$T/abused.gf" >"$T/abused.flows"
	flows "$T/base.gf" >"$T/base.flows"
	same=$(cmp -s "$T/abused.flows" "$T/base.flows" && echo same)
	expect_eq archive_equals_no_clients "$same" same
	[ "$same" = same ] || diff "$T/base.flows" "$T/abused.flows" | head -6
else
	skip archive_equals_no_clients "the kernel dropped $kd packets: the two runs saw different traffic"
fi
# refused 56 times (the over-limit gapdump was told why): logged at most twice
r=$(grep -c 'refused 10\.83\.0\.1' "$T/abused.err")
if [ "$r" -ge 1 ] && [ "$r" -le 2 ]; then pass refusals_rate_limited; else fail refusals_rate_limited "$r lines"; fi
# memory: documented bound for clients is 60 MiB over the run without
extra=$(( (abused_hwm - base_hwm) / 1024 ))
if [ "$extra" -le 60 ]; then pass rss_bound; else fail rss_bound "$extra MiB more than without clients"; fi
echo "service_abuse: peak RSS ${base_hwm} KiB without clients, ${abused_hwm} KiB with them"
