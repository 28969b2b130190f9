#!/usr/bin/env bats
bats_require_minimum_version 1.5.0
# mptcp-tables: every table of a capture in one pass. The reference for
# each table is the filter that makes it, run by hand on the same capture
# (tcp-metrics and its -e modes, mptcp-join -s, mptcp-metrics and its -s
# and -e modes). That reference is independent enough here: what is under
# test is the one-pass plumbing (one decode, one flow table, one engine of
# each kind feeding several tables), not the statistics, which the
# filters' own suites check against tshark, tcptrace, the kernel's
# counters and the data-level oracle (tcp-metrics-tcptrace.bats,
# tcp-metrics-kernel.bats, mptcp-kernel.bats, mptcp-oracle.bats). The
# clean-up options (-c, -x) are checked against the filters run on the
# capture as tshark's display filter leaves it.

setup() {
	load common
	T=$BATS_TEST_TMPDIR
}

# the tables and the filter runs that make them
TABLES=(
	"tcp_conns.tsv|tcp-metrics"
	"tcp_rtt.tsv|tcp-metrics -e rtt"
	"tcp_rexmit.tsv|tcp-metrics -e rexmit"
	"tcp_ack.tsv|tcp-metrics -e ack"
	"mptcp_join.tsv|mptcp-join -s"
	"mptcp_conns.tsv|mptcp-metrics"
	"mptcp_subflows.tsv|mptcp-metrics -s"
	"mptcp_rtt.tsv|mptcp-metrics -e rtt"
	"mptcp_dack.tsv|mptcp-metrics -e dack"
	"mptcp_bursts.tsv|mptcp-metrics -e bursts"
	"mptcp_reinject.tsv|mptcp-metrics -e reinject"
	"mptcp_addr.tsv|mptcp-metrics -e addr"
	"mptcp_stall.tsv|mptcp-metrics -e stall"
)

