# Crash safety: gapflow capturing live in a private network namespace is
# killed with -9 mid-run.  Every finished file reads back whole; the file
# being written (.NAME.part) reads up to its last complete block; a file
# cut inside a block is read up to it and the cut reported, not fatal;
# the next run puts the unfinished file in place, cut back to its last
# complete block.
. tests/e2e/lib.sh
netns_pair c 82

mkdir -p "$T/arch"
$NB "$TOOLS/trafgen" server 10.82.0.2 7800 --timeout 40 >/dev/null &
# rotation every 2 s, a block written every second: at any time there is
# most likely an unfinished file with a block or more in it
$NB "$GAPFLOW" -i gfc-b -S 0.1 -w "$T/arch/%Y%m%d-%H%M%S.gf" --rotate 2s \
    2>"$T/gf.err" &
gfpid=$!
sleep 0.5
# traffic until the kill, in rounds (bounded)
$NA sh -c 'i=0; while [ $i -lt 40 ] && [ ! -f "$1" ]; do
	"$2" client 10.82.0.2 7800 --conns 100 --parallel 5 --up 1000-5000 \
	    --down 1000-20000 --seed $i --timeout 10 >/dev/null 2>&1
	i=$((i + 1)); sleep 0.1; done' sh "$T/stop" "$TOOLS/trafgen" &
tgpid=$!
# kill in the middle of a 2 s file, after its first block, once a file
# is finished (bounded: 15 s).  The sensor is stopped while we look, so
# that the file seen unfinished cannot be finished before the kill.
i=0
while [ $i -lt 75 ]; do
	sleep 0.2
	i=$((i + 1))
	kill -STOP $gfpid
	ls -A "$T/arch" | grep -q '\.part$' &&
	    [ "$(ls "$T/arch" | wc -l)" -ge 2 ] && break
	kill -CONT $gfpid
done
kill -9 $gfpid
wait $gfpid 2>/dev/null
touch "$T/stop"
wait $tgpid 2>/dev/null

done_files=$(ls "$T/arch" | wc -l)
if [ "$done_files" -ge 2 ]; then pass finished_files; else fail finished_files "$done_files"; fi
bad=0
for f in "$T"/arch/*.gf; do
	"$GAPDUMP" -r "$f" -L0 - 'flow or sensor' >/dev/null 2>"$T/e" || bad=$((bad + 1))
	[ -s "$T/e" ] && bad=$((bad + 1))
done
expect_eq finished_files_whole "$bad" 0
part=$(ls -A "$T/arch" | grep '\.part$')
expect_eq one_part_file "$(echo "$part" | grep -c .)" 1
# the unfinished file: every complete block (a kill between write(2)s
# leaves no half block), and the missing end block said (format 2.1)
"$GAPDUMP" -r "$T/arch/$part" -L0 - 'flow or sensor' >"$T/part.txt" 2>"$T/e"
expect_rc part_readable $? 2
expect_match part_unfinished_said "$(cat "$T/e")" "^gapdump: $T/arch/$part: the stream ends at offset [0-9]+ without its end block, after (its header|block number [0-9]+): its writer did not finish it"
expect_eq part_one_message "$(grep -c . "$T/e")" 1
n_part=$(wc -l <"$T/part.txt")
if [ "$n_part" -ge 1 ]; then pass part_has_records; else fail part_has_records "empty"; fi

# a block cut in the middle, as a crash inside write(2) would leave it:
# the records before it, and the cut reported
cp "$T/arch/$part" "$T/cut.gf"
printf 'GFBK\377\377\000\000' >>"$T/cut.gf"
head -c 2000 /dev/urandom >>"$T/cut.gf"
"$GAPDUMP" -r "$T/cut.gf" -L0 - 'flow or sensor' >"$T/cut.txt" 2>"$T/e"
rc=$?
expect_match cut_reported "$(cat "$T/e")" "cut\.gf: (truncated block|bad block header).* at offset"
expect_eq cut_records_kept "$(wc -l <"$T/cut.txt")" "$n_part"
if [ $rc -ne 0 ] && [ $rc -ne 2 ]; then fail cut_status "status $rc"; else pass cut_status; fi

# the next run finds the orphan (nobody holds its lock), cuts a torn tail
# and puts it in place under its name
printf 'GFBK\001\000\000\000' >>"$T/arch/$part"
$NB "$GAPFLOW" -i gfc-b -S 0.1 -w "$T/arch/%Y%m%d-%H%M%S.gf" --rotate 2s \
    2>"$T/gf2.err" &
gf2pid=$!
sleep 2
kill -TERM $gf2pid
wait $gf2pid
expect_rc restart_exit_0 $? 0
expect_match recovery_logged "$(cat "$T/gf2.err")" "recovered an unfinished file"
expect_eq no_part_after_restart "$(ls -A "$T/arch" | grep -c '\.part$')" 0
final=$(echo "$part" | sed 's/^\.//; s/\.part$//')
"$GAPDUMP" -r "$T/arch/$final" -L0 - 'flow or sensor' >"$T/rec.txt" 2>"$T/e"
# kept as the killed run left it: still without its end block, and said
expect_rc recovered_clean $? 2
expect_match recovered_unfinished_said "$(cat "$T/e")" "without its end block"
expect_eq recovered_one_message "$(grep -c . "$T/e")" 1
expect_eq recovered_records "$(wc -l <"$T/rec.txt")" "$n_part"
