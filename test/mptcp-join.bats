#!/usr/bin/env bats
bats_require_minimum_version 1.5.0
# mptcp-join: MPTCP connections, subflows and 64-bit DSN/DATA_ACK.
# References: tshark 4.0's MPTCP analysis (test/ref/mptcp-vs-tshark:
# mptcp.stream grouping, mptcp.dss.dsn and mptcp.ack widened to 64 bits),
# the hand-derived expectations of the crafted cases (test/craft, read by
# test/ref/mptcp-expect), and the kernel: a join HMAC the kernel sent is
# valid by construction.

setup() {
	load common
	export -f pick
	T=$BATS_TEST_TMPDIR
}

# Every capture with MPTCP traffic the suites know of.
mptcp_captures() {
	local f
	for f in "$FIX"/corpus/*mptcp* "$FIX"/corpus/pymptcpanalyzer-*.pcap "$FIX"/craft/mp-*.pcap "$FIX"/gen/*.pcap; do
		[ -e "$f" ] && echo "$f"
	done
	return 0
}

@test "crafted mp-* cases: hand-derived tokens, keys, statuses, join delays, HMAC, backup, DSN widening" {
	local f n=0
	for f in "$FIX"/craft/mp-*.pcap; do
		mptcp-join "$f" > "$T/j"
		mptcp-join -s "$f" > "$T/s"
		run "$PY" "$TOP/test/ref/mptcp-expect" "${f%.pcap}.expect.tsv" "$T/j" "$T/s"
		[ "$status" -eq 0 ] || { echo "${f##*/}: $output"; false; }
		n=$((n + 1))
	done
	[ "$n" -ge 10 ]
}

@test "grouping equals tshark's mptcp.stream; dsn64/dack64 equal tshark's 64-bit DSN/DATA_ACK" {
	# mp-dsnwrap: tshark pastes the IDSN's high 32 bits on a 4-byte DSN, so it
	# is wrong after the wrap; that case is checked by its hand expectations
	local f opt n=0
	for f in $(mptcp_captures); do
		opt=
		case $f in *mp-dsnwrap*) opt=--no-dsn ;; esac
		mptcp-join "$f" > "$T/j"
		run "$PY" "$TOP/test/ref/mptcp-vs-tshark" "$f" "$T/j" $opt
		[ "$status" -eq 0 ] || { echo "${f##*/}: $output"; false; }
		n=$((n + 1))
	done
	[ "$n" -ge 20 ]
}

@test "v0 corpus: connections and subflows as tshark groups them" {
	# tshark -o mptcp.analyze_mptcp:TRUE: number of distinct mptcp.stream
	local f want got
	for f in "$FIX"/corpus/tcpdump-mptcp-v0.pcap "$FIX"/corpus/pymptcpanalyzer-client_2.pcap \
	    "$FIX"/corpus/pymptcpanalyzer-server_2.pcap "$FIX"/corpus/pymptcpanalyzer-iperf-mptcp-0-0.pcap; do
		want=$(tshark -n -r "$f" -o mptcp.analyze_mptcp:TRUE -T fields -e mptcp.stream 2>/dev/null | grep -v '^$' | sort -u | wc -l)
		got=$(mptcp-join -s "$f" | pick mpconn | sort -u | wc -l)
		[ "$want" -eq "$got" ] || { echo "${f##*/}: tshark $want, mptcp-join $got"; false; }
	done
}

@test "every join HMAC the kernels sent checks out" {
	local f
	for f in $(mptcp_captures); do
		case $f in *craft/*) continue ;; esac
		mptcp-join -s "$f" | pick hmac_ok > "$T/h"
		! grep -qx 0 "$T/h" || { echo "${f##*/}: HMAC mismatch"; false; }
	done
	# at least the v0 and v1 corpus joins were checked
	[ "$(mptcp-join -s "$FIX/corpus/mptcproxy-mptcp.pcap" | pick subflow,hmac_ok | grep -c '^1 1$')" -eq 1 ]
	[ "$(mptcp-join -s "$FIX/corpus/tcpdump-mptcp-v0.pcap" | pick subflow,hmac_ok | grep -c '^1 1$')" -eq 1 ]
}

