#!/usr/bin/env bats
bats_require_minimum_version 1.5.0
# Hostile and unlucky input (issue 16): captures, records and options made
# to overflow, blow up or mislead, each from a reproducer written here or
# by test/craft/hostile.py. Expected values are derived by hand from the
# crafted bytes (said at each test), never taken from the tools' output.
# `make sanitize` runs these against the ASan+UBSan build too.

setup() {
	load common
	export -f pick
	T=$BATS_TEST_TMPDIR
	HOSTILE=$TOP/test/craft/hostile.py
	# no configuration file of the user's
	export HOME=$T XDG_CONFIG_HOME=
	unset MPTCP_TOOLS_CONF
}

# The hex of payload bytes 0..n-1 of hostile.py's jumbo segments (i % 251).
jumbo_hex() {
	$PY -c "import sys; print(''.join('%02x' % (i % 251) for i in range(int(sys.argv[1]))))" "$1"
}

@test "pcap2pkt -x 4096 with repeated payload columns on 9,000-byte segments: every field whole" {
	$PY "$HOSTILE" jumbo "$T/j.pcap" 20
	want=$(jumbo_hex 4096)
	run --separate-stderr pcap2pkt -x 4096 -c frame,payload,payload "$T/j.pcap"
	assert_success
	# 3 handshake segments without payload, then 20 carrying 9,000 bytes
	[ "${#lines[@]}" -eq 24 ]
	assert_line --index 1 $'1\t-\t-'
	for i in $(seq 4 23); do
		[ "${lines[$i]}" = "$((i))"$'\t'"$want"$'\t'"$want" ] || { echo "record $i"; false; }
	done
	# 40 payload columns: 40 x 8,192 hex digits, past the 256 KiB output buffer
	cols=$(printf 'payload,%.0s' $(seq 40))
	pcap2pkt -x 4096 -c "${cols%,}" "$T/j.pcap" > "$T/p40"
	awk -F'\t' -v w="$want" 'NR > 4 { for (i = 1; i <= NF; i++) if ($i != w) bad++; n++ }
	    END { if (NF != 40 || n != 20 || bad) { print NF, n, bad; exit 1 } }' "$T/p40"
	# the limit on the list: 110 columns (twice the 55 pcap2pkt knows)
	cols=$(printf 'payload,%.0s' $(seq 111))
	run pcap2pkt -x 4096 -c "${cols%,}" "$T/j.pcap"
	assert_failure 2
	assert_output "pcap2pkt: -c: more than 110 columns"
}

@test "a pcapng file cut inside its second interface block: no phantom frame" {
	# hostile.py writes 2 enhanced packet blocks, then 20 of the 32 bytes of
	# an interface description block (type 1); capinfos counts 2 packets
	$PY "$HOSTILE" pcapng-idb2 "$T/c.pcapng"
	[ "$(capinfos -M -c -T "$T/c.pcapng" 2>/dev/null | tail -1 | cut -f2)" -eq 2 ]
	run --separate-stderr pcap2pkt -v -c frame "$T/c.pcapng"
	assert_failure 1
	assert_output "$(printf 'frame\n1\n2')"
	[[ "$stderr" == *"c.pcapng: cut inside a pcapng block of type 1, which holds no packet, after frame 2: truncated"* ]]
	[[ "$stderr" == *"2 frames, 2 TCP segments, 0 skipped;"* ]]
	# the same from stdin and compressed
	run --separate-stderr bash -c "gzip -c '$T/c.pcapng' | pcap2pkt -v -c frame"
	assert_failure 1
	assert_output "$(printf 'frame\n1\n2')"
	[[ "$stderr" == *"2 frames, 2 TCP segments, 0 skipped;"* ]]
	# cut inside the second packet block instead: that frame is truncated
	head -c 150 "$T/c.pcapng" > "$T/d.pcapng"
	run --separate-stderr pcap2pkt -v -c frame "$T/d.pcapng"
	assert_failure 1
	[[ "$stderr" == *"d.pcapng: frame 2: truncated"* ]]
	[[ "$stderr" == *"2 frames, 1 TCP segments, 1 skipped, truncated 1;"* ]]
}

