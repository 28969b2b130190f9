#!/usr/bin/env bats
bats_require_minimum_version 1.5.0
# mptcp-derive's path-manager timeline (-r pm, -r pmevents; issue 13).
# Expected values come from: test/ref/derive-ref.py (the definitions of
# mptcp-derive(1) again, in Python, by brute force) on the tables of
# every fixture capture; tshark's dissection of the captures
# (test/ref/pm-tshark.py: ADD_ADDR and MP_JOIN SYN times, subflows'
# data and ACK times); the kernels' counters and settings in the
# generator's logs (test/fixtures/gen/pair/*.log.tsv); and tables
# crafted here with hand-derived timelines.

setup_file() {
	load common
	# every fixture capture with MPTCP, once
	local f d
	for f in "$FIX"/gen/*.pcap "$FIX"/gen/pair/*.pcap "$FIX"/corpus/*mptcp*.pcap \
	    "$FIX"/corpus/pymptcpanalyzer-*.pcap "$FIX"/craft/mp-*.pcap; do
		d=$BATS_FILE_TMPDIR/${f#"$FIX"/}
		[ -d "$d" ] && continue
		mkdir -p "$d"
		mptcp-tables -M -J -o "$d" "$f" 2> /dev/null || [ $? -eq 3 ]
	done
}

setup() {
	load common
	T=$BATS_TEST_TMPDIR
	REF=$TOP/test/ref/derive-ref.py
	PMT=$TOP/test/ref/pm-tshark.py
	export -f pick
}

# derive RECORD DIR: the record of the tables in DIR
derive() {
	mptcp-derive -r "$1" -s "$2/mptcp_subflows.tsv" -a "$2/mptcp_addr.tsv" -m "$2/mptcp_conns.tsv"
}

# tables CAPTURE (relative to test/fixtures): its tables' folder
tables() {
	echo "$BATS_FILE_TMPDIR/$1"
}

@test "pm and pmevents of every fixture capture's tables as derive-ref.py computes them" {
	local d r n=0
	: > "$T/all"
	# the tables with an MPTCP connection
	for d in $(find "$BATS_FILE_TMPDIR" -name mptcp_conns.tsv -exec awk 'NR == 2 { print FILENAME; exit }' {} \; |
	    sed 's,/[^/]*$,,' | sort); do
		for r in pm pmevents; do
			derive $r "$d" > "$T/got"
			"$PY" "$REF" $r -s "$d/mptcp_subflows.tsv" -a "$d/mptcp_addr.tsv" -m "$d/mptcp_conns.tsv" > "$T/want"
			diff "$T/want" "$T/got" || fail "${d#"$BATS_FILE_TMPDIR"/}: -r $r differs from derive-ref.py (<)"
			[ "$(wc -l < "$T/got")" -ge 2 ] || fail "${d#"$BATS_FILE_TMPDIR"/}: -r $r: no rows"
			[ $r = pm ] && tail -n +2 "$T/got" >> "$T/all"
			n=$((n + 1))
		done
	done
	[ "$n" -ge 90 ] || fail "only $n records compared"
	# the comparison reached every kind of value: announcements answered,
	# refusals of each kind with a reason, REMOVE_ADDR, handovers
	# (columns of the pm record: 3 joins_refused, 4 joins_tcprst, 5
	# joins_rst, 6 joins_no_synack, 10 add_addr, 11 add_addr_joined, 15
	# rm_addr, 23 handovers, 24 handovers_mbb)
	local c
	for c in 3 4 5 6 10 11 15 23 24; do
		[ "$(awk -F'\t' -v c=$c '{ s += $c } END { print s + 0 }' "$T/all")" -gt 0 ] ||
		    fail "no fixture has a non-zero column $c of the pm record"
	done
}

@test "ADD_ADDR to join latency: tshark's ADD_ADDR and MP_JOIN SYN times" {
	# Expected: pm-tshark.py addaddr, the announcements and their first
	# join SYN as tshark dissects the capture; got: the add_addr rows of
	# pmevents (ts, addr, port, duration_s).
	local c n=0
	for c in gen/mptcp-addaddr gen/pair/mptcp-four corpus/tcpdump-mptcp-v0 corpus/tcpdump-mptcp-aa-v1 \
	    corpus/tcpdump-mptcp-aa-echo corpus/pymptcpanalyzer-client_2 corpus/pymptcpanalyzer-server_2 \
	    corpus/pymptcpanalyzer-iperf-mptcp-0-0; do
		"$PY" "$PMT" addaddr "$FIX/$c.pcap" > "$T/want"
		derive pmevents "$(tables "$c.pcap")" | awk -F'\t' '$3 == "add_addr" { print $2, $7, $8, $11 }' > "$T/got"
		[ -s "$T/want" ] || fail "$c: tshark finds no ADD_ADDR"
		diff "$T/want" "$T/got" || fail "$c: announcements differ from tshark's (<)"
		n=$((n + $(awk '$4 != "-"' "$T/want" | wc -l)))
	done
	[ "$n" -ge 10 ] || fail "only $n answered announcements"
	# mptcp-addaddr: the server announces 10.0.2.1 (the scenario,
	# test/gen/make-fixtures), the phone joins it 264 us later (tshark)
	run bash -c "mptcp-derive -r pm -s '$(tables gen/mptcp-addaddr.pcap)/mptcp_subflows.tsv' \
	    -a '$(tables gen/mptcp-addaddr.pcap)/mptcp_addr.tsv' -m '$(tables gen/mptcp-addaddr.pcap)/mptcp_conns.tsv' |
	    pick add_addr,add_addr_joined,join_latency_min_s,join_latency_median_s,join_latency_max_s"
	assert_output "1 1 0.000264 0.000264 0.000264"
}

# mib LOG SIDE NAME: the kernel counter NAME of SIDE (phone, server) in
# the generator's log
mib() {
	awk -F'\t' -v s="$2" '$3 == "mib" && $5 == s { print $6 }' "$1" | tr ' ' '\n' | sed -n "s/^$3=//p"
}

@test "refused joins and why: mptcp-many against its kernels' counters and settings" {
	# The scenario (its log): the server's nft rejects 20% of the MP_JOIN
	# SYNs with a RST (its counter: how many), and the server allows 1
	# join per connection ("mptcp-limits ... subflows 1"): it refuses
	# the others after the handshake with MP_TCPRST reason 3
	# (MPJoinRejected counts them).
	local log=$FIX/gen/pair/mptcp-many.log.tsv ds dp nft
	ds=$(tables gen/pair/mptcp-many.server.pcap)
	dp=$(tables gen/pair/mptcp-many.pcap)
	nft=$(awk -F'\t' '$3 == "nft-counters" && $5 == "server"' "$log" | sed -n 's/.*counter packets \([0-9]*\) .*/\1/p')
	[ -n "$nft" ] && [ "$nft" -gt 0 ]
	derive pm "$ds" > "$T/pm.s"
	derive pm "$dp" > "$T/pm.p"
	sum() { pick "$1" < "$2" | awk '{ s += $1 } END { print s + 0 }'; }
	# the phone sent MPJoinSynTx join SYNs, its capture has them all
	assert_equal "$(sum joins "$T/pm.p")" "$(mib "$log" phone MPTcpExtMPJoinSynTx)"
	# at the server: those its MPTCP stack saw, and those nft rejected
	# before it (the capture sees a SYN before netfilter)
	assert_equal "$(sum joins "$T/pm.s")" "$(($(mib "$log" server MPTcpExtMPJoinSynRx) + nft))"
	# the refusals with MP_TCPRST: reason 3, as many as MPJoinRejected
	assert_equal "$(sum joins_tcprst "$T/pm.s")" "$(mib "$log" server MPTcpExtMPJoinRejected)"
	[ -z "$(pick tcprst_reasons < "$T/pm.s" | grep -v '^-$' | grep -v '^3:[0-9]*$')" ] ||
	    fail "a reason other than 3"
	[ "$(derive pmevents "$ds" | awk -F'\t' '$3 == "end" && $6 == "tcprst_3" && $10 == "prohibited"' | wc -l)" \
	    -eq "$(mib "$log" server MPTcpExtMPJoinRejected)" ]
	# nft's RSTs: every one reached the server's capture as a refused
	# join, so at least that many joins_rst (not all RSTs are nft's)
	[ "$(sum joins_rst "$T/pm.s")" -ge "$nft" ]
	# the limit: never more than 1 + 1 subflows open at once (refused
	# joins are not open), and reached where a join was accepted
	[ "$(pick max_concurrent < "$T/pm.s" | sort -n | tail -1)" -eq 2 ]
	[ "$(pick max_concurrent < "$T/pm.p" | sort -n | tail -1)" -eq 2 ]
}

