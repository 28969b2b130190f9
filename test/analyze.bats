#!/usr/bin/env bats
bats_require_minimum_version 1.5.0
# pipelines/analyze on a directory mixing good, gzip-compressed, truncated,
# non-capture and unreadable files. Where the expected values come from is
# said per test: the filters run by hand on the same capture (analyze must
# only arrange their output), capinfos/tshark counts, the hand derivations
# of the crafted captures (test/fixtures/craft/*.expect.tsv), or the
# fixture set-up itself (which files are bad).

ANALYZE_SRC=$BATS_TEST_DIRNAME/../pipelines/analyze

# Input tree, built once from the shared fixtures (names in the original scripts'
# style, so the mode guess and the name filters have something to work on):
#   mptcp_handover_both_20240101-120000_any.pcap   gen/mptcp-handover.pcap (v1, 2 paths)
#   mptcp_joinfail_wifi_20240101-120500_any.pcap   craft/mp-join-failed.pcap (2 failed joins)
#   sub/tcp_client_wifi_20240101-130000_wlan0.pcap corpus/pymptcpanalyzer-client_1_tcp_only.pcap
#   sub/mptcp_v1_cell_20240102-090000_rmnet0.pcap.gz   corpus/tcpdump-mptcp-v1.pcap, gzipped
#   mptcp_nontcp_lab_20240103-100000_any.pcap      craft/bad-nontcp.pcap (ARP, UDP, ICMP)
#   bad/truncated_any.pcap                         the v1 capture cut at 15000 bytes
#   bad/notes_any.pcap                             text, not a capture
#   bad/gone_any.pcap                              dangling symbolic link (unreadable)
#   README.txt                                     not a capture name: ignored
setup_file() {
	load common
	local d=$BATS_FILE_TMPDIR/in
	mkdir -p "$d/sub" "$d/bad"
	cp "$FIX/gen/mptcp-handover.pcap" "$d/mptcp_handover_both_20240101-120000_any.pcap"
	cp "$FIX/craft/mp-join-failed.pcap" "$d/mptcp_joinfail_wifi_20240101-120500_any.pcap"
	cp "$FIX/corpus/pymptcpanalyzer-client_1_tcp_only.pcap" "$d/sub/tcp_client_wifi_20240101-130000_wlan0.pcap"
	gzip -c "$FIX/corpus/tcpdump-mptcp-v1.pcap" > "$d/sub/mptcp_v1_cell_20240102-090000_rmnet0.pcap.gz"
	cp "$FIX/craft/bad-nontcp.pcap" "$d/mptcp_nontcp_lab_20240103-100000_any.pcap"
	head -c 15000 "$FIX/corpus/tcpdump-mptcp-v1.pcap" > "$d/bad/truncated_any.pcap"
	echo "not a capture" > "$d/bad/notes_any.pcap"
	ln -s "$d/does-not-exist.pcap" "$d/bad/gone_any.pcap"
	echo "read me" > "$d/README.txt"
	# one run shared by the read-only tests below
	run_analyze_into "$BATS_FILE_TMPDIR/out" "$d" > "$BATS_FILE_TMPDIR/run1.out" 2>&1 &&
	    echo 0 > "$BATS_FILE_TMPDIR/run1.rc" || echo $? > "$BATS_FILE_TMPDIR/run1.rc"
}

run_analyze_into() {
	local out=$1
	shift
	"$ANALYZE_SRC" -o "$out" "$@"
}

setup() {
	load common
	IN=$BATS_FILE_TMPDIR/in
	OUT=$BATS_FILE_TMPDIR/out
	HO=$OUT/mptcp_handover_both_20240101-120000_any
	T=$BATS_TEST_TMPDIR
}

