#!/usr/bin/python3
"""Independent reference for the reinjection causes of mptcp-metrics(1)
(-e reinject: cause and redundant; man page, REINJECTIONS), from tshark's
dissection, written apart from the C code.

  reinj-ref.py CAPTURE

prints one line per segment and kind of reinjected bytes,
"time_ns dir cause redundant bytes", sorted. A data byte (by its data
sequence number, placed as test/ref/stall-ref.py places it: the DSS
mapping of the segment or the last of its subflow and direction, and
tshark's relative sequence numbers) is reinjected when a segment carries
it under another mapping (another subflow, or another data sequence
number minus subflow sequence number) than the one it first went out
under. Its cause is the first of these that its origin subflow O shows
when the copy goes out (now; t0: its first transmission):
  rm_addr  a REMOVE_ADDR from either side named the address id O has on
           that side (the MP_JOIN's, 0 for the first subflow), after O
           took it;
  backup   O's backup bit is set (its MP_JOIN SYN's, then the last
           MP_PRIO sent on it);
  closed   a FIN or RST was seen on O;
  loss     O retransmitted in this direction at or after t0 (a segment
           with payload sequence numbers O carried before);
  silent   the receiver sent nothing on O after t0 + (now - t0) / 2;
  none     none of these.
Redundant: O's receiver had acknowledged (tcp.ack) the byte's subflow
sequence number on O before the copy went out.

Limits: only what the test fixtures need; REMOVE_ADDR ids are taken
only from packets whose MPTCP options carry no other address id (else
the script stops), MP_PRIO's address id form (v0) is not handled, every
subflow must be opened by the MPTCP client with its SYN seen.
"""
from decimal import Decimal
from importlib.machinery import SourceFileLoader
import bisect
import os
import subprocess
import sys

REF = SourceFileLoader("stall_ref", os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                 "stall-ref.py")).load_module()

FIELDS = ["frame.time_epoch", "tcp.stream", "mptcp.stream", "tcp.srcport", "tcp.flags",
          "tcp.seq", "tcp.ack", "tcp.len", "tcp.options.mptcp.rawdataseqno",
          "tcp.options.mptcp.dseqn8.flag", "tcp.options.mptcp.subflowseqno",
          "tcp.options.mptcp.datalvllen", "tcp.options.mptcp.datafin.flag",
          "tcp.options.mptcp.sendkey", "tcp.options.mptcp.version",
          "tcp.options.mptcp.subtype", "tcp.options.mptcp.addrid",
          "tcp.options.mptcp.backup.flag", "tcp.options.mptcp.rawdataack",
          "tcp.options.mptcp.dataack8.flag"]
(TIME, STREAM, MPSTREAM, SPORT, FLAGS, SEQ, ACK, LEN, DSN, DSN8, SSN, DLEN, DFIN, KEY,
 VERSION, SUBTYPE, ADDRID, BACKUP, DACK, DACK8) = range(len(FIELDS))
ID_SUBTYPES = {"1", "3", "5"}  # MP_JOIN, ADD_ADDR, MP_PRIO: options with an id


def rows(path):
    cmd = ["tshark", "-n", "-r", path, "-Y", "tcp", "-T", "fields", "-E", "separator=\t",
           "-E", "occurrence=a", "-E", "aggregator=,",
           "-o", "tcp.relative_sequence_numbers:TRUE"]
    for f in FIELDS:
        cmd += ["-e", f]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return [line.split("\t") for line in out.splitlines()]


def first(v):
    return v.split(",")[0] if v else ""


class Origins:
    """The first transmission of every data byte of one direction: sorted,
    disjoint [a, b) runs with (stream, offset, time)."""

    def __init__(self):
        self.lo, self.hi, self.val = [], [], []

    def runs(self, a, b):
        """(a, b, value or None) covering [a, b), in order."""
        i = max(bisect.bisect_right(self.lo, a) - 1, 0)
        out = []
        while a < b:
            while i < len(self.lo) and self.hi[i] <= a:
                i += 1
            if i == len(self.lo) or self.lo[i] >= b:
                out.append((a, b, None))
                break
            if self.lo[i] > a:
                out.append((a, self.lo[i], None))
                a = self.lo[i]
                continue
            e = min(self.hi[i], b)
            out.append((a, e, self.val[i]))
            a = e
        return out

    def add(self, a, b, v):
        i = bisect.bisect_left(self.lo, a)
        self.lo.insert(i, a)
        self.hi.insert(i, b)
        self.val.insert(i, v)


