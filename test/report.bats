#!/usr/bin/env bats
bats_require_minimum_version 1.5.0
# pipelines/report: one self-contained page per analysed folder, loaded in
# headless Chromium (Debian's chromium): no console error, every image
# decoded, a non-empty screenshot. Expected contents come from the
# analysed tables themselves (which connections exist) and from the
# summary's index (which plots exist).

REPORT=$BATS_TEST_DIRNAME/../pipelines/report
ANALYZE=$BATS_TEST_DIRNAME/../pipelines/analyze

setup_file() {
	load common
	local c=$BATS_FILE_TMPDIR/cap
	mkdir -p "$c"
	cp "$FIX/gen/mptcp-handover.pcap" "$c/mptcp_appA_wifi_20240101-100000_any.pcap"
	cp "$FIX/gen/mptcp-both.pcap" "$c/mptcp_appB_both_20240102-100000_any.pcap"
	cp "$FIX/corpus/tcpdump-mptcp-v0.pcap" "$c/mptcp_appB_lab_20240103-100000_any.pcap"
	"$ANALYZE" -q -o "$BATS_FILE_TMPDIR/A" "$c"
	"$REPORT" -n all "$BATS_FILE_TMPDIR/A" > "$BATS_FILE_TMPDIR/report.out" 2> "$BATS_FILE_TMPDIR/report.err"
}

setup() {
	load common
	A=$BATS_FILE_TMPDIR/A
	PAGE=$A/report.html
	T=$BATS_TEST_TMPDIR
}

chromium_or_skip() {
	command -v chromium > /dev/null || fail "chromium not installed: sh test/deps check installs it"
}

# chromium ARGS...: headless, as root, fresh profile, no network services
chrome() {
	timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
	    --disable-background-networking --disable-component-update --disable-sync \
	    --user-data-dir="$(mktemp -d "$T/profile.XXXXXX")" --enable-logging=stderr --v=0 "$@"
}

@test "report -h; a folder that is not analysed is an error" {
	run "$REPORT" -h
	assert_success
	assert_output --partial "usage: report"
	run "$REPORT" -S "$T" "$T"
	assert_failure 1
	assert_output --partial "report: $T: no index.tsv"
}

@test "the page is written, self-contained, with every summary table and plot" {
	assert_equal "$(cat "$BATS_FILE_TMPDIR/report.out")" "$PAGE"
	[ -s "$PAGE" ]
	# no reference to another file: images are data: URIs, no scripts or links out
	run grep -Eo '(src|href)="[^"#][^"]{0,20}' "$PAGE"
	refute_output --regexp 'src="[^d]|href="[^#]'
	# one <h2> per analysis of the summary index, one image per plot listed
	local n_an n_pl
	n_an=$(($(wc -l < "$A/summary/index.tsv") - 1))
	n_pl=$(tail -n +2 "$A/summary/index.tsv" | cut -f4 | tr ',' '\n' | grep -c .)
	assert_equal "$(grep -c '<h2 id=' "$PAGE")" $((n_an + 1))
	assert_equal "$(grep -c '<img alt="[a-z_]*_cdf.png"' "$PAGE")" "$n_pl"
}

