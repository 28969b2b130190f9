#!/usr/bin/env bats
bats_require_minimum_version 1.5.0
# pipelines/report: a summary page and a page per capture for an analysed
# folder, made from its tables alone, loaded in headless Chromium
# (Debian's chromium): no console error, every image decoded, every link
# to a file there, also once the folder is moved, a non-empty screenshot.
# Expected contents come from the analysed tables themselves, read by
# python (which captures, connections and subflows exist, their figures),
# from capinfos (frames), and from the summary's index (which plots exist).

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
	PAGES=$A/report.pages
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

# page_check: python's html.parser on the pages, against the tables. It
# reads the summary page's list of captures and each capture page's
# tables, and checks them against the analysed folders (csv module, no
# code of report): per capture its folder, the manifest's mode, partial
# flag and frame count (frames also by capinfos on the capture), the rows
# of tcp_conns, mptcp_conns and mptcp_subflows; per MPTCP connection the
# subflows and their bytes; the table of the TCP connections that are no
# subflow (tcp_conns.tsv less mptcp_subflows.tsv's conn), the largest
# first; the whole-capture plot wherever tcp_ack.tsv acknowledged a byte.
# Prints "ok CAPTURES PAGES CONNECTIONS".
page_check() {
	$PY - "$@" <<-'EOF'
	import csv, html.parser, os, subprocess, sys, urllib.parse
	page, top = sys.argv[1:3]
	class Tables(html.parser.HTMLParser):
	    def __init__(s):
	        super().__init__(); s.tables = []; s.links = []; s.h2 = []; s.cell = None; s.inh2 = None; s.alts = []
	    def handle_starttag(s, tag, attrs):
	        a = dict(attrs)
	        if tag == "table": s.tables.append([])
	        elif tag == "tr": s.tables[-1].append([])
	        elif tag in ("td", "th"): s.cell = ""
	        elif tag == "a" and "href" in a: s.links.append(a["href"])
	        elif tag == "h2": s.inh2 = ""
	        elif tag == "img": s.alts.append(a.get("alt"))
	    def handle_endtag(s, tag):
	        if tag in ("td", "th"): s.tables[-1][-1].append(s.cell); s.cell = None
	        elif tag == "h2": s.h2.append(s.inh2); s.inh2 = None
	    def handle_data(s, d):
	        if s.cell is not None: s.cell += d
	        if s.inh2 is not None: s.inh2 += d
	def parse(f):
	    t = Tables(); t.feed(open(f, encoding="utf-8").read()); return t
	def rows(f):
	    return list(csv.DictReader(open(f, newline=""), delimiter="\t", quoting=csv.QUOTE_NONE))
	def as_dicts(t):
	    return [dict(zip(t[0], r)) for r in t[1:]]
	s = parse(page)
	lst = as_dicts(next(t for t in s.tables if t[0][:2] == ["#", "capture"]))
	manifests = sorted(os.path.relpath(d, top) for d, _, f in os.walk(top, followlinks=True)
	                   if "manifest.tsv" in f and not d.startswith(os.path.join(top, "summary")))
	assert [r["capture"] for r in lst] == manifests, ([r["capture"] for r in lst], manifests)
	conns = 0
	for k, r in enumerate(lst, 1):
	    d = os.path.join(top, r["capture"])
	    m = rows(d + "/manifest.tsv")[0]
	    assert (r["mode"], r["partial"], r["frames"]) == (m["mode"], m["partial"], m["frames"]), (r, m)
	    if m["partial"] == "0" and os.path.exists(m["input"]):
	        cap = subprocess.run(["capinfos", "-M", "-c", m["input"]], capture_output=True, text=True).stdout
	        assert r["frames"] == cap.split("Number of packets:")[1].split()[0], cap
	    for t in ("tcp_conns", "mptcp_conns", "subflows"):
	        f = d + "/" + ("mptcp_subflows" if t == "subflows" else t) + ".tsv"
	        want = str(len(rows(f))) if os.path.exists(f) else "-"
	        assert r[t] == want, (r["capture"], t, r[t], want)
	    # the link: relative, to the capture's page, which links back
	    href = next(h for h in s.links if h.endswith("/capture-%d.html" % k))
	    assert not urllib.parse.urlsplit(href).scheme and not href.startswith("/"), href
	    cp = os.path.join(os.path.dirname(page), urllib.parse.unquote(href))
	    c = parse(cp)
	    back = [h for h in c.links if os.path.realpath(os.path.join(os.path.dirname(cp), urllib.parse.unquote(h))) == os.path.realpath(page)]
	    assert back, (cp, c.links)
	    mc = rows(d + "/mptcp_conns.tsv") if os.path.exists(d + "/mptcp_conns.tsv") else []
	    heads = [h for h in c.h2 if ": MPTCP connection " in h]
	    assert sorted(h.rsplit(" ", 1)[1] for h in heads) == sorted(x["mpconn"] for x in mc), (heads, mc)
	    sfs = rows(d + "/mptcp_subflows.tsv") if mc else []
	    for x in mc:
	        want = sorted((y["subflow"], y["iface"], y["c2s_data_bytes"], y["s2c_data_bytes"]) for y in sfs if y["mpconn"] == x["mpconn"])
	        got = [sorted((y["subflow"], y["iface"], y["c2s_data_bytes"], y["s2c_data_bytes"]) for y in as_dicts(t))
	               for t in c.tables if t[0][:2] == ["mpconn", "subflow"] and t[1][0] == x["mpconn"]]
	        assert got == [want], (got, want)
	    tc = rows(d + "/tcp_conns.tsv") if os.path.exists(d + "/tcp_conns.tsv") else []
	    sfc = {y["conn"] for y in rows(d + "/mptcp_subflows.tsv")} if os.path.exists(d + "/mptcp_subflows.tsv") else set()
	    want = sorted((x["conn"], x["iface"], x["c2s_unique_bytes"], x["s2c_unique_bytes"]) for x in tc if x["conn"] not in sfc)
	    shown = [as_dicts(t) for t in c.tables if t[0][:2] == ["conn", "c_addr"]]
	    got = [sorted((y["conn"], y["iface"], y["c2s_unique_bytes"], y["s2c_unique_bytes"]) for y in t) for t in shown]
	    assert got == ([want] if want else []), (r["capture"], got, want)
	    for t in shown:
	        b = [int(y["c2s_unique_bytes"]) + int(y["s2c_unique_bytes"]) for y in t]
	        assert b == sorted(b, reverse=True), b
	    acked = os.path.exists(d + "/tcp_ack.tsv") and any(int(y["acked_bytes"]) > 0 for y in rows(d + "/tcp_ack.tsv"))
	    assert c.alts.count("cumulative acknowledged bytes per interface") == (1 if acked else 0), (r["capture"], c.alts)
	    conns += len(mc)
	print("ok", len(lst), len(os.listdir(os.path.dirname(cp))), conns)
	EOF
}

