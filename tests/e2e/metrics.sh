# gapflow --metrics FILE (issue 12): a Prometheus textfile that promtool
# accepts, written by rename (no temporary file left), at every status
# interval (seen while the sensor still waits for input) and at exit,
# with exact counts of tests/captures/demo-gap.pcap worked out with
# tshark; the alerting rules in contrib/ pass promtool check rules and a
# promtool unit test; make install installs them.
. tests/e2e/lib.sh
X=$CAP/demo-gap.pcap
M=$T/gapflow.prom
val() { awk -v k="$1" 'index($0, k) == 1 { print $NF }' "$M"; }

if ! have promtool; then
	skip all "promtool (Debian package prometheus) not installed"
	exit 0
fi

"$GAPFLOW" -r "$X" -w "$T/x.gf" --metrics "$M" --set sensor.name=tap-1
expect_rc run $? 0
out=$(promtool check metrics <"$M" 2>&1)
expect_rc promtool_check_metrics $? 0
expect_eq promtool_no_lint "$out" ""
expect_eq no_tmp_left "$(ls "$T" | grep -c tmp)" 0
if have tshark; then
	pk=$(tshark -r "$X" 2>/dev/null | wc -l | tr -d ' ')
	by=$(tshark -r "$X" -T fields -e frame.len 2>/dev/null | awk '{ s += $1 } END { print s }')
	# the gap: the two data segments cut out of demo.pcap (frames 31, 32)
	gap=$(tshark -r $CAP/demo.pcap -Y 'frame.number == 31 || frame.number == 32' -T fields -e tcp.len 2>/dev/null | awk '{ s += $1 } END { print s }')
	tcp=$(tshark -r "$X" -q -z conv,tcp 2>/dev/null | grep -c '<->')
	udp=$(tshark -r "$X" -q -z conv,udp 2>/dev/null | grep -c '<->')
	expect_eq packets_total "$(val 'gapflow_packets_total{sensor="tap-1"}')" "$pk"
	expect_eq packets_total_125 "$pk" 125
	expect_eq bytes_total "$(val 'gapflow_bytes_total{sensor="tap-1"}')" "$by"
	expect_eq gap_bytes_total "$(val 'gapflow_gap_bytes_total{sensor="tap-1"}')" "$gap"
	expect_eq gap_is_2896 "$gap" 2896
	# + the ICMP and ICMPv6 echo exchanges (captures README)
	expect_eq flows_total "$(val 'gapflow_flows_total{sensor="tap-1"}')" $((tcp + udp + 2))
else
	skip packets_total "tshark not installed"
fi
for m in kernel_drops interface_drops ring_drops record_drops flows_evicted; do
	expect_eq "${m}_zero" "$(val "gapflow_${m}_total{sensor=\"tap-1\"}")" 0
done
expect_eq flows_active_at_exit "$(val 'gapflow_flows_active{sensor="tap-1"}')" 0
expect_eq skipped_nonip "$(val 'gapflow_frames_skipped_total{sensor="tap-1",reason="nonip"}')" 0
# one interval (5 s > the capture's 0.86 s): the ratio is the run's
a=$(val 'gapflow_acked_bytes_total{sensor="tap-1"}')
expect_eq loss_ratio_last_interval "$(val 'gapflow_capture_loss_bytes_ratio{sensor="tap-1"}')" \
    "$(awk -v g=2896 -v a="$a" 'BEGIN { printf "%.9g", g / a }')"
# the sensor id when there is no name; the label value escaped
"$GAPFLOW" -r "$X" -w "$T/x.gf" --metrics "$M" --sensor-id 7
expect_eq label_sensor_id "$(grep -c '^gapflow_packets_total{sensor="7"} ' "$M")" 1
"$GAPFLOW" -r "$X" -w "$T/x.gf" --set output.metrics="$M" --set 'sensor.name=a "b" \c'
expect_eq label_escaped "$(grep -c '^gapflow_packets_total{sensor="a \\"b\\" \\\\c"} ' "$M")" 1
expect_rc label_escaped_promtool "$(promtool check metrics <"$M" >/dev/null 2>&1; echo $?)" 0
# a place that cannot be written is an error at start
out=$("$GAPFLOW" -r "$X" -w "$T/x.gf" --metrics "$T/no/such/dir/m.prom" 2>&1); rc=$?
expect_rc unwritable_rc $rc 2
expect_eq unwritable_msg "$out" "gapflow: --metrics $T/no/such/dir/m.prom: cannot write it (through $T/no/such/dir/m.prom.tmp): No such file or directory"