# same_as_filters DIR FILE...: every table in DIR is the bytes of its
# filter run by hand on FILE...; the count of tables compared on stdout
same_as_filters() {
	local dir=$1 t name cmd n=0
	shift
	for t in "${TABLES[@]}"; do
		name=${t%%|*} cmd=${t#*|}
		[ -e "$dir/$name" ] || continue
		# shellcheck disable=SC2086 # the filter and its options
		$cmd "$@" > "$T/ref" 2> /dev/null || { echo "$cmd $*: failed" >&2; return 1; }
		cmp "$T/ref" "$dir/$name" >&2 || { echo "$name differs from $cmd $*" >&2; return 1; }
		n=$((n + 1))
	done
	echo "$n"
}

@test "every table of every corpus and gen capture is the filter's, byte for byte" {
	local f n=0 got
	for f in "$FIX"/corpus/*.pcap "$FIX"/corpus/*.pcapng "$FIX"/gen/*.pcap; do
		rm -rf "$T/o"
		mkdir "$T/o"
		mptcp-tables -M -o "$T/o" "$f"
		got=$(same_as_filters "$T/o" "$f")
		# all twelve tables written and compared
		assert_equal "$got" 13
		n=$((n + 1))
	done
	# the corpus (16 captures) and gen (9): a glob that matched nothing
	# would have compared nothing
	assert_equal "$n" 25
}

@test "a gzip-compressed capture and several captures as one stream" {
	gzip -c "$FIX/gen/mptcp-handover.pcap" > "$T/h.pcap.gz"
	mkdir "$T/gz" "$T/two"
	mptcp-tables -M -o "$T/gz" "$T/h.pcap.gz"
	assert_equal "$(same_as_filters "$T/gz" "$T/h.pcap.gz")" 13
	mptcp-tables -M -o "$T/two" "$FIX/gen/mptcp-backup.pcap" "$FIX/gen/tcp-loss.pcap"
	assert_equal "$(same_as_filters "$T/two" "$FIX/gen/mptcp-backup.pcap" "$FIX/gen/tcp-loss.pcap")" 13
}

@test "which tables: TCP ones by default, MPTCP ones with -M, no event tables with -l" {
	local c=$FIX/gen/mptcp-both.pcap
	mkdir "$T/a" "$T/m" "$T/l" "$T/ml"
	mptcp-tables -o "$T/a" "$c"
	mptcp-tables -M -o "$T/m" "$c"
	mptcp-tables -l -o "$T/l" "$c"
	mptcp-tables -M -l -o "$T/ml" "$c"
	# expected: the lists of mptcp-tables(1)
	assert_equal "$(ls "$T/a" | tr '\n' ' ')" "tcp_ack.tsv tcp_conns.tsv tcp_rexmit.tsv tcp_rtt.tsv "
	assert_equal "$(ls "$T/m" | wc -l)" 13
	assert_equal "$(ls "$T/l" | tr '\n' ' ')" "tcp_conns.tsv "
	assert_equal "$(ls "$T/ml" | tr '\n' ' ')" "mptcp_conns.tsv mptcp_join.tsv mptcp_subflows.tsv tcp_conns.tsv "
	assert_equal "$(same_as_filters "$T/a" "$c")" 4
	assert_equal "$(same_as_filters "$T/ml" "$c")" 4
}

@test "-c and -x drop segments as tshark's display filter would, before the flow table" {
	# Input: the handover capture merged with a loopback one (as
	# analyze.bats makes it); expected: the filters on the capture that
	# tshark leaves. The tables compared have no frame column (tshark's
	# copy numbers its frames anew).
	editcap -F pcap -C 20 -T rawip "$FIX/gen/mptcp-handover.pcap" "$T/a.pcap"
	editcap -F pcap -C 14 -T rawip "$FIX/corpus/ptcpdump-tcp.pcapng" "$T/b.pcap"
	mergecap -F pcap -w "$T/mix.pcap" "$T/a.pcap" "$T/b.pcap"
	mkdir "$T/c" "$T/x" "$T/cx"
	mptcp-tables -M -c -o "$T/c" "$T/mix.pcap"
	tshark -r "$T/mix.pcap" -Y '!(ip.addr == 127.0.0.0/8) && !(ipv6.addr == ::1)' -w "$T/ref-lo.pcap"
	mptcp-tables -M -x 8000 -o "$T/x" "$T/mix.pcap"
	tshark -r "$T/mix.pcap" -Y '!(tcp.port == 8000)' -w "$T/ref-port.pcap"
	# empty items and ports beyond 65535 match nothing, as in analyze's awk
	mptcp-tables -M -c -x ,8000,,99999,5201 -o "$T/cx" "$T/mix.pcap"
	tshark -r "$T/mix.pcap" -Y '!(ip.addr == 127.0.0.0/8) && !(ipv6.addr == ::1) && !(tcp.port == 8000) && !(tcp.port == 5201)' -w "$T/ref-cx.pcap"
	local d ref
	for d in c:ref-lo x:ref-port cx:ref-cx; do
		ref=$T/${d#*:}.pcap d=$T/${d%%:*}
		cmp <(tcp-metrics "$ref") "$d/tcp_conns.tsv"
		cmp <(mptcp-metrics "$ref") "$d/mptcp_conns.tsv"
		cmp <(mptcp-metrics -s "$ref") "$d/mptcp_subflows.tsv"
	done
	# the drops took something: fewer connections than in the whole capture
	[ "$(wc -l < "$T/c/tcp_conns.tsv")" -lt "$(tcp-metrics "$T/mix.pcap" | wc -l)" ]
	[ "$(wc -l < "$T/x/tcp_conns.tsv")" -lt "$(tcp-metrics "$T/mix.pcap" | wc -l)" ]
	assert_equal "$(wc -l < "$T/cx/tcp_conns.tsv")" 1
}

@test "-v: the counts of pcap2pkt -v, under mptcp-tables' name" {
	local c=$FIX/craft/bad-truncated-file.pcap want
	mkdir "$T/o"
	want=$(pcap2pkt -v "$c" 2>&1 > /dev/null | grep ' frames, ')
	run --separate-stderr mptcp-tables -v -o "$T/o" "$c"
	# 3: cut, what came before analysed (mptcp-tables(1), as pcap2pkt)
	assert_failure 3
	assert_equal "$(grep ' frames, ' <<< "$stderr")" "mptcp-tables: ${want#pcap2pkt: }"
	# the read error said first, as pcap2pkt says it
	assert_equal "$(head -1 <<< "$stderr" | sed 's/^mptcp-tables: //')" \
	    "$(pcap2pkt "$c" 2>&1 > /dev/null | head -1 | sed 's/^pcap2pkt: //')"
}

@test "bad usage and bad input: a message and a status, no tables" {
	mkdir "$T/o"
	run mptcp-tables "$FIX/gen/tcp-loss.pcap"
	assert_failure 2
	assert_line "mptcp-tables: -o: the folder of the tables is needed"
	run mptcp-tables -o "$T/o"
	assert_failure 2
	assert_line "mptcp-tables: no capture given"
	run mptcp-tables -x 80,http -o "$T/o" "$FIX/gen/tcp-loss.pcap"
	assert_failure 2
	assert_output "mptcp-tables: -x: expected port numbers separated by commas, got 'http'"
	# the folder is made, not its parent
	run mptcp-tables -o "$T/none/t" "$FIX/gen/tcp-loss.pcap"
	assert_failure 1
	assert_output "mptcp-tables: $T/none/t: No such file or directory"
	mptcp-tables -o "$T/new" "$FIX/gen/tcp-loss.pcap"
	assert_equal "$(ls "$T/new" | wc -l)" 4
	# records are not a capture: the capture reader's words
	pcap2pkt "$FIX/gen/tcp-loss.pcap" > "$T/rec.tsv"
	run mptcp-tables -o "$T/o" "$T/rec.tsv"
	assert_failure 1
	assert_output "mptcp-tables: $T/rec.tsv: not a readable pcap or pcapng capture (unknown file format)"
	run mptcp-tables -o "$T/o" /dev/null
	assert_failure 1
	assert_output --partial "mptcp-tables: /dev/null: "
	run ls -A "$T/o"
	assert_output ""
	run mptcp-tables -h
	assert_success
	assert_output --partial "usage: mptcp-tables"
}

@test "-b, -A, -B: the tables of the frames the selection keeps, as the filters make them with the same selection" {
	# reference: each filter run by hand with the same options (their
	# selection is checked against tshark and tcpdump in input.bats)
	local f=$FIX/gen/mptcp-both.pcap got
	mkdir "$T/o" "$T/all"
	mptcp-tables -M -b 'not (tcp[13] & 1 != 0)' -A +0.5 -B +3 -o "$T/o" "$f"
	got=$(same_as_filters "$T/o" -b 'not (tcp[13] & 1 != 0)' -A +0.5 -B +3 "$f")
	assert_equal "$got" 13
	# the selection took something away
	mptcp-tables -M -o "$T/all" "$f"
	[ "$(wc -l < "$T/o/tcp_rtt.tsv")" -lt "$(wc -l < "$T/all/tcp_rtt.tsv")" ]
	[ "$(wc -l < "$T/o/tcp_rtt.tsv")" -gt 1 ]
}

@test "-a: the MPTCP tables for a capture with MP_CAPABLE (those of -M), none for one without" {
	# Expected: tshark says which captures carry MP_CAPABLE (subtype 0);
	# the tables are then those of -M, or of the TCP mode.
	local f m
	for f in "$FIX/gen/mptcp-handover.pcap" "$FIX/corpus/pymptcpanalyzer-client_1_tcp_only.pcap"; do
		m=$(tshark -r "$f" -Y 'tcp.options.mptcp.subtype == 0' 2> /dev/null | wc -l)
		mptcp-tables -a -S "$T/s" -o "$T/a" "$f"
		if [ "$m" -gt 0 ]; then
			mptcp-tables -M -o "$T/ref" "$f"
			assert_equal "$(pick mode < "$T/s")" mptcp
		else
			mptcp-tables -o "$T/ref" "$f"
			assert_equal "$(pick mode,mptcp_conns,subflows < "$T/s")" "tcp - -"
		fi
		assert_equal "$(ls "$T/a")" "$(ls "$T/ref")"
		for t in "$T"/ref/*.tsv; do cmp "$t" "$T/a/${t##*/}"; done
		rm -r "$T/a" "$T/ref"
	done
}

