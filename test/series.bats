#!/usr/bin/env bats
bats_require_minimum_version 1.5.0
# series: every record of the gen captures' analysed tables against
# test/ref/series-ref.py (an independent reading of series(1) in Python:
# whole lists, exact integers, no open bins), the totals against the
# connection tables' own columns (mptcp-metrics, tcp-metrics), the RTT
# bins against tshark's tcp.analysis.ack_rtt, hand-made tables with
# hand-derived bins, bounded memory, and bad input; the same for -t (per
# TCP connection, captures without MPTCP too) and for -r trace (the whole
# capture per interface), its sums against tcp_conns.tsv's unique bytes.

setup_file() {
	load common
	A=$BATS_FILE_TMPDIR/stats
	"$TOP/pipelines/analyze" -o "$A" "$FIX"/gen/mptcp-{both,handover,loss,addaddr,short,backup,ipv6}.pcap \
	    "$FIX/corpus/pymptcpanalyzer-client_2.pcap" "$FIX/gen/tcp-loss.pcap" \
	    "$FIX"/corpus/{ptcpdump-tcp.pcapng,pymptcpanalyzer-client_1_tcp_only.pcap,bro-fin_retransmission.pcap} \
	    > /dev/null 2>&1
	# analyze writes no in-flight table: the one series(1) says to make
	for c in mptcp-both mptcp-handover mptcp-loss mptcp-addaddr mptcp-short mptcp-backup mptcp-ipv6 tcp-loss; do
		tcp-metrics -e inflight -o /dev/null "$FIX/gen/$c.pcap" > "$A/$c/tcp_inflight.tsv"
	done
}

setup() {
	load common
	A=$BATS_FILE_TMPDIR/stats
	T=$BATS_TEST_TMPDIR
	REF=$TOP/test/ref/series-ref.py
	GEN="mptcp-both mptcp-handover mptcp-loss mptcp-addaddr mptcp-short mptcp-backup mptcp-ipv6"
	# captures without MPTCP (analyze's TCP tables only)
	TCP="tcp-loss ptcpdump-tcp pymptcpanalyzer-client_1_tcp_only bro-fin_retransmission"
}

# The header, then the rows sorted: series writes a series' rows as
# later events close its bins, interleaved with the others'.
sorted() {
	awk 'NR == 1 { print; fflush(); next } { print | "LC_ALL=C sort" }'
}

@test "every record of the gen captures' tables as series-ref.py computes it: widths, -c, -d" {
	local c r x n=0
	[ -d "$A/mptcp-both" ] || fail "analyze wrote no mptcp-both"
	for c in $GEN pymptcpanalyzer-client_2; do
		for r in goodput rtt inflight; do
			[ $r = inflight ] && [ ! -f "$A/$c/tcp_inflight.tsv" ] && continue
			for x in "0.1" "0.05" "1" "0.1 -c 1 -d c2s" "0.25 -d s2c"; do
				# shellcheck disable=SC2086
				set -- $x
				w=$1
				shift
				series -r $r -w "$w" "$@" "$A/$c" | sorted > "$T/got"
				"$PY" "$REF" $r "$w" "$A/$c" "$@" | sorted > "$T/want"
				diff "$T/want" "$T/got" || fail "$c: -r $r -w $x differs from series-ref.py (<)"
				[ "$(wc -l < "$T/got")" -ge 2 ] || fail "$c: -r $r -w $x: no rows"
				n=$((n + 1))
			done
		done
	done
	# 7 gen captures with 3 records, the nanosecond pcapng with 2; 5 runs each
	assert_equal "$n" 115
}

