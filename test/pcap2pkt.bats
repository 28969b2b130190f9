#!/usr/bin/env bats
bats_require_minimum_version 1.5.0
# pcap2pkt: decoding, link types, options and bad input. Expected values
# come from the capture headers (capinfos), tshark's dissection, and the
# hand-written packets of test/linkcraft.py; never from pcap2pkt itself.

setup() {
	load common
}

# Every capture we ship, except the deliberately broken ones.
all_captures() {
	ls "$FIX"/corpus/*.pcap* "$FIX"/link/*.pcap* \
	    "$FIX"/gen/*.pcap* "$FIX"/craft/*.pcap 2>/dev/null |
	    grep -v -e '/bad-' -e '/empty' -e '/notacapture'
}

@test "every shipped capture decodes; records plus skipped equal capinfos' frame count" {
	local n=0 f frames recs report skipped
	for f in $(all_captures); do
		frames=$(capinfos -M -c -T "$f" | tail -1 | cut -f2)
		recs=$(pcap2pkt -v "$f" 2>"$BATS_TEST_TMPDIR/err" | tail -n +2 | wc -l)
		report=$(grep -o '[0-9]* frames, [0-9]* TCP segments, [0-9]* skipped' "$BATS_TEST_TMPDIR/err")
		skipped=$(echo "$report" | awk '{print $6}')
		[ "$report" = "$frames frames, $recs TCP segments, $skipped skipped" ] ||
			{ echo "$f: capinfos $frames frames; pcap2pkt: $report, $recs records"; false; }
		# the per-reason counts add up to the skipped total
		sum=$(grep -o ', [a-z_]* [0-9]*' "$BATS_TEST_TMPDIR/err" | awk '{s+=$3} END{print s+0}')
		[ "$sum" -eq "$skipped" ] || { echo "$f: reasons sum $sum != $skipped"; false; }
		n=$((n + 1))
	done
	[ "$n" -ge 23 ]
}

@test "TCP record count equals tshark's TCP packets (outside ICMP errors) on the corpus" {
	local f want got
	for f in "$FIX"/corpus/*.pcap*; do
		want=$(tshark -r "$f" -Y 'tcp && !icmp && !icmpv6' -T fields -e frame.number 2>/dev/null | wc -l)
		got=$(pcap2pkt "$f" | tail -n +2 | wc -l)
		[ "$want" -eq "$got" ] || { echo "$f: tshark $want, pcap2pkt $got"; false; }
	done
}

@test "link types NULL, LOOP, 802.1Q/QinQ, raw IPv6 with extension headers, PPP: fields as crafted" {
	# test/linkcraft.py writes one segment 10.0.0.1:40000 -> 10.0.0.2:443,
	# id 77, ttl 63, seq 1000, ack 2000, PA, win 512, TS 11/22, 5 bytes:
	# ip_len = 20 IP + 20 TCP + 12 options + 5 = 57. The IPv6 twin has
	# hop limit 60 and ip_len = 40 + 32 + 5 (+ 8 per extension header).
	local v4=$'4\t10.0.0.1\t10.0.0.2\t40000\t443\t77\t63\t57\t5\tPA\t1000\t2000\t512\t11\t22'
	local v6=$'6\t2001:db8::1\t2001:db8::2\t40000\t443\t-\t60\t77\t5\tPA\t1000\t2000\t512\t11\t22'
	local cols=ipv,src,dst,sport,dport,ip_id,ttl,ip_len,len,flags,seq,ack,win,tsval,tsecr
	run pcap2pkt -c $cols "$FIX/link/null-v4v6.pcap"
	assert_line --index 1 "$v4"
	assert_line --index 2 "$v6"
	run pcap2pkt -c $cols "$FIX/link/loop-v4.pcap"
	assert_line --index 1 "$v4"
	run pcap2pkt -c $cols "$FIX/link/vlan-qinq.pcap"
	assert_line --index 1 "$v4"
	assert_line --index 2 "$v4"
	run pcap2pkt -c $cols "$FIX/link/ppp-hdlc.pcap"
	assert_line --index 1 "$v4"
	assert_line --index 2 "$v6"
	run pcap2pkt -c ip_len,len,seq "$FIX/link/raw-v6-ext.pcap"
	assert_line --index 1 $'101\t5\t1000'   # hop-by-hop + routing + dest options
	assert_line --index 2 $'85\t5\t1000'    # atomic fragment header
}

@test "fragments are skipped and counted, not decoded" {
	run pcap2pkt -v "$FIX/link/frag-v4v6.pcap"
	assert_success
	assert_output --partial "4 frames, 0 TCP segments, 4 skipped, ip_fragment 4"
}

@test "nanosecond pcap keeps 9 digits; microsecond pcap 6" {
	run pcap2pkt -c frame,ts "$FIX/link/nano-v4.pcap"
	assert_line --index 1 $'1\t1700000000.123456789'
	run pcap2pkt -c frame,ts "$FIX/link/loop-v4.pcap"
	assert_line --index 1 $'1\t1700000000.123456'
}

@test "timestamps equal tshark's epoch times to the microsecond" {
	local f=$FIX/corpus/tcpdump-mptcp-v0.pcap
	diff <(tshark -r "$f" -T fields -e frame.number -e frame.time_epoch |
	           awk -F'\t' '{printf "%s\t%.6f\n", $1, $2}') \
	     <(pcap2pkt -c frame,ts "$f" | tail -n +2)
}

@test "ifindex: the Linux cooked v2 interface index of every TCP frame, as tshark's sll.ifindex" {
	# expected: tshark's dissection (sll.ifindex, empty where the link
	# header has no index: written "-"), TCP frames only, on every shipped
	# capture; at least one with indexes, one without
	local f n=0 with=0
	for f in $(all_captures); do
		pcap2pkt -c frame,ifindex "$f" 2>/dev/null | tail -n +2 > "$BATS_TEST_TMPDIR/got"
		tshark -r "$f" -Y 'tcp && !icmp && !icmpv6' -T fields -e frame.number -e sll.ifindex 2>/dev/null |
		    awk -F'\t' '{ print $1 "\t" ($2 == "" ? "-" : $2) }' > "$BATS_TEST_TMPDIR/want"
		# the frames pcap2pkt skips (fragments, cut headers) are not compared
		join -t "$(printf '\t')" "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got" > "$BATS_TEST_TMPDIR/both"
		[ "$(wc -l < "$BATS_TEST_TMPDIR/both")" -eq "$(wc -l < "$BATS_TEST_TMPDIR/got")" ] ||
		    { echo "$f: frames differ"; false; }
		awk -F'\t' '$2 != $3 { print FILENAME ": frame " $1 ": tshark " $2 ", pcap2pkt " $3; bad = 1 } END { exit bad }' \
		    "$BATS_TEST_TMPDIR/both" || { echo "$f"; false; }
		grep -qv -P '\t-\t-$' "$BATS_TEST_TMPDIR/both" && with=$((with + 1))
		n=$((n + 1))
	done
	[ "$n" -ge 30 ] && [ "$with" -ge 5 ]
}

@test "ifname: the pcapng interface name of every TCP frame, as tshark's frame.interface_name" {
	# expected: tshark's frame.interface_name ("-" where it has none) on
	# every shipped capture, except the second section of ifnames.pcapng
	# (test/ifnames.py): this tshark names a later section's interfaces by
	# the first section's ids, against the pcapng rule that ids count per
	# section; there the names are derived from test/ifnames.py by hand
	local f n=0 with=0 sec2
	for f in $(all_captures); do
		pcap2pkt -c frame,ifname "$f" 2>/dev/null | tail -n +2 > "$BATS_TEST_TMPDIR/got"
		tshark -r "$f" -Y 'tcp && !icmp && !icmpv6' -T fields -e frame.number -e frame.interface_name -e sll.ifindex 2>/dev/null |
		    awk -F'\t' '{ print $1 "\t" ($2 == "" ? "-" : $2) "\t" $3 }' > "$BATS_TEST_TMPDIR/want"
		if [ "${f##*/}" = ifnames.pcapng ]; then
			# the last 20 frames: ccmni1 for index 2, for index 3 the 70-byte
			# name cut to 64 bytes, tab and backslash escaped
			sec2=$(($(wc -l < "$BATS_TEST_TMPDIR/want") - 20))
			# (awk -v would expand the backslashes: the environment does not)
			LONG="odd\\tname\\\\$(printf 'x%.0s' $(seq 55))" awk -F'\t' -v s="$sec2" \
			    'NR > s { $2 = $3 == 2 ? "ccmni1" : ENVIRON["LONG"] } { print $1 "\t" $2 }' "$BATS_TEST_TMPDIR/want" > "$BATS_TEST_TMPDIR/w2"
		else
			cut -f1,2 "$BATS_TEST_TMPDIR/want" > "$BATS_TEST_TMPDIR/w2"
		fi
		join -t "$(printf '\t')" "$BATS_TEST_TMPDIR/w2" "$BATS_TEST_TMPDIR/got" > "$BATS_TEST_TMPDIR/both"
		[ "$(wc -l < "$BATS_TEST_TMPDIR/both")" -eq "$(wc -l < "$BATS_TEST_TMPDIR/got")" ] ||
		    { echo "$f: frames differ"; false; }
		awk -F'\t' '$2 != $3 { print "frame " $1 ": want " $2 ", pcap2pkt " $3; bad = 1 } END { exit bad }' \
		    "$BATS_TEST_TMPDIR/both" || { echo "$f"; false; }
		grep -qv -P '\t-\t-$' "$BATS_TEST_TMPDIR/both" && with=$((with + 1))
		n=$((n + 1))
	done
	[ "$n" -ge 30 ] && [ "$with" -ge 2 ]
	# carried through the records: flowsplit keeps the escaped text, and
	# tcp-metrics-style readers parse it back (a bad escape is an error)
	pcap2pkt "$FIX/link/ifnames.pcapng" | flowsplit | awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "ifname") c = i; next } { print $c }' |
	    sort | uniq -c | awk '{ print $1 }' | sort -n | paste -sd' ' > "$BATS_TEST_TMPDIR/counts"
	assert_equal "$(cat "$BATS_TEST_TMPDIR/counts")" "7 13 383 535"
}