# The columns every file must have, as man/analyze.1 documents them:
# each starts with the capture column (the capture's folder under -o).
EV_TCP_RTT="capture conn ts dir rtt_ms"
EV_TCP_ACK="capture conn ts dir acked_bytes"
EV_TCP_REXMIT="capture conn ts dir class seq len bytes"
EV_MP_RTT="capture ts mpconn dir subflow dsn len rtt_ms"
EV_MP_DACK="capture ts mpconn dir subflow dack bytes"
EV_MP_BURSTS="capture mpconn dir burst subflow start_ts end_ts duration_s mappings pkts bytes"
EV_MP_REINJ="capture ts mpconn dir dsn len from_subflow to_subflow delay_s cause redundant"
EV_MP_ADDR="capture ts mpconn dir subflow event addr_id addr port backup"
EV_MP_STALL="capture ts mpconn dir end_ts duration_s ack_subflow dsn outstanding subflow cause"
MANIFEST="capture name input size_bytes mode light clean frames segments skipped non_ip non_tcp ip_fragment truncated bad_ip_header bad_tcp_header bad_timestamp bad_options ip_len_beyond_frame ts_backwards ts_backwards_frame tcp_conns mptcp_conns subflows version host started_ts elapsed_s partial damage_frame damage_offset filtered outside_window bpf window_from window_to mode_from"

header() { head -1 "$1" | tr '\t' ' '; }

# has_cols FILE COL...: every COL is in FILE's header
has_cols() {
	local f=$1 c
	shift
	for c in "$@"; do
		head -1 "$f" | tr '\t' '\n' | grep -qx -- "$c" || { echo "$f: no column $c" >&2; return 1; }
	done
}

@test "analyze -h prints the usage; a bad option is a usage error prefixed with the name" {
	run "$ANALYZE_SRC" -h
	assert_success
	assert_output --partial "usage: analyze"
	run "$ANALYZE_SRC" -Z x
	assert_failure 2
	assert_output --partial "analyze: unknown option -Z"
	run "$ANALYZE_SRC" -j zero "$IN"
	assert_failure 2
	assert_output --partial "analyze: -j:"
}

@test "mixed directory: the 2 bad captures are named, the cut one kept as partial, the others analysed, exit status 2" {
	# Expected: the fixture set-up above made two files that are no
	# captures and one capture cut at 15000 bytes (inside frame 7, which
	# starts at byte 8820: test/ref/capture-offsets)
	assert_equal "$(cat "$BATS_FILE_TMPDIR/run1.rc")" 2
	run cat "$BATS_FILE_TMPDIR/run1.out"
	assert_line --partial "bad/truncated_any.pcap: PARTIAL: frame 7, at byte offset 8820: truncated dump file"
	assert_line --partial "bad/notes_any.pcap: FAILED: mptcp-tables:"
	assert_line --partial "bad/gone_any.pcap: FAILED: cannot read"
	assert_line "analyze: 1 of 8 captures partial (cut or damaged: analysed up to the fault)"
	assert_line "analyze: 2 of 8 captures failed"
	# the closing count, last: 5 good captures, the cut one, the 2 bad ones
	assert_equal "${lines[-1]}" "analyze: 5 analysed, 1 partial, 2 failed, 0 skipped as done"
	# not a terminal: no progress lines
	refute_line --regexp '\[[0-9]+/[0-9]+\]'
	# good ones complete, the cut one too (partial), bad ones absent, no
	# temp folder left, README ignored
	for n in mptcp_handover_both_20240101-120000_any mptcp_joinfail_wifi_20240101-120500_any \
	    sub/tcp_client_wifi_20240101-130000_wlan0 sub/mptcp_v1_cell_20240102-090000_rmnet0 \
	    mptcp_nontcp_lab_20240103-100000_any bad/truncated_any; do
		[ -s "$OUT/$n/manifest.tsv" ] || fail "no manifest for $n"
	done
	assert_equal "$(pick partial,damage_frame,damage_offset < "$OUT/bad/truncated_any/manifest.tsv")" "1 7 8820"
	assert_equal "$(pick partial,damage_frame,damage_offset < "$HO/manifest.tsv")" "0 - -"
	[ ! -e "$OUT/bad/notes_any" ] && [ ! -e "$OUT/bad/gone_any" ]
	run find "$OUT" -name '.*'
	assert_output ""
	run find "$OUT" -name 'README*'
	assert_output ""
}

