#!/usr/bin/env bats
bats_require_minimum_version 1.5.0
# mptcp-metrics: per MPTCP connection and per subflow statistics.
# References, each named in its test:
#  - kernel counters saved by test/gen beside each generated capture
#    (MPTCP_INFO; test/ref/mptcp-truth);
#  - reinjections, TCP retransmissions and unique bytes against the
#    independent oracle: test/mptcp-oracle.bats (test/ref/mptcp-oracle);
#  - the accounting identity of mptcp-metrics(1), and tcp-metrics (the
#    same TCP retransmission rule, independent of the data level);
#  - test/ref/mptcp-mptcptrace: mptcptrace's seqAcked and conTime
#    definitions applied to tshark's 64-bit DATA_ACKs and IDSNs;
#  - hand-derived expectations of the crafted cases (test/ref/mptcp-expect);
#  - numpy for the RTT percentiles.

setup_file() {
	# the long crafted cases are made here, not shipped (test/craft/craft.py)
	/usr/bin/python3 "$BATS_TEST_DIRNAME/craft/craft.py" "$BATS_FILE_TMPDIR" mp-long mp-bound > /dev/null
}

setup() {
	load common
	export -f pick
	T=$BATS_TEST_TMPDIR
	BIG=$BATS_FILE_TMPDIR
}

mptcp_captures() {
	local f
	for f in "$FIX"/corpus/*mptcp*.pcap "$FIX"/corpus/pymptcpanalyzer-*.pcap "$FIX"/craft/mp-*.pcap "$FIX"/gen/*.pcap; do
		[ -e "$f" ] && echo "$f"
	done
	return 0
}

# Every capture with MPTCP, the long crafted ones too.
all_mptcp() {
	mptcp_captures
	echo "$BIG/mp-long.pcap"
	echo "$BIG/mp-bound.pcap"
}

@test "crafted mp-* cases: hand-derived bytes, reinjections, DATA_FIN, fallback, MP_PRIO, fast close" {
	local f n=0
	for f in "$FIX"/craft/mp-*.pcap; do
		mptcp-join "$f" > "$T/j"
		mptcp-join -s "$f" > "$T/s"
		mptcp-metrics "$f" > "$T/m"
		mptcp-metrics -s "$f" > "$T/ms"
		run "$PY" "$TOP/test/ref/mptcp-expect" "${f%.pcap}.expect.tsv" "$T/j" "$T/s" "$T/m" "$T/ms"
		[ "$status" -eq 0 ] || { echo "${f##*/}: $output"; false; }
		n=$((n + 1))
	done
	[ "$n" -ge 10 ]
}

@test "unique bytes and connection time follow mptcptrace's seqAcked and conTime" {
	# unique = seqAcked - 1 (the IDSN's octet) - 1 if the DATA_FIN was
	# acked; last_dack_ts and con_time_s are mptcptrace's. mp-dsnwrap is
	# left out: tshark does not widen DATA_ACKs across the 2^32 wrap.
	local f n=0
	for f in $(mptcp_captures); do
		case $f in *mp-dsnwrap*) continue ;; esac
		mptcp-join "$f" > "$T/j"
		"$PY" "$TOP/test/ref/mptcp-mptcptrace" "$f" "$T/j" > "$T/ref"
		mptcp-metrics "$f" > "$T/m"
		run "$PY" - "$T/ref" "$T/m" <<-'EOF'
		import csv, sys
		from decimal import Decimal
		m = {r["mpconn"]: r for r in csv.DictReader(open(sys.argv[2]), delimiter="\t")}
		bad = 0
		for r in csv.DictReader(open(sys.argv[1]), delimiter="\t"):
		    x, d = m[r["mpconn"]], r["dir"]
		    want = (str(int(r["seq_acked"]) - 1 - int(x[d + "_data_fin_acked"])),
		            Decimal(r["last_dack_ts"]), Decimal(r["con_time_s"]))
		    got = (x[d + "_unique_bytes"], Decimal(x[d + "_last_dack_ts"]), Decimal(x[d + "_con_time_s"]))
		    if want != got:
		        print("mpconn %s %s: mptcptrace %s, mptcp-metrics %s" % (r["mpconn"], d, want, got))
		        bad = 1
		sys.exit(bad)
		EOF
		[ "$status" -eq 0 ] || { echo "${f##*/}: $output"; false; }
		n=$((n + 1))
	done
	[ "$n" -ge 15 ]
}

