#!/usr/bin/env bats
bats_require_minimum_version 1.5.0
# flowsplit: connection ids and directions. References: tshark's tcp.stream
# (connection grouping), the hand-derived expectations of test/craft, and
# the input records themselves (pass-through).

setup() {
	load common
	export -f pick
}

conns_of() {
	pcap2pkt "$1" | flowsplit | awk -F'\t' 'NR==1{for(i=1;i<=NF;i++)if($i=="conn")c=i} NR>1{print $c}' | sort -u | wc -l
}

@test "connections are grouped as tshark's tcp.stream on every capture" {
	local f want got n=0
	for f in "$FIX"/corpus/*.pcap* "$FIX"/craft/tcp-*.pcap "$FIX"/craft/mp-*.pcap "$FIX"/gen/*.pcap*; do
		[ -e "$f" ] || continue
		want=$(tshark -r "$f" -Y 'tcp && !icmp && !icmpv6' -T fields -e tcp.stream 2>/dev/null | sort -u | wc -l)
		got=$(conns_of "$f")
		[ "$want" -eq "$got" ] || { echo "$f: tshark $want streams, flowsplit $got"; false; }
		n=$((n + 1))
	done
	[ "$n" -ge 30 ]
}

@test "records pass through unchanged and in order, with conn, dir, hs added" {
	local f=$FIX/corpus/pymptcpanalyzer-client_2.pcap
	pcap2pkt -x 4 "$f" > "$BATS_TEST_TMPDIR/in"
	flowsplit "$BATS_TEST_TMPDIR/in" > "$BATS_TEST_TMPDIR/out"
	head -1 "$BATS_TEST_TMPDIR/out" | grep -q $'\tpayload\tconn\tdir\ths$'
	diff "$BATS_TEST_TMPDIR/in" <(cut -f1-$(($(head -1 "$BATS_TEST_TMPDIR/in" | tr '\t' '\n' | wc -l))) "$BATS_TEST_TMPDIR/out")
}

@test "the SYN sender is the client; every packet of the same tuple keeps its side" {
	# tcpdump-mptcp-v1.pcap: 10.0.1.1:33306 sends the SYN (tcpdump -r)
	run bash -c "pcap2pkt $FIX/corpus/tcpdump-mptcp-v1.pcap | flowsplit | pick src,sport,dir,hs | sort -u"
	assert_success
	assert_output "$(printf '10.0.1.1 33306 c2s 1\n10.0.2.1 10004 s2c 1')"
}

@test "port reuse with a new ISN starts a second connection (crafted tcp-portreuse)" {
	# expect: conns 2 (test/fixtures/craft/tcp-portreuse.expect.tsv)
	want=$(awk -F'\t' '$1=="conns"{print $3}' "$FIX/craft/tcp-portreuse.expect.tsv")
	[ "$(conns_of "$FIX/craft/tcp-portreuse.pcap")" -eq "$want" ]
}

@test "a SYN retransmitted with the same ISN stays in its connection (crafted tcp-synrexmit)" {
	want=$(awk -F'\t' '$1=="conns"{print $3}' "$FIX/craft/tcp-synrexmit.expect.tsv")
	[ "$(conns_of "$FIX/craft/tcp-synrexmit.pcap")" -eq "$want" ]
}

@test "capture starting mid-connection: hs 0 and the hand-derived client (crafted tcp-midstream)" {
	# expect: client 10.0.0.1:40000, handshake_seen 0
	run bash -c "pcap2pkt $FIX/craft/tcp-midstream.pcap | flowsplit | pick src,sport,dir,hs | awk '\$3==\"c2s\"{print \$1\":\"\$2, \$4}' | sort -u"
	assert_output "10.0.0.1:40000 0"
}

@test "a SYN/ACK seen first makes its sender the server" {
	# drop the SYN (frame 1) of tcpdump-mptcp-v1.pcap: 10.0.2.1:10004 sent the SYN/ACK
	run bash -c "pcap2pkt $FIX/corpus/tcpdump-mptcp-v1.pcap | awk 'NR!=2' | flowsplit | pick src,dir,hs | sort -u"
	assert_output "$(printf '10.0.1.1 c2s 0\n10.0.2.1 s2c 0')"
}

@test "the idle timeout splits a connection; -i sets it" {
	# tcpdump-mptcp-v1.pcap lasts under 1 s (capinfos): one connection with
	# the default 300 s; with -i 0.000001 every gap longer than 1 us splits
	run bash -c "pcap2pkt $FIX/corpus/tcpdump-mptcp-v1.pcap | flowsplit -i 0.000001 | awk -F'\t' 'NR==1{for(i=1;i<=NF;i++)if(\$i==\"conn\")c=i} NR>1{print \$c}' | sort -u | wc -l"
	[ "$output" -gt 1 ]
	[ "$(conns_of "$FIX/corpus/tcpdump-mptcp-v1.pcap")" -eq 1 ]
}

@test "numbers of every length; the 2^32 and 2^64 limits; a bad byte anywhere" {
	# seq is read as a number up to 2^32 - 1 (RFC 793); the limits and
	# messages come from that bound and from 2^64 - 1 = 18446744073709551615
	pcap2pkt -c ts,ipv,src,dst,sport,dport,flags,seq "$FIX/corpus/tcpdump-mptcp-v1.pcap" | head -3 > "$BATS_TEST_TMPDIR/b"
	try() { sed "3s/\t[^\t]*\$/\t$1/" "$BATS_TEST_TMPDIR/b" | flowsplit; }
	for v in 0 7 12345678 123456789 0004294967295 4294967295; do
		run try "$v"
		assert_success
		assert_line --index 2 --regexp "	$v	1	(c2s|s2c)	[01]\$"
	done
	run try 4294967296
	assert_failure 1
	assert_output "flowsplit: stdin:3: column 'seq': value out of range: '4294967296'"
	for v in x 12345678x 123456789x12 1234567812345678x 12345678123456781x 1-2 ' 1'; do
		run try "$v"
		assert_failure 1
		assert_output "flowsplit: stdin:3: column 'seq': not a whole number: '$v'"
	done
	run try ''
	assert_output "flowsplit: stdin:3: column 'seq': not a whole number: ''"
	for v in 18446744073709551616 99999999999999999999 000000000000000000001; do
		run try "$v"
		assert_failure 1
		assert_output "flowsplit: stdin:3: column 'seq': number too large: '$v'"
	done
	run try 18446744073709551615
	assert_output "flowsplit: stdin:3: column 'seq': value out of range: '18446744073709551615'"
	# timestamps: at most 9 decimals
	sed '3s/^[^\t]*/1.1234567891/' "$BATS_TEST_TMPDIR/b" > "$BATS_TEST_TMPDIR/ts"
	run flowsplit "$BATS_TEST_TMPDIR/ts"
	assert_output "flowsplit: $BATS_TEST_TMPDIR/ts:3: column 'ts': not a timestamp: '1.1234567891'"
}