@test "MPTCP options of length 0 and 1 are listed as short!" {
	# frame 1: kind 30, length 0; frame 2: MSS 1460, then kind 30, length 1
	# (tshark: "MPTCP (with too-short option length ...)"); neither length
	# can be stepped over, so each ends the option list
	$PY "$HOSTILE" optlen01 "$T/o.pcap"
	run --separate-stderr pcap2pkt -v -c frame,mss,mptcp "$T/o.pcap"
	assert_success
	assert_output "$(printf 'frame\tmss\tmptcp\n1\t-\tshort!\n2\t1460\tshort!')"
	[[ "$stderr" == *"; 2 with malformed or cut TCP options"* ]]
}

@test "-i inf or 1e10 is no idle timeout; NaN and negative seconds are refused" {
	# a capture lasting under 1 s (capinfos): tshark's tcp.stream count is
	# the number of connections whatever the timeout beyond that
	local f=$FIX/corpus/pymptcpanalyzer-client_2.pcap
	want=$(tshark -r "$f" -Y tcp -T fields -e tcp.stream 2>/dev/null | sort -u | wc -l)
	for i in inf 1e10 1e300 infinity; do
		got=$(pcap2pkt "$f" | flowsplit -i "$i" | pick conn | sort -u | wc -l)
		[ "$got" -eq "$want" ] || { echo "flowsplit -i $i: $got connections, tshark $want"; false; }
		got=$(tcp-metrics -i "$i" -g "$i" "$f" | tail -n +2 | wc -l)
		[ "$got" -eq "$want" ] || { echo "tcp-metrics -i $i: $got records, tshark $want"; false; }
	done
	for tool in flowsplit tcp-metrics mptcp-join mptcp-metrics socks-dest; do
		run $tool -i nan /dev/null
		assert_failure 2
		assert_output "$tool: -i: expected a number of seconds, got 'nan' (not a number)"
		run $tool -i -1 /dev/null
		assert_failure 2
		assert_output "$tool: -i: expected a number of seconds, got '-1' (negative)"
	done
	run flowsplit -g -0.5 /dev/null
	assert_output "flowsplit: -g: expected a number of seconds, got '-0.5' (negative)"
}

@test "socks-dest -i inf: every request decoded as with the default timeout" {
	# expected.tsv: the destinations chosen when crafting socks.pcap
	local s=$FIX/socks
	run bash -c "pcap2pkt -x 128 '$s/socks.pcap' | flowsplit -i inf | socks-dest -i inf -k 's3cret#1' | pick c_addr,c_port,socks_atyp,socks_addr,socks_port,socks_ok,socks_err | sort"
	assert_success
	assert_output "$(tail -n +2 "$s/expected.tsv" | tr '\t' ' ' | sort)"
}

@test "-h to a full disk is a write error; -o FILE errors name the file" {
	for tool in pcap2pkt flowsplit tcp-metrics mptcp-join mptcp-metrics ifmatch aggregate socks-dest; do
		run $tool -h
		assert_success
		run bash -c "$tool -h > /dev/full"
		assert_failure 1
		assert_output "$tool: write error on standard output: No space left on device"
	done
	# a closed pipe is still no error
	run bash -c "set -o pipefail; pcap2pkt -h | true"
	assert_success
	run tcp-metrics -e rtt -o /dev/full "$FIX/corpus/tcpdump-mptcp-v1.pcap"
	assert_failure 1
	assert_output --partial "tcp-metrics: write error on /dev/full: No space left on device"
}

@test "a field of more than 20 characters that is no number is 'not a whole number'" {
	pcap2pkt -c ts,ipv,src,dst,sport,dport,flags,seq "$FIX/corpus/tcpdump-mptcp-v1.pcap" | head -3 > "$T/b"
	for v in 123456789012345678901x x12345678901234567890123 abcdefghijklmnopqrstuvwxyz; do
		sed "3s/\t[^\t]*\$/\t$v/" "$T/b" > "$T/c"
		run flowsplit "$T/c"
		assert_failure 1
		assert_output "flowsplit: $T/c:3: column 'seq': not a whole number: '$v'"
	done
	# 21 digits: a number, too large for 64 bits
	sed "3s/\t[^\t]*\$/\t123456789012345678901/" "$T/b" > "$T/c"
	run flowsplit "$T/c"
	assert_output "flowsplit: $T/c:3: column 'seq': number too large: '123456789012345678901'"
}
