#!/usr/bin/env bats
bats_require_minimum_version 1.5.0
# tcp-metrics: crafted cases, direct mode against the pipeline, events,
# options and bad input. Where each expected number comes from is said
# per test: the hand derivations beside the crafted captures
# (test/fixtures/craft/NAME.expect.tsv, written in test/craft/craft.py),
# the pipeline itself (the direct mode must equal it), or the record's own
# other columns (events must add up to the per-connection counts).

setup() {
	load common
	EXPECT="$TOP/test/ref/tcp-metrics-expect"
	SHARED_CORPUS="${SHARED_CORPUS:-$TOP/../shared/corpus}"
}

# Every capture that decodes, from every fixture folder.
all_captures() {
	ls "$FIX"/corpus/*.pcap* "$FIX"/link/*.pcap* "$FIX"/gen/*.pcap* \
	    "$FIX"/craft/*.pcap 2>/dev/null |
	    grep -v -e '/bad-' -e '/empty' -e '/notacapture' || true
}

crafted_cases() {
	ls "$FIX"/craft/tcp-*.expect.tsv "$FIX"/craft/mp-*.expect.tsv 2>/dev/null
}

@test "crafted cases: every tcp-metrics column listed equals its hand-derived value" {
	# Expected values: the `value` column of each NAME.expect.tsv, derived
	# by hand from the packet list in test/craft/craft.py.
	local e name n=0 fails=""
	[ -n "$(crafted_cases)" ] || fail "fixture missing: no crafted fixtures"
	for e in $(crafted_cases); do
		name=${e%.expect.tsv}
		tcp-metrics "$name.pcap" >"$BATS_TEST_TMPDIR/m.tsv"
		if ! "$EXPECT" "$e" "$BATS_TEST_TMPDIR/m.tsv" >"$BATS_TEST_TMPDIR/diff"; then
			fails="$fails
== $(basename "$name")
$(cat "$BATS_TEST_TMPDIR/diff")"
		fi
		n=$((n + 1))
	done
	[ -z "$fails" ] || { echo "$fails"; false; }
	echo "$n cases"
}

@test "crafted classes: one per case, as derived in test/craft/README.md" {
	# The class table of test/craft/README.md, by hand: each case's
	# retransmission lands in exactly the class named there.
	local f=$FIX/craft
	[ -f "$f/tcp-rto.pcap" ] || fail "fixture missing: no crafted fixtures"
	check() { # case dir class count
		tcp-metrics "$f/$1.pcap" | pick "$2_$3" >"$BATS_TEST_TMPDIR/v"
		[ "$(cat "$BATS_TEST_TMPDIR/v")" = "$4" ] ||
			{ echo "$1: $2_$3 is $(cat "$BATS_TEST_TMPDIR/v"), want $4"; false; }
	}
	check tcp-rto c2s rexmit_rto 1
	check tcp-ipv6-rto c2s rexmit_rto 1
	check tcp-ipv6-rto c2s rexmit_netdup 0
	check tcp-fastrexmit c2s rexmit_fr 1
	check tcp-reorder c2s rexmit_reorder 1
	check tcp-netdup c2s rexmit_netdup 1
	check tcp-spurious c2s rexmit_unnec_rto 1
	check tcp-zerowin c2s rexmit_flowctl 2
	check tcp-synack-ipid0 s2c rexmit_rto 1
	check tcp-synack-ipid0 s2c rexmit_netdup 0
	check tcp-wrap c2s rexmit_pkts 0
	check tcp-wrap s2c rexmit_pkts 0
	check tcp-keepalive c2s keepalive 2
	check tcp-keepalive c2s rexmit_pkts 0
}

@test "direct mode prints byte for byte what pcap2pkt | flowsplit | tcp-metrics prints" {
	# Expected: the pipeline's output on the same capture. Both ways must
	# succeed (every capture here decodes; pipefail: a failing stage
	# fails) and write at least the header line.
	set -o pipefail
	local f n=0 bad=""
	for f in $(all_captures); do
		tcp-metrics "$f" >"$BATS_TEST_TMPDIR/d.tsv" 2>/dev/null || bad="$bad $f(direct: exit $?)"
		pcap2pkt "$f" 2>/dev/null | flowsplit | tcp-metrics >"$BATS_TEST_TMPDIR/p.tsv" ||
			bad="$bad $f(pipeline: exit $?)"
		[ -s "$BATS_TEST_TMPDIR/d.tsv" ] || bad="$bad $f(no output)"
		cmp -s "$BATS_TEST_TMPDIR/d.tsv" "$BATS_TEST_TMPDIR/p.tsv" || bad="$bad $f"
		n=$((n + 1))
	done
	[ "$n" -ge 50 ] || { echo "only $n captures"; false; }
	[ -z "$bad" ] || { echo "differ:$bad"; false; }
}

@test "direct mode equals the pipeline with -i and -g too, and in every event mode" {
	# Expected: the pipeline's output with the same options.
	local f=$FIX/corpus/pymptcpanalyzer-client_2.pcap ev
	[ -f "$f" ] || f=$SHARED_CORPUS/pymptcpanalyzer-client_2.pcap
	tcp-metrics -i 1 -g 0.2 "$f" >"$BATS_TEST_TMPDIR/d.tsv"
	pcap2pkt "$f" | flowsplit -i 1 -g 0.2 | tcp-metrics -i 1 -g 0.2 >"$BATS_TEST_TMPDIR/p.tsv"
	cmp "$BATS_TEST_TMPDIR/d.tsv" "$BATS_TEST_TMPDIR/p.tsv"
	# a short idle timeout splits connections: more records than by default
	[ "$(wc -l <"$BATS_TEST_TMPDIR/d.tsv")" -gt "$(tcp-metrics "$f" | wc -l)" ]
	for ev in rtt rexmit ack inflight; do
		tcp-metrics -e $ev "$f" >"$BATS_TEST_TMPDIR/d.tsv"
		pcap2pkt "$f" | flowsplit | tcp-metrics -e $ev >"$BATS_TEST_TMPDIR/p.tsv"
		cmp "$BATS_TEST_TMPDIR/d.tsv" "$BATS_TEST_TMPDIR/p.tsv"
	done
}

@test "every record has the header's field count; one record per connection id" {
	# Expected: the header's own field count; flowsplit's connection ids.
	local f
	for f in $(all_captures); do
		tcp-metrics "$f" >"$BATS_TEST_TMPDIR/m.tsv" 2>/dev/null || { echo "${f##*/}: exit $?"; false; }
		awk -F'\t' 'NR == 1 { n = NF } NF != n { print FILENAME ": line " NR ": " NF " fields, header " n; bad = 1 }
		    END { exit bad }' "$BATS_TEST_TMPDIR/m.tsv"
		pcap2pkt "$f" 2>/dev/null | flowsplit | pick conn | sort -u >"$BATS_TEST_TMPDIR/ids"
		pick conn <"$BATS_TEST_TMPDIR/m.tsv" | sort >"$BATS_TEST_TMPDIR/recs"
		cmp -s "$BATS_TEST_TMPDIR/ids" "$BATS_TEST_TMPDIR/recs" ||
			{ echo "$f: record ids differ from flowsplit's"; false; }
	done
}