@test "every output file exists with the documented columns" {
	local d=$HO f
	for f in tcp_conns tcp_rtt tcp_ack tcp_rexmit mptcp_conns mptcp_subflows mptcp_failed \
	    mptcp_rtt mptcp_dack mptcp_bursts mptcp_reinject mptcp_addr mptcp_stall manifest; do
		[ -f "$d/$f.tsv" ] || fail "missing $f.tsv"
	done
	assert_equal "$(header "$d/tcp_rtt.tsv")" "$EV_TCP_RTT"
	assert_equal "$(header "$d/tcp_ack.tsv")" "$EV_TCP_ACK"
	assert_equal "$(header "$d/tcp_rexmit.tsv")" "$EV_TCP_REXMIT"
	assert_equal "$(header "$d/mptcp_rtt.tsv")" "$EV_MP_RTT"
	assert_equal "$(header "$d/mptcp_dack.tsv")" "$EV_MP_DACK"
	assert_equal "$(header "$d/mptcp_bursts.tsv")" "$EV_MP_BURSTS"
	assert_equal "$(header "$d/mptcp_reinject.tsv")" "$EV_MP_REINJ"
	assert_equal "$(header "$d/mptcp_addr.tsv")" "$EV_MP_ADDR"
	assert_equal "$(header "$d/mptcp_stall.tsv")" "$EV_MP_STALL"
	assert_equal "$(header "$d/manifest.tsv")" "$MANIFEST"
	has_cols "$d/tcp_conns.tsv" conn c_addr c_port s_addr s_port duration_s c2s_data_bytes s2c_rtt_avg_ms iface
	has_cols "$d/mptcp_conns.tsv" mpconn status subflows duration_s c2s_unique_bytes c2s_reinj_bytes c2s_bursts
	has_cols "$d/mptcp_subflows.tsv" mpconn subflow conn role join_delay_s c2s_share \
	    version join_token hmac_ok status close iface
	assert_equal "$(header "$d/mptcp_failed.tsv")" "$(header "$d/mptcp_subflows.tsv")"
	# the header of the subflow table ends with mptcp-join's own columns, then iface
	[[ "$(header "$d/mptcp_subflows.tsv")" == *" version c_key s_key c_token s_token join_token c_addr_id s_addr_id hmac_ok status close ifindex ifname iface iface_rule" ]]
	# a TCP capture (name starts with tcp) has no MPTCP tables
	run ls "$OUT/sub/tcp_client_wifi_20240101-130000_wlan0"
	assert_output "$(printf '%s\n' manifest.tsv schema.tsv tcp_ack.tsv tcp_conns.tsv tcp_rexmit.tsv tcp_rtt.tsv)"
	# every row of every table names its capture by its folder under -o
	# (the set-up's tree), however deep
	local t key rows=0
	for d in $(cd "$OUT" && find . -name manifest.tsv -printf '%h\n'); do
		key=${d#./}
		for t in "$OUT/$key"/*.tsv; do
			[ "${t##*/}" = schema.tsv ] && continue
			assert_equal "$(head -1 "$t" | cut -f1)" capture
			assert_equal "$(tail -n +2 "$t" | cut -f1 | grep -cvxF -- "$key")" 0
			rows=$((rows + $(tail -n +2 "$t" | wc -l)))
		done
	done
	[ "$rows" -gt 1000 ]
}

@test "tables equal the filters run by hand on the same capture" {
	# Expected: each filter run directly on the capture by this test.
	# The capture column: the capture's folder under -o.
	local f=$IN/mptcp_handover_both_20240101-120000_any.pcap k=(--capture mptcp_handover_both_20240101-120000_any)
	tcp-metrics "${k[@]}" "$f" | ifmatch > "$T/conns"
	cmp "$T/conns" "$HO/tcp_conns.tsv"
	tcp-metrics "${k[@]}" -e rtt "$f" | cmp - "$HO/tcp_rtt.tsv"
	tcp-metrics "${k[@]}" -e ack "$f" | cmp - "$HO/tcp_ack.tsv"
	tcp-metrics "${k[@]}" -e rexmit "$f" | cmp - "$HO/tcp_rexmit.tsv"
	mptcp-metrics "${k[@]}" "$f" | cmp - "$HO/mptcp_conns.tsv"
	local e
	for e in rtt dack bursts reinject addr; do
		mptcp-metrics "${k[@]}" -e $e "$f" | cmp - "$HO/mptcp_$e.tsv"
	done
	# subflow table: mptcp-metrics -s columns, then mptcp-join -s columns
	local mcols jcols
	mptcp-metrics "${k[@]}" -s "$f" > "$T/ms"
	mptcp-join "${k[@]}" -s "$f" > "$T/js"
	mcols=$(head -1 "$T/ms" | tr '\t' ,)
	jcols=mpconn,subflow,conn,version,c_key,s_key,join_token,hmac_ok,status,close
	assert_equal "$(pick "$mcols" < "$HO/mptcp_subflows.tsv")" "$(pick "$mcols" < "$T/ms")"
	assert_equal "$(pick "$jcols" < "$HO/mptcp_subflows.tsv")" "$(pick "$jcols" < "$T/js")"
	assert_equal "$(pick c_addr,iface < "$HO/mptcp_subflows.tsv")" "$(ifmatch "$T/js" | pick c_addr,iface)"
	# the capture's two subflows: Wi-Fi (192.168.) then cellular
	assert_equal "$(pick subflow,iface < "$HO/mptcp_subflows.tsv")" "$(printf '0 wifi\n1 cellular')"
}

