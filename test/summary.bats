#!/usr/bin/env bats
bats_require_minimum_version 1.5.0
# pipelines/summary over two folders analysed by pipelines/analyze, with
# groupings known from the capture names given here. Expected numbers are
# computed in the test by /usr/bin/python3 (numpy) from the filters' own
# per-connection records (the analysed tables, which analyze.bats checks
# against the filters run by hand), from the crafted captures' hand
# derivations, or from the names themselves: never from summary's output.
# Statistics computed by numpy are written as aggregate(1) writes them,
# to 12 significant digits ('%.12g'), then rounded as summary(1) says:
# seconds and fractions to 6 decimals, milliseconds to 3, bytes and
# counts to 3 when not whole.

SUMMARY=$BATS_TEST_DIRNAME/../pipelines/summary
ANALYZE=$BATS_TEST_DIRNAME/../pipelines/analyze

# Folder A (January), folder B (February); app and cond from the names:
#   A/mptcp_appA_wifi_20240101-100000_any   gen/mptcp-handover.pcap
#   A/mptcp_appA_wifi_20240102-100000_any   gen/mptcp-loss.pcap
#   A/mptcp_appB_both_20240103-100000_any   gen/mptcp-both.pcap
#   B/mptcp_appB_both_20240201-100000_any   gen/mptcp-addaddr.pcap
#   B/tcp_appA_wifi_20240202-100000_wlan0   corpus/pymptcpanalyzer-client_1_tcp_only.pcap
#   B/mptcp_appC_cell_20240203-100000_rmnet0 craft/mp-join-failed.pcap (gzipped)
setup_file() {
	load common
	local c=$BATS_FILE_TMPDIR/cap
	mkdir -p "$c/A" "$c/B"
	cp "$FIX/gen/mptcp-handover.pcap" "$c/A/mptcp_appA_wifi_20240101-100000_any.pcap"
	cp "$FIX/gen/mptcp-loss.pcap" "$c/A/mptcp_appA_wifi_20240102-100000_any.pcap"
	cp "$FIX/gen/mptcp-both.pcap" "$c/A/mptcp_appB_both_20240103-100000_any.pcap"
	cp "$FIX/gen/mptcp-addaddr.pcap" "$c/B/mptcp_appB_both_20240201-100000_any.pcap"
	cp "$FIX/corpus/pymptcpanalyzer-client_1_tcp_only.pcap" "$c/B/tcp_appA_wifi_20240202-100000_wlan0.pcap"
	gzip -c "$FIX/craft/mp-join-failed.pcap" > "$c/B/mptcp_appC_cell_20240203-100000_rmnet0.pcap.gz"
	"$ANALYZE" -j 2 -q -o "$BATS_FILE_TMPDIR/A" "$c/A"
	"$ANALYZE" -j 2 -q -o "$BATS_FILE_TMPDIR/B" "$c/B"
	cd "$BATS_FILE_TMPDIR"
	"$SUMMARY" -o S A B 2> S.err
}

setup() {
	load common
	cd "$BATS_FILE_TMPDIR"
	T=$BATS_TEST_TMPDIR
}

# value COLUMN FILE KEYCOL=VALUE...: the COLUMN of the row matching the keys
value() {
	local col=$1 f=$2
	shift 2
	awk -F'\t' -v col="$col" -v keys="$*" '
	NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; n = split(keys, k, " "); next }
	{ ok = 1; for (j = 1; j <= n; j++) { split(k[j], kv, "="); if ($c[kv[1]] != kv[2]) ok = 0 }
	  if (ok) print $c[col] }' "$f"
}

@test "summary -h; bad options are usage errors" {
	run "$SUMMARY" -h
	assert_success
	assert_output --partial "usage: summary"
	run "$SUMMARY" -s 2024 A
	assert_failure 2
	assert_output --partial "summary: -s:"
	run "$SUMMARY" -g nosuch -o "$T/x" A
	assert_failure 2
	assert_output --partial "summary: -g: no field 'nosuch'"
}

@test "captures grouped by app and cond parsed from the names" {
	# Expected: the names chosen in setup_file.
	assert_equal "$(pick mode,app,cond,count < S/captures.tsv | sort)" \
	    "$(printf '%s\n' 'mptcp appA wifi 2' 'mptcp appB both 2' 'mptcp appC cell 1' 'tcp appA wifi 1')"
	run cat S.err
	assert_output --partial "6 captures summarised in S"
	refute_output --partial "do not match"
	# the data tables carry the parsed fields
	assert_equal "$(head -1 S/data/conns.tsv | cut -f1-7)" "$(printf 'capture\tproto\tapp\tcond\tdate\ttime\tcapture_iface')"
}

@test "retransmission and reinjection overhead per group equal the sums of the connection records" {
	# Expected: python sums of tcp_rexmit/reinj/data bytes of mptcp_conns.tsv.
	local want
	want=$($PY - A B <<-'EOF'
	import csv, glob, sys
	g = {}
	for d in sys.argv[1:]:
	    for f in glob.glob(d + '/mptcp_*/mptcp_conns.tsv'):
	        app, cond = f.split('/')[1].split('_')[1:3]
	        for r in csv.DictReader(open(f), delimiter='\t'):
	            s = g.setdefault((app, cond), [0, 0, 0, 0])
	            data = int(r['c2s_data_bytes']) + int(r['s2c_data_bytes'])
	            s[0] += data
	            s[1] += int(r['c2s_tcp_rexmit_bytes']) + int(r['s2c_tcp_rexmit_bytes'])
	            if int(r['subflows_data']) >= 2:
	                s[2] += data
	                s[3] += int(r['c2s_reinj_bytes']) + int(r['s2c_reinj_bytes'])
	for k in sorted(g):
	    s = g[k]
	    print(k[0], k[1], '%.6f' % (s[1] / s[0]), '%.6f' % (s[3] / s[2]) if s[2] else '-')
	EOF
	)
	assert_equal "$(pick app,cond,rexmit_overhead,reinj_overhead < S/overhead.tsv | sort)" "$want"
	# the handover capture reinjects: appA/wifi overhead is not 0
	[ "$(value reinj_overhead S/overhead.tsv app=appA cond=wifi)" != 0.000000 ]
}

@test "Wi-Fi share and initial-subflow share equal the subflow records' byte sums" {
	# Expected: python sums over mptcp_subflows.tsv (iface from ifmatch,
	# data bytes from mptcp-metrics -s).
	local want
	want=$($PY - A B <<-'EOF'
	import csv, glob, sys
	g = {}
	for d in sys.argv[1:]:
	    for f in glob.glob(d + '/mptcp_*/mptcp_subflows.tsv'):
	        app, cond = f.split('/')[1].split('_')[1:3]
	        s = g.setdefault((app, cond), [0, 0, 0])
	        for r in csv.DictReader(open(f), delimiter='\t'):
	            b = int(r['c2s_data_bytes']) + int(r['s2c_data_bytes'])
	            s[0] += b
	            s[1] += b if r['subflow'] == '0' else 0
	            s[2] += b if r['iface'] == 'wifi' else 0
	for k in sorted(g):
	    s = g[k]
	    print(k[0], k[1], '%.6f %.6f' % (s[1] / s[0], s[2] / s[0]))
	EOF
	)
	assert_equal "$(pick app,cond,initial_share,wifi_share < S/share.tsv | sort)" "$want"
}

@test "a warning counts the connections whose Wi-Fi share rests on the default address rule" {
	# expected: python over mptcp_subflows.tsv (ifmatch's iface_rule):
	# connections with a data-carrying subflow decided by 'default', and
	# their captures; the _rmnet0 capture is decided by its file name
	local want
	want=$($PY - A B <<-'EOF'
	import csv, glob, sys
	conns, caps = set(), set()
	for d in sys.argv[1:]:
	    for f in glob.glob(d + '/mptcp_*/mptcp_subflows.tsv'):
	        for r in csv.DictReader(open(f), delimiter='\t'):
	            if r['iface_rule'] == 'default' and int(r['c2s_data_bytes']) + int(r['s2c_data_bytes']) > 0:
	                conns.add((f, r['mpconn']))
	                caps.add(f)
	        if '_rmnet0' in f:
	            assert {r['iface_rule'] for r in csv.DictReader(open(f), delimiter='\t')} == {'filename'}, f
	print(len(conns), 'MPTCP connections in', len(caps), 'captures')
	EOF
	)
	[ "${want%% *}" -gt 0 ]
	grep -F "summary: $want have Wi-Fi/cellular shares from the default address rule alone" S.err
}

