#!/usr/bin/env bats
bats_require_minimum_version 1.5.0
# mptcp-metrics' head-of-line delays (-e hol, the hol and ofo columns of
# the connection and subflow records; man page, Head-of-line delay).
# References, each named in its test:
#  - test/ref/hol-ref.py: the man page's rule applied, in Python, to
#    tshark's dissection (new data by data sequence number, DATA_ACKs);
#  - numpy's percentiles of the samples the events list (the percentile
#    rule the man page names);
#  - a crafted capture whose packets test/craft/craft.py lists, by hand.

setup() {
	load common
	T=$BATS_TEST_TMPDIR
	PAIR=$FIX/gen/pair
}

# hol_rows CAPTURE: "ts_ns dir arrival_ns len ofo" of -e hol, by column name
hol_rows() {
	mptcp-metrics -e hol "$1" 2> /dev/null | pick ts,dir,arrival_ts,len,ofo_bytes |
		awk 'function ns(x, a) { split(x, a, "."); return a[1] substr(a[2] "000000000", 1, 9) }
		    { print ns($1), $2, ns($3), $4, $5 }' | sort
}

@test "every head-of-line sample of every generated capture, both ends, is the reference's (tshark)" {
	command -v tshark > /dev/null || fail "tshark not installed (test/deps)"
	local f n=0 total=0
	for f in "$PAIR"/*.pcap "$FIX"/gen/*.pcap; do
		"$PY" "$TOP/test/ref/hol-ref.py" "$f" | sort > "$T/ref"
		hol_rows "$f" > "$T/got"
		diff "$T/ref" "$T/got" || { echo "${f##*/} differs (< reference, > mptcp-metrics)"; false; }
		total=$((total + $(wc -l < "$T/got")))
		n=$((n + 1))
	done
	[ "$n" -ge 30 ]
	[ "$total" -ge 10000 ]
	# data out of order at the receiver: some sample waited behind others
	hol_rows "$PAIR/mptcp-delay.server.pcap" | awk '$5 > $4 { n++ } END { exit n < 10 }'
}

@test "the connection and subflow columns summarise the events: count, percentiles (numpy), longest, most out of order" {
	local f
	for f in "$PAIR"/mptcp-delay.server.pcap "$PAIR"/mptcp-cut.server.pcap "$FIX"/gen/mptcp-handover.pcap; do
		mptcp-metrics -e hol "$f" 2> /dev/null > "$T/ev"
		mptcp-metrics "$f" 2> /dev/null > "$T/conn"
		mptcp-metrics -s "$f" 2> /dev/null > "$T/sf"
		"$PY" - "$T/ev" "$T/conn" "$T/sf" <<-'EOF' || fail "${f##*/}"
		import csv, sys
		import numpy
		def table(p):
		    return list(csv.DictReader(open(p), delimiter="\t"))
		ev, conn, sf = (table(p) for p in sys.argv[1:4])
		bad = 0
		def check(what, rows, key):
		    global bad
		    for r in rows:
		        for d in ("c2s", "s2c"):
		            ms = [float(e["hol_ms"]) for e in ev if e["dir"] == d and key(e, r)]
		            got = r[d + "_hol_n"]
		            if int(got) != len(ms):
		                print(what, d, "hol_n", got, len(ms)); bad = 1
		            if not ms:
		                continue
		            for col, want in (("p50", numpy.percentile(ms, 50)),
		                              ("p90", numpy.percentile(ms, 90)),
		                              ("p99", numpy.percentile(ms, 99)), ("max", max(ms))):
		                g = float(r[d + "_hol_" + col + "_ms"])
		                if abs(g - want) > 0.0015:
		                    print(what, d, col, g, want); bad = 1
		check("conn", conn, lambda e, r: e["mpconn"] == r["mpconn"])
		check("subflow", sf, lambda e, r: e["mpconn"] == r["mpconn"] and e["subflow"] == r["subflow"])
		for r in conn:
		    for d in ("c2s", "s2c"):
		        o = [int(e["ofo_bytes"]) for e in ev if e["dir"] == d and e["mpconn"] == r["mpconn"]]
		        if o and int(r[d + "_ofo_max_bytes"]) < max(o):
		            print("ofo_max", d, r[d + "_ofo_max_bytes"], max(o)); bad = 1
		n = sum(int(r[d + "_hol_n"]) for r in conn for d in ("c2s", "s2c"))
		sys.exit(bad or n < 100)
		EOF
	done
}

@test "crafted: data waits for the DATA_ACK that covers it, copies do not count (hand-derived)" {
	# mp-reinject (test/craft/craft.py): M1 D0..+100 on Wi-Fi at 0.500, M2
	# +100..+200 at 0.510, R1 (M1 again) at 0.800, R2 +150..+250 on cellular
	# at 0.810 (+200..+250 new), one DATA_ACK D0+250 at 0.860: M1 waited 360
	# ms with 100 bytes out of order, M2 350 ms with 200, R2's new 50 bytes
	# 50 ms with 250; R1 brought nothing new
	local got
	got=$(mptcp-metrics -e hol "$FIX/craft/mp-reinject.pcap" | pick subflow,dsn,len,hol_ms,ofo_bytes)
	assert_equal "$got" "$(printf '0 1 100 360.000 100\n0 101 100 350.000 200\n1 201 50 50.000 250')"
	got=$(mptcp-metrics "$FIX/craft/mp-reinject.pcap" | pick c2s_hol_n,c2s_hol_p50_ms,c2s_hol_max_ms,c2s_ofo_max_bytes)
	assert_equal "$got" "3 350.000 360.000 250"
}
