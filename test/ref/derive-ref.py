#!/usr/bin/python3
"""Independent reference for mptcp-derive: the derived per-connection
metrics, written from the definitions in man/mptcp-derive.1 with the csv
module and Python's own arithmetic and "%.6f" formatting. Shares no code
with filters/mptcp-derive.c (nor with the awk summary had before).

  derive-ref.py RECORD [-d c2s|s2c] [-b c2s|s2c|both] [-t TCP] [-s SF] [-m MP] [-a ADDR] [-k SOCKS]
                [-e BURSTS]

Writes the record as TSV, header first, on standard output.
"""
import argparse
import csv
import sys

HEAD = {
    'conn': 'level id duration_s c2s_bytes s2c_bytes bytes',
    'subflow': 'mpconn subflow conn role iface status join_delay_s handover '
               'c2s_data_bytes s2c_data_bytes rtt_n rtt_avg_ms join_200ms join_1s',
    'mptcp': 'mpconn status duration_s bytes data_bytes subflows subflows_data '
             'subflows_established joins failed_subflows rexmit_bytes rexmit_frac '
             'multi_data_bytes reinj_bytes reinj_frac initial_bytes initial_share '
             'wifi_bytes cell_bytes other_bytes wifi_share cell_share rtt_best_ms '
             'rtt_worst_ms rtt_diff_ms handover',
    'burst': 'mpconn dir unique_bytes duration_s bursts switches switch_freq_hz switches_per_mb '
             'size_class burst_bytes burst_pkts burst_bytes_mean burst_pkts_mean',
    'burstsize': 'mpconn dir burst first subflow size_class duration_s mappings pkts bytes',
    'unused': 'mpconn subflows no_data ended_rst backup after_last_burst rtt_subflows '
              'best_rtt_no_data best_rtt_least',
    'default': 'mpconn',
    'share': 'mpconn wifi_bytes cellular_bytes unknown_bytes total_bytes '
             'wifi_share cellular_share unknown_share',
    'share_dir': 'mpconn dir data_pkts data_bytes wifi_pkts cell_pkts other_pkts '
                 'wifi_bytes cell_bytes other_bytes wifi_byte_share cell_byte_share '
                 'wifi_pkt_share cell_pkt_share cell_none cell_all '
                 'wifi_rexmit_pkts cell_rexmit_pkts other_rexmit_pkts',
    'sfrtt': 'mpconn subflow conn iface dir rtt_n rtt_avg_ms rtt_ms',
    'rtt': 'mpconn dir mptcp_rtt_n mptcp_rtt_avg_ms mptcp_rtt_ms rtt_subflows '
           'wifi_rtt_ms cell_rtt_ms best_rtt_ms best_iface best_known best_wifi best_cell',
    'overhead': 'mpconn flows data_bytes rexmit_bytes reinj_bytes rexmit_frac reinj_frac '
                'rexmit_gt0 rexmit_ge20 rexmit_ge50 reinj_gt0 reinj_ge20 reinj_ge50',
    'size': 'level id duration_s data_bytes bytes wifi_bytes cell_bytes other_bytes '
            'cell_share rtt_n rtt_ms',
    'socks': 'conn ipv socks_atyp socks_addr socks_port socks_ok pkts data_bytes',
    'pm': 'mpconn subflows joins joins_refused joins_tcprst joins_rst joins_no_synack joins_no_ack '
          'tcprst_reasons add_addr add_addr_joined join_latency_min_s join_latency_median_s '
          'join_latency_max_s rm_addr max_concurrent ended_fin ended_rst ended_tcprst '
          'ended_fastclose ended_none life_max_s handovers handovers_mbb handovers_bbm bbm_gap_max_s',
    'pmevents': 'mpconn ts event subflow peer what addr port addr_id reason duration_s concurrent',
    'ack': 'level id dir bytes',
    'when': 'level id kind class dir ts bytes at_s at_frac',
}

# ---- the path-manager timeline (pm, pmevents), from the definitions of
# mptcp-derive(1), by brute force over the rows: every search a scan, no
# sorted look-up, times as integer nanoseconds parsed from the text

TCPRST = ['unspecified', 'mptcp_error', 'no_resources', 'prohibited', 'outstanding_data',
          'performance', 'middlebox']