@test "join delay per group: numpy median of mptcp-join -s run by hand" {
	# Expected: mptcp-join -s on the appA/wifi captures, joins that did not
	# fail, numpy.median and max of join_delay_s.
	local f want
	for f in "$BATS_FILE_TMPDIR"/cap/A/mptcp_appA_wifi_*.pcap; do mptcp-join -s "$f" | tail -n +2; done > "$T/j"
	want=$(mptcp-join -s "$f" | head -1 | cat - "$T/j" | $PY -c '
import csv, sys, numpy
v = [float(r["join_delay_s"]) for r in csv.DictReader(sys.stdin, delimiter="\t")
     if r["subflow"] != "0" and not r["status"].startswith("failed")]
print(len(v), "%.6f" % float("%.12g" % numpy.median(v)), "%.6f" % max(v))')
	assert_equal "$(pick count,median_join_delay_s,max_join_delay_s < <(awk -F'\t' 'NR == 1 || ($1 == "appA" && $2 == "wifi")' S/join_delay.tsv))" "$want"
}

@test "failed subflows: the crafted capture's two failed joins, by status" {
	# Expected: mp-join-failed.expect.tsv: 2 joins, both failed (no SYN/ACK, RST).
	assert_equal "$(value sum_joins S/failed.tsv app=appC cond=cell) $(value sum_failed_subflows S/failed.tsv app=appC cond=cell)" "2 2"
	assert_equal "$(value failed_frac S/failed.tsv app=appC cond=cell)" 1.000000
	assert_equal "$(pick app,status,count < S/failed_by_status.tsv | sort)" \
	    "$(printf '%s\n' 'appC failed_no_synack 1' 'appC failed_rst 1')"
}

@test "handover connections and subflows per connection" {
	# Expected: the handover flag of mptcp-metrics -s in the analysed tables
	# (any subflow of a connection), counted by python; subflow counts from
	# mptcp_conns.tsv.
	local want
	want=$($PY - A B <<-'EOF'
	import csv, glob, sys, collections
	ho = collections.Counter(); n = collections.Counter(); sf = collections.Counter()
	for d in sys.argv[1:]:
	    for f in glob.glob(d + '/mptcp_*/mptcp_conns.tsv'):
	        app, cond = f.split('/')[1].split('_')[1:3]
	        subs = list(csv.DictReader(open(f.replace('mptcp_conns', 'mptcp_subflows')), delimiter='\t'))
	        for r in csv.DictReader(open(f), delimiter='\t'):
	            n[app, cond] += 1
	            ho[app, cond] += any(s['handover'] == '1' for s in subs if s['mpconn'] == r['mpconn'])
	            sf[app, cond, r['subflows']] += 1
	for k in sorted(n):
	    print(k[0], k[1], n[k], ho[k])
	for k in sorted(sf):
	    print(k[0], k[1], k[2], sf[k])
	EOF
	)
	assert_equal "$( (pick app,cond,count,handover_conns < S/handover.tsv | sort; pick app,cond,subflows,count < S/subflows.tsv | sort))" "$want"
	assert_equal "$(value handover_conns S/handover.tsv app=appA cond=wifi)" 1
}

@test "ACK sizes per direction: subflow ACKs vs DATA_ACKs of the same connections, counts, sums and medians" {
	# Expected: numpy over the analysed event tables of appA/wifi: the TCP
	# ACKs (tcp_ack.tsv) of the subflows (mptcp_subflows.tsv's conn) in
	# the MPTCP direction (reversed when role is server), the DATA_ACKs
	# (mptcp_dack.tsv), the TCP capture's ACKs; ACKs of 0 bytes and the
	# first DATA_ACK ('-') left out
	local want
	want=$($PY - <<-'EOF'
	import csv, glob, numpy
	def rows(f):
	    return list(csv.DictReader(open(f), delimiter='\t'))
	flip = {'c2s': 's2c', 's2c': 'c2s'}
	v = {}
	for f in glob.glob('A/mptcp_appA_*/tcp_ack.tsv') + glob.glob('B/tcp_appA_*/tcp_ack.tsv'):
	    sub = {r['conn']: r['role'] for r in rows(f.replace('tcp_ack', 'mptcp_subflows'))} \
	        if 'mptcp_' in f else {}
	    for r in rows(f):
	        if r['acked_bytes'] == '-' or int(r['acked_bytes']) == 0:
	            continue
	        if r['conn'] in sub:
	            k = ('subflow', flip[r['dir']] if sub[r['conn']] == 'server' else r['dir'])
	        else:
	            k = ('tcp', r['dir'])
	        v.setdefault(k, []).append(int(r['acked_bytes']))
	for f in glob.glob('A/mptcp_appA_*/mptcp_dack.tsv'):
	    for r in rows(f):
	        if r['bytes'] != '-' and int(r['bytes']) > 0:
	            v.setdefault(('data_ack', r['dir']), []).append(int(r['bytes']))
	def fmt(x):
	    x = float(x)
	    return str(int(x)) if x.is_integer() else '%.12g' % x
	for k in sorted(v):
	    print(k[0], k[1], len(v[k]), sum(v[k]), fmt(numpy.median(v[k])))
	EOF
	)
	[ "$(wc -l <<< "$want")" -ge 5 ] || fail "too few levels and directions: $want"
	assert_equal "$(awk -F'\t' 'NR == 1 || ($3 == "appA" && $4 == "wifi")' S/ack_sizes.tsv |
	    pick level,dir,count,sum_bytes,median_bytes | sort)" "$want"
}

@test "ACK size and when plots, per event and byte-weighted: each group's points from the data tables" {
	# Expected: python over summary's data tables acks.tsv and when.tsv
	# (whose rows the tests around check against the event tables): per
	# group (n = its rows with a value), the values sorted, each with i/n
	# then (max, 1) (aggregate -c), or with the running sum of the bytes
	# over their total (-w bytes), to 6 decimals
	local p col grp w
	for p in "ack_sizes_cdf acks bytes level,dir -" "ack_sizes_bytes_cdf acks bytes level,dir bytes" \
	    "when_cdf when at_frac level,kind -" \
	    "when_bytes_cdf when at_frac level,kind bytes"; do
		set -- $p
		$PY - "$2" "$3" "$4" "$5" > "$T/want" <<-'EOF'
		import csv, sys
		table, col, grp, w = sys.argv[1:]
		g = {}
		for r in csv.DictReader(open('S/data/%s.tsv' % table), delimiter='\t'):
		    if r[col] == '-':
		        continue
		    k = tuple(r[c] for c in grp.split(',')) + (r['app'], r['cond'])
		    g.setdefault(k, []).append((float(r[col]), int(r[w]) if w != '-' else 1))
		for k in sorted(g):
		    v = sorted(g[k])
		    print('# %s (n=%d)' % (' / '.join(k), len(v)))
		    if w == '-':
		        pts = [(x, i / len(v)) for i, (x, _) in enumerate(v)] + [(v[-1][0], 1.0)]
		    else:
		        tot, run, pts = sum(b for _, b in v), 0, []
		        for x, b in v:
		            run += b
		            pts.append((x, run / tot))
		    for x, y in pts:
		        print('%.6f %.6f' % (x, y))
		EOF
		awk '/^# / { print; next } NF == 2 { printf "%.6f %.6f\n", $1, $2 }' "S/plots/$1.dat" > "$T/got"
		[ "$(grep -c '^# ' "$T/want")" -ge 3 ] || fail "$1: too few groups"
		[ "$1" != ack_sizes_bytes_cdf ] || grep -q '^# subflow / c2s / appA / wifi' "$T/got" || fail "no subflow ACKs"
		# the blocks in sorted order of their group, points in order
		assert_equal "$(awk '/^# / { k = $0; next } { print k " | " $0 }' "$T/got" | sort -s -t '|' -k1,1)" \
		    "$(awk '/^# / { k = $0; next } { print k " | " $0 }' "$T/want")"
	done
}

@test "when retransmissions and reinjections happen: counts, bytes and median places from the event tables" {
	# Expected: numpy over the analysed tables: per retransmission with
	# bytes sent before (tcp_rexmit.tsv) its time since the start of its
	# connection over the duration, a subflow's in its MPTCP connection
	# (mptcp_conns.tsv start_ts, duration_s), another's in its TCP
	# connection (tcp_conns.tsv first_ts, duration_s); per reinjection
	# (mptcp_reinject.tsv) the same in its MPTCP connection
	local want
	want=$($PY - <<-'EOF'
	import csv, glob, numpy
	from decimal import Decimal as D
	def rows(f):
	    try:
	        return list(csv.DictReader(open(f), delimiter='\t'))
	    except FileNotFoundError:
	        return []
	v, nb = {}, {}
	for d in glob.glob('[AB]/*_*'):
	    app, cond = d.split('/')[1].split('_')[1:3]
	    sub = {r['conn']: r['mpconn'] for r in rows(d + '/mptcp_subflows.tsv')}
	    mp = {r['mpconn']: (D(r['start_ts']), D(r['duration_s'])) for r in rows(d + '/mptcp_conns.tsv')}
	    tc = {r['conn']: (D(r['first_ts']), D(r['duration_s'])) for r in rows(d + '/tcp_conns.tsv')}
	    ev = [('mptcp', mp[sub[r['conn']]], 'rexmit', r['ts'], r['bytes']) if r['conn'] in sub else
	          ('tcp', tc[r['conn']], 'rexmit', r['ts'], r['bytes'])
	          for r in rows(d + '/tcp_rexmit.tsv') if int(r['bytes']) > 0]
	    ev += [('mptcp', mp[r['mpconn']], 'reinject', r['ts'], r['len']) for r in rows(d + '/mptcp_reinject.tsv')]
	    for lv, (st, du), kind, ts, b in ev:
	        k = (lv, kind, app, cond)
	        v.setdefault(k, [])
	        nb[k] = nb.get(k, 0) + int(b)
	        if du > 0:
	            v[k].append(round(float((D(ts) - st) / du), 6))
	for k in sorted(v):
	    m = float(numpy.median(v[k]))
	    print(' '.join(k), len(v[k]), nb[k], '%.6f' % float('%.12g' % m))
	EOF
	)
	[ "$(wc -l <<< "$want")" -ge 3 ] || fail "too few groups: $want"
	grep -q '^mptcp reinject' <<< "$want" || fail "no reinjection: $want"
	assert_equal "$(pick level,kind,app,cond,placed,sum_bytes,median_at_frac < S/when.tsv |
	    awk '{ $7 = sprintf("%.6f", $7); print }' | sort)" "$want"
}