@test "an endpoint deleted, then added: mptcp-rmaddr against its log and the phone's counters" {
	# The log: the client deletes its cellular endpoint (id 1), then adds
	# it again; its kernel counted RmAddrTx, MPJoinSynTx, MPRstRx.
	local log=$FIX/gen/pair/mptcp-rmaddr.log.tsv d t_rm t_add
	d=$(tables gen/pair/mptcp-rmaddr.pcap)
	t_rm=$(awk -F'\t' '$3 == "rm-endpoint" { print $1 }' "$log")
	t_add=$(awk -F'\t' '$3 == "add-endpoint" { print $1 }' "$log")
	derive pm "$d" > "$T/pm"
	assert_equal "$(pick rm_addr,joins,ended_tcprst < "$T/pm")" \
	    "$(mib "$log" phone MPTcpExtRmAddrTx) $(mib "$log" phone MPTcpExtMPJoinSynTx) $(mib "$log" phone MPTcpExtMPRstRx)"
	derive pmevents "$d" > "$T/ev"
	# the REMOVE_ADDR of id 1 from the client, after the deletion
	run awk -F'\t' -v t="$t_rm" '$3 == "rm_addr" && $6 == "c2s" && $9 == 1 && $2 >= t' "$T/ev"
	[ "${#lines[@]}" -eq 1 ]
	# the subflow of the endpoint (cellular, c_addr 10.0.2.2) ended by
	# an MP_TCPRST after the deletion; a new one from it opened after
	# the endpoint came back
	local old new
	old=$(pick subflow,c_addr < "$d/mptcp_subflows.tsv" | awk '$2 == "10.0.2.2" { print $1; exit }')
	new=$(pick subflow,c_addr < "$d/mptcp_subflows.tsv" | awk '$2 == "10.0.2.2" { n = $1 } END { print n }')
	[ "$old" != "$new" ]
	run awk -F'\t' -v s="$old" -v t="$t_rm" '$3 == "end" && $4 == s && $6 ~ /^tcprst_/ && $2 >= t' "$T/ev"
	[ "${#lines[@]}" -eq 1 ]
	run awk -F'\t' -v s="$new" -v t="$t_add" '$3 == "open" && $4 == s && $2 >= t' "$T/ev"
	[ "${#lines[@]}" -eq 1 ]
	# the old one broke while the initial subflow carried data on
	run awk -F'\t' -v s="$old" '$3 == "handover" && $4 == s { print $5, $6 }' "$T/ev"
	assert_output "0 mbb"
}