@test "gzip-compressed capture and stdin give the same records as the plain file" {
	local f=$FIX/corpus/tcpdump-mptcp-v1.pcap
	gzip -c "$f" > "$BATS_TEST_TMPDIR/x.pcap.gz"
	pcap2pkt "$f" > "$BATS_TEST_TMPDIR/plain"
	pcap2pkt "$BATS_TEST_TMPDIR/x.pcap.gz" > "$BATS_TEST_TMPDIR/gz"
	pcap2pkt < "$f" > "$BATS_TEST_TMPDIR/stdin"
	gzip -c "$f" | pcap2pkt - > "$BATS_TEST_TMPDIR/gzstdin"
	cmp "$BATS_TEST_TMPDIR/plain" "$BATS_TEST_TMPDIR/gz"
	cmp "$BATS_TEST_TMPDIR/plain" "$BATS_TEST_TMPDIR/stdin"
	cmp "$BATS_TEST_TMPDIR/plain" "$BATS_TEST_TMPDIR/gzstdin"
}

@test "several files form one stream with frame numbers continuing" {
	# tcpdump-mptcp-v1.pcap has 20 frames (capinfos), all TCP; the second
	# copy starts before the first one ended: the one warning (stderr)
	# names its first frame
	local f=$FIX/corpus/tcpdump-mptcp-v1.pcap
	run --separate-stderr pcap2pkt -c frame "$f" "$f"
	assert_success
	[ "$stderr" = "pcap2pkt: $f: frame 1: timestamp before the previous frame's: the capture is not in time order (analysed in file order; counted, see -v)" ]
	assert_line --index 0 frame
	assert_line --index 20 20
	assert_line --index 21 21
	assert_line --index 40 40
	[ "${#lines[@]}" -eq 41 ]
}