@test "a forged third-ACK HMAC is reported as a mismatch (records edited in the pipeline)" {
	# mp-prio's join has valid HMACs (expect: sf2_hmac_ok 1); flip one hex
	# digit of the 20-byte HMAC in the third ACK's record
	pcap2pkt "$FIX/craft/mp-prio.pcap" | flowsplit > "$T/in"
	awk -F'\t' -v OFS='\t' 'NR==1{for(i=1;i<=NF;i++)if($i=="mpj_hmac")h=i; print; next}
		length($h)==40 {$h = (substr($h,1,1)=="0" ? "1" : "0") substr($h,2)} {print}' "$T/in" > "$T/forged"
	run bash -c "mptcp-join -s $T/forged | pick conn,hmac_ok"
	assert_success
	assert_line "2 0"
	run bash -c "mptcp-join -s $T/in | pick conn,hmac_ok"
	assert_line "2 1"
}

@test "a reused 4-tuple carries two MPTCP connections" {
	# mp-datafin twice on the same 4-tuple, the second copy 100 s later with
	# new ISNs: flowsplit makes two TCP connections, each its own MP_CAPABLE
	pcap2pkt "$FIX/craft/mp-datafin.pcap" > "$T/a"
	awk -F'\t' -v OFS='\t' 'NR==1{for(i=1;i<=NF;i++)c[$i]=i; next}
		{$c["frame"]+=100; split($c["ts"],t,"."); $c["ts"]=(t[1]+100) "." t[2];
		 $c["seq"]=($c["seq"]+7000000)%4294967296; if ($c["ack"]!=0) $c["ack"]=($c["ack"]+7000000)%4294967296; print}' "$T/a" > "$T/b"
	cat "$T/a" "$T/b" | flowsplit | mptcp-join -s > "$T/s"
	run pick mpconn,subflow,conn,status < "$T/s"
	assert_output "$(printf '1 0 1 established\n2 0 2 established')"
}

@test "failed joins, fallback, unknown token and fast close get their status" {
	# hand expectations: mp-join-failed sf2 no SYN/ACK, sf3 RST; mp-fallback
	# SYN/ACK without MP_CAPABLE; mp-unknown-token join 0xDEADBEEF; mp-fastclose
	run bash -c "mptcp-join -s $FIX/craft/mp-join-failed.pcap | pick subflow,status,close"
	assert_output "$(printf '0 established -\n1 failed_no_synack -\n2 failed_rst rst')"
	run bash -c "mptcp-join -s $FIX/craft/mp-fallback.pcap | pick status"
	assert_output fallback
	run bash -c "mptcp-join -s $FIX/craft/mp-unknown-token.pcap | pick mpconn,subflow,s_token,status"
	# tokens as 0x and 8 hex digits: 2073567067 (mp-unknown-token.expect) = 0x7b981f5b
	assert_output "$(printf '1 0 0x7b981f5b established\n2 0 0xdeadbeef unknown_token')"
	run bash -c "mptcp-join -s $FIX/craft/mp-fastclose.pcap | pick status,close"
	assert_output "fastclose fastclose"
}

@test "MP_TCPRST reason in the close column (corpus tcpdump-mptcp-tcprst: reason 1 per tcpdump -v)" {
	run bash -c "mptcp-join -s $FIX/corpus/tcpdump-mptcp-tcprst.pcap | pick status,close"
	assert_output "midstream tcprst_1"
}

@test "MP_TCPRST: the reason of the side that reset first (mptcp-many.server: tshark, and the server's MPJoinRejected)" {
	# The server of mptcp-many allows 1 join per connection: it refuses
	# the others after the handshake with MP_TCPRST reason 3
	# (administratively prohibited), which the phone answers with reason
	# 0. Expected: per subflow, the reason tshark dissects in the last
	# MP_TCPRST of the side that sent the first on its 4-tuple (the
	# rule of mptcp-join(1)); and as many tcprst_3 subflows as the
	# server's kernel counted MPJoinRejected (its MIB in the generator's
	# log).
	local f=$FIX/gen/pair/mptcp-many.server.pcap log=$FIX/gen/pair/mptcp-many.log.tsv
	tshark -r "$f" -Y 'tcp.options.mptcp.subtype == 8' -T fields -e ip.src -e tcp.srcport \
	    -e ip.dst -e tcp.dstport -e tcp.options.mptcp.rst_reason 2> /dev/null |
	    "$PY" -c '
import sys
first = {}
for line in sys.stdin:
    src, sport, dst, dport, reason = line.split()
    key = (src, sport) if sport != "5201" else (dst, dport)  # the client end
    if key not in first or first[key][0] == src:
        first[key] = (src, int(reason, 16))
first = {k: v[1] for k, v in first.items()}
for k in sorted(first):
    print(k[0], k[1], first[k])' > "$T/want"
	mptcp-join -s "$f" 2> /dev/null | pick c_addr,c_port,close |
	    awk '$3 ~ /^tcprst_/ { sub(/^tcprst_/, "", $3); print }' | sort > "$T/got"
	[ "$(wc -l < "$T/want")" -ge 29 ] || fail "tshark found too few MP_TCPRST"
	diff "$T/want" "$T/got" || fail "close reasons differ from tshark's first MP_TCPRST (<)"
	local rejected
	rejected=$(awk -F'\t' '$3 == "mib" && $5 == "server"' "$log" | tr ' \t' '\n\n' | sed -n 's/^MPTcpExtMPJoinRejected=//p')
	assert_equal "$(awk '$3 == 3' "$T/got" | wc -l)" "$rejected"
}