@test "a gzip-compressed capture gives the same tables as the plain one" {
	# Expected: analyze on the plain capture (read directly by each filter),
	# against the .gz (decoded once and fanned out): same bytes but the
	# capture column, which holds the folder under -o (sub/... in the set-up)
	# the same name: the name is evidence for ifmatch (_rmnet0.)
	cp "$FIX/corpus/tcpdump-mptcp-v1.pcap" "$T/mptcp_v1_cell_20240102-090000_rmnet0.pcap"
	"$ANALYZE_SRC" -o "$T/plain" "$T/mptcp_v1_cell_20240102-090000_rmnet0.pcap"
	local g=$OUT/sub/mptcp_v1_cell_20240102-090000_rmnet0 f n=0
	for f in "$T/plain/mptcp_v1_cell_20240102-090000_rmnet0"/*.tsv; do
		case ${f##*/} in manifest.tsv | schema.tsv) continue ;; esac
		assert_equal "$(tail -n +2 "$f" | cut -f1 | grep -cvx mptcp_v1_cell_20240102-090000_rmnet0)" 0
		cut -f2- "$f" > "$T/a"
		cut -f2- "$g/${f##*/}" | cmp "$T/a" -
		n=$((n + 1))
	done
	assert_equal "$n" 13
	# and the gzip form is streamed: no uncompressed copy was written
	run find "$OUT" -name '*.pcap'
	assert_output ""
}

