#!/usr/bin/env bats
bats_require_minimum_version 1.5.0
# mptcp-metrics' stalls (-e stall, the stall columns of the connection
# records; man page, STALLS). References, each named in its test:
#  - test/ref/stall-ref.py: the man page's rule applied, in Python, to
#    tshark's dissection (data sequence numbers, DATA_ACKs, windows);
#  - the generator's own log of each deliberate event (test/gen
#    make-fixtures: the relay's cut and hold, the server's read pause),
#    for when the stalls happen and what causes them.

setup() {
	load common
	T=$BATS_TEST_TMPDIR
	PAIR=$FIX/gen/pair
}

# The generated captures, both ends of the pair scenarios.
captures() {
	ls "$PAIR"/*.pcap "$FIX"/gen/*.pcap
}

# stall_rows CAPTURE [OPTION...]: "dir ts end_ts outstanding ended" of
# mptcp-metrics -e stall, by column name (ended: 0 when ack_subflow is -)
stall_rows() {
	local f=$1
	shift
	mptcp-metrics "$@" -e stall "$f" 2> /dev/null | pick dir,ts,end_ts,outstanding,ack_subflow |
		awk '{ print $1, $2, $3, $4, ($5 == "-" ? 0 : 1) }'
}

# ref_rows CAPTURE [-T S]: the same from the reference, times as the tool
# prints them (microsecond captures: six digits, floored)
ref_rows() {
	"$PY" "$TOP/test/ref/stall-ref.py" "$@" |
		awk '{ printf "%s %s.%06d %s.%06d %s %s\n", $1, substr($2, 1, length($2) - 9),
		    int(substr($2, length($2) - 8) / 1000), substr($3, 1, length($3) - 9),
		    int(substr($3, length($3) - 8) / 1000), $4, $5 }'
}

@test "every stall of every generated capture is the reference's (tshark), at -T 0.2 (default) and 0.02" {
	command -v tshark > /dev/null || fail "tshark not installed (test/deps)"
	local f n=0 total=0
	for f in $(captures); do
		ref_rows "$f" > "$T/ref"
		stall_rows "$f" > "$T/got"
		diff "$T/ref" "$T/got" || { echo "${f##*/}: -T 0.2 differs (< reference, > mptcp-metrics)"; false; }
		ref_rows -T 0.02 "$f" > "$T/ref"
		stall_rows "$f" -T 0.02 > "$T/got"
		diff "$T/ref" "$T/got" || { echo "${f##*/}: -T 0.02 differs"; false; }
		total=$((total + $(wc -l < "$T/got")))
		n=$((n + 1))
	done
	[ "$n" -ge 30 ]
	# enough stalls for the comparison to mean something
	[ "$total" -ge 300 ]
}

@test "the connection records count the stalls the events list: count, total and longest per direction" {
	local f d
	: > "$T/all"
	for f in "$PAIR"/mptcp-cut.pcap "$PAIR"/mptcp-many.pcap "$FIX"/gen/mptcp-handover.pcap; do
		mptcp-metrics -T 0.02 -e stall "$f" 2> /dev/null | pick mpconn,dir,duration_s > "$T/ev"
		mptcp-metrics -T 0.02 "$f" 2> /dev/null |
			pick mpconn,c2s_stalls,c2s_stall_s,c2s_stall_max_s,s2c_stalls,s2c_stall_s,s2c_stall_max_s > "$T/conn"
		for d in c2s s2c; do
			# from the event records: count, sum and largest duration per
			# connection (the sum of durations printed to the microsecond
			# may fall short of the total by a microsecond per stall)
			awk -v d=$d '$2 == d { n[$1]++; s[$1] += $3; if ($3 > m[$1]) m[$1] = $3 }
			    END { for (c in n) print c, n[c], s[c], m[c] }' "$T/ev" | sort > "$T/want"
			awk -v d=$d '{ i = (d == "c2s" ? 2 : 5); if ($i > 0) print $1, $i, $(i + 1), $(i + 2) }' "$T/conn" |
				sort > "$T/have"
			join "$T/want" "$T/have" | awk -v f="${f##*/} $d" '{ k++ }
			    $2 != $5 || $4 != $7 || $6 - $3 < -1e-9 || $6 - $3 > $2 * 1e-6 + 1e-9 { print f ": " $0; bad = 1 }
			    END { exit bad }'
			[ "$(wc -l < "$T/want")" -eq "$(wc -l < "$T/have")" ]
			[ "$(join "$T/want" "$T/have" | wc -l)" -eq "$(wc -l < "$T/want")" ]
			sed "s/^/$d /" "$T/want" >> "$T/all"
		done
	done
	# stalls in both directions among these captures
	grep -q '^c2s ' "$T/all"
	grep -q '^s2c ' "$T/all"
	[ "$(wc -l < "$T/all")" -ge 10 ]
}