@test "column selection, payload bytes, unknown column" {
	# ptcpdump-tcp.pcapng frame 7 carries 'GET / HTTP/1.1' (tshark -x)
	run --separate-stderr pcap2pkt -x 4 -c frame,len,payload "$FIX/corpus/ptcpdump-tcp.pcapng"
	assert_success
	assert_line --index 0 $'frame\tlen\tpayload'
	assert_line --index 1 $'1\t0\t-'
	assert_line --index 7 $'7\t86\t47455420'
	run pcap2pkt -c frame,nonsense "$FIX/corpus/ptcpdump-tcp.pcapng"
	assert_failure 2
	assert_output --partial "unknown column 'nonsense'"
	run pcap2pkt -x many "$FIX/corpus/ptcpdump-tcp.pcapng"
	assert_failure 2
}

@test "header and field count are the same on every line" {
	local f
	for f in $(all_captures); do
		pcap2pkt -x 8 "$f" | awk -F'\t' 'NR==1{n=NF} NF!=n{print FILENAME": line "NR": "NF" fields"; bad=1} END{exit bad}' ||
			{ echo "$f"; false; }
	done
}

@test "missing file, directory, empty file, text file: clear message, exit 1" {
	run pcap2pkt /nonexistent.pcap
	assert_failure 1
	assert_output --partial "pcap2pkt: /nonexistent.pcap: No such file or directory"
	run pcap2pkt "$FIX"
	assert_failure 1
	assert_output --partial "Is a directory"
	: > "$BATS_TEST_TMPDIR/empty.pcap"
	run pcap2pkt "$BATS_TEST_TMPDIR/empty.pcap"
	assert_failure 1
	assert_output --partial "empty.pcap: not a readable pcap or pcapng capture"
	run pcap2pkt "$FIX/corpus/README.md"
	assert_failure 1
	assert_output --partial "README.md: not a readable pcap or pcapng capture"
}

