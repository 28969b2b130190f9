#!/usr/bin/env bats
bats_require_minimum_version 1.5.0
# mptcp-pair on the relay fixtures of test/fixtures/gen/pair: NAME.pcap
# (the phone's capture) and NAME.server.pcap (the server's), taken on one
# machine, so on one clock. The truth is the generator's: the relay's
# configured one-way delay per path and direction (relay-start rows of
# NAME.log.tsv) and every frame the relays dropped (drop rows), and an
# oracle over tshark's dissection (test/ref/pair-oracle), written apart
# from the C code.

setup() {
	load common
	PAIR=$FIX/gen/pair
	ORACLE="$TOP/test/ref/pair-oracle"
	T=$BATS_TEST_TMPDIR
}

# The scenarios of the relay topology (those with a server capture).
RELAY="delay cut many preloss-c2s preloss-s2c rcvbuf rto reinject"

# owd_check NAME: one-way delays of every matched segment against the
# relay's configured delay of its path and direction. Tolerances, from
# test/gen/README.md (Relay topology, Precision): the relay adds its own
# time, measured over the committed fixtures as excess >= 0, median
# 32-102 us, 99th percentile <= 1.7 ms, max 4.1 ms, and verify-fixtures
# enforces excess >= 0, median <= 0.2 ms, p99 <= 2 ms, max <= 5 ms per
# path and direction: the bounds asserted here. Serialisation adds
# nothing between the two capture points: each end's tbf shaper is on
# its egress before its own capture point (the log's config row says
# tbf=egress-of-each-end-before-its-capture-point, checked), so the
# shaper's rate is already spent when the sender's capture sees a frame.
# Paths by the phone's address (test/gen topology): cellular 10.0.2.2,
# Wi-Fi 192.168.1.2 and .3. In mptcp-reinject the Wi-Fi path is held for
# 600 ms (frames late by up to that, logged as hold rows): there only the
# minimum and median are bounded on Wi-Fi.
owd_check() {
	local n=$1
	grep -q 'tbf=egress-of-each-end-before-its-capture-point' "$PAIR/mptcp-$n.log.tsv"
	mptcp-pair -e owd -o "$T/sf.tsv" "$PAIR/mptcp-$n.pcap" "$PAIR/mptcp-$n.server.pcap" \
	    > "$T/owd.tsv" 2> "$T/err"
	"$PY" - "$PAIR/mptcp-$n.log.tsv" "$T/sf.tsv" "$T/owd.tsv" "$n" <<'EOF'
import sys
import numpy as np
log, sfp, owdp, name = sys.argv[1:]
delay = {}
held = set()
for line in open(log):
    c = line.rstrip("\n").split("\t")
    if len(c) > 5 and c[2] == "relay-start":
        kv = dict(x.split("=", 1) for x in c[5].split())
        delay[(c[3], "c2s")] = int(kv["delay_up_us"])
        delay[(c[3], "s2c")] = int(kv["delay_down_us"])
    if len(c) > 5 and c[2] == "hold-start":
        held.add((c[3], "c2s" if c[4] == "up" else "s2c"))
assert len(delay) == 4, delay
def rows(p):
    f = open(p)
    h = f.readline().rstrip("\n").split("\t")
    return [dict(zip(h, l.rstrip("\n").split("\t"))) for l in f]
path = {}
for r in rows(sfp):
    path[r["sf"]] = "cell" if r["c_addr"].startswith("10.0.2.") else "wifi"
ex = {}
for r in rows(owdp):
    us = round(float(r["owd"]) * 1e6)
    k = (path[r["sf"]], r["dir"])
    ex.setdefault(k, []).append(us - delay[k])
bad = 0
for k, v in sorted(ex.items()):
    v = np.array(v)
    med, p99, mx = np.median(v), np.percentile(v, 99), v.max()
    ok = v.min() >= 0 and med <= 200
    if k not in held:
        ok = ok and p99 <= 2000 and mx <= 5000
    print(f"{name} {k[0]} {k[1]} n={len(v)} min={v.min()} median={med} p99={p99:.0f} max={mx} us {'ok' if ok else 'FAIL'}")
    bad += not ok
assert len(ex) == 4, sorted(ex)
sys.exit(1 if bad else 0)
EOF
}

