#!/usr/bin/env bats
bats_require_minimum_version 1.5.0
# mptcp-derive: every record against test/ref/derive-ref.py (an
# independent reading of mptcp-derive(1) in Python, csv module) on the
# tables of fixture captures, and against numbers derived by hand for a
# crafted capture's tables that reach what the fixtures do not (the RTT
# spread, the switching rate, a subflow the server opened); bad input.

setup() {
	load common
	T=$BATS_TEST_TMPDIR
	REF=$TOP/test/ref/derive-ref.py
}

RECORDS="conn mptcp subflow burst share default share_dir sfrtt rtt overhead size burstsize unused"
# and socks, of socks-dest's table (-k), ack and when, of the event
# tables (-A, -D, -X, -J): their own tests
ALL_RECORDS="$RECORDS socks ack when"

# tables CAPTURE DIR: the tables analyze publishes (mptcp-tables -J, the
# subflows and the TCP connections labelled by ifmatch)
tables() {
	mptcp-tables -M -J -o "$2" "$1"
	ifmatch "$2/mptcp_subflows.tsv" > "$2/sf.tsv"
	ifmatch "$2/tcp_conns.tsv" > "$2/tc.tsv"
}

@test "every record of fixture captures' tables as derive-ref.py computes it, both RTT and byte directions" {
	local c d r x n=0
	for c in mptcp-both mptcp-handover mptcp-loss mptcp-addaddr mptcp-short; do
		d=$T/$c
		tables "$FIX/gen/$c.pcap" "$d"
		for r in $RECORDS; do
			for x in "-d s2c" "-d c2s -b c2s" "-b s2c"; do
				# shellcheck disable=SC2086
				mptcp-derive -r $r $x -t "$d/tc.tsv" -s "$d/sf.tsv" -m "$d/mptcp_conns.tsv" \
				    -e "$d/mptcp_bursts.tsv" > "$T/got"
				# shellcheck disable=SC2086
				"$PY" "$REF" $r $x -t "$d/tc.tsv" -s "$d/sf.tsv" -m "$d/mptcp_conns.tsv" \
				    -e "$d/mptcp_bursts.tsv" > "$T/want"
				diff "$T/want" "$T/got" || fail "$c: -r $r $x differs from derive-ref.py (<)"
				[ "$(wc -l < "$T/got")" -ge 2 ] || [ "$r" = default ] || fail "$c: -r $r: no rows"
				n=$((n + 1))
			done
		done
	done
	assert_equal "$n" 195
	# and the burst record without -e: its sums of the events '-'
	mptcp-derive -r burst -m "$d/mptcp_conns.tsv" -s "$d/sf.tsv" > "$T/got"
	diff <("$PY" "$REF" burst -m "$d/mptcp_conns.tsv" -s "$d/sf.tsv") "$T/got" || fail "burst without -e"
	assert_equal "$(pick burst_bytes,burst_pkts_mean < "$T/got" | sort -u)" "- -"
}

# A crafted capture's tables: three TCP connections, MPTCP connection 1
# with three subflows (the second opened by the server, the third failed),
# connection 2 without subflows, connection 3 of subflows only.
crafted() {
	printf '%s\n' \
	    $'conn\tduration_s\tc2s_unique_bytes\ts2c_unique_bytes\tc2s_data_bytes\ts2c_data_bytes\tiface\tc2s_rexmit_pkts\ts2c_rexmit_pkts\tc2s_rtt_n\tc2s_rtt_avg_ms\ts2c_rtt_n\ts2c_rtt_avg_ms' \
	    $'1\t2.5\t1000\t3000\t1100\t3000\twifi\t2\t1\t5\t10.0\t4\t40.25' \
	    $'2\t1.0\t500\t500\t600\t900\tcellular\t4\t8\t3\t12.5\t2\t99.0' \
	    $'3\t-\t-\t-\t-\t-\t?\t-\t16\t3\t20.0\t3\t7.125' > "$T/t.tsv"
	printf '%s\n' \
	    $'mpconn\tsubflow\tconn\trole\tiface\tiface_rule\tstatus\tjoin_delay_s\thandover\tc2s_data_pkts\ts2c_data_pkts\tc2s_data_bytes\ts2c_data_bytes\tclose\tbackup_initial\tbackup\tstart_ts' \
	    $'1\t0\t1\tclient\twifi\tdefault\testablished\t0.000000\t0\t2\t3\t1000\t3000\tfin\t0\t0\t1700000000.000000' \
	    $'1\t1\t2\tserver\tcellular\ttable\testablished\t0.200000\t1\t1\t1\t500\t500\ttcprst_5\t1\t0\t1700000000.200000' \
	    $'1\t2\t3\tclient\t?\ttable\tfailed_rst\t0.300000\t0\t-\t-\t-\t-\trst\t0\t0\t1700000001.300000' \
	    $'3\t0\t9\tclient\twifi\ttable\testablished\t0.000000\t-\t0\t0\t0\t0\t-\t0\t1\t1700000000.000000' > "$T/s.tsv"
	printf '%s\n' \
	    $'mpconn\tstatus\tduration_s\tsubflows\tsubflows_data\tc2s_unique_bytes\ts2c_unique_bytes\tc2s_data_bytes\ts2c_data_bytes\tc2s_tcp_rexmit_bytes\ts2c_tcp_rexmit_bytes\tc2s_reinj_bytes\ts2c_reinj_bytes\tc2s_bursts\ts2c_bursts\tc2s_switches\ts2c_switches\tc2s_rtt_n\tc2s_rtt_avg_ms\ts2c_rtt_n\ts2c_rtt_avg_ms' \
	    $'1\tok\t2.5\t3\t2\t2000000\t3000\t4500\t3500\t100\t20\t40\t0\t7\t2\t50\t-\t4\t30.5\t2\t9.0' \
	    $'2\treset\t-\t0\t1\t-\t-\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t-\t-\t0\t-' > "$T/m.tsv"
	# burst events: connection 1 c2s on Wi-Fi then cellular, s2c on
	# Wi-Fi, the last burst beginning at 1.000; connection 9 not in -m
	printf '%s\n' \
	    $'mpconn\tdir\tburst\tsubflow\tstart_ts\tend_ts\tduration_s\tmappings\tpkts\tbytes' \
	    $'1\tc2s\t1\t0\t1700000000.100000\t1700000000.150000\t0.050000\t3\t700\t1000000' \
	    $'1\tc2s\t2\t1\t1700000000.300000\t1700000000.400000\t0.100000\t2\t690\t999999' \
	    $'1\ts2c\t1\t0\t1700000001.000000\t1700000001.000000\t0.000000\t1\t3\t3000' \
	    $'9\ts2c\t1\t0\t1700000000.000000\t1700000000.000000\t0.000000\t1\t1\t10' > "$T/b.tsv"
}

