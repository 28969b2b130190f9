#!/usr/bin/env bats
bats_require_minimum_version 1.5.0
# pipelines/plot-cdf, plot-seq, plot-share: each plot is made from fixture
# data, is a valid PNG/SVG/PDF of the asked size, and its data file holds
# the points computed here independently: from tshark's dissection of the
# same capture (python3 below), or, for reinjections, from
# test/ref/mptcp-oracle (tshark's raw fields and interval arithmetic, the
# definitions of issue 10).

load /usr/lib/bats/bats-support/load
load /usr/lib/bats/bats-assert/load

setup() {
    BIN=${MPTCP_TOOLS_BIN:-$BATS_TEST_DIRNAME/../bin}
    P=$BATS_TEST_DIRNAME/../pipelines
    C=$BATS_TEST_DIRNAME/fixtures/corpus
    REF=$BATS_TEST_DIRNAME/ref
    PY=/usr/bin/python3
    T=$BATS_TEST_TMPDIR
    export HOME=$T XDG_CONFIG_HOME= MPTCP_TOOLS_BIN=$BIN
    unset MPTCP_TOOLS_CONF
    command -v gnuplot >/dev/null || fail "gnuplot not installed: sh test/deps check installs it"
}

# PNG: magic, IHDR width and height
png_size() {
    $PY -c '
import struct, sys
d = open(sys.argv[1], "rb").read(24)
assert d[:8] == b"\x89PNG\r\n\x1a\n" and d[12:16] == b"IHDR", "not a PNG"
print("%dx%d" % struct.unpack(">II", d[16:24]))' "$1"
}

# SVG: well-formed XML, root <svg>, its width and height
svg_size() {
    $PY -c '
import sys, xml.etree.ElementTree as ET
r = ET.parse(sys.argv[1]).getroot()
assert r.tag.endswith("svg"), r.tag
print("%sx%s" % (r.get("width"), r.get("height")))' "$1"
}

tshark_fields() { # capture, fields...
    local f=$1; shift
    local e=()
    for x in "$@"; do e+=(-e "$x"); done
    tshark -n -r "$f" -o mptcp.analyze_mptcp:TRUE -o tcp.relative_sequence_numbers:FALSE \
        -T fields -E separator=/t "${e[@]}" 2>/dev/null
}

@test "plot-cdf: CDF of segment lengths per direction, points as the original scripts define them" {
    command -v tshark >/dev/null || fail "tshark not installed: sh test/deps check installs it"
    "$BIN/pcap2pkt" "$C/tcpdump-mptcp-v0.pcap" | "$BIN/flowsplit" | "$BIN/aggregate" -c len -g dir > "$T/cdf.tsv"
    run "$P/plot-cdf" -o "$T/len.png" "$T/cdf.tsv"
    assert_success
    assert_output "$T/len.png"
    run png_size "$T/len.png"
    # plot-cdf(1)'s default size, the legend right of the axes
    assert_output 1100x600
    [ "$(stat -c %s "$T/len.png")" -gt 10000 ]
    # the legend outside the axes, where it covers no line
    grep -qx 'set key outside right top vertical Left reverse' "$T/len.gp"
    # the script re-runs in its folder after the folder has moved
    # (names of the image and the points alone, plot-cdf(1))
    mkdir "$T/moved"
    cp "$T/len.gp" "$T/len.dat" "$T/moved/"
    (cd "$T/moved" && gnuplot len.gp)
    run png_size "$T/moved/len.png"
    assert_output 1100x600
    # expected: tshark's tcp.len per direction (the server is port 22),
    # sorted, y = i/n, then (max, 1) (REFERENCES.md, CDF)
    tshark_fields "$C/tcpdump-mptcp-v0.pcap" tcp.dstport tcp.len > "$T/ts.tsv"
    $PY - "$T/ts.tsv" "$T/len.dat" <<'PY'
import sys
rows = [l.split('\t') for l in open(sys.argv[1]).read().split('\n') if l]
want = {}
for d, name in (('22', 'c2s'), (None, 's2c')):
    v = sorted(int(n) for p, n in rows if (p == '22') == (d == '22'))
    want[name] = [(x, i / len(v)) for i, x in enumerate(v)] + [(v[-1], 1.0)]
got, cur = {}, None
for line in open(sys.argv[2]):
    line = line.strip()
    if line.startswith('# '):
        cur = line[2:]; got[cur] = []
    elif line:
        x, y = line.split('\t'); got[cur].append((float(x), float(y)))
assert list(got) == ['c2s', 's2c'], list(got)
for g in want:
    assert len(got[g]) == len(want[g]), (g, len(got[g]), len(want[g]))
    for (a, b), (c, d) in zip(got[g], want[g]):
        assert a == c and abs(b - d) < 1e-9, (g, a, b, c, d)
PY
    grep -q "title 'c2s'" "$T/len.gp"
    grep -q "title 's2c'" "$T/len.gp"
}