@test "one-way delays: the relay's configured delay plus at most its own measured time" {
	for n in $RELAY; do
		run owd_check "$n"
		echo "$output"
		assert_success
	done
}

@test "per-segment delays: those of the tshark oracle, segment for segment" {
	# the oracle pairs the two captures' segments by the same key in
	# Python over tshark's fields; delay = receiver's time - sender's
	for n in delay many preloss-s2c reinject; do
		"$ORACLE" owd "$PAIR/mptcp-$n.pcap" "$PAIR/mptcp-$n.server.pcap" > "$T/tshark"
		mptcp-pair -e owd -o "$T/sf.tsv" "$PAIR/mptcp-$n.pcap" "$PAIR/mptcp-$n.server.pcap" \
		    > "$T/owd.tsv" 2> /dev/null
		awk -F'\t' 'function ns(v,  a, x) { split(v, a, "."); x = a[1] a[2]; sub(/^0+/, "", x)
			return x == "" ? "0" : x }
		    NR == FNR { if (FNR > 1) cp[$1] = $4; next }
		    FNR > 1 { print $2, cp[$1], $7, $8, ns($9) }' "$T/sf.tsv" "$T/owd.tsv" | sort > "$T/tool"
		[ "$(wc -l < "$T/tool")" -gt 600 ]
		diff "$T/tshark" "$T/tool"
	done
}

@test "the subflow records' delay statistics are those of the segments (numpy over -e owd)" {
	# numpy's default percentile and the n-1 stdev over the events the
	# same run writes; the summary module's definition is numpy's.
	for n in delay many reinject; do
		mptcp-pair -e owd -o "$T/sf.tsv" "$PAIR/mptcp-$n.pcap" "$PAIR/mptcp-$n.server.pcap" \
		    > "$T/owd.tsv" 2> /dev/null
		run "$PY" - "$T/sf.tsv" "$T/owd.tsv" <<'EOF'
import sys
import numpy as np
def rows(p):
    f = open(p)
    h = f.readline().rstrip("\n").split("\t")
    return [dict(zip(h, l.rstrip("\n").split("\t"))) for l in f]
v = {}
for r in rows(sys.argv[2]):
    v.setdefault((r["sf"], r["dir"]), []).append(float(r["owd"]) * 1e3)
n = 0
for r in rows(sys.argv[1]):
    x = np.array(v.get((r["sf"], r["dir"]), []))
    assert int(r["owd_n"]) == len(x) == int(r["matched"]), r
    if not len(x):
        assert r["owd_min"] == "-" and r["owd_p50"] == "-", r
        continue
    want = {"owd_min": x.min(), "owd_max": x.max(), "owd_avg": x.mean()}
    for p in (25, 50, 75, 90, 95, 99):
        want[f"owd_p{p}"] = np.percentile(x, p)
    if len(x) > 1:
        want["owd_stdev"] = np.std(x, ddof=1)
    for k, w in want.items():
        assert abs(float(r[k]) - w) <= 0.0005 + 1e-9, (r["sf"], r["dir"], k, r[k], w)
    n += 1
assert n > 0
print("rows", n)
EOF
		echo "$n: $output"
		assert_success
	done
}

