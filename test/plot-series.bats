#!/usr/bin/env bats
bats_require_minimum_version 1.5.0
# plot-series: each plot made from a gen capture's analysed tables, its
# .dat holding the points computed here with awk from the tables
# themselves (mptcp_dack.tsv, tcp_ack.tsv, mptcp_subflows.tsv), its .gp
# re-running from a moved folder; PNG, SVG and PDF.

setup_file() {
	load common
	A=$BATS_FILE_TMPDIR/stats
	"$TOP/pipelines/analyze" -o "$A" "$FIX/gen/mptcp-handover.pcap" > /dev/null 2>&1
	tcp-metrics -e inflight -o /dev/null "$FIX/gen/mptcp-handover.pcap" > "$A/mptcp-handover/tcp_inflight.tsv"
}

setup() {
	load common
	A=$BATS_FILE_TMPDIR/stats/mptcp-handover
	T=$BATS_TEST_TMPDIR
	P=$TOP/pipelines
}

@test "goodput, RTT and in-flight plots of the handover; the .dat holds the tables' bytes per bin" {
	run -0 "$P/plot-series" -o "$T/p/ho" "$A"
	assert_output "$(printf '%s\n' "$T/p/ho-goodput.png" "$T/p/ho-rtt.png" "$T/p/ho-inflight.png")"
	for n in goodput rtt inflight; do
		[ -s "$T/p/ho-$n.png" ] && [ -s "$T/p/ho-$n.dat" ] && [ -s "$T/p/ho-$n.gp" ] || fail "no $n plot"
		file "$T/p/ho-$n.png" | grep -q 'PNG image' || fail "$n: not a PNG"
	done
	# expected goodput points: from the tables with awk, per 0.1 s bin
	# from mptcp_conns' start_ts, c2s (the direction with the most
	# DATA_ACKed bytes: 800017 against 50001): the DATA_ACKed bytes of
	# mptcp_dack.tsv, and the TCP-acknowledged bytes of the Wi-Fi and the
	# cellular subflow's TCP connections in tcp_ack.tsv, as Mbit/s
	awk -F'\t' '
	function cols(a) { for (i = 1; i <= NF; i++) a[$i] = i }
	function bin(ts) { split(ts, p, "."); return int(((p[1] - s0) * 1000000 + (p[2] - f0)) / 100000) }
	FILENAME == ARGV[1] { if (FNR == 1) { cols(m); next } split($m["start_ts"], q, "."); s0 = q[1]; f0 = q[2]; next }
	FILENAME == ARGV[2] { if (FNR == 1) { cols(s); next } ifc[$s["conn"]] = $s["iface"]; next }
	FILENAME == ARGV[3] { if (FNR == 1) { cols(d); next }
		if ($d["dir"] == "c2s") { k = bin($d["ts"]); conn[k] += $d["bytes"]; lo = (lo == "" || k < lo) ? k : lo; hi = k > hi ? k : hi } next }
	FNR == 1 { cols(t); next }
	$t["dir"] == "c2s" && ($t["conn"] in ifc) { k = bin($t["ts"]); v[k, ifc[$t["conn"]]] += $t["acked_bytes"]
		lo = k < lo ? k : lo; hi = k > hi ? k : hi }
	END { for (k = lo; k <= hi; k++)
		printf "%.6f\t%.6f\t%.6f\t%.6f\t%.6f\n", k / 10, v[k, "wifi"] * 8 / 0.1 / 1e6, v[k, "cellular"] * 8 / 0.1 / 1e6, 0, conn[k] * 8 / 0.1 / 1e6 }' \
	    "$A/mptcp_conns.tsv" "$A/mptcp_subflows.tsv" "$A/mptcp_dack.tsv" "$A/tcp_ack.tsv" > "$T/want"
	[ "$(wc -l < "$T/want")" -ge 15 ] || fail "too few bins expected"
	grep -v '^#' "$T/p/ho-goodput.dat" | sed '$d' > "$T/got"
	diff "$T/want" "$T/got" || fail "goodput .dat differs from the tables' bins (<)"
	# the connection's bins sum to mptcp_conns' c2s_unique_bytes + the DATA_FIN
	awk -F'\t' '!/^#/ { s += $5 } END { printf "%.0f\n", s * 0.1 * 1e6 / 8 - $5 * 0.1 * 1e6 / 8 }' "$T/p/ho-goodput.dat" > "$T/sum"
	assert_equal "$(cat "$T/sum")" 800017
	# RTT: a block per subflow, named by interface, the samples of
	# tcp_rtt.tsv per subflow (conn 1 Wi-Fi, conn 2 cellular, c2s)
	grep -q '^# subflow 0 (Wi-Fi)' "$T/p/ho-rtt.dat" || fail "no Wi-Fi block"
	grep -q '^# subflow 1 (cellular)' "$T/p/ho-rtt.dat" || fail "no cellular block"
	for c in 1 2; do
		want=$(awk -F'\t' -v c=$c 'NR > 1 && $2 == c && $4 == "c2s" { n++ } END { print n }' "$A/tcp_rtt.tsv")
		got=$(awk -F'\t' -v b=$((c - 1)) '/^# subflow/ { k++ } !/^#/ && NF && k == b + 1 { n += $5 } END { print n }' "$T/p/ho-rtt.dat")
		assert_equal "$got" "$want"
	done
	grep -q "title 'subflow 1 (cellular)'" "$T/p/ho-rtt.gp" || fail "RTT legend does not name the interface"
	grep -q "ylabel 'RTT (ms)" "$T/p/ho-rtt.gp" || fail "no RTT unit"
	grep -q "ylabel 'goodput (Mbit/s)'" "$T/p/ho-goodput.gp" || fail "no goodput unit"
	grep -q 'set key at screen 0.5, screen 0.015 bottom' "$T/p/ho-goodput.gp" || fail "legend not outside the data"
	# in flight: the highest of all bins per subflow is tcp_conns' c2s_inflight_max
	want=$(awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next } $c["conn"] == 2 { print $c["c2s_inflight_max"] }' "$A/tcp_conns.tsv")
	got=$(awk -F'\t' '/^# subflow 1/ { k = 1; next } /^# subflow/ { k = 0 } k && NF && $2 > m { m = $2 } END { print m }' "$T/p/ho-inflight.dat")
	assert_equal "$got" "$want"
}