@test "handover: mptcp-handover's Wi-Fi blackholed, break and overlap from tshark's times" {
	# The scenario: Wi-Fi (192.168.1.2) is blackholed at the server
	# mid-transfer, the cellular subflow (10.0.2.2) was carrying data
	# already: make-before-break. Expected from tshark (pm-tshark.py
	# subflows): the break is the Wi-Fi subflow's earliest of its last
	# data and its two ends' last ACKs (the server's, when the path
	# died); the overlap, the break less the cellular subflow's first
	# data.
	local d want
	d=$(tables gen/mptcp-handover.pcap)
	"$PY" "$PMT" subflows "$FIX/gen/mptcp-handover.pcap" > "$T/sf"
	want=$("$PY" - "$T/sf" <<-'EOF'
		import sys
		rows = [l.split() for l in open(sys.argv[1])]
		ns = lambda t: int(t.split('.')[0]) * 10**6 + int(t.split('.')[1])
		wifi = next(r for r in rows if r[0] == '192.168.1.2')
		cell = next(r for r in rows if r[0] == '10.0.2.2')
		brk = min(ns(v) for v in wifi[3:6] if v != '-')
		ov = brk - ns(cell[2])
		print('%d.%06d handover mbb %d.%06d' % (brk // 10**6, brk % 10**6, ov // 10**6, ov % 10**6))
	EOF
	)
	run bash -c "mptcp-derive -r pmevents -s '$d/mptcp_subflows.tsv' -a '$d/mptcp_addr.tsv' -m '$d/mptcp_conns.tsv' |
	    awk -F'\t' '\$3 == \"handover\" { print \$2, \$3, \$6, \$11 }'"
	assert_output "$want"
	run bash -c "mptcp-derive -r pm -s '$d/mptcp_subflows.tsv' -a '$d/mptcp_addr.tsv' -m '$d/mptcp_conns.tsv' |
	    pick handovers,handovers_mbb,handovers_bbm,bbm_gap_max_s,max_concurrent,ended_none"
	# the Wi-Fi subflow never closed (blackholed): ended_none 1
	assert_output "1 1 0 - 2 1"
}

@test "a path cut that heals is no handover: mptcp-cut's Wi-Fi carries data after the cut (its log, tshark)" {
	# The log: Wi-Fi cut both ways for a second (cut-start, cut-end);
	# tshark: the Wi-Fi subflow's last data is after cut-end, so it did
	# not break for good, and both subflows were open throughout.
	local log=$FIX/gen/pair/mptcp-cut.log.tsv d t_end last
	d=$(tables gen/pair/mptcp-cut.pcap)
	t_end=$(awk -F'\t' '$3 == "cut-end" { print $1; exit }' "$log")
	last=$("$PY" "$PMT" subflows "$FIX/gen/pair/mptcp-cut.pcap" | awk '$1 == "192.168.1.2" { print $4 }')
	awk -v a="$last" -v b="$t_end" 'BEGIN { exit !(a > b) }'
	run bash -c "mptcp-derive -r pm -s '$d/mptcp_subflows.tsv' -a '$d/mptcp_addr.tsv' -m '$d/mptcp_conns.tsv' |
	    pick handovers,max_concurrent,ended_fin"
	assert_output "0 2 2"
}

# Crafted tables: connection 1 with six subflows and seven address
# events, connection 3 without any; then connection 2, in nanoseconds,
# whose first subflow's clock steps back.
crafted() {
	local h=$'mpconn\tsubflow\trole\thandshake\tc_port\ts_addr\ts_port\tstart_ts\tend_ts\thandover\tstatus\tclose'
	h+=$'\tc2s_first_data_ts\tc2s_last_data_ts\tc2s_last_ack_ts\ts2c_first_data_ts\ts2c_last_data_ts\ts2c_last_ack_ts'
	printf '%s\n' "$h" \
	    $'1\t0\tclient\t1\t40000\t10.0.0.1\t80\t10.000000\t20.000000\t1\testablished\t-\t10.100000\t19.000000\t20.000000\t-\t-\t12.000000' \
	    $'1\t1\tclient\t1\t40001\t10.0.0.2\t80\t12.500000\t21.000000\t0\testablished\tfin\t12.600000\t20.500000\t21.000000\t-\t-\t21.000000' \
	    $'1\t2\tclient\t1\t40002\t10.0.0.2\t80\t13.000000\t13.000100\t0\testablished\ttcprst_3\t-\t-\t13.000000\t-\t-\t13.000100' \
	    $'1\t3\tclient\t0\t40003\t10.0.0.3\t8080\t14.000000\t14.500000\t0\tfailed_no_synack\t-\t-\t-\t-\t-\t-\t-' \
	    $'1\t4\tclient\t1\t40004\t10.0.0.3\t8080\t15.000000\t15.200000\t0\tfailed_rst\trst\t-\t-\t-\t-\t-\t15.200000' \
	    $'1\t5\tclient\t-\t40005\t10.0.0.2\t80\t11.000000\t11.500000\t0\tmidstream\tfin\t-\t-\t11.500000\t-\t-\t11.500000' \
	    > "$T/s.tsv"
	printf '%s\n' $'ts\tmpconn\tdir\tsubflow\tevent\taddr_id\taddr\tport\tbackup' \
	    $'11.000000\t1\ts2c\t0\tadd_addr\t1\t10.0.0.2\t-\t-' \
	    $'11.200000\t1\ts2c\t0\tadd_addr\t1\t10.0.0.2\t-\t-' \
	    $'11.300000\t1\tc2s\t0\tadd_addr_echo\t1\t10.0.0.2\t-\t-' \
	    $'13.500000\t1\ts2c\t0\tadd_addr\t1\t10.0.0.2\t-\t-' \
	    $'13.900000\t1\ts2c\t1\tadd_addr\t2\t10.0.0.3\t8080\t-' \
	    $'14.200000\t1\tc2s\t0\tadd_addr\t5\t192.0.2.9\t-\t-' \
	    $'16.000000\t1\tc2s\t0\trm_addr\t1\t-\t-\t-' > "$T/a.tsv"
	printf '%s\n' mpconn 1 3 > "$T/m.tsv"
	printf '%s\n' "$h" \
	    $'2\t0\tclient\t1\t1\t10.0.0.1\t80\t5.000000000\t4.000000000\t0\testablished\trst\t5.100000000\t5.300000000\t-\t-\t-\t-' \
	    $'2\t1\tclient\t1\t2\t10.0.0.2\t80\t5.000000001\t9.000000000\t0\testablished\tfin\t5.200000000\t8.000000000\t9.000000000\t-\t-\t9.000000000' \
	    > "$T/s2.tsv"
	printf '%s\n' mpconn 2 > "$T/m2.tsv"
}

@test "crafted tables: latencies, repeats, default ports, refusals, a gap, concurrency, derived by hand" {
	crafted
	# Announcements: 11.0 of 10.0.0.2, port none: the server's port on
	# subflow 0, 80; answered by subflow 1 at 12.5 (subflow 5 at 11.0 has
	# no SYN): 1.5 s. 11.2: a repeat (its join, 12.5, still to come);
	# the echo is none. 13.5: a new one (the last was answered at 12.5),
	# no join after it. 13.9 of 10.0.0.3:8080: subflow 3 at 14.0 (a
	# failed join answers too), 0.1 s. 14.2 from the client: its port on
	# subflow 0, 40000; no server join. Latencies 0.1 and 1.5: median 0.8.
	# Refused: 2 (MP_TCPRST 3 after the handshake, no data), 3 (no
	# SYN/ACK), 4 (RST). Subflow 0 broke: handover flag, its break the
	# server's last ACK, 12.0 (before its last data, 19.0); the first
	# data after, on subflow 1 at 12.6: break-before-make, gap 0.6. Open:
	# 0 (10 to 20), 5 (11 to 11.5), 1 (12.5 to 21): at most 2; lifetimes
	# 10, 0.5, 8.5. Ends: fin 1 and 5, rst 4, tcprst 2, none 0 and 3.
	run mptcp-derive -r pm -s "$T/s.tsv" -a "$T/a.tsv" -m "$T/m.tsv"
	assert_success
	assert_output "$(printf '%s\n' \
	    "$(mptcp-derive -r pm --schema | tail -n +2 | cut -f1 | paste -sd '\t')" \
	    $'1\t6\t5\t3\t1\t1\t1\t0\t3:1\t4\t2\t0.100000\t0.800000\t1.500000\t1\t2\t2\t1\t1\t0\t2\t10.000000\t1\t0\t1\t0.600000' \
	    $'3\t0\t0\t0\t0\t0\t0\t0\t-\t0\t0\t-\t-\t-\t0\t0\t0\t0\t0\t0\t0\t-\t0\t0\t0\t-')"
	# The timeline in time order; at 11.0 the add_addr before the open;
	# the refused and failed joins leave the count of open subflows as
	# it is.
	run bash -c "mptcp-derive -r pmevents -s '$T/s.tsv' -a '$T/a.tsv' -m '$T/m.tsv' | tail -n +2 | cut -f2-"
	assert_output "$(printf '%s\n' \
	    $'10.000000\topen\t0\t-\testablished\t10.0.0.1\t80\t-\t-\t10.000000\t1' \
	    $'11.000000\tadd_addr\t0\t1\ts2c\t10.0.0.2\t80\t1\t-\t1.500000\t1' \
	    $'11.000000\topen\t5\t-\tmidstream\t10.0.0.2\t80\t-\t-\t0.500000\t2' \
	    $'11.500000\tend\t5\t-\tfin\t10.0.0.2\t80\t-\t-\t0.500000\t1' \
	    $'12.000000\thandover\t0\t1\tbbm\t-\t-\t-\t-\t0.600000\t1' \
	    $'12.500000\topen\t1\t-\testablished\t10.0.0.2\t80\t-\t-\t8.500000\t2' \
	    $'13.000000\topen\t2\t-\testablished\t10.0.0.2\t80\t-\t-\t0.000100\t2' \
	    $'13.000100\tend\t2\t-\ttcprst_3\t10.0.0.2\t80\t-\tprohibited\t0.000100\t2' \
	    $'13.500000\tadd_addr\t0\t-\ts2c\t10.0.0.2\t80\t1\t-\t-\t2' \
	    $'13.900000\tadd_addr\t1\t3\ts2c\t10.0.0.3\t8080\t2\t-\t0.100000\t2' \
	    $'14.000000\topen\t3\t-\tfailed_no_synack\t10.0.0.3\t8080\t-\t-\t0.500000\t2' \
	    $'14.200000\tadd_addr\t0\t-\tc2s\t192.0.2.9\t40000\t5\t-\t-\t2' \
	    $'14.500000\tend\t3\t-\tnone\t10.0.0.3\t8080\t-\t-\t0.500000\t2' \
	    $'15.000000\topen\t4\t-\tfailed_rst\t10.0.0.3\t8080\t-\t-\t0.200000\t2' \
	    $'15.200000\tend\t4\t-\trst\t10.0.0.3\t8080\t-\t-\t0.200000\t2' \
	    $'16.000000\trm_addr\t0\t-\tc2s\t-\t-\t1\t-\t-\t2' \
	    $'20.000000\tend\t0\t-\tnone\t10.0.0.1\t80\t-\t-\t10.000000\t1' \
	    $'21.000000\tend\t1\t-\tfin\t10.0.0.2\t80\t-\t-\t8.500000\t0')"
	# Nanoseconds: subflow 0's last packet (4.0) is before its first
	# (5.0): a lifetime of 0, ended at 5.0. It was reset after carrying
	# data: a break at its last data, 5.3; subflow 1 carried data from
	# 5.2: make-before-break, overlap 0.1. Longest lifetime: subflow 1,
	# 5.000000001 to 9.
	run bash -c "mptcp-derive -r pm -s '$T/s2.tsv' -m '$T/m2.tsv' |
	    pick max_concurrent,ended_fin,ended_rst,life_max_s,handovers,handovers_mbb,bbm_gap_max_s"
	assert_output "1 1 1 3.999999999 1 1 -"
	run bash -c "mptcp-derive -r pmevents -s '$T/s2.tsv' -m '$T/m2.tsv' | tail -n +2 | cut -f2-4,6,11,12"
	assert_output "$(printf '%s\n' \
	    $'5.000000000\topen\t0\testablished\t0.000000000\t1' \
	    $'5.000000000\tend\t0\trst\t0.000000000\t0' \
	    $'5.000000001\topen\t1\testablished\t3.999999999\t1' \
	    $'5.300000000\thandover\t0\tmbb\t0.100000000\t1' \
	    $'9.000000000\tend\t1\tfin\t3.999999999\t0')"
	# and derive-ref.py agrees
	local r
	for r in pm pmevents; do
		diff <("$PY" "$REF" $r -s "$T/s.tsv" -a "$T/a.tsv" -m "$T/m.tsv") \
		    <(mptcp-derive -r $r -s "$T/s.tsv" -a "$T/a.tsv" -m "$T/m.tsv")
		diff <("$PY" "$REF" $r -s "$T/s2.tsv" -m "$T/m2.tsv") <(mptcp-derive -r $r -s "$T/s2.tsv" -m "$T/m2.tsv")
	done
}

@test "bad input: a missing column names its maker; a bad status, close or time names the line" {
	crafted
	cut -f1-11,13- "$T/s.tsv" > "$T/noclose.tsv"
	run mptcp-derive -r pm -s "$T/noclose.tsv" -m "$T/m.tsv"
	assert_failure 1
	assert_output --partial "no column 'close' (made by mptcp-join -s, joined by mptcp-tables -J)"
	run mptcp-derive -r pm -s "$T/s.tsv" -a <(cut -f1-4,6- "$T/a.tsv") -m "$T/m.tsv"
	assert_failure 1
	assert_output --partial "no column 'event' (made by mptcp-metrics -e addr)"
	sed '3s/\tfin\t/\tbye\t/' "$T/s.tsv" > "$T/bad.tsv"
	run mptcp-derive -r pm -s "$T/bad.tsv" -m "$T/m.tsv"
	assert_failure 1
	assert_output --partial ":3: column 'close'"
	sed '3s/\testablished\t/\tfine\t/' "$T/s.tsv" > "$T/bad.tsv"
	run mptcp-derive -r pmevents -s "$T/bad.tsv" -m "$T/m.tsv"
	assert_failure 1
	assert_output --partial ":3: column 'status'"
	sed '4s/\ttcprst_3\t/\ttcprst_256\t/' "$T/s.tsv" > "$T/bad.tsv"
	run mptcp-derive -r pm -s "$T/bad.tsv" -m "$T/m.tsv"
	assert_failure 1
	assert_output --partial ":4: column 'close'"
	sed '2s/\t10.000000\t/\t10.x\t/' "$T/s.tsv" > "$T/bad.tsv"
	run mptcp-derive -r pm -s "$T/bad.tsv" -m "$T/m.tsv"
	assert_failure 1
	assert_output --partial ":2: column 'start_ts'"
	sed '2s/\ts2c\t/\tup\t/' "$T/a.tsv" > "$T/bad.tsv"
	run mptcp-derive -r pm -s "$T/s.tsv" -a "$T/bad.tsv" -m "$T/m.tsv"
	assert_failure 1
	assert_output --partial ":2: column 'dir'"
}