@test "clock offset: editcap -t 2.5 and -2.5 on the server capture, recovered within 0.1 ms" {
	# The estimate's error is half the difference between the two
	# directions' smallest excess over the (symmetric) configured delay:
	# each is >= 0 and below the median bound 0.2 ms, so the error is
	# below 0.1 ms.
	for n in delay many reinject; do
		mptcp-pair -e owd -o "$T/sf0.tsv" "$PAIR/mptcp-$n.pcap" "$PAIR/mptcp-$n.server.pcap" \
		    > "$T/owd0.tsv" 2> /dev/null
		for shift in 2.5 -2.5; do
			editcap -t "$shift" "$PAIR/mptcp-$n.server.pcap" "$T/shifted.pcap"
			run --separate-stderr mptcp-pair "$PAIR/mptcp-$n.pcap" "$T/shifted.pcap"
			assert_success
			est=$(echo "$output" | pick offset_est | sort -u)
			[ "$(echo "$est" | wc -l)" -eq 1 ]
			awk -v e="$est" -v s="$shift" 'BEGIN { d = e - s; exit !(d < 0.0001 && d > -0.0001) }' ||
			    fail "$n $shift: offset_est $est"
			# the known offset applied: the same delays, segment for segment
			mptcp-pair -O "$shift" -e owd -o "$T/sf1.tsv" "$PAIR/mptcp-$n.pcap" "$T/shifted.pcap" \
			    > "$T/owd1.tsv" 2> /dev/null
			diff <(pick sf,dir,frame_snd,frame_rcv,seq,len,owd < "$T/owd0.tsv") \
			    <(pick sf,dir,frame_snd,frame_rcv,seq,len,owd < "$T/owd1.tsv")
			[ "$(wc -l < "$T/owd0.tsv")" -gt 100 ]
			cols=sf,dir,snd,rcv,matched,lost,unsent,owd_n,owd_min,owd_max,owd_avg,owd_stdev,owd_p50,owd_p99
			diff <(pick "$cols" < "$T/sf0.tsv") <(pick "$cols" < "$T/sf1.tsv")
			[ "$(pick offset < "$T/sf1.tsv" | sort -u)" = "$(printf '%.9f' "$shift")" ]
			# -a applies the estimate
			mptcp-pair -a "$PAIR/mptcp-$n.pcap" "$T/shifted.pcap" > "$T/sfa.tsv" 2> /dev/null
			[ "$(pick offset < "$T/sfa.tsv" | sort -u)" = "$est" ]
		done
	done
}

# lost_tool NAME [SERVER]: the tool's lost segments as "dir client_port seq len".
lost_tool() {
	mptcp-pair -e lost -o "$T/sf.tsv" "$PAIR/mptcp-$1.pcap" "${2:-$PAIR/mptcp-$1.server.pcap}" \
	    > "$T/lost.tsv" 2> /dev/null
	awk -F'\t' 'NR == FNR { if (FNR > 1) cp[$1] = $4; next }
	    FNR > 1 { print $2, cp[$1], $5, $6 }' "$T/sf.tsv" "$T/lost.tsv" | sort
}