@test "a bad file among good ones is reported and the others still decode" {
	local f=$FIX/corpus/tcpdump-mptcp-v1.pcap
	run --separate-stderr pcap2pkt -c frame "$f" /nonexistent.pcap "$f"
	[ "$status" -eq 1 ]
	assert_line --index 40 40
	[[ "$stderr" == *"/nonexistent.pcap: No such file or directory"* ]]
}

@test "a truncated capture keeps the records before the cut, names file, frame and offset, exits 3" {
	# cut tcpdump-mptcp-v0.pcap (264 frames) in the middle of frame 101
	local f=$FIX/corpus/tcpdump-mptcp-v0.pcap
	local off=$(( $(/usr/bin/python3 - "$f" <<'PY'
import struct, sys
d = open(sys.argv[1], 'rb').read()
off = 24
for i in range(100):
    off += 16 + struct.unpack('<I', d[off + 8:off + 12])[0]
print(off)
PY
) ))
	# frame 101 starts at $off (the record headers walked above)
	head -c $((off + 16 + 10)) "$f" > "$BATS_TEST_TMPDIR/cut.pcap"
	run --separate-stderr pcap2pkt -c frame "$BATS_TEST_TMPDIR/cut.pcap"
	[ "$status" -eq 3 ]
	assert_line --index 100 100
	[ "${#lines[@]}" -eq 101 ]
	[[ "$stderr" == *"cut.pcap: frame 101, at byte offset $off: truncated dump file"* ]]
}

@test "malformed DSS (tcpdump-mptcp-dss-oobr.pcap) is flagged, the record still written" {
	# tshark reports this DSS (length 3) as malformed
	run pcap2pkt -v -c frame,flags,mptcp,dsn "$FIX/corpus/tcpdump-mptcp-dss-oobr.pcap"
	assert_success
	assert_line --index 1 $'1\tS\tdss!\t-'
	assert_output --partial "1 with malformed or cut TCP options"
}

@test "a closed pipe ends pcap2pkt quietly; a full disk is an error" {
	run --separate-stderr bash -c "pcap2pkt $FIX/corpus/pymptcpanalyzer-client_2.pcap | head -1"
	assert_success
	assert_output "$(pcap2pkt "$FIX/corpus/pymptcpanalyzer-client_2.pcap" | head -1)"
	run bash -c "pcap2pkt $FIX/corpus/pymptcpanalyzer-client_2.pcap 2>&1 >/dev/full"
	assert_failure 1
	assert_output --partial "write error"
}

@test "usage on -h and on a bad option" {
	run pcap2pkt -h
	assert_success
	assert_output --partial "usage: pcap2pkt"
	run pcap2pkt -Q
	assert_failure 2
}

