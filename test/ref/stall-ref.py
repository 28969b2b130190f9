#!/usr/bin/python3
"""Independent reference for the stalls of mptcp-metrics(1) (-e stall),
from tshark's dissection, written apart from the C code.

  stall-ref.py [-T SECONDS] CAPTURE

prints one line per stall, "dir start_ns end_ns outstanding ended", in
the order the stalls end, by the man page's rule (STALLS): a direction
waits while data it sent is not DATA_ACKed, or while the receiver's
window (the DATA_ACK of the receiver's latest packet with one, plus that
packet's window scaled by the shift both SYNs carried) ends at or below
the lowest byte not DATA_ACKed; a wait begins after a packet when the
direction waits and did not, and again at each advance of the DATA_ACK
that leaves it waiting; it ends at the next advance or, unended, at the
connection's last packet. At least SECONDS (default 0.2) is a stall.

Data bytes by their data sequence numbers: the DSS mapping a segment
carries, or the last one of its subflow and direction, placed by
tshark's relative sequence numbers; a DATA_FIN takes the octet after its
mapping's data; data on a v1 MP_CAPABLE (no DSS) starts at the IDSN + 1.
The IDSNs from the MP_CAPABLE keys (the last 64 bits of their SHA-1, v0,
or SHA-256, v1, hash); a 4-byte value is widened to the 64-bit one
nearest the highest seen of its data space (at first, its IDSN). Only a
capture whose subflows were all opened by the
MPTCP client, with their SYNs, is handled (the test fixtures); the
subflows of one MPTCP connection from tshark's mptcp.stream.
"""
from decimal import Decimal
import hashlib
import subprocess
import sys

FIELDS = ["frame.time_epoch", "tcp.stream", "mptcp.stream", "tcp.srcport", "tcp.flags",
          "tcp.seq", "tcp.len", "tcp.window_size_value", "tcp.options.wscale.shift",
          "tcp.options.mptcp.rawdataack", "tcp.options.mptcp.dataack8.flag",
          "tcp.options.mptcp.rawdataseqno", "tcp.options.mptcp.dseqn8.flag",
          "tcp.options.mptcp.subflowseqno", "tcp.options.mptcp.datalvllen",
          "tcp.options.mptcp.datafin.flag", "tcp.options.mptcp.sendkey",
          "tcp.options.mptcp.version"]
(TIME, STREAM, MPSTREAM, SPORT, FLAGS, SEQ, LEN, WIN, SHIFT, DACK, DACK8, DSN, DSN8,
 SSN, DLEN, DFIN, KEY, VERSION) = range(len(FIELDS))


def rows(path):
    cmd = ["tshark", "-n", "-r", path, "-Y", "tcp", "-T", "fields", "-E", "separator=\t",
           "-E", "occurrence=f", "-o", "tcp.relative_sequence_numbers:TRUE"]
    for f in FIELDS:
        cmd += ["-e", f]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return [line.split("\t") for line in out.splitlines()]


def widen(ref, raw, eight):
    """A 4-byte data sequence number or DATA_ACK as the 64-bit value with
    those low bits nearest to ref; None when there is no ref yet (before
    the first 8-byte one of its data space: skipped)."""
    if eight:
        return raw
    if ref is None:
        return None
    base = (ref & ~0xffffffff) | raw
    return min((base - (1 << 32), base, base + (1 << 32)), key=lambda x: abs(x - ref))


def idsn(version, key):
    h = (hashlib.sha1 if version == 0 else hashlib.sha256)(key.to_bytes(8, "big")).digest()
    return int.from_bytes(h[-8:], "big")


class Direction:
    def __init__(self):
        self.lo = self.hi = None      # data sent: [lo, hi)
        self.dack = None
        self.edge = None              # the receiver's window's right edge
        self.wait = None              # (start, outstanding) while waiting

    def unacked(self):
        return self.lo if self.dack is None else max(self.dack, self.lo)

    def blocked(self):
        if self.lo is None:
            return False
        u = self.unacked()
        return self.hi > u or (self.edge is not None and self.edge <= u)

    def begin(self, t):
        self.wait = (t, self.hi - self.unacked() if self.hi > self.unacked() else 0)


