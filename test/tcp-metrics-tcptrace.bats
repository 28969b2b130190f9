#!/usr/bin/env bats
bats_require_minimum_version 1.5.0
# tcp-metrics against tcptrace (`tcptrace -l -r -n --csv`), an independent
# implementation, on every capture we ship: per direction packets, unique
# bytes, data packets/bytes, retransmitted packets/bytes, out-of-order
# packets, SYN and FIN counts, and RTT samples/min/max/avg where there were
# no retransmissions. test/ref/tcptrace-cmp does the comparison and lists
# the deliberate differences it allows (each is in tcp-metrics(1)).

setup() {
	load common
	CMP="$TOP/test/ref/tcptrace-cmp"
	SHARED_CORPUS="${SHARED_CORPUS:-$TOP/../shared/corpus}"
	command -v tcptrace >/dev/null || fail "tcptrace not installed: sh test/deps check installs it"
	command -v editcap >/dev/null || fail "editcap not installed: sh test/deps check installs it"
}

captures() {
	ls "$@" 2>/dev/null | grep -v -e '/bad-' -e '/empty' -e '/notacapture' || true
}

# Compares every capture given; a 4-tuple the two tools split into a
# different number of connections is skipped (noted on stderr), and only
# the captures in $SPLIT_OK may have such a tuple.
compare_all() {
	local f n=0 fails=""
	for f in "$@"; do
		tcp-metrics "$f" >"$BATS_TEST_TMPDIR/m.tsv" 2>/dev/null
		if ! "$CMP" "$f" "$BATS_TEST_TMPDIR/m.tsv" >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/skip"; then
			fails="$fails
$(cat "$BATS_TEST_TMPDIR/out")"
		fi
		if [ -s "$BATS_TEST_TMPDIR/skip" ] && ! grep -qxF "$(basename "$f")" <<<"$SPLIT_OK"; then
			fails="$fails
$(cat "$BATS_TEST_TMPDIR/skip")"
		fi
		n=$((n + 1))
	done
	[ -z "$fails" ] || { echo "$fails"; return 1; }
	echo "$n captures compared"
}

# Where flowsplit and tcptrace disagree on connection boundaries, by design
# (see flowsplit(1)): bro-fin_retransmission sends a FIN with the SYN's
# sequence number before the SYN/ACK, which tcptrace takes for a second
# connection; in pymptcpanalyzer-client_2, port 60453 is RST twice and its
# SYN (same ISN) retransmitted, which flowsplit keeps as one connection.
SPLIT_OK="bro-fin_retransmission.pcap
pymptcpanalyzer-client_2.pcap"

@test "tcptrace agrees on the public corpus" {
	local list
	list=$(captures "$FIX"/corpus/*.pcap*)
	[ -n "$list" ] || list=$(captures "$SHARED_CORPUS"/*.pcap*)
	[ -n "$list" ] || fail "fixture missing: no corpus"
	compare_all $list
}

@test "tcptrace agrees on the crafted captures" {
	local list
	list=$(captures "$FIX"/craft/tcp-*.pcap "$FIX"/craft/mp-*.pcap)
	[ -n "$list" ] || fail "fixture missing: no crafted fixtures"
	compare_all $list
}

@test "tcptrace agrees on the generated captures" {
	local list
	list=$(captures "${GEN_FIXTURES:-$FIX/gen}"/*.pcap*)
	[ -n "$list" ] || fail "fixture missing: no generated fixtures yet"
	compare_all $list
}

@test "tcptrace-cmp catches a difference (the comparison is not vacuous)" {
	# Expected: a record changed by hand must be reported.
	local f=$FIX/corpus/pymptcpanalyzer-client_1_tcp_only.pcap
	[ -f "$f" ] || f=$SHARED_CORPUS/pymptcpanalyzer-client_1_tcp_only.pcap
	[ -f "$f" ] || fail "fixture missing: no corpus"
	tcp-metrics "$f" >"$BATS_TEST_TMPDIR/m.tsv"
	c=$(col c2s_unique_bytes "$BATS_TEST_TMPDIR/m.tsv")
	awk -F'\t' -v OFS='\t' -v c="$c" 'NR == 2 { $c = $c + 1 } 1' "$BATS_TEST_TMPDIR/m.tsv" >"$BATS_TEST_TMPDIR/bad.tsv"
	run "$CMP" "$f" "$BATS_TEST_TMPDIR/bad.tsv"
	assert_failure 1
	assert_output --partial "unique_bytes"
}