class Carried:
    """Sequence numbers carried: sorted disjoint [a, b) runs, merged."""

    def __init__(self):
        self.lo, self.hi = [], []

    def overlaps(self, a, b):
        i = bisect.bisect_right(self.lo, a) - 1
        if i >= 0 and self.hi[i] > a:
            return True
        return i + 1 < len(self.lo) and self.lo[i + 1] < b

    def gaps(self, a, b):
        """The runs of [a, b) not carried."""
        out = []
        i = max(bisect.bisect_right(self.lo, a) - 1, 0)
        while a < b:
            while i < len(self.lo) and self.hi[i] <= a:
                i += 1
            if i == len(self.lo) or self.lo[i] >= b:
                out.append((a, b))
                break
            if self.lo[i] > a:
                out.append((a, self.lo[i]))
            a = self.hi[i]
        return out

    def add(self, a, b):
        i = bisect.bisect_right(self.lo, a) - 1
        if i >= 0 and self.hi[i] >= a:
            a = self.lo[i]
        else:
            i += 1
        j = i
        while j < len(self.lo) and self.lo[j] <= b:
            b = max(b, self.hi[j])
            j += 1
        self.lo[i:j] = [a]
        self.hi[i:j] = [b]


class Subflow:
    def __init__(self):
        self.ids = {"c2s": 0, "s2c": 0}   # address id per side (first subflow: 0)
        self.id_at = {"c2s": -1, "s2c": -1}
        self.backup = 0
        self.closed = False
        self.last = {"c2s": None, "s2c": None}   # last packet sent per TCP direction
        self.seen = {"c2s": Carried(), "s2c": Carried()}  # payload sequence numbers
        self.rexmit = {"c2s": None, "s2c": None}  # last retransmission
        self.acked = {"c2s": None, "s2c": None}   # highest ACK of that direction's data


def classify(sf, rm, d, t0, now):
    for side in ("c2s", "s2c"):
        at = rm.get((side, sf.ids[side]))
        if at is not None and at > sf.id_at[side]:
            return "rm_addr"
    if sf.backup:
        return "backup"
    if sf.closed:
        return "closed"
    if sf.rexmit[d] is not None and sf.rexmit[d] >= t0:
        return "loss"
    other = "s2c" if d == "c2s" else "c2s"
    if sf.last[other] is None or sf.last[other] <= t0 + (now - t0) // 2:
        return "silent"
    return "none"


def connections(data, stream, mpstream_col, sport, flags, key, version):
    """Of tshark rows, by their columns' indexes: each TCP stream's MPTCP
    stream, its client's port (from its SYN) and each MPTCP connection's
    IDSN per direction, from the keys."""
    mpstream, client = {}, {}
    for r in data:
        if r[mpstream_col]:
            mpstream.setdefault(r[stream], r[mpstream_col])
        if int(r[flags], 16) & 0x12 == 0x02:
            client.setdefault(r[stream], r[sport])
    ref = {}
    for r in data:
        if r[key] and r[stream] in mpstream and r[stream] in client:
            d = "c2s" if r[sport] == client[r[stream]] else "s2c"
            ref.setdefault((mpstream[r[stream]], d),
                           REF.idsn(int(first(r[version])), int(first(r[key]))))
    return mpstream, client, ref