derive() {
	mptcp-derive "$@" -t "$T/t.tsv" -s "$T/s.tsv" -m "$T/m.tsv" | tail -n +2
}

@test "crafted tables: RTT spread, shares, overheads, switching rate, derived by hand" {
	crafted
	# -d s2c: subflow 0 (client) s2c 4 samples 40.25; subflow 1 (server)
	# c2s 3 samples 12.5; subflow 2 (client) s2c 3 samples 7.125:
	# best 7.125, worst 40.250, spread 33.125. Data of the subflows 4000 +
	# 1000 + 0 = 5000: initial 4000 (0.8), Wi-Fi 4000, cellular 1000.
	# data_bytes 8000, rexmit 120 (0.015), 2 subflows with data: reinj 40
	# (0.005). Connection 2: no subflows, no data: shares and fractions '-'.
	run derive -r mptcp
	assert_success
	assert_output "$(printf '%s\n' \
	    $'1\tok\t2.5\t2003000\t8000\t3\t2\t2\t2\t1\t120\t0.015000\t8000\t40\t0.005000\t4000\t0.800000\t4000\t1000\t0\t0.800000\t0.200000\t7.125\t40.250\t33.125\t1' \
	    $'2\treset\t-\t0\t0\t0\t1\t0\t0\t0\t0\t-\t-\t-\t-\t0\t-\t0\t0\t0\t-\t-\t-\t-\t-\t0')"
	# -d c2s: subflow 0 c2s 10.0 (5 samples); subflow 1 s2c has 2 samples
	# only; subflow 2 c2s 20.0: best 10.000, worst 20.000
	run derive -r mptcp -d c2s
	assert_success
	assert_equal "$(head -1 <<< "$output" | cut -f23-25)" $'10.000\t20.000\t10.000'
	# join_200ms, join_1s: the joins' delays 0.2 (at the bound: 1, 1) and
	# 0.3 (0, 1); initial subflows -
	run derive -r subflow
	assert_success
	assert_output "$(printf '%s\n' \
	    $'1\t0\t1\tclient\twifi\testablished\t0.000000\t0\t1000\t3000\t4\t40.25\t-\t-' \
	    $'1\t1\t2\tserver\tcellular\testablished\t0.200000\t1\t500\t500\t3\t12.5\t1\t1' \
	    $'1\t2\t3\tclient\t?\tfailed_rst\t0.300000\t0\t-\t-\t3\t7.125\t0\t1' \
	    $'3\t0\t9\tclient\twifi\testablished\t0.000000\t-\t0\t0\t-\t-\t-\t-')"
	# c2s: 2000000 bytes over 2.5 s, 2 established subflows: 50 / 2.5 = 20 Hz,
	# 50 / 2 MB = 25 per MB, class 1MB-10MB; s2c: 3000 bytes, under 1 MB;
	# connection 2: no duration, no bytes (a rate per MB neither). Without
	# -e no sums of bursts; with it, c2s: 1000000 + 999999 bytes, 700 + 690
	# packets in 2 bursts, s2c: one of 3000 bytes, 3 packets; connection 2
	# has none (0, no mean)
	run derive -r burst
	assert_success
	assert_output "$(printf '%s\n' \
	    $'1\tc2s\t2000000\t2.5\t7\t50\t20.000000\t25.000000\t1MB-10MB\t-\t-\t-\t-' \
	    $'1\ts2c\t3000\t2.5\t2\t-\t-\t-\t<10kB\t-\t-\t-\t-' \
	    $'2\tc2s\t0\t-\t0\t0\t-\t-\t<10kB\t-\t-\t-\t-' $'2\ts2c\t0\t-\t0\t0\t-\t-\t<10kB\t-\t-\t-\t-')"
	run derive -r burst -e "$T/b.tsv"
	assert_success
	assert_output "$(printf '%s\n' \
	    $'1\tc2s\t2000000\t2.5\t7\t50\t20.000000\t25.000000\t1MB-10MB\t1999999\t1390\t999999.500\t695.000' \
	    $'1\ts2c\t3000\t2.5\t2\t-\t-\t-\t<10kB\t3000\t3\t3000.000\t3.000' \
	    $'2\tc2s\t0\t-\t0\t0\t-\t-\t<10kB\t0\t0\t-\t-' $'2\ts2c\t0\t-\t0\t0\t-\t-\t<10kB\t0\t0\t-\t-')"
	# burstsize: the events with their direction's class, the first of
	# each direction flagged; 9 not in -m
	run derive -r burstsize -e "$T/b.tsv"
	assert_success
	assert_output "$(printf '%s\n' \
	    $'1\tc2s\t1\t1\t0\t1MB-10MB\t0.050000\t3\t700\t1000000' $'1\tc2s\t2\t0\t1\t1MB-10MB\t0.100000\t2\t690\t999999' \
	    $'1\ts2c\t1\t1\t0\t<10kB\t0.000000\t1\t3\t3000' $'9\ts2c\t1\t1\t0\t-\t0.000000\t1\t1\t10')"
	# unused, -d s2c: connection 1's three subflows; subflow 2 carried no
	# data; 1 (tcprst_5) and 2 (rst) reset; 1 backup from its MP_JOIN;
	# subflow 2 opened at 1.300, after the last burst began (1.000); RTT
	# means 40.25, 12.5 (subflow 1, opened by the server: TCP c2s), 7.125:
	# the best, subflow 2, carried nothing, the least. -d c2s: 10.0
	# (subflow 0, 4000 bytes) and 20.0 (subflow 2, none): the best carried
	# more. Connection 2: no subflows, no burst; 3 is not in -m
	run derive -r unused -e "$T/b.tsv"
	assert_success
	assert_output "$(printf '%s\n' $'1\t3\t1\t2\t1\t1\t3\t1\t1' $'2\t0\t0\t0\t0\t-\t0\t-\t-')"
	run derive -r unused -d c2s -e "$T/b.tsv"
	assert_success
	assert_line -n 0 $'1\t3\t1\t2\t1\t1\t2\t0\t0'
	# connection 3's backup comes from MP_PRIO (backup 1)
	run mptcp-derive -r unused -s "$T/s.tsv" -m <(printf 'mpconn\tstatus\tduration_s\tsubflows\tsubflows_data\tc2s_unique_bytes\ts2c_unique_bytes\tc2s_data_bytes\ts2c_data_bytes\tc2s_tcp_rexmit_bytes\ts2c_tcp_rexmit_bytes\tc2s_reinj_bytes\ts2c_reinj_bytes\tc2s_bursts\ts2c_bursts\tc2s_switches\ts2c_switches\n3\tok\t1.0\t1\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\n')
	assert_success
	assert_line -n 1 $'3\t1\t1\t0\t1\t-\t0\t-\t-'
	# subflow 0 has data and the default rule
	run derive -r default
	assert_success
	assert_output "1"
	# shares in order of appearance; c2s: 1000 Wi-Fi, 500 cellular: 2/3, 1/3;
	# connection 3 carried nothing: 0 shares
	run derive -r share -b c2s
	assert_success
	assert_output "$(printf '%s\n' $'1\t1000\t500\t0\t1500\t0.666667\t0.333333\t0.000000' $'3\t0\t0\t0\t0\t0\t0\t0')"
	run derive -r share
	assert_success
	assert_equal "$(head -1 <<< "$output")" $'1\t4000\t1000\t0\t5000\t0.800000\t0.200000\t0.000000'
	# share_dir, c2s: packets Wi-Fi 2, cellular 1 (2/3, 1/3), bytes 1000 and
	# 500; retransmitted packets: Wi-Fi conn 1 c2s 2, cellular conn 2
	# (opened by the server: TCP s2c) 8, other conn 3 c2s '-' 0. s2c:
	# packets 3 and 1 (0.75, 0.25), bytes 3000 and 500 (6/7, 1/7),
	# retransmitted 1, 4 (conn 2 c2s), 16. Connection 2: no data, flags '-'
	run derive -r share_dir
	assert_success
	assert_output "$(printf '%s\n' \
	    $'1\tc2s\t3\t1500\t2\t1\t0\t1000\t500\t0\t0.666667\t0.333333\t0.666667\t0.333333\t0\t0\t2\t8\t0' \
	    $'1\ts2c\t4\t3500\t3\t1\t0\t3000\t500\t0\t0.857143\t0.142857\t0.750000\t0.250000\t0\t0\t1\t4\t16' \
	    $'2\tc2s\t0\t0\t0\t0\t0\t0\t0\t0\t-\t-\t-\t-\t-\t-\t0\t0\t0' \
	    $'2\ts2c\t0\t0\t0\t0\t0\t0\t0\t0\t-\t-\t-\t-\t-\t-\t0\t0\t0')"
	# sfrtt: both MPTCP directions of every subflow; subflow 1 (opened by
	# the server) c2s is TCP s2c, 2 samples only; subflow 2's '?' is other;
	# connection 3's conn 9 is not in -t
	run derive -r sfrtt
	assert_success
	assert_output "$(printf '%s\n' \
	    $'1\t0\t1\twifi\tc2s\t5\t10.0\t10.0' $'1\t0\t1\twifi\ts2c\t4\t40.25\t40.25' \
	    $'1\t1\t2\tcellular\tc2s\t2\t99.0\t-' $'1\t1\t2\tcellular\ts2c\t3\t12.5\t12.5' \
	    $'1\t2\t3\tother\tc2s\t3\t20.0\t20.0' $'1\t2\t3\tother\ts2c\t3\t7.125\t7.125' \
	    $'3\t0\t9\twifi\tc2s\t-\t-\t-' $'3\t0\t9\twifi\ts2c\t-\t-\t-')"
	# rtt, c2s: MPTCP RTT 4 samples 30.5; subflows Wi-Fi 10.0 and other
	# 20.0: best Wi-Fi. s2c: MPTCP 2 samples ('-'); Wi-Fi 40.25, cellular
	# 12.5, other 7.125: best other (neither flag). Connection 2: nothing
	run derive -r rtt
	assert_success
	assert_output "$(printf '%s\n' \
	    $'1\tc2s\t4\t30.5\t30.5\t2\t10.000\t-\t10.000\twifi\t1\t1\t0' \
	    $'1\ts2c\t2\t9.0\t-\t3\t40.250\t12.500\t7.125\tother\t1\t0\t0' \
	    $'2\tc2s\t-\t-\t-\t0\t-\t-\t-\t-\t0\t-\t-' $'2\ts2c\t0\t-\t-\t0\t-\t-\t-\t-\t0\t-\t-')"
	# conn: the TCP connections of -t, then the MPTCP ones of -m
	run derive -r conn
	assert_success
	assert_output "$(printf '%s\n' $'tcp\t1\t2.5\t1000\t3000\t4000' $'tcp\t2\t1.0\t500\t500\t1000' \
	    $'tcp\t3\t-\t0\t0\t0' $'mptcp\t1\t2.5\t2000000\t3000\t2003000' $'mptcp\t2\t-\t0\t0\t0')"
}