@test "manifest: input, size, packet counts by reason, version, time" {
	# Expected: stat's size; capinfos' frame count; bad-nontcp.expect.tsv's
	# hand-derived skip counts (ARP 1, UDP/ICMP/ICMPv6 3) and tshark's TCP
	# frame count.
	local f=$IN/mptcp_nontcp_lab_20240103-100000_any.pcap m=$OUT/mptcp_nontcp_lab_20240103-100000_any/manifest.tsv
	assert_equal "$(wc -l < "$m")" 2
	# the mode by content: tshark finds no MP_CAPABLE, so TCP (and the
	# name, mptcp_*, says otherwise: warned about)
	[ "$(tshark -r "$f" -Y 'tcp.options.mptcp.subtype == 0' 2>/dev/null | wc -l)" -eq 0 ]
	assert_equal "$(pick name,input,size_bytes,mode,mode_from < "$m")" \
	    "$(basename "$f") $f $(stat -c %s "$f") tcp content"
	grep -qxF "analyze: $f: named as an MPTCP capture, but carries no MP_CAPABLE: analysed as TCP (-N: by the name)" "$BATS_FILE_TMPDIR/run1.out"
	assert_equal "$(pick frames < "$m")" "$(capinfos -M -c "$f" | awk -F': *' '/Number of packets/ {print $2}')"
	assert_equal "$(pick segments < "$m")" "$(tshark -r "$f" -Y tcp 2>/dev/null | wc -l)"
	assert_equal "$(pick skipped,non_ip,non_tcp,ip_fragment,truncated,bad_ip_header,bad_tcp_header < "$m")" "4 1 3 0 0 0 0"
	assert_equal "$(pick bad_timestamp,ip_len_beyond_frame,ts_backwards,ts_backwards_frame < "$m")" "0 0 0 -"
	# client_1: frames timestamped before the one before them, and the
	# first, by tshark's frame.time_epoch (compared exactly, as decimals)
	local want
	want=$(tshark -r "$IN/sub/tcp_client_wifi_20240101-130000_wlan0.pcap" -T fields -e frame.number -e frame.time_epoch 2>/dev/null |
	    "$PY" -c 'import sys
from decimal import Decimal
prev = None; n = 0; first = "-"
for l in sys.stdin:
    fr, t = l.split(); t = Decimal(t)
    if prev is not None and t < prev:
        n += 1; first = fr if first == "-" else first
    prev = t
print(n, first)')
	[ "${want%% *}" -gt 0 ]
	assert_equal "$(pick ts_backwards,ts_backwards_frame < "$OUT/sub/tcp_client_wifi_20240101-130000_wlan0/manifest.tsv")" "$want"
	# handover: 1324 frames (capinfos), 2 TCP connections = 2 subflows of 1 MPTCP connection
	assert_equal "$(pick frames,skipped,tcp_conns,mptcp_conns,subflows < "$HO/manifest.tsv")" \
	    "$(capinfos -M -c "$IN/mptcp_handover_both_20240101-120000_any.pcap" | awk -F': *' '/Number of packets/ {print $2}') 0 2 1 2"
	run pick version,host,elapsed_s < "$m"
	assert_output --regexp '^[^ -][^ ]* [^ ]+ [0-9]+\.[0-9]{3}$'
}

@test "failed subflows: the two failed joins of the crafted capture" {
	# Expected: mp-join-failed.expect.tsv (hand-derived): join 1 never
	# answered, join 2 reset; subflows 3, failed 2.
	local d=$OUT/mptcp_joinfail_wifi_20240101-120500_any
	assert_equal "$(pick subflow,status,c_port < "$d/mptcp_failed.tsv")" "$(printf '1 failed_no_synack 40001\n2 failed_rst 40002')"
	assert_equal "$(tail -n +2 "$d/mptcp_subflows.tsv" | wc -l)" 3
}

@test "skip if done; re-run when the capture is newer; -F forces" {
	cp -r "$IN" "$T/in"
	rm -r "$T/in/bad"
	run "$ANALYZE_SRC" -v -o "$T/out" "$T/in"
	assert_success
	local m=$T/out/mptcp_handover_both_20240101-120000_any/manifest.tsv t1
	t1=$(stat -c %Y.%y "$m")
	run "$ANALYZE_SRC" -v -o "$T/out" "$T/in"
	assert_success
	assert_line --partial "mptcp_handover_both_20240101-120000_any.pcap: already analysed, skipped"
	refute_line --partial "done in"
	assert_equal "$(stat -c %Y.%y "$m")" "$t1"
	# a capture newer than its manifest is analysed again, alone
	touch -d '+1 minute' "$T/in/mptcp_handover_both_20240101-120000_any.pcap"
	run "$ANALYZE_SRC" -v -o "$T/out" "$T/in"
	assert_success
	assert_equal "$(grep -c 'done in' <<< "$output")" 1
	assert_line --partial "mptcp_handover_both_20240101-120000_any.pcap: done in"
	# -F: everything again, same tables
	cp "$T/out/sub/tcp_client_wifi_20240101-130000_wlan0/tcp_conns.tsv" "$T/before"
	run "$ANALYZE_SRC" -F -v -o "$T/out" "$T/in"
	assert_success
	assert_equal "$(grep -c 'done in' <<< "$output")" 5
	cmp "$T/before" "$T/out/sub/tcp_client_wifi_20240101-130000_wlan0/tcp_conns.tsv"
	run find "$T/out" -name '.*'
	assert_output ""
}

@test "-j 2 and -S : (GNU parallel, local host as an ssh login) give the same tables and exit status" {
	# Expected: the sequential run of setup_file.
	run "$ANALYZE_SRC" -j 2 -o "$T/j2" "$IN"
	assert_failure 2
	assert_line --partial "bad/notes_any.pcap: FAILED"
	assert_line --partial "bad/truncated_any.pcap: PARTIAL: frame 7, at byte offset 8820:"
	assert_line "analyze: 1 of 8 captures partial (cut or damaged: analysed up to the fault)"
	# the closing count from GNU parallel's report: as the sequential run
	assert_equal "${lines[-1]}" "analyze: 5 analysed, 1 partial, 2 failed, 0 skipped as done"
	# again: the 6 with a folder are done (the cut one too), the 2 bad
	# ones fail again
	run "$ANALYZE_SRC" -j 2 -o "$T/j2" "$IN"
	assert_failure 2
	assert_equal "${lines[-1]}" "analyze: 0 analysed, 0 partial, 2 failed, 6 skipped as done"
	run "$ANALYZE_SRC" -S : -j 2 -o "$T/ssh" "$IN/sub"
	assert_success
	local f rel
	for f in $(cd "$OUT" && find . -name '*.tsv' ! -name manifest.tsv); do
		cmp "$OUT/$f" "$T/j2/$f"
	done
	# under $IN/sub the folders are one level up: the capture column says so
	for f in $(cd "$OUT/sub" && find . -name '*.tsv' ! -name manifest.tsv ! -name schema.tsv); do
		cut -f2- "$OUT/sub/$f" > "$T/a"
		cut -f2- "$T/ssh/$f" | cmp "$T/a" -
		f=${f#./}
		assert_equal "$(tail -n +2 "$T/ssh/$f" | cut -f1 | grep -cvxF -- "${f%/*}")" 0
	done
}

@test "light mode: connection and subflow tables only" {
	run "$ANALYZE_SRC" -l -o "$T/l" "$IN/mptcp_handover_both_20240101-120000_any.pcap"
	assert_success
	run ls "$T/l/mptcp_handover_both_20240101-120000_any"
	assert_output "$(printf '%s\n' manifest.tsv mptcp_conns.tsv mptcp_failed.tsv mptcp_subflows.tsv schema.tsv tcp_conns.tsv)"
	# same connection tables as the full run
	cmp "$HO/tcp_conns.tsv" "$T/l/mptcp_handover_both_20240101-120000_any/tcp_conns.tsv"
	cmp "$HO/mptcp_subflows.tsv" "$T/l/mptcp_handover_both_20240101-120000_any/mptcp_subflows.tsv"
	assert_equal "$(pick light < "$T/l/mptcp_handover_both_20240101-120000_any/manifest.tsv")" 1
}

@test "-M and -T override the guess from the name prefix" {
	run "$ANALYZE_SRC" -M -l -o "$T/m" "$IN/sub/tcp_client_wifi_20240101-130000_wlan0.pcap"
	assert_success
	[ -f "$T/m/tcp_client_wifi_20240101-130000_wlan0/mptcp_conns.tsv" ]
	assert_equal "$(pick mode < "$T/m/tcp_client_wifi_20240101-130000_wlan0/manifest.tsv")" mptcp
	run "$ANALYZE_SRC" -T -l -o "$T/t" "$IN/mptcp_handover_both_20240101-120000_any.pcap"
	assert_success
	[ ! -e "$T/t/mptcp_handover_both_20240101-120000_any/mptcp_conns.tsv" ]
	assert_equal "$(pick mode,mptcp_conns < "$T/t/mptcp_handover_both_20240101-120000_any/manifest.tsv")" "tcp -"
}

@test "name filters: -f substring and glob, -d the original scripts' interfaces; -n lists" {
	# Expected: the names chosen in setup_file.
	run "$ANALYZE_SRC" -n -o "$T/n" -f _wlan0. -f '*_rmnet0.pcap*' "$IN"
	assert_success
	assert_equal "$(cut -f2 <<< "$output" | sed "s|^$T/n/||")" \
	    "$(printf '%s\n' sub/mptcp_v1_cell_20240102-090000_rmnet0 sub/tcp_client_wifi_20240101-130000_wlan0)"
	run "$ANALYZE_SRC" -n -d -o "$T/n" "$IN"
	assert_success
	assert_equal "${#lines[@]}" 8
	run "$ANALYZE_SRC" -n -f _nomatch. -o "$T/n" "$IN"
	assert_success
	assert_output ""
	[ ! -e "$T/n/sub" ]
}

@test "clean-up: -c drops loopback traffic, -x a port, as tshark's display filter would" {
	# Expected: tcp-metrics on the capture filtered by tshark with the original scripts'
	# kind of filter. Input: the handover capture merged with a loopback one.
	# both as raw IP (SLL2 header 20 bytes, Ethernet 14), then one pcap
	editcap -F pcap -C 20 -T rawip "$FIX/gen/mptcp-handover.pcap" "$T/a.pcap"
	editcap -F pcap -C 14 -T rawip "$FIX/corpus/ptcpdump-tcp.pcapng" "$T/b.pcap"
	mergecap -F pcap -w "$T/mix.pcap" "$T/a.pcap" "$T/b.pcap"
	local cols=c_addr,c_port,s_addr,s_port,c2s_data_bytes,s2c_data_bytes,c2s_rexmit_pkts
	run "$ANALYZE_SRC" -c -o "$T/c" "$T/mix.pcap"
	assert_success
	tshark -r "$T/mix.pcap" -Y '!(ip.addr == 127.0.0.0/8)' -w "$T/ref-lo.pcap"
	assert_equal "$(pick "$cols" < "$T/c/mix/tcp_conns.tsv")" "$(tcp-metrics "$T/ref-lo.pcap" | pick "$cols")"
	assert_equal "$(pick clean < "$T/c/mix/manifest.tsv")" loopback
	run "$ANALYZE_SRC" -x 8000 -o "$T/x" "$T/mix.pcap"
	assert_success
	tshark -r "$T/mix.pcap" -Y '!(tcp.port == 8000)' -w "$T/ref-port.pcap"
	assert_equal "$(pick "$cols" < "$T/x/mix/tcp_conns.tsv")" "$(tcp-metrics "$T/ref-port.pcap" | pick "$cols")"
	assert_equal "$(pick mptcp_conns,subflows < "$T/x/mix/manifest.tsv")" "1 2"
	run "$ANALYZE_SRC" -x 8000,5201 -o "$T/x2" "$T/mix.pcap"
	assert_success
	# every frame dropped: no MP_CAPABLE in what is analysed, so TCP mode
	assert_equal "$(pick tcp_conns,mptcp_conns,mode < "$T/x2/mix/manifest.tsv")" "0 - tcp"
}

@test "an interrupted run leaves no folder that looks complete" {
	# A mptcp-tables that stalls, so the run is surely under way when stopped.
	mkdir "$T/slow"
	local t
	for t in pcap2pkt ifmatch; do ln -s "$BIN/$t" "$T/slow/$t"; done
	printf '#!/bin/sh\nsleep 30\nexec %s "$@"\n' "$BIN/mptcp-tables" > "$T/slow/mptcp-tables"
	chmod +x "$T/slow/mptcp-tables"
	MPTCP_TOOLS_BIN=$T/slow "$ANALYZE_SRC" -o "$T/i" "$IN/mptcp_handover_both_20240101-120000_any.pcap" 2> "$T/err" &
	local pid=$! i
	for i in $(seq 50); do
		compgen -G "$T/i/.mptcp_handover*" > /dev/null && break
		sleep 0.1
	done
	compgen -G "$T/i/.mptcp_handover*" > /dev/null
	kill -TERM "$pid"
	local st=0
	wait "$pid" || st=$?
	assert_equal "$st" 143
	run ls -A "$T/i"
	assert_output ""
	grep -q 'analyze: interrupted' "$T/err"
}

@test "-n -0: each capture and its folder end with a NUL byte, whatever the names hold" {
	# Expected: the names made here, a tab and a newline in one of them.
	mkdir "$T/odd"
	local odd
	odd=$(printf 'a b\tc\nd')
	cp "$FIX/craft/bad-nontcp.pcap" "$T/odd/$odd.pcap"
	cp "$FIX/craft/bad-nontcp.pcap" "$T/odd/plain.pcap.gz"
	"$ANALYZE_SRC" -n -0 -o "$T/o" "$T/odd" > "$T/list"
	printf '%s\0' "$T/odd/$odd.pcap" "$T/o/$odd" "$T/odd/plain.pcap.gz" "$T/o/plain" | cmp - "$T/list"
}

# signs: CMD... run on a pseudo-terminal (script(1), util-linux), its
# standard error there; the output with CR LF line ends made LF
on_tty() {
	local cmd
	printf -v cmd '%q ' "$@"
	script -qec "$cmd" /dev/null | tr -d '\r'
}

@test "closing count: analysed, partial, failed, skipped as done; -q silences it" {
	# Expected: the set made here: 2 good captures, 1 cut (at 15000 bytes,
	# inside frame 7: test/ref/capture-offsets), 1 that is no capture.
	mkdir -p "$T/in"
	cp "$FIX/gen/mptcp-handover.pcap" "$T/in/a.pcap"
	cp "$FIX/corpus/pymptcpanalyzer-client_1_tcp_only.pcap" "$T/in/b.pcap"
	head -c 15000 "$FIX/corpus/tcpdump-mptcp-v1.pcap" > "$T/in/c-cut.pcap"
	echo "not a capture" > "$T/in/d-notes.pcap"
	run --separate-stderr "$ANALYZE_SRC" -o "$T/out" "$T/in"
	assert_failure 1
	assert_output ""
	lines=("${stderr_lines[@]}")
	assert_equal "${lines[-1]}" "analyze: 2 analysed, 1 partial, 1 failed, 0 skipped as done"
	# again: the 3 with a folder are done, the bad one fails again
	run --separate-stderr "$ANALYZE_SRC" -o "$T/out" "$T/in"
	assert_failure 1
	assert_equal "${stderr_lines[-1]}" "analyze: 0 analysed, 0 partial, 1 failed, 3 skipped as done"
	# -F: all again; a missing operand counts as failed
	run --separate-stderr "$ANALYZE_SRC" -F -o "$T/out" "$T/in" "$T/no-such.pcap"
	assert_failure 2
	assert_equal "${stderr_lines[-1]}" "analyze: 2 analysed, 1 partial, 2 failed, 0 skipped as done"
	# -q: the failure is still said, the count is not
	run --separate-stderr "$ANALYZE_SRC" -q -F -o "$T/out" "$T/in"
	assert_failure 1
	assert_equal "${#stderr_lines[@]}" 4
	[[ "${stderr_lines[0]}" == *"c-cut.pcap: PARTIAL: frame 7, at byte offset 8820"* ]]
	[[ "${stderr_lines[1]}" == *"d-notes.pcap: FAILED: mptcp-tables:"* ]]
	assert_equal "${stderr_lines[2]}" "analyze: 1 of 4 captures partial (cut or damaged: analysed up to the fault)"
	assert_equal "${stderr_lines[3]}" "analyze: 1 of 4 captures failed"
	# -q on good captures only: nothing at all
	rm "$T/in/c-cut.pcap" "$T/in/d-notes.pcap"
	run --separate-stderr "$ANALYZE_SRC" -q -F -o "$T/out" "$T/in"
	assert_success
	assert_output ""
	assert_equal "$stderr" ""
	# all done already: the count says so
	run --separate-stderr "$ANALYZE_SRC" -o "$T/out" "$T/in"
	assert_success
	assert_equal "$stderr" "analyze: 0 analysed, 0 partial, 0 failed, 2 skipped as done"
}

@test "progress on a terminal: [I/N] and the capture before each one; -q: none" {
	# Expected: the 3 captures made here, in the order of their paths.
	command -v script > /dev/null || fail "no script(1): install bsdutils (test/deps)"
	mkdir -p "$T/in"
	cp "$FIX/gen/mptcp-handover.pcap" "$T/in/a.pcap"
	cp "$FIX/corpus/pymptcpanalyzer-client_1_tcp_only.pcap" "$T/in/b.pcap"
	echo "not a capture" > "$T/in/c.pcap"
	run on_tty "$ANALYZE_SRC" -o "$T/out" "$T/in"
	assert_line --index 0 "analyze: [1/3] $T/in/a.pcap"
	assert_line --index 1 "analyze: [2/3] $T/in/b.pcap"
	assert_line --index 2 "analyze: [3/3] $T/in/c.pcap"
	assert_line --index 3 --partial "analyze: $T/in/c.pcap: FAILED: "
	assert_equal "${lines[-1]}" "analyze: 2 analysed, 0 partial, 1 failed, 0 skipped as done"
	# script passes on the status
	run script -qec "$(printf '%q ' "$ANALYZE_SRC" -o "$T/out" "$T/in")" /dev/null
	assert_failure 1
	run on_tty "$ANALYZE_SRC" -q -F -o "$T/out" "$T/in"
	refute_line --regexp '\[[0-9]+/[0-9]+\]'
	refute_line --partial "analysed,"
	assert_line --partial "analyze: $T/in/c.pcap: FAILED: "
}

