#!/usr/bin/python3
"""An independent reading of series(1), for test/series.bats: the same
records from the same tables, with the csv module, whole lists and exact
integers (no streaming, no bins kept open), sorted as series writes
them. With --tshark FILE the rtt record's samples come from tshark's
tcp.analysis.ack_rtt instead of tcp_rtt.tsv (fields: frame.time_epoch,
tcp.srcport, tcp.dstport, tcp.analysis.ack_rtt), matched to the subflows
by their ports. With -t the series are per TCP connection of
tcp_conns.tsv; RECORD trace is the whole capture's acknowledged bytes
per direction and interface, with their running sums.

usage: series-ref.py RECORD WIDTH FOLDER [-t] [--tshark FILE] [-c CONN] [-d DIR]
"""
import os
import csv
import sys
from fractions import Fraction


def ns(text):
    """seconds (or milliseconds) with a fraction, as integer nano-units"""
    whole, _, frac = text.partition(".")
    return int(whole or "0") * 10**9 + int((frac + "0" * 9)[:9])


def table(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


def fixed(v, digits):
    """v (integer in 10^-digits units) as text"""
    s = 10**digits
    return "%d.%0*d" % (v // s, digits, v % s)


def main():
    args = sys.argv[1:]
    rec, width, folder = args[0], ns(args[1]), args[2]
    tshark = only = onlydir = None
    tcp = False
    rest = args[3:]
    while rest:
        if rest[0] == "-t":
            tcp = True
            rest = rest[1:]
            continue
        o, v = rest[0], rest[1]
        rest = rest[2:]
        if o == "--tshark":
            tshark = v
        elif o == "-c":
            only = v
        elif o == "-d":
            onlydir = v
    if rec == "trace":
        return trace(width, folder, onlydir)
    if tcp:
        return tcp_series(rec, width, folder, only, onlydir, tshark)
    conns = {}
    order = []
    digits = 6
    for r in table(folder + "/mptcp_conns.tsv"):
        if only is not None and r["mpconn"] != only:
            continue
        # a nanosecond capture's times have 9 decimals, the output's too
        if len(r["start_ts"].partition(".")[2]) > 6:
            digits = 9
        conns[r["mpconn"]] = ns(r["start_ts"])
        order.append(r["mpconn"])
    subflows = {}
    sforder = []
    byports = {}
    for r in table(folder + "/mptcp_subflows.tsv"):
        if r["mpconn"] not in conns:
            continue
        subflows[r["conn"]] = r
        sforder.append(r["conn"])
        byports[(r["c_port"], r["s_port"])] = r["conn"]
    flip = {"c2s": "s2c", "s2c": "c2s"}

    def mpdir(sf, tcpdir):
        return flip[tcpdir] if sf["role"] == "server" else tcpdir

    # series key -> {bin: [values]}, keys in order of first event
    series = {}

    def add(key, start, ts, v):
        k = (ts - start) // width
        series.setdefault(key, {}).setdefault(k, []).append(v)

    if rec == "goodput":
        for r in table(folder + "/mptcp_dack.tsv"):
            if r["mpconn"] in conns and onlydir in (None, r["dir"]):
                b = 0 if r["bytes"] == "-" else int(r["bytes"])
                add((0, r["mpconn"], r["dir"], None), conns[r["mpconn"]], ns(r["ts"]), b)
    events = tcp_events(rec, folder, tshark, byports)
    for conn, ts, d, v in events:
        sf = subflows.get(conn)
        if sf is None:
            continue
        d = mpdir(sf, d)
        if onlydir in (None, d):
            add((1, sf["mpconn"], d, conn), conns[sf["mpconn"]], ns(ts), v)

    rows = []
    for key, bins in series.items():
        level, mpconn, d, conn = key
        start = conns[mpconn]
        sf = subflows[conn] if conn else None
        head = [mpconn, d, sf["subflow"] if sf else "-", sf["iface"] if sf else "-"]
        ks = sorted(bins)
        if rec == "goodput":
            ks = range(ks[0], ks[-1] + 1)
        for k in ks:
            vs = bins.get(k, [])
            cut = 10**(9 - digits)
            t = [fixed(k * width // cut, digits), fixed((start + k * width) // cut, digits)]
            if rec == "goodput":
                b = sum(vs)
                q = Fraction(b * 8000, width) * 10**6
                mbit = int(q + Fraction(1, 2))
                cols = head + t + ["mptcp" if conn is None else "tcp", str(b), fixed(mbit, 6)]
            elif rec == "rtt":
                n = len(vs)
                cols = head + [conn, str(n), fixed(min(vs), 3), fixed((sum(vs) + n // 2) // n, 3),
                               fixed(max(vs), 3)] + t
            else:
                cols = head + [conn, str(len(vs)), str(max(vs)), str(vs[-1])] + t
            rows.append((level, k, key, cols))
    if rec == "goodput":
        print("mpconn\tdir\tsubflow\tiface\tt_s\tts\tlevel\tbytes\tmbit_s")
    elif rec == "rtt":
        print("mpconn\tdir\tsubflow\tiface\tconn\tn\tmin_ms\tmean_ms\tmax_ms\tt_s\tts")
    else:
        print("mpconn\tdir\tsubflow\tiface\tconn\tn\tmax_bytes\tlast_bytes\tt_s\tts")
    # series writes rows as later events close them: compared sorted
    for _, _, _, cols in sorted(rows, key=lambda r: (r[0], r[2][1], r[2][2], str(r[2][3]), r[1])):
        print("\t".join(cols))


def ack_events(folder):
    return [(r["conn"], r["ts"], r["dir"], int(r["acked_bytes"]))
            for r in table(folder + "/tcp_ack.tsv")]


def tcp_events(rec, folder, tshark, byports):
    """(conn, ts, TCP direction, value) of the record's TCP-level events:
    acknowledged bytes, RTT samples in us (tshark's ack_rtt when given,
    byports mapping (client port, server port) to conn), in-flight bytes"""
    if rec == "goodput":
        return ack_events(folder)
    if rec == "rtt" and tshark:
        events = []
        with open(tshark) as f:
            for line in f:
                ts, sport, dport, rtt = line.rstrip("\n").split("\t")
                # an ACK from the server end acknowledges c2s data;
                # tshark's seconds to milliseconds, 3 decimals, in us
                if (dport, sport) in byports:
                    events.append((byports[(dport, sport)], ts, "c2s", ns(rtt) // 1000))
                elif (sport, dport) in byports:
                    events.append((byports[(sport, dport)], ts, "s2c", ns(rtt) // 1000))
        return events
    if rec == "rtt":
        return [(r["conn"], r["ts"], r["dir"], ns(r["rtt_ms"]) // 10**6)
                for r in table(folder + "/tcp_rtt.tsv")]
    return [(r["conn"], r["ts"], r["dir"], int(r["inflight_bytes"]))
            for r in table(folder + "/tcp_inflight.tsv")]


def tcp_series(rec, width, folder, only, onlydir, tshark):
    """-t: each TCP connection a series of its own, from its first_ts"""
    conns = {}
    digits = 6
    byports = {}
    for r in table(folder + "/tcp_conns.tsv"):
        if only is not None and r["conn"] != only:
            continue
        if len(r["first_ts"].partition(".")[2]) > 6:
            digits = 9
        conns[r["conn"]] = r
        byports[(r["c_port"], r["s_port"])] = r["conn"]
    events = tcp_events(rec, folder, tshark, byports)
    series = {}
    for conn, ts, d, v in events:
        if conn in conns and onlydir in (None, d):
            k = (ns(ts) - ns(conns[conn]["first_ts"])) // width
            series.setdefault((conn, d), {}).setdefault(k, []).append(v)
    cut = 10**(9 - digits)
    rows = []
    for (conn, d), bins in series.items():
        start = ns(conns[conn]["first_ts"])
        head = [conn, d, conns[conn]["iface"]]
        ks = sorted(bins)
        if rec == "goodput":
            ks = range(ks[0], ks[-1] + 1)
        for k in ks:
            vs = bins.get(k, [])
            t = [fixed(k * width // cut, digits), fixed((start + k * width) // cut, digits)]
            if rec == "goodput":
                b = sum(vs)
                mbit = int(Fraction(b * 8000, width) * 10**6 + Fraction(1, 2))
                rows.append(head + t + [str(b), fixed(mbit, 6)])
            elif rec == "rtt":
                n = len(vs)
                rows.append(head + [str(n), fixed(min(vs), 3), fixed((sum(vs) + n // 2) // n, 3),
                                    fixed(max(vs), 3)] + t)
            else:
                rows.append(head + [str(len(vs)), str(max(vs)), str(vs[-1])] + t)
    print("\t".join(["conn", "dir", "iface"] + {
        "goodput": ["t_s", "ts", "bytes", "mbit_s"],
        "rtt": ["n", "min_ms", "mean_ms", "max_ms", "t_s", "ts"],
        "inflight": ["n", "max_bytes", "last_bytes", "t_s", "ts"]}[rec]))
    for r in rows:
        print("\t".join(r))


def trace(width, folder, onlydir):
    """the whole capture: per direction and interface, the TCP-acked bytes
    of each bin from the capture's first first_ts, their running sum and
    the connections that had bytes acknowledged so far; a subflow opened
    by the MPTCP server counted in the MPTCP direction"""
    conns = {r["conn"]: r for r in table(folder + "/tcp_conns.tsv")}
    digits = 9 if any(len(r["first_ts"].partition(".")[2]) > 6 for r in conns.values()) else 6
    start = min(ns(r["first_ts"]) for r in conns.values())
    server = set()
    if os.path.exists(folder + "/mptcp_subflows.tsv"):
        server = {r["conn"] for r in table(folder + "/mptcp_subflows.tsv") if r["role"] == "server"}
    flip = {"c2s": "s2c", "s2c": "c2s"}
    ifaces = [i for i in ("wifi", "cellular", "?") if any(r["iface"] == i for r in conns.values())]
    # (dir, iface) -> {bin: bytes}; (dir, conn) -> its first bin with bytes
    got = {}
    first = {}
    for conn, ts, d, v in ack_events(folder):
        if v == 0:
            continue
        d = flip[d] if conn in server else d
        if onlydir not in (None, d):
            continue
        k = (ns(ts) - start) // width
        i = conns[conn]["iface"]
        got.setdefault(d, {}).setdefault((i, k), 0)
        got[d][(i, k)] += v
        first.setdefault((d, conn), k)
    cut = 10**(9 - digits)
    print("dir\tiface\tt_s\tts\tbytes\tcum_bytes\tconns")
    for d, bins in got.items():
        last = max(k for _, k in bins)
        for i in ifaces:
            cum = 0
            for k in range(last + 1):
                b = bins.get((i, k), 0)
                cum += b
                n = sum(1 for (dd, c), kk in first.items() if dd == d and conns[c]["iface"] == i and kk <= k)
                print("\t".join([d, i, fixed(k * width // cut, digits), fixed((start + k * width) // cut, digits),
                                 str(b), str(cum), str(n)]))


main()