@test "overhead thresholds at and around 20% and 50%, single- and multi-flow, by hand" {
	# 1: 200 of 1000 retransmitted (20%, exactly), 499 reinjected (under
	# 50%), 2 subflows with data; 2: 500 of 1000 (50%) on one subflow,
	# nothing reinjected; 3: 1 of 10^18 (above 0, far under 20%); 4: no data
	printf '%s\n' \
	    $'mpconn\tstatus\tduration_s\tsubflows\tsubflows_data\tc2s_unique_bytes\ts2c_unique_bytes\tc2s_data_bytes\ts2c_data_bytes\tc2s_tcp_rexmit_bytes\ts2c_tcp_rexmit_bytes\tc2s_reinj_bytes\ts2c_reinj_bytes\tc2s_bursts\ts2c_bursts\tc2s_switches\ts2c_switches' \
	    $'1\tok\t1.0\t2\t2\t0\t0\t600\t400\t150\t50\t499\t0\t0\t0\t0\t0' \
	    $'2\tok\t1.0\t1\t1\t0\t0\t1000\t-\t-\t500\t0\t0\t0\t0\t0\t0' \
	    $'3\tok\t1.0\t3\t2\t0\t0\t1000000000000000000\t0\t1\t0\t0\t0\t0\t0\t0\t0' \
	    $'4\tok\t-\t1\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0' > "$T/o.tsv"
	run mptcp-derive -r overhead -m "$T/o.tsv"
	assert_success
	assert_output "$(printf '%s\n' \
	    $'mpconn\tflows\tdata_bytes\trexmit_bytes\treinj_bytes\trexmit_frac\treinj_frac\trexmit_gt0\trexmit_ge20\trexmit_ge50\treinj_gt0\treinj_ge20\treinj_ge50' \
	    $'1\tmulti\t1000\t200\t499\t0.200000\t0.499000\t1\t1\t0\t1\t1\t0' \
	    $'2\tsingle\t1000\t500\t0\t0.500000\t0.000000\t1\t1\t1\t0\t0\t0' \
	    $'3\tmulti\t1000000000000000000\t1\t0\t0.000000\t0.000000\t1\t0\t0\t0\t0\t0' \
	    $'4\tsingle\t0\t0\t0\t-\t-\t-\t-\t-\t-\t-\t-')"
	diff <("$PY" "$REF" overhead -m "$T/o.tsv") <(mptcp-derive -r overhead -m "$T/o.tsv") || fail "derive-ref.py differs"
}