@test "records pass through unchanged; plain TCP gets dashes" {
	local f=$FIX/corpus/pymptcpanalyzer-client_1_tcp_only.pcap
	pcap2pkt "$f" | flowsplit > "$T/in"
	mptcp-join "$T/in" > "$T/out"
	local n
	n=$(head -1 "$T/in" | tr '\t' '\n' | wc -l)
	diff "$T/in" <(cut -f1-"$n" "$T/out")
	head -1 "$T/out" | grep -q $'\ths\tmpconn\tsubflow\tdsn64\tdack64\tmpdir\tmpver\tmpstatus\tc_token\ts_token\tc_idsn\ts_idsn$'
	[ "$(cut -f$((n + 1))- "$T/out" | tail -n +2 | sort -u)" = "$(printf -- '-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-')" ]
}

@test "direct capture mode prints exactly what the pipeline prints" {
	local f n=0
	for f in $(mptcp_captures) "$FIX"/corpus/*.pcap*; do
		pcap2pkt "$f" | flowsplit | mptcp-join > "$T/p"
		mptcp-join "$f" > "$T/d"
		cmp "$T/p" "$T/d" || { echo "${f##*/}: packets differ"; false; }
		pcap2pkt "$f" | flowsplit | mptcp-join -s > "$T/p"
		mptcp-join -s "$f" > "$T/d"
		cmp "$T/p" "$T/d" || { echo "${f##*/}: subflow tables differ"; false; }
		n=$((n + 1))
	done
	[ "$n" -ge 20 ]
}

@test "several captures in direct mode read as one stream, as pcap2pkt reads them" {
	local a=$FIX/corpus/tcpdump-mptcp-v0.pcap b=$FIX/corpus/mptcproxy-mptcp.pcap
	pcap2pkt "$a" "$b" | flowsplit | mptcp-join > "$T/p"
	mptcp-join "$a" "$b" > "$T/d"
	cmp "$T/p" "$T/d"
}

@test "bad input: missing columns name their producer; bad values name the line" {
	pcap2pkt "$FIX/craft/mp-prio.pcap" > "$T/noconn"
	run mptcp-join "$T/noconn"
	assert_failure
	assert_output --partial "conn"
	assert_output --partial "flowsplit"
	pcap2pkt -c frame,ts,ipv,src,dst,sport,dport,len,flags,seq,ack "$FIX/craft/mp-prio.pcap" | flowsplit > "$T/nomp"
	run mptcp-join "$T/nomp"
	assert_failure
	assert_output --partial "mptcp"
	assert_output --partial "pcap2pkt"
	pcap2pkt "$FIX/craft/mp-prio.pcap" | flowsplit | mptcp-join > "$T/twice"
	run mptcp-join "$T/twice"
	assert_failure
	assert_output --partial "mpconn"
	pcap2pkt "$FIX/craft/mp-prio.pcap" | flowsplit | awk -F'\t' -v OFS='\t' 'NR==4{$1="x"}1' > "$T/badval"
	run mptcp-join "$T/badval"
	assert_failure
	assert_output --partial ":4:"
	run mptcp-join -q
	[ "$status" -eq 2 ]
	assert_output --partial "usage"
}

