#!/usr/bin/env bats
bats_require_minimum_version 1.5.0
# mptcp-metrics' reinjection causes (-e reinject's cause and redundant,
# the c2s/s2c_reinj_*_bytes columns; man page, Reinjections). References,
# each named in its test:
#  - test/ref/reinj-ref.py: the man page's rules applied, in Python, to
#    tshark's dissection (origins by data sequence number, REMOVE_ADDR,
#    MP_PRIO, FIN/RST, TCP retransmissions, subflow ACKs);
#  - the generator's own log of each deliberate event (test/gen
#    make-fixtures: an endpoint removed, set backup, a path cut) and
#    tshark's times of the options it caused, for which causes happen when.

setup() {
	load common
	T=$BATS_TEST_TMPDIR
	PAIR=$FIX/gen/pair
}

# ev_rows CAPTURE: "ts_ns dir cause redundant bytes" summed per segment,
# from mptcp-metrics -e reinject by column name (ts as integer ns)
ev_rows() {
	mptcp-metrics -e reinject "$1" 2> /dev/null | pick ts,dir,cause,redundant,len |
		awk '{ split($1, t, "."); k = t[1] substr(t[2] "000000000", 1, 9) " " $2 " " $3 " " $4
		    n[k] += $5 } END { for (k in n) print k, n[k] }' | sort
}

@test "the causes and redundant bytes of every sender's capture are the reference's (tshark)" {
	command -v tshark > /dev/null || fail "tshark not installed (test/deps)"
	local f n=0 total=0
	# the senders' captures: the phone's of every scenario (the server's
	# in the next test)
	for f in "$PAIR"/*.pcap "$FIX"/gen/*.pcap; do
		case $f in *.server.pcap) continue ;; esac
		"$PY" "$TOP/test/ref/reinj-ref.py" "$f" | sort > "$T/ref"
		ev_rows "$f" > "$T/got"
		diff "$T/ref" "$T/got" || { echo "${f##*/} differs (< reference, > mptcp-metrics)"; false; }
		total=$((total + $(wc -l < "$T/got")))
		n=$((n + 1))
	done
	[ "$n" -ge 24 ]
	# enough reinjections of each cause for the comparison to mean something
	[ "$total" -ge 500 ]
	for f in "$PAIR"/mptcp-rmaddr.pcap "$PAIR"/mptcp-prio.pcap "$PAIR"/mptcp-cut.pcap \
	    "$PAIR"/mptcp-rto.pcap; do
		ev_rows "$f"
	done | awk '{ c[$3]++; r[$4]++ } END { for (k in c) print k, c[k]; for (k in r) print "red" k, r[k] }' \
		> "$T/kinds"
	for k in rm_addr backup loss silent none red0 red1; do
		grep -q "^$k [1-9]" "$T/kinds" || { cat "$T/kinds"; fail "no $k in the scenarios"; }
	done
}

@test "in a receiver's capture the redundant bytes are the reference's (causes: merged ranges)" {
	command -v tshark > /dev/null || fail "tshark not installed (test/deps)"
	# The receiver sees the DATA_ACK ahead of the data, so its origin
	# ranges merge and a cause counts from the merged range's first
	# transmission (man page, Reinjections); the bytes below the origin
	# subflow's ACK do not depend on it.
	local f n=0
	for f in "$PAIR"/*.server.pcap; do
		"$PY" "$TOP/test/ref/reinj-ref.py" "$f" |
			awk '{ n[$1 " " $2 " " $4] += $5 } END { for (k in n) print k, n[k] }' | sort > "$T/ref"
		ev_rows "$f" | awk '{ n[$1 " " $2 " " $4] += $5 } END { for (k in n) print k, n[k] }' |
			sort > "$T/got"
		diff "$T/ref" "$T/got" || { echo "${f##*/} differs (< reference, > mptcp-metrics)"; false; }
		n=$((n + $(wc -l < "$T/got")))
	done
	[ "$n" -ge 100 ]
}