@test "goodput totals: a connection's bins sum to its unique bytes plus the DATA_FIN, a subflow's to its TCP unique bytes once its FIN is acknowledged" {
	local c
	for c in $GEN pymptcpanalyzer-client_2; do
		series -w 0.1 "$A/$c" > "$T/g"
		# expected: mptcp_conns.tsv's c2s_unique_bytes + c2s_data_fin_acked
		# (the DATA_FIN's sequence number) per connection and direction;
		# tcp_conns.tsv's unique bytes of the subflow's TCP connection in
		# the TCP direction carrying the MPTCP one, all of them acknowledged
		# when the FIN was (fin_ack_ts), never more
		awk -F'\t' -v C="$c" '
		function cols(a) { for (i = 1; i <= NF; i++) a[$i] = i }
		FILENAME == ARGV[1] { if (FNR == 1) { cols(m); next }
			for (x = 0; x < 2; x++) { d = x ? "s2c" : "c2s"
				want[$m["mpconn"] " " d] = $m[d "_unique_bytes"] + $m[d "_data_fin_acked"] }
			next }
		FILENAME == ARGV[2] { if (FNR == 1) { cols(t); next }
			for (x = 0; x < 2; x++) { d = x ? "s2c" : "c2s"
				u[$t["conn"] " " d] = $t[d "_unique_bytes"]; fa[$t["conn"] " " d] = $t[d "_fin_ack_ts"] }
			next }
		FILENAME == ARGV[3] { if (FNR == 1) { cols(s); next }
			k = $s["mpconn"] " " $s["subflow"]; conn[k] = $s["conn"]; server[k] = $s["role"] == "server"
			next }
		FNR == 1 { cols(g); next }
		$g["subflow"] == "-" { got[$g["mpconn"] " " $g["dir"]] += $g["bytes"]; nconn++; next }
		{ k = $g["mpconn"] " " $g["subflow"]; d = $g["dir"]
		  if (server[k]) d = d == "c2s" ? "s2c" : "c2s"
		  sf[conn[k] " " d] += $g["bytes"]; nsf++ }
		END {
			bad = 0
			for (k in want) if (want[k] + 0 != got[k] + 0) { print C ": connection " k ": " got[k] " bytes, mptcp_conns " want[k]; bad = 1 }
			for (k in sf) {
				if (sf[k] > u[k] + 0) { print C ": subflow conn " k ": " sf[k] " above unique " u[k]; bad = 1 }
				if (fa[k] != "-" && sf[k] != u[k] + 0) { print C ": subflow conn " k ": " sf[k] " != unique " u[k]; bad = 1 }
				if (fa[k] != "-") checked++
			}
			if (!nconn || !nsf || !checked) { print C ": nothing compared"; bad = 1 }
			exit bad
		}' "$A/$c/mptcp_conns.tsv" "$A/$c/tcp_conns.tsv" "$A/$c/mptcp_subflows.tsv" "$T/g" ||
		    fail "$c: goodput totals"
	done
	# the handover: the Wi-Fi subflow died with data it sent never
	# acknowledged at the TCP level (tcp_conns: 457624 unique bytes, no
	# FIN acknowledged), the connection's data all DATA_ACKed (800016 +
	# the DATA_FIN, mptcp_conns)
	series -d c2s "$A/mptcp-handover" | awk -F'\t' 'NR > 1 && $3 == "-" { s += $8 } END { print s }' > "$T/s"
	assert_equal "$(cat "$T/s")" 800017
}

@test "rtt: the bins hold tshark's tcp.analysis.ack_rtt samples; their count and lowest are tcp_conns.tsv's" {
	local c
	for c in mptcp-both mptcp-handover mptcp-addaddr mptcp-ipv6 mptcp-short; do
		tshark -r "$FIX/gen/$c.pcap" -Y tcp.analysis.ack_rtt -T fields -e frame.time_epoch \
		    -e tcp.srcport -e tcp.dstport -e tcp.analysis.ack_rtt > "$T/ts" 2> /dev/null
		[ -s "$T/ts" ] || fail "$c: no tshark samples"
		series -r rtt -w 0.1 "$A/$c" | sorted > "$T/got"
		"$PY" "$REF" rtt 0.1 "$A/$c" --tshark "$T/ts" | sorted > "$T/want"
		diff "$T/want" "$T/got" || fail "$c: rtt bins differ from tshark's samples (<)"
		# per TCP connection and direction: the samples and the lowest
		# are tcp-metrics' c2s_rtt_n and c2s_rtt_min_ms (tcp_conns.tsv)
		awk -F'\t' -v C="$c" '
		function cols(a) { for (i = 1; i <= NF; i++) a[$i] = i }
		FILENAME == ARGV[1] { if (FNR == 1) { cols(t); next }
			for (x = 0; x < 2; x++) { d = x ? "s2c" : "c2s"; n[$t["conn"] " " d] = $t[d "_rtt_n"]; mn[$t["conn"] " " d] = $t[d "_rtt_min_ms"] }
			next }
		FILENAME == ARGV[2] { if (FNR == 1) { cols(s); next } server[$s["conn"]] = $s["role"] == "server"; next }
		FNR == 1 { cols(g); next }
		{ d = $g["dir"]; if (server[$g["conn"]]) d = d == "c2s" ? "s2c" : "c2s"
		  k = $g["conn"] " " d; got[k] += $g["n"]
		  if (!(k in low) || $g["min_ms"] + 0 < low[k]) low[k] = $g["min_ms"] + 0 }
		END { bad = 0
			for (k in got) {
				if (got[k] != n[k] + 0) { print C " " k ": " got[k] " samples, tcp_conns " n[k]; bad = 1 }
				if (low[k] != mn[k] + 0) { print C " " k ": lowest " low[k] ", tcp_conns " mn[k]; bad = 1 }
				m++ }
			if (!m) { print C ": nothing compared"; bad = 1 }
			exit bad }' "$A/$c/tcp_conns.tsv" "$A/$c/mptcp_subflows.tsv" "$T/got" || fail "$c: rtt against tcp_conns"
	done
}