@test "size: durations, bytes per interface, the mean RTT of both directions, by hand" {
	# TCP 1 (wifi): 1100 + 3000 data bytes, RTT 5 x 10.0 and 4 x 40.25 ms:
	# 211 / 9 = 23.444; TCP 2 (cellular): (3 x 12.5 + 2 x 99.0) / 5 = 47.1;
	# TCP 3 (another label, no bytes): (3 x 20.0 + 3 x 7.125) / 6 =
	# 13.5625, 13.562 to the even digit as printf; MPTCP 1: subflows 4000
	# bytes on wifi, 1000 on cellular (share 0.2), the third none;
	# DATA_ACK RTT (4 x 30.5 + 2 x 9.0) / 6 = 23.333; MPTCP 2: no
	# subflows, no RTT count (-) and none of 0 samples: no mean;
	# MPTCP 3 has subflows only: no row
	crafted
	run derive -r size
	assert_success
	assert_output "$(printf '%s\n' \
	    $'tcp\t1\t2.5\t4100\t4000\t4100\t0\t0\t0.000000\t9\t23.444' \
	    $'tcp\t2\t1.0\t1500\t1000\t0\t1500\t0\t1.000000\t5\t47.100' \
	    $'tcp\t3\t-\t0\t0\t0\t0\t0\t-\t6\t13.562' \
	    $'mptcp\t1\t2.5\t8000\t2003000\t4000\t1000\t0\t0.200000\t6\t23.333' \
	    $'mptcp\t2\t-\t0\t0\t0\t0\t0\t-\t0\t-')"
	# fewer than 3 samples: a count, no mean
	run mptcp-derive -r size -m <(sed '2s/\t4\t30\.5\t2\t9\.0$/\t1\t30.5\t1\t9.0/' "$T/m.tsv")
	assert_success
	assert_line -n 1 $'mptcp\t1\t2.5\t8000\t2003000\t0\t0\t0\t-\t2\t-'
	# the TCP rows need ifmatch's label
	cut -f1-6,8- "$T/t.tsv" > "$T/noif.tsv"
	run --separate-stderr mptcp-derive -r size -t "$T/noif.tsv"
	assert_failure 1
	assert_equal "$stderr" "mptcp-derive: $T/noif.tsv:1: no column 'iface' (made by ifmatch)"
}

