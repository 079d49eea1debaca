# Disk full and unwritable directory while capturing live in a private
# network namespace: a clear message, the sensor goes on capturing, keeps
# the records and retries; once the disk has room again no record is
# missing (the archive equals the live service's stream).  --user drops
# root: files are created as that user.  A capture file as input cannot
# wait: its lost records are counted and the exit status is 2.
. tests/e2e/lib.sh
netns_pair f 85
cleanup() {
	umount "$T/full" 2>/dev/null
	netns_cleanup
}
trap cleanup EXIT
mkdir "$T/full"
if ! mount -t tmpfs -o size=512k gftest "$T/full" 2>/dev/null; then
	skip all "cannot mount a tmpfs here"
	exit 0
fi
listening() { $NB ss -Hltn "sport = :$1" | grep -q LISTEN; }
logged() { grep -q "$2" "$1"; }

# ---- disk full, then room again ----
dd if=/dev/zero of="$T/full/filler" bs=4k >/dev/null 2>&1
$NB "$TOOLS/trafgen" server 10.85.0.2 7800 --timeout 40 >/dev/null &
$NB "$GAPFLOW" -i gff-b -S 0.2 -w "$T/full/arch/%Y%m%d-%H%M%S.gf" \
    --rotate 2s -P 7903 2>"$T/gf.err" &
gfpid=$!
wait_for listening 7903 || fail port_open "$(cat "$T/gf.err")"
$NB "$TOOLS/netcat_gf" 127.0.0.1:7903 -o "$T/client.gf" -r "$T/ready" -t 40 &
cpid=$!
wait_for test -f "$T/ready" || fail client_ready "not served"
$NA "$TOOLS/trafgen" client 10.85.0.2 7800 --conns 200 --parallel 5 \
    --up 1000-5000 --down 1000-20000 --seed 2 --timeout 15 >/dev/null 2>&1
expect_rc trafgen_ok $? 0
wait_for logged "$T/gf.err" "No space left on device" &&
    pass full_reported || fail full_reported "$(cat "$T/gf.err")"
expect_match full_message "$(cat "$T/gf.err")" "gf.*: .*No space left on device; records are kept in memory .* retried every 5s"
kill -0 $gfpid && pass still_running || fail still_running
rm -f "$T/full/filler"
wait_for logged "$T/gf.err" "writing again" ||
    sleep 3 && wait_for logged "$T/gf.err" "writing again"
expect_match resumed "$(cat "$T/gf.err")" "writing again; 0 records were lost"
kill -TERM $gfpid
wait $gfpid
expect_rc sigterm_exit_0 $? 0
wait $cpid
args=""
for f in "$T"/full/arch/*.gf; do args="$args -r $f"; done
recs() { "$GAPDUMP" "$@" -n -o csv -L0 -s type,flowid,seq,kind,spkts,dpkts,stime,ltime - 'flow or sensor'; }
# shellcheck disable=SC2086
recs $args >"$T/archive.txt"
recs -r "$T/client.gf" >"$T/client.txt"
nc=$(wc -l <"$T/client.txt")
tail -n "$nc" "$T/archive.txt" >"$T/archive.tail"
expect_eq nothing_lost "$(cmp "$T/archive.tail" "$T/client.txt" && echo same)" same
expect_eq all_connections "$("$GAPDUMP" -r "$T/client.gf" -o csv -L0 -s dport - 'final and tcp and dst port 7800' | wc -l | tr -d ' ')" 200

# ---- a capture file cannot wait: lost records counted, status 2 ----
dd if=/dev/zero of="$T/full/filler" bs=4k >/dev/null 2>&1
"$GAPFLOW" -r $CAP/demo.pcap -w "$T/full/demo.gf" 2>"$T/off.err"
expect_rc offline_full_rc $? 2
expect_match offline_full_msg "$(cat "$T/off.err")" "demo.gf: .*No space left on device"
expect_match offline_lost_counted "$(cat "$T/off.err")" "demo.gf: [1-9][0-9]* records could not be written"
rm -f "$T/full/filler"

# ---- unwritable directory, as --user nobody ----
if ! id nobody >/dev/null 2>&1; then
	skip user_tests "no user 'nobody'"
	exit 0
fi
chmod 755 "$T"
mkdir "$T/ro"
$NB "$GAPFLOW" -i gff-b -S 0.2 -w "$T/ro/%Y%m%d-%H%M%S.gf" --rotate 2s \
    --user nobody 2>"$T/ro.err" &
gfpid=$!
sleep 0.5
# the traffic makes the records that cannot be written (the namespaces
# carry no other packets)
$NA "$TOOLS/trafgen" client 10.85.0.2 7800 --conns 20 --parallel 5 \
    --up 1000-5000 --down 1000-20000 --seed 4 --timeout 15 >/dev/null 2>&1
wait_for logged "$T/ro.err" "Permission denied" &&
    pass unwritable_reported || fail unwritable_reported "$(cat "$T/ro.err")"
expect_eq runs_as_nobody "$(awk '/^Uid:/ { print $2 }' /proc/$gfpid/status)" "$(id -u nobody)"
chmod 777 "$T/ro"
wait_for logged "$T/ro.err" "writing again" ||
    sleep 3 && wait_for logged "$T/ro.err" "writing again"
expect_match writable_again "$(cat "$T/ro.err")" "writing again; 0 records were lost"
kill -TERM $gfpid
wait $gfpid
expect_rc user_exit_0 $? 0
expect_eq files_owned_by_nobody "$(stat -c %U "$T"/ro/*.gf | sort -u)" nobody
args=""
for f in "$T"/ro/*.gf; do args="$args -r $f"; done
# shellcheck disable=SC2086
expect_eq user_all_connections "$("$GAPDUMP" $args -o csv -L0 -s dport - 'final and dst port 7800 and tcp' | wc -l | tr -d ' ')" 20
"$GAPFLOW" -r $CAP/demo.pcap -w "$T/x.gf" --user no-such-user-gf 2>"$T/u.err"
expect_rc bad_user_rc $? 2
expect_match bad_user_msg "$(cat "$T/u.err")" "user 'no-such-user-gf': no such user"
