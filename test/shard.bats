#!/usr/bin/env bats
bats_require_minimum_version 1.5.0
# shard: one record stream split by a column among several processes.
# The reference is the same filter run once on the whole stream (sharding
# must not change a single record), and for the split itself an awk
# oracle written here: which records go where, in which order.
#
# Input: every test/fixtures/gen capture and the pymptcpanalyzer corpus
# captures read by pcap2pkt as one stream (several files, frames numbered
# across them), then flowsplit, then mptcp-join.

setup_file() {
	load common
	local d=$BATS_FILE_TMPDIR
	pcap2pkt "$FIX"/gen/*.pcap "$FIX"/corpus/pymptcpanalyzer-*.pcap | flowsplit > "$d/flow.tsv"
	mptcp-join < "$d/flow.tsv" > "$d/join.tsv"
}

setup() {
	load common
	FLOW=$BATS_FILE_TMPDIR/flow.tsv
	JOIN=$BATS_FILE_TMPDIR/join.tsv
	T=$BATS_TEST_TMPDIR
}

# same_records A B: same header line, same records as a multiset
same_records() {
	cmp <(head -1 "$1") <(head -1 "$2") || { echo "headers differ: $1 $2" >&2; return 1; }
	cmp <(tail -n +2 "$1" | LC_ALL=C sort) <(tail -n +2 "$2" | LC_ALL=C sort) ||
	    { echo "records differ: $1 $2" >&2; return 1; }
}

@test "the input has enough connections to shard" {
	# not a test of shard: the fixtures give every shard some work below
	assert [ "$(column_values conn "$FLOW" | sort -u | wc -l)" -ge 40 ]
	assert [ "$(column_values mpconn "$JOIN" | grep -v '^-$' | sort -u | wc -l)" -ge 20 ]
}

@test "conn -> tcp-metrics: the merged output has the unsharded run's records" {
	tcp-metrics < "$FLOW" > "$T/ref"
	for n in 1 2 3 4 7; do
		shard -n $n -c conn tcp-metrics < "$FLOW" > "$T/out.$n"
		same_records "$T/ref" "$T/out.$n"
	done
	assert [ "$(wc -l < "$T/ref")" -ge 41 ]
	local e
	for e in rtt ack rexmit; do
		tcp-metrics -e $e < "$FLOW" > "$T/ref.$e"
		shard -n 3 -c conn tcp-metrics -e $e < "$FLOW" > "$T/out.$e"
		same_records "$T/ref.$e" "$T/out.$e"
		assert [ "$(wc -l < "$T/ref.$e")" -gt 1000 ]
	done
}

@test "mpconn -> mptcp-metrics after mptcp-join: the same records, all tables" {
	local a
	for a in "" "-s" "-e rtt" "-e dack" "-e bursts" "-e reinject" "-e addr"; do
		# shellcheck disable=SC2086
		mptcp-metrics $a < "$JOIN" > "$T/ref"
		# shellcheck disable=SC2086
		shard -n 3 -c mpconn mptcp-metrics $a < "$JOIN" > "$T/out"
		same_records "$T/ref" "$T/out"
		assert [ "$(wc -l < "$T/ref")" -gt 10 ]
	done
}

@test "-o: each stream is the header, then exactly its records in input order" {
	# Oracle: awk sends record r to stream conn % 3, as shard(1) documents
	# for whole numbers, keeping input order.
	shard -n 3 -c conn -o "$T/part.%d.tsv" < "$FLOW"
	local c k
	c=$(col conn "$FLOW")
	for k in 0 1 2; do
		awk -F'\t' -v c="$c" -v k=$k 'NR == 1 || $c % 3 == k' "$FLOW" | cmp - "$T/part.$k.tsv"
		assert [ "$(wc -l < "$T/part.$k.tsv")" -gt 1000 ]
	done
	# every record once: the parts add up to the input
	assert_equal "$(cat "$T"/part.?.tsv | wc -l)" "$(($(wc -l < "$FLOW") + 2))"
}

@test "-o on a non-numeric column: every value in one stream, input order kept" {
	# mpconn is '-' on plain TCP packets: those go by a hash. Oracle: the
	# set of values each part holds, then awk keeps the input's records
	# with those values, in order; no value may be in two parts.
	shard -n 4 -c mpconn -i "$JOIN" -o "$T/p%%.%d"
	local c k
	c=$(col mpconn "$JOIN")
	for k in 0 1 2 3; do
		column_values mpconn "$T/p%.$k" | sort -u > "$T/values.$k"
		awk -F'\t' -v c="$c" 'NR == FNR { v[$0] = 1; next } FNR == 1 || ($c in v)' \
		    "$T/values.$k" "$JOIN" | cmp - "$T/p%.$k"
	done
	assert_equal "$(cat "$T"/values.? | sort | uniq -d)" ""
	assert_equal "$(cat "$T"/values.? | wc -l)" "$(column_values mpconn "$JOIN" | sort -u | wc -l)"
	grep -qx -- - "$T"/values.?
}

@test "-o with a command: each copy's output in its own file" {
	shard -n 2 -c conn -o "$T/conns.%d.tsv" tcp-metrics < "$FLOW"
	tcp-metrics < "$FLOW" > "$T/ref"
	awk 'NR == 1 || FNR > 1' "$T/conns.0.tsv" "$T/conns.1.tsv" > "$T/both"
	same_records "$T/ref" "$T/both"
	# the conn ids of file k are those of stream k
	assert_equal "$(column_values conn "$T/conns.1.tsv" | awk '$1 % 2 != 1')" ""
}

@test "a failing copy: shard fails with its status and names it" {
	# the copy fed conn 5 (stream 5 % 3 = 2) exits 4; the others pass
	local c
	c=$(col conn "$FLOW")
	run --separate-stderr shard -n 3 -c conn awk -F'\t' -v c="$c" 'NR > 1 && $c == 5 { exit 4 } { print }' < "$FLOW"
	assert_failure 4
	assert_equal "$stderr" "shard: command 2 (awk) exited with status 4"
	run -127 --separate-stderr shard -n 2 -c conn no-such-command < "$FLOW"
	[[ "$stderr" == *"shard: command 0 (no-such-command) exited with status 127"* ]]
	run --separate-stderr shard -n 2 -c conn sh -c 'kill -KILL $$' < "$FLOW"
	assert_failure 137
	[[ "$stderr" == *"command 0 (sh) killed by signal 9"* ]]
}

@test "a copy that stops reading early does not stop the others" {
	# awk quits at its first record when that is on stream 0 (even conn):
	# stream 0's copy leaves after the header, stream 1's reads it all
	local c
	c=$(col conn "$FLOW")
	run shard -n 2 -c conn -o "$T/o.%d" awk -F'\t' -v c="$c" 'NR == 2 && $c % 2 == 0 { exit } { print }' < "$FLOW"
	assert_success
	head -1 "$FLOW" | cmp - "$T/o.0"
	awk -F'\t' -v c="$c" 'NR == 1 || $c % 2 == 1' "$FLOW" | cmp - "$T/o.1"
}

@test "merging: the copies' header lines must agree; a closed output is no failure" {
	run --separate-stderr shard -n 3 -c conn awk 'NR == 2 { print "h" $1 }' < "$FLOW"
	assert_failure 1
	[[ "$stderr" == *"header line differs"* ]]
	run bash -c 'set -o pipefail; shard -n 2 -c conn cat < "$1" | head -1' _ "$FLOW"
	assert_success
	assert_output "$(head -1 "$FLOW")"
}

@test "bad input gets file:line; a missing column or header is named; usage errors" {
	printf 'a\tconn\n1\t2\n3\n' > "$T/bad.tsv"
	run --separate-stderr shard -n 2 -c conn -i "$T/bad.tsv" cat
	assert_failure 1
	assert_equal "$stderr" "shard: $T/bad.tsv:3: 1 fields, the header has 2"
	run --separate-stderr shard -n 2 -c mpconn -i "$FLOW" cat
	assert_failure 1
	assert_equal "$stderr" "shard: $FLOW: input has no column 'mpconn'"
	run --separate-stderr shard -n 2 -c conn cat < /dev/null
	assert_failure 1
	assert_equal "$stderr" "shard: stdin: empty input: no header line"
	run --separate-stderr shard -n 2 -c conn < "$FLOW"
	assert_failure 2
	run --separate-stderr shard -n 0 -c conn cat < "$FLOW"
	assert_failure 2
	assert_equal "$stderr" "shard: -n: expected a whole number from 1 to 256, got '0'"
	run --separate-stderr shard -n 2 -c conn -o out.tsv < "$FLOW"
	assert_failure 2
	[[ "$stderr" == *"no %d"* ]]
	run --separate-stderr shard -n 2 -c conn -o 'o%s%d' < "$FLOW"
	assert_failure 2
	run --separate-stderr shard -n 2 cat < "$FLOW"
	assert_failure 2
	[[ "$stderr" == *"usage: shard"* ]]
}

@test "CRLF records come out as LF records" {
	printf 'x\tconn\r\na\t1\r\nb\t2\r\nc\t3\n' | shard -n 2 -c conn -o "$T/c.%d"
	assert_equal "$(od -c < "$T/c.1" | grep -c '\\r')" 0
	assert_equal "$(cat "$T/c.1")" "$(printf 'x\tconn\na\t1\nc\t3')"
	assert_equal "$(cat "$T/c.0")" "$(printf 'x\tconn\nb\t2')"
}