@test "crafted tables: derive-ref.py agrees with the hand derivations" {
	crafted
	for r in $RECORDS; do
		for x in "-d s2c" "-d c2s" "-b c2s"; do
			# shellcheck disable=SC2086
			diff <("$PY" "$REF" $r $x -t "$T/t.tsv" -s "$T/s.tsv" -m "$T/m.tsv" -e "$T/b.tsv") \
			    <(mptcp-derive -r $r $x -t "$T/t.tsv" -s "$T/s.tsv" -m "$T/m.tsv" -e "$T/b.tsv") || fail "-r $r $x"
		done
	done
}

@test "no table, an empty table: a header and no rows" {
	for r in $ALL_RECORDS; do
		run --separate-stderr mptcp-derive -r "$r"
		assert_success
		assert_equal "$output" "$(mptcp-derive -r "$r" --schema | tail -n +2 | cut -f1 | paste -sd '\t')"
		run --separate-stderr mptcp-derive -r "$r" -t /dev/null -s /dev/null -m /dev/null -k /dev/null -e /dev/null
		assert_success
		assert_equal "${#lines[@]}" 1
	done
}

@test "bad input: a missing column names the file and its maker, a bad number the file, line and column; exit 1" {
	crafted
	cut -f1-4,6- "$T/s.tsv" > "$T/noif.tsv"
	run --separate-stderr mptcp-derive -r mptcp -s "$T/noif.tsv"
	assert_failure 1
	assert_equal "$stderr" "mptcp-derive: $T/noif.tsv:1: no column 'iface' (made by ifmatch)"
	run --separate-stderr mptcp-derive -r share -s "$T/noif.tsv"
	assert_failure 1
	cut -f1-6,8- "$T/s.tsv" > "$T/nost.tsv"
	run --separate-stderr mptcp-derive -r subflow -s "$T/nost.tsv"
	assert_failure 1
	assert_equal "$stderr" "mptcp-derive: $T/nost.tsv:1: no column 'status' (made by mptcp-join -s, joined by mptcp-tables -J)"
	# the share record reads no status
	run --separate-stderr mptcp-derive -r share -s "$T/nost.tsv"
	assert_success
	sed '3s/\t500\t500\t/\t5x0\t500\t/' "$T/s.tsv" > "$T/badn.tsv"
	run --separate-stderr mptcp-derive -r share -s "$T/badn.tsv"
	assert_failure 1
	assert_equal "$stderr" "mptcp-derive: $T/badn.tsv:3: column 'c2s_data_bytes': not a whole number: '5x0'"
	sed '2s/40\.25$/4o.25/' "$T/t.tsv" > "$T/badr.tsv"
	run --separate-stderr mptcp-derive -r mptcp -t "$T/badr.tsv" -s "$T/s.tsv"
	assert_failure 1
	assert_equal "$stderr" "mptcp-derive: $T/badr.tsv:2: column 's2c_rtt_avg_ms': not a number: '4o.25'"
	sed '3s/^2\treset\t-/2\treset\tnan/' "$T/m.tsv" > "$T/badd.tsv"
	run --separate-stderr mptcp-derive -r burst -m "$T/badd.tsv"
	assert_failure 1
	assert_equal "$stderr" "mptcp-derive: $T/badd.tsv:3: column 'duration_s': not a number: 'nan'"
	# strtod would read hex and blanks; a table never has them
	sed '2s/^1\tok\t2\.5/1\tok\t0x1p1/' "$T/m.tsv" > "$T/hex.tsv"
	run --separate-stderr mptcp-derive -r conn -m "$T/hex.tsv"
	assert_failure 1
	assert_equal "$stderr" "mptcp-derive: $T/hex.tsv:2: column 'duration_s': not a number: '0x1p1'"
	run --separate-stderr mptcp-derive -r conn -m "$T/nosuch.tsv"
	assert_failure 1
	[[ $stderr == "mptcp-derive: "*"nosuch.tsv"* ]] || fail "$stderr"
	# the burst events: a column missing, a bad direction, a bad count; the
	# unused record's close column
	cut -f1-8,10 "$T/b.tsv" > "$T/nopk.tsv"
	run --separate-stderr mptcp-derive -r burstsize -e "$T/nopk.tsv"
	assert_failure 1
	assert_equal "$stderr" "mptcp-derive: $T/nopk.tsv:1: no column 'pkts' (made by mptcp-metrics -e bursts)"
	sed '3s/\tc2s\t/\tup\t/' "$T/b.tsv" > "$T/badb.tsv"
	run --separate-stderr mptcp-derive -r burst -e "$T/badb.tsv" -m "$T/m.tsv"
	assert_failure 1
	assert_equal "$stderr" "mptcp-derive: $T/badb.tsv:3: column 'dir': not c2s or s2c: 'up'"
	sed '2s/\t700\t/\t7o0\t/' "$T/b.tsv" > "$T/badp.tsv"
	run --separate-stderr mptcp-derive -r burstsize -e "$T/badp.tsv"
	assert_failure 1
	assert_equal "$stderr" "mptcp-derive: $T/badp.tsv:2: column 'pkts': not a whole number: '7o0'"
	sed '3s/\ttcprst_5\t/\treset\t/' "$T/s.tsv" > "$T/badc.tsv"
	run --separate-stderr mptcp-derive -r unused -s "$T/badc.tsv"
	assert_failure 1
	assert_equal "$stderr" "mptcp-derive: $T/badc.tsv:3: column 'close': not fin, rst, tcprst_N, fastclose or -: 'reset'"
	run --separate-stderr mptcp-derive -r unused -s "$T/nost.tsv"
	assert_failure 1
	# a table cut inside a line (a killed stage) is an error
	{ head -n 2 "$T/s.tsv"; sed -n 3p "$T/s.tsv" | head -c 10; } > "$T/cut.tsv"
	run --separate-stderr mptcp-derive -r share -s "$T/cut.tsv"
	assert_failure 1
	assert_equal "$stderr" "mptcp-derive: $T/cut.tsv:3: input ends inside a record (no final newline): was the stage before killed?"
}