@test "inflight: per subflow and direction the highest bin is tcp_conns.tsv's inflight_max" {
	local c
	for c in $GEN; do
		series -r inflight -w 0.1 "$A/$c" > "$T/i"
		# expected: tcp-metrics' c2s_inflight_max (the maximum at each data
		# segment sent), where the direction sent data
		awk -F'\t' -v C="$c" '
		function cols(a) { for (i = 1; i <= NF; i++) a[$i] = i }
		FILENAME == ARGV[1] { if (FNR == 1) { cols(t); next }
			for (x = 0; x < 2; x++) { d = x ? "s2c" : "c2s"; want[$t["conn"] " " d] = $t[d "_inflight_max"] }
			next }
		FILENAME == ARGV[2] { if (FNR == 1) { cols(s); next } server[$s["conn"]] = $s["role"] == "server"; next }
		FNR == 1 { cols(g); next }
		{ d = $g["dir"]; if (server[$g["conn"]]) d = d == "c2s" ? "s2c" : "c2s"
		  k = $g["conn"] " " d; if ($g["max_bytes"] + 0 > hi[k]) hi[k] = $g["max_bytes"] + 0 }
		END { bad = 0
			for (k in hi) if (want[k] != "-") { m++
				if (hi[k] != want[k] + 0) { print C " " k ": highest " hi[k] ", tcp_conns " want[k]; bad = 1 } }
			if (!m) { print C ": nothing compared"; bad = 1 }
			exit bad }' "$A/$c/tcp_conns.tsv" "$A/$c/mptcp_subflows.tsv" "$T/i" || fail "$c: inflight_max"
	done
}

# Hand-made tables: connection 7 starts at 100.000000 and ends at 101.5;
# subflow 0 (conn 3, client-opened, wifi), subflow 1 (conn 4, opened by
# the server, cellular).
hand() {
	mkdir -p "$T/h"
	printf '%s\n' $'mpconn\tstart_ts\tend_ts' $'7\t100.000000\t101.500000' > "$T/h/mptcp_conns.tsv"
	printf '%s\n' $'mpconn\tsubflow\tconn\trole\tiface' $'7\t0\t3\tclient\twifi' \
	    $'7\t1\t4\tserver\tcellular' > "$T/h/mptcp_subflows.tsv"
	printf '%s\n' $'ts\tmpconn\tdir\tsubflow\tdack\tbytes' \
	    $'100.010000\t7\tc2s\t0\t11\t10' $'100.090000\t7\tc2s\t1\t31\t20' \
	    $'100.350000\t7\tc2s\t0\t131\t100' $'100.360000\t7\ts2c\t0\t2\t-' > "$T/h/mptcp_dack.tsv"
	# conn 4's s2c data is the MPTCP c2s direction (the server opened it)
	printf '%s\n' $'capture\tconn\tts\tdir\tacked_bytes' $'x\t3\t100.050000\tc2s\t1000' \
	    $'x\t4\t100.150000\ts2c\t500' $'x\t3\t100.199999\tc2s\t24' $'x\t3\t100.200000\tc2s\t1' \
	    $'x\t9\t100.200000\tc2s\t77' > "$T/h/tcp_ack.tsv"
	printf '%s\n' $'conn\tts\tdir\trtt_ms' $'3\t100.010000\tc2s\t10.5' $'3\t100.020000\tc2s\t20.25' \
	    $'3\t100.030000\tc2s\t1' $'4\t100.400000\tc2s\t7.000' > "$T/h/tcp_rtt.tsv"
}