class PM:
    digits = 6

    @classmethod
    def ns(cls, v):
        whole, _, frac = v.partition('.')
        if len(frac) > 6:
            cls.digits = 9
        return int(whole or 0) * 10**9 + int((frac + '000000000')[:9])

    @classmethod
    def dur(cls, ns):
        if ns is None:
            return '-'
        q = 10 ** (9 - cls.digits)
        return '%d.%0*d' % (ns // 10**9, cls.digits, (ns % 10**9) // q)


def pm_code(s, prefix):
    """N of PREFIXN (1 to 3 digits, at most 255), else None."""
    import re
    if s.startswith(prefix) and re.fullmatch('[0-9]{1,3}', s[len(prefix):]):
        v = int(s[len(prefix):])
        return v if v <= 255 else None
    return None


def pm_timeline(sfs, ads):
    """(events, sums) of one connection: sfs its subflow rows, ads its
    add_addr and rm_addr rows, in table order."""
    ts = PM.ns
    sf = []
    for r in sfs:
        d = {'i': int(r['subflow']), 'role': r['role'], 'syn': r['handshake'] != '-',
             'start': ts(r['start_ts']), 'end': ts(r['end_ts']), 'status': r['status'],
             'close': r['close'], 'addr': r['s_addr'], 'sport': r['s_port'], 'cport': r['c_port'],
             'ho': r['handover'] == '1'}
        d['failed'] = d['status'].startswith('failed')
        d['life'] = max(d['end'] - d['start'], 0)
        firsts = [ts(r[x + '_first_data_ts']) for x in ('c2s', 's2c')
                  if r[x + '_first_data_ts'] != '-' and r[x + '_last_data_ts'] != '-']
        lasts = [ts(r[x + '_last_data_ts']) for x in ('c2s', 's2c')
                 if r[x + '_first_data_ts'] != '-' and r[x + '_last_data_ts'] != '-']
        # data: a direction with both times; the first and last over
        # every time given
        f_all = [ts(r[x + '_first_data_ts']) for x in ('c2s', 's2c') if r[x + '_first_data_ts'] != '-']
        l_all = [ts(r[x + '_last_data_ts']) for x in ('c2s', 's2c') if r[x + '_last_data_ts'] != '-']
        d['data'] = bool(firsts)
        d['first'] = min(f_all) if f_all else None
        d['last'] = max(l_all) if l_all else None
        acks = [ts(r[x + '_last_ack_ts']) for x in ('c2s', 's2c') if r[x + '_last_ack_ts'] != '-']
        d['silent'] = min(acks) if acks else None
        # a join that carried no data and failed or was reset
        d['refused'] = d['i'] > 0 and not d['data'] and (
            d['failed'] or d['close'] == 'rst' or pm_code(d['close'], 'tcprst_') is not None)
        d['usable'] = not d['failed'] and not d['refused']
        sf.append(d)
    sf.sort(key=lambda d: d['i'])
    ev, lat = [], []
    s = {'add_addr': 0, 'joined': 0, 'rm_addr': 0}
    anns = []  # (side, addr, port, join)
    for seq, a in enumerate(ads):
        t = ts(a['ts'])
        side = a['dir']
        if a['event'] == 'rm_addr':
            s['rm_addr'] += 1
            ev.append([t, 1, int(a['subflow']), seq, None, side, '-', '-', a['addr_id'], '-', None, None])
            continue
        port = a['port']
        if port == '-':
            carrier = [x for x in sf if x['i'] == int(a['subflow'])]
            if carrier:
                x = carrier[0]
                client_end = x['role'] == 'client'  # the MPTCP client is the TCP client
                port = x['cport'] if (side == 'c2s') == client_end else x['sport']
            else:
                port = None
        same = [n for n in anns if n[0] == side and n[1] == a['addr'] and n[2] == port]
        if same and (same[-1][3] is None or same[-1][3]['start'] > t):
            continue
        opener = 'server' if side == 'c2s' else 'client'
        cands = [x for x in sf if x['i'] > 0 and x['syn'] and x['role'] == opener and x['addr'] == a['addr']
                 and (port is None or x['sport'] == port) and x['start'] >= t]
        j = min(cands, key=lambda x: (x['start'], x['i'])) if cands else None
        anns.append((side, a['addr'], port, j))
        s['add_addr'] += 1
        if j:
            s['joined'] += 1
            lat.append(j['start'] - t)
        ev.append([t, 0, int(a['subflow']), seq, j['i'] if j else None, side, a['addr'],
                   port if port is not None else '-', a['addr_id'], '-',
                   j['start'] - t if j else None, None])
    n = len(ads)
    for k, x in enumerate(sf):
        ended = 'none' if x['close'] == '-' else x['close']
        c1 = pm_code(x['status'], 'failed_tcprst_')
        c2 = pm_code(x['close'], 'tcprst_')
        name = lambda c: '-' if c is None else TCPRST[c] if c < len(TCPRST) else 'other'
        ev.append([x['start'], 2, x['i'], n + 2 * k, None, x['status'], x['addr'], x['sport'], '-', name(c1),
                   x['life'], x])
        ev.append([x['start'] + x['life'], 4, x['i'], n + 2 * k + 1, None, ended, x['addr'], x['sport'], '-',
                   name(c2), x['life'], x])
    ho = []
    for k, x in enumerate(sf):
        if not x['data'] or not (x['ho'] or x['close'] == 'rst' or pm_code(x['close'], 'tcprst_') is not None):
            continue
        brk = min(v for v in (x['last'], x['silent']) if v is not None)
        after = [y for y in sf if y is not x and y['data'] and y['last'] > brk]
        if not after:
            continue
        y = min(after, key=lambda y: (y['first'], y['i']))
        mbb = y['first'] <= brk
        ho.append(('mbb' if mbb else 'bbm', brk - y['first'] if mbb else y['first'] - brk))
        ev.append([brk, 3, x['i'], n + 2 * len(sf) + k, y['i'], 'mbb' if mbb else 'bbm', '-', '-', '-', '-',
                   ho[-1][1], None])
    ev.sort(key=lambda e: (e[0], e[1], e[2], e[3]))
    conc = mx = 0
    for e in ev:
        x = e[11]
        if x is not None and x['usable']:
            conc += 1 if e[1] == 2 else -1
        e[11] = conc
        mx = max(mx, conc)
    joins = [x for x in sf if x['i'] > 0]
    refused = [x for x in sf if x['refused']]
    reasons, why = {}, {'tcprst': 0, 'rst': 0, 'no_synack': 0, 'no_ack': 0}
    for x in refused:
        c = pm_code(x['status'], 'failed_tcprst_')
        c = pm_code(x['close'], 'tcprst_') if c is None else c
        if c is not None:
            reasons[c] = reasons.get(c, 0) + 1
            why['tcprst'] += 1
        elif 'failed_rst' == x['status'] or x['close'] == 'rst':
            why['rst'] += 1
        elif x['status'] == 'failed_no_synack':
            why['no_synack'] += 1
        else:
            why['no_ack'] += 1
    lat.sort()
    med = None
    if lat:
        h = len(lat) // 2
        med = lat[h] if len(lat) % 2 else (lat[h - 1] + lat[h]) // 2
    closes = [x['close'] for x in sf]
    lives = [x['life'] for x in sf if x['usable']]
    bbm = [g for kd, g in ho if kd == 'bbm']
    row = [len(sf), len(joins), len(refused), why['tcprst'], why['rst'], why['no_synack'], why['no_ack'],
           ','.join('%d:%d' % (c, reasons[c]) for c in sorted(reasons)) or '-',
           s['add_addr'], s['joined'], PM.dur(lat[0] if lat else None), PM.dur(med),
           PM.dur(lat[-1] if lat else None), s['rm_addr'], mx,
           closes.count('fin'), closes.count('rst'),
           sum(1 for c in closes if pm_code(c, 'tcprst_') is not None),
           closes.count('fastclose'), closes.count('-'),
           PM.dur(max(lives) if lives else None), len(ho), len(ho) - len(bbm), len(bbm),
           PM.dur(max(bbm) if bbm else None)]
    names = ['add_addr', 'rm_addr', 'open', 'handover', 'end']
    evrows = [[PM.dur(e[0]), names[e[1]], e[2], '-' if e[4] is None else e[4], e[5], e[6], e[7], e[8],
               e[9], PM.dur(e[10]), e[11]] for e in ev]
    return evrows, row


def pm_records(record, sfs, ads, mps):
    by_sf, by_ad = {}, {}
    for r in sfs:
        if r['start_ts'] != '-':
            by_sf.setdefault(r['mpconn'], []).append(r)
    for r in ads:
        if r['event'] in ('add_addr', 'rm_addr'):
            by_ad.setdefault(r['mpconn'], []).append(r)
    # every timestamp read first: the precision of the durations
    for r in [r for lst in by_sf.values() for r in lst] + [r for lst in by_ad.values() for r in lst]:
        for k, v in r.items():
            if (k == 'ts' or k.endswith('_ts')) and v not in ('-', None):
                PM.ns(v)
    out = []
    for m in mps:
        ev, row = pm_timeline(by_sf.get(m['mpconn'], []), by_ad.get(m['mpconn'], []))
        if record == 'pm':
            out.append([m['mpconn']] + row)
        else:
            out.extend([m['mpconn']] + e for e in ev)
    return out


# ---- bursts and unused subflows, from mptcp-derive(1)'s definitions

def size_class(ub):
    """The decade of a direction's unique bytes, kB = 1000 bytes."""
    for top, name in ((10**4, '<10kB'), (10**5, '10kB-100kB'), (10**6, '100kB-1MB'), (10**7, '1MB-10MB')):
        if ub < top:
            return name
    return '>=10MB'


def burst_sums(evs):
    """(mpconn, dir) -> [bursts, bytes, packets] of the burst events."""
    sums = {}
    for e in evs:
        x = sums.setdefault((e['mpconn'], e['dir']), [0, 0, 0])
        x[0] += 1
        x[1] += int(e['bytes'])
        x[2] += int(e['pkts'])
    return sums


def burst_extra(r, d, est, evs, has_ev):
    """The burst record's columns after switch_freq_hz."""
    ub, sw = b(r[d + '_unique_bytes']), r[d + '_switches']
    per_mb = '%.6f' % (int(sw) / (ub / 10**6)) if ub >= 10**6 and est >= 2 and sw != '-' else '-'
    if not has_ev:
        return [per_mb, size_class(ub), '-', '-', '-', '-']
    n, by, pk = evs.get((r['mpconn'], d), [0, 0, 0])
    mean = lambda v: '%.3f' % (v / n) if n else '-'
    return [per_mb, size_class(ub), by, pk, mean(by), mean(pk)]


def burstsize_rows(evs, mps):
    ub = {m['mpconn']: m for m in mps}
    out = []
    for e in evs:
        m = ub.get(e['mpconn'])
        cls = size_class(b(m[e['dir'] + '_unique_bytes'])) if m else '-'
        out.append([e['mpconn'], e['dir'], e['burst'], int(int(e['burst']) == 1), e['subflow'], cls,
                    e['duration_s'], e['mappings'],
                    e['pkts'], e['bytes']])
    return out


def unused_rows(mps, sfs, tcp, evs, rdir):
    last = {}
    for e in evs:
        t = PM.ns(e['start_ts'])
        last[e['mpconn']] = max(last.get(e['mpconn'], t), t)
    tcpr = {r['conn']: r for r in tcp}
    other = {'c2s': 's2c', 's2c': 'c2s'}
    out = []
    for m in mps:
        mine = [s for s in sfs if s['mpconn'] == m['mpconn']]
        data = lambda s: b(s['c2s_data_bytes']) + b(s['s2c_data_bytes'])
        reset = lambda s: (s['close'] == 'rst' or pm_code(s['close'], 'tcprst_') is not None or
                           s['status'] == 'failed_rst' or pm_code(s['status'], 'failed_tcprst_') is not None)
        late = '-'
        if m['mpconn'] in last:
            late = sum(1 for s in mine if s['start_ts'] != '-' and PM.ns(s['start_ts']) > last[m['mpconn']])
        means = []  # (mean, data bytes) in table order
        for s in mine:
            t = tcpr.get(s['conn'])
            td = other[rdir] if s['role'] == 'server' else rdir
            if t and t[td + '_rtt_n'] != '-' and int(t[td + '_rtt_n']) >= 3 and t[td + '_rtt_avg_ms'] != '-':
                means.append((float(t[td + '_rtt_avg_ms']), data(s)))
        flags = ['-', '-']
        if len(means) >= 2:
            low = min(v for v, _ in means)
            best = [x for v, x in means if v == low][0]
            flags = [int(best == 0), int(best <= min(x for _, x in means))]
        out.append([m['mpconn'], len(mine), sum(1 for s in mine if data(s) == 0), sum(1 for s in mine if reset(s)),
                    sum(1 for s in mine if s['backup_initial'] == '1' or s['backup'] == '1'), late,
                    len(means)] + flags)
    return out


def rows(path):
    if not path:
        return []
    with open(path, newline='') as f:
        return list(csv.DictReader(f, delimiter='\t', quoting=csv.QUOTE_NONE))


def b(v):
    """A byte count: '-' is 0."""
    return 0 if v == '-' else int(v)


def frac(a, d):
    return '%.6f' % (a / d) if d > 0 else '-'


def share_dir(mpconn, subflows, tcp):
    """Two rows, c2s and s2c: packets, bytes, retransmitted packets of the
    subflows by interface; retransmissions from the subflow's TCP
    connection in the TCP direction that carries the MPTCP direction."""
    rows_ = []
    for d in ('c2s', 's2c'):
        pk = {'wifi': 0, 'cellular': 0, 'other': 0}
        by, rx = dict(pk), dict(pk)
        for s in subflows:
            k = s['iface'] if s['iface'] in ('wifi', 'cellular') else 'other'
            pk[k] += b(s[d + '_data_pkts'])
            by[k] += b(s[d + '_data_bytes'])
            td = {'c2s': 's2c', 's2c': 'c2s'}[d] if s['role'] == 'server' else d
            t = tcp.get(s['conn'])
            rx[k] += b(t[td + '_rexmit_pkts']) if t else 0
        tp, tb = sum(pk.values()), sum(by.values())
        flag = lambda c: (1 if c else 0) if tb > 0 else '-'
        rows_.append([mpconn, d, tp, tb, pk['wifi'], pk['cellular'], pk['other'],
                      by['wifi'], by['cellular'], by['other'],
                      frac(by['wifi'], tb), frac(by['cellular'], tb),
                      frac(pk['wifi'], tp), frac(pk['cellular'], tp),
                      flag(by['cellular'] == 0), flag(by['cellular'] == tb),
                      rx['wifi'], rx['cellular'], rx['other']])
    return rows_


def iface3(s):
    return s['iface'] if s['iface'] in ('wifi', 'cellular') else 'other'


def sf_rtts(subflows, tcp):
    """Per subflow and MPTCP direction: (subflow, dir, iface, n, avg,
    mean when 3 samples or more else None), the TCP direction reversed
    on a subflow the server opened."""
    for s in subflows:
        t = tcp.get(s['conn'])
        for d in ('c2s', 's2c'):
            td = {'c2s': 's2c', 's2c': 'c2s'}[d] if s['role'] == 'server' else d
            n = t[td + '_rtt_n'] if t else '-'
            avg = t[td + '_rtt_avg_ms'] if t else '-'
            ok = n != '-' and int(n) >= 3 and avg != '-'
            yield s, d, iface3(s), n, avg, float(avg) if ok else None


def rtt_rows(m, subflows, tcp):
    rows_ = []
    all_ = list(sf_rtts(subflows, tcp))
    for d in ('c2s', 's2c'):
        got = [(k, v) for _, dd, k, _, _, v in all_ if dd == d and v is not None]
        low = lambda k: '%.3f' % min(v for kk, v in got if kk == k) if any(kk == k for kk, _ in got) else '-'
        best = min(got, key=lambda kv: kv[1]) if got else None  # min keeps the first of ties
        known = len(got) >= 2
        n, avg = m[d + '_rtt_n'], m[d + '_rtt_avg_ms']
        rows_.append([m['mpconn'], d, n, avg, avg if n != '-' and int(n) >= 3 and avg != '-' else '-',
                      len(got), low('wifi'), low('cellular'), '%.3f' % best[1] if best else '-',
                      best[0] if known else '-', int(known),
                      int(best[0] == 'wifi') if known else '-', int(best[0] == 'cellular') if known else '-'])
    return rows_


def overhead_row(m):
    """Thresholds on exact fractions (fractions.Fraction), not on the
    rounded ones."""
    from fractions import Fraction
    both = lambda k: b(m['c2s_' + k]) + b(m['s2c_' + k])
    data, rx, rj = both('data_bytes'), both('tcp_rexmit_bytes'), both('reinj_bytes')
    def flags(x):
        if not data:
            return ['-'] * 3
        f = Fraction(x, data)
        return [int(x > 0), int(f >= Fraction(1, 5)), int(f >= Fraction(1, 2))]
    return ([m['mpconn'], 'multi' if b(m['subflows_data']) >= 2 else 'single', data, rx, rj,
             frac(rx, data), frac(rj, data)] + flags(rx) + flags(rj))


def size_row(level, r, on):
    """A connection's duration, bytes, bytes per interface (on: wifi,
    cellular, other) and the mean of its RTT samples of both directions
    (each direction's mean weighted by its samples; a direction without
    a count or a mean has none), 3 samples or more."""
    both = lambda k: b(r['c2s_' + k]) + b(r['s2c_' + k])
    n, s = 0, 0.0
    for d in ('c2s', 's2c'):
        if r[d + '_rtt_n'] != '-' and r[d + '_rtt_avg_ms'] != '-':
            n += int(r[d + '_rtt_n'])
            s += int(r[d + '_rtt_n']) * float(r[d + '_rtt_avg_ms'])
    return [level, r['conn' if level == 'tcp' else 'mpconn'], r['duration_s'], both('data_bytes'),
            both('unique_bytes'), on[0], on[1], on[2], frac(on[1], sum(on)), n,
            '%.3f' % (s / n) if n >= 3 else '-']


# ---- the ack and when records: per ACK that acknowledged bytes, and per
# retransmission (payload sent before) or reinjection with its place in
# its connection; a subflow's events belong to its MPTCP connection, in
# the MPTCP direction (reversed on a subflow the server opened)

def event_records(a, sfs, tcp, mps):
    other = {'c2s': 's2c', 's2c': 'c2s'}
    owner = {}  # conn -> (mpconn, opened by the server)
    for r in sfs:
        if r['conn'] != '-':
            owner[r['conn']] = (r['mpconn'], r['role'] == 'server')
    out = []
    if a.record == 'ack':
        for r in rows(a.A):
            if r['acked_bytes'] in ('-', '0') or int(r['acked_bytes']) == 0:
                continue
            if r['conn'] in owner:
                m, srv = owner[r['conn']]
                out.append(['subflow', m, other[r['dir']] if srv else r['dir'], r['acked_bytes']])
            else:
                out.append(['tcp', r['conn'], r['dir'], r['acked_bytes']])
        for r in rows(a.D):
            if r['bytes'] != '-' and int(r['bytes']) > 0:
                out.append(['data_ack', r['mpconn'], r['dir'], r['bytes']])
        return out
    span_t = {r['conn']: (PM.ns(r['first_ts']), PM.ns(r['duration_s'])) for r in tcp}
    span_m = {r['mpconn']: (PM.ns(r['start_ts']), PM.ns(r['duration_s'])) for r in mps}

    def place(level, i, kind, cls, d, ts, nb, span):
        t = PM.ns(ts)
        at = PM.dur(t - span[0]) if span else '-'
        fr = '%.6f' % ((t - span[0]) / span[1]) if span and span[1] > 0 else '-'
        return [level, i, kind, cls, d, ts, nb, at, fr]
    for r in rows(a.X):
        if r['bytes'] == '-' or int(r['bytes']) == 0:
            continue
        if r['conn'] in owner:
            m, srv = owner[r['conn']]
            out.append(place('mptcp', m, 'rexmit', r['class'], other[r['dir']] if srv else r['dir'],
                             r['ts'], r['bytes'], span_m.get(m)))
        else:
            out.append(place('tcp', r['conn'], 'rexmit', r['class'], r['dir'], r['ts'], r['bytes'],
                             span_t.get(r['conn'])))
    for r in rows(a.J):
        out.append(place('mptcp', r['mpconn'], 'reinject', r['cause'], r['dir'], r['ts'], r['len'],
                         span_m.get(r['mpconn'])))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('record', choices=sorted(HEAD))
    ap.add_argument('-d', default='s2c')
    ap.add_argument('-b', default='both')
    ap.add_argument('-t')
    ap.add_argument('-s')
    ap.add_argument('-m')
    ap.add_argument('-k')
    ap.add_argument('-a')
    ap.add_argument('-A')
    ap.add_argument('-D')
    ap.add_argument('-X')
    ap.add_argument('-J')
    ap.add_argument('-e')
    a = ap.parse_args()
    tcp, sfs, mps = rows(a.t), rows(a.s), rows(a.m)
    out = [HEAD[a.record].split()]
    if a.record in ('pm', 'pmevents'):
        out += pm_records(a.record, sfs, rows(a.a), mps)
        for r in out:
            sys.stdout.write('\t'.join(str(x) for x in r) + '\n')
        return

    if a.record in ('ack', 'when'):
        out += event_records(a, sfs, tcp, mps)
        for r in out:
            sys.stdout.write('\t'.join(str(x) for x in r) + '\n')
        return
    if a.record == 'burstsize':
        out += burstsize_rows(rows(a.e), mps)
    if a.record == 'unused':
        out += unused_rows(mps, sfs, tcp, rows(a.e), a.d)
    evs = burst_sums(rows(a.e)) if a.record == 'burst' else {}

    if a.record == 'conn':
        for r in tcp:
            c, s = b(r['c2s_unique_bytes']), b(r['s2c_unique_bytes'])
            out.append(['tcp', r['conn'], r['duration_s'], c, s, c + s])
        for r in mps:
            c, s = b(r['c2s_unique_bytes']), b(r['s2c_unique_bytes'])
            out.append(['mptcp', r['mpconn'], r['duration_s'], c, s, c + s])

    if a.record == 'socks':
        # socks-dest's rows in their order, each with its TCP connection's
        # packets and payload bytes (both directions) when -t has it
        by = {r['conn']: r for r in tcp}
        for r in rows(a.k):
            t = by.get(r['conn'])
            pk = str(b(t['c2s_pkts']) + b(t['s2c_pkts'])) if t else '-'
            db = str(b(t['c2s_data_bytes']) + b(t['s2c_data_bytes'])) if t else '-'
            out.append([r['conn'], r['ipv'], r['socks_atyp'], r['socks_addr'], r['socks_port'],
                        r['socks_ok'], pk, db])

    if a.record == 'size':
        for r in tcp:
            on = [0, 0, 0]
            on[('wifi', 'cellular').index(r['iface']) if r['iface'] in ('wifi', 'cellular') else 2] = \
                b(r['c2s_data_bytes']) + b(r['s2c_data_bytes'])
            out.append(size_row('tcp', r, on))

    # the TCP RTT of a subflow: the -d direction when the MPTCP client
    # opened it, the other one when the server did
    rtt = {r['conn']: r for r in tcp}
    other = {'c2s': 's2c', 's2c': 'c2s'}
    per = {}  # mpconn -> list of (subflow row, rtt_n, rtt_avg)
    for r in sfs:
        d = other[a.d] if r['role'] == 'server' else a.d
        t = rtt.get(r['conn'])
        n = t[d + '_rtt_n'] if t else '-'
        avg = t[d + '_rtt_avg_ms'] if t else '-'
        per.setdefault(r['mpconn'], []).append((r, n, avg))
        if a.record == 'subflow':
            # a join (subflow > 0) within 200 ms and within 1 s of the
            # connection's first packet
            j = r['join_delay_s']
            w = ['-', '-'] if int(r['subflow']) == 0 or j == '-' else \
                ['1' if float(j) <= 0.2 else '0', '1' if float(j) <= 1 else '0']
            out.append([r[k] for k in HEAD['subflow'].split()[:10]] + [n, avg] + w)

    if a.record == 'sfrtt':
        for s, d, k, n, avg, v in sf_rtts(sfs, rtt):
            out.append([s['mpconn'], s['subflow'], s['conn'], k, d, n, avg, avg if v is not None else '-'])

    if a.record == 'share':
        dirs = ['c2s', 's2c'] if a.b == 'both' else [a.b]
        for m, lst in per.items():  # dicts keep the order of insertion
            by = {'wifi': 0, 'cellular': 0, 'unknown': 0}
            for r, _, _ in lst:
                k = r['iface'] if r['iface'] in ('wifi', 'cellular') else 'unknown'
                by[k] += sum(b(r[x + '_data_bytes']) for x in dirs)
            tot = sum(by.values())
            sh = ['%.6f' % (by[k] / tot) if tot else '0' for k in ('wifi', 'cellular', 'unknown')]
            out.append([m, by['wifi'], by['cellular'], by['unknown'], tot] + sh)

    for r in mps:
        lst = per.get(r['mpconn'], [])
        data_of = [b(s['c2s_data_bytes']) + b(s['s2c_data_bytes']) for s, _, _ in lst]
        tot = sum(data_of)
        est = sum(1 for s, _, _ in lst if s['status'] == 'established')
        if a.record == 'default':
            if any(s['iface_rule'] == 'default' and x > 0 for (s, _, _), x in zip(lst, data_of)):
                out.append([r['mpconn']])
            continue
        if a.record == 'burst':
            dur = 0.0 if r['duration_s'] == '-' else float(r['duration_s'])
            for x in ('c2s', 's2c'):
                ub, sw = b(r[x + '_unique_bytes']), r[x + '_switches']
                f = '%.6f' % (int(sw) / dur) if ub >= 1000000 and dur > 0.1 and est >= 2 and sw != '-' else '-'
                out.append([r['mpconn'], x, ub, r['duration_s'], r[x + '_bursts'], sw, f] +
                           burst_extra(r, x, est, evs, a.e is not None))
            continue
        if a.record == 'rtt':
            out.extend(rtt_rows(r, [s for s, _, _ in lst], rtt))
            continue
        if a.record == 'overhead':
            out.append(overhead_row(r))
            continue
        if a.record == 'size':
            on = {'wifi': 0, 'cellular': 0, 'other': 0}
            for (s, _, _), x in zip(lst, data_of):
                on[iface3(s)] += x
            out.append(size_row('mptcp', r, [on['wifi'], on['cellular'], on['other']]))
            continue
        if a.record == 'share_dir':
            out.extend(share_dir(r['mpconn'], [s for s, _, _ in lst], rtt))
            continue
        if a.record != 'mptcp':
            continue
        both = lambda k: b(r['c2s_' + k]) + b(r['s2c_' + k])
        data, rx, rj, used = both('data_bytes'), both('tcp_rexmit_bytes'), both('reinj_bytes'), b(r['subflows_data'])
        init = sum(x for (s, _, _), x in zip(lst, data_of) if int(s['subflow']) == 0)
        on = {'wifi': 0, 'cellular': 0, 'other': 0}
        for (s, _, _), x in zip(lst, data_of):
            on[s['iface'] if s['iface'] in on else 'other'] += x
        means = [float(avg) for _, n, avg in lst if n != '-' and int(n) >= 3 and avg != '-']
        if len(means) >= 2:
            spread = ['%.3f' % min(means), '%.3f' % max(means), '%.3f' % (max(means) - min(means))]
        else:
            spread = ['-', '-', '-']
        multi = used >= 2
        out.append([r['mpconn'], r['status'], r['duration_s'], both('unique_bytes'), data, r['subflows'], used, est,
                    sum(1 for s, _, _ in lst if int(s['subflow']) > 0),
                    sum(1 for s, _, _ in lst if s['status'].startswith('failed')),
                    rx, frac(rx, data), data if multi else '-', rj if multi else '-', frac(rj, data) if multi else '-',
                    init, frac(init, tot), on['wifi'], on['cellular'], on['other'],
                    frac(on['wifi'], tot), frac(on['cellular'], tot)] + spread +
                   [int(any(s['handover'] not in ('-', '') and int(s['handover']) == 1 for s, _, _ in lst))])

    for r in out:
        sys.stdout.write('\t'.join(str(x) for x in r) + '\n')


if __name__ == '__main__':
    main()
