# gapflow's file inputs (issue 12): every word after -r up to the next
# option is a file, a lone - or -- starts the BPF filter; any number of
# files (300, made by editcap -c 1 from a real capture) give the records
# of the unsplit capture at the memory of one; gzip-compressed pcap and
# pcapng (told by their magic, not their name) give the records of the
# plain file; a cut gzip stream is damage (exit 1, named).
. tests/e2e/lib.sh
X=$CAP/real-tcp4.pcap
csv() { "$GAPDUMP" -r "$1" -o csv -L0; }
# packets the sensor read, from its SENSOR records
pkts() { "$GAPDUMP" -r "$1" -o csv -L0 -s pkts - sensor | awk '{ n += $1 } END { print n + 0 }'; }

"$GAPFLOW" -r "$X" -w "$T/ref.gf"
csv "$T/ref.gf" >"$T/ref.txt"

if ! have tcpdump || ! have editcap; then
	skip all "needs tcpdump and editcap (wireshark-common)"
	exit 0
fi

# ---- -r FILE FILE ... ----------------------------------------------------
tcpdump -r "$X" -w "$T/a.pcap" src host 10.77.0.1 2>/dev/null
tcpdump -r "$X" -w "$T/b.pcap" src host 10.77.0.2 2>/dev/null
"$GAPFLOW" -r "$T/a.pcap" "$T/b.pcap" -w "$T/ab.gf" 2>"$T/err"
expect_rc r_two_words $? 0
expect_eq r_two_words_records "$(csv "$T/ab.gf" | cmp -s - "$T/ref.txt" && echo same)" same
# the same with -w first: the files run to the end of the line
"$GAPFLOW" -w "$T/ab2.gf" -r "$T/a.pcap" "$T/b.pcap"
expect_eq r_list_at_end "$(csv "$T/ab2.gf" | cmp -s - "$T/ref.txt" && echo same)" same
# the filter after a lone - (ra's form) or after --; tcpdump counts
want=$(tcpdump -r "$X" -n 'tcp[tcpflags] & tcp-syn != 0' 2>/dev/null | wc -l | tr -d ' ')
"$GAPFLOW" -r "$T/a.pcap" "$T/b.pcap" -w "$T/f1.gf" - 'tcp[tcpflags] & tcp-syn != 0'
expect_eq filter_after_dash "$(pkts "$T/f1.gf")" "$want"
"$GAPFLOW" -w "$T/f2.gf" -r "$T/a.pcap" "$T/b.pcap" -- 'tcp[tcpflags]' '&' tcp-syn '!=' 0
expect_eq filter_after_dashdash "$(pkts "$T/f2.gf")" "$want"
# still: the words after the last option, when it is not -r
"$GAPFLOW" -r "$T/a.pcap" "$T/b.pcap" -w "$T/f3.gf" 'tcp[tcpflags] & tcp-syn != 0'
expect_eq filter_after_options "$(pkts "$T/f3.gf")" "$want"
expect_eq syn_count_is_40 "$want" 40
# a word that is no file is named as one, not taken for a filter
out=$("$GAPFLOW" -r "$T/a.pcap" udp -w "$T/x.gf" 2>&1); rc=$?
expect_rc r_not_a_file_rc $rc 2
expect_eq r_not_a_file_msg "$out" "gapflow: udp: cannot read as a capture file: No such file or directory"
# -r - is still stdin, then more files
"$GAPFLOW" -r - "$T/b.pcap" -w "$T/sb.gf" <"$T/a.pcap"
expect_eq r_stdin_then_file "$(csv "$T/sb.gf" | cmp -s - "$T/ref.txt" && echo same)" same