@test "hand-made tables: bins, zero bins, the server-opened subflow's directions, a missing bytes" {
	hand
	# expected, by hand: the connection's c2s DATA_ACKs fall in bins 0
	# (10 + 20) and 3 (100), bins 1 and 2 are written with 0; its s2c one
	# has "-" bytes: 0. Subflow 0: 1000 in bin 0, 24 in bin 1 (100.199999
	# is before 100.2), 1 in bin 2; conn 4's s2c ACK is MPTCP c2s, bin 1;
	# conn 9 is no subflow.
	# mbit_s = bytes * 8 / 0.1 s / 10^6.
	run -0 series "$T/h"
	assert_output "$(printf '%s\n' \
	    $'mpconn\tdir\tsubflow\tiface\tt_s\tts\tlevel\tbytes\tmbit_s' \
	    $'7\tc2s\t-\t-\t0.000000\t100.000000\tmptcp\t30\t0.002400' \
	    $'7\tc2s\t-\t-\t0.100000\t100.100000\tmptcp\t0\t0.000000' \
	    $'7\tc2s\t-\t-\t0.200000\t100.200000\tmptcp\t0\t0.000000' \
	    $'7\tc2s\t-\t-\t0.300000\t100.300000\tmptcp\t100\t0.008000' \
	    $'7\ts2c\t-\t-\t0.300000\t100.300000\tmptcp\t0\t0.000000' \
	    $'7\tc2s\t0\twifi\t0.000000\t100.000000\ttcp\t1000\t0.080000' \
	    $'7\tc2s\t0\twifi\t0.100000\t100.100000\ttcp\t24\t0.001920' \
	    $'7\tc2s\t0\twifi\t0.200000\t100.200000\ttcp\t1\t0.000080' \
	    $'7\tc2s\t1\tcellular\t0.100000\t100.100000\ttcp\t500\t0.040000')"
	# 0.3 s bins: 1000 + 24 + 1 bytes in bin 0 over 0.3 s = 0.027333 Mbit/s
	run -0 series -w 0.3 -d c2s "$T/h"
	assert_line $'7\tc2s\t0\twifi\t0.000000\t100.000000\ttcp\t1025\t0.027333'
	assert_line $'7\tc2s\t-\t-\t0.300000\t100.300000\tmptcp\t100\t0.002667'
	refute_output --partial s2c
	# rtt: conn 3's three samples in bin 0: 1, 10.5, 20.25 ms, mean
	# 31.75 / 3 = 10.583 (10.58333 rounded); conn 4's TCP c2s sample is
	# MPTCP s2c, bin 4
	run -0 series -r rtt "$T/h"
	assert_output "$(printf '%s\n' \
	    $'mpconn\tdir\tsubflow\tiface\tconn\tn\tmin_ms\tmean_ms\tmax_ms\tt_s\tts' \
	    $'7\tc2s\t0\twifi\t3\t3\t1.000\t10.583\t20.250\t0.000000\t100.000000' \
	    $'7\ts2c\t1\tcellular\t4\t1\t7.000\t7.000\t7.000\t0.400000\t100.400000')"
	# --capture puts the name first, --schema's columns are the header's
	run -0 series --capture 'a b' -c 7 "$T/h"
	assert_line --index 0 $'capture\tmpconn\tdir\tsubflow\tiface\tt_s\tts\tlevel\tbytes\tmbit_s'
	assert_line --index 1 $'a b\t7\tc2s\t-\t-\t0.000000\t100.000000\tmptcp\t30\t0.002400'
}

@test "hand-made tables: nanosecond times, timestamps going back" {
	hand
	printf '%s\n' $'mpconn\tstart_ts\tend_ts' $'7\t100.000000001\t101.500000000' > "$T/h/mptcp_conns.tsv"
	# expected: 9 decimals; the bin of 100.010000 is 0 from 100.000000001
	run -0 series -r rtt "$T/h"
	assert_line --index 1 $'7\tc2s\t0\twifi\t3\t3\t1.000\t10.583\t20.250\t0.000000000\t100.000000001'
	# an RTT sample earlier than its series' open bin: counted in it, warned
	printf '%s\n' $'conn\tts\tdir\trtt_ms' $'3\t100.250000\tc2s\t4' $'3\t100.050000\tc2s\t2' > "$T/h/tcp_rtt.tsv"
	run --separate-stderr -0 series -r rtt "$T/h"
	assert_line $'7\tc2s\t0\twifi\t3\t2\t2.000\t3.000\t4.000\t0.200000000\t100.200000001'
	[[ $stderr == *"1 events earlier than their series' open bin"* ]] || fail "no warning: $stderr"
}

@test "bounded memory: 2 million DATA_ACKs take no more memory than 2,000" {
	hand
	# the same connection, 1 ms apart, over 2000 s: the span is raised
	printf '%s\n' $'mpconn\tstart_ts\tend_ts' $'7\t100.000000\t2200.000000' > "$T/h/mptcp_conns.tsv"
	big() {
		awk -v n="$1" 'BEGIN { print "ts\tmpconn\tdir\tsubflow\tdack\tbytes"
			for (i = 0; i < n; i++) printf "%d.%06d\t7\tc2s\t0\t%d\t1\n", 100 + int(i / 1000), (i % 1000) * 1000, i + 2 }'
	}
	big 2000 > "$T/small.tsv"
	big 2000000 > "$T/large.tsv"
	rss() {
		/usr/bin/time -f %M series -D "$1" -A "$T/h/tcp_ack.tsv" "$T/h" 2>&1 > "$T/out" | tail -1
	}
	small=$(rss "$T/small.tsv")
	large=$(rss "$T/large.tsv")
	# expected: one row per 0.1 s bin of 100 DATA_ACKs, 1 byte each
	assert_equal "$(awk -F'\t' '$3 == "-"' "$T/out" | wc -l)" 20000
	assert_equal "$(awk -F'\t' '$3 == "-" { s += $8 } END { print s }' "$T/out")" 2000000
	[ "$large" -lt $((small + 2048)) ] || fail "2e6 events: ${large} KiB, 2e3: ${small} KiB"
}