@test "plot-cdf: raw records with -c -g -w, log x, SVG, unit from the column suffix" {
    printf 'cond\trtt_ms\tbytes\nwifi\t10\t100\nwifi\t20\t300\nlte\t0\t5\nlte\t40\t50\nlte\t80\t50\n' > "$T/r.tsv"
    run "$P/plot-cdf" -l -c rtt_ms -g cond -w bytes -f svg -s 640x480 -o "$T/rtt.svg" "$T/r.tsv"
    assert_success
    assert_output --partial 'log x axis: 1 values <= 0 left out'
    run svg_size "$T/rtt.svg"
    assert_output 640x480
    # weighted CDF by hand: wifi 10 -> 100/400, 20 -> 1; lte 0 (dropped), 40 -> 55/105
    # (to 12 significant digits, as aggregate writes computed numbers), 80 -> 1
    run cat "$T/rtt.dat"
    assert_output "$(printf '# wifi\n10\t0.25\n20\t1\n\n\n# lte\n40\t0.52380952381\n80\t1')"
    grep -q "set xlabel 'rtt (ms)'" "$T/rtt.gp"
    grep -q "set ylabel 'weighted CDF (weight: bytes)'" "$T/rtt.gp"
    grep -q 'set logscale x' "$T/rtt.gp"
    # -u and -x win
    run "$P/plot-cdf" -c rtt_ms -u s -o "$T/u.png" "$T/r.tsv"
    grep -q "set xlabel 'rtt ms (s)'" "$T/u.gp"
    run "$P/plot-cdf" -c rtt_ms -x 'round trip' -o "$T/x.png" "$T/r.tsv"
    grep -q "set xlabel 'round trip'" "$T/x.gp"
}

@test "plot-cdf: -C the CCDF, fraction at or above each value; -L log y leaves out its 0" {
    # 4 values 1 2 2 5 of one group: at or above 1: 4/4, 2: 3/4 (its first
    # point), then 2/4, at or above 5: 1/4; the CDF's closing point (5, 1)
    # is 0 in the CCDF, left out on a log y axis and kept on a linear one
    printf 'burst_bytes\n2\n5\n1\n2\n' > "$T/b.tsv"
    run "$P/plot-cdf" -C -L -c burst_bytes -o "$T/b.png" "$T/b.tsv"
    assert_success
    assert_output --partial 'log y axis: 1 points of fraction 0 left out'
    run png_size "$T/b.png"
    assert_output 1100x600
    run cat "$T/b.dat"
    assert_output "$(printf '# all\n1\t1\n2\t0.75\n2\t0.5\n5\t0.25')"
    grep -qx 'set logscale y' "$T/b.gp"
    grep -q "set ylabel 'CCDF: fraction at or above x'" "$T/b.gp"
    run "$P/plot-cdf" -C -c burst_bytes -o "$T/c.png" "$T/b.tsv"
    assert_success
    assert_equal "$(tail -n 1 "$T/c.dat")" $'5\t0'
    ! grep -q 'set logscale' "$T/c.gp"
}

@test "plot-cdf: PDF on request" {
    printf 'duration_s\n1\n2\n3\n' > "$T/d.tsv"
    run "$P/plot-cdf" -c duration_s -f pdf -o "$T/d.pdf" "$T/d.tsv"
    assert_success
    run head -c 5 "$T/d.pdf"
    assert_output '%PDF-'
    grep -q "set xlabel 'duration (s)'" "$T/d.gp"
    grep -q "title 'all'" "$T/d.gp"
}

@test "plot-cdf: errors" {
    printf 'a\tb\n1\t2\n' > "$T/r.tsv"
    run "$P/plot-cdf" -o "$T/x.png" "$T/r.tsv"
    assert_failure 1
    assert_output --partial 'not aggregate -c output'
    run "$P/plot-cdf" -c nosuch -o "$T/x.png" "$T/r.tsv"
    assert_failure 1
    assert_output --partial "nosuch"
    run "$P/plot-cdf" -f gif -c a "$T/r.tsv"
    assert_failure 2
    run "$P/plot-cdf" -h
    assert_success
    assert_output --partial 'usage: plot-cdf'
    run "$P/plot-cdf" -c a < /dev/null
    assert_failure 1
    assert_output --partial 'empty input'
}

# v0_points TSHARK.tsv SEQ.dat N: the N points of plot-seq's s2c graph
# of the v0 capture are tshark's s2c data segments (source port 22):
# frame, time since the first frame, raw DSN minus the lowest, length,
# subflow in tshark's stream order.
v0_points() {
    $PY - "$@" <<'PY'
import sys
from decimal import Decimal
rows = [l.split('\t') for l in open(sys.argv[1]).read().split('\n') if l]
t0 = Decimal(rows[0][1])
streams = []
for r in rows:
    if r[2] not in streams:
        streams.append(r[2])
data = [r for r in rows if r[3] == '22' and int(r[4]) > 0]
base = min(int(r[5]) for r in data)
want = [(int(r[0]), Decimal(r[1]) - t0, int(r[5]) - base, int(r[4]), streams.index(r[2])) for r in data]
got = []
for l in open(sys.argv[2]):
    if l.startswith('#'):
        continue
    t, dsn, ln, sf, kind, frame = l.rstrip('\n').split('\t')
    assert kind == 'new', l
    got.append((int(frame), Decimal(t), int(dsn), int(ln), int(sf)))
assert len(got) == len(want) == int(sys.argv[3]), (len(got), len(want))
for g, w in zip(got, want):
    assert g == w, (g, w)
assert {g[4] for g in got} == {0, 1}
PY
}