@test "the summary page: every summary table and plot, and a row per capture linked to its page" {
	assert_equal "$(cat "$BATS_FILE_TMPDIR/report.out")" "$PAGE"
	[ -s "$PAGE" ]
	# self-contained but for the links to the capture pages: images are
	# data: URIs, no scripts, links to #fragments or into report.pages/
	run grep -Eo '(src|href)="[^"#][^"]{0,20}' "$PAGE"
	refute_output --regexp 'src="[^d]|href="[^#r]|href="r[^e]'
	run grep -ic '<script' "$PAGE"
	assert_output 0
	# one <h2> per analysis of the summary index and the list of captures,
	# one image per plot listed
	local n_an n_pl
	n_an=$(($(wc -l < "$A/summary/index.tsv") - 1))
	n_pl=$(tail -n +2 "$A/summary/index.tsv" | cut -f4 | tr ',' '\n' | grep -c .)
	assert_equal "$(grep -c '<h2 id=' "$PAGE")" $((n_an + 1))
	assert_equal "$(grep -Ec '<img alt="[a-z_]*_(cdf|ccdf|box|scatter).png"' "$PAGE")" "$n_pl"
	# the rows and the pages against the tables: 3 captures, 3 pages
	run page_check "$PAGE" "$A"
	assert_success
	assert_output --regexp '^ok 3 3 [0-9]+$'
}