@test "v0 corpus: one record per tshark mptcp.stream" {
	local f want got
	for f in "$FIX"/corpus/tcpdump-mptcp-v0.pcap "$FIX"/corpus/pymptcpanalyzer-client_2.pcap \
	    "$FIX"/corpus/pymptcpanalyzer-server_2.pcap "$FIX"/corpus/pymptcpanalyzer-iperf-mptcp-0-0.pcap; do
		want=$(tshark -n -r "$f" -o mptcp.analyze_mptcp:TRUE -T fields -e mptcp.stream 2>/dev/null | grep -v '^$' | sort -u | wc -l)
		got=$(mptcp-metrics "$f" | tail -n +2 | wc -l)
		[ "$want" -eq "$got" ] || { echo "${f##*/}: tshark $want, mptcp-metrics $got"; false; }
	done
}

@test "kernel ground truth on every generated MPTCP capture (MPTCP_INFO)" {
	local f n=0
	for f in "$FIX"/gen/mptcp-*.pcap; do
		[ -e "$f" ] || continue
		mptcp-metrics "$f" > "$T/m"
		mptcp-metrics -s "$f" > "$T/ms"
		run "$PY" "$TOP/test/ref/mptcp-truth" "${f%.pcap}.truth.tsv" "$T/m" "$T/ms"
		[ "$status" -eq 0 ] || { echo "${f##*/}: $output"; false; }
		n=$((n + 1))
	done
	[ "$n" -gt 0 ] || fail "fixture missing: no generated captures in test/fixtures/gen (test/gen/make-fixtures)"
}

@test "RTT statistics equal numpy on the samples of -e rtt" {
	local f=$FIX/corpus/pymptcpanalyzer-client_2.pcap
	mptcp-metrics -e rtt "$f" > "$T/ev"
	mptcp-metrics "$f" > "$T/m"
	run "$PY" - "$T/ev" "$T/m" <<-'EOF'
	import csv, sys
	import numpy as np
	ev = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
	bad, n = 0, 0
	for m in csv.DictReader(open(sys.argv[2]), delimiter="\t"):
	    for d in ("c2s", "s2c"):
	        v = np.array([float(e["rtt_ms"]) for e in ev if e["mpconn"] == m["mpconn"] and e["dir"] == d])
	        if int(m[d + "_rtt_n"]) != len(v):
	            print("count", m["mpconn"], d); bad = 1
	        if not len(v):
	            continue
	        n += len(v)
	        want = {"min": v.min(), "max": v.max(), "avg": v.mean(),
	                "stdev": v.std(ddof=1) if len(v) > 1 else None}
	        for q in (25, 50, 75, 90, 95, 97, 98, 99):
	            want["p%d" % q] = np.percentile(v, q)
	        for k, w in want.items():
	            got = m["%s_rtt_%s_ms" % (d, k)]
	            if w is None:
	                if got != "-":
	                    print(m["mpconn"], d, k, got, "for one sample"); bad = 1
	            elif abs(float(got) - w) > 0.0015:
	                print(m["mpconn"], d, k, m["%s_rtt_%s_ms" % (d, k)], w); bad = 1
	print(n)
	sys.exit(bad)
	EOF
	assert_success
	[ "${lines[-1]}" -gt 100 ]
}

@test "RTT sample of a single mapping: first transmission to the covering DATA_ACK (crafted mp-datafin)" {
	# mp-datafin: 100 bytes at 0.200, DATA_ACK idsn_c2s+101 at 0.250 (expect file)
	run bash -c "mptcp-metrics -e rtt $FIX/craft/mp-datafin.pcap | pick dir,subflow,len,rtt_ms"
	assert_output "c2s 0 100 50.000"
}

@test "reinjection events name both subflows and the delay (crafted mp-reinject)" {
	# R1 at 0.800 repeats M1 (0.500, Wi-Fi); R2 at 0.810 repeats the second
	# half of M2 (0.510): hand derivation in the expect file
	run bash -c "mptcp-metrics -e reinject $FIX/craft/mp-reinject.pcap | pick len,from_subflow,to_subflow,delay_s"
	assert_output "$(printf '100 0 1 0.300000\n50 0 1 0.300000')"
}