@test "plot-seq: v0 capture, every data segment at its tshark DSN and time" {
    command -v tshark >/dev/null || fail "tshark not installed: sh test/deps check installs it"
    run "$P/plot-seq" -o "$T/seq.png" "$C/tcpdump-mptcp-v0.pcap"
    assert_success
    run png_size "$T/seq.png"
    assert_output 1000x600
    [ "$(stat -c %s "$T/seq.png")" -gt 10000 ]
    grep -q 'MPTCP connection 1, s2c' "$T/seq.gp"
    # expected: s2c (source port 22) segments with payload; time since the
    # first frame, raw DSN minus the lowest, subflow = tshark stream order
    tshark_fields "$C/tcpdump-mptcp-v0.pcap" frame.number frame.time_epoch tcp.stream tcp.srcport tcp.len tcp.options.mptcp.rawdataseqno > "$T/ts.tsv"
    v0_points "$T/ts.tsv" "$T/seq.dat" 93
}

@test "plot-seq: a cut capture: the graph of the frames before the cut, and mptcp-join's message" {
    # Expected: tshark's fields of the same cut file (it stops at the cut
    # too); the cut falls inside a frame's record, mid-file.
    local size
    size=$(stat -c %s "$C/tcpdump-mptcp-v0.pcap")
    head -c $((size / 2 + 7)) "$C/tcpdump-mptcp-v0.pcap" > "$T/cut.pcap"
    run "$P/plot-seq" -o "$T/seq.png" "$T/cut.pcap"
    assert_success
    assert_line --regexp "^mptcp-join: $T/cut.pcap: frame [0-9]+, at byte offset [0-9]+: truncated dump file"
    [ "$(stat -c %s "$T/seq.png")" -gt 10000 ]
    tshark_fields "$T/cut.pcap" frame.number frame.time_epoch tcp.stream tcp.srcport tcp.len tcp.options.mptcp.rawdataseqno > "$T/ts.tsv" ||
        [ $? -eq 2 ] # tshark's status for a cut capture
    local n
    n=$(awk -F'\t' '$4 == 22 && $5 > 0' "$T/ts.tsv" | wc -l)
    [ "$n" -gt 10 ] && [ "$n" -lt 93 ]
    v0_points "$T/ts.tsv" "$T/seq.dat" "$n"
}