@test "connection duration: per-group count and median of the connection records" {
	# Expected: numpy.median of duration_s of mptcp_conns.tsv / tcp_conns.tsv.
	local want
	want=$($PY - <<-'EOF'
	import csv, glob, numpy
	def fmt(x):
	    return '%.6f' % float('%.12g' % x)
	m = [float(r['duration_s']) for f in glob.glob('A/mptcp_appA_wifi_*/mptcp_conns.tsv')
	     for r in csv.DictReader(open(f), delimiter='\t')]
	t = [float(r['duration_s']) for f in glob.glob('B/tcp_appA_wifi_*/tcp_conns.tsv')
	     for r in csv.DictReader(open(f), delimiter='\t')]
	print('mptcp', len(m), fmt(numpy.median(m)))
	print('tcp', len(t), fmt(numpy.median(t)))
	EOF
	)
	assert_equal "$(awk -F'\t' 'NR == 1 || ($2 == "appA" && $3 == "wifi")' S/duration_bytes.tsv | pick level,count,median_duration_s | sort)" "$want"
}

@test "RTT difference (-d c2s): worst - best subflow mean RTT with 3+ samples" {
	# Expected: per MPTCP connection, c2s_rtt_avg_ms of its subflows' TCP
	# connections (tcp_conns.tsv, joined on conn) with c2s_rtt_n >= 3;
	# max - min when two or more, by python.
	"$SUMMARY" -q -d c2s -o "$T/S" A B 2> /dev/null
	local want
	want=$($PY - A B <<-'EOF'
	import csv, glob, sys
	out = []
	for d in sys.argv[1:]:
	    for f in sorted(glob.glob(d + '/mptcp_*/mptcp_subflows.tsv')):
	        tcp = {r['conn']: r for r in csv.DictReader(open(f.replace('mptcp_subflows', 'tcp_conns')), delimiter='\t')}
	        per = {}
	        for s in csv.DictReader(open(f), delimiter='\t'):
	            t = tcp[s['conn']]
	            dr = 'c2s' if s['role'] == 'client' else 's2c'
	            if t[dr + '_rtt_n'] != '-' and int(t[dr + '_rtt_n']) >= 3:
	                per.setdefault(s['mpconn'], []).append(float(t[dr + '_rtt_avg_ms']))
	        for m, v in sorted(per.items()):
	            if len(v) >= 2:
	                out.append('%s %s %.3f' % (f.split('/')[1], m, max(v) - min(v)))
	print('\n'.join(sorted(out)))
	EOF
	)
	[ -n "$want" ]
	assert_equal "$(pick capture,mpconn,rtt_diff_ms < "$T/S/data/mptcp.tsv" | awk '$3 != "-"' | sed 's|^[AB]/||' | sort)" "$want"
}

@test "start and stop dates select captures; -g cond regroups" {
	# Expected: the dates in the names chosen in setup_file.
	"$SUMMARY" -q -s 20240201 -o "$T/feb" A B 2> "$T/err"
	assert_equal "$(tail -n +2 "$T/feb/data/captures.tsv" | wc -l)" 3
	grep -q '3 captures (3 outside the dates) summarised' "$T/err"
	"$SUMMARY" -q -s 20240101-120000 -e 20240201 -g cond -o "$T/mid" A B 2> /dev/null
	assert_equal "$(pick name < "$T/mid/data/captures.tsv" | sort)" \
	    "$(printf '%s\n' mptcp_appA_wifi_20240102-100000_any.pcap mptcp_appB_both_20240103-100000_any.pcap mptcp_appB_both_20240201-100000_any.pcap)"
	assert_equal "$(head -1 "$T/mid/overhead.tsv" | cut -f1-2)" "$(printf 'cond\tcount')"
}

@test "a name pattern of one's own (-r, -F)" {
	"$SUMMARY" -q -r '^([a-z]+)_([a-zA-Z]+)_' -F proto,app -g proto,app -o "$T/re" A B 2> "$T/err"
	assert_equal "$(pick proto,app,count < "$T/re/captures.tsv" | sort)" \
	    "$(printf '%s\n' 'mptcp appA 2' 'mptcp appB 2' 'mptcp appC 1' 'tcp appA 1')"
}

@test "plots: a non-empty PNG per CDF listed in the index, with its data file" {
	local p n=0
	for p in $(tail -n +2 S/index.tsv | cut -f4 | tr ',' ' '); do
		[ -s "S/$p" ] || fail "empty plot $p"
		file "S/$p" | grep -q 'PNG image data' || fail "$p is not a PNG"
		[ -s "S/${p%.png}.dat" ] || fail "no data beside $p"
		n=$((n + 1))
	done
	[ "$n" -ge 10 ]
	# every table of the index exists with a header and a row
	for p in $(tail -n +2 S/index.tsv | cut -f3); do
		[ "$(wc -l < "S/$p")" -ge 2 ] || fail "table $p is empty"
	done
}

# The per-direction interface sums of the analysed tables, by python:
# per MPTCP connection (mptcp_conns.tsv) and MPTCP direction, its
# subflows' (mptcp_subflows.tsv) data packets and bytes by iface, and the
# rexmit_pkts of their TCP connections (tcp_conns.tsv) in the TCP
# direction that carries it (reversed on a subflow the server opened).
# Prints "app cond dir" then the values of each connection, as python
# literals, one connection per line.
share_dir_conns() {
	$PY - A B <<-'EOF'
	import csv, glob, sys
	def rows(f):
	    return list(csv.DictReader(open(f), delimiter='\t'))
	def n(v):
	    return 0 if v == '-' else int(v)
	for d in sys.argv[1:]:
	    for f in sorted(glob.glob(d + '/mptcp_*/mptcp_conns.tsv')):
	        app, cond = f.split('/')[1].split('_')[1:3]
	        subs = rows(f.replace('mptcp_conns', 'mptcp_subflows'))
	        tcp = {r['conn']: r for r in rows(f.replace('mptcp_conns', 'tcp_conns'))}
	        for m in rows(f):
	            for dr in ('c2s', 's2c'):
	                v = {k + '_' + x: 0 for k in ('wifi', 'cell', 'other') for x in ('pkts', 'bytes', 'rx')}
	                for s in subs:
	                    if s['mpconn'] != m['mpconn']:
	                        continue
	                    k = {'wifi': 'wifi', 'cellular': 'cell'}.get(s['iface'], 'other')
	                    td = dr if s['role'] == 'client' else {'c2s': 's2c', 's2c': 'c2s'}[dr]
	                    v[k + '_pkts'] += n(s[dr + '_data_pkts'])
	                    v[k + '_bytes'] += n(s[dr + '_data_bytes'])
	                    v[k + '_rx'] += n(tcp[s['conn']][td + '_rexmit_pkts'])
	                print(app, cond, dr, repr(v))
	EOF
}