@test "usage errors: a record, the directions, no operands; exit 2" {
	run --separate-stderr mptcp-derive
	assert_failure 2
	[[ $stderr == "usage: mptcp-derive "* ]]
	run --separate-stderr mptcp-derive -r nosuch
	assert_failure 2
	assert_equal "$stderr" "mptcp-derive: -r: conn, mptcp, subflow, burst, share, default, share_dir, sfrtt, rtt, overhead, size, pm, pmevents, socks, ack, when, burstsize or unused, not 'nosuch'"
	run --separate-stderr mptcp-derive -r mptcp -d both
	assert_failure 2
	assert_equal "$stderr" "mptcp-derive: -d: c2s or s2c, not 'both'"
	run --separate-stderr mptcp-derive -r share -b up
	assert_failure 2
	assert_equal "$stderr" "mptcp-derive: -b: c2s, s2c or both, not 'up'"
	run --separate-stderr mptcp-derive -r share file
	assert_failure 2
}

@test "every record's columns are named in mptcp-derive(1)" {
	# the words of the man page's .Ss (records), .It and .Li lines
	local words r c missing=
	words=$(grep -E '^\.(Ss|It|Li)' "$TOP/man/mptcp-derive.1" | tr -c 'A-Za-z0-9_\n' '\n' | sort -u)
	for r in $ALL_RECORDS pm pmevents; do
		grep -qx -- "$r" <<< "$words" || missing="$missing record:$r"
		for c in $(mptcp-derive -r "$r" --schema | tail -n +2 | cut -f1); do
			grep -qx -- "$c" <<< "$words" || missing="$missing $r:$c"
		done
	done
	[ -z "$missing" ] || fail "not in mptcp-derive.1:$missing"
}