@test "bursts and switches (crafted mp-reinject and mp-prio)" {
	# mp-reinject c2s: M1 M2 on Wi-Fi, R1 R2 on cellular: 2 bursts, 1 switch
	run bash -c "mptcp-metrics -e bursts $FIX/craft/mp-reinject.pcap | pick dir,burst,subflow,mappings,pkts,bytes"
	assert_output "$(printf 'c2s 1 0 2 2 200\nc2s 2 1 2 2 200')"
	# packets per burst (test/craft/craft.py's packet lists): mp-remap-acked's
	# R is one mapping of 300 bytes in three segments on cellular after M1
	# and M3 on Wi-Fi; in mp-rexmit-acked M1 sent again on Wi-Fi at 1.100 is
	# a TCP retransmission (no new data): no packet of any burst
	run bash -c "mptcp-metrics -e bursts $FIX/craft/mp-remap-acked.pcap | pick burst,subflow,mappings,pkts,bytes"
	assert_output "$(printf '1 0 2 2 200\n2 1 1 3 300')"
	run bash -c "mptcp-metrics -e bursts $FIX/craft/mp-rexmit-acked.pcap | pick burst,subflow,mappings,pkts,bytes"
	assert_output "$(printf '1 0 1 1 100\n2 1 1 1 100')"
	run bash -c "mptcp-metrics $FIX/craft/mp-prio.pcap | pick c2s_bursts,c2s_switches"
	assert_output "2 1"
}

@test "subflow records: shares, join delay, backup, reinjection origin (crafted mp-prio, mp-reinject)" {
	run bash -c "mptcp-metrics -s $FIX/craft/mp-prio.pcap | pick subflow,join_delay_s,backup_initial,backup,c2s_data_bytes,c2s_share"
	assert_output "$(printf '0 0.000000 0 0 100 0.500000\n1 0.300000 0 1 100 0.500000')"
	run bash -c "mptcp-metrics -s $FIX/craft/mp-reinject.pcap | pick subflow,c2s_reinj_origin_bytes,c2s_reinj_carried_bytes,c2s_reinj_carried_segs"
	assert_output "$(printf '0 150 0 0\n1 0 150 2')"
}

@test "handover: a subflow whose path went silent while another carried data on" {
	# mp-reinject (packet list in test/craft/craft.py): the client sends on
	# Wi-Fi until 0.510 and never FINs it; cellular carries data at 0.800:
	# Wi-Fi handed over, cellular did not
	run bash -c "mptcp-metrics -s $FIX/craft/mp-reinject.pcap | pick subflow,handover"
	assert_output "$(printf '0 1\n1 0')"
	# mp-join-failed: the failed joins never carried data
	run bash -c "mptcp-metrics -s $FIX/craft/mp-join-failed.pcap | pick handover | sort -u"
	assert_output 0
}

@test "handover on the generated captures: only the Wi-Fi subflow of mptcp-handover" {
	# test/gen/make-fixtures: mptcp-handover blackholes Wi-Fi (subflow 0)
	# after 300 kB; every other scenario closes all its subflows normally
	local f
	for f in "$FIX"/gen/mptcp-*.pcap; do
		[ -e "$f" ] || fail "fixture missing: no generated captures"
		run bash -c "mptcp-metrics -s $f | pick subflow,handover | awk '\$2==1{print \$1}'"
		case $f in *mptcp-handover*) assert_output 0 ;; *) assert_output "" ;; esac
	done
}

@test "address events: ADD_ADDR and REMOVE_ADDR of the v0 corpus capture (tcpdump -v: add-addr id 1 10.1.2.2, remove-addr id 0)" {
	run bash -c "mptcp-metrics -e addr $FIX/corpus/tcpdump-mptcp-v0.pcap 2>/dev/null | pick dir,event,addr_id,addr"
	assert_output "$(printf 's2c add_addr 1 10.1.2.2\ns2c rm_addr 0 -')"
	run bash -c "mptcp-metrics $FIX/corpus/tcpdump-mptcp-v0.pcap 2>/dev/null | pick s2c_add_addr,s2c_rm_addr,c2s_add_addr"
	assert_output "1 1 0"
}