@test "crafted malformed captures: records and per-reason skips as derived by hand" {
	# test/fixtures/craft/bad-*.expect.tsv: hand-derived counts (test/craft)
	local e f want got reason n=0
	for e in "$FIX"/craft/bad-*.expect.tsv; do
		f=${e%.expect.tsv}.pcap
		# -v's words and -S's record (the same counts, for programs)
		pcap2pkt -v -S "$BATS_TEST_TMPDIR/stats" "$f" > "$BATS_TEST_TMPDIR/out" 2> "$BATS_TEST_TMPDIR/err" || [ $? -eq 3 ]
		want=$(awk -F'\t' '$1=="records"{print $3}' "$e")
		got=$(tail -n +2 "$BATS_TEST_TMPDIR/out" | wc -l)
		[ "$want" = "$got" ] || { echo "$f: records $got, expected $want"; false; }
		for reason in non_ip non_tcp ip_fragment truncated bad_ip_header bad_tcp_header bad_timestamp; do
			want=$(awk -F'\t' -v m="skipped_$reason" '$1==m{print $3}' "$e")
			got=$(grep -o ", $reason [0-9]*" "$BATS_TEST_TMPDIR/err" | awk '{print $3}')
			[ "${want:-0}" = "${got:-0}" ] ||
				{ echo "$f: $reason $got, expected $want"; cat "$BATS_TEST_TMPDIR/err"; false; }
			assert_equal "$(pick "$reason" < "$BATS_TEST_TMPDIR/stats")" "${want:-0}"
		done
		want=$(awk -F'\t' '$1=="records"{print $3}' "$e")
		assert_equal "$(pick segments < "$BATS_TEST_TMPDIR/stats")" "$want"
		n=$((n + 1))
	done
	[ "$n" -ge 8 ]
	# bad-nontcp: frame numbers count every frame, skipped ones included
	run pcap2pkt -c frame "$FIX/craft/bad-nontcp.pcap"
	assert_output "$(printf 'frame\n1\n5\n7')"
}

@test "a packet cut inside its options still yields a record with the option flagged" {
	run pcap2pkt -v -c frame,mptcp "$FIX/craft/bad-opt-cut.pcap"
	assert_success
	assert_output --partial $'\tdss!'
	assert_output --partial "1 with malformed or cut TCP options"
}

@test "an IP length beyond the frame invents no payload: cut to the frame, counted (crafted bad-iplen-beyond)" {
	# frames 3 and 7 claim IP lengths of 1500 and 40 + 2000 bytes but carry
	# 140 and 110 (caplen = frame length: no snap-length cut); tshark
	# computes tcp.len 100 and 50 from the frame too (test/craft/craft.py)
	local f=$FIX/craft/bad-iplen-beyond.pcap
	run --separate-stderr pcap2pkt -v -c frame,ip_len,len "$f"
	assert_success
	assert_line --index 3 $'3\t140\t100'
	assert_line --index 7 $'7\t110\t50'
	[[ "$stderr" == *"; 2 with an IP length beyond the frame;"* ]]
	run bash -c "tshark -r $f -T fields -e tcp.len 2>/dev/null | paste -sd' '"
	assert_output "0 0 100 0 0 0 50"
	# and the connection records count those bytes only
	export -f pick
	run bash -c "tcp-metrics $f | pick c2s_data_bytes | paste -sd' '"
	assert_output "100 50"
}

@test "a timestamp no int64 of nanoseconds holds: the frame is skipped and counted; in records, an error" {
	# bad-timestamp.pcap (pcapng): frame 3 is stamped 2^64-1 microseconds
	run --separate-stderr pcap2pkt -v -c frame,ts "$FIX/craft/bad-timestamp.pcap"
	assert_success
	assert_output "$(printf 'frame\tts\n1\t1700000000.000000\n2\t1700000000.050000')"
	[[ "$stderr" == *"3 frames, 2 TCP segments, 1 skipped, bad_timestamp 1;"* ]]
	# a record whose ts would overflow is refused with its line
	pcap2pkt "$FIX/craft/tcp-rto.pcap" | awk -F'\t' -v OFS='\t' 'NR == 3 {$2 = "9223372036.000000"} 1' > "$BATS_TEST_TMPDIR/r"
	run flowsplit "$BATS_TEST_TMPDIR/r"
	assert_failure
	assert_output --partial ":3: column 'ts': timestamp out of range"
}
