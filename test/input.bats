#!/usr/bin/env bats
bats_require_minimum_version 1.5.0
# The input side of issue 11: cut and damaged captures (analysed up to the
# fault, which is named with file, frame and byte offset; analyze keeps
# the folder and marks it partial), captures on standard input for every
# tool that reads them, and the selection (-b BPF filter, -A/-B time
# window). Where the expected values come from:
#   - frames before a cut: capinfos and tshark (wiretap, Wireshark's own
#     capture reader, not libpcap), which list the complete frames of a
#     cut file; tshark -w writes them to a whole capture, whose tables are
#     what the cut capture's must be;
#   - byte offsets: test/ref/capture-offsets, which walks the record and
#     block lengths of the file format in Python;
#   - selection: tshark's display filters (-Y) with the same meaning as
#     the BPF filter or the window, tcpdump -w and editcap -A/-B (filtered
#     copies of the capture, analysed without selection);
#   - standard input: the same tool given the file as an argument.

ANALYZE=$BATS_TEST_DIRNAME/../pipelines/analyze
SUMMARY=$BATS_TEST_DIRNAME/../pipelines/summary

setup_file() {
	load common
	local d=$BATS_FILE_TMPDIR
	# the cut sources: a public capture, its pcapng form (editcap), and a
	# capture made by test/gen on the kernel
	cp "$FIX/corpus/tcpdump-mptcp-v1.pcap" "$d/v1.pcap"
	editcap -F pcapng "$d/v1.pcap" "$d/v1.pcapng"
	cp "$FIX/gen/mptcp-handover.pcap" "$d/ho.pcap"
}

setup() {
	load common
	T=$BATS_TEST_TMPDIR
	S=$BATS_FILE_TMPDIR
}

# frames wiretap reads whole in capture $1
wiretap_frames() {
	capinfos -M -c -T "$1" 2> /dev/null | tail -1 | cut -f2
}

# cut_offsets FILE: 32 offsets spread over the file from its first frame
# (before it, the file cannot be opened: a failure, tested apart), and
# around three frame starts (at, one byte in, inside the record header,
# right after it)
cut_offsets() {
	local f=$1 size k s first
	size=$(stat -c %s "$f")
	first=$($PY "$TOP/test/ref/capture-offsets" "$f" | head -n 1)
	for k in $(seq 0 31); do echo $((first + k * (size - first - 1) / 31)); done
	for s in $($PY "$TOP/test/ref/capture-offsets" "$f" | sed -n '2p;5p;9p'); do
		echo "$s" $((s + 1)) $((s + 15)) $((s + 16)) $((s + 17)) | tr ' ' '\n'
	done
}