@test "DATA_ACK events add up to the unique bytes" {
	# Expected: per connection and direction, the record's unique bytes
	# plus the DATA_FIN octets acknowledged (mptcptrace's seqAcked - 1, as
	# checked above). Columns are picked by name; every (mpconn, dir) must
	# be on both sides with the same sum (diff), none missing or extra.
	set -o pipefail
	local f=$FIX/corpus/pymptcpanalyzer-client_2.pcap
	mptcp-metrics -e dack "$f" 2> /dev/null | pick mpconn,dir,bytes |
	    awk '$3 != "-" {s[$1 " " $2] += $3} END {for (k in s) print k, s[k]}' | sort > "$T/ev"
	mptcp-metrics "$f" 2> /dev/null |
	    pick mpconn,c2s_unique_bytes,s2c_unique_bytes,c2s_data_fin_acked,s2c_data_fin_acked |
	    awk '$2 == "-" || $3 == "-" {print "unknown unique bytes: " $0 > "/dev/stderr"; exit 1}
	        {print $1, "c2s", $2 + $4; print $1, "s2c", $3 + $5}' | sort > "$T/m"
	[ "$(wc -l < "$T/m")" -ge 8 ] # 4 connections (tshark mptcp.stream, above)
	run diff "$T/ev" "$T/m"
	assert_success
}

@test "direct capture mode prints exactly what the pipeline prints, in every mode" {
	local f o n=0
	for f in $(mptcp_captures) "$FIX"/corpus/*.pcap*; do
		for o in "" -s "-e bursts" "-e reinject" "-e rtt" "-e dack" "-e addr" "-e stall"; do
			pcap2pkt "$f" | flowsplit | mptcp-join | mptcp-metrics $o > "$T/p"
			mptcp-metrics $o "$f" > "$T/d"
			cmp "$T/p" "$T/d" || { echo "${f##*/} $o differ"; false; }
		done
		n=$((n + 1))
	done
	[ "$n" -ge 20 ]
}

@test "state tags: mptcp-join's mpver, tokens and IDSNs are tshark's keys hashed (hashlib), and mptcp-metrics prints them, piped or direct" {
	# test/ref/ids-check --tags: per connection the version of tshark's
	# first MP_CAPABLE SYN/ACK (else first MP_CAPABLE), each side's first
	# key, token and IDSN from SHA-1 (v0) / SHA-256 (v1) of it
	command -v tshark >/dev/null || fail "tshark not installed (test/deps)"
	local f n=0
	for f in "$FIX"/gen/mptcp-*.pcap "$FIX"/corpus/tcpdump-mptcp-v0.pcap \
	    "$FIX"/corpus/tcpdump-mptcp-v1.pcap "$FIX"/corpus/pymptcpanalyzer-client_2.pcap; do
		pcap2pkt "$f" 2> /dev/null | flowsplit | mptcp-join 2> /dev/null > "$T/j"
		mptcp-metrics "$T/j" > "$T/p" 2> /dev/null
		mptcp-metrics "$f" > "$T/d" 2> /dev/null
		run "$PY" "$TOP/test/ref/ids-check" --tags "$f" "$T/j" "$T/p" "$T/d"
		[ "$status" -eq 0 ] || { echo "${f##*/}: $output"; false; }
		n=$((n + 1))
	done
	[ "$n" -ge 10 ] || fail "fixtures missing: $n captures"
}

@test "state tags: the pipe needs no MP_CAPABLE version, flags, checksum or key column (mptcp-join alone reads them)" {
	local f n=0
	for f in $(mptcp_captures); do
		pcap2pkt "$f" 2> /dev/null | flowsplit | mptcp-join 2> /dev/null |
		    awk -F'\t' -v OFS='\t' 'NR==1{for(i=1;i<=NF;i++)if($i!~/^mpc_(ver|flags|csum|skey|rkey)$/)k[++m]=i}
			{s=$k[1]; for(i=2;i<=m;i++)s=s OFS $k[i]; print s}' > "$T/cut"
		head -1 "$T/cut" | grep -q mpc_dlen
		! head -1 "$T/cut" | grep -q mpc_skey
		for o in "" -s "-e rtt"; do
			mptcp-metrics $o "$T/cut" > "$T/p" 2> /dev/null
			mptcp-metrics $o "$f" > "$T/d" 2> /dev/null
			cmp "$T/p" "$T/d" || { echo "${f##*/} $o differ"; false; }
		done
		n=$((n + 1))
	done
	[ "$n" -ge 20 ]
}