@test "the .gp scripts re-run from a moved folder; SVG and PDF; no in-flight table, a message" {
	run -0 "$P/plot-series" -f svg -w 0.2 -o "$T/p/x" "$A"
	mv "$T/p" "$T/moved"
	rm "$T/moved"/x-*.svg
	for n in goodput rtt inflight; do
		(cd "$T/moved" && gnuplot "x-$n.gp") || fail "$n.gp fails in the moved folder"
		grep -q '<svg' "$T/moved/x-$n.svg" || fail "$n: no SVG"
	done
	run -0 "$P/plot-series" -f pdf -o "$T/q/y" "$A"
	file "$T/q/y-goodput.pdf" | grep -q PDF || fail "not a PDF"
	mkdir "$T/noinfl"
	cp "$A"/*.tsv "$T/noinfl"
	rm "$T/noinfl/tcp_inflight.tsv"
	run --separate-stderr -0 "$P/plot-series" -o "$T/r/z" "$T/noinfl"
	[[ $stderr == *"no in-flight table"* ]] || fail "no message: $stderr"
	[ ! -e "$T/r/z-inflight.png" ]
	run -1 "$P/plot-series" -c 5 -o "$T/r/z" "$A"
	assert_output --partial "no DATA_ACKed data of MPTCP connection 5"
	run -2 "$P/plot-series" -d up "$A"
}