# log_time LOG SOURCE EVENT: the time of the first such line of a
# generator log (test/gen: time source event path dir params)
log_time() {
	awk -F'\t' -v s="$2" -v e="$3" '$2 == s && $3 == e { print $1; exit }' "$1"
}

@test "a read pause behind a 16 kB receive buffer: one stall, the window, spanning the pause (generator log)" {
	local from to
	from=$(log_time "$PAIR"/mptcp-rcvbuf.log.tsv server read-pause-start)
	to=$(log_time "$PAIR"/mptcp-rcvbuf.log.tsv server read-pause-end)
	[ -n "$from" ] && [ -n "$to" ]
	mptcp-metrics -e stall "$PAIR"/mptcp-rcvbuf.pcap 2> /dev/null | pick dir,ts,end_ts,cause > "$T/s"
	[ "$(wc -l < "$T/s")" -eq 1 ]
	# the server's reads stop at $from for 1 s: the window closes once
	# its 16 kB are full (within one Wi-Fi round trip, 20 ms, of the data
	# in flight), and opens when reading resumes at $to; the DATA_ACK
	# then advances within a round trip of the cellular path (80 ms)
	awk -v from="$from" -v to="$to" '$1 == "c2s" && $4 == "window" && $2 >= from && $2 <= from + 0.3 &&
	    $3 >= to && $3 <= to + 0.1 { ok = 1 } END { exit !ok }' "$T/s" || { cat "$T/s"; false; }
}

@test "Wi-Fi cut for 1 s and for 0.3 s, Wi-Fi held 0.6 s: stalls in the event, from a dead path or an RTO (generator log)" {
	local name from secs
	for name in cut rto reinject; do
		case $name in
		reinject) from=$(log_time "$PAIR"/mptcp-$name.log.tsv relay hold-start) secs=0.6 ;;
		*) from=$(log_time "$PAIR"/mptcp-$name.log.tsv relay cut-start)
		   secs=$(awk -F'\t' '$3 == "cut-start" { sub(/.*seconds=/, "", $6); print $6; exit }' \
		       "$PAIR"/mptcp-$name.log.tsv) ;;
		esac
		[ -n "$from" ] && [ -n "$secs" ]
		mptcp-metrics -e stall "$PAIR"/mptcp-$name.pcap 2> /dev/null | pick dir,ts,end_ts,cause > "$T/s"
		[ -s "$T/s" ] || { echo "$name: no stall"; false; }
		# none before the event; one overlapping it, of its causes
		awk -v from="$from" '$2 < from { bad = 1 } END { exit bad }' "$T/s" ||
			{ echo "$name: a stall before the event at $from"; cat "$T/s"; false; }
		awk -v from="$from" -v to="$(echo "$from + $secs" | bc)" '$1 == "c2s" && $2 < to && $3 > from &&
		    ($4 == "dead_path" || $4 == "rto") { ok = 1 } END { exit !ok }' "$T/s" ||
			{ echo "$name: none in [$from, +$secs)"; cat "$T/s"; false; }
	done
	# the 1 s cut: the sender reinjected on cellular while Wi-Fi was dead
	mptcp-metrics -e stall "$PAIR"/mptcp-cut.pcap 2> /dev/null | pick cause | head -1 | grep -qx dead_path
}

@test "captures without a deliberate event have no stall at the default -T" {
	local f
	for f in "$PAIR"/mptcp-delay.pcap "$PAIR"/mptcp-csum.pcap "$PAIR"/mptcp-download-loss.pcap \
	    "$PAIR"/mptcp-preloss-c2s.pcap "$PAIR"/mptcp-preloss-s2c.pcap "$FIX"/gen/mptcp-both.pcap \
	    "$FIX"/gen/mptcp-loss.pcap "$FIX"/gen/mptcp-ipv6.pcap; do
		mptcp-metrics -e stall "$f" 2> /dev/null > "$T/s"
		[ "$(wc -l < "$T/s")" -eq 1 ] || { echo "${f##*/}"; cat "$T/s"; false; }
	done
}

@test "-T: seconds above 0 and finite, else a usage error" {
	local v
	for v in 0 -1 inf nan abc ''; do
		run -2 mptcp-metrics -T "$v" "$PAIR"/mptcp-cut.pcap
		[[ "$output" == *"-T: expected"* ]] || { echo "-T '$v': $output"; false; }
	done
	run -0 mptcp-metrics -T 1.5 -e stall "$PAIR"/mptcp-cut.pcap
}