@test "per-direction Wi-Fi/cellular shares, 0% and 100% cellular connections, retransmitted packets per interface" {
	# Expected: python sums and ratios over share_dir_conns (the analysed
	# tables), every column of share_dir.tsv compared by name.
	local cols want
	cols=app,cond,dir,count,data_conns,cell_0pct_conns,cell_100pct_conns,sum_data_pkts,sum_wifi_pkts,sum_cell_pkts,sum_other_pkts,wifi_pkt_share,cell_pkt_share,sum_data_bytes,sum_wifi_bytes,sum_cell_bytes,sum_other_bytes,wifi_byte_share,cell_byte_share,sum_wifi_rexmit_pkts,sum_cell_rexmit_pkts,wifi_rexmit_rate,cell_rexmit_rate
	share_dir_conns > "$T/conns"
	[ "$(wc -l < "$T/conns")" -ge 10 ]
	want=$($PY - "$T/conns" <<-'EOF'
	import ast, sys
	g = {}
	for line in open(sys.argv[1]):
	    app, cond, dr, v = line.split(' ', 3)
	    g.setdefault((app, cond, dr), []).append(ast.literal_eval(v))
	def r(a, b):
	    return '%.6f' % (a / b) if b else '-'
	for k in sorted(g):
	    c = g[k]
	    S = lambda x: sum(v[x] for v in c)
	    data = [v for v in c if v['wifi_bytes'] + v['cell_bytes'] + v['other_bytes'] > 0]
	    pk, by = S('wifi_pkts') + S('cell_pkts') + S('other_pkts'), S('wifi_bytes') + S('cell_bytes') + S('other_bytes')
	    print(*k, len(c), len(data), sum(v['cell_bytes'] == 0 for v in data),
	          sum(v['cell_bytes'] == v['wifi_bytes'] + v['cell_bytes'] + v['other_bytes'] for v in data),
	          pk, S('wifi_pkts'), S('cell_pkts'), S('other_pkts'), r(S('wifi_pkts'), pk), r(S('cell_pkts'), pk),
	          by, S('wifi_bytes'), S('cell_bytes'), S('other_bytes'), r(S('wifi_bytes'), by), r(S('cell_bytes'), by),
	          S('wifi_rx'), S('cell_rx'), r(S('wifi_rx'), S('wifi_pkts')), r(S('cell_rx'), S('cell_pkts')))
	EOF
	)
	assert_equal "$(pick "$cols" < S/share_dir.tsv | sort)" "$want"
	# the fixtures reach both counts and a retransmission on Wi-Fi
	[ "$(value cell_100pct_conns S/share_dir.tsv app=appC cond=cell dir=c2s)" = 1 ]
	[ "$(value cell_0pct_conns S/share_dir.tsv app=appB cond=both dir=s2c)" = 2 ]
	[ "$(value sum_wifi_rexmit_pkts S/share_dir.tsv app=appA cond=wifi dir=c2s)" -gt 0 ]
}

@test "per-direction cellular share plots: the points of each connection's share, legends with n" {
	# Expected: per group and direction the sorted per-connection shares
	# of share_dir_conns (connections with data), y = i/n, then (max, 1)
	# (aggregate(1)'s CDF), the legend "app / cond / dir (n=N)".
	local p
	share_dir_conns > "$T/conns"
	for p in cell_byte_share_cdf:bytes cell_pkt_share_cdf:pkts; do
		grep -q "plots/${p%:*}.png" S/index.tsv || fail "${p%:*} not in the index"
		file "S/plots/${p%:*}.png" | grep -q 'PNG image data' || fail "${p%:*}: no PNG"
		$PY - "$T/conns" "${p#*:}" "${p%:*}" > "$T/want.json" <<-'EOF'
		import ast, json, sys
		g = {}
		for line in open(sys.argv[1]):
		    app, cond, dr, v = line.split(' ', 3)
		    v = ast.literal_eval(v)
		    x = sys.argv[2]
		    tot = v['wifi_' + x] + v['cell_' + x] + v['other_' + x]
		    if tot:
		        g.setdefault('%s / %s / %s' % (app, cond, dr), []).append(round(v['cell_' + x] / tot, 6))
		want = {}
		for k, vals in g.items():
		    vals.sort()
		    want['%s (n=%d)' % (k, len(vals))] = [(x, i / len(vals)) for i, x in enumerate(vals)] + [(vals[-1], 1.0)]
		json.dump({sys.argv[3]: want}, sys.stdout)
		EOF
		dat_points "S/plots/${p%:*}.dat" "$T/want.json" "${p%:*}" || fail "${p%:*}.dat"
	done
}

# rtt_oracle OUT: from the analysed tables, by python: OUT.iface and
# OUT.conn the rows expected in rtt_iface.tsv and rtt_conn.tsv, OUT.json
# the expected points of the two RTT plots by legend entry. A subflow's
# RTT in an MPTCP direction: the rtt_avg_ms of its TCP connection in the
# TCP direction that carries it (reversed on a subflow the server
# opened), counted with 3 samples or more.
rtt_oracle() {
	$PY - "$1" A B <<-'EOF'
	import csv, glob, json, sys, numpy
	out = sys.argv[1]
	def rows(f):
	    return list(csv.DictReader(open(f), delimiter='\t'))
	def ms(v):
	    return '%.3f' % v
	sf, cn = {}, {}
	for d in sys.argv[2:]:
	    for f in sorted(glob.glob(d + '/mptcp_*/mptcp_conns.tsv')):
	        app, cond = f.split('/')[1].split('_')[1:3]
	        subs = rows(f.replace('mptcp_conns', 'mptcp_subflows'))
	        tcp = {r['conn']: r for r in rows(f.replace('mptcp_conns', 'tcp_conns'))}
	        for dr in ('c2s', 's2c'):
	            per = {}
	            for s in subs:
	                k = s['iface'] if s['iface'] in ('wifi', 'cellular') else 'other'
	                td = dr if s['role'] == 'client' else {'c2s': 's2c', 's2c': 'c2s'}[dr]
	                t = tcp.get(s['conn'])
	                v = float(t[td + '_rtt_avg_ms']) if t and t[td + '_rtt_n'] != '-' and int(t[td + '_rtt_n']) >= 3 else None
	                sf.setdefault((app, cond, dr, k), []).append(v)
	                if v is not None:
	                    per.setdefault(s['mpconn'], []).append((v, k))
	            for m in rows(f):
	                n, a = m[dr + '_rtt_n'], m[dr + '_rtt_avg_ms']
	                got = per.get(m['mpconn'], [])
	                best = min(got, key=lambda x: x[0]) if got else None
	                cn.setdefault((app, cond, dr), []).append({
	                    'mptcp': float(a) if n != '-' and int(n) >= 3 else None,
	                    'best': float(ms(best[0])) if best else None,
	                    'wifi': min([v for v, k in got if k == 'wifi'], default=None),
	                    'cell': min([v for v, k in got if k == 'cellular'], default=None),
	                    'known': len(got) >= 2, 'bk': best[1] if best else None})
	def stats(v, fns):
	    return [ms(f(v)) if v else '-' for f in fns]
	pct = lambda p: lambda v: numpy.percentile(v, p)
	with open(out + '.iface', 'w') as o:
	    for k in sorted(sf):
	        v = [x for x in sf[k] if x is not None]
	        print(*k, len(sf[k]), len(v), *stats(v, [min, numpy.median, pct(90), numpy.mean, max]), file=o)
	def share(a, b):
	    return '%.6f' % (a / b) if b else '-'
	with open(out + '.conn', 'w') as o:
	    for k in sorted(cn):
	        c = cn[k]
	        col = lambda x: [r[x] for r in c if r[x] is not None]
	        kn = [r for r in c if r['known']]
	        bw, bc = sum(r['bk'] == 'wifi' for r in kn), sum(r['bk'] == 'cellular' for r in kn)
	        print(*k, len(c), len(col('mptcp')), *stats(col('mptcp'), [numpy.median, pct(90)]),
	              len(col('best')), *stats(col('best'), [numpy.median, pct(90)]),
	              *stats(col('wifi'), [numpy.median]), *stats(col('cell'), [numpy.median]),
	              len(kn), bw, bc, share(bw, len(kn)), share(bc, len(kn)), file=o)
	def cdf(v):
	    v = sorted(v)
	    return [(x, i / len(v)) for i, x in enumerate(v)] + [(v[-1], 1.0)]
	pts = {'rtt_iface_cdf': {}, 'rtt_mptcp_tcp_cdf': {}}
	for k, v in sf.items():
	    v = [x for x in v if x is not None]
	    if v:
	        # the legend names the interface: Wi-Fi, cellular, unknown
	        lab = k[:-1] + ({'wifi': 'Wi-Fi', 'cellular': 'cellular'}.get(k[-1], 'unknown'),)
	        pts['rtt_iface_cdf']['%s (n=%d)' % (' / '.join(lab), len(v))] = cdf(v)
	for k, c in cn.items():
	    for x, label in (('mptcp', 'MPTCP (DATA_ACK)'), ('best', 'TCP, best subflow')):
	        v = [r[x] for r in c if r[x] is not None]
	        if v:
	            pts['rtt_mptcp_tcp_cdf']['%s, %s (n=%d)' % (' / '.join(k), label, len(v))] = cdf(v)
	json.dump(pts, open(out + '.json', 'w'))
	EOF
}

@test "RTT per interface and direction, MPTCP vs TCP RTT, the interface of the best-RTT subflow" {
	# Expected: rtt_oracle (python, numpy over the analysed tables), every
	# column of rtt_iface.tsv and rtt_conn.tsv compared by name.
	rtt_oracle "$T/rtt"
	[ "$(wc -l < "$T/rtt.iface")" -ge 8 ]
	assert_equal "$(pick app,cond,dir,iface,count,rtt_subflows,min_rtt_ms,median_rtt_ms,p90_rtt_ms,mean_rtt_ms,max_rtt_ms < S/rtt_iface.tsv | sort)" \
	    "$(sort "$T/rtt.iface")"
	assert_equal "$(pick app,cond,dir,count,mptcp_rtt_conns,median_mptcp_rtt_ms,p90_mptcp_rtt_ms,best_rtt_conns,median_best_rtt_ms,p90_best_rtt_ms,median_wifi_rtt_ms,median_cell_rtt_ms,best_known_conns,best_wifi_conns,best_cell_conns,best_wifi_share,best_cell_share < S/rtt_conn.tsv | sort)" \
	    "$(sort "$T/rtt.conn")"
	# the fixtures reach a best subflow on Wi-Fi with both interfaces measured
	[ "$(value best_wifi_conns S/rtt_conn.tsv app=appA cond=wifi dir=c2s)" -ge 1 ]
	[ "$(value median_cell_rtt_ms S/rtt_conn.tsv app=appA cond=wifi dir=c2s)" != - ]
}