# ---- 300 files -------------------------------------------------------------
editcap -r "$X" "$T/first300.pcap" 1-300
mkdir "$T/split"
editcap -c 1 "$T/first300.pcap" "$T/split/p.pcap"
n=$(ls "$T/split" | wc -l | tr -d ' ')
expect_eq split_300_files "$n" 300
# (under AddressSanitizer, freed memory waits in its quarantine: none here,
# so that both runs measure what is in use)
ASAN_OPTIONS="quarantine_size_mb=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export ASAN_OPTIONS
"$TOOLS/peakrss" -o "$T/rss1" "$GAPFLOW" -r "$T/first300.pcap" -w "$T/one.gf"
# shellcheck disable=SC2046
"$TOOLS/peakrss" -o "$T/rss300" "$GAPFLOW" -r $(ls "$T"/split/*.pcap | sort) -w "$T/many.gf" 2>"$T/err"
expect_rc files_300_rc "$(cut -d' ' -f4 "$T/rss300")" 0
expect_eq files_300_quiet "$(cat "$T/err")" ""
expect_eq files_300_records "$(csv "$T/many.gf" | cmp -s - "$(csv "$T/one.gf" >"$T/one.txt"; echo "$T/one.txt")" && echo same)" same
expect_eq files_300_packets "$(pkts "$T/many.gf")" 300
# files are merged by time, not by their order on the command line
# shellcheck disable=SC2046
"$GAPFLOW" -r $(ls "$T"/split/*.pcap | sort -r) -w "$T/rev.gf"
expect_eq files_300_reversed_packets "$(pkts "$T/rev.gf")" 300
expect_eq files_300_reversed_flows "$("$GAPDUMP" -r "$T/rev.gf" -o csv -L0 -s flowid - final | wc -l | tr -d ' ')" 20
# memory: the 300 files cost less than 4 MiB over the one file
r1=$(cut -d' ' -f2 "$T/rss1"); r300=$(cut -d' ' -f2 "$T/rss300")
if [ "$r300" -le $((r1 + 4096)) ]; then pass files_300_memory
else fail files_300_memory "peak RSS $r300 KiB with 300 files, $r1 KiB with one"; fi

# ---- gzip ------------------------------------------------------------------
gzip -nc "$X" >"$T/x.pcap.gz"
"$GAPFLOW" -r "$T/x.pcap.gz" -w "$T/gz.gf"
expect_eq gzip_pcap "$(csv "$T/gz.gf" | cmp -s - "$T/ref.txt" && echo same)" same
cp "$T/x.pcap.gz" "$T/noname"
"$GAPFLOW" -r "$T/noname" -w "$T/gz2.gf"
expect_eq gzip_by_magic "$(csv "$T/gz2.gf" | cmp -s - "$T/ref.txt" && echo same)" same
"$GAPFLOW" -r - -w "$T/gz3.gf" <"$T/x.pcap.gz"
expect_eq gzip_stdin "$(csv "$T/gz3.gf" | cmp -s - "$T/ref.txt" && echo same)" same
cp "$X" "$T/plain.pcap.gz"      # a plain file with a .gz name is plain
"$GAPFLOW" -r "$T/plain.pcap.gz" -w "$T/gz4.gf"
expect_eq plain_named_gz "$(csv "$T/gz4.gf" | cmp -s - "$T/ref.txt" && echo same)" same
editcap -F pcapng "$X" "$T/x.pcapng"
gzip -c "$T/x.pcapng" >"$T/x.pcapng.gz"
"$GAPFLOW" -r "$T/x.pcapng.gz" -w "$T/gz5.gf"
expect_eq gzip_pcapng "$(csv "$T/gz5.gf" | cmp -s - "$T/ref.txt" && echo same)" same


# a gzip file among many split ones
gzip "$T/split/$(ls "$T/split" | sort | sed -n 150p)"
# shellcheck disable=SC2046
"$GAPFLOW" -r $(ls "$T"/split/* | sort) -w "$T/many_gz.gf"
expect_eq files_300_one_gzip "$(csv "$T/many_gz.gf" | cmp -s - "$T/one.txt" && echo same)" same
# a stream cut short (its 8-byte trailer lost) is damage: exit 1, named
size=$(wc -c <"$T/x.pcap.gz")
head -c $((size - 4)) "$T/x.pcap.gz" >"$T/cut.pcap.gz"
out=$("$GAPFLOW" -r "$T/cut.pcap.gz" -w "$T/cut.gf" 2>&1); rc=$?
expect_rc gzip_cut_rc $rc 1
expect_eq gzip_cut_msg "$out" "gapflow: $T/cut.pcap.gz: read error: gzip: unexpected end of file"
# a wrong CRC in the trailer: every packet is read, then the damage is
# said (exit 1)
cp "$T/x.pcap.gz" "$T/crc.pcap.gz"
printf '\377\377\377\377' | dd of="$T/crc.pcap.gz" bs=1 seek=$((size - 8)) conv=notrunc 2>/dev/null
out=$("$GAPFLOW" -r "$T/crc.pcap.gz" -w "$T/crc.gf" 2>&1); rc=$?
expect_rc gzip_crc_rc $rc 1
expect_eq gzip_crc_msg "$out" "gapflow: $T/crc.pcap.gz: read error: gzip: incorrect data check"
expect_eq gzip_crc_records "$(csv "$T/crc.gf" | cmp -s - "$T/ref.txt" && echo same)" same
# two gzip members one after the other are one stream (as gzip -d reads)
head -c 70000 "$X" >"$T/part1"
tail -c +70001 "$X" >"$T/part2"
{ gzip -nc "$T/part1"; gzip -nc "$T/part2"; } >"$T/members.gz"
"$GAPFLOW" -r "$T/members.gz" -w "$T/mem.gf"
expect_eq gzip_two_members "$(csv "$T/mem.gf" | cmp -s - "$T/ref.txt" && echo same)" same
# gzip through a pipe
gzip -nc "$X" | "$GAPFLOW" -r - -w "$T/pipe.gf"
expect_eq gzip_pipe "$(csv "$T/pipe.gf" | cmp -s - "$T/ref.txt" && echo same)" same
# corrupt compressed data: bytes overwritten in the middle
cp "$T/x.pcap.gz" "$T/bad.pcap.gz"
printf '\377\377\377\377' | dd of="$T/bad.pcap.gz" bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
out=$("$GAPFLOW" -r "$T/bad.pcap.gz" -w "$T/bad.gf" 2>&1); rc=$?
expect_rc gzip_corrupt_rc $rc 1
expect_match gzip_corrupt_msg "$out" "^gapflow: $T/bad.pcap.gz: read error: "