@test "bad input: missing table, column, connection, field, event outside the connection; usage" {
	hand
	run -1 series -r rtt "$T/nowhere"
	assert_output --partial "$T/nowhere/mptcp_conns.tsv (mptcp_conns.tsv, made by mptcp-metrics): No such file"
	run -1 series -r inflight "$T/h"
	assert_output --partial "$T/h/tcp_inflight.tsv (tcp_inflight.tsv, made by tcp-metrics -e inflight)"
	run -2 series -r rtt
	assert_output --partial "no mptcp_conns.tsv table: give the capture's folder or -M"
	cut -f1-4 "$T/h/mptcp_subflows.tsv" > "$T/sf"
	run -1 series -S "$T/sf" "$T/h"
	assert_output "series: $T/sf:1: no column 'iface' (made by ifmatch)"
	: > "$T/empty"
	run -1 series -D "$T/empty" "$T/h"
	assert_output "series: $T/empty:1: empty, no header (mptcp_dack.tsv, made by mptcp-metrics -e dack)"
	run -1 series -c 8 "$T/h"
	assert_output "series: $T/h/mptcp_conns.tsv: no MPTCP connection 8"
	printf '%s\n' $'conn\tts\tdir\trtt_ms' $'3\t100.01\tc2s\t1' $'3\t100.02\tup\t1' > "$T/r"
	run -1 series -r rtt -R "$T/r" "$T/h"
	assert_output "series: $T/r:3: column 'dir': expected c2s or s2c, got 'up'"
	printf '%s\n' $'conn\tts\tdir\trtt_ms' $'3\t100.01\tc2s\t1x' > "$T/r"
	run -1 series -r rtt -R "$T/r" "$T/h"
	assert_output --partial "$T/r:2: column 'rtt_ms'"
	printf '%s\n' $'conn\tts\tdir\trtt_ms' $'3\t99.999999\tc2s\t1' > "$T/r"
	run -1 series -r rtt -R "$T/r" "$T/h"
	assert_output "series: $T/r:2: column 'ts': outside MPTCP connection 7's start_ts..end_ts (mptcp_conns.tsv)"
	# 1.5 s in 1 us bins: 1,500,000, above the 1,000,000 of series(1)
	run -1 series -w 0.000001 "$T/h"
	assert_output "series: $T/h/mptcp_conns.tsv:2: MPTCP connection 7 lasts 1.500000 s: more than 1000000 bins of 1e-06 s (a wider -w, or -c another connection)"
	run -0 series -w 0.000002 "$T/h"
	run -2 series -w 0 "$T/h"
	assert_output --partial "-w: seconds above 0"
	run -2 series -w 0.0000000001 "$T/h"
	run -2 series -r seq "$T/h"
	assert_output "series: -r: goodput, rtt, inflight or trace, not 'seq'"
	run -2 series "$T/h" "$T/h"
	assert_output --partial "usage: series"
}

@test "-t and -r trace: every record of the gen and corpus captures' tables as series-ref.py computes it" {
	local c r x n=0 m=0
	for c in $GEN pymptcpanalyzer-client_2 $TCP; do
		[ -f "$A/$c/tcp_conns.tsv" ] || fail "analyze wrote no $c"
		for x in "0.1" "1" "0.25 -d s2c" "0.05 -c 1 -d c2s"; do
			# shellcheck disable=SC2086
			set -- $x
			w=$1
			shift
			for r in goodput rtt inflight; do
				[ $r = inflight ] && [ ! -f "$A/$c/tcp_inflight.tsv" ] && continue
				series -t -r $r -w "$w" "$@" "$A/$c" | sorted > "$T/got"
				"$PY" "$REF" $r "$w" "$A/$c" -t "$@" | sorted > "$T/want"
				diff "$T/want" "$T/got" || fail "$c: -t -r $r -w $x differs from series-ref.py (<)"
				# rows wherever the event table has some (ptcpdump-tcp has
				# no RTT sample: every packet twice, tcp-metrics(1))
				[ "$(wc -l < "$T/got")" -ge 2 ] || [ "$(table_rows "$A/$c" $r "$@")" = 0 ] ||
				    fail "$c: -t -r $r -w $x: no rows"
				n=$((n + 1))
			done
			[ "$1" = -c ] && continue # the trace is the whole capture's
			series -r trace -w "$w" "$@" "$A/$c" | sorted > "$T/got"
			"$PY" "$REF" trace "$w" "$A/$c" "$@" | sorted > "$T/want"
			diff "$T/want" "$T/got" || fail "$c: -r trace -w $x differs from series-ref.py (<)"
			# rows wherever a byte was acknowledged (bro-fin_retransmission
			# carries none)
			[ "$(wc -l < "$T/got")" -ge 2 ] ||
			    awk -F'\t' 'NR > 1 && $NF > 0 { exit 1 }' "$A/$c/tcp_ack.tsv" || fail "$c: -r trace -w $x: no rows"
			m=$((m + 1))
		done
	done
	# 12 captures, 4 runs each of goodput and rtt, 8 with an in-flight
	# table; the trace 3 runs of each capture
	assert_equal "$n" $((12 * 4 * 2 + 8 * 4))
	assert_equal "$m" $((12 * 3))
}