@test "RTT plots: per-interface subflow RTTs and MPTCP vs TCP, the points of each group, legends with n" {
	# Expected: rtt_oracle's points (y = i/n, then (max, 1)) per legend entry.
	local p
	rtt_oracle "$T/rtt"
	for p in rtt_iface_cdf rtt_mptcp_tcp_cdf; do
		grep -q "plots/$p.png" S/index.tsv || fail "$p not in the index"
		file "S/plots/$p.png" | grep -q 'PNG image data' || fail "$p: no PNG"
		dat_points "S/plots/$p.dat" "$T/rtt.json" "$p" || fail "$p.dat"
	done
}

# overhead_oracle DIR...: per app, cond and flows (multi: 2 subflows or
# more with data) the rows expected in overhead_thresholds.tsv, by python
# over mptcp_conns.tsv of the folders; thresholds on exact fractions
overhead_oracle() {
	$PY - "$@" <<-'EOF'
	import csv, glob, sys
	from fractions import Fraction
	g = {}
	for d in sys.argv[1:]:
	    for f in glob.glob(d + '/mptcp_*/mptcp_conns.tsv'):
	        app, cond = f.split('/')[-2].split('_')[1:3]
	        for r in csv.DictReader(open(f), delimiter='\t'):
	            n = lambda k: sum(0 if r[x + k] == '-' else int(r[x + k]) for x in ('c2s_', 's2c_'))
	            k = (app, cond, 'multi' if int(r['subflows_data']) >= 2 else 'single')
	            g.setdefault(k, []).append((n('data_bytes'), n('tcp_rexmit_bytes'), n('reinj_bytes')))
	def ratio(a, b):
	    return '%.6f' % (a / b) if b else '-'
	for k in sorted(g):
	    c = g[k]
	    data = [x for x in c if x[0] > 0]
	    S = lambda i: sum(x[i] for x in c)
	    thr = lambda i: [sum(x[i] > 0 for x in data)] + [sum(Fraction(x[i], x[0]) >= p for x in data)
	                                                    for p in (Fraction(1, 5), Fraction(1, 2))]
	    print(*k, len(c), len(data), S(0), S(1), S(2), ratio(S(1), S(0)), ratio(S(2), S(0)), *thr(1), *thr(2))
	EOF
}

OVH_COLS=app,cond,flows,count,data_conns,sum_data_bytes,sum_rexmit_bytes,sum_reinj_bytes,rexmit_overhead,reinj_overhead,rexmit_gt0_conns,rexmit_ge20_conns,rexmit_ge50_conns,reinj_gt0_conns,reinj_ge20_conns,reinj_ge50_conns

@test "overhead thresholds, single- vs multi-flow: the analysed captures' connection records" {
	# Expected: overhead_oracle over the analysed tables.
	local want
	want=$(overhead_oracle A B)
	[ "$(wc -l <<< "$want")" -ge 3 ]
	assert_equal "$(pick "$OVH_COLS" < S/overhead_thresholds.tsv | sort)" "$want"
	[ "$(value reinj_gt0_conns S/overhead_thresholds.tsv app=appA cond=wifi flows=multi)" -ge 1 ]
}

@test "overhead thresholds reached: connection records edited to 20% and 50% and more" {
	# An analysed folder copied under another name, its MPTCP connection's
	# bytes set by hand: of 1000000 data bytes, 1/5 retransmitted
	# (exactly the threshold), 3/5 reinjected; a
	# second one renamed single-flow with 1/2 retransmitted. Expected:
	# overhead_oracle over the edited tables.
	local src=A/mptcp_appA_wifi_20240101-100000_any d
	for d in mptcp_appD_lossy_20240301-100000_any mptcp_appD_lossy_20240302-100000_any; do
		mkdir -p "$T/X/$d"
		cp "$src"/*.tsv "$T/X/$d/"
		sed -i "2s/^[^\t]*\t[^\t]*\t/$d\t$d.pcap\t/" "$T/X/$d/manifest.tsv"
	done
	$PY - "$T/X" <<-'EOF'
	import csv, sys
	def edit(f, frac_rx, frac_rj, single):
	    rows = list(csv.reader(open(f), delimiter='\t'))
	    h = {c: i for i, c in enumerate(rows[0])}
	    for r in rows[1:]:
	        r[h['c2s_data_bytes']], r[h['s2c_data_bytes']] = '600000', '400000'
	        data = 1000000
	        r[h['c2s_tcp_rexmit_bytes']], r[h['s2c_tcp_rexmit_bytes']] = str(data * frac_rx[0] // frac_rx[1]), '0'
	        r[h['c2s_reinj_bytes']], r[h['s2c_reinj_bytes']] = '0', str(data * frac_rj[0] // frac_rj[1])
	        if single:
	            r[h['subflows_data']] = '1'
	    csv.writer(open(f, 'w'), delimiter='\t', lineterminator='\n').writerows(rows)
	d = sys.argv[1]
	edit(d + '/mptcp_appD_lossy_20240301-100000_any/mptcp_conns.tsv', (1, 5), (3, 5), False)
	edit(d + '/mptcp_appD_lossy_20240302-100000_any/mptcp_conns.tsv', (1, 2), (0, 1), True)
	EOF
	"$SUMMARY" -q -o "$T/S" "$T/X" 2> /dev/null
	assert_equal "$(pick "$OVH_COLS" < "$T/S/overhead_thresholds.tsv" | sort)" "$(overhead_oracle "$T/X")"
	assert_equal "$(pick flows,rexmit_ge20_conns,rexmit_ge50_conns,reinj_ge50_conns < "$T/S/overhead_thresholds.tsv" | sort)" \
	    "$(printf '%s\n' 'multi 1 0 1' 'single 1 1 0')"
}

@test "overhead plots, single- vs multi-flow: the points of each connection's fractions, legends with n" {
	# Expected: per app, cond and flows the sorted per-connection
	# fractions of mptcp_conns.tsv (python), y = i/n, then (max, 1).
	local p
	for p in rexmit_frac_flows_cdf:tcp_rexmit_bytes reinj_frac_flows_cdf:reinj_bytes; do
		grep -q "plots/${p%:*}.png" S/index.tsv || fail "${p%:*} not in the index"
		file "S/plots/${p%:*}.png" | grep -q 'PNG image data' || fail "${p%:*}: no PNG"
		$PY - "${p%:*}" "${p#*:}" A B > "$T/want.json" <<-'EOF'
		import csv, glob, json, sys
		g = {}
		for d in sys.argv[3:]:
		    for f in glob.glob(d + '/mptcp_*/mptcp_conns.tsv'):
		        app, cond = f.split('/')[1].split('_')[1:3]
		        for r in csv.DictReader(open(f), delimiter='\t'):
		            n = lambda k: sum(0 if r[x + k] == '-' else int(r[x + k]) for x in ('c2s_', 's2c_'))
		            fl = 'multi' if int(r['subflows_data']) >= 2 else 'single'
		            if n('data_bytes'):
		                g.setdefault('%s / %s / %s' % (app, cond, fl), []).append(round(n(sys.argv[2]) / n('data_bytes'), 6))
		want = {}
		for k, v in g.items():
		    v.sort()
		    want['%s (n=%d)' % (k, len(v))] = [(x, i / len(v)) for i, x in enumerate(v)] + [(v[-1], 1.0)]
		json.dump({sys.argv[1]: want}, sys.stdout)
		EOF
		dat_points "S/plots/${p%:*}.dat" "$T/want.json" "${p%:*}" || fail "${p%:*}.dat"
	done
}