# check_cuts FILE: pcap2pkt on FILE cut at every offset of cut_offsets
check_cuts() {
	local f=$1 o n st starts want_st at bad=0
	starts=$($PY "$TOP/test/ref/capture-offsets" "$f")
	for o in $(cut_offsets "$f"); do
		head -c "$o" "$f" > "$T/cut"
		n=$(wiretap_frames "$T/cut")
		st=0
		pcap2pkt -c frame "$T/cut" > "$T/out" 2> "$T/err" || st=$?
		# exactly the complete frames, in order
		if [ "$(tail -n +2 "$T/out" | tr '\n' ' ')" != "$(seq -s ' ' 1 "$n" | sed 's/$/ /;s/^ $//')" ]; then
			echo "cut at $o: $(($(wc -l < "$T/out") - 1)) records, wiretap lists $n frames"
			bad=1
			continue
		fi
		# a cut at a frame boundary is a whole (shorter) capture; else
		# the frame after the complete ones starts where the walk says
		at=$(sed -n "$((n + 1))p" <<< "$starts")
		if grep -qx "$o" <<< "$starts" || [ "$at" = "end $o" ]; then
			want_st=0
		else
			want_st=3
			[[ $at != end* ]] || at=${at#end }
			grep -qF "cut: frame $((n + 1)), at byte offset $at: " "$T/err" ||
			    { echo "cut at $o: $(cat "$T/err") (want frame $((n + 1)) at $at)"; bad=1; }
		fi
		[ "$st" -eq "$want_st" ] || { echo "cut at $o: exit $st, want $want_st"; bad=1; }
	done
	return $bad
}

@test "pcap: cut at 47 offsets, the complete frames are kept and the cut one named with its byte offset" {
	check_cuts "$S/v1.pcap"
}

@test "pcapng: cut at 47 offsets, the complete frames are kept and the cut block named with its byte offset" {
	check_cuts "$S/v1.pcapng"
}

@test "a capture of the kernel (test/gen) cut at 47 offsets" {
	check_cuts "$S/ho.pcap"
}

@test "cut captures: tcp-metrics, mptcp-metrics and socks-dest give the tables of the complete frames (tshark -w), exit 3" {
	local f o k t bad=0
	for f in "$S/v1.pcap" "$S/v1.pcapng" "$S/ho.pcap"; do
		k=pcap
		[[ $f == *.pcapng ]] && k=pcapng
		for o in $(cut_offsets "$f" | awk 'NR % 6 == 3'); do
			head -c "$o" "$f" > "$T/cut.$k"
			# tshark writes the complete frames (and exits 2: the cut)
			tshark -r "$T/cut.$k" -F "$k" -w "$T/whole.$k" 2> /dev/null || true
			[ "$(wiretap_frames "$T/whole.$k")" = "$(wiretap_frames "$T/cut.$k")" ] || { echo "tshark -w $o"; bad=1; }
			for t in tcp-metrics "mptcp-metrics -s" "mptcp-join -s" "socks-dest -k x"; do
				# shellcheck disable=SC2086
				$t "$T/whole.$k" > "$T/want" || { echo "$t whole $o"; bad=1; }
				st=0
				# shellcheck disable=SC2086
				$t "$T/cut.$k" > "$T/got" 2> /dev/null || st=$?
				cmp -s "$T/want" "$T/got" || { echo "$t $f cut at $o: tables differ"; bad=1; }
				case $st in 0 | 3) ;; *) echo "$t $f cut at $o: exit $st"; bad=1 ;; esac
			done
		done
	done
	[ "$bad" -eq 0 ]
}

@test "a cut capture compressed, and a compressed capture cut: the frames before, offsets of the uncompressed stream" {
	local f=$S/v1.pcap at
	head -c 15000 "$f" > "$T/cut.pcap"
	at=$($PY "$TOP/test/ref/capture-offsets" "$f" | sed -n 7p)
	gzip -c "$T/cut.pcap" > "$T/cut.pcap.gz"
	run --separate-stderr pcap2pkt -c frame "$T/cut.pcap.gz"
	assert_failure 3
	assert_equal "$(tail -n +2 <<< "$output" | wc -l)" "$(wiretap_frames "$T/cut.pcap")"
	[[ $stderr == *"cut.pcap.gz: frame 7, at byte offset $at of the uncompressed stream: truncated dump file"* ]]
	# the compressed stream itself cut (at half its size): wiretap reads
	# it as far as zlib does
	gzip -c "$FIX/gen/mptcp-handover.pcap" > "$T/gz.pcap.gz"
	head -c $(($(stat -c %s "$T/gz.pcap.gz") / 2)) "$T/gz.pcap.gz" > "$T/gz-cut.pcap.gz"
	run --separate-stderr pcap2pkt -c frame "$T/gz-cut.pcap.gz"
	assert_failure 3
	n=$(wiretap_frames "$T/gz-cut.pcap.gz")
	[ "$n" -gt 10 ]
	assert_equal "$(tail -n +2 <<< "$output" | tr '\n' ' ')" "$(seq -s ' ' 1 "$n") "
	at=$($PY "$TOP/test/ref/capture-offsets" "$FIX/gen/mptcp-handover.pcap" | sed -n "$((n + 1))p")
	[[ $stderr == *"gz-cut.pcap.gz: frame $((n + 1)), at byte offset $at of the uncompressed stream: "* ]]
	# cut inside the file header, or the pcapng blocks before the first
	# packet: no capture at all, a failure (1)
	head -c 10 "$f" > "$T/head.pcap"
	run --separate-stderr pcap2pkt -c frame "$T/head.pcap"
	assert_failure 1
	[[ $stderr == *"head.pcap: not a readable pcap or pcapng capture"* ]]
	head -c 40 "$S/v1.pcapng" > "$T/head.pcapng"
	run --separate-stderr pcap2pkt -c frame "$T/head.pcapng"
	assert_failure 1
	[[ $stderr == *"head.pcapng: not a readable pcap or pcapng capture"* ]]
}