# ---- at every interval: the sensor reads a FIFO that stays open ----------
# With -S 0.1 the SENSOR records of the intervals that ended before the
# last packet are written while the sensor waits for more input: they
# count the packets before the last boundary at or before the last packet
# (boundaries: first packet + k * 0.1 s).
if have tshark; then
	want=$(tshark -r "$X" -T fields -e frame.time_epoch 2>/dev/null | awk '
	{ split($1, p, "."); t[NR] = p[1] * 1000000 + substr(p[2] "000000", 1, 6) }
	END { b = t[1] + int((t[NR] - t[1]) / 100000) * 100000
	      for (i = 1; i <= NR; i++) if (t[i] < b) n++; print n + 0 }')
	mkfifo "$T/fifo"
	"$GAPFLOW" -r "$T/fifo" -S 0.1 -w "$T/f.gf" --metrics "$T/f.prom" &
	pid=$!
	exec 3>"$T/fifo"
	cat "$X" >&3
	has_partial() { grep -q "^gapflow_packets_total{sensor=\"0\"} $want\$" "$T/f.prom"; }
	if wait_for has_partial; then pass interval_written_while_running
	else fail interval_written_while_running "want $want packets:" "$(grep '^gapflow_packets_total' "$T/f.prom")"; fi
	exec 3>&-
	wait $pid
	expect_eq exit_written "$(grep '^gapflow_packets_total' "$T/f.prom")" 'gapflow_packets_total{sensor="0"} 125'
else
	skip interval_written_while_running "tshark not installed"
fi

# ---- the alerting rules ------------------------------------------------------
out=$(promtool check rules contrib/gapflow-alerts.yml 2>&1)
expect_rc promtool_check_rules $? 0
expect_match promtool_rules_found "$out" "SUCCESS: 3 rules found"
# 1 % loss on tap-1 fires after the 10 minutes of 'for'; 0.1 % on tap-2
# never does
cat >"$T/rules-test.yml" <<EOT
rule_files:
  - $PWD/contrib/gapflow-alerts.yml
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      - series: 'gapflow_acked_bytes_total{sensor="tap-1"}'
        values: '0+100000x60'
      - series: 'gapflow_gap_bytes_total{sensor="tap-1"}'
        values: '0+1000x60'
      - series: 'gapflow_acked_bytes_total{sensor="tap-2"}'
        values: '0+100000x60'
      - series: 'gapflow_gap_bytes_total{sensor="tap-2"}'
        values: '0+100x60'
      - series: 'gapflow_ring_drops_total{sensor="tap-2"}'
        values: '0+0x20 1+1x40'
      - series: 'gapflow_kernel_drops_total{sensor="tap-2"}'
        values: '0+0x60'
      - series: 'gapflow_interface_drops_total{sensor="tap-2"}'
        values: '0+0x60'
      - series: 'gapflow_record_drops_total{sensor="tap-2"}'
        values: '0+0x60'
    alert_rule_test:
      - eval_time: 5m
        alertname: GapflowCaptureLoss
        exp_alerts: []
      - eval_time: 30m
        alertname: GapflowCaptureLoss
        exp_alerts:
          - exp_labels:
              severity: warning
              sensor: tap-1
            exp_annotations:
              summary: "gapflow tap-1: capture loss 1.00 % of acknowledged bytes"
              description: "The sensor tap-1 missed more than 0.5 % of the bytes the endpoints acknowledged over the last 15 minutes: the capture path (tap, SPAN port, NIC, ring) drops packets. Look at gapflow_kernel_drops_total, gapflow_ring_drops_total and the SPAN port's counters."
      - eval_time: 15m
        alertname: GapflowSensorDrops
        exp_alerts: []
EOT
out=$(promtool test rules "$T/rules-test.yml" 2>&1)
expect_rc promtool_test_rules $? 0
[ $? -eq 0 ] || printf '%s\n' "$out"
# a wrong expectation fails: the unit test really checks
sed 's/capture loss 1.00 %/capture loss 1.01 %/' "$T/rules-test.yml" >"$T/rules-bad.yml"
promtool test rules "$T/rules-bad.yml" >/dev/null 2>&1
expect_rc promtool_test_rules_checks $? 1

# ---- make install puts the rules beside the documentation --------------------
# -o all: install what $B holds, never rebuild it
if make -s -o all install DESTDIR="$T/inst" PREFIX=/usr B="$B" >"$T/inst.log" 2>&1; then
	expect_eq install_rules "$(cmp -s contrib/gapflow-alerts.yml "$T/inst/usr/share/gapflow/gapflow-alerts.yml" && echo same)" same
else
	fail install_rules "make install failed:" "$(cat "$T/inst.log")"
fi