@test "events add up to the records: RTT samples, classes, acked bytes" {
	# Expected: the per-connection columns of the same run (rtt_n, the
	# class counters, unique bytes of a connection whose data is all
	# acknowledged), and for tcp-rto the hand derivation (3 samples of
	# 50 ms c2s, 200 bytes acknowledged).
	local f=$FIX/craft/tcp-rto.pcap c
	[ -f "$f" ] || fail "fixture missing: no crafted fixtures"
	run tcp-metrics -e rtt "$f"
	assert_success
	assert_line --index 0 "$(printf 'conn\tts\tdir\trtt_ms')"
	[ "$(printf '%s\n' "${lines[@]}" | awk -F'\t' '$3 == "c2s" { n++; if ($4 != "50.000") bad = 1 } END { print n + 0, bad + 0 }')" = "3 0" ]
	run tcp-metrics -e ack "$f"
	assert_success
	[ "$(printf '%s\n' "${lines[@]}" | awk -F'\t' '$3 == "c2s" { s += $4 } END { print s }')" = 200 ]
	run tcp-metrics -e rexmit "$f"
	assert_success
	assert_equal "${#lines[@]}" 2
	assert_line --index 1 --regexp "$(printf '^1\t1700000000.510000\tc2s\trto\t1101\t100\t100$')"
	for f in $FIX/corpus/*.pcap* $FIX/craft/tcp-*.pcap; do
		tcp-metrics "$f" >"$BATS_TEST_TMPDIR/m.tsv"
		want=$(pick c2s_rtt_n,s2c_rtt_n <"$BATS_TEST_TMPDIR/m.tsv" | awk '{ s += $1 + $2 } END { print s + 0 }')
		got=$(tcp-metrics -e rtt "$f" | tail -n +2 | wc -l)
		[ "$want" = "$got" ] || { echo "$f: rtt_n $want, events $got"; false; }
		c=c2s_rexmit_rto,c2s_rexmit_fr,c2s_rexmit_reorder,c2s_rexmit_netdup,c2s_rexmit_flowctl,c2s_rexmit_unknown,c2s_rexmit_unnec_rto,c2s_rexmit_unnec_fr
		c=$c,${c//c2s/s2c}
		want=$(pick $c <"$BATS_TEST_TMPDIR/m.tsv" | awk '{ for (i = 1; i <= NF; i++) s += $i } END { print s + 0 }')
		got=$(tcp-metrics -e rexmit "$f" | tail -n +2 | wc -l)
		[ "$want" = "$got" ] || { echo "$f: classes $want, events $got"; false; }
	done
}

@test "-o writes the records to a file while the events go to stdout" {
	# Expected: the records of a run without -e.
	local f=$FIX/craft/tcp-rto.pcap
	[ -f "$f" ] || f=$FIX/corpus/bro-fin_retransmission.pcap
	tcp-metrics "$f" >"$BATS_TEST_TMPDIR/plain.tsv"
	tcp-metrics -e inflight -o "$BATS_TEST_TMPDIR/recs.tsv" "$f" >"$BATS_TEST_TMPDIR/ev.tsv"
	cmp "$BATS_TEST_TMPDIR/plain.tsv" "$BATS_TEST_TMPDIR/recs.tsv"
	assert_equal "$(head -1 "$BATS_TEST_TMPDIR/ev.tsv")" "$(printf 'conn\tts\tdir\tinflight_bytes')"
}

@test "bad usage: unknown event type, two event types, events and records both on stdout" {
	run tcp-metrics -e nosuch
	assert_failure 2
	assert_output --partial "unknown event type 'nosuch'"
	run tcp-metrics -e rtt -e ack /dev/null
	assert_failure 2
	run tcp-metrics -e rtt -o - /dev/null
	assert_failure 2
	run tcp-metrics -h
	assert_success
	assert_output --partial usage
}

# A small record stream to break: the crafted RTO case, or a corpus one.
records() {
	local f=$FIX/craft/tcp-rto.pcap
	[ -f "$f" ] || f=$FIX/corpus/bro-fin_retransmission.pcap
	pcap2pkt "$f" | flowsplit >"$BATS_TEST_TMPDIR/r.tsv"
}

@test "bad input: a missing packet column names it and pcap2pkt" {
	records
	c=$(col win "$BATS_TEST_TMPDIR/r.tsv")
	run -1 bash -c "cut --complement -f$c '$BATS_TEST_TMPDIR/r.tsv' | tcp-metrics"
	assert_output --partial "no column 'win'"
	assert_output --partial pcap2pkt
}

@test "bad input: a missing conn column names it and flowsplit" {
	records
	c=$(col conn "$BATS_TEST_TMPDIR/r.tsv")
	run -1 bash -c "cut --complement -f$c '$BATS_TEST_TMPDIR/r.tsv' | tcp-metrics"
	assert_output --partial "no column 'conn'"
	assert_output --partial flowsplit
}

@test "bad input: a wrong field count names the line" {
	records
	run -1 bash -c "awk 'NR == 4 { \$0 = \$0 \"\\tx\" } 1' '$BATS_TEST_TMPDIR/r.tsv' | tcp-metrics"
	assert_output --regexp 'tcp-metrics: stdin:4: [0-9]+ fields, the header has [0-9]+'
}

@test "bad input: a non-numeric field names the line, the column and the value" {
	records
	c=$(col seq "$BATS_TEST_TMPDIR/r.tsv")
	run -1 bash -c "awk -F'\t' -v OFS='\t' 'NR == 5 { \$$c = \"12a\" } 1' '$BATS_TEST_TMPDIR/r.tsv' | tcp-metrics"
	assert_output "tcp-metrics: stdin:5: column 'seq': not a whole number: '12a'"
	# conn is any 64-bit number: 2^64 is one too many
	c=$(col conn "$BATS_TEST_TMPDIR/r.tsv")
	run -1 bash -c "awk -F'\t' -v OFS='\t' 'NR == 5 { \$$c = \"18446744073709551616\" } 1' '$BATS_TEST_TMPDIR/r.tsv' | tcp-metrics"
	assert_output "tcp-metrics: stdin:5: column 'conn': number too large: '18446744073709551616'"
	run -1 bash -c "awk -F'\t' -v OFS='\t' 'NR == 5 { \$$c = \"1844674407370955161x\" } 1' '$BATS_TEST_TMPDIR/r.tsv' | tcp-metrics"
	assert_output "tcp-metrics: stdin:5: column 'conn': not a whole number: '1844674407370955161x'"
	run -1 bash -c "awk -F'\t' -v OFS='\t' 'NR == 3 { \$$(col dir "$BATS_TEST_TMPDIR/r.tsv") = \"up\" } 1' '$BATS_TEST_TMPDIR/r.tsv' | tcp-metrics"
	assert_output --partial "stdin:3: column 'dir'"
}

@test "a cut capture among whole ones: records for the rest, exit 3 (partial)" {
	local f=$FIX/craft/tcp-rto.pcap
	[ -f "$f" ] || fail "fixture missing: no crafted fixtures"
	run tcp-metrics "$f" "$FIX/craft/bad-truncated-file.pcap"
	assert_failure 3
	assert_line --partial "truncated"
	# a file that cannot be opened wins: 1
	run tcp-metrics "$f" "$FIX/craft/bad-truncated-file.pcap" "$BATS_TEST_TMPDIR/none.pcap"
	assert_failure 1
}

@test "man page: mandoc -Tlint clean and every column described" {
	command -v mandoc >/dev/null || fail "mandoc not installed: sh test/deps check installs it"
	run mandoc -Tlint -Wwarning "$TOP/man/tcp-metrics.1"
	assert_success
	assert_output ""
	local name missing=""
	for name in $(tcp-metrics "$FIX/corpus/bro-fin_retransmission.pcap" | head -1 | tr '\t' '\n' | sed 's/^[cs]2[sc]_//' | sort -u) \
	    rtt_ms acked_bytes inflight_bytes class; do
		grep -q -E "^\.It (Fl e )?Cm (.* )?$name( |\$)" "$TOP/man/tcp-metrics.1" || missing="$missing $name"
	done
	[ -z "$missing" ] || { echo "not in the man page:$missing"; false; }
}

@test "definitions hold together on every capture" {
	# Expected, from the definitions in tcp-metrics(1): every payload byte
	# is new or sent before, except a keep-alive's byte (so data_bytes -
	# unique_bytes - rexmit_bytes is between 0 and keepalive); every
	# retransmission gets one class and so may a hole fill (classes between
	# rexmit_pkts and rexmit_pkts + ooo_pkts); rtt_min <= p50 <= p99 <=
	# rtt_max.
	local f
	for f in $(all_captures); do
		tcp-metrics "$f" 2>/dev/null | awk -F'\t' -v f="$f" '
		NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		{
			for (d = 0; d < 2; d++) {
				p = d ? "s2c_" : "c2s_"
				x = $(c[p "data_bytes"]) - $(c[p "unique_bytes"]) - $(c[p "rexmit_bytes"])
				if (x < 0 || x > $(c[p "keepalive"])) { print f, $1, p "bytes", x; bad = 1 }
				n = split("rto fr reorder netdup flowctl unknown unnec_rto unnec_fr", k, " ")
				cls = 0
				for (j = 1; j <= n; j++) cls += $(c[p "rexmit_" k[j]])
				if (cls < $(c[p "rexmit_pkts"]) || cls > $(c[p "rexmit_pkts"]) + $(c[p "ooo_pkts"])) {
					print f, $1, p "classes", cls; bad = 1
				}
				if ($(c[p "rtt_n"]) > 0 && !($(c[p "rtt_min_ms"]) <= $(c[p "rtt_p50_ms"]) &&
				    $(c[p "rtt_p50_ms"]) <= $(c[p "rtt_p99_ms"]) && $(c[p "rtt_p99_ms"]) <= $(c[p "rtt_max_ms"]))) {
					print f, $1, p "percentiles"; bad = 1
				}
			}
		}
		END { exit bad }'
	done
}

# RTT statistics of a tcp-metrics record against numpy on the samples of
# -e rtt (exact, ms with 3 decimals): exact below 8192 samples (within the
# 3 decimals), within 1% beyond (summary.h); sample stdev, '-' below 2.
rtt_vs_numpy() {
	"$PY" - "$1" "$2" <<-'EOF'
	import csv, sys
	import numpy as np
	ev = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
	bad = big = 0
	for m in csv.DictReader(open(sys.argv[2]), delimiter="\t"):
	    for d in ("c2s", "s2c"):
	        v = np.array([float(e["rtt_ms"]) for e in ev if e["conn"] == m["conn"] and e["dir"] == d])
	        if int(m[d + "_rtt_n"]) != len(v):
	            print("count", m["conn"], d); bad = 1
	        if not len(v):
	            continue
	        exact = len(v) <= 8192
	        big += not exact
	        want = {"min": v.min(), "max": v.max(), "avg": v.mean(), "stdev": v.std(ddof=1) if len(v) > 1 else None}
	        for k, w in want.items():
	            got = m["%s_rtt_%s_ms" % (d, k)]
	            if (w is None) != (got == "-") or (w is not None and abs(float(got) - w) > 0.0015):
	                print(m["conn"], d, k, got, w); bad = 1
	        for q in (50, 90, 95, 99):
	            w, got = np.percentile(v, q), float(m["%s_rtt_p%d_ms" % (d, q)])
	            if abs(got - w) > (0.0015 if exact else 0.01 * w + 0.0005):
	                print(m["conn"], d, "p%d" % q, got, w, "exact" if exact else "histogram"); bad = 1
	print(big)
	sys.exit(bad)
	EOF
}

@test "RTT statistics equal numpy on the samples of -e rtt (numpy's percentiles, sample stdev)" {
	local f
	for f in "$FIX"/gen/*.pcap "$FIX"/corpus/pymptcpanalyzer-client_1_tcp_only.pcap; do
		tcp-metrics -e rtt "$f" > "$BATS_TEST_TMPDIR/ev" 2>/dev/null
		tcp-metrics "$f" > "$BATS_TEST_TMPDIR/m" 2>/dev/null
		run rtt_vs_numpy "$BATS_TEST_TMPDIR/ev" "$BATS_TEST_TMPDIR/m"
		[ "$status" -eq 0 ] || { echo "${f##*/}: $output"; false; }
	done
}