@test "losses between the capture points: the relays' dropped frames and tshark's, exactly" {
	# Scenarios with loss: loss_*_pct > 0 in their relay-start rows
	# (many, preloss-c2s, preloss-s2c), and the cuts (cut, rto), whose
	# relays drop every frame for a while. Two references: the relays'
	# drop rows, and the tshark oracle's multiset difference.
	lossy=$(grep -l -E 'relay-start.*loss_(up|down)_pct=[1-9]' "$PAIR"/*.log.tsv |
	    sed 's,.*/mptcp-,,; s,\.log\.tsv,,' | sort | tr '\n' ' ')
	[ "$lossy" = "many preloss-c2s preloss-s2c " ] || fail "lossy: $lossy"
	for n in many preloss-c2s preloss-s2c cut rto; do
		lost_tool "$n" > "$T/tool"
		"$ORACLE" relay "$PAIR/mptcp-$n.log.tsv" > "$T/relay"
		"$ORACLE" lost "$PAIR/mptcp-$n.pcap" "$PAIR/mptcp-$n.server.pcap" > "$T/tshark"
		[ -s "$T/relay" ]
		diff "$T/relay" "$T/tool"
		diff "$T/tshark" "$T/tool"
		# the records count them too
		sum=$(pick lost < "$T/sf.tsv" | paste -sd+ | bc)
		[ "$sum" -eq "$(wc -l < "$T/tool")" ]
		bytes=$(pick lost_bytes < "$T/sf.tsv" | paste -sd+ | bc)
		[ "$bytes" -eq "$(awk '{ s += $4 } END { print s + 0 }' "$T/tool")" ]
		echo "$n: $sum lost, $bytes bytes"
	done
	# and where nothing was dropped, nothing is lost
	for n in delay rcvbuf reinject; do
		[ -z "$("$ORACLE" relay "$PAIR/mptcp-$n.log.tsv")" ]
		[ -z "$(lost_tool "$n")" ]
		[ "$(pick lost,unsent < "$T/sf.tsv" | sort -u)" = "0 0" ]
	done
}

@test "losses: frames deleted from the server capture with editcap are exactly those reported" {
	# mptcp-delay has no loss; delete three c2s data frames (lost between
	# the captures, as far as the pair shows) and two s2c ones (the
	# server is their sender: the phone's copies become unsent) from the
	# server's capture. The expected segments come from tshark's view of
	# the deleted frames.
	s=$PAIR/mptcp-delay.server.pcap
	tshark -n -r "$s" -Y 'tcp.len > 0' -T fields -e frame.number -e tcp.srcport \
	    -e tcp.dstport -e tcp.seq_raw -e tcp.len 2> /dev/null > "$T/data"
	c2s=$(awk '$3 == 5201' "$T/data" | sed -n '40p;41p;90p')
	s2c=$(awk '$2 == 5201' "$T/data" | sed -n '30p;70p')
	# shellcheck disable=SC2046 # frame numbers, one word each
	editcap "$s" "$T/cut.pcap" $(printf '%s\n%s\n' "$c2s" "$s2c" | cut -f1)
	echo "$c2s" | awk '{ print "c2s", $2, $4, $5 }' | sort > "$T/want"
	[ "$(wc -l < "$T/want")" -eq 3 ]
	lost_tool delay "$T/cut.pcap" > "$T/tool"
	diff "$T/want" "$T/tool"
	"$ORACLE" lost "$PAIR/mptcp-delay.pcap" "$T/cut.pcap" > "$T/tshark"
	diff "$T/want" "$T/tshark"
	[ "$(pick dir,unsent < "$T/sf.tsv" | awk '$1 == "s2c" { s += $2 } END { print s }')" -eq 2 ]
	[ "$("$ORACLE" unsent "$PAIR/mptcp-delay.pcap" "$T/cut.pcap" | wc -l)" -eq 2 ]
}

@test "the memory bound: segments beyond -m give up, counted as evicted and warned" {
	editcap -t 2.5 "$PAIR/mptcp-delay.server.pcap" "$T/shifted.pcap"
	run --separate-stderr mptcp-pair -m 16 "$PAIR/mptcp-delay.pcap" "$T/shifted.pcap"
	assert_success
	[[ "$stderr" == *"gave up waiting for their copy: more than 16 at once (-m); counted as evicted"* ]]
	ev=$(echo "$output" | pick evicted | paste -sd+ | bc)
	[ "$ev" -gt 0 ]
	# every segment is matched, lost, unsent or evicted (each match takes
	# one of each side)
	echo "$output" | pick snd,rcv,matched,lost,unsent,evicted |
	    awk '{ s += $1 + $2; m += 2 * $3 + $4 + $5 + $6 } END { exit !(s == m) }'
	# with the offset known, none waits long
	run --separate-stderr mptcp-pair -m 64 -O 2.5 "$PAIR/mptcp-delay.pcap" "$T/shifted.pcap"
	assert_success
	[ "$(echo "$output" | pick evicted | sort -u)" = 0 ]
}

# reinj_tool CLIENT SERVER: the tool's reinjections as the oracle prints
# them: "dir dsn len origin_client_port reinjecting_client_port t_orig
# t_reinj first lead", times in ns (as strings: awk's numbers would round).
reinj_tool() {
	mptcp-pair -e reinject -o "$T/sf.tsv" "$1" "$2" > "$T/re.tsv" 2> /dev/null
	awk -F'\t' '
	function ns(v,  a) { if (v == "-") return "-"; split(v, a, ".")
		return a[1] a[2] substr("000", 1, 9 - length(a[2])) }
	function dur(v,  x) { if (v == "-") return "-"; x = ns(v); sub(/^0+/, "", x)
		return x == "" ? "0" : x }
	NR == FNR { if (FNR > 1) cp[$1] = $4; next }
	FNR > 1 { print $3, $4, $5, cp[$1], cp[$2], ns($8), ns($9), $10, dur($11) }' \
	    "$T/sf.tsv" "$T/re.tsv" | sort
}

@test "reinjections: which copy arrived first and by how much, as tshark's DSS fields give it" {
	# The oracle derives each byte's data sequence number from tshark's
	# DSS fields (and the v1 MP_CAPABLE data mapping from the key), its
	# origin at the sender's capture, and each copy's first arrival at
	# the receiver's capture from tshark's timestamps.
	# MPTCP v1 (the relay fixtures), and v0 with 4-byte DSNs: the
	# client and server captures of pymptcpanalyzer's examples (the pair
	# its map and qualify commands read).
	for n in reinject cut rto many corpus; do
		if [ "$n" = corpus ]; then
			set -- "$FIX/corpus/pymptcpanalyzer-client_2.pcap" "$FIX/corpus/pymptcpanalyzer-server_2.pcap"
		else
			set -- "$PAIR/mptcp-$n.pcap" "$PAIR/mptcp-$n.server.pcap"
		fi
		reinj_tool "$1" "$2" > "$T/tool"
		"$ORACLE" reinject "$1" "$2" | sort > "$T/tshark"
		[ -s "$T/tshark" ]
		diff "$T/tshark" "$T/tool"
		echo "$n: $(wc -l < "$T/tool") reinjections, $(awk '$8 == "orig"' "$T/tool" | wc -l) original first"
	done
	# mptcp-reinject: Wi-Fi held 600 ms (frames late, not lost); the phone
	# reinjected on cellular. Both copies of each range reached the server.
	reinj_tool "$PAIR/mptcp-reinject.pcap" "$PAIR/mptcp-reinject.server.pcap" > "$T/tool"
	[ "$(awk '$6 == "-" || $7 == "-"' "$T/tool" | wc -l)" -eq 0 ]
	# the hold's end, from the log, is when the held originals arrived:
	# each original that came first came after it
	hold_end=$(awk -F'\t' '$3 == "hold-end" && $5 == "up" { print $1 }' "$PAIR/mptcp-reinject.log.tsv")
	[ -n "$hold_end" ]
	awk -v h="$hold_end" '$8 == "orig" && $6 / 1e9 < h - 0.001 { bad++ } END { exit bad > 0 }' "$T/tool"
	# the records count the same: per subflow the reinjected pieces it
	# carried and how many of them arrived first
	[ "$(pick reinj < "$T/sf.tsv" | paste -sd+ | bc)" -eq "$(wc -l < "$T/tool")" ]
	[ "$(pick reinj_first < "$T/sf.tsv" | paste -sd+ | bc)" -eq "$(awk '$8 == "reinj"' "$T/tool" | wc -l)" ]
}

@test "NAT between the capture points: matched by ports and ISNs, not addresses" {
	# rewrite the server capture's client addresses (tcprewrite is not
	# installed: scapy, whose checksum fix-up is its own)
	"$PY" - "$PAIR/mptcp-delay.server.pcap" "$T/nat.pcap" <<'EOF'
import sys
from scapy.all import rdpcap, wrpcap, IP, TCP
pk = rdpcap(sys.argv[1])
for p in pk:
    if IP in p:
        for f in ("src", "dst"):
            a = getattr(p[IP], f)
            if a.startswith("192.168.1.") or a.startswith("10.0.2."):
                setattr(p[IP], f, "100.64.0." + a.split(".")[-1])
        del p[IP].chksum
        del p[TCP].chksum
wrpcap(sys.argv[2], pk)
EOF
	mptcp-pair "$PAIR/mptcp-delay.pcap" "$PAIR/mptcp-delay.server.pcap" > "$T/plain.tsv" 2> /dev/null
	mptcp-pair "$PAIR/mptcp-delay.pcap" "$T/nat.pcap" > "$T/nat.tsv" 2> /dev/null
	[ "$(pick nat < "$T/nat.tsv" | sort -u)" = 1 ]
	[ "$(pick srv_c_addr < "$T/nat.tsv" | sort -u | tr '\n' ' ')" = "100.64.0.2 " ]
	cols=sf,c_addr,dir,snd,rcv,matched,lost,owd_min,owd_p50,owd_max
	diff <(pick "$cols" < "$T/plain.tsv") <(pick "$cols" < "$T/nat.tsv")
}

@test "bad input: missing file, one capture, not a capture, captures of other traffic" {
	run --separate-stderr mptcp-pair "$PAIR/mptcp-delay.pcap" "$T/nonexistent.pcap"
	assert_failure 1
	[[ "$stderr" == *"$T/nonexistent.pcap"* ]]
	run --separate-stderr mptcp-pair "$PAIR/mptcp-delay.pcap"
	assert_failure 2
	[[ "$stderr" == *"two captures expected"* ]]
	[[ "$stderr" == *"usage: mptcp-pair"* ]]
	printf 'frame\tts\n' > "$T/records.tsv"
	run --separate-stderr mptcp-pair "$PAIR/mptcp-delay.pcap" "$T/records.tsv"
	assert_failure 1
	[[ "$stderr" == *"$T/records.tsv: not a capture file"* ]]
	run --separate-stderr mptcp-pair - "$PAIR/mptcp-delay.server.pcap" < "$PAIR/mptcp-delay.pcap"
	assert_failure 2
	[[ "$stderr" == *"read twice: give files, not standard input"* ]]
	# a truncated capture: the read error, with the frame, and exit 1
	head -c 50001 "$PAIR/mptcp-delay.pcap" > "$T/trunc.pcap"
	run --separate-stderr mptcp-pair "$T/trunc.pcap" "$PAIR/mptcp-delay.server.pcap"
	assert_failure 1
	[[ "$stderr" == *"$T/trunc.pcap: frame "*"truncated"* ]]
	run --separate-stderr mptcp-pair "$PAIR/mptcp-delay.pcap" "$PAIR/mptcp-many.server.pcap"
	assert_failure 1
	[[ "$stderr" == *"no subflow in common"* ]]
	[ -z "$output" ]
	# clocks 100 s apart, beyond the 60 s window: said, and -O mends it
	editcap -t 100 "$PAIR/mptcp-delay.server.pcap" "$T/far.pcap"
	run --separate-stderr mptcp-pair "$PAIR/mptcp-delay.pcap" "$T/far.pcap"
	assert_success
	[[ "$stderr" == *"no segment of one capture found in the other"*"give the offset with -O"* ]]
	[ "$(echo "$output" | pick matched | sort -u)" = 0 ]
	run --separate-stderr mptcp-pair -O 100 "$PAIR/mptcp-delay.pcap" "$T/far.pcap"
	assert_success
	[[ "$stderr" != *"give the offset"* ]]
	[ "$(echo "$output" | pick lost | sort -u)" = 0 ]
	editcap -t 40 "$PAIR/mptcp-delay.server.pcap" "$T/far.pcap"
	run --separate-stderr mptcp-pair "$PAIR/mptcp-delay.pcap" "$T/far.pcap"
	[[ "$stderr" == *"is near the window (-w)"* ]]
	run --separate-stderr mptcp-pair -O abc "$PAIR/mptcp-delay.pcap" "$PAIR/mptcp-delay.server.pcap"
	assert_failure 2
	run --separate-stderr mptcp-pair -e owd "$PAIR/mptcp-delay.pcap" "$PAIR/mptcp-delay.server.pcap"
	assert_success
	run --separate-stderr mptcp-pair -e owd -o - "$PAIR/mptcp-delay.pcap" "$PAIR/mptcp-delay.server.pcap"
	assert_failure 2
}

@test "plain TCP and IPv6, a capture paired with itself: every segment matched, delay 0" {
	# tcp-loss: plain TCP (no MPTCP option), Ethernet; mptcp-ipv6: MPTCP
	# over IPv6 (no IP identification in the key). tshark counts the
	# segments.
	for c in "$FIX/gen/tcp-loss.pcap" "$FIX/gen/mptcp-ipv6.pcap"; do
		want=$(tshark -n -r "$c" -Y tcp 2> /dev/null | wc -l)
		[ "$want" -gt 100 ]
		mptcp-pair "$c" "$c" > "$T/self.tsv" 2> /dev/null
		[ "$(pick snd < "$T/self.tsv" | paste -sd+ | bc)" -eq "$want" ]
		[ "$(pick matched < "$T/self.tsv" | paste -sd+ | bc)" -eq "$want" ]
		[ "$(pick lost,unsent,evicted,reinj,owd_min,owd_max,offset_est < "$T/self.tsv" | sort -u)" = \
		    "0 0 0 0 0.000 0.000 0.000000000" ]
	done
	[ -z "$(tshark -n -r "$FIX/gen/tcp-loss.pcap" -Y mptcp 2> /dev/null)" ]
	[ "$(pick ipv < "$T/self.tsv" | sort -u)" = 6 ]
}