@test "the connection columns add up: causes to reinj_bytes, redundant to the events'" {
	local f d
	for f in "$PAIR"/*.pcap "$FIX"/gen/*.pcap; do
		for d in c2s s2c; do
			mptcp-metrics "$f" 2> /dev/null | pick mpconn,${d}_reinj_bytes,${d}_reinj_rm_addr_bytes,${d}_reinj_backup_bytes,${d}_reinj_closed_bytes,${d}_reinj_loss_bytes,${d}_reinj_silent_bytes,${d}_reinj_none_bytes,${d}_reinj_redundant_bytes |
				awk -v f="${f##*/}" -v d=$d '$2 != $3 + $4 + $5 + $6 + $7 + $8 { print f, d, "causes do not add up:", $0; bad = 1 }
				    { print $1, $9 } END { exit bad }' | sort > "$T/conn"
			mptcp-metrics -e reinject "$f" 2> /dev/null | pick mpconn,dir,redundant,len |
				awk -v d=$d '{ n[$1] += 0 } $2 == d && $3 == 1 { n[$1] += $4 } END { for (k in n) print k, n[k] }' |
				sort > "$T/ev"
			# connections without reinjections have no events: 0 in the records
			join -a 1 "$T/conn" "$T/ev" | awk -v f="${f##*/}" -v d=$d \
			    'NF == 2 && $2 != 0 || NF == 3 && $2 != $3 { print f, d, "redundant:", $0; bad = 1 } END { exit bad }'
		done
	done
	mptcp-metrics "$PAIR"/mptcp-rmaddr.pcap | pick c2s_reinj_rm_addr_bytes | grep -qv '^0$'
}

# the cell subflow's index (-s: the first with the phone's cellular address)
cell_subflow() {
	mptcp-metrics -s "$1" | pick subflow,c_addr | awk '$2 == "10.0.2.2" { print $1; exit }'
}

@test "an endpoint removed: the removed subflow's data reinjected after the REMOVE_ADDR is rm_addr (generator log, tshark)" {
	local f=$PAIR/mptcp-rmaddr.pcap sf rm
	# the log: the phone deleted the cellular endpoint (id 1)
	grep -q 'rm-endpoint	cell	.*endpoint delete id 1' "$PAIR/mptcp-rmaddr.log.tsv"
	sf=$(cell_subflow "$f")
	rm=$(tshark -n -r "$f" -Y 'tcp.options.mptcp.subtype == 4' -T fields -e frame.time_epoch 2> /dev/null | head -1)
	[ -n "$sf" ] && [ -n "$rm" ]
	mptcp-metrics -e reinject "$f" | pick ts,from_subflow,cause > "$T/ev"
	# after it, every piece first sent on that subflow; before it, none
	awk -v sf="$sf" -v rm="$rm" '$2 == sf && $1 >= rm { n++; if ($3 != "rm_addr") bad = 1 }
	    $3 == "rm_addr" && ($1 < rm || $2 != sf) { bad = 1 } END { exit bad || n < 10 }' "$T/ev"
}

@test "a subflow set backup: its data reinjected while MP_PRIO said backup is backup (generator log, tshark)" {
	local f=$PAIR/mptcp-prio.pcap sf on off
	grep -q 'prio-backup	cell	.*backup' "$PAIR/mptcp-prio.log.tsv"
	sf=$(cell_subflow "$f")
	on=$(tshark -n -r "$f" -Y 'tcp.options.mptcp.subtype == 5 && tcp.options.mptcp.backup.flag == 1' -T fields -e frame.time_epoch 2> /dev/null | head -1)
	off=$(tshark -n -r "$f" -Y 'tcp.options.mptcp.subtype == 5 && tcp.options.mptcp.backup.flag == 0' -T fields -e frame.time_epoch 2> /dev/null | head -1)
	[ -n "$sf" ] && [ -n "$on" ] && [ -n "$off" ]
	mptcp-metrics -e reinject "$f" | pick ts,from_subflow,cause > "$T/ev"
	awk -v sf="$sf" -v on="$on" -v off="$off" '$2 == sf && $1 > on && $1 < off { n++; if ($3 != "backup") bad = 1 }
	    $3 == "backup" && ($1 <= on || $1 >= off || $2 != sf) { bad = 1 } END { exit bad || n < 5 }' "$T/ev"
}