@test "-S: the counts of pcap2pkt -v and the tables' records, one TSV record" {
	# Expected: pcap2pkt -v's words on the same capture (its own suite checks
	# them against capinfos and tshark), and the records of the tables.
	local f=$FIX/craft/bad-nontcp.pcap v
	mptcp-tables -M -S "$T/s" -o "$T/t" "$f"
	assert_equal "$(wc -l < "$T/s")" 2
	v=$(pcap2pkt -v "$f" 2>&1 > /dev/null | tail -1)
	assert_equal "$v" "pcap2pkt: $(pick frames < "$T/s") frames, $(pick segments < "$T/s") TCP segments, $(pick skipped < "$T/s") skipped, non_ip $(pick non_ip < "$T/s"), non_tcp $(pick non_tcp < "$T/s"); 0 with malformed or cut TCP options; 0 with an IP length beyond the frame; 0 timestamps backwards; 0 files cut or damaged"
	assert_equal "$(pick tcp_conns,mptcp_conns,subflows < "$T/s")" \
	    "$(($(wc -l < "$T/t/tcp_conns.tsv") - 1)) $(($(wc -l < "$T/t/mptcp_conns.tsv") - 1)) $(($(wc -l < "$T/t/mptcp_subflows.tsv") - 1))"
	# a cut capture: partial, and where (as pcap2pkt -v says it)
	head -c 15000 "$FIX/corpus/tcpdump-mptcp-v1.pcap" > "$T/cut.pcap"
	run mptcp-tables -S "$T/s2" -o "$T/t2" "$T/cut.pcap"
	assert_failure 3
	assert_equal "$(pick partial,damage_frame,damage_offset < "$T/s2")" "1 7 8820"
}