@test "-r trace: the last running sum per direction and interface is tcp_conns.tsv's unique bytes, its conns the connections with some" {
	local c
	for c in $GEN pymptcpanalyzer-client_2 $TCP; do
		series -r trace -w 0.1 "$A/$c" > "$T/g"
		# expected, from tcp-metrics' connection records (tcp_conns.tsv):
		# per interface and direction (the MPTCP one of a subflow the server
		# opened, mptcp_subflows.tsv's role) at least the sum of
		# c2s_unique_bytes over the connections whose FIN was acknowledged
		# (fin_ack_ts), all of whose bytes were, at most the sum over all
		# connections; where every connection with bytes had its FIN
		# acknowledged, that sum, and conns the number of those with bytes
		"$PY" - "$A/$c" "$T/g" <<-'EOF' >> "$T/checked" || fail "$c: trace sums"
		import csv, os, sys
		def rows(f):
		    return list(csv.DictReader(open(f, newline=""), delimiter="\t", quoting=csv.QUOTE_NONE))
		d, g = sys.argv[1:]
		server = set()
		if os.path.exists(d + "/mptcp_subflows.tsv"):
		    server = {r["conn"] for r in rows(d + "/mptcp_subflows.tsv") if r["role"] == "server"}
		closed, every, conns, unfinished = {}, {}, {}, set()
		for r in rows(d + "/tcp_conns.tsv"):
		    for x in ("c2s", "s2c"):
		        mp = {"c2s": "s2c", "s2c": "c2s"}[x] if r["conn"] in server else x
		        k = (mp, r["iface"])
		        u = int(r[x + "_unique_bytes"])
		        every[k] = every.get(k, 0) + u
		        conns[k] = conns.get(k, 0) + (u > 0)
		        if r[x + "_fin_ack_ts"] != "-":
		            closed[k] = closed.get(k, 0) + u
		        elif u:
		            unfinished.add(k)
		last = {}
		for r in rows(g):
		    last[(r["dir"], r["iface"])] = r
		checked = 0
		for k, r in last.items():
		    cum = int(r["cum_bytes"])
		    assert closed.get(k, 0) <= cum <= every.get(k, 0), (k, cum, closed.get(k), every.get(k))
		    if k not in unfinished:
		        assert cum == every.get(k, 0) and int(r["conns"]) == conns.get(k, 0), (k, r, every.get(k), conns.get(k))
		        checked += 1
		# every direction and interface with unique bytes has its rows
		assert {k for k, v in every.items() if v} <= set(last), (every, set(last))
		print(checked)
		EOF
	done
	# the directions and interfaces compared equal, per capture: in most
	[ "$(awk '$1 > 0' "$T/checked" | wc -l)" -ge 9 ] || fail "sums compared equal: $(cat "$T/checked" | paste -sd ' ')"
	# the handover, by hand from tcp_conns.tsv: c2s, the Wi-Fi subflow's
	# 344688 bytes acknowledged at the TCP level (457624 unique, the rest
	# never acknowledged), the cellular one's 455329; s2c only cellular
	series -r trace -w 1 "$A/mptcp-handover" | awk -F'\t' '{ v[$1 " " $2] = $6 } END { print v["c2s wifi"], v["s2c wifi"] }' > "$T/s"
	assert_equal "$(cat "$T/s")" "344688 0"
}

# table_rows FOLDER RECORD [-c CONN] [-d DIR]: the rows of the event
# table the record reads (of that connection and direction)
table_rows() {
	local t f=$1 c='' d=''
	case $2 in goodput) t=tcp_ack ;; rtt) t=tcp_rtt ;; *) t=tcp_inflight ;; esac
	shift 2
	while [ $# -gt 1 ]; do
		case $1 in -c) c=$2 ;; -d) d=$2 ;; esac
		shift 2
	done
	awk -F'\t' -v c="$c" -v d="$d" 'NR == 1 { for (i = 1; i <= NF; i++) k[$i] = i; next }
	    (c == "" || $k["conn"] == c) && (d == "" || $k["dir"] == d) { n++ } END { print n + 0 }' "$f/$t.tsv"
}