@test "a page per capture: per MPTCP connection its subflow table and its time-sequence graph" {
	# Expected: the connections of the analysed mptcp_conns.tsv files.
	local want
	want=$(cat "$A"/*/mptcp_conns.tsv | grep -vc '^capture[[:space:]]')
	assert_equal "$(cat "$PAGES"/*.html | grep -c '<h2 id="mpconn-')" "$want"
	assert_equal "$(cat "$PAGES"/*.html | grep -c 'alt="time-sequence graph of MPTCP connection')" "$want"
	# the summary page has no graph, a capture page no link but to the summary
	run grep -c 'alt="time-sequence' "$PAGE"
	assert_output 0
	run bash -c "grep -ho 'href=\"[^\"]*\"' '$PAGES'/*.html | sort -u"
	assert_output 'href="../report.html"'
	# the handover capture's subflow table lists both subflows with their interface
	run grep -A5 '<h2 id="mpconn-1">mptcp_appA_wifi_20240101-100000_any: MPTCP connection 1</h2>' "$PAGES/capture-1.html"
	assert_output --partial '<td>wifi</td>'
	assert_output --partial '<td>cellular</td>'
}

@test "-n 0: subflow tables without time-sequence graphs; -o: the pages folder beside the page" {
	"$REPORT" -n 0 -S "$A/summary" -o "$T/out/p.html" "$A" > /dev/null 2>&1
	run bash -c "cat '$T/out/p.pages'/*.html | grep -c 'alt=\"time-sequence'"
	assert_output 0
	assert_equal "$(cat "$T/out/p.pages"/*.html | grep -c '<h2 id="mpconn-')" "$(cat "$PAGES"/*.html | grep -c '<h2 id="mpconn-')"
	grep -q 'href="p.pages/capture-1.html"' "$T/out/p.html"
	grep -q 'href="../p.html"' "$T/out/p.pages/capture-1.html"
}

@test "a name that needs it is percent-encoded in the links" {
	"$REPORT" -q -n 0 -S "$A/summary" -o "$T/a b#?%.html" "$A"
	[ -s "$T/a b#?%.pages/capture-3.html" ]
	grep -q 'href="a%20b%23%3F%25.pages/capture-3.html"' "$T/a b#?%.html"
	grep -q 'href="../a%20b%23%3F%25.html"' "$T/a b#?%.pages/capture-3.html"
	run page_check "$T/a b#?%.html" "$A"
	assert_success
	assert_output --regexp '^ok 3 3 '
}

@test "a write that fails leaves the pages that were there, whole, and nothing else" {
	# A file size limit (SIGXFSZ ignored, so writes fail with EFBIG, as on
	# a full disk): at half the smallest capture page, writes fail from
	# the first capture (its graph, its page); above the largest capture
	# page but below the summary page (its plots), only the summary page
	# fails, after all the capture pages were written.
	"$REPORT" -q -n all -S "$A/summary" -o "$T/r/p.html" "$A"
	cp -r "$T/r" "$T/before"
	local small large summary lim
	small=$(stat -c %s "$T/r/p.pages"/*.html | sort -n | head -1)
	large=$(stat -c %s "$T/r/p.pages"/*.html | sort -n | tail -1)
	summary=$(stat -c %s "$T/r/p.html")
	[ "$summary" -gt $((large + 2048)) ] || fail "summary page $summary bytes, a capture page $large"
	for lim in $((small / 2048)) $((large / 1024 + 1)); do
		run --separate-stderr bash -c 'trap "" XFSZ; ulimit -f "$1"; exec "$2" -q -n all -S "$3" -o "$4" "$5"' sh \
		    "$lim" "$REPORT" "$A/summary" "$T/r/p.html" "$A"
		assert_failure 1
		assert_equal "${stderr_lines[-1]}" "report: $T/r/p.html: not written"
		diff -r "$T/before" "$T/r"
	done
	# and a run that succeeds replaces them all, the old folder removed
	"$REPORT" -q -n 0 -S "$A/summary" -o "$T/r/p.html" "$A"
	run bash -c "ls -A '$T/r'"
	assert_output "p.html
p.pages"
	run bash -c "cat '$T/r/p.pages'/*.html | grep -c 'alt=\"time-sequence'"
	assert_output 0
}

# probe PAGE OUT: PAGE loaded in headless Chromium with a probe appended
# (beside it, so that its relative links are the page's): the number of
# images, of those that did not decode, and the links as Chromium resolves
# them, in the dumped DOM OUT; its console in OUT.err
probe() {
	local probe=${1%.html}.probe.html
	sed 's|</body>|<script>window.addEventListener("load", () => { const i = [...document.images]; document.body.dataset.images = i.length; document.body.dataset.broken = i.filter(x => !x.complete \|\| x.naturalWidth === 0).length; document.body.dataset.links = [...document.links].map(a => a.href).join(" "); });</script></body>|' \
	    "$1" > "$probe"
	chrome --virtual-time-budget=5000 --dump-dom "file://$probe" > "$2" 2> "$2.err"
	rm "$probe"
}

# probed_ok PAGE DOM: every image of PAGE decoded, every link a file that
# exists (links to a #fragment of the page aside); prints the number of
# links to files
probed_ok() {
	local imgs broken
	imgs=$(grep -o 'data-images="[0-9]*"' "$2" | grep -o '[0-9]*')
	broken=$(grep -o 'data-broken="[0-9]*"' "$2" | grep -o '[0-9]*')
	[ "$imgs" = "$(grep -c '<img' "$1")" ] || { echo "$1: $imgs images decoded of $(grep -c '<img' "$1")"; return 1; }
	[ "$broken" = 0 ] || { echo "$1: $broken images broken"; return 1; }
	grep -o 'data-links="[^"]*"' "$2" | sed 's/^data-links="//; s/"$//' | tr ' ' '\n' | $PY -c '
import os, sys, urllib.parse
n = 0
for u in sys.stdin.read().split():
    u = urllib.parse.urlsplit(u.replace("&amp;", "&"))
    assert u.scheme == "file", u
    if u.fragment:
        continue # within the page
    f = urllib.parse.unquote(u.path)
    assert os.path.isfile(f), f
    n += 1
print(n)'
}

@test "headless Chromium: the summary and a capture page, no console error, images decoded, links resolve, also moved" {
	chromium_or_skip
	local n
	run probe "$PAGE" "$T/sum.html"
	run probed_ok "$PAGE" "$T/sum.html"
	assert_success
	assert_output 3 # a link per capture
	probe "$PAGES/capture-1.html" "$T/cap.html"
	run probed_ok "$PAGES/capture-1.html" "$T/cap.html"
	assert_success
	assert_output 1 # back to the summary
	# the folder moved elsewhere: the links still reach the pages
	cp -r "$A" "$T/moved"
	probe "$T/moved/report.html" "$T/msum.html"
	run probed_ok "$T/moved/report.html" "$T/msum.html"
	assert_success
	assert_output 3
	grep -o 'data-links="[^"]*"' "$T/msum.html" | grep -q "file://$T/moved/report.pages/capture-2.html"
	# the pages themselves: console errors and screenshots
	chrome --window-size=1200,4000 --screenshot="$T/shot.png" "file://$PAGE" > /dev/null 2> "$T/shot.err"
	chrome --window-size=1200,1400 --screenshot="$T/cshot.png" "file://$PAGES/capture-1.html" > /dev/null 2> "$T/cshot.err"
	run grep -E 'CONSOLE|Uncaught|Failed to load resource|Not allowed to load' "$T/shot.err" "$T/cshot.err" "$T"/*.html.err
	assert_output ""
	file "$T/shot.png" | grep -q 'PNG image data, 1200 x 4000'
	file "$T/cshot.png" | grep -q 'PNG image data, 1200 x 1400'
	# not blank: more than one colour in the top of each screenshot
	for n in shot cshot; do
		run /usr/bin/python3 -c '
import sys, zlib, struct
d = open(sys.argv[1], "rb").read()
w, h = struct.unpack(">II", d[16:24])
idat = b"".join(d[i + 8:i + 8 + struct.unpack(">I", d[i:i + 4])[0]] for i in
    [p - 4 for p in range(len(d)) if d[p:p + 4] == b"IDAT"])
raw = zlib.decompress(idat)
print(len(set(raw[1:1 + w * 4 * 200])) > 2)' "$T/$n.png"
		assert_output True
	done
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

# drawable DIR: the MPTCP connections of DIR's captures that have a point
# to draw from the tables: a row of mptcp_rtt.tsv or mptcp_reinject.tsv in
# the direction with more data bytes (none in light mode: no such table)
drawable() {
	$PY - "$1" <<-'EOF'
	import csv, glob, os, sys
	def rows(f):
	    return list(csv.DictReader(open(f, newline=""), delimiter="\t", quoting=csv.QUOTE_NONE)) if os.path.exists(f) else []
	n = 0
	for d in glob.glob(sys.argv[1] + "/*/"):
	    for c in rows(d + "mptcp_conns.tsv"):
	        dr = "s2c" if int(c["s2c_data_bytes"]) > int(c["c2s_data_bytes"]) else "c2s"
	        n += any(r["mpconn"] == c["mpconn"] and r["dir"] == dr
	                 for t in ("mptcp_rtt.tsv", "mptcp_reinject.tsv") for r in rows(d + t))
	print(n)
	EOF
}

@test "the closing count: a cut capture is partial; captures gone are still drawn, light tables not; -q: nothing" {
	# Expected: the set made here: a whole capture and one cut at 15000
	# bytes (inside frame 7, test/ref/capture-offsets), and one analysed
	# with -l (no event tables); their MPTCP connections by tshark; the
	# captures removed after the analysis: the graphs come from the
	# tables, for the connections with a point to draw (drawable, from the
	# tables: the whole capture's; the cut one stops before any DATA_ACKed
	# mapping), the others not drawn.
	command -v tshark > /dev/null || fail "tshark not installed (test/deps)"
	mkdir -p "$T/c" "$T/l"
	cp "$FIX/gen/mptcp-handover.pcap" "$T/c/mptcp_a_x_20240101-100000_any.pcap"
	head -c 15000 "$FIX/corpus/tcpdump-mptcp-v1.pcap" > "$T/c/mptcp_b_x_20240101-110000_any.pcap"
	cp "$FIX/gen/mptcp-both.pcap" "$T/l/mptcp_c_x_20240101-120000_any.pcap"
	local whole cut light drawn
	whole=$(mp_conns "$T/c/mptcp_a_x_20240101-100000_any.pcap")
	cut=$(mp_conns "$T/c/mptcp_b_x_20240101-110000_any.pcap")
	light=$(mp_conns "$T/l/mptcp_c_x_20240101-120000_any.pcap")
	[ "$whole" -ge 1 ] && [ "$cut" -ge 1 ] && [ "$light" -ge 1 ] || fail "tshark: $whole, $cut and $light MPTCP connections"
	"$ANALYZE" -q -o "$T/a" "$T/c" 2> /dev/null || [ $? -eq 101 ]
	"$ANALYZE" -q -l -o "$T/a" "$T/l"
	rm "$T/c"/*.pcap "$T/l"/*.pcap
	drawn=$(drawable "$T/a")
	[ "$drawn" -ge "$whole" ] || fail "$drawn connections drawable of $((whole + cut))"
	run --separate-stderr "$REPORT" -n all "$T/a"
	assert_success
	assert_output "$T/a/report.html"
	assert_equal "${stderr_lines[-1]}" \
	    "report: 3 captures (1 partial), $((whole + cut + light)) MPTCP connections, $drawn time-sequence graphs, $((whole + cut + light - drawn)) not drawn"
	# the light capture's page says why
	run grep -c 'no time-sequence graph: .*analyze -l writes no event tables' "$T/a/report.pages/capture-3.html"
	assert_output "$light"
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

@test "TCP-only captures: a page with the TCP connections table and the whole-capture plot, in headless Chromium" {
	chromium_or_skip
	# Expected: the connections of the analysed tcp_conns.tsv (page_check,
	# python's csv), a plot each: both captures acknowledged bytes
	mkdir -p "$T/c"
	cp "$FIX/gen/tcp-loss.pcap" "$T/c/tcp_appA_wifi_20240101-100000_any.pcap"
	cp "$FIX/corpus/pymptcpanalyzer-client_1_tcp_only.pcap" "$T/c/tcp_appB_cell_20240101-110000_any.pcap"
	"$ANALYZE" -q -o "$T/a" "$T/c"
	run --separate-stderr "$REPORT" -q -n all "$T/a"
	assert_success
	run page_check "$T/a/report.html" "$T/a"
	assert_success
	assert_output 'ok 2 2 0'
	local k
	for k in 1 2; do
		grep -q '<h2 id="tcp">TCP connections</h2>' "$T/a/report.pages/capture-$k.html" || fail "capture $k: no TCP table"
		probe "$T/a/report.pages/capture-$k.html" "$T/cap$k.html"
		run probed_ok "$T/a/report.pages/capture-$k.html" "$T/cap$k.html"
		assert_success
		assert_output 1 # back to the summary
		grep -o 'data-images="[0-9]*"' "$T/cap$k.html" | grep -q '"1"' || fail "capture $k: not one image"
	done
	chrome --window-size=1200,1400 --screenshot="$T/shot.png" "file://$T/a/report.pages/capture-2.html" > /dev/null 2> "$T/shot.err"
	run grep -E 'CONSOLE|Uncaught|Failed to load resource|Not allowed to load' "$T/shot.err" "$T"/*.html.err
	assert_output ""
	file "$T/shot.png" | grep -q 'PNG image data, 1200 x 1400'
	# a light analysis has no tcp_ack.tsv: the page says why there is no plot
	mkdir -p "$T/l"
	cp "$FIX/gen/tcp-loss.pcap" "$T/l/tcp_appC_wifi_20240101-120000_any.pcap"
	"$ANALYZE" -q -l -o "$T/b" "$T/l"
	"$REPORT" -q -n all "$T/b" > /dev/null
	run page_check "$T/b/report.html" "$T/b"
	assert_success
	grep -q '(no whole-capture plot: .*tcp_ack.tsv' "$T/b/report.pages/capture-1.html" || fail "no reason given"
	# 1005 TCP connections: the table keeps the 1000 largest (report(1));
	# expected: the rows made here, conn i with i bytes
	"$PY" - "$T/b/tcp_appC_wifi_20240101-120000_any/tcp_conns.tsv" <<-'PY'
	import csv, sys
	f = sys.argv[1]
	r = list(csv.DictReader(open(f, newline=""), delimiter="\t", quoting=csv.QUOTE_NONE))
	with open(f, "w", newline="") as o:
	    w = csv.DictWriter(o, r[0].keys(), delimiter="\t", quoting=csv.QUOTE_NONE, lineterminator="\n")
	    w.writeheader()
	    for i in range(1, 1006):
	        w.writerow(dict(r[0], conn=str(i), c2s_unique_bytes=str(i), s2c_unique_bytes="0"))
	PY
	"$REPORT" -q -n all -S "$T/b/summary" "$T/b" > /dev/null
	grep -q '<p>The 1000 largest of 1005 TCP connections' "$T/b/report.pages/capture-1.html" || fail "no count"
	run "$PY" - "$T/b/report.pages/capture-1.html" <<-'PY'
	import re, sys
	t = open(sys.argv[1]).read().split('<h2 id="tcp">')[1]
	conns = [int(x) for x in re.findall(r'<tr><td class="n">(\d+)</td>', t)]
	print(len(conns), conns[0], conns[-1])
	PY
	assert_output "1000 1005 6"
}