@test "plot-seq: reinjections marked as many as the tshark-based oracle counts" {
    command -v tshark >/dev/null || fail "tshark not installed: sh test/deps check installs it"
    "$BIN/mptcp-join" "$C/pymptcpanalyzer-client_2.pcap" > "$T/j.tsv"
    # the oracle names connections by tuple: mptcp-join -s gives each
    # mpconn's first subflow (client ports are unique in this capture)
    "$BIN/mptcp-join" -s "$C/pymptcpanalyzer-client_2.pcap" > "$T/js.tsv"
    "$REF/mptcp-oracle" "$C/pymptcpanalyzer-client_2.pcap" > "$T/reinj.tsv"
    for md in '2 c2s' '3 c2s' '3 s2c' '4 c2s'; do
        set -- $md
        run "$P/plot-seq" -m "$1" -d "$2" -o "$T/s$1$2.svg" "$T/j.tsv"
        assert_success
        port=$(awk -F'\t' -v m="$1" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
            $c["mpconn"] == m && $c["subflow"] == 0 { print $c["c_port"] }' "$T/js.tsv")
        want=$(awk -F'\t' -v p="$port" -v d="$2" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
            $c["c_port"] == p && $c["dir"] == d { print $c["reinj_segs"] }' "$T/reinj.tsv")
        [ -n "$want" ]
        got=$(awk -F'\t' '!/^#/ && $5 == "reinj"' "$T/s$1$2.dat" | wc -l)
        assert_equal "$got" "$want"
    done
    # the legend counts the same: the oracle's reinj_segs for mpconn 2
    want2=$(awk -F'\t' -v p="$(awk -F'\t' 'NR > 1 && $1 == 2 && $2 == 0 { print $6 }' "$T/js.tsv")" \
        'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
        $c["c_port"] == p && $c["dir"] == "c2s" { print $c["reinj_segs"] }' "$T/reinj.tsv")
    [ "$want2" -gt 0 ]
    run svg_size "$T/s2c2s.svg"
    assert_output 1000x600
    grep -q "reinjection ($want2)" "$T/s2c2s.gp"
    grep -q 'TCP retransmission' "$T/s2c2s.gp"
    # three subflows carried data, each drawn in its own colour
    run grep -c "title 'subflow" "$T/s2c2s.gp"
    assert_output 3
}

@test "plot-seq: the default connection is the one with the most data; errors" {
    run "$P/plot-seq" -o "$T/d.png" "$C/pymptcpanalyzer-client_2.pcap"
    assert_success
    grep -q 'MPTCP connection 2, c2s' "$T/d.gp"
    run "$P/plot-seq" -m 99 -o "$T/x.png" "$C/pymptcpanalyzer-client_2.pcap"
    assert_failure 1
    assert_output --partial 'MPTCP connection 99'
    "$BIN/pcap2pkt" "$C/tcpdump-mptcp-v0.pcap" | "$BIN/flowsplit" > "$T/nojoin.tsv"
    run "$P/plot-seq" -o "$T/x.png" "$T/nojoin.tsv"
    assert_failure 1
    assert_output --partial "no column 'mpconn' (made by mptcp-join)"
    run "$P/plot-seq" -d up
    assert_failure 2
}

@test "plot-seq -T: from analyze's tables alone, each point where the tables and the capture put it" {
    # Expected: python from the tables themselves (the send time of a
    # mapping is its DATA_ACK's ts less rtt_ms, in decimals), and
    # the capture mode on the same capture: a DATA_ACKed mapping's point
    # is its first segment's.
    cp "$C/pymptcpanalyzer-client_2.pcap" "$T/cap.pcap"
    "$P/analyze" -q -o "$T/a" "$T/cap.pcap"
    rm "$T/cap.pcap" # the table mode reads no capture
    run "$P/plot-seq" -T "$T/a/cap" -m 2 -d c2s -o "$T/t.png"
    assert_success
    assert_output "$T/t.png"
    run png_size "$T/t.png"
    assert_output 1000x600
    "$P/plot-seq" -m 2 -d c2s -o "$T/p.png" "$C/pymptcpanalyzer-client_2.pcap" > /dev/null
    $PY - "$T/a/cap" "$T/t.dat" "$T/p.dat" "$T/t.gp" <<'PY'
import csv, sys
from decimal import Decimal as D
top, tdat, pdat, gp = sys.argv[1:]
def rows(name):
    return [r for r in csv.DictReader(open(top + "/" + name, newline=""), delimiter="\t", quoting=csv.QUOTE_NONE)
            if r["mpconn"] == "2"]
t0 = D(rows("mptcp_conns.tsv")[0]["start_ts"])
data = [(D(r["ts"]) - D(r["rtt_ms"]) / 1000 - t0, int(r["dsn"]), r["subflow"], "new")
        for r in rows("mptcp_rtt.tsv") if r["dir"] == "c2s"]
data += [(D(r["ts"]) - t0, int(r["dsn"]), r["to_subflow"], "reinj")
         for r in rows("mptcp_reinject.tsv") if r["dir"] == "c2s"]
ymin = min(p[1] for p in data)
want = sorted((t, y - ymin, s, k) for t, y, s, k in data)
want += sorted((D(r["ts"]) - t0, int(r["dack"]) - ymin, r["subflow"], "dack")
               for r in rows("mptcp_dack.tsv") if r["dir"] == "c2s")
want += sorted((D(r["ts"]) - t0, None, r["subflow"], r["event"]) for r in rows("mptcp_addr.tsv"))
# the handovers: when the subflow fell silent, the earlier of its sides'
# last packets
want += [(min(D(r[d + "_last_ack_ts"]) for d in ("c2s", "s2c") if r[d + "_last_ack_ts"] != "-") - t0, None, r["subflow"], "handover")
         for r in rows("mptcp_subflows.tsv") if r["handover"] == "1"]
got = [l.rstrip("\n").split("\t") for l in open(tdat) if not l.startswith("#")]
got = [(D(t), None if y == "-" else int(y), s, k) for t, y, n, s, k in got]
order = lambda ps: sorted(ps, key=lambda p: (p[3], p[0], p[1] if p[1] is not None else -1, p[2]))
assert order(got) == order(want), (len(got), len(want))
assert sum(1 for p in want if p[3] == "reinj") > 0 and sum(1 for p in want if p[3] == "new") > 10
# the capture mode: every DATA_ACKed mapping starts at a segment plotted
# there, at its DSN and subflow, and at its time to within the rounding of
# rtt_ms to the microsecond
seg = {}
for l in open(pdat):
    if not l.startswith("#"):
        f = l.split("\t")
        seg.setdefault((int(f[1]), f[3]), []).append(D(f[0]))
new = [(t, y, s) for t, y, s, k in got if k == "new"]
missing = [p for p in new if not any(abs(p[0] - t) <= D("0.0000005") for t in seg.get((p[1], p[2]), []))]
assert not missing, missing[:5]
g = open(gp).read()
ndack = sum(1 for p in want if p[3] == "dack")
assert "title 'DATA_ACK (%d)'" % ndack in g, g
assert "title 'reinjection (%d)'" % sum(1 for p in want if p[3] == "reinj") in g, g
PY
    # the subflows named with the interface of mptcp_subflows.tsv
    local sf iface
    sf=$(awk -F'\t' '!/^#/ && $5 == "new" { print $4; exit }' "$T/t.dat")
    iface=$(awk -F'\t' -v s="$sf" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
        $c["mpconn"] == 2 && $c["subflow"] == s { print $c["iface"] }' "$T/a/cap/mptcp_subflows.tsv")
    [ -n "$iface" ]
    if [ "$iface" = - ] || [ "$iface" = '?' ]; then
        grep -q "title 'subflow $sf'" "$T/t.gp"
    else
        grep -q "title 'subflow $sf ($iface)'" "$T/t.gp"
    fi
}

@test "plot-seq -T: a handover marked when the subflow fell silent, as mptcp-metrics -s defines it" {
    # Expected: python from mptcp_subflows.tsv: per subflow with handover
    # 1, the earlier of its two sides' last packets (last_ack_ts: every
    # packet after the SYN carries an ACK), since the connection's start;
    # the handover capture's Wi-Fi subflow falls silent before the
    # cellular one carries the rest, so there is one.
    "$P/analyze" -q -o "$T/a" "$BATS_TEST_DIRNAME/fixtures/gen/mptcp-handover.pcap"
    run "$P/plot-seq" -T "$T/a/mptcp-handover" -o "$T/h.png"
    assert_success
    $PY - "$T/a/mptcp-handover" "$T/h.dat" "$T/h.gp" <<'PY'
import csv, sys
from decimal import Decimal as D
top, dat, gp = sys.argv[1:]
rows = lambda n: list(csv.DictReader(open(top + "/" + n, newline=""), delimiter="\t", quoting=csv.QUOTE_NONE))
conn = max(rows("mptcp_conns.tsv"), key=lambda r: int(r["c2s_data_bytes"]) + int(r["s2c_data_bytes"]))
t0 = D(conn["start_ts"])
want = sorted((min(D(r[d + "_last_ack_ts"]) for d in ("c2s", "s2c") if r[d + "_last_ack_ts"] != "-") - t0, r["subflow"])
              for r in rows("mptcp_subflows.tsv") if r["mpconn"] == conn["mpconn"] and r["handover"] == "1")
assert len(want) == 1, want
got = sorted((D(l.split("\t")[0]), l.split("\t")[3]) for l in open(dat) if l.rstrip("\n").endswith("\thandover"))
assert got == want, (got, want)
assert "title 'handover: subflow silent (1)'" in open(gp).read()
PY
}

@test "plot-seq -T: the default connection as in the capture mode; light tables and bad folders are errors" {
    "$P/analyze" -q -o "$T/a" "$C/pymptcpanalyzer-client_2.pcap"
    run "$P/plot-seq" -T "$T/a/pymptcpanalyzer-client_2" -o "$T/d.png"
    assert_success
    grep -q 'MPTCP connection 2, c2s' "$T/d.gp"
    run "$P/plot-seq" -T "$T/a/pymptcpanalyzer-client_2" -m 99 -o "$T/x.png"
    assert_failure 1
    assert_output --partial 'MPTCP connection 99: no such MPTCP connection'
    "$P/analyze" -q -l -o "$T/l" "$C/pymptcpanalyzer-client_2.pcap"
    run "$P/plot-seq" -T "$T/l/pymptcpanalyzer-client_2" -o "$T/x.png"
    assert_failure 1
    assert_output --partial 'no mptcp_rtt.tsv (analyze -l writes no event tables'
    run "$P/plot-seq" -T "$T/nowhere" -o "$T/x.png"
    assert_failure 1
    assert_output --partial 'not a folder'
    run "$P/plot-seq" -T "$T/a/pymptcpanalyzer-client_2" "$C/tcpdump-mptcp-v0.pcap"
    assert_failure 2
}

@test "plot-share: Wi-Fi and cellular bytes per MPTCP connection, as tshark counts them" {
    command -v tshark >/dev/null || fail "tshark not installed: sh test/deps check installs it"
    printf 'wifi_prefix = 10.0.0.\n' > "$T/conf"
    run "$P/plot-share" -C "$T/conf" -o "$T/share.png" "$C/pymptcpanalyzer-client_2.pcap"
    assert_success
    run png_size "$T/share.png"
    assert_output 900x600
    # expected: payload bytes per TCP stream, grouped by tshark's
    # mptcp.stream; Wi-Fi when either address starts with 10.0.0. (the original
    # scripts' rule with PREFIX_IP_WIFI), else cellular
    tshark_fields "$C/pymptcpanalyzer-client_2.pcap" tcp.stream mptcp.stream ip.src ip.dst tcp.len > "$T/ts.tsv"
    $PY - "$T/ts.tsv" "$T/share.dat" <<'PY'
import sys
rows = [l.split('\t') for l in open(sys.argv[1]).read().split('\n') if l]
mp, iface, nbytes = {}, {}, {}
for s, m, src, dst, ln in rows:
    if s == '':
        continue
    if m != '':
        mp[s] = m
    if s not in iface:
        iface[s] = 'wifi' if src.startswith('10.0.0.') or dst.startswith('10.0.0.') else 'cell'
    nbytes[s] = nbytes.get(s, 0) + int(ln)
want = {}
for s, m in mp.items():
    w = want.setdefault(m, [0, 0])
    w[0 if iface[s] == 'wifi' else 1] += nbytes[s]
want = sorted(tuple(v) for v in want.values())
got = []
for l in open(sys.argv[2]):
    if l.startswith('#'):
        continue
    f = l.split('\t')
    wb, cb, ub, tot = map(int, f[1:5])
    assert ub == 0 and tot == wb + cb
    assert abs(float(f[5]) - wb / tot) < 1e-6
    got.append((wb, cb))
assert sorted(got) == want, (sorted(got), want)
PY
}

@test "plot-share: records in, -d, -b, SVG; missing iface names ifmatch" {
    printf 'mpconn\tsubflow\tiface\tc2s_data_bytes\ts2c_data_bytes\n1\t0\twifi\t100\t900\n1\t1\tcellular\t300\t0\n2\t0\t?\t0\t50\n' > "$T/sf.tsv"
    run "$P/plot-share" -d c2s -f svg -o "$T/s.svg" "$T/sf.tsv"
    assert_success
    run svg_size "$T/s.svg"
    assert_output 900x600
    run cat "$T/s.dat"
    assert_line --index 1 "$(printf '1\t100\t300\t0\t400\t0.250000\t0.750000\t0.000000')"
    assert_line --index 2 "$(printf '2\t0\t0\t0\t0\t0\t0\t0')"
    run "$P/plot-share" -b -o "$T/b.png" "$T/sf.tsv"
    assert_success
    run cat "$T/b.dat"
    assert_line --index 1 "$(printf '1\t1000\t300\t0\t1300\t0.769231\t0.230769\t0.000000')"
    assert_line --index 2 "$(printf '2\t0\t0\t50\t50\t0.000000\t0.000000\t1.000000')"
    grep -q 'using 2:xtic(1)' "$T/b.gp"
    cut -f1,2,4,5 "$T/sf.tsv" > "$T/noif.tsv"
    run "$P/plot-share" -o "$T/x.png" "$T/noif.tsv"
    assert_failure 1
    assert_output --partial "no column 'iface' (made by ifmatch)"
}

# box_want RECORDS COL GROUPCOL [log]: the boxes expected of COL per
# group (in order of first appearance, as aggregate keeps them):
# name, then min, p25, median, p75, max, n by numpy (linear percentile,
# REFERENCES.md), over the values other than '-' (and above 0 on a log axis)
box_want() {
    $PY - "$@" <<'PY'
import csv, sys, numpy as np
f, col, g = sys.argv[1:4]
log = len(sys.argv) > 4
v = {}
for r in csv.DictReader(open(f), delimiter='\t'):
    if r[col] != '-' and (not log or float(r[col]) > 0):
        v.setdefault(r[g], []).append(float(r[col]))
for k in v:  # dicts keep the order of insertion
    a = np.array(v[k])
    print(k, *('%.9g' % x for x in (a.min(), *np.percentile(a, [25, 50, 75]), a.max())), len(a))
PY
}

# box_got DAT: the same from plot-box's data file: group, then its line
# less the x position (checked to be 1, 2, ...)
box_got() {
    awk -F'\t' '/^# / { g = substr($0, 3); next }
        NF == 7 { if ($1 != ++i) exit 1; printf "%s", g; for (j = 2; j <= 6; j++) printf " %.9g", $j; print " " $7 }' "$1"
}

@test "plot-box: quartiles per group as numpy computes them, legend with n, a script that re-runs where it is" {
    printf 'cond\tduration_s\n' > "$T/r.tsv"
    printf 'wifi\t%s\n' 1.5 0.25 3 2 10 >> "$T/r.tsv"
    printf 'lte\t%s\n' 4 - 7.75 >> "$T/r.tsv"
    printf 'lte 5g\t%s\n' 0.5 >> "$T/r.tsv"
    run "$P/plot-box" -c duration_s -g cond -t 'Completion time' -o "$T/b.png" "$T/r.tsv"
    assert_success
    assert_output "$T/b.png"
    run png_size "$T/b.png"
    assert_output 1100x600
    [ "$(stat -c %s "$T/b.png")" -gt 10000 ]
    # numpy's numbers; by hand too: wifi sorted 0.25 1.5 2 3 10, p25 at
    # index 1 = 1.5, p75 at index 3 = 3; lte 4, 7.75: p25 4 + 0.25 * 3.75
    assert_equal "$(box_got "$T/b.dat")" "$(box_want "$T/r.tsv" duration_s cond)"
    assert_equal "$(box_got "$T/b.dat" | sed -n 2p)" 'lte 4 4.9375 5.875 6.8125 7.75 2'
    # legend outside the axes, each group with its n; names under the boxes
    grep -qxF 'set key outside right top vertical Left reverse title "box: quartiles, line: median\nwhiskers: min to max" left' "$T/b.gp"
    grep -q "title 'wifi (n=5)'" "$T/b.gp"
    grep -q "title 'lte (n=2)'" "$T/b.gp"
    grep -q "title 'lte 5g (n=1)'" "$T/b.gp"
    grep -q "^set xtics nomirror ('wifi' 1, 'lte' 2, 'lte 5g' 3)" "$T/b.gp"
    grep -q "set ylabel 'duration (s)'" "$T/b.gp"
    grep -q "set xlabel 'cond'" "$T/b.gp"
    # the script and the boxes re-run in their folder after it has moved
    mkdir "$T/moved"
    cp "$T/b.gp" "$T/b.dat" "$T/moved/"
    (cd "$T/moved" && gnuplot b.gp)
    run png_size "$T/moved/b.png"
    assert_output 1100x600
}

@test "plot-box: log y leaves out values <= 0 before the quartiles; SVG, PDF, no groups; errors" {
    printf 'g\trtt_ms\n' > "$T/r.tsv"
    printf 'a\t%s\n' 0 10 100 1000 -5 >> "$T/r.tsv"
    printf 'b\t%s\n' 0 >> "$T/r.tsv"
    run --separate-stderr "$P/plot-box" -l -c rtt_ms -g g -f svg -s 640x480 -o "$T/b.svg" "$T/r.tsv"
    assert_success
    assert_equal "$stderr" "plot-box: log y axis: 3 values <= 0 left out"
    run svg_size "$T/b.svg"
    assert_output 640x480
    # b has no value left: no box
    assert_equal "$(box_got "$T/b.dat")" "$(box_want "$T/r.tsv" rtt_ms g log)"
    assert_equal "$(box_got "$T/b.dat")" 'a 10 55 100 550 1000 3'
    grep -q 'set logscale y' "$T/b.gp"
    grep -q '"10" 10, "20" 20, "50" 50, "100" 100' "$T/b.gp"
    grep -q "set ylabel 'rtt (ms)'" "$T/b.gp"
    # no groups: one box, all
    run "$P/plot-box" -c rtt_ms -f pdf -o "$T/all.pdf" "$T/r.tsv"
    assert_success
    run head -c 5 "$T/all.pdf"
    assert_output '%PDF-'
    # -5 0 0 10 100 1000: p25 at index 1.25, the median at 2.5, p75 at 3.75
    assert_equal "$(box_got "$T/all.dat")" 'all -5 0 5 77.5 1000 6'
    grep -q "title 'all (n=6)'" "$T/all.gp"
    # errors
    run "$P/plot-box" -g g "$T/r.tsv"
    assert_failure 2
    run "$P/plot-box" -c nosuch -o "$T/x.png" "$T/r.tsv"
    assert_failure 1
    assert_output --partial "no column 'nosuch'"
    run "$P/plot-box" -l -c rtt_ms -g g -o "$T/x.png" <(printf 'g\trtt_ms\na\t0\n')
    assert_failure 1
    assert_output --partial 'no values to plot'
    [ ! -e "$T/x.dat" ] || fail "an empty x.dat left"
    run "$P/plot-box" -h
    assert_success
    assert_output --partial 'usage: plot-box'
}

@test "plot-box: a % in a group name is text under its box, not a format" {
    printf 'g\tbytes\n' > "$T/p.tsv"
    printf '%s\n' $'pct%s%n\t10' $'pct%s%n\t20' $'x%d\t5' >> "$T/p.tsv"
    run --separate-stderr "$P/plot-box" -c bytes -g g -o "$T/p.png" "$T/p.tsv"
    assert_success
    run png_size "$T/p.png"
    assert_output 1100x600
    grep -qF "'pct%%s%%n' 1, 'x%%d' 2" "$T/p.gp"
    grep -qF "title 'pct%s%n (n=2)'" "$T/p.gp"
}

# scatter_got DAT: the points of plot-scatter's data file, "group x y"
scatter_got() {
    awk -F'\t' '/^# / { g = substr($0, 3); next } NF == 2 { print g " " $1 " " $2 }' "$1"
}

@test "plot-scatter: the points per group as the input has them, legends with n, axes from the values" {
    printf 'app\tcond\tdata_bytes\tduration_s\n' > "$T/r.tsv"
    printf '%s\n' $'a\twifi\t1000\t0.5' $'b\tlte\t2000000\t25' $'a\twifi\t150000\t-' \
        $'a\twifi\t3000000\t2' $'b\tlte\t500\t0.125' $'a\tlte\t70000\t1' >> "$T/r.tsv"
    run "$P/plot-scatter" -a xy -c data_bytes,duration_s -g app,cond -o "$T/s.png" "$T/r.tsv"
    assert_success
    assert_output "$T/s.png"
    run png_size "$T/s.png"
    assert_output 1100x600
    # by hand: groups in order of first appearance, the row without a
    # duration left out
    assert_equal "$(scatter_got "$T/s.dat")" "$(printf '%s\n' 'a / wifi 1000 0.5' 'a / wifi 3000000 2' \
        'b / lte 2000000 25' 'b / lte 500 0.125' 'a / lte 70000 1')"
    grep -q "title 'a / wifi (n=2)'" "$T/s.gp"
    grep -q "title 'b / lte (n=2)'" "$T/s.gp"
    grep -q "title 'a / lte (n=1)'" "$T/s.gp"
    grep -qx 'set key outside right top vertical Left reverse' "$T/s.gp"
    # both axes span 2 decades or more: logarithmic, tics at the decades
    # (bytes span more than 4) with k and M, at 1, 2, 5 (durations)
    grep -qx 'set logscale x' "$T/s.gp"
    grep -qx 'set logscale y' "$T/s.gp"
    grep -q '"1k" 1000, "10k" 10000, "100k" 100000, "1M" 1000000' "$T/s.gp"
    grep -q '"0.2" 0.2, "0.5" 0.5, "1" 1, "2" 2, "5" 5, "10" 10, "20" 20)' "$T/s.gp"
    grep -q "set xlabel 'data (bytes)'" "$T/s.gp"
    grep -q "set ylabel 'duration (s)'" "$T/s.gp"
    # the ranges hold every point off the border
    awk '/^set xrange/ { split(substr($3, 2), r, ":"); exit !(r[1] + 0 < 500 && r[2] + 0 > 3000000) }' "$T/s.gp"
    awk '/^set yrange/ { split(substr($3, 2), r, ":"); exit !(r[1] + 0 < 0.125 && r[2] + 0 > 25) }' "$T/s.gp"
    mkdir "$T/moved"
    cp "$T/s.gp" "$T/s.dat" "$T/moved/"
    (cd "$T/moved" && gnuplot s.gp)
    run png_size "$T/moved/s.png"
    assert_output 1100x600
    # a value of 0: -a keeps the axis linear, its numbers with k and M
    printf '%s\n' $'a\twifi\t0\t1' >> "$T/r.tsv"
    run "$P/plot-scatter" -a xy -c data_bytes,duration_s -o "$T/z.png" "$T/r.tsv"
    assert_success
    ! grep -q 'set logscale x' "$T/z.gp"
    grep -qx 'set logscale y' "$T/z.gp"
    grep -q '"0" 0, "500k" 500000, "1M" 1000000, "1.5M" 1500000' "$T/z.gp"
    assert_equal "$(scatter_got "$T/z.dat" | wc -l)" 6
    grep -q "title 'all (n=6)'" "$T/z.gp"
    # -l x forces it: the point at 0 is left out and said
    run --separate-stderr "$P/plot-scatter" -l x -c data_bytes,duration_s -o "$T/l.png" "$T/r.tsv"
    assert_success
    assert_equal "$stderr" "plot-scatter: log axis: 1 points with a value <= 0 left out"
    assert_equal "$(scatter_got "$T/l.dat" | wc -l)" 5
}

@test "plot-scatter: -d one scale for both axes and the diagonal, -Y a fixed y range, SVG; errors" {
    printf 'wifi_bytes\tcell_bytes\tcell_share\n' > "$T/r.tsv"
    printf '%s\n' $'100\t200000\t0.999500' $'300000\t5000\t0.016393' $'40000\t40000\t0.500000' >> "$T/r.tsv"
    run "$P/plot-scatter" -d -a xy -c wifi_bytes,cell_bytes -f svg -o "$T/d.svg" "$T/r.tsv"
    assert_success
    run svg_size "$T/d.svg"
    assert_output 1100x600
    # both axes over 100 to 300000: the same range, logarithmic
    assert_equal "$(grep -c '^set logscale [xy]$' "$T/d.gp")" 2
    assert_equal "$(grep '^set xrange' "$T/d.gp" | cut -d' ' -f3)" "$(grep '^set yrange' "$T/d.gp" | cut -d' ' -f3)"
    grep -q "x with lines dashtype 2 .* title 'y = x'" "$T/d.gp"
    assert_equal "$(scatter_got "$T/d.dat")" "$(printf '%s\n' 'all 100 200000' 'all 300000 5000' 'all 40000 40000')"
    run "$P/plot-scatter" -Y 0:1 -c wifi_bytes,cell_share -o "$T/y.png" "$T/r.tsv"
    assert_success
    grep -qx 'set yrange \[-0.05:1.05\]' "$T/y.gp"
    # errors
    printf '%s\n' $'1e3\tx\t0.5' >> "$T/r.tsv"
    run "$P/plot-scatter" -c wifi_bytes,cell_bytes -o "$T/e.png" "$T/r.tsv"
    assert_failure 1
    assert_output "plot-scatter: line 5: not a number: 'x'"
    run "$P/plot-scatter" -c wifi_bytes,nosuch -o "$T/e.png" "$T/r.tsv"
    assert_failure 1
    assert_output "plot-scatter: no column 'nosuch' in the input"
    run "$P/plot-scatter" -c wifi_bytes -o "$T/e.png" "$T/r.tsv"
    assert_failure 2
    run "$P/plot-scatter" -l z -c wifi_bytes,cell_bytes "$T/r.tsv"
    assert_failure 2
    assert_output --partial "-l: x, y or xy, not 'z'"
    run "$P/plot-scatter" -c wifi_bytes,cell_bytes -o "$T/n.png" <(printf 'wifi_bytes\tcell_bytes\n-\t1\n')
    assert_failure 1
    assert_output 'plot-scatter: no points to plot'
    [ ! -e "$T/n.dat" ] || fail "an empty n.dat left"
    run "$P/plot-scatter" -Y 0 -c wifi_bytes,cell_bytes "$T/r.tsv"
    assert_failure 2
    run "$P/plot-scatter" -h
    assert_success
    assert_output --partial 'usage: plot-scatter'
}

@test "titles and file names with backslashes: written as they are, never taken for escapes" {
    # sh's echo would turn the \t and \n of a title or file name into a
    # tab and a newline inside gnuplot's quotes (gnuplot then fails);
    # expected by hand: each script holds the text with its backslashes
    local t='a\tb\nc\\d' f
    printf 'g\tv\tw\tx\n%s\t1\t2\t3\n%s\t2\t3\t4\n' 'g\1' 'g\1' > "$T/r.tsv"
    mkdir -p "$T/d\\n"
    f=$T/d\\n/p\\t
    run "$P/plot-cdf" -c v -g g -t "$t" -o "$f.png" "$T/r.tsv"
    assert_success
    assert_output "$f.png"
    grep -qF "set title 'a\\tb\\nc\\\\d'" "$f.gp" || fail "$(grep title "$f.gp")"
    grep -qF "set output './p\\t.png'" "$f.gp"
    [ -s "$f.png" ]
    run "$P/plot-box" -c v -g g -t "$t" -o "$f-box.png" "$T/r.tsv"
    assert_success
    grep -qF "set title 'a\\tb\\nc\\\\d'" "$f-box.gp"
    run "$P/plot-scatter" -c v,w -g g -t "$t" -o "$f-sc.png" "$T/r.tsv"
    assert_success
    grep -qF "set title 'a\\tb\\nc\\\\d'" "$f-sc.gp"
    # and an error naming such a file keeps its backslashes
    run "$P/plot-cdf" -c v -o "$f.png" "$T/nosuch\\t"
    assert_failure
    [[ $output == *'nosuch\t'* ]] || fail "$output"
}

@test "plot-cdf -l: values within three decades get ticks at 1, 2 and 5 times the powers of ten" {
    # by hand: 0.008 to 0.07 ms: ticks 0.005 (within half the lowest) to
    # 0.1 (within twice the highest); 1 to 1e6: powers only, gnuplot's own
    printf 'rtt_ms\n0.008\n0.02\n0.07\n' > "$T/n.tsv"
    run "$P/plot-cdf" -l -c rtt_ms -o "$T/n.png" "$T/n.tsv"
    assert_success
    assert_equal "$(grep '^set xtics' "$T/n.gp")" 'set xtics ("0.005" 0.005, "0.01" 0.01, "0.02" 0.02, "0.05" 0.05, "0.1" 0.1)'
    printf 'rtt_ms\n1\n1000000\n' > "$T/w.tsv"
    run "$P/plot-cdf" -l -c rtt_ms -o "$T/w.png" "$T/w.tsv"
    assert_success
    run grep -c '^set xtics' "$T/w.gp"
    assert_output 0
}