@test "-t -r rtt: the bins hold tshark's tcp.analysis.ack_rtt samples of every TCP connection" {
	# the gen captures without loss: tshark takes a sample from the ACK of
	# a retransmitted segment too, tcp-metrics does not (Karn's rule)
	local c f
	for c in mptcp-both mptcp-handover mptcp-addaddr mptcp-ipv6 mptcp-short; do
		f=$FIX/gen/$c.pcap
		tshark -r "$f" -Y tcp.analysis.ack_rtt -T fields -e frame.time_epoch \
		    -e tcp.srcport -e tcp.dstport -e tcp.analysis.ack_rtt > "$T/ts" 2> /dev/null
		[ -s "$T/ts" ] || fail "$c: no tshark samples"
		series -t -r rtt -w 0.1 "$A/$c" | sorted > "$T/got"
		"$PY" "$REF" rtt 0.1 "$A/$c" -t --tshark "$T/ts" | sorted > "$T/want"
		diff "$T/want" "$T/got" || fail "$c: -t rtt bins differ from tshark's samples (<)"
		[ "$(wc -l < "$T/got")" -ge 3 ] || fail "$c: no rows"
		# every TCP connection of the capture in it: two subflows or more
		[ "$(tail -n +2 "$T/got" | cut -f1 | sort -u | wc -l)" -ge 2 ] || fail "$c: one connection"
	done
}

# Hand-made TCP tables: connections 3 (Wi-Fi), 4 (cellular, a subflow
# the MPTCP server opened: its TCP s2c is MPTCP c2s), 9 (unknown), the
# capture from 100.0 (conn 3's first_ts) to 102.0.
hand_tcp() {
	mkdir -p "$T/t"
	printf '%s\n' $'conn\tfirst_ts\tlast_ts\tiface' $'4\t100.100000\t102.000000\tcellular' \
	    $'3\t100.000000\t101.000000\twifi' $'9\t100.500000\t101.500000\t?' > "$T/t/tcp_conns.tsv"
	printf '%s\n' $'mpconn\tsubflow\tconn\trole\tiface' $'1\t0\t3\tclient\twifi' \
	    $'1\t1\t4\tserver\tcellular' > "$T/t/mptcp_subflows.tsv"
	printf '%s\n' $'conn\tts\tdir\tacked_bytes' $'3\t100.010000\tc2s\t0' $'3\t100.050000\tc2s\t1000' \
	    $'4\t100.150000\ts2c\t500' $'3\t100.199999\tc2s\t24' $'9\t100.600000\tc2s\t7' \
	    $'4\t100.650000\tc2s\t30' > "$T/t/tcp_ack.tsv"
}