@test "field counts: short, long and very long lines; CRLF; no final newline is an error" {
	pcap2pkt -c ts,ipv,src,dst,sport,dport,flags,seq "$FIX/corpus/tcpdump-mptcp-v1.pcap" | head -3 > "$BATS_TEST_TMPDIR/b"
	# 8 columns; 8 + 300 extra tabs = 308 fields
	run bash -c "awk 'NR == 3 { for (i = 0; i < 300; i++) \$0 = \$0 \"\\t\" } 1' '$BATS_TEST_TMPDIR/b' | flowsplit"
	assert_failure 1
	assert_output "flowsplit: stdin:3: 308 fields, the header has 8"
	run bash -c "awk 'NR == 2 { sub(/\\t[^\\t]*\$/, \"\") } 1' '$BATS_TEST_TMPDIR/b' | flowsplit"
	assert_output "flowsplit: stdin:2: 7 fields, the header has 8"
	# CRLF gives the same records as plain lines
	flowsplit "$BATS_TEST_TMPDIR/b" > "$BATS_TEST_TMPDIR/plain"
	run bash -c "sed 's/\$/\\r/' '$BATS_TEST_TMPDIR/b' | flowsplit | cmp - '$BATS_TEST_TMPDIR/plain'"
	assert_success
	# A missing final newline is an error (issue 16): the record streams
	# between the tools always end in LF, so a stream ending inside a line
	# is what a killed upstream stage leaves, and its last record may be cut
	run bash -c "head -c -1 '$BATS_TEST_TMPDIR/b' | flowsplit"
	assert_failure 1
	assert_line "flowsplit: stdin:3: input ends inside a record (no final newline): was the stage before killed?"
}

@test "missing column names its producer; bad fields name line and column" {
	printf 'frame\tts\n1\t1.0\n' > "$BATS_TEST_TMPDIR/a"
	run flowsplit "$BATS_TEST_TMPDIR/a"
	assert_failure 1
	assert_output --partial "input has no column 'ipv' (made by pcap2pkt)"
	pcap2pkt -c ts,ipv,src,dst,sport,dport,flags,seq "$FIX/corpus/tcpdump-mptcp-v1.pcap" > "$BATS_TEST_TMPDIR/b"
	sed '3s/\t[0-9]*$/\tx12/' "$BATS_TEST_TMPDIR/b" > "$BATS_TEST_TMPDIR/c"
	run flowsplit "$BATS_TEST_TMPDIR/c"
	assert_failure 1
	assert_output --partial "c:3: column 'seq': not a whole number: 'x12'"
	sed '4s/\t[0-9]*$//' "$BATS_TEST_TMPDIR/b" > "$BATS_TEST_TMPDIR/d"
	run flowsplit "$BATS_TEST_TMPDIR/d"
	assert_failure 1
	assert_output --partial "d:4: 7 fields, the header has 8"
	sed '2s/\t10\.0\.1\.1\t/\t10.0.1\t/' "$BATS_TEST_TMPDIR/b" > "$BATS_TEST_TMPDIR/e"
	run flowsplit "$BATS_TEST_TMPDIR/e"
	assert_failure 1
	assert_output --partial "e:2: column 'src': not an IP address: '10.0.1'"
	: > "$BATS_TEST_TMPDIR/empty"
	run flowsplit "$BATS_TEST_TMPDIR/empty"
	assert_failure 1
	assert_output --partial "empty input"
	run flowsplit -i soon
	assert_failure 2
}