@test "state tags: a bad status word, a token without its IDSN, a version beyond 15 name the line" {
	mptcp-join "$FIX/gen/mptcp-both.pcap" > "$T/j"
	local c
	for c in mpstatus=fine c_idsn=- mpver=16 c_token=0x123456789; do
		awk -F'\t' -v OFS='\t' -v col="${c%%=*}" -v val="${c#*=}" 'NR==1{for(i=1;i<=NF;i++)c[$i]=i}
		    NR>1 && $c["c_token"]!="-" && !d {$c[col]=val; d=NR} 1' "$T/j" > "$T/bad"
		run mptcp-metrics "$T/bad"
		assert_failure
		assert_output --regexp ":[0-9]+: column '${c%%=*}'"
	done
}

@test "bad input: missing mptcp-join columns name mptcp-join; bad values name the line" {
	pcap2pkt "$FIX/craft/mp-prio.pcap" | flowsplit > "$T/nojoin"
	run mptcp-metrics "$T/nojoin"
	assert_failure
	assert_output --partial "mpconn"
	assert_output --partial "mptcp-join"
	pcap2pkt "$FIX/craft/mp-prio.pcap" > "$T/noconn"
	run mptcp-metrics "$T/noconn"
	assert_failure
	assert_output --partial "flowsplit"
	mptcp-join "$FIX/craft/mp-prio.pcap" | awk -F'\t' -v OFS='\t' 'NR==1{for(i=1;i<=NF;i++)if($i=="mpdir")c=i} NR==5{$c="up"}1' > "$T/baddir"
	run mptcp-metrics "$T/baddir"
	assert_failure
	assert_output --partial ":5:"
	run mptcp-metrics -e nosuch "$FIX/craft/mp-prio.pcap"
	[ "$status" -eq 2 ]
	run mptcp-metrics -s -e rtt "$FIX/craft/mp-prio.pcap"
	[ "$status" -eq 2 ]
}

@test "long crafted cases: hand-derived bytes, reinjections among 16400 ranges, the memory bound" {
	# mp-long: 16400 alternating mappings (one data-level range each), data
	# of early and late ones sent again; mp-bound: 70000 without DATA_ACK,
	# past ORIG_MAX, with hole fills in between (test/craft/craft.py)
	local c
	for c in mp-long mp-bound; do
		mptcp-join "$BIG/$c.pcap" > "$T/j"
		mptcp-join -s "$BIG/$c.pcap" > "$T/s"
		mptcp-metrics "$BIG/$c.pcap" > "$T/m"
		mptcp-metrics -s "$BIG/$c.pcap" > "$T/ms"
		run "$PY" "$TOP/test/ref/mptcp-expect" "$BIG/$c.expect.tsv" "$T/j" "$T/s" "$T/m" "$T/ms"
		[ "$status" -eq 0 ] || { echo "$c: $output"; false; }
	done
	# each reinjection event names its origin (mp-long: mappings 0, 1, 8001,
	# 16398 again; even ones went out on Wi-Fi, subflow 0, first)
	run bash -c "mptcp-metrics -e reinject $BIG/mp-long.pcap | pick len,from_subflow,to_subflow"
	assert_output "$(printf '10 0 1\n10 1 1\n10 1 0\n10 0 0')"
}

@test "accounting identity on every capture: data = unique + reinj + rexmit + unacked + unmapped + forgotten - acked_unseen" {
	# mptcp-metrics(1): every payload byte is in exactly one term; a
	# connection without a data level (unique '-') counts 0 there
	local f n=0
	for f in $(all_mptcp); do
		mptcp-metrics "$f" > "$T/m" 2>/dev/null
		run "$PY" - "$T/m" <<-'EOF'
		import csv, sys
		bad = rows = 0
		for r in csv.DictReader(open(sys.argv[1]), delimiter="\t"):
		    for d in ("c2s", "s2c"):
		        g = lambda k: 0 if r[d + "_" + k] == "-" else int(r[d + "_" + k])
		        rhs = (g("unique_bytes") + g("reinj_bytes") + g("tcp_rexmit_bytes") + g("unacked_bytes")
		               + g("unmapped_bytes") + g("origin_forgotten_bytes") - g("acked_unseen_bytes"))
		        rows += 1
		        if rhs != g("data_bytes"):
		            print("mpconn %s %s: data %d, terms %d" % (r["mpconn"], d, g("data_bytes"), rhs))
		            bad = 1
		sys.exit(bad if rows else 2)
		EOF
		case $status in
		0) n=$((n + 1)) ;;
		2) ;; # no MPTCP connection in it
		*) echo "${f##*/}: $output"; false ;;
		esac
	done
	[ "$n" -ge 25 ]
}

