#!/usr/bin/env bats
bats_require_minimum_version 1.5.0
# tcp-metrics against the Linux kernel's own counters: test/gen captured
# real connections on the sending phone and saved each socket's TCP_INFO
# (data_segs_out, bytes_sent, total_retrans, bytes_retrans) and the bytes
# the application wrote beside each capture (NAME.truth.tsv). The expected
# numbers are those counters; test/ref/tcp-metrics-truth says how they map
# to the record's columns.

setup() {
	load common
	TRUTH="$TOP/test/ref/tcp-metrics-truth"
	# another set of generated captures can be checked with GEN_FIXTURES
	GEN=${GEN_FIXTURES:-$FIX/gen}
}

gen_cases() {
	ls "$GEN"/*.truth.tsv 2>/dev/null || true
}

@test "kernel counters: data and retransmitted packets and bytes per subflow, unique bytes per TCP connection" {
	local t cap n=0 fails=""
	[ -n "$(gen_cases)" ] || fail "fixture missing: no generated fixtures yet (test/gen/make-fixtures)"
	for t in $(gen_cases); do
		cap=${t%.truth.tsv}.pcap
		[ -f "$cap" ] || cap=$cap.gz
		if ! "$TRUTH" "$t" "$cap" >"$BATS_TEST_TMPDIR/diff"; then
			fails="$fails
== $(basename "$cap")
$(cat "$BATS_TEST_TMPDIR/diff")"
		fi
		n=$((n + 1))
	done
	[ -z "$fails" ] || { echo "$fails"; false; }
	echo "$n captures"
}

@test "kernel counters: the comparison catches a changed count" {
	# Expected: tcp-metrics changed to count one byte more must be reported.
	local t cap
	t=$(gen_cases | head -1)
	[ -n "$t" ] || fail "fixture missing: no generated fixtures yet"
	cap=${t%.truth.tsv}.pcap
	[ -f "$cap" ] || cap=$cap.gz
	mkdir "$BATS_TEST_TMPDIR/bin"
	cat >"$BATS_TEST_TMPDIR/bin/tcp-metrics" <<-EOF
	#!/bin/sh
	"$BIN/tcp-metrics" "\$@" | awk -F'\t' -v OFS='\t' 'NR == 1 { for (i = 1; i <= NF; i++) if (\$i ~ /_data_bytes\$/) k[i] = 1; print; next }
	    { for (i in k) \$i = \$i + 1; print }'
	EOF
	chmod +x "$BATS_TEST_TMPDIR/bin/tcp-metrics"
	PATH="$BATS_TEST_TMPDIR/bin:$PATH" run "$TRUTH" "$t" "$cap"
	assert_failure 1
	assert_output --partial "data_bytes"
}