# conn_oracle DIR...: one line per connection of the analysed folders, by
# python over their connection tables (mptcp_conns.tsv of MPTCP captures,
# tcp_conns.tsv of TCP ones; the subflows' ifmatch labels for the
# interfaces): level app cond data_bytes duration_s rtt_ms wifi_bytes
# cell_bytes cell_share, the mean RTT that of all samples of both
# directions (each direction's mean times its samples), '-' under 3
conn_oracle() {
	$PY - "$@" <<-'EOF'
	import csv, glob, os, sys
	def rows(f):
	    return list(csv.DictReader(open(f), delimiter='\t')) if os.path.exists(f) else []
	n = lambda v: 0 if v == '-' else int(v)
	def rtt(r):
	    k = [(int(r[d + '_rtt_n']), float(r[d + '_rtt_avg_ms'])) for d in ('c2s', 's2c')
	         if r[d + '_rtt_n'] != '-' and r[d + '_rtt_avg_ms'] != '-']
	    c = sum(x for x, _ in k)
	    return '%.3f' % (sum(x * a for x, a in k) / c) if c >= 3 else '-'
	for d in sys.argv[1:]:
	    for f in sorted(glob.glob(d + '/*/manifest.tsv')):
	        cap = os.path.dirname(f)
	        level, app, cond = os.path.basename(cap).split('_')[:3]
	        if level == 'mptcp':
	            on = {}
	            for s in rows(cap + '/mptcp_subflows.tsv'):
	                k = s['iface'] if s['iface'] in ('wifi', 'cellular') else 'other'
	                o = on.setdefault(s['mpconn'], {'wifi': 0, 'cellular': 0, 'other': 0})
	                o[k] += n(s['c2s_data_bytes']) + n(s['s2c_data_bytes'])
	            conns = [(r, on.get(r['mpconn'], {'wifi': 0, 'cellular': 0, 'other': 0}))
	                     for r in rows(cap + '/mptcp_conns.tsv')]
	        else:
	            conns = []
	            for r in rows(cap + '/tcp_conns.tsv'):
	                o = {'wifi': 0, 'cellular': 0, 'other': 0}
	                o[r['iface'] if r['iface'] in o else 'other'] = n(r['c2s_data_bytes']) + n(r['s2c_data_bytes'])
	                conns.append((r, o))
	        for r, o in conns:
	            tot = sum(o.values())
	            print(level, app, cond, n(r['c2s_data_bytes']) + n(r['s2c_data_bytes']), r['duration_s'], rtt(r),
	                  o['wifi'], o['cellular'], '%.6f' % (o['cellular'] / tot) if tot else '-')
	EOF
}

# completion_oracle L DIR...: per level, app and cond the rows expected
# in completion.tsv: the connections with L data bytes or more, numpy's
# percentiles of their durations (6 decimals), min and median of bytes
completion_oracle() {
	local l=$1
	shift
	conn_oracle "$@" > "$BATS_TEST_TMPDIR/conns.oracle"
	$PY - "$l" "$BATS_TEST_TMPDIR/conns.oracle" <<-'EOF'
	import sys, numpy as np
	g = {}
	for line in open(sys.argv[-1]):
	    lv, app, cond, b, dur = line.split()[:5]
	    if int(b) >= int(sys.argv[1]):
	        g.setdefault((lv, app, cond), []).append((float(dur), int(b)))
	for k in sorted(g):
	    d = np.array([x for x, _ in g[k]])
	    b = np.array([y for _, y in g[k]])
	    q = ['%.6f' % float('%.12g' % x) for x in (d.min(), *np.percentile(d, [25, 50, 75]), d.max(), d.mean())]
	    m = np.median(b)
	    print(*k, len(d), *q, b.min(), '%.12g' % m)
	EOF
}

COMPL_COLS=level,app,cond,count,min_duration_s,p25_duration_s,median_duration_s,p75_duration_s,max_duration_s,mean_duration_s,min_data_bytes,median_data_bytes

@test "completion time of large connections: quartiles per level and group as numpy computes them, -L 1M by default" {
	# Expected: completion_oracle over the analysed tables; 1M is 10^6
	local want
	want=$(completion_oracle 1000000 A B)
	[ "$(wc -l <<< "$want")" -eq 2 ]
	assert_equal "$(pick "$COMPL_COLS" < S/completion.tsv | sort)" "$want"
	grep -q $'^completion\t.*\tcompletion.tsv\tplots/completion_box.png$' S/index.tsv
	# -L: the threshold, data bytes at it count (650016 is a connection's)
	"$SUMMARY" -q -L 650016 -o "$T/S" A B 2> /dev/null
	want=$(completion_oracle 650016 A B)
	assert_equal "$(pick "$COMPL_COLS" < "$T/S/completion.tsv" | sort)" "$want"
	assert_equal "$(value count "$T/S/completion.tsv" level=mptcp app=appB cond=both)" 1
	"$SUMMARY" -q -L 650017 -o "$T/S" A B 2> /dev/null
	assert_equal "$(value count "$T/S/completion.tsv" level=mptcp app=appB cond=both)" ''
	assert_equal "$(pick "$COMPL_COLS" < "$T/S/completion.tsv" | sort)" "$(completion_oracle 650017 A B)"
	"$SUMMARY" -q -L 600k -o "$T/S" A B 2> /dev/null
	assert_equal "$(pick "$COMPL_COLS" < "$T/S/completion.tsv" | sort)" "$(completion_oracle 600000 A B)"
	# no float noise: whole numbers or at most 6 decimals
	run awk -F'\t' 'FNR > 1 { for (i = 4; i <= NF; i++) if ($i !~ /^[0-9]+(\.[0-9]+)?$/ || length($i) - index($i ".", ".") > 6) print $i }' \
	    S/completion.tsv "$T/S/completion.tsv"
	assert_output ''
	# bad -L: usage errors
	for l in 1x M 1k5 -5 1.5M; do
		run "$SUMMARY" -q -L "$l" -o "$T/S" A B
		assert_failure 2
		assert_output --partial "summary: -L:"
	done
}

@test "completion box plot: the boxes hold numpy's quartiles, legends with n, the script re-runs in its folder" {
	# Expected: per level / app / cond numpy's min, quartiles, max of the
	# durations of the connections of 1M data bytes or more
	local want
	conn_oracle A B > "$T/conns"
	want=$($PY - "$T/conns" <<-'EOF'
	import sys, numpy as np
	g = {}
	for line in open(sys.argv[-1]):
	    lv, app, cond, b, dur = line.split()[:5]
	    if int(b) >= 1000000:
	        g.setdefault('%s / %s / %s' % (lv, app, cond), []).append(float(dur))
	for k in sorted(g):
	    d = np.array(g[k])
	    print(k, *('%.6f' % float('%.12g' % x) for x in (d.min(), *np.percentile(d, [25, 50, 75]), d.max())), len(d))
	EOF
	)
	file S/plots/completion_box.png | grep -q 'PNG image data' || fail "no PNG"
	assert_equal "$(awk -F'\t' '/^# / { g = substr($0, 3); next }
	    NF == 7 { printf "%s", g; for (i = 2; i <= 6; i++) printf " %.6f", $i; print " " $7 }' S/plots/completion_box.dat | sort)" "$want"
	while read -r lv _ app _ cond n; do
		grep -q "title '$lv / $app / $cond (n=${n##* })'" S/plots/completion_box.gp || fail "no legend for $lv $app $cond"
	done < <(awk '{ print $1, "/", $3, "/", $5, $NF }' <<< "$want")
	grep -q "set ylabel 'completion time: first to last packet (s)'" S/plots/completion_box.gp
	# the script re-runs in its folder, moved
	mkdir "$T/p"
	cp S/plots/completion_box.gp S/plots/completion_box.dat "$T/p/"
	(cd "$T/p" && gnuplot completion_box.gp)
	file "$T/p/completion_box.png" | grep -q 'PNG image data' || fail "no PNG from the moved script"
}

@test "conn_size.tsv: per level and group the sums, medians and shares of the connections with data" {
	# Expected: python/numpy over conn_oracle's per-connection rows
	local want
	conn_oracle A B > "$T/conns"
	want=$($PY - "$T/conns" <<-'EOF'
	import sys, numpy as np
	g = {}
	for line in open(sys.argv[-1]):
	    lv, app, cond, b, dur, rtt, w, c, sh = line.split()
	    if int(b) > 0:
	        g.setdefault((lv, app, cond), []).append((int(b), float(dur), rtt, int(w), int(c)))
	for k in sorted(g):
	    v = g[k]
	    b = np.array([x[0] for x in v])
	    r = [float(x[2]) for x in v if x[2] != '-']
	    m = np.median(b)
	    S = lambda i: sum(x[i] for x in v)
	    print(*k, len(v), b.sum(), int(m) if m == int(m) else '%.3f' % m, b.max(), '%.6f' % float('%.12g' % np.median([x[1] for x in v])),
	          len(r), '%.3f' % float('%.12g' % np.median(r)) if r else '-', S(3), S(4), '%.6f' % (S(4) / b.sum()))
	EOF
	)
	[ "$(wc -l <<< "$want")" -ge 3 ]
	assert_equal "$(pick level,app,cond,count,sum_data_bytes,median_data_bytes,max_data_bytes,median_duration_s,rtt_conns,median_rtt_ms,sum_wifi_bytes,sum_cell_bytes,cell_share < S/conn_size.tsv | sort)" "$want"
	grep -q $'^conn_size\t.*\tconn_size.tsv\tplots/wifi_cell_scatter.png,plots/duration_bytes_scatter.png,plots/rtt_bytes_scatter.png,plots/cell_share_bytes_scatter.png$' S/index.tsv
}

