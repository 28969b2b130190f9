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

@test "-T: the whole capture's cumulative bytes per direction and interface; the .dat holds the tables' running sums" {
	# a TCP capture and an MPTCP one, in bins of 0.05 s
	"$TOP/pipelines/analyze" -o "$T/a" "$FIX/gen/tcp-loss.pcap" > /dev/null 2>&1
	local c
	for c in "$T/a/tcp-loss" "$A"; do
		run -0 "$P/plot-series" -T -w 0.05 -o "$T/p/t" "$c"
		assert_output "$T/p/t-trace.png"
		file "$T/p/t-trace.png" | grep -q 'PNG image' || fail "not a PNG"
		# expected, computed here with python's csv from tcp_conns.tsv and
		# tcp_ack.tsv: per TCP direction (no subflow of these captures was
		# opened by the server) and interface, the acked_bytes summed per
		# 0.05 s bin from the lowest first_ts, as a running sum at each
		# bin's end, from 0 at 0 to the direction's last byte; an interface
		# only with bytes, n its connections with some
		"$PY" - "$c" > "$T/want" <<-'PY'
		import csv, sys
		def rows(f):
		    return list(csv.DictReader(open(f, newline=""), delimiter="\t", quoting=csv.QUOTE_NONE))
		def ns(t):
		    a, _, b = t.partition(".")
		    return int(a) * 10**9 + int((b + "0" * 9)[:9])
		d = sys.argv[1]
		conns = {r["conn"]: r["iface"] for r in rows(d + "/tcp_conns.tsv")}
		t0 = min(ns(r["first_ts"]) for r in rows(d + "/tcp_conns.tsv"))
		w = 50 * 10**6
		acks = [r for r in rows(d + "/tcp_ack.tsv") if int(r["acked_bytes"]) > 0]
		names = {"wifi": "Wi-Fi", "cellular": "cellular", "?": "unknown"}
		for dr in ("c2s", "s2c"):
		    mine = [r for r in acks if r["dir"] == dr]
		    if not mine:
		        continue
		    last = max((ns(r["ts"]) - t0) // w for r in mine)
		    for i in ("wifi", "cellular", "?"):
		        ri = [r for r in mine if conns[r["conn"]] == i]
		        if not ri:
		            continue
		        n = len({r["conn"] for r in ri})
		        print("# %s %s, n = %s: end_s\tcum_bytes" % (dr, names[i], "1 connection" if n == 1 else "%d connections" % n))
		        print("0\t0")
		        cum = 0
		        for k in range(last + 1):
		            cum += sum(int(r["acked_bytes"]) for r in ri if (ns(r["ts"]) - t0) // w == k)
		            print("%.9g\t%d" % ((k + 1) * 0.05, cum))
		        print("\n")
		PY
		sed '$d' "$T/want" | sed '$d' > "$T/want2"
		diff "$T/want2" "$T/p/t-trace.dat" || fail "$c: trace .dat differs from the tables' running sums (<)"
		[ "$(grep -c '^#' "$T/p/t-trace.dat")" -ge 2 ] || fail "$c: fewer than 2 blocks"
		# legends name the interface with n, sit outside the panels; units
		grep -Eq "title '(Wi-Fi|cellular) \(n = [0-9]+ connections?\)'" "$T/p/t-trace.gp" || fail "no legend with n"
		# the panels end at 0.64 of the width, the legend starts at 0.66
		grep -q "set rmargin at screen 0.64" "$T/p/t-trace.gp" || fail "no room right of the panels"
		grep -q "set key at screen 0.66, graph 1 left top" "$T/p/t-trace.gp" || fail "legend not outside the data"
		grep -q "ylabel 'acknowledged data, cumulative (MB)'" "$T/p/t-trace.gp" || fail "no unit"
		grep -q "xlabel 'time from the capture start (s)'" "$T/p/t-trace.gp" || fail "no time unit"
	done
	# the handover, by hand from its tcp_conns.tsv: two Wi-Fi and cellular
	# c2s blocks and the cellular s2c one (the Wi-Fi subflow carried no s2c byte)
	assert_equal "$(grep '^#' "$T/p/t-trace.dat" | cut -d, -f1)" "$(printf '%s\n' '# c2s Wi-Fi' '# c2s cellular' '# s2c cellular')"
	# -d: one panel; -l: a log y axis, the zeros left out and said
	run --separate-stderr -0 "$P/plot-series" -T -l -d s2c -w 0.05 -o "$T/p/l" "$A"
	grep -q 'set logscale y' "$T/p/l-trace.gp" || fail "no log y"
	grep -q 'multiplot layout 1,1' "$T/p/l-trace.gp" || fail "not one panel"
	[[ $stderr == *"log y axis: "*" bins with 0 bytes so far left out"* ]] || fail "no message: $stderr"
	run awk '!/^#/ && NF && $2 <= 0' "$T/p/l-trace.dat"
	assert_output ""
	# re-runs from a moved folder
	mv "$T/p" "$T/moved"
	rm "$T/moved/t-trace.png"
	(cd "$T/moved" && gnuplot t-trace.gp) || fail "t-trace.gp fails in the moved folder"
	[ -s "$T/moved/t-trace.png" ]
	run -2 "$P/plot-series" -T -c 1 "$A"
	assert_output "plot-series: -T: the whole capture, no -c or -I"
}

@test "-l: the RTT plot on a log y axis, bins with a 0 ms lowest sample left out" {
	run --separate-stderr -0 "$P/plot-series" -l -o "$T/p/r" "$A"
	grep -q 'set logscale y' "$T/p/r-rtt.gp" || fail "no log y"
	run grep -c 'yrange \[0:' "$T/p/r-rtt.gp"
	assert_output 0
	# expected: the rows of the linear plot whose min_ms is above 0
	"$P/plot-series" -o "$T/q/r" "$A" > /dev/null 2>&1
	awk '/^#/ || !NF || $3 > 0' "$T/q/r-rtt.dat" > "$T/want"
	run awk '!/^#/ && NF' "$T/want"
	[ "${#lines[@]}" -ge 10 ] || fail "few RTT bins"
	# the same blocks and rows, less those left out
	diff "$T/want" "$T/p/r-rtt.dat" || fail "log RTT .dat differs (<)"
	run grep -c 'set logscale y' "$T/p/r-goodput.gp"
	assert_output 0
}