@test "socks: socks-dest's rows with their connection's packets and bytes, as derive-ref.py and tshark count them" {
	# the crafted SOCKS captures' tables (test/fixtures/socks, make-socks.py)
	local f d
	for f in socks socks-mptcp; do
		d=$T/$f
		mptcp-tables -a -o "$d" "$FIX/socks/$f.pcap"
		socks-dest -k 's3cret#1' "$FIX/socks/$f.pcap" > "$d/socks.tsv"
		mptcp-derive -r socks -t "$d/tcp_conns.tsv" -k "$d/socks.tsv" > "$T/got"
		"$PY" "$REF" socks -t "$d/tcp_conns.tsv" -k "$d/socks.tsv" > "$T/want"
		diff "$T/want" "$T/got" || fail "$f: differs from derive-ref.py (<)"
		[ "$(wc -l < "$T/got")" -ge 3 ]
	done
	# the packets of the request to 93.184.216.34:443 (client port 40001):
	# tshark's frames of that TCP connection, both directions
	local want got
	want=$(tshark -n -r "$FIX/socks/socks.pcap" -Y 'tcp.port == 40001' 2> /dev/null | wc -l)
	got=$(mptcp-derive -r socks -t "$T/socks/tcp_conns.tsv" -k "$T/socks/socks.tsv" | pick socks_addr,pkts |
		awk '$1 == "93.184.216.34" { print $2 }')
	assert_equal "$got" "$want"
	[ "$want" -gt 2 ]
}

# events DIR RECORD [tool|ref]: the ack or when record of the tables in DIR
events() {
	local d=$1 r=$2 x=()
	[ ! -f "$d/tcp_ack.tsv" ] || x+=(-A "$d/tcp_ack.tsv")
	[ ! -f "$d/mptcp_dack.tsv" ] || x+=(-D "$d/mptcp_dack.tsv")
	[ ! -f "$d/tcp_rexmit.tsv" ] || x+=(-X "$d/tcp_rexmit.tsv")
	[ ! -f "$d/mptcp_reinject.tsv" ] || x+=(-J "$d/mptcp_reinject.tsv")
	[ ! -f "$d/mptcp_subflows.tsv" ] || x+=(-s "$d/mptcp_subflows.tsv")
	[ ! -f "$d/mptcp_conns.tsv" ] || x+=(-m "$d/mptcp_conns.tsv")
	if [ "$3" = ref ]; then
		"$PY" "$REF" "$r" -t "$d/tcp_conns.tsv" "${x[@]}"
	else
		mptcp-derive -r "$r" -t "$d/tcp_conns.tsv" "${x[@]}"
	fi
}