@test "scatter plots: each connection's point per group, legends with n, log axes where the values span decades" {
	# Expected: conn_oracle's connections with data; x and y compared as
	# numbers, per group, in any order
	local p
	conn_oracle A B > "$T/conns"
	for p in wifi_cell_scatter:mptcp:6:7 duration_bytes_scatter:all:3:4 rtt_bytes_scatter:all:3:5 cell_share_bytes_scatter:mptcp:3:8; do
		IFS=: read -r name pop xi yi <<< "$p"
		file "S/plots/$name.png" | grep -q 'PNG image data' || fail "$name: no PNG"
		$PY - "S/plots/$name.dat" "$T/conns" "$pop" "$xi" "$yi" "S/plots/$name.gp" <<-'EOF' || fail "$name"
		import sys
		dat, conns, pop, xi, yi, gp = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
		want = {}
		for line in open(conns):
		    f = line.split()
		    if int(f[3]) == 0 or (pop == 'mptcp' and f[0] != 'mptcp') or f[xi] == '-' or f[yi] == '-':
		        continue
		    k = ' / '.join(f[1:3] if pop == 'mptcp' else f[0:3])
		    want.setdefault(k, []).append((float(f[xi]), float(f[yi])))
		got, cur = {}, None
		for line in open(dat):
		    if line.startswith('# '):
		        cur = line[2:].rstrip('\n')
		        got[cur] = []
		    elif line.strip():
		        a, b = line.split('\t')
		        got[cur].append((float(a), float(b)))
		assert sorted(got) == sorted(want), (sorted(got), sorted(want))
		for k in want:
		    assert sorted(got[k]) == sorted(want[k]), (k, got[k], want[k])
		script = open(gp).read()
		for k in want:
		    assert "title '%s (n=%d)'" % (k, len(want[k])) in script, k
		# the axes logarithmic where the values span 2 decades, all above 0
		xs = [x for v in want.values() for x, _ in v]
		ys = [y for v in want.values() for _, y in v]
		if 'wifi_cell' in gp:
		    xs = ys = xs + ys
		for ax, v in (('x', xs), ('y', ys)):
		    lg = min(v) > 0 and max(v) >= 100 * min(v) and not ('cell_share' in gp and ax == 'y')
		    assert (('set logscale %s\n' % ax) in script) == lg, (ax, lg)
		EOF
	done
	grep -q "x with lines dashtype 2 .*title 'y = x'" S/plots/wifi_cell_scatter.gp
	grep -qx 'set yrange \[-0.05:1.05\]' S/plots/cell_share_bytes_scatter.gp
	# the scripts re-run in their folder, moved
	mkdir "$T/p"
	cp S/plots/*_scatter.gp S/plots/*_scatter.dat "$T/p/"
	for p in "$T"/p/*.gp; do
		(cd "$T/p" && gnuplot "${p##*/}") || fail "$p"
	done
	[ "$(ls "$T"/p/*_scatter.png | wc -l)" -eq 4 ]
}

@test "second subflow's join delay: numpy over the analysed subflow tables, counts within 200 ms and 1 s" {
	# Expected: subflow 1 of each MPTCP connection (not failed) in the
	# analysed mptcp_subflows.tsv, per app and cond, by python and numpy
	local want
	want=$($PY - A B <<-'EOF'
	import csv, glob, sys, collections, numpy
	v = collections.defaultdict(list)
	for d in sys.argv[1:]:
	    for f in glob.glob(d + '/mptcp_*/mptcp_subflows.tsv'):
	        app, cond = f.split('/')[1].split('_')[1:3]
	        for r in csv.DictReader(open(f), delimiter='\t'):
	            if r['subflow'] == '1' and not r['status'].startswith('failed'):
	                v[app, cond].append(float(r['join_delay_s']))
	for k in sorted(v):
	    x = v[k]
	    print(k[0], k[1], len(x), '%.6f' % float('%.12g' % numpy.median(x)), sum(j <= 0.2 for j in x), sum(j <= 1 for j in x))
	EOF
	)
	[ -n "$want" ]
	assert_equal "$(pick app,cond,count,median_join_delay_s,within_200ms,within_1s < S/join_delay_second.tsv | sort)" "$want"
	[ -s S/plots/join_delay_second_cdf.png ]
}

@test "path manager and handover reaction per group: derive-ref.py's pm and pmevents of each capture, summed" {
	# Expected: the independent Python oracle (test/ref/derive-ref.py) on
	# each analysed MPTCP capture's tables, its rows summed per app and cond
	local want
	want=$($PY - "$TOP/test/ref/derive-ref.py" A B <<-'EOF'
	import csv, glob, io, subprocess, sys, collections
	ref, dirs = sys.argv[1], sys.argv[2:]
	pm = collections.defaultdict(lambda: [0, 0, 0, 0, 0])
	ho = collections.defaultdict(list)
	def rec(r, d):
	    args = ['/usr/bin/python3', ref, r, '-s', d + '/mptcp_subflows.tsv', '-m', d + '/mptcp_conns.tsv',
	            '-a', d + '/mptcp_addr.tsv']
	    return list(csv.DictReader(io.StringIO(subprocess.run(args, capture_output=True, text=True,
	                check=True).stdout), delimiter='\t'))
	for top in dirs:
	    for d in sorted(glob.glob(top + '/mptcp_*')):
	        app, cond = d.split('/')[1].split('_')[1:3]
	        for r in rec('pm', d):
	            p = pm[app, cond]
	            p[0] += 1; p[1] += int(r['joins']); p[2] += int(r['joins_refused'])
	            p[3] += int(r['handovers']); p[4] += int(r['handovers_mbb'])
	        for r in rec('pmevents', d):
	            if r['event'] == 'handover':
	                ho[app, cond, r['what']].append(r['duration_s'])
	for k in sorted(pm):
	    print(k[0], k[1], *pm[k])
	for k in sorted(ho):
	    print(k[0], k[1], k[2], len(ho[k]), '%.6f' % max(float(x) for x in ho[k]))
	EOF
	)
	[ -n "$want" ]
	assert_equal "$( (pick app,cond,count,sum_joins,sum_joins_refused,sum_handovers,sum_handovers_mbb < S/pm.tsv | sort
	    pick app,cond,what,count,max_duration_s < S/handover_reaction.tsv | sort))" "$want"
	# the handover capture has one (gen/mptcp-handover: Wi-Fi dropped)
	[ "$(value sum_handovers S/pm.tsv app=appA cond=wifi)" -ge 1 ]
	grep -q '^pm	' S/index.tsv
	grep -q '^handover_reaction	' S/index.tsv
}

# burst_oracle OUT: from the analysed tables, by python: per app, cond and
# direction the bursts of mptcp_bursts.tsv (their bytes and packets, the
# connections), per class of the direction's unique bytes (mptcp_conns)
# the connections with a burst, their bursts and bytes; OUT.sizes,
# OUT.shape the rows expected, OUT.json the points of the plots
burst_oracle() {
	$PY - "$1" A B <<-'EOF'
	import csv, glob, json, sys, numpy
	out = sys.argv[1]
	def rows(f):
	    return list(csv.DictReader(open(f), delimiter='\t'))
	def klass(ub):
	    for top, name in ((1e4, '<10kB'), (1e5, '10kB-100kB'), (1e6, '100kB-1MB'), (1e7, '1MB-10MB')):
	        if ub < top:
	            return name
	    return '>=10MB'
	by, conn = {}, {}
	for d in sys.argv[2:]:
	    for f in sorted(glob.glob(d + '/mptcp_*/mptcp_bursts.tsv')):
	        app, cond = f.split('/')[1].split('_')[1:3]
	        ub = {(m['mpconn'], x): int(m[x + '_unique_bytes']) if m[x + '_unique_bytes'] != '-' else 0
	              for m in rows(f.replace('mptcp_bursts', 'mptcp_conns')) for x in ('c2s', 's2c')}
	        for e in rows(f):
	            by.setdefault((app, cond, e['dir']), []).append((int(e['bytes']), int(e['pkts']), f, e['mpconn']))
	            c = conn.setdefault((app, cond, e['dir'], klass(ub[e['mpconn'], e['dir']]), f, e['mpconn']), [0, 0, 0])
	            c[0] += 1; c[1] += int(e['bytes']); c[2] += int(e['pkts'])
	# aggregate's 12 digits, then summary(1)'s rounding: counts and bytes
	# to 3 decimals when not whole
	def r3(v):
	    return str(int(v)) if float(v).is_integer() else '%.3f' % float('%.12g' % v)
	with open(out + '.sizes', 'w') as o:
	    for k in sorted(by):
	        b = [x[0] for x in by[k]]; p = [x[1] for x in by[k]]
	        print(*k, len(b), len({x[2:] for x in by[k]}), r3(numpy.median(b)), max(b),
	              r3(numpy.median(p)), max(p), file=o)
	shape = {}
	for k, c in conn.items():
	    shape.setdefault(k[:4], []).append(c)
	with open(out + '.shape', 'w') as o:
	    for k in sorted(shape):
	        s = shape[k]
	        n, nb, nby = len(s), sum(c[0] for c in s), sum(c[1] for c in s)
	        print(*k, n, nb, nby, '%.6f' % (nby / nb), r3(numpy.median([c[1] / c[0] for c in s])), file=o)
	pts = {'burst_bytes_ccdf': {}, 'burst_pkts_cdf': {}}
	for k, v in by.items():
	    lab = '%s (n=%d)' % (' / '.join(k), len(v))
	    b = sorted(x[0] for x in v); p = sorted(x[1] for x in v)
	    pts['burst_bytes_ccdf'][lab] = [(x, 1 - i / len(b)) for i, x in enumerate(b)]
	    pts['burst_pkts_cdf'][lab] = [(x, i / len(p)) for i, x in enumerate(p)] + [(p[-1], 1.0)]
	json.dump(pts, open(out + '.json', 'w'))
	EOF
}