def reinjections(path):
    data = rows(path)
    mpstream, client, ref = connections(data, STREAM, MPSTREAM, SPORT, FLAGS, KEY, VERSION)
    space = dict(ref)
    subflows, origins, mapping, rm, out = {}, {}, {}, {}, {}
    dacks, copies, useful = {}, {}, {"c2s": 0, "s2c": 0}
    clock = 0
    for r in data:
        st = r[STREAM]
        if st not in client or st not in mpstream:
            continue
        conn = mpstream[st]
        d = "c2s" if r[SPORT] == client[st] else "s2c"
        other = "s2c" if d == "c2s" else "c2s"
        t = int(Decimal(r[TIME]) * 1000000000)
        f = int(r[FLAGS], 16)
        sf = subflows.setdefault(st, Subflow())
        subtypes = r[SUBTYPE].split(",") if r[SUBTYPE] else []
        ids = r[ADDRID].split(",") if r[ADDRID] else []
        clock += 1
        if "1" in subtypes and f & 0x02 and ids:
            sf.ids[d], sf.id_at[d] = int(ids[0]), clock
            if not f & 0x10 and r[BACKUP]:
                sf.backup = int(first(r[BACKUP]))
        if "5" in subtypes and not f & 0x02:
            if ids:
                raise SystemExit("reinj-ref.py: MP_PRIO with an address id: not handled")
            sf.backup = int(first(r[BACKUP]))
        if "4" in subtypes:
            if ID_SUBTYPES & set(subtypes):
                raise SystemExit("reinj-ref.py: REMOVE_ADDR beside another id: not handled")
            for i in ids:
                rm[(d, int(i))] = clock
        if r[ACK] and f & 0x10:
            a = int(r[ACK])
            if sf.acked[other] is None or a > sf.acked[other]:
                sf.acked[other] = a
        dsn = REF.widen(ref.get((conn, d)), int(first(r[DSN])), first(r[DSN8]) == "1") \
            if r[DSN] else None
        if dsn is not None:
            ref[(conn, d)] = dsn if ref.get((conn, d)) is None else max(ref[(conn, d)], dsn)
            mapping[(st, d)] = (dsn, int(first(r[SSN])), int(first(r[DLEN])),
                                first(r[DFIN]) == "1")
        elif r[KEY] and first(r[VERSION]) == "1" and r[DLEN] and int(r[LEN]) \
                and (conn, d) in space:
            mapping[(st, d)] = (space[(conn, d)] + 1, 1, int(first(r[DLEN])), False)
        n, seq = int(r[LEN]), int(r[SEQ])
        m = mapping.get((st, d))
        if n and m and m[2]:
            size = m[2] - (1 if m[3] else 0)
            a, b = max(seq - m[1], 0), min(seq - m[1] + n, size)
            off = m[0] - m[1]          # dsn - subflow sequence number: the mapping
            orig = origins.setdefault((conn, d), Origins())
            # only what is new at the TCP level: a retransmission of a
            # copy is not one more reinjection
            runs = []
            for p, q in sf.seen[d].gaps(seq, seq + n):
                x, y = max(p - m[1], a), min(q - m[1], b)   # offsets in the mapping
                if x < y:
                    runs += orig.runs(m[0] + x, m[0] + y)
            for x, y, v in runs:
                if v is None:
                    orig.add(x, y, (st, off, t))
                elif v[:2] != (st, off):
                    o = subflows[v[0]]
                    cause = classify(o, rm, d, v[2], t)
                    # bytes below O's ACK (subflow sequence number + off) first
                    acked = x if o.acked[d] is None else min(max(o.acked[d] + v[1], x), y)
                    for red, part in ((1, acked - x), (0, y - acked)):
                        if part:
                            k = (t, d, cause, red)
                            out[k] = out.get(k, 0) + part
                    # the rest waits for the DATA_ACK (bytes it covered
                    # already, or another copy waits for, are not followed)
                    lo = max(acked, dacks.get((conn, d), acked))
                    cs = copies.setdefault((conn, d), [])
                    if lo < y and not any(c[0] < y and lo < c[1] for c in cs):
                        cs.append((lo, y, v[0], v[1], st, off))
        if n:
            if sf.seen[d].overlaps(seq, seq + n):
                sf.rexmit[d] = t
            sf.seen[d].add(seq, seq + n)
        if f & 0x05:
            sf.closed = True
        sf.last[d] = t
        # a DATA_ACK that advances tells the copies it covers apart: the
        # bytes the copy's subflow had acknowledged and the origin's had not
        if r[DACK]:
            dack = REF.widen(ref.get((conn, other)), int(first(r[DACK])), first(r[DACK8]) == "1")
            if dack is not None and dack > dacks.get((conn, other), -1):
                dacks[(conn, other)] = dack
                keep = []
                for lo, hi, so, offo, sr, offr in copies.get((conn, other), []):
                    if hi > dack:
                        keep.append((lo, hi, so, offo, sr, offr))
                        continue
                    ao, ar = subflows[so].acked[other], subflows[sr].acked[other]
                    ko = max(ao + offo, lo) if ao is not None else lo
                    kr = min(max(ar + offr, lo), hi) if ar is not None else lo
                    useful[other] += max(0, kr - ko)
                copies[(conn, other)] = keep
    USEFUL.update(useful)
    return sorted(out.items())


USEFUL = {}


def main():
    args = sys.argv[1:]
    if len(args) == 2 and args[0] == "--useful":
        reinjections(args[1])
        for d in ("c2s", "s2c"):
            print(d, USEFUL[d])
        return
    if len(args) != 1:
        raise SystemExit("usage: reinj-ref.py [--useful] CAPTURE")
    for (t, d, cause, red), n in reinjections(args[0]):
        print(t, d, cause, red, n)


if __name__ == "__main__":
    main()