@test "hand-made tables: -r trace's bins, running sums, connections; a server-opened subflow; -t's series" {
	hand_tcp
	# expected, by hand, 0.25 s bins from 100.0: c2s bin 0 has conn 3's
	# 1000 + 24 (its 0-byte ACK left out) and conn 4's TCP s2c 500
	# (MPTCP c2s); bin 1 nothing; bin 2 conn 9's 7. s2c: conn 4's TCP c2s
	# 30 at 100.65, bin 2: bins 0 to 2 written.
	run -0 series -r trace -w 0.25 "$T/t"
	assert_output "$(printf '%s\n' \
	    $'dir\tiface\tt_s\tts\tbytes\tcum_bytes\tconns' \
	    $'c2s\twifi\t0.000000\t100.000000\t1024\t1024\t1' \
	    $'c2s\tcellular\t0.000000\t100.000000\t500\t500\t1' \
	    $'c2s\t?\t0.000000\t100.000000\t0\t0\t0' \
	    $'c2s\twifi\t0.250000\t100.250000\t0\t1024\t1' \
	    $'c2s\tcellular\t0.250000\t100.250000\t0\t500\t1' \
	    $'c2s\t?\t0.250000\t100.250000\t0\t0\t0' \
	    $'s2c\twifi\t0.000000\t100.000000\t0\t0\t0' \
	    $'s2c\tcellular\t0.000000\t100.000000\t0\t0\t0' \
	    $'s2c\t?\t0.000000\t100.000000\t0\t0\t0' \
	    $'s2c\twifi\t0.250000\t100.250000\t0\t0\t0' \
	    $'s2c\tcellular\t0.250000\t100.250000\t0\t0\t0' \
	    $'s2c\t?\t0.250000\t100.250000\t0\t0\t0' \
	    $'c2s\twifi\t0.500000\t100.500000\t0\t1024\t1' \
	    $'c2s\tcellular\t0.500000\t100.500000\t0\t500\t1' \
	    $'c2s\t?\t0.500000\t100.500000\t7\t7\t1' \
	    $'s2c\twifi\t0.500000\t100.500000\t0\t0\t0' \
	    $'s2c\tcellular\t0.500000\t100.500000\t30\t30\t1' \
	    $'s2c\t?\t0.500000\t100.500000\t0\t0\t0')"
	# without mptcp_subflows.tsv (a TCP capture), conn 4's directions are its own
	rm "$T/t/mptcp_subflows.tsv"
	run -0 series -r trace -w 1 -d c2s "$T/t"
	assert_output "$(printf '%s\n' $'dir\tiface\tt_s\tts\tbytes\tcum_bytes\tconns' \
	    $'c2s\twifi\t0.000000\t100.000000\t1024\t1024\t1' $'c2s\tcellular\t0.000000\t100.000000\t30\t30\t1' \
	    $'c2s\t?\t0.000000\t100.000000\t7\t7\t1')"
	# -t: conn 3's goodput from its first_ts, 0.1 s bins: 0 + 1000 in bin
	# 0, 24 in bin 1 (100.199999); conn 4's from 100.1
	run -0 series -t -w 0.1 -c 3 "$T/t"
	assert_output "$(printf '%s\n' $'conn\tdir\tiface\tt_s\tts\tbytes\tmbit_s' \
	    $'3\tc2s\twifi\t0.000000\t100.000000\t1000\t0.080000' $'3\tc2s\twifi\t0.100000\t100.100000\t24\t0.001920')"
	run -0 series -t -w 0.1 -c 4 -d s2c "$T/t"
	assert_output "$(printf '%s\n' $'conn\tdir\tiface\tt_s\tts\tbytes\tmbit_s' \
	    $'4\ts2c\tcellular\t0.000000\t100.100000\t500\t0.040000')"
}

@test "bad input of -t and -r trace: labels, connections, times, -c, missing tables" {
	hand_tcp
	run -2 series -r trace -c 3 "$T/t"
	assert_output "series: -r trace: the whole capture, no -c"
	run -1 series -t -c 5 "$T/t"
	assert_output "series: $T/t/tcp_conns.tsv: no TCP connection 5"
	printf '%s\n' $'conn\tts\tdir\tacked_bytes' $'8\t100.01\tc2s\t1' > "$T/a"
	run -1 series -r trace -A "$T/a" "$T/t"
	assert_output "series: $T/a:2: TCP connection 8 is not in tcp_conns.tsv"
	printf '%s\n' $'conn\tts\tdir\tacked_bytes' $'3\t102.000001\tc2s\t1' > "$T/a"
	run -1 series -r trace -A "$T/a" "$T/t"
	assert_output "series: $T/a:2: column 'ts': outside the capture's connections, first_ts..last_ts (tcp_conns.tsv)"
	printf '%s\n' $'conn\tts\tdir\tacked_bytes' $'3\t101.000001\tc2s\t1' > "$T/a"
	run -1 series -t -A "$T/a" "$T/t"
	assert_output "series: $T/a:2: column 'ts': outside TCP connection 3's first_ts..last_ts (tcp_conns.tsv)"
	printf '%s\n' $'conn\tfirst_ts\tlast_ts\tiface' $'3\t100.0\t101.0\tlte' > "$T/c"
	run -1 series -r trace -T "$T/c" "$T/t"
	assert_output "series: $T/c:2: column 'iface': expected wifi, cellular or ?, got 'lte'"
	cut -f1-3 "$T/t/tcp_conns.tsv" > "$T/c"
	run -1 series -t -T "$T/c" "$T/t"
	assert_output "series: $T/c:1: no column 'iface' (made by ifmatch)"
	run -1 series -t -r rtt "$T/t"
	assert_output --partial "$T/t/tcp_rtt.tsv (tcp_rtt.tsv, made by tcp-metrics -e rtt): No such file"
	run -1 series -r trace "$T/nowhere"
	assert_output --partial "$T/nowhere/tcp_conns.tsv (tcp_conns.tsv, made by tcp-metrics and ifmatch): No such file"
	# 2 s in 1 us bins: above the 1,000,000 of series(1)
	run -1 series -r trace -w 0.000001 "$T/t"
	assert_output "series: $T/t/tcp_conns.tsv: the capture lasts 2.000000 s: more than 1000000 bins of 1e-06 s (a wider -w)"
	run -1 series -t -w 0.000001 "$T/t"
	assert_output "series: $T/t/tcp_conns.tsv:2: TCP connection 4 lasts 1.900000 s: more than 1000000 bins of 1e-06 s (a wider -w, or -c another connection)"
}