@test "TCP retransmitted bytes per subflow equal tcp-metrics' (one rule, common/stats/seqset.c)" {
	# tcp-metrics counts them per TCP connection with no MPTCP at all.
	# Every subflow must be found among tcp-metrics' connections (join
	# -a 2 marks one that is not "missing"), columns are picked by name,
	# and a failing stage fails the test (pipefail).
	set -o pipefail
	local f n=0
	for f in $(all_mptcp); do
		tcp-metrics "$f" 2>/dev/null | pick conn,c2s_rexmit_bytes,s2c_rexmit_bytes | LC_ALL=C sort > "$T/t"
		mptcp-metrics -s "$f" 2>/dev/null | pick conn,role,c2s_tcp_rexmit_bytes,s2c_tcp_rexmit_bytes |
		    awk '$2 == "client" {print $1, $3, $4; next} $2 == "server" {print $1, $4, $3; next}
		        {print "bad role: " $0 > "/dev/stderr"; exit 1}' | LC_ALL=C sort > "$T/m"
		[ -s "$T/m" ] || continue # plain TCP only (counted below: n)
		run env LC_ALL=C join -a 2 -e missing -o 0,1.2,1.3,2.2,2.3 "$T/t" "$T/m"
		assert_success
		run awk '$2 != $4 || $3 != $5' <<<"$output"
		[ -z "$output" ] || { echo "${f##*/}: conn tcp-metrics c2s s2c, mptcp-metrics c2s s2c: $output"; false; }
		n=$((n + 1))
	done
	[ "$n" -ge 25 ]
}

@test "reinjection events: origins kept past the DATA_ACK, delays from the first transmission (crafted)" {
	# mp-remap-acked: D0+200.. went out on Wi-Fi at 0.510, DATA_ACKed at
	# 0.750, again on cellular at 0.800; mp-remap-offset: D0.. at 0.200, again
	# on the same subflow at another offset at 0.300; mp-holefill: cellular
	# first (0.600), then the Wi-Fi hole fill (0.700); mp-rexmit-acked: R1 on
	# cellular at 0.800, not the Wi-Fi repeat of its own mapping at 1.100
	run bash -c "mptcp-metrics -e reinject $FIX/craft/mp-remap-acked.pcap | pick len,from_subflow,to_subflow,delay_s"
	assert_output "100 0 1 0.290000"
	run bash -c "mptcp-metrics -e reinject $FIX/craft/mp-remap-offset.pcap | pick len,from_subflow,to_subflow,delay_s"
	assert_output "100 0 0 0.100000"
	run bash -c "mptcp-metrics -e reinject $FIX/craft/mp-holefill.pcap | pick len,from_subflow,to_subflow,delay_s"
	assert_output "100 1 0 0.100000"
	run bash -c "mptcp-metrics -e reinject $FIX/craft/mp-rexmit-acked.pcap | pick len,from_subflow,to_subflow,delay_s"
	assert_output "100 0 1 0.300000"
}

@test "MPTCP RTT samples: none for data sent under two mappings first, none negative (crafted)" {
	# hand derivations in test/craft/craft.py (rtt_n of each case)
	run bash -c "mptcp-metrics -e rtt $FIX/craft/mp-remap-acked.pcap | pick subflow,len,rtt_ms"
	assert_output "$(printf '0 100 50.000\n0 100 240.000')"
	run bash -c "mptcp-metrics -e rtt $FIX/craft/mp-holefill.pcap | pick subflow,len,rtt_ms"
	# (one DATA_ACK covers the last two: samples in DSN order)
	assert_output "$(printf '0 100 50.000\n1 100 50.000\n0 100 130.000')"
	run bash -c "mptcp-metrics -e rtt $FIX/craft/mp-ts-back.pcap 2>/dev/null | pick subflow,len,rtt_ms"
	assert_output "$(printf '0 100 60.000\n1 100 70.000')"
}