@test "a damaged record length: the frames before kept, the bad record named at its offset" {
	# frame 5's caplen set to 0x7fffffff: libpcap refuses it
	local f=$S/v1.pcap at
	at=$($PY "$TOP/test/ref/capture-offsets" "$f" | sed -n 5p)
	cp "$f" "$T/bad.pcap"
	printf '\xff\xff\xff\x7f' | dd of="$T/bad.pcap" bs=1 seek=$((at + 8)) conv=notrunc status=none
	run --separate-stderr pcap2pkt -c frame "$T/bad.pcap"
	assert_failure 3
	assert_output "$(printf 'frame\n1\n2\n3\n4')"
	[[ $stderr == *"bad.pcap: frame 5, at byte offset $at: "* ]]
	# the files after a damaged one are read as usual: frames keep counting
	run --separate-stderr pcap2pkt -v -c frame "$T/bad.pcap" "$f"
	assert_failure 3
	assert_equal "${#lines[@]}" $((1 + 4 + $(wiretap_frames "$f")))
	[[ $stderr == *"1 files cut or damaged (first at its frame 5 byte $at)"* ]]
}

@test "analyze: a cut capture is partial, its folder kept with the tables of its complete frames; summary counts it" {
	local at
	mkdir -p "$T/in" "$T/ref"
	head -c 120000 "$S/ho.pcap" > "$T/in/mptcp_cut_lab_20240101-120000_any.pcap"
	tshark -r "$T/in/mptcp_cut_lab_20240101-120000_any.pcap" -F pcap -w "$T/ref/mptcp_cut_lab_20240101-120000_any.pcap" 2> /dev/null || true
	n=$(wiretap_frames "$T/ref/mptcp_cut_lab_20240101-120000_any.pcap")
	at=$($PY "$TOP/test/ref/capture-offsets" "$S/ho.pcap" | sed -n "$((n + 1))p")
	cp "$S/v1.pcap" "$T/in/mptcp_whole_lab_20240101-130000_any.pcap"
	run --separate-stderr "$ANALYZE" -o "$T/out" "$T/in"
	assert_failure 101
	[[ $stderr == *"mptcp_cut_lab_20240101-120000_any.pcap: PARTIAL: frame $((n + 1)), at byte offset $at: truncated dump file"* ]]
	[[ $stderr == *"analyze: 1 of 2 captures partial (cut or damaged: analysed up to the fault)"* ]]
	local d=$T/out/mptcp_cut_lab_20240101-120000_any
	assert_equal "$(pick partial,damage_frame,damage_offset < "$d/manifest.tsv")" "1 $((n + 1)) $at"
	assert_equal "$(pick partial,damage_frame,damage_offset < "$T/out/mptcp_whole_lab_20240101-130000_any/manifest.tsv")" "0 - -"
	# the frames: the complete ones, and the cut one as truncated
	assert_equal "$(pick frames,truncated < "$d/manifest.tsv")" "$((n + 1)) 1"
	# every table as analyze makes it of the complete frames
	run "$ANALYZE" -o "$T/refout" "$T/ref"
	assert_success
	local f
	for f in $(cd "$d" && ls ./*.tsv); do
		[ "$f" = ./manifest.tsv ] && continue
		cmp "$d/$f" "$T/refout/mptcp_cut_lab_20240101-120000_any/$f"
	done
	# the same when decoded once and fanned out (-x: the clean-up step)
	run "$ANALYZE" -x 9 -o "$T/fan" "$T/in/mptcp_cut_lab_20240101-120000_any.pcap"
	assert_failure 101
	assert_equal "$(pick partial,damage_frame,damage_offset < "$T/fan/mptcp_cut_lab_20240101-120000_any/manifest.tsv")" "1 $((n + 1)) $at"
	# with a failed capture: the exit status is the number failed
	echo "not a capture" > "$T/in/mptcp_notes_lab_20240101-140000_any.pcap"
	run "$ANALYZE" -o "$T/out" "$T/in"
	assert_failure 1
	# summary: the partial capture counted
	run --separate-stderr "$SUMMARY" -o "$T/sum" "$T/out"
	assert_success
	[[ $stderr == *"2 captures (1 partial: cut or damaged, analysed up to the fault) summarised"* ]]
	assert_equal "$(pick name,partial < "$T/sum/data/captures.tsv" | sort)" \
	    "$(printf 'mptcp_cut_lab_20240101-120000_any.pcap 1\nmptcp_whole_lab_20240101-130000_any.pcap 0')"
	assert_equal "$(pick count,sum_partial < "$T/sum/captures.tsv" | awk '{ c += $1; p += $2 } END { print c, p }')" "2 1"
}

# ------------------------------------------------------------ standard input

@test "captures on standard input (pipe, file, gzip, pcapng): the output of the file argument, for every tool" {
	local f t bad=0
	editcap -F pcapng "$FIX/gen/mptcp-ipv6.pcap" "$T/v6.pcapng"
	for f in "$FIX/gen/mptcp-handover.pcap" "$T/v6.pcapng" "$FIX/corpus/ptcpdump-tcp.pcapng"; do
		for t in pcap2pkt tcp-metrics "tcp-metrics -e rtt -o /dev/null" mptcp-join "mptcp-join -s" \
		    mptcp-metrics "mptcp-metrics -s" "mptcp-metrics -e dack" "socks-dest -k x"; do
			# shellcheck disable=SC2086
			$t "$f" > "$T/want"
			[ -s "$T/want" ] || [[ $t == *-o* ]] || { echo "$t $f: no output"; bad=1; }
			# shellcheck disable=SC2086
			cat "$f" | $t > "$T/pipe" || { echo "$t: pipe failed"; bad=1; }
			# shellcheck disable=SC2086
			$t < "$f" > "$T/file" || { echo "$t: redirect failed"; bad=1; }
			# shellcheck disable=SC2086
			gzip -c "$f" | $t - > "$T/gz" || { echo "$t: gzip failed"; bad=1; }
			cmp -s "$T/want" "$T/pipe" && cmp -s "$T/want" "$T/file" && cmp -s "$T/want" "$T/gz" ||
			    { echo "$t $f: standard input differs"; bad=1; }
		done
	done
	[ "$bad" -eq 0 ]
}

@test "tcpdump -w - | tcp-metrics; a slow writer; records on standard input still work" {
	local f=$FIX/gen/mptcp-handover.pcap
	tcp-metrics "$f" > "$T/want"
	run bash -c "tcpdump -r '$f' -w - 2> /dev/null | tcp-metrics"
	assert_success
	assert_equal "$output" "$(cat "$T/want")"
	# the magic arrives 2 bytes at a time: the look waits for 4
	run bash -c "{ head -c 2 '$f'; sleep 0.3; head -c 4 '$f' | tail -c 2; sleep 0.3; tail -c +5 '$f'; } | tcp-metrics"
	assert_success
	assert_equal "$output" "$(cat "$T/want")"
	# records, through a pipe and from a file on standard input
	run bash -c "pcap2pkt '$f' | flowsplit | tcp-metrics"
	assert_success
	assert_equal "$output" "$(cat "$T/want")"
	pcap2pkt "$f" | flowsplit > "$T/recs"
	run bash -c "tcp-metrics < '$T/recs'"
	assert_equal "$output" "$(cat "$T/want")"
	run bash -c "pcap2pkt '$f' | flowsplit | mptcp-join | mptcp-metrics -s"
	assert_equal "$output" "$(mptcp-metrics -s "$f")"
	# three bytes of input: neither a capture nor records
	run --separate-stderr bash -c "printf 'abc' | tcp-metrics"
	assert_failure 1
	# a cut capture on standard input: the frames before, exit 3
	head -c 100000 "$f" > "$T/cut.pcap"
	run --separate-stderr bash -c "cat '$T/cut.pcap' | mptcp-metrics -s"
	assert_failure 3
	assert_equal "$output" "$(mptcp-metrics -s "$T/cut.pcap" 2> /dev/null)"
	[[ $stderr == *"mptcp-metrics: -: frame "*", at byte offset "*": truncated dump file"* ]]
}

# ------------------------------------------------------------ selection

# frames of capture $1 that tshark's display filter $2 keeps
tshark_frames() {
	tshark -r "$1" -Y "$2" -T fields -e frame.number 2> /dev/null
}

@test "-b: the frames of a BPF filter are tshark's of the same display filter; the others counted as filtered" {
	local f=$FIX/gen/mptcp-handover.pcap v6=$FIX/gen/mptcp-ipv6.pcap total bad=0
	# capture; BPF filter; display filter (the two subflows of the
	# handover capture use ports 41286 and 42301)
	local -a cases=(
		"$f;tcp port 42301;tcp.port == 42301"
		"$f;src host 10.0.2.2;ip.src == 10.0.2.2"
		"$f;tcp[tcpflags] & tcp-syn != 0;tcp.flags.syn == 1"
		"$f;tcp and not port 41286;tcp && !(tcp.port == 41286)"
		"$f;less 100;frame.len < 101"
		"$v6;ip6 and (src port 43467 or dst port 34520);ipv6 && (tcp.srcport == 43467 || tcp.dstport == 34520)"
		"$FIX/corpus/ptcpdump-tcp.pcapng;dst port 8000;tcp.dstport == 8000"
	)
	local c file bpf dfilter want got
	for c in "${cases[@]}"; do
		IFS=';' read -r file bpf dfilter <<< "$c"
		want=$(tshark_frames "$file" "$dfilter")
		[ -n "$want" ] || { echo "$bpf: tshark keeps no frame (a test that cannot fail)"; bad=1; }
		got=$(pcap2pkt -v -b "$bpf" -c frame "$file" 2> "$T/err" | tail -n +2)
		[ "$got" = "$want" ] || { echo "$bpf: pcap2pkt $(wc -l <<< "$got") frames, tshark $(wc -l <<< "$want")"; bad=1; }
		total=$(wiretap_frames "$file")
		grep -q "filtered $((total - $(wc -l <<< "$want")))[;,]" "$T/err" ||
		    { echo "$bpf: $(cat "$T/err"), want filtered $((total - $(wc -l <<< "$want")))"; bad=1; }
	done
	[ "$bad" -eq 0 ]
}

@test "-A, -B: absolute and relative windows are tshark's frame.time_epoch and frame.time_relative" {
	local f=$FIX/gen/mptcp-handover.pcap t100 t900 want got total
	t100=$(tshark -r "$f" -T fields -e frame.time_epoch 2> /dev/null | sed -n 100p)
	t900=$(tshark -r "$f" -T fields -e frame.time_epoch 2> /dev/null | sed -n 900p)
	total=$(wiretap_frames "$f")
	# bounds on a frame's own time: -A keeps it, -B leaves it out
	want=$(tshark_frames "$f" "frame.time_epoch >= $t100 && frame.time_epoch < $t900")
	[ "$(head -1 <<< "$want")" = 100 ]
	got=$(pcap2pkt -v -A "$t100" -B "$t900" -c frame "$f" 2> "$T/err" | tail -n +2)
	assert_equal "$got" "$want"
	grep -q "outside_window $((total - $(wc -l <<< "$want")))[;,]" "$T/err"
	# relative to the first frame
	want=$(tshark_frames "$f" "frame.time_relative >= 1.25 && frame.time_relative < 2.5")
	[ -n "$want" ]
	assert_equal "$(pcap2pkt -A +1.25 -B +2.5 -c frame "$f" | tail -n +2)" "$want"
	# only one bound; with -b too
	assert_equal "$(pcap2pkt -B +0.5 -c frame "$f" | tail -n +2)" "$(tshark_frames "$f" "frame.time_relative < 0.5")"
	assert_equal "$(pcap2pkt -A +2 -b 'tcp port 5201' -c frame "$f" | tail -n +2)" \
	    "$(tshark_frames "$f" "frame.time_relative >= 2 && tcp.port == 5201")"
	# bad times and filters are usage errors, in every tool
	local t
	for t in pcap2pkt tcp-metrics mptcp-join mptcp-metrics socks-dest; do
		run --separate-stderr "$t" -A yesterday "$f"
		assert_failure 2
		[[ $stderr == *"-A: expected seconds since the epoch or +seconds"* ]]
		run --separate-stderr "$t" -b 'port eighty' "$f"
		assert_failure 2
		[[ $stderr == *"-b: "* ]]
	done
	# records cannot be selected (pcap2pkt does it)
	run --separate-stderr bash -c "pcap2pkt '$f' | flowsplit | tcp-metrics -b tcp"
	assert_failure 2
	[[ $stderr == *"-b, -A and -B select frames of captures; the input is records"* ]]
}

@test "the direct modes with -b, -A, -B: the tables of the capture filtered by tcpdump and cut by editcap" {
	local f=$FIX/gen/mptcp-handover.pcap t900 t
	t900=$(tshark -r "$f" -T fields -e frame.time_epoch 2> /dev/null | sed -n 900p)
	tcpdump -r "$f" -w "$T/bpf.pcap" 'not (tcp and host 10.0.2.2)' 2> /dev/null
	editcap -B "$t900" "$f" "$T/win.pcap"
	for t in tcp-metrics "mptcp-join -s" mptcp-metrics "mptcp-metrics -s" "mptcp-metrics -e rtt" "socks-dest -k x"; do
		# shellcheck disable=SC2086
		cmp <($t -b 'not (tcp and host 10.0.2.2)' "$f") <($t "$T/bpf.pcap")
		# shellcheck disable=SC2086
		cmp <($t -B "$t900" "$f") <($t "$T/win.pcap")
		# shellcheck disable=SC2086
		cmp <(cat "$f" | $t -B "$t900") <($t "$T/win.pcap")
	done
	# the pipeline selecting in pcap2pkt gives the same
	cmp <(pcap2pkt -b 'not (tcp and host 10.0.2.2)' "$f" | flowsplit | tcp-metrics) <(tcp-metrics "$T/bpf.pcap")
}

@test "analyze -b, -A, -B: passed to every filter, recorded and counted in the manifest" {
	local f=$FIX/gen/mptcp-handover.pcap total keep t900
	mkdir -p "$T/in" "$T/ref"
	cp "$f" "$T/in/mptcp_sel_lab_20240101-120000_any.pcap"
	t900=$(tshark -r "$f" -T fields -e frame.time_epoch 2> /dev/null | sed -n 900p)
	tcpdump -r "$f" -w - 'not host 10.0.2.2' 2> /dev/null | editcap -B "$t900" - "$T/ref/mptcp_sel_lab_20240101-120000_any.pcap"
	run "$ANALYZE" -b 'not host 10.0.2.2' -B "$t900" -o "$T/out" "$T/in"
	assert_success
	run "$ANALYZE" -o "$T/refout" "$T/ref"
	assert_success
	local d=$T/out/mptcp_sel_lab_20240101-120000_any r=$T/refout/mptcp_sel_lab_20240101-120000_any f2
	for f2 in $(cd "$d" && ls ./*.tsv); do
		[ "$f2" = ./manifest.tsv ] || cmp "$d/$f2" "$r/$f2"
	done
	# the counts: tshark's complement of each selection
	total=$(wiretap_frames "$f")
	keep=$(tshark_frames "$f" "frame.time_epoch < $t900" | wc -l)
	assert_equal "$(pick outside_window < "$d/manifest.tsv")" $((total - keep))
	assert_equal "$(pick filtered < "$d/manifest.tsv")" \
	    $((keep - $(tshark_frames "$f" "frame.time_epoch < $t900 && !(ip.addr == 10.0.2.2)" | wc -l)))
	assert_equal "$(awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i } NR == 2 { print $c["bpf"] "|" $c["window_from"] "|" $c["window_to"] }' "$d/manifest.tsv")" \
	    "not host 10.0.2.2|-|$t900"
	# fanned out (gzip) too
	gzip -c "$f" > "$T/in/mptcp_sel_lab_20240101-120000_any.pcap.gz"
	rm "$T/in/mptcp_sel_lab_20240101-120000_any.pcap"
	run "$ANALYZE" -b 'not host 10.0.2.2' -B "$t900" -o "$T/gz" "$T/in"
	assert_success
	for f2 in $(cd "$d" && ls ./*.tsv); do
		[ "$f2" = ./manifest.tsv ] || cmp "$T/gz/mptcp_sel_lab_20240101-120000_any/$f2" "$r/$f2"
	done
	# a bad filter: a usage error before any capture
	run --separate-stderr "$ANALYZE" -b 'port eighty' -o "$T/bad" "$T/in"
	assert_failure 2
	[[ $stderr == "analyze: -b: "* ]]
	[ ! -e "$T/bad/mptcp_sel_lab_20240101-120000_any" ]
}

# ------------------------------------------------------------ MPTCP by content

@test "MPTCP by content: an MPTCP capture named tcp_* gets the MPTCP tables, with a warning; -N keeps the name rule" {
	mkdir -p "$T/in"
	local mp=$FIX/gen/mptcp-handover.pcap tcp=$FIX/gen/tcp-loss.pcap
	# tshark: MP_CAPABLE SYNs (MPTCP connections) in one, none in the other
	local nmp
	nmp=$(tshark -r "$mp" -Y 'tcp.options.mptcp.subtype == 0 && tcp.flags.syn == 1 && tcp.flags.ack == 0' 2> /dev/null | wc -l)
	[ "$nmp" -ge 1 ]
	[ "$(tshark -r "$tcp" -Y 'tcp.options.mptcp.subtype == 0' 2> /dev/null | wc -l)" -eq 0 ]
	cp "$mp" "$T/in/tcp_app_wifi_20240101-120000_any.pcap"
	cp "$tcp" "$T/in/mptcp_app_wifi_20240101-130000_any.pcap"
	cp "$tcp" "$T/in/plain.pcap"
	run --separate-stderr "$ANALYZE" -o "$T/out" "$T/in"
	assert_success
	assert_equal "$stderr" "$(printf '%s\n' \
	    "analyze: $T/in/mptcp_app_wifi_20240101-130000_any.pcap: named as an MPTCP capture, but carries no MP_CAPABLE: analysed as TCP (-N: by the name)" \
	    "analyze: $T/in/tcp_app_wifi_20240101-120000_any.pcap: named as a TCP capture, but carries MP_CAPABLE: analysed as MPTCP (-N: by the name)" \
	    "analyze: 3 analysed, 0 partial, 0 failed, 0 skipped as done")"
	local d=$T/out/tcp_app_wifi_20240101-120000_any
	assert_equal "$(pick mode,mode_from,mptcp_conns < "$d/manifest.tsv")" "mptcp content $nmp"
	assert_equal "$(pick mode,mode_from,mptcp_conns < "$T/out/mptcp_app_wifi_20240101-130000_any/manifest.tsv")" "tcp content -"
	assert_equal "$(pick mode,mode_from < "$T/out/plain/manifest.tsv")" "tcp content"
	[ ! -e "$T/out/plain/mptcp_conns.tsv" ]
	# the tables are those of -M under the capture's own name
	run "$ANALYZE" -M -o "$T/m" "$mp"
	assert_success
	assert_equal "$(pick mode_from < "$T/m/mptcp-handover/manifest.tsv")" option
	local f
	# but the capture column, which holds each one's folder
	for f in $(cd "$d" && ls ./*.tsv); do
		case $f in
		./manifest.tsv) ;;
		./schema.tsv) cmp "$d/$f" "$T/m/mptcp-handover/$f" ;;
		*)
			cut -f2- "$d/$f" > "$T/a"
			cut -f2- "$T/m/mptcp-handover/$f" | cmp "$T/a" - ;;
		esac
	done
	# -N: the name decides, no warning (the closing count only)
	run --separate-stderr "$ANALYZE" -N -o "$T/n" "$T/in"
	assert_success
	assert_equal "$stderr" "analyze: 3 analysed, 0 partial, 0 failed, 0 skipped as done"
	assert_equal "$(pick mode,mode_from < "$T/n/tcp_app_wifi_20240101-120000_any/manifest.tsv")" "tcp name"
	assert_equal "$(pick mode,mode_from < "$T/n/plain/manifest.tsv")" "mptcp name"
	[ ! -e "$T/n/tcp_app_wifi_20240101-120000_any/mptcp_conns.tsv" ]
}
