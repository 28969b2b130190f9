#!/usr/bin/env bats
# MPTCP identifiers and relative data sequence numbers (issue 11: records
# every loader reads without loss). Expected values from tshark 4.0, by
# test/ref/ids-check: keys, tokens and nonces as tshark dissects them
# (tcp.options.mptcp.sendkey, .recvkey, .recvtok, .sendrand, in decimal,
# written here as 0x + 16 or 8 hex digits); IDSNs computed from tshark's
# keys with hashlib (and checked against tshark's mptcp.expected_idsn);
# -e seq DSNs as tshark's raw 64-bit mptcp.dss.dsn minus that IDSN;
# mptcp-join's state tags (mpver, tokens, IDSNs) as the version and keys
# tshark dissects, hashed with hashlib, given when they change.

setup() {
	load common
	T=$BATS_TEST_TMPDIR
	export -f pick
	command -v tshark >/dev/null || fail "tshark not installed (test/deps)"
}

ids_check() { # capture
	pcap2pkt "$1" > "$T/p" 2> /dev/null
	mptcp-join -s "$1" > "$T/s" 2> /dev/null
	mptcp-join "$1" > "$T/j" 2> /dev/null
	mptcp-metrics -e seq "$1" > "$T/q" 2> /dev/null
	"$PY" "$TOP/test/ref/ids-check" "$1" "$T/p" "$T/s" "$T/j" "$T/q"
}

@test "keys, tokens, nonces as tshark's, in 0x hex; -e seq DSN = tshark DSN - IDSN (v1 gen captures)" {
	local f n=0
	for f in "$FIX"/gen/mptcp-*.pcap; do
		case $f in *fallback*) continue ;; esac
		run ids_check "$f"
		[ "$status" -eq 0 ] || { echo "${f##*/}: $output"; false; }
		n=$((n + 1))
	done
	[ "$n" -ge 6 ] || fail "fixtures missing: $n generated MPTCP captures"
}

@test "the same on v0 corpus captures with 4-byte DSNs (tcpdump-mptcp-v0, pymptcpanalyzer-client_2)" {
	local f
	for f in "$FIX"/corpus/tcpdump-mptcp-v0.pcap "$FIX"/corpus/pymptcpanalyzer-client_2.pcap; do
		[ -e "$f" ] || fail "fixture missing: $f"
		pcap2pkt -c dsn_w "$f" 2> /dev/null | grep -qx 4 || fail "${f##*/}: no 4-byte DSN"
		run ids_check "$f"
		[ "$status" -eq 0 ] || { echo "${f##*/}: $output"; false; }
	done
}

@test "the first data byte after the IDSN is 1: -e rtt and -e dack of mptcp-both start at 1" {
	# mptcp-both: the client sends 16 bytes first (tshark: frame 4, tcp.len
	# 16, relative mptcp.dss.dsn 1 with mptcp.relative_sequence_numbers)
	local f=$FIX/gen/mptcp-both.pcap
	run bash -c "mptcp-metrics -e rtt '$f' | pick dir,dsn,len | head -1"
	assert_output "c2s 1 16"
	run bash -c "mptcp-metrics -e dack '$f' | pick dir,dack | head -1"
	assert_output "c2s 17"
}

@test "a malformed key in a record names file, line and column" {
	pcap2pkt "$FIX/gen/mptcp-both.pcap" | flowsplit > "$T/in"
	awk -F'\t' -v OFS='\t' 'NR==1{for(i=1;i<=NF;i++)c[$i]=i} NR>1 && $c["mpc_skey"]!="-" && !done {$c["mpc_skey"]="12345"; done=1} 1' "$T/in" > "$T/bad"
	run mptcp-join "$T/bad"
	assert_failure
	assert_output --regexp "bad:[0-9]+: column 'mpc_skey'"
	assert_output --partial "12345"
	awk -F'\t' -v OFS='\t' 'NR==1{for(i=1;i<=NF;i++)c[$i]=i} NR>1 && $c["mpc_skey"]!="-" && !done {$c["mpc_skey"]="0x00000000000000001"; done=1} 1' "$T/in" > "$T/long"
	run mptcp-join "$T/long"
	assert_failure
	assert_output --partial "more than 16 hex digits"
}