# dat_points DAT JSON NAME: the points of DAT by legend entry are those of
# JSON[NAME]
dat_points() {
	$PY - "$@" <<-'EOF'
	import json, sys
	want = json.load(open(sys.argv[2]))[sys.argv[3]]
	got, cur = {}, None
	for line in open(sys.argv[1]):
	    if line.startswith('# '):
	        cur = line[2:].rstrip('\n')
	        got[cur] = []
	    elif line.strip():
	        a, b = line.split()
	        got[cur].append((float(a), float(b)))
	assert sorted(got) == sorted(want), (sorted(got), sorted(want))
	for k in want:
	    assert len(got[k]) == len(want[k]), (k, len(got[k]), len(want[k]))
	    for (a, b), (c, d) in zip(got[k], want[k]):
	        assert abs(a - c) < 1e-9 and abs(b - d) < 1e-9, (k, a, b, c, d)
	EOF
}

@test "burst sizes and shapes per group: numpy over the analysed burst events and connection sizes" {
	burst_oracle "$T/b"
	[ -s "$T/b.sizes" ] && [ -s "$T/b.shape" ]
	assert_equal "$(pick app,cond,dir,bursts,conns,median_bytes,max_bytes,median_pkts,max_pkts < S/burst_sizes.tsv | sort)" \
	    "$(sort "$T/b.sizes")"
	assert_equal "$(pick app,cond,dir,size_class,count,sum_bursts,sum_burst_bytes,bytes_per_burst,median_burst_bytes_mean < S/burst_shape.tsv | sort)" \
	    "$(sort "$T/b.shape")"
	# a burst of many packets: mappings are not packets
	[ "$(awk '$9 > 100' "$T/b.sizes" | wc -l)" -ge 1 ]
	grep -q '^burst_sizes	.*plots/burst_bytes_cdf.png,plots/burst_bytes_ccdf.png,plots/burst_pkts_cdf.png$' S/index.tsv
	grep -q '^burst_shape	.*plots/bursts_class_box.png,plots/burst_mean_class_box.png$' S/index.tsv
}

@test "burst plots: the CCDF of bytes and the CDF of packets per burst hold each burst's point, legends with n" {
	burst_oracle "$T/b"
	local p
	for p in burst_bytes_ccdf burst_pkts_cdf; do
		file "S/plots/$p.png" | grep -q 'PNG image data' || fail "$p: no PNG"
		dat_points "S/plots/$p.dat" "$T/b.json" "$p" || fail "$p.dat"
	done
	grep -qx 'set logscale y' S/plots/burst_bytes_ccdf.gp
	grep -qx 'set logscale x' S/plots/burst_bytes_ccdf.gp
	# the box plots: a box per group, direction and size class, n in the legend
	assert_equal "$(grep -c '^# ' S/plots/bursts_class_box.dat)" "$(wc -l < "$T/b.shape")"
	grep -q 'appA / wifi / c2s / 100kB-1MB (n=2)' S/plots/bursts_class_box.gp
}

@test "switches per MB: connection records edited to 2 MB, the burst record's rate per group and its CDF" {
	# the handover capture's folder, its connection's c2s unique bytes set
	# to 2000000: its c2s switches (mptcp_conns.tsv) over 2 MB
	local src=A/mptcp_appA_wifi_20240101-100000_any d=mptcp_appE_big_20240401-100000_any sw want
	mkdir -p "$T/X/$d"
	cp "$src"/*.tsv "$T/X/$d/"
	sed -i "2s/^[^\t]*\t[^\t]*\t/$d\t$d.pcap\t/" "$T/X/$d/manifest.tsv"
	awk -F'\t' -v OFS='\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i } NR > 1 { $c["c2s_unique_bytes"] = 2000000 } 1' \
	    "$src/mptcp_conns.tsv" > "$T/X/$d/mptcp_conns.tsv"
	sw=$(pick c2s_switches < "$T/X/$d/mptcp_conns.tsv")
	[ "$sw" -ge 2 ]
	want=$($PY -c "print('%.6f' % ($sw / 2))")
	"$SUMMARY" -o "$T/S" "$T/X" 2> /dev/null
	assert_equal "$(pick dir,per_mb_conns,median_switches_per_mb < "$T/S/bursts.tsv")" "$(printf 'c2s 1 %s\ns2c 0 -' "$want")"
	# the CDF's points (aggregate's numbers): the one rate, 0 then 1
	assert_equal "$(grep -v '^#' "$T/S/plots/switches_per_mb_cdf.dat" | grep . | awk -v w="$want" '{ print ($1 == w + 0), $2 }' | paste -sd ' ')" "1 0 1 1"
	grep -q '^# appE / big / c2s (n=1)$' "$T/S/plots/switches_per_mb_cdf.dat"
}

@test "unused subflows per group: python over the analysed subflow and burst tables, derive-ref.py's best-RTT flags" {
	local want
	want=$($PY - "$TOP/test/ref/derive-ref.py" A B <<-'EOF'
	import csv, glob, io, subprocess, sys, collections
	ref, dirs = sys.argv[1], sys.argv[2:]
	def rows(f):
	    return list(csv.DictReader(open(f), delimiter='\t'))
	def ns(v):
	    s, _, f = v.partition('.')
	    return int(s) * 10**9 + int((f + '000000000')[:9])
	g = collections.defaultdict(lambda: [0] * 8)
	for top in dirs:
	    for d in sorted(glob.glob(top + '/mptcp_*')):
	        app, cond = d.split('/')[1].split('_')[1:3]
	        sfs = rows(d + '/mptcp_subflows.tsv')
	        last = {}
	        for e in rows(d + '/mptcp_bursts.tsv'):
	            last[e['mpconn']] = max(last.get(e['mpconn'], 0), ns(e['start_ts']))
	        args = ['/usr/bin/python3', ref, 'unused', '-t', d + '/tcp_conns.tsv', '-s', d + '/mptcp_subflows.tsv',
	                '-m', d + '/mptcp_conns.tsv', '-e', d + '/mptcp_bursts.tsv']
	        best = {r['mpconn']: r for r in csv.DictReader(io.StringIO(subprocess.run(args, capture_output=True,
	                text=True, check=True).stdout), delimiter='\t')}
	        for m in rows(d + '/mptcp_conns.tsv'):
	            x = g[app, cond]
	            mine = [s for s in sfs if s['mpconn'] == m['mpconn']]
	            x[0] += 1
	            x[1] += len(mine)
	            x[2] += sum(1 for s in mine if all(s[k] in ('0', '-') for k in ('c2s_data_bytes', 's2c_data_bytes')))
	            x[3] += sum(1 for s in mine if s['close'] == 'rst' or s['close'].startswith('tcprst_')
	                        or s['status'] == 'failed_rst' or s['status'].startswith('failed_tcprst_'))
	            x[4] += sum(1 for s in mine if '1' in (s['backup_initial'], s['backup']))
	            x[5] += sum(1 for s in mine if m['mpconn'] in last and s['start_ts'] != '-'
	                        and ns(s['start_ts']) > last[m['mpconn']])
	            b = best[m['mpconn']]
	            x[6] += b['best_rtt_no_data'] != '-'
	            x[7] += b['best_rtt_no_data'] == '1'
	for k in sorted(g):
	    x = g[k]
	    print(k[0], k[1], *x[:3], '%.6f' % (x[2] / x[1]), x[3], x[4], x[5], '%.6f' % (x[5] / x[1]), x[6], x[7])
	EOF
	)
	[ -n "$want" ]
	assert_equal "$(pick app,cond,count,sum_subflows,sum_no_data,no_data_share,sum_ended_rst,sum_backup,sum_after_last_burst,after_last_burst_share,best_rtt_conns,sum_best_rtt_no_data < S/unused.tsv | sort)" \
	    "$want"
	# the crafted capture's two failed joins came after its one burst
	assert_equal "$(value sum_after_last_burst S/unused.tsv app=appC cond=cell)" 2
	# the plot: per group the connections of 2 subflows or more, n in the legend
	grep -q '^unused	.*plots/no_data_cdf.png$' S/index.tsv
	grep -q '^# appC / cell (n=1)$' S/plots/no_data_cdf.dat
	assert_equal "$(sed -n '/^# appC/,/^$/p' S/plots/no_data_cdf.dat | grep -v '^#' | grep . | cut -f1 | sort -u)" 2
}