@test "per MPTCP connection: its subflow table and its time-sequence graph" {
	# Expected: the connections of the analysed mptcp_conns.tsv files.
	local want
	want=$(cat "$A"/*/mptcp_conns.tsv | grep -vc '^capture[[:space:]]')
	assert_equal "$(grep -c '<h4>' "$PAGE")" "$want"
	assert_equal "$(grep -c 'alt="time-sequence graph of MPTCP connection' "$PAGE")" "$want"
	# the handover capture's subflow table lists both subflows with their interface
	run grep -A5 '<h4>mptcp_appA_wifi_20240101-100000_any: MPTCP connection 1</h4>' "$PAGE"
	assert_output --partial '<td>wifi</td>'
	assert_output --partial '<td>cellular</td>'
}

@test "-n 0: subflow tables without time-sequence graphs" {
	"$REPORT" -n 0 -S "$A/summary" -o "$T/p.html" "$A" > /dev/null 2>&1
	run grep -c 'alt="time-sequence' "$T/p.html"
	assert_output 0
	assert_equal "$(grep -c '<h4>' "$T/p.html")" "$(grep -c '<h4>' "$PAGE")"
}

@test "headless Chromium: no console error, every image decoded, non-empty screenshot" {
	chromium_or_skip
	# a copy with a probe that counts the images that did not decode
	sed 's|</body>|<script>window.addEventListener("load", () => { const i = [...document.images]; document.body.dataset.images = i.length; document.body.dataset.broken = i.filter(x => !x.complete \|\| x.naturalWidth === 0).length; });</script></body>|' \
	    "$PAGE" > "$T/probe.html"
	chrome --virtual-time-budget=5000 --dump-dom "file://$T/probe.html" > "$T/dom.html" 2> "$T/dom.err"
	local imgs broken
	imgs=$(grep -o 'data-images="[0-9]*"' "$T/dom.html" | grep -o '[0-9]*')
	broken=$(grep -o 'data-broken="[0-9]*"' "$T/dom.html" | grep -o '[0-9]*')
	assert_equal "$imgs" "$(grep -c '<img' "$PAGE")"
	assert_equal "$broken" 0
	# the page itself: console errors and a screenshot
	chrome --window-size=1200,4000 --screenshot="$T/shot.png" "file://$PAGE" > /dev/null 2> "$T/shot.err"
	run grep -E 'CONSOLE|Uncaught|Failed to load resource|Not allowed to load' "$T/shot.err" "$T/dom.err"
	assert_output ""
	[ -s "$T/shot.png" ]
	file "$T/shot.png" | grep -q 'PNG image data, 1200 x 4000'
	# not a blank page: more than one colour in the screenshot
	run /usr/bin/python3 -c '
import sys, zlib, struct
d = open(sys.argv[1], "rb").read()
w, h = struct.unpack(">II", d[16:24])
idat = b"".join(d[i + 8:i + 8 + struct.unpack(">I", d[i:i + 4])[0]] for i in
    [p - 4 for p in range(len(d)) if d[p:p + 4] == b"IDAT"])
raw = zlib.decompress(idat)
print(len(set(raw[1:1 + w * 4 * 200])) > 2)' "$T/shot.png"
	assert_output True
}

# mp_conns FILE: MPTCP connections in a capture by tshark: the TCP streams
# with an MP_CAPABLE SYN (no ACK)
mp_conns() {
	tshark -r "$1" -Y 'tcp.options.mptcp.subtype == 0 && tcp.flags.syn == 1 && tcp.flags.ack == 0' \
	    -T fields -e tcp.stream 2> /dev/null | sort -u | grep -c .
}

@test "the closing count: captures, partial ones, MPTCP connections, graphs drawn and not" {
	# Expected: the 3 whole captures of setup_file, the MPTCP connections
	# tshark finds in them, one graph each (-n all).
	command -v tshark > /dev/null || fail "tshark not installed (test/deps)"
	local n=0 f
	for f in "$BATS_FILE_TMPDIR"/cap/*.pcap; do n=$((n + $(mp_conns "$f"))); done
	[ "$n" -ge 3 ] || fail "tshark found $n MPTCP connections"
	run tail -n 1 "$BATS_FILE_TMPDIR/report.err"
	assert_output "report: 3 captures (0 partial), $n MPTCP connections, $n time-sequence graphs, 0 not drawn"
	# not a terminal: no progress lines
	run grep -c '\[[0-9]*/[0-9]*\]' "$BATS_FILE_TMPDIR/report.err"
	assert_output 0
}

@test "the closing count: a cut capture is partial; a capture gone is not drawn; -q: nothing" {
	# Expected: the set made here: a whole capture and one cut at 15000
	# bytes (inside frame 7, test/ref/capture-offsets), their MPTCP
	# connections by tshark; both captures removed after the analysis, so
	# that none of their graphs can be drawn (-n all).
	command -v tshark > /dev/null || fail "tshark not installed (test/deps)"
	mkdir -p "$T/c"
	cp "$FIX/gen/mptcp-handover.pcap" "$T/c/mptcp_a_x_20240101-100000_any.pcap"
	head -c 15000 "$FIX/corpus/tcpdump-mptcp-v1.pcap" > "$T/c/mptcp_b_x_20240101-110000_any.pcap"
	local whole cut
	whole=$(mp_conns "$T/c/mptcp_a_x_20240101-100000_any.pcap")
	cut=$(mp_conns "$T/c/mptcp_b_x_20240101-110000_any.pcap")
	[ "$whole" -ge 1 ] && [ "$cut" -ge 1 ] || fail "tshark: $whole and $cut MPTCP connections"
	"$ANALYZE" -q -o "$T/a" "$T/c" 2> /dev/null || [ $? -eq 101 ]
	rm "$T/c"/*.pcap
	run --separate-stderr "$REPORT" -n all "$T/a"
	assert_success
	assert_output "$T/a/report.html"
	assert_equal "${stderr_lines[-1]}" \
	    "report: 2 captures (1 partial), $((whole + cut)) MPTCP connections, 0 time-sequence graphs, $((whole + cut)) not drawn"
	# -q with the summary made: nothing on standard error
	run --separate-stderr "$REPORT" -q -n all -S "$T/a/summary" -o "$T/q.html" "$T/a"
	assert_success
	assert_output "$T/q.html"
	assert_equal "$stderr" ""
}

@test "progress on a terminal: [I/N] and the folder before each capture; -q: none" {
	# Expected: the 3 folders of setup_file, in the order of their paths.
	command -v script > /dev/null || fail "no script(1): install bsdutils (test/deps)"
	local cmd
	printf -v cmd '%q ' "$REPORT" -n 0 -S "$A/summary" -o "$T/p.html" "$A"
	run bash -c 'script -qec "$1" /dev/null | tr -d "\r"' sh "$cmd"
	assert_success
	assert_line --index 0 "report: [1/3] mptcp_appA_wifi_20240101-100000_any"
	assert_line --index 1 "report: [2/3] mptcp_appB_both_20240102-100000_any"
	assert_line --index 2 "report: [3/3] mptcp_appB_lab_20240103-100000_any"
	assert_line --index 3 --regexp '^report: 3 captures \(0 partial\), [0-9]+ MPTCP connections, 0 time-sequence graphs, 0 not drawn$'
	assert_line --index 4 "$T/p.html"
	printf -v cmd '%q ' "$REPORT" -q -n 0 -S "$A/summary" -o "$T/p.html" "$A"
	run bash -c 'script -qec "$1" /dev/null | tr -d "\r"' sh "$cmd"
	assert_success
	assert_output "$T/p.html"
}