@test "a path cut: the cut path's data reinjected during the cut is loss or silent (generator log)" {
	local s f sf start end
	for s in cut rto; do
		f=$PAIR/mptcp-$s.pcap
		# the relay's log: the Wi-Fi path cut both ways for some seconds
		start=$(awk -F'\t' '$3 == "cut-start" && $4 == "wifi" { print $1; exit }' "$PAIR/mptcp-$s.log.tsv")
		end=$(awk -F'\t' '$3 == "cut-end" && $4 == "wifi" { print $1; exit }' "$PAIR/mptcp-$s.log.tsv")
		[ -n "$start" ] && [ -n "$end" ]
		# the Wi-Fi subflow: the phone's Wi-Fi address
		sf=$(mptcp-metrics -s "$f" | pick subflow,c_addr | awk '$2 == "192.168.1.2" { print $1; exit }')
		mptcp-metrics -e reinject "$f" | pick ts,from_subflow,cause |
			awk -v sf="$sf" -v a="$start" -v b="$end" '$2 == sf && $1 > a && $1 < b + 0.1 { n++
			    if ($3 != "loss" && $3 != "silent") bad = 1 } END { exit bad || n < 5 }' ||
			fail "$s: a reinjection of the cut path during the cut is not loss or silent"
	done
}

@test "crafted: a copy sent 0.3 s after its first transmission, with no answer on its subflow, is silent and needed (hand-derived)" {
	# mp-reinject (test/craft/craft.py): M1 and M2 on Wi-Fi at 0.500 and
	# 0.510, copies on cellular at 0.800 and 0.810; the server sends nothing
	# on Wi-Fi until 0.870, so at 0.800 Wi-Fi has been quiet since before
	# 0.500 + 0.300 / 2: silent; no Wi-Fi ACK had covered them: redundant 0
	local got
	got=$(mptcp-metrics -e reinject "$FIX/craft/mp-reinject.pcap" | pick len,cause,redundant)
	assert_equal "$got" "$(printf '100 silent 0\n50 silent 0')"
}

@test "useful copies: the bytes the copy's subflow had acknowledged and the origin's not at the DATA_ACK, as reinj-ref.py finds them" {
	command -v tshark > /dev/null || fail "tshark not installed (test/deps)"
	local f n=0 got want
	for f in "$PAIR"/*.pcap "$FIX"/gen/*.pcap; do
		want=$("$PY" "$TOP/test/ref/reinj-ref.py" --useful "$f" | paste -sd ' ')
		got=$(mptcp-metrics "$f" 2> /dev/null | pick c2s_reinj_useful_bytes,s2c_reinj_useful_bytes |
			awk '{ c += $1; s += $2 } END { printf "c2s %d s2c %d", c, s }')
		assert_equal "$got" "$want"
		[ "$got" = "c2s 0 s2c 0" ] || n=$((n + 1))
	done
	# captures with useful copies, for the comparison to mean something
	[ "$n" -ge 8 ]
	# gen/mptcp-handover: a blackhole on Wi-Fi after 300 kB (make-fixtures), so the
	# originals of the copies sent after it were never acknowledged: every
	# copy not redundant was useful, and they are most of the copies
	mptcp-metrics "$FIX/gen/mptcp-handover.pcap" | pick c2s_reinj_bytes,c2s_reinj_redundant_bytes,c2s_reinj_useful_bytes |
		awk '{ exit !($3 == $1 - $2 && $3 > $1 / 2) }'
	# crafted mp-reinject (test/craft/craft.py): R1 and R2's copied 50
	# bytes were acknowledged on cellular (ACK 2201 at 0.860, with the
	# DATA_ACK D0+250) before Wi-Fi's late ACK (0.870): 100 + 50 useful
	assert_equal "$(mptcp-metrics "$FIX/craft/mp-reinject.pcap" | pick c2s_reinj_redundant_bytes,c2s_reinj_useful_bytes)" "0 150"
}
