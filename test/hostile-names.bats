#!/usr/bin/env bats
bats_require_minimum_version 1.5.0
# Hostile capture names through the whole analyze | summary | report
# chain: names that would run a command if any stage let the shell,
# gnuplot, awk or sed interpret them, names that would break a TSV table
# (tab, newline, carriage return, backslash escapes) and HTML. Every
# capture is a copy of corpus/tcpdump-mptcp-v1.pcap (1 MPTCP connection).
#
# Where the expected values come from: the names themselves; their TSV
# form is computed here by python (the rule of analyze(1): \\ \t \n \r)
# and read back by Miller (mlr), an independent TSV decoder; the group
# fields by python's re on the same pattern; the gnuplot titles by
# python's quoting of gnuplot single-quoted strings (' doubled).
#
# Every command a name could run is "cd;touch CANARYn": it would create
# CANARYn in $HOME, whatever the current folder.

setup_file() {
	load common
	local d=$BATS_FILE_TMPDIR
	mkdir -p "$d/home" "$d/cwd" "$d/in"
	export HOME=$d/home
	# name list: one a line would not do (newlines), so NUL-separated
	$PY - "$FIX/corpus/tcpdump-mptcp-v1.pcap" "$d/in" "$d/names" <<-'EOF'
	import gzip, shutil, sys
	src, top, out = sys.argv[1:]
	names = [
	    'mptcp_app_`cd;touch CANARY1`_20150301-120000_wlan0.pcap',
	    'mptcp_$(cd;touch CANARY2)_cond_20150301-120001_wlan0.pcap',
	    "mptcp_a'.system('cd;touch CANARY3').'_c_20150301-120002_wlan0.pcap",
	    'mptcp_a".system("cd;touch CANARY4")."_c_20150301-120003_wlan0.pcap',
	    'mptcp_tab\there_c_20150301-120004_wlan0.pcap',
	    'mptcp_nl\n!cd;touch CANARY6\n_c_20150301-120005_wlan0.pcap',
	    'mptcp_bs\\t\\n\\\\x_c_20150301-120006_wlan0.pcap',
	    'mptcp_p|cd;touch CANARY8|q_c_20150301-120007_wlan0.pcap',
	    'mptcp_a&cd;touch CANARY9&_c_20150301-120008_wlan0.pcap',
	    'mptcp_<script>alert(1)<!--_c_20150301-120009_wlan0.pcap',
	    '-mptcp_dash_c_20150301-120010_wlan0.pcap',
	    'mptcp_pct%s%n_*?[x]_20150301-120011_wlan0.pcap',
	    'mptcp_cr\rx_c_20150301-120012_wlan0.pcap',
	    # in a folder with a hostile name; gzip-compressed (the fan-out path)
	    'dir\n$(cd;touch CANARY10)/mptcp_gz`cd;touch CANARY11`_c_20150301-120013_wlan0.pcap.gz',
	]
	import os
	for n in names:
	    p = os.path.join(top, n)
	    os.makedirs(os.path.dirname(p), exist_ok=True)
	    if n.endswith('.gz'):
	        with open(src, 'rb') as i, gzip.open(p, 'wb') as o:
	            shutil.copyfileobj(i, o)
	    else:
	        shutil.copy(src, p)
	open(out, 'w').write('\0'.join(names))
	EOF
	cd "$d/cwd"
	"$TOP/pipelines/analyze" -o "$d/out" "$d/in" > "$d/analyze.out" 2> "$d/analyze.err" &&
	    echo 0 > "$d/analyze.rc" || echo $? > "$d/analyze.rc"
	"$TOP/pipelines/report" -n all "$d/out" > "$d/report.out" 2> "$d/report.err" &&
	    echo 0 > "$d/report.rc" || echo $? > "$d/report.rc"
}

setup() {
	load common
	D=$BATS_FILE_TMPDIR
	OUT=$D/out
	export HOME=$D/home
	cd "$D/cwd"
}

# the canaries: none anywhere under the test's folders
canaries() {
	find "$D" -name 'CANARY*'
}

@test "the canary works: the command of a name, if run, would be seen" {
	# the check below must be able to fail: run one such command on purpose
	sh -c 'cd;touch CANARY0'
	run canaries
	assert_output "$HOME/CANARY0"
	rm "$HOME/CANARY0"
}

@test "no name ran a command: no canary after analyze, summary, report" {
	run canaries
	assert_output ""
	assert_equal "$(cat "$D/analyze.rc")" 0
	assert_equal "$(cat "$D/report.rc")" 0
	# nor did gnuplot or awk complain about a name
	run cat "$D/analyze.err" "$D/report.err"
	refute_output --regexp '(^|[^a-z])(sed|awk|mawk|gawk|gnuplot|sh|bash):'
	refute_output --partial "plot failed"
}