@test "RTT percentiles beyond 8192 samples: within 1% of numpy (crafted mp-long, 8200 per subflow)" {
	"$PY" "$TOP/test/craft/craft.py" "$BATS_TEST_TMPDIR" mp-long > /dev/null
	tcp-metrics -e rtt "$BATS_TEST_TMPDIR/mp-long.pcap" > "$BATS_TEST_TMPDIR/ev"
	tcp-metrics "$BATS_TEST_TMPDIR/mp-long.pcap" > "$BATS_TEST_TMPDIR/m"
	run rtt_vs_numpy "$BATS_TEST_TMPDIR/ev" "$BATS_TEST_TMPDIR/m"
	assert_success
	# both subflows were beyond the exact bound
	assert_output 2
}

@test "ifindex, ifname: the capture's interface of each connection's first packet, as tshark dissects it" {
	# expected: test/ref/iface-first (tshark's sll.ifindex and
	# frame.interface_name of each TCP stream's first frame)
	local f n=0
	for f in "$FIX"/gen/*.pcap "$FIX"/link/ifnames.pcapng "$FIX"/corpus/*.pcapng "$FIX"/corpus/tcpdump-mptcp-v1.pcap; do
		tcp-metrics "$f" > "$BATS_TEST_TMPDIR/t" 2> /dev/null
		run "$PY" "$TOP/test/ref/iface-first" "$f" "$BATS_TEST_TMPDIR/t"
		[ "$status" -eq 0 ] || { echo "${f##*/}: $output"; false; }
		n=$((n + 1))
	done
	[ "$n" -ge 10 ]
	# Wi-Fi and cellular subflows of mptcp-both are on interfaces 2 and 3
	assert_equal "$(tcp-metrics "$FIX/gen/mptcp-both.pcap" | pick ifindex | sort -u | paste -sd' ')" "2 3"
}