@test "a join opened by the server: role server, MPTCP direction flipped" {
	# mp-prio's join subflow (TCP connection 2) mirrored in the records: the
	# server's address opens it and names the client's token (expect:
	# token_client 500065796 = 0x1dce6604, token_server 2073567067 =
	# 0x7b981f5b); its TCP c2s packets are then sent by the
	# MPTCP server
	pcap2pkt "$FIX/craft/mp-prio.pcap" | flowsplit > "$T/in"
	awk -F'\t' -v OFS='\t' 'NR==1{for(i=1;i<=NF;i++)c[$i]=i; NF=c["conn"]-1; print; next}
		$c["conn"]==2 {s=$c["src"]; $c["src"]=$c["dst"]; $c["dst"]=s;
		 p=$c["sport"]; $c["sport"]=$c["dport"]; $c["dport"]=p;
		 if ($c["mpj_token"]=="0x7b981f5b") $c["mpj_token"]="0x1dce6604"}
		{NF=c["conn"]-1; print}' "$T/in" | flowsplit > "$T/mirror"
	run bash -c "mptcp-join -s $T/mirror | pick subflow,c_addr,role,join_token,status"
	assert_line "1 198.51.100.1 server 0x1dce6604 established"
	run bash -c "mptcp-join $T/mirror | pick conn,dir,mpconn,subflow,mpdir | sort -u"
	assert_line "2 c2s 1 1 s2c"
	assert_line "2 s2c 1 1 c2s"
}

@test "generated captures: the phone's token is MPTCP_INFO's, subflows as the kernel counts them" {
	# test/gen truth: level=mptcp rows (phone = MPTCP client, first subflow's
	# 4-tuple), token = MPTCP_INFO token (the local one), subflows_total
	local f n=0
	for f in "$FIX"/gen/mptcp-*.pcap; do
		[ -e "$f" ] || continue
		mptcp-join -s "$f" > "$T/s"
		run "$PY" - "${f%.pcap}.truth.tsv" "$T/s" <<-'EOF2'
		import csv, sys
		sf = list(csv.DictReader(open(sys.argv[2]), delimiter="\t"))
		bad = 0
		for t in csv.DictReader(open(sys.argv[1]), delimiter="\t"):
		    if t["level"] != "mptcp":
		        continue
		    first = [r for r in sf if r["subflow"] == "0" and
		             (r["c_addr"], r["c_port"], r["s_addr"], r["s_port"]) == (t["src"], t["sport"], t["dst"], t["dport"])]
		    if len(first) != 1:
		        print("conn %s: %d first subflows" % (t["conn"], len(first))); bad = 1; continue
		    if t["token"] == "-":
		        if first[0]["status"] != "fallback":
		            print("conn %s: fallback, status %s" % (t["conn"], first[0]["status"])); bad = 1
		        continue
		    rows = [r for r in sf if r["mpconn"] == first[0]["mpconn"]]
		    up = sum(r["status"] == "established" for r in rows)
		    # MPTCP_INFO's token is saved in decimal; the table writes 0x + 8 hex digits
		    if first[0]["c_token"] != "0x%08x" % int(t["token"]) or up != int(t["subflows_total"]):
		        print("conn %s: token %s/%s subflows %d/%s" % (t["conn"], first[0]["c_token"], t["token"], up, t["subflows_total"])); bad = 1
		    if any(r["hmac_ok"] != "1" for r in rows if r["subflow"] != "0"):
		        print("conn %s: join HMAC not verified" % t["conn"]); bad = 1
		sys.exit(bad)
		EOF2
		[ "$status" -eq 0 ] || { echo "${f##*/}: $output"; false; }
		n=$((n + 1))
	done
	[ "$n" -gt 0 ] || fail "fixture missing: no generated captures in test/fixtures/gen"
}

@test "-s: ifindex, ifname of each subflow's first packet, as tshark dissects it" {
	# expected: test/ref/iface-first (tshark's sll.ifindex and
	# frame.interface_name of each TCP stream's first frame)
	local f n=0
	for f in "$FIX"/gen/mptcp-*.pcap "$FIX"/link/ifnames.pcapng "$FIX"/corpus/tcpdump-mptcp-v1.pcap; do
		mptcp-join -s "$f" > "$BATS_TEST_TMPDIR/s" 2> /dev/null
		run "$PY" "$TOP/test/ref/iface-first" "$f" "$BATS_TEST_TMPDIR/s"
		[ "$status" -eq 0 ] || { echo "${f##*/}: $output"; false; }
		n=$((n + 1))
	done
	[ "$n" -ge 8 ]
	assert_equal "$(mptcp-join -s "$FIX/link/ifnames.pcapng" | pick ifname | paste -sd' ')" "wlan0 rmnet_data0"
}