@test "every TSV written has as many fields on every line as its header" {
	local n=0 f
	while IFS= read -r -d '' f; do
		awk -F'\t' 'NR == 1 { n = NF } NF != n { printf "%s:%d: %d fields, header %d\n", FILENAME, FNR, NF, n; bad = 1 }
		    END { exit bad }' "$f" || fail "$f is not well-formed"
		n=$((n + 1))
	done < <(find "$OUT" -name '*.tsv' -print0)
	# 14 captures x 13 tables, the summary's 12 tables and index, 8 data tables
	[ "$n" -ge $((14 * 13 + 13 + 8)) ] || fail "only $n tables"
}

@test "manifests: each name escaped as analyze(1) says, Miller reads back the real name" {
	# Expected: python's escaping of the names; mlr's TSV decoding of the
	# manifests gives the names as they are on disk.
	local want got
	want=$($PY - "$D/names" <<-'EOF'
	import sys
	for n in sorted(open(sys.argv[1], newline='').read().split('\0')):
	    b = n.rsplit('/', 1)[-1]
	    print(b.replace('\\', '\\\\').replace('\t', '\\t').replace('\n', '\\n').replace('\r', '\\r'))
	EOF
	)
	got=$(find "$OUT" -name manifest.tsv -print0 | xargs -0 awk -F'\t' 'FNR == 1 { for (i = 1; i <= NF; i++) if ($i == "name") k = i } FNR == 2 { print $k }' | LC_ALL=C sort)
	assert_equal "$got" "$(LC_ALL=C sort <<< "$want")"
	# the capture column: the folder under -o (find's bytes), escaped so
	want=$(find "$OUT" -name manifest.tsv -printf '%h\0' | $PY -c '
import sys
for d in sys.stdin.buffer.read().split(b"\0")[:-1]:
    n = d.decode("utf-8", "surrogateescape")[len(sys.argv[1]) + 1:]
    print(n.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r"))' "$OUT" | LC_ALL=C sort)
	got=$(find "$OUT" -name manifest.tsv -print0 | xargs -0 awk -F'\t' 'FNR == 1 { for (i = 1; i <= NF; i++) if ($i == "capture") k = i } FNR == 2 { print $k }' | LC_ALL=C sort)
	[ "$(wc -l <<< "$got")" -eq 14 ]
	assert_equal "$got" "$want"
	# Miller decodes \t \n \\ \r: the real names, as python lists them
	find "$OUT" -name manifest.tsv -print0 | xargs -0 mlr --itsv --ojson cut -f name,input > "$D/manifests.json"
	$PY - "$D/names" "$D/manifests.json" "$D/in" <<-'EOF'
	import json, os, sys
	names = open(sys.argv[1], newline='').read().split('\0')
	recs = json.load(open(sys.argv[2]))
	assert sorted(r['name'] for r in recs) == sorted(n.rsplit('/', 1)[-1] for n in names), recs
	assert sorted(r['input'] for r in recs) == sorted(os.path.join(sys.argv[3], n) for n in names)
	for r in recs:
	    assert os.path.isfile(r['input']), r
	EOF
}

@test "summary: one row per capture, group fields as python's re parses the escaped names" {
	# Expected: the default pattern of summary(1) applied by python to the
	# escaped names.
	local want
	want=$($PY - "$D/names" <<-'EOF'
	import re, sys
	rx = re.compile(r'^([^_]+)_([^_]+)_(.+)_([0-9]{8})-([0-9]{6})(_.*)?_([^_]+)$')
	out = []
	for n in open(sys.argv[1], newline='').read().split('\0'):
	    b = n.rsplit('/', 1)[-1]
	    e = b.replace('\\', '\\\\').replace('\t', '\\t').replace('\n', '\\n').replace('\r', '\\r')
	    s = re.sub(r'\.gz$', '', e)
	    s = re.sub(r'\.(pcapng|pcap|cap)$', '', s)
	    m = rx.match(s)
	    out.append('\t'.join([e] + [m.group(i) for i in (1, 2, 3, 4, 5, 7)]))
	print('\n'.join(sorted(out)))
	EOF
	)
	assert_equal "$(tail -n +2 "$OUT/summary/data/captures.tsv" | cut -f2,5- | LC_ALL=C sort)" "$(LC_ALL=C sort <<< "$want")"
	run cat "$D/report.err"
	assert_output --partial "summary: 14 captures summarised"
	refute_output --partial "do not match"
}

@test "gnuplot: every plot made, the group titles single-quoted with quotes doubled" {
	# Expected: python builds each group's title (proto / app / cond, the
	# labels of plot-cdf, then summary's count of values: one connection
	# per capture here) and quotes it as a gnuplot single-quoted string.
	local p n=0
	for p in $(tail -n +2 "$OUT/summary/index.tsv" | cut -f4 | tr ',' ' '); do
		file "$OUT/summary/$p" | grep -q 'PNG image data' || fail "$p is not a PNG"
		n=$((n + 1))
	done
	[ "$n" -ge 8 ]
	$PY - "$OUT/summary/data/captures.tsv" "$OUT/summary/plots/bytes_cdf.gp" <<-'EOF'
	import csv, sys
	rows = list(csv.DictReader(open(sys.argv[1], newline=''), delimiter='\t', quoting=csv.QUOTE_NONE))
	gp = open(sys.argv[2]).read()
	assert len(rows) == 14
	for r in rows:
	    # bytes_cdf: groups level (mptcp), app, cond
	    label = ' / '.join(('mptcp', r['app'], r['cond'])) + ' (n=1)'
	    t = "title '" + label.replace("'", "''") + "'"
	    assert t in gp, (t, gp)
	EOF
}

@test "HTML: only the report's own tags, the names escaped, a graph per connection" {
	local page=$OUT/report.html pages=$OUT/report.pages
	assert_equal "$(cat "$D/report.out")" "$page"
	run bash -c "cat '$page' '$pages'/*.html | grep -ic '<script'"
	assert_output 0
	grep -qF '&lt;script&gt;alert(1)&lt;!--' "$page"
	# every tag on every page is one report writes
	run bash -c "cat '$page' '$pages'/*.html | grep -o '<[^ >]*' | sort -u | grep -vxE '</?(a|body|code|h[1-4]|head|html|img|li|meta|nav|p|style|table|tbody|td|th|thead|title|tr|ul)|<!DOCTYPE'"
	assert_output ""
	# Expected: each capture's folder, TSV-escaped (analyze(1)) and then
	# HTML-escaped by python, as the text of its link on the summary page
	# and in the title of its page
	$PY - "$D/names" "$page" "$pages" <<-'EOF'
	import html, re, sys
	names = open(sys.argv[1], newline='').read().split('\0')
	def shown(n):
	    f = re.sub(r'\.pcap(\.gz)?$', '', n)
	    f = f.replace('\\', '\\\\').replace('\t', '\\t').replace('\n', '\\n').replace('\r', '\\r')
	    return html.escape(f, quote=True).replace('&#x27;', "'")
	want = sorted(shown(n) for n in names)
	summary = open(sys.argv[2], encoding='utf-8').read()
	links = re.findall(r'<a href="report\.pages/capture-([0-9]+)\.html">([^<]*)</a>', summary)
	assert sorted(t for _, t in links) == want, (sorted(t for _, t in links), want)
	for k, t in links:
	    p = open('%s/capture-%s.html' % (sys.argv[3], k), encoding='utf-8').read()
	    assert '<h1>capture %s</h1>' % t in p, (k, t)
	EOF
	# one time-sequence graph per MPTCP connection: 14 captures of one
	# connection each, drawn from their tables
	assert_equal "$(cat "$pages"/*.html | grep -c 'alt="time-sequence graph of MPTCP connection')" 14
	run bash -c "cat '$pages'/*.html | grep -c 'no time-sequence graph'"
	assert_output 0
	# and a whole-capture plot on each page (plot-series -T in the
	# capture's hostile folder; the name in its gnuplot title)
	assert_equal "$(cat "$pages"/*.html | grep -c 'alt="cumulative acknowledged bytes per interface"')" 14
	run bash -c "cat '$pages'/*.html | grep -c 'no whole-capture plot'"
	assert_output 0
}

@test "a leading - is a name, not an option: capture, analysed folder, report folder" {
	cd "$D/in"
	run "$TOP/pipelines/analyze" -q -o "$D/dash" -- -mptcp_dash_c_20150301-120010_wlan0.pcap
	assert_success
	[ -s "$D/dash/-mptcp_dash_c_20150301-120010_wlan0/manifest.tsv" ]
	cd "$D"
	cp -r dash -- -dash
	run "$TOP/pipelines/report" -n all -o "$D/dash.html" -- -dash
	assert_success
	assert_equal "$(grep -c 'alt="time-sequence graph' "$D/dash.pages/capture-1.html")" 1
	assert_equal "$(grep -c 'alt="cumulative acknowledged bytes per interface"' "$D/dash.pages/capture-1.html")" 1
	run canaries
	assert_output ""
}

@test "analyze -n: one line of two escaped fields per capture" {
	run "$TOP/pipelines/analyze" -n -o "$D/n" "$D/in"
	assert_success
	assert_equal "${#lines[@]}" 14
	awk -F'\t' 'NF != 2 { exit 1 }' <<< "$output"
	assert_line --partial 'mptcp_nl\n!cd;touch CANARY6\n_c_20150301-120005_wlan0.pcap'
	assert_line --partial 'dir\n$(cd;touch CANARY10)/mptcp_gz'
}