def stalls(path, threshold_ns):
    data = rows(path)
    mpstream = {}
    for r in data:
        if r[MPSTREAM]:
            mpstream.setdefault(r[STREAM], r[MPSTREAM])
    client, shift = {}, {}            # stream -> client port; (stream, dir) -> shift
    for r in data:
        f = int(r[FLAGS], 16)
        if f & 0x02:
            if not f & 0x10:
                client.setdefault(r[STREAM], r[SPORT])
            d = "c2s" if f & 0x10 == 0 else "s2c"
            shift[(r[STREAM], d)] = int(r[SHIFT]) if r[SHIFT] else None
    state, mapping, ref, last, out = {}, {}, {}, {}, []
    for r in data:  # the IDSNs (a key is its sender's) start the references
        if r[KEY] and r[STREAM] in mpstream and r[STREAM] in client:
            d = "c2s" if r[SPORT] == client[r[STREAM]] else "s2c"
            ref.setdefault((mpstream[r[STREAM]], d), idsn(int(r[VERSION]), int(r[KEY])))
    space = dict(ref)
    for r in data:
        st = r[STREAM]
        if st not in client or st not in mpstream:
            continue
        conn = mpstream[st]
        d = "c2s" if r[SPORT] == client[st] else "s2c"
        other = "s2c" if d == "c2s" else "c2s"
        t = int(Decimal(r[TIME]) * 1000000000)
        last[conn] = max(last.get(conn, t), t)
        f = int(r[FLAGS], 16)
        snd = state.setdefault((conn, d), Direction())
        rcv = state.setdefault((conn, other), Direction())
        dsn = widen(ref.get((conn, d)), int(r[DSN]), r[DSN8] == "1") if r[DSN] else None
        if dsn is not None:
            ref[(conn, d)] = dsn if ref.get((conn, d)) is None else max(ref[(conn, d)], dsn)
            mapping[(st, d)] = (dsn, int(r[SSN]), int(r[DLEN]), r[DFIN] == "1")
        elif r[KEY] and r[VERSION] == "1" and r[DLEN] and int(r[LEN]) and (conn, d) in space:
            mapping[(st, d)] = (space[(conn, d)] + 1, 1, int(r[DLEN]), False)
        sent = []
        m = mapping.get((st, d))
        if dsn is not None and m[3] and m[2]:
            sent.append((m[0] + m[2] - 1, m[0] + m[2]))   # the DATA_FIN's octet
        n = int(r[LEN])
        if n and m and m[2]:
            size = m[2] - (1 if m[3] else 0)
            a = max(int(r[SEQ]) - m[1], 0)
            b = min(int(r[SEQ]) - m[1] + n, size)
            if a < b:
                sent.append((m[0] + a, m[0] + b))
        for a, b in sent:
            snd.lo = a if snd.lo is None else min(snd.lo, a)
            snd.hi = b if snd.hi is None else max(snd.hi, b)
        if (n or f & 0x01 or (dsn is not None and m[3])) and snd.wait is None and snd.blocked():
            snd.begin(t)
        if not r[DACK]:
            continue
        dack = widen(ref.get((conn, other)), int(r[DACK]), r[DACK8] == "1")
        if dack is None:
            continue
        if rcv.dack is None or dack > rcv.dack:
            rcv.dack = dack
            if rcv.wait is not None:
                if t - rcv.wait[0] >= threshold_ns:
                    out.append((other, rcv.wait[0], t, rcv.wait[1], 1))
                rcv.wait = None
            if rcv.blocked():
                rcv.begin(t)
        mine, theirs = shift.get((st, d), "unseen"), shift.get((st, other), "unseen")
        if f & 0x12 == 0x10 and "unseen" not in (mine, theirs):
            scale = mine if mine is not None and theirs is not None else 0
            rcv.edge = dack + (int(r[WIN]) << min(scale, 14))
            if rcv.wait is None and rcv.blocked():
                rcv.begin(t)
    for (conn, d), s in sorted(state.items()):
        if s.wait is not None and last[conn] - s.wait[0] >= threshold_ns:
            out.append((d, s.wait[0], last[conn], s.wait[1], 0))
    return out


def main():
    args = sys.argv[1:]
    threshold = Decimal("0.2")
    if len(args) == 3 and args[0] == "-T":
        threshold, args = Decimal(args[1]), args[2:]
    if len(args) != 1:
        raise SystemExit("usage: stall-ref.py [-T SECONDS] CAPTURE")
    for d, a, b, outstanding, ended in stalls(args[0], int(threshold * 1000000000)):
        print(d, a, b, outstanding, ended)


if __name__ == "__main__":
    main()
