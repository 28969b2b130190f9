#!/usr/bin/python3
"""Independent reference for the head-of-line delays of mptcp-metrics(1)
(-e hol; man page, Head-of-line delay), from tshark's dissection, written
apart from the C code.

  hol-ref.py CAPTURE

prints one line per sample, "dack_ns dir arrival_ns len ofo", sorted. A
segment's new data (bytes, by data sequence number, that no segment
carried before: placed as test/ref/reinj-ref.py places them, only bytes
new on their subflow at the TCP level) waits from its arrival until the
first DATA_ACK of the other side, on any subflow, at or above its last
byte + 1; bytes already below the highest DATA_ACK when they come do not
wait. ofo: the bytes waiting above the highest DATA_ACK just after the
segment came, its own included. A DATA_ACK timestamped before the data
gives no sample. Same limits as reinj-ref.py.
"""
from decimal import Decimal
from importlib.machinery import SourceFileLoader
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REF = SourceFileLoader("stall_ref", os.path.join(HERE, "stall-ref.py")).load_module()
RJ = SourceFileLoader("reinj_ref", os.path.join(HERE, "reinj-ref.py")).load_module()

FIELDS = ["frame.time_epoch", "tcp.stream", "mptcp.stream", "tcp.srcport", "tcp.flags",
          "tcp.seq", "tcp.len", "tcp.options.mptcp.rawdataseqno",
          "tcp.options.mptcp.dseqn8.flag", "tcp.options.mptcp.subflowseqno",
          "tcp.options.mptcp.datalvllen", "tcp.options.mptcp.datafin.flag",
          "tcp.options.mptcp.sendkey", "tcp.options.mptcp.version",
          "tcp.options.mptcp.rawdataack", "tcp.options.mptcp.dataack8.flag"]
(TIME, STREAM, MPSTREAM, SPORT, FLAGS, SEQ, LEN, DSN, DSN8, SSN, DLEN, DFIN, KEY, VERSION,
 DACK, DACK8) = range(len(FIELDS))


def rows(path):
    cmd = ["tshark", "-n", "-r", path, "-Y", "tcp", "-T", "fields", "-E", "separator=\t",
           "-E", "occurrence=f", "-o", "tcp.relative_sequence_numbers:TRUE"]
    for f in FIELDS:
        cmd += ["-e", f]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return [line.split("\t") for line in out.splitlines()]


def samples(path):
    data = rows(path)
    mpstream, client, ref = RJ.connections(data, STREAM, MPSTREAM, SPORT, FLAGS, KEY, VERSION)
    space = dict(ref)
    origins, seen, mapping, dacks, waiting, out = {}, {}, {}, {}, {}, []
    for r in data:
        st = r[STREAM]
        if st not in client or st not in mpstream:
            continue
        conn = mpstream[st]
        d = "c2s" if r[SPORT] == client[st] else "s2c"
        other = "s2c" if d == "c2s" else "c2s"
        t = int(Decimal(r[TIME]) * 1000000000)
        dsn = REF.widen(ref.get((conn, d)), int(r[DSN]), r[DSN8] == "1") if r[DSN] else None
        if dsn is not None:
            ref[(conn, d)] = dsn if ref.get((conn, d)) is None else max(ref[(conn, d)], dsn)
            mapping[(st, d)] = (dsn, int(r[SSN]), int(r[DLEN]), r[DFIN] == "1")
        elif r[KEY] and r[VERSION] == "1" and r[DLEN] and int(r[LEN]) and (conn, d) in space:
            mapping[(st, d)] = (space[(conn, d)] + 1, 1, int(r[DLEN]), False)
        n, seq = int(r[LEN]), int(r[SEQ])
        m = mapping.get((st, d))
        carried = seen.setdefault((st, d), RJ.Carried())
        wait = waiting.setdefault((conn, d), [])
        if n and m and m[2]:
            size = m[2] - (1 if m[3] else 0)
            a, b = max(seq - m[1], 0), min(seq - m[1] + n, size)
            orig = origins.setdefault((conn, d), RJ.Origins())
            for p, q in carried.gaps(seq, seq + n):
                x, y = max(p - m[1], a), min(q - m[1], b)
                if x >= y:
                    continue
                for lo, hi, v in orig.runs(m[0] + x, m[0] + y):
                    if v is not None:
                        continue
                    orig.add(lo, hi, (st, 0, t))
                    top = dacks.get((conn, d))
                    if top is not None:
                        if hi <= top:
                            continue
                        lo = max(lo, top)
                    wait.append([lo, hi, t, 0])
                    wait[-1][3] = sum(h - max(l, top if top is not None else l)
                                      for l, h, _, _ in wait)
        if n:
            carried.add(seq, seq + n)
        if not r[DACK]:
            continue
        dack = REF.widen(ref.get((conn, other)), int(r[DACK]), r[DACK8] == "1")
        if dack is None or (dacks.get((conn, other)) is not None and dack <= dacks[(conn, other)]):
            continue
        dacks[(conn, other)] = dack
        keep = []
        for w in waiting.get((conn, other), []):
            if w[1] <= dack:
                if t >= w[2]:
                    out.append((t, other, w[2], w[1] - w[0], w[3]))
            else:
                keep.append(w)
        waiting[(conn, other)] = keep
    return sorted(out)


def main():
    if len(sys.argv) != 2:
        raise SystemExit("usage: hol-ref.py CAPTURE")
    for s in samples(sys.argv[1]):
        print(*s)


if __name__ == "__main__":
    main()