@test "ack and when of every fixture capture's event tables as derive-ref.py computes them" {
	# Expected: test/ref/derive-ref.py (csv module, the definitions of
	# mptcp-derive(1) again) on mptcp-tables' event tables of the
	# generated, corpus and crafted captures; each level and kind must
	# occur somewhere, so that no part of either record goes unchecked
	local f d r seen=
	for f in "$FIX"/gen/*.pcap "$FIX"/corpus/*mptcp*.pcap "$FIX"/corpus/pymptcpanalyzer-*.pcap \
	    "$FIX"/corpus/ptcpdump-tcp.pcapng "$FIX"/corpus/bro-fin_retransmission.pcap; do
		d=$T/$(basename "$f")
		mkdir -p "$d"
		mptcp-tables -M -o "$d" "$f" 2> /dev/null || [ $? -eq 3 ]
		for r in ack when; do
			events "$d" $r tool > "$T/got"
			events "$d" $r ref > "$T/want"
			diff "$T/want" "$T/got" || fail "$(basename "$f"): -r $r differs from derive-ref.py (<)"
			seen="$seen $(tail -n +2 "$T/got" | cut -f1,3 | sort -u | tr '\t\n' ':,')"
		done
	done
	for x in subflow: data_ack: tcp: mptcp:rexmit mptcp:reinject tcp:rexmit; do
		[[ $seen == *"$x"* ]] || fail "no $x rows in any fixture"
	done
}

# Crafted event tables, each number derived by hand below.
crafted_events() {
	printf '%s\n' $'mpconn\tsubflow\tconn\trole' $'1\t0\t1\tclient' $'1\t1\t2\tserver' $'1\t2\t-\tclient' > "$T/es.tsv"
	printf '%s\n' $'conn\tts\tdir\tacked_bytes' $'1\t10.5\tc2s\t100' $'2\t10.6\tc2s\t50' \
	    $'3\t20.6\ts2c\t7' $'1\t10.7\ts2c\t0' > "$T/ea.tsv"
	printf '%s\n' $'mpconn\tts\tdir\tsubflow\tdack\tbytes' $'1\t10.4\tc2s\t0\t1\t-' \
	    $'1\t10.8\tc2s\t1\t1001\t1000' > "$T/ed.tsv"
	printf '%s\n' $'conn\tfirst_ts\tduration_s' $'1\t10.000000\t5.000000' $'3\t20.500000\t0.000000' > "$T/et.tsv"
	printf '%s\n' $'mpconn\tstart_ts\tduration_s' $'1\t10.000000\t4.000000' > "$T/em.tsv"
	printf '%s\n' $'conn\tts\tdir\tclass\tbytes' $'2\t11.000000\tc2s\trto\t1428' \
	    $'1\t12.000000\tc2s\treorder\t0' $'3\t20.500000\ts2c\tfr\t10' $'4\t1.500000\tc2s\trto\t5' > "$T/ex.tsv"
	printf '%s\n' $'ts\tmpconn\tdir\tlen\tcause' $'13.000000\t1\tc2s\t100\tloss' \
	    $'2.000000\t9\ts2c\t5\tnone' > "$T/ej.tsv"
}

@test "crafted event tables: ack and when derived by hand" {
	crafted_events
	# subflow 1 (conn 2) was opened by the server: its c2s ACK
	# acknowledges the MPTCP connection's s2c data; conn 3 is no subflow;
	# an ACK of 0 bytes and the first DATA_ACK ('-') give no row
	run --separate-stderr mptcp-derive -r ack -s "$T/es.tsv" -A "$T/ea.tsv" -D "$T/ed.tsv"
	assert_success
	assert_equal "$output" "$(printf '%s\n' $'level\tid\tdir\tbytes' $'subflow\t1\tc2s\t100' \
	    $'subflow\t1\ts2c\t50' $'tcp\t3\ts2c\t7' $'data_ack\t1\tc2s\t1000')"
	# conn 2's retransmission at 11 s, in MPTCP connection 1 (10 s, 4 s
	# long), s2c: 1 s after its start, 1/4 of its life; conn 1's reorder
	# (no bytes sent before) is none; conn 3 lasted 0 s: no fraction;
	# conn 4 and MPTCP connection 9 are in no table: no place
	run --separate-stderr mptcp-derive -r when -s "$T/es.tsv" -t "$T/et.tsv" -m "$T/em.tsv" -X "$T/ex.tsv" -J "$T/ej.tsv"
	assert_success
	assert_equal "$output" "$(printf '%s\n' $'level\tid\tkind\tclass\tdir\tts\tbytes\tat_s\tat_frac' \
	    $'mptcp\t1\trexmit\trto\ts2c\t11.000000\t1428\t1.000000\t0.250000' \
	    $'tcp\t3\trexmit\tfr\ts2c\t20.500000\t10\t0.000000\t-' \
	    $'tcp\t4\trexmit\trto\tc2s\t1.500000\t5\t-\t-' \
	    $'mptcp\t1\treinject\tloss\tc2s\t13.000000\t100\t3.000000\t0.750000' \
	    $'mptcp\t9\treinject\tnone\ts2c\t2.000000\t5\t-\t-')"
	# and derive-ref.py agrees
	diff <("$PY" "$REF" when -s "$T/es.tsv" -t "$T/et.tsv" -m "$T/em.tsv" -X "$T/ex.tsv" -J "$T/ej.tsv") \
	    <(mptcp-derive -r when -s "$T/es.tsv" -t "$T/et.tsv" -m "$T/em.tsv" -X "$T/ex.tsv" -J "$T/ej.tsv")
	diff <("$PY" "$REF" ack -s "$T/es.tsv" -A "$T/ea.tsv" -D "$T/ed.tsv") \
	    <(mptcp-derive -r ack -s "$T/es.tsv" -A "$T/ea.tsv" -D "$T/ed.tsv")
}

@test "crafted event tables: a bad direction or byte count names the file, line and column" {
	crafted_events
	sed '3s/\tc2s\t/\tup\t/' "$T/ea.tsv" > "$T/bad.tsv"
	run --separate-stderr mptcp-derive -r ack -A "$T/bad.tsv"
	assert_failure 1
	assert_equal "$stderr" "mptcp-derive: $T/bad.tsv:3: column 'dir': not c2s or s2c: 'up'"
	sed '2s/\t100\tloss/\t1x0\tloss/' "$T/ej.tsv" > "$T/bad.tsv"
	run --separate-stderr mptcp-derive -r when -J "$T/bad.tsv"
	assert_failure 1
	assert_equal "$stderr" "mptcp-derive: $T/bad.tsv:2: column 'len': not a whole number: '1x0'"
	cut -f1,2,4 "$T/ex.tsv" > "$T/bad.tsv"
	run --separate-stderr mptcp-derive -r when -X "$T/bad.tsv"
	assert_failure 1
	assert_equal "$stderr" "mptcp-derive: $T/bad.tsv:1: no column 'dir' (made by tcp-metrics -e rexmit)"
}