@test "timestamps backwards (crafted mp-ts-back): warned once with the frame, counted, analysed in file order" {
	# frames 8 and 11 are timestamped before the frame before them
	# (test/craft/craft.py): nothing is reinjected whatever the times
	run --separate-stderr mptcp-metrics "$FIX/craft/mp-ts-back.pcap"
	assert_success
	[ "$stderr" = "mptcp-metrics: $FIX/craft/mp-ts-back.pcap: frame 8: timestamp before the previous frame's: the capture is not in time order (analysed in file order; counted, see -v)" ]
	run bash -c "mptcp-metrics $FIX/craft/mp-ts-back.pcap 2>/dev/null | pick ts_backwards,c2s_reinj_bytes,c2s_unique_bytes"
	assert_output "2 0 300"
	run --separate-stderr pcap2pkt -v "$FIX/craft/mp-ts-back.pcap"
	[[ "$stderr" == *"; 2 timestamps backwards (first at frame 8); 0 files cut or damaged" ]]
	# in the pipeline pcap2pkt warns; mptcp-metrics counts the same
	run bash -c "pcap2pkt $FIX/craft/mp-ts-back.pcap 2>/dev/null | flowsplit | mptcp-join | mptcp-metrics | pick ts_backwards"
	assert_output 2
}

@test "fallback and infinite mapping: bytes without a data-level position are unmapped (crafted)" {
	# mp-fallback: no MP_CAPABLE in the SYN/ACK, so no data level at all:
	# unique '-', its 100 bytes unmapped; mp-infinite: 100 bytes DATA_ACKed
	# before the infinite mapping, the 200 under and after it unmapped
	run bash -c "mptcp-metrics $FIX/craft/mp-fallback.pcap | pick status,c2s_data_bytes,c2s_unique_bytes,c2s_unmapped_bytes"
	assert_output "fallback 100 - 100"
	run bash -c "mptcp-metrics $FIX/craft/mp-infinite.pcap | pick status,c2s_data_bytes,c2s_unique_bytes,c2s_unmapped_bytes"
	assert_output "fallback 300 100 200"
}

@test "RTT percentiles beyond the exact bound: within 1% of numpy on the same samples (crafted mp-long)" {
	# mp-long has 16400 MPTCP RTT samples (exact bound 8192, summary.h):
	# -e rtt gives every sample exactly (they are the crafted RTTs of
	# test/craft/craft.py long_rtt_us), the record's percentiles come from the
	# log histogram: relative error at most 1% (+ 0.0005 ms of rounding)
	mptcp-metrics -e rtt "$BIG/mp-long.pcap" > "$T/ev"
	mptcp-metrics "$BIG/mp-long.pcap" > "$T/m"
	run "$PY" - "$T/ev" "$T/m" "$TOP/test/craft" <<-'EOF'
	import csv, sys
	import numpy as np
	sys.path.insert(0, sys.argv[3])
	ev = [float(e["rtt_ms"]) for e in csv.DictReader(open(sys.argv[1]), delimiter="\t")]
	from craft import long_rtt_us, LONG_N
	want = sorted(round(long_rtt_us(k) / 1000, 3) for k in range(LONG_N))
	assert sorted(ev) == want, "-e rtt is not the crafted samples"
	v = np.array(ev)
	m = next(csv.DictReader(open(sys.argv[2]), delimiter="\t"))
	bad = 0
	exact = {"n": len(v), "min": v.min(), "max": v.max(), "avg": v.mean(), "stdev": v.std(ddof=1)}
	for k, w in exact.items():
	    got = float(m["c2s_rtt_n" if k == "n" else "c2s_rtt_%s_ms" % k])
	    if abs(got - w) > 0.0015:
	        print("exact", k, got, w); bad = 1
	for q in (25, 50, 75, 90, 95, 97, 98, 99):
	    w, got = np.percentile(v, q), float(m["c2s_rtt_p%d_ms" % q])
	    if abs(got - w) > 0.01 * w + 0.0005:
	        print("p%d" % q, got, w); bad = 1
	sys.exit(bad)
	EOF
	assert_success
}