@test "-T and --schema with -S: the counts record's columns, in its header's order, under its file's name" {
	# Expected: the -S file's own header, field by field (the rows analyze
	# takes the manifest's definitions from); the tables' rows unchanged.
	local f=$FIX/craft/bad-nontcp.pcap
	mkdir "$T/d"
	mptcp-tables -M -S "$T/d/counts.tsv" -T "$T/schema" -o "$T/t" "$f"
	mptcp-tables -M -T "$T/schema0" -o "$T/t0" "$f"
	assert_equal "$(awk -F'\t' '$1 == "counts.tsv" { printf "%s%s", s, $2; s = "\t" }' "$T/schema")" "$(head -1 "$T/d/counts.tsv")"
	assert_equal "$(grep -v '^counts\.tsv	' "$T/schema")" "$(cat "$T/schema0")"
	mptcp-tables -M -S "$T/d/counts.tsv" --schema | cmp - "$T/schema"
	run -0 grep -c '^counts\.tsv	frames	count	frames	' "$T/schema"
	assert_output 1
}

@test "-J -I: analyze's subflow table (mptcp-metrics -s, mptcp-join -s's other columns, ifmatch's), failed subflows" {
	# Expected: the filters by hand, joined by this test's own awk on
	# (mpconn, subflow), then ifmatch; the failed ones by status.
	local f=$FIX/craft/mp-join-failed.pcap
	mptcp-tables -M -J -I -f "$f" -o "$T/t" "$f"
	[ ! -e "$T/t/mptcp_join.tsv" ]
	tcp-metrics "$f" | ifmatch -f "$f" | cmp - "$T/t/tcp_conns.tsv"
	mptcp-metrics -s "$f" > "$T/ms"
	mptcp-join -s "$f" > "$T/js"
	awk -F'\t' -v OFS='\t' '
	NR == FNR { if (FNR == 1) { for (i = 1; i <= NF; i++) { jn[i] = $i; jc[$i] = i }; nj = NF } else J[$(jc["mpconn"]) "," $(jc["subflow"])] = $0; next }
	FNR == 1 { for (i = 1; i <= NF; i++) mc[$i] = i; line = $0; for (i = 1; i <= nj; i++) if (!(jn[i] in mc)) { x[++nx] = i; line = line OFS jn[i] } print line; next }
	{ k = $(mc["mpconn"]) "," $(mc["subflow"]); split(J[k], v, "\t"); line = $0; for (e = 1; e <= nx; e++) line = line OFS ((k in J) ? v[x[e]] : "-"); print line }' \
	    "$T/js" "$T/ms" | ifmatch -f "$f" > "$T/want"
	cmp "$T/want" "$T/t/mptcp_subflows.tsv"
	# the crafted capture's two failed joins (mp-join-failed.expect.tsv)
	assert_equal "$(pick subflow,status < "$T/t/mptcp_failed.tsv")" "$(printf '1 failed_no_synack\n2 failed_rst')"
	run mptcp-tables -C /dev/null -o "$T/x" "$f"
	assert_failure 2
	assert_output --partial "-C and -f: with -I only"
}
