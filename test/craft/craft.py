#!/usr/bin/python3
"""Deterministic capture crafter for mptcp-tools' hand-derived test fixtures.

Usage: /usr/bin/python3 test/craft/craft.py OUTDIR [CASE...]

Writes OUTDIR/NAME.pcap (classic pcap, microsecond, link type 1 = Ethernet;
bad-timestamp is pcapng) and OUTDIR/NAME.expect.tsv (metric, dir, value,
why) for every case, or the cases named. The long cases (BIG: mp-long,
mp-bound) are written only when named; the tests make them.
Every expected value below is written BY HAND from the packet list next to
it (only tokens, IDSNs, HMACs and checksums are computed with hashlib/hmac,
as the brief allows).  Nothing here models the tools under test.

Conventions are documented in test/craft/README.md.
"""
import hashlib
import hmac
import os
import struct
import sys

from scapy.all import ARP, ICMP, IP, UDP, Ether, IPv6, ICMPv6EchoRequest, Raw, DNS, DNSQR
from scapy.all import conf
conf.verb = 0

EPOCH = 1700000000          # all captures start at this epoch second
MAC_C = "02:00:00:00:00:01"
MAC_S = "02:00:00:00:00:02"

# ---------------------------------------------------------------- pcap out

def write_pcap(path, recs, linktype=1, snaplen=65535):
    """recs: list of (t_seconds(float, relative), frame_bytes, caplen or None).
    Timestamps are converted to integer microseconds once (round), so every
    value in the file is exact."""
    out = [struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, snaplen, linktype)]
    for t, data, caplen in recs:
        us = int(round(t * 1_000_000))
        sec, usec = EPOCH + us // 1_000_000, us % 1_000_000
        cap = len(data) if caplen is None else caplen
        out.append(struct.pack("<IIII", sec, usec, cap, len(data)))
        out.append(data[:cap])
    with open(path, "wb") as f:
        f.write(b"".join(out))


def csum16(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


class EP:
    """An endpoint: MAC, IP (v4 or v6 literal), port."""
    def __init__(self, ip, port, mac):
        self.ip, self.port, self.mac = ip, port, mac
        self.v6 = ":" in ip


FLAGBITS = {"F": 0x01, "S": 0x02, "R": 0x04, "P": 0x08, "A": 0x10, "U": 0x20, "E": 0x40, "C": 0x80}


def tcp_bytes(a, b, flags, seq, ack, payload, win, opts, pad=True):
    if pad and len(opts) % 4:
        opts = b"\x01" * (4 - len(opts) % 4) + opts      # NOPs in front
    fl = 0
    for ch in flags:
        fl |= FLAGBITS[ch]
    doff = (20 + len(opts)) // 4
    hdr = struct.pack("!HHIIBBHHH", a.port, b.port, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF,
                      doff << 4, fl, win, 0, 0) + opts
    seg = hdr + payload
    if a.v6:
        import ipaddress
        ph = (ipaddress.IPv6Address(a.ip).packed + ipaddress.IPv6Address(b.ip).packed
              + struct.pack("!I3xB", len(seg), 6))
    else:
        import ipaddress
        ph = (ipaddress.IPv4Address(a.ip).packed + ipaddress.IPv4Address(b.ip).packed
              + struct.pack("!xBH", 6, len(seg)))
    c = (~csum16(ph + seg)) & 0xFFFF
    return seg[:16] + struct.pack("!H", c) + seg[18:]


class Cap:
    """One capture under construction."""
    def __init__(self):
        self.recs = []
        self.ipid = {}

    def raw(self, t, frame, caplen=None):
        self.recs.append((t, bytes(frame), caplen))

    def tcp(self, t, a, b, flags, seq, ack, n=0, ipid=None, win=65535, opts=b"",
            df=True, caplen=None, ttl=64, pad=True, payload=None):
        if payload is None:
            payload = bytes((0x41 + i % 26) for i in range(n))
        seg = tcp_bytes(a, b, flags, seq, ack, payload, win, opts, pad)
        if a.v6:
            ip = IPv6(src=a.ip, dst=b.ip, nh=6, hlim=ttl)
        else:
            if ipid is None:
                ipid = self.ipid.get(a.ip, 100 if a.mac == MAC_C else 200)
                self.ipid[a.ip] = ipid + 1
            ip = IP(src=a.ip, dst=b.ip, proto=6, id=ipid, ttl=ttl, flags="DF" if df else 0)
        fr = Ether(src=a.mac, dst=b.mac) / ip / Raw(seg)
        self.raw(t, fr, caplen)
        return fr


# ---------------------------------------------------------------- MPTCP

def key_b(k):
    return struct.pack("!Q", k)


def token_idsn(key, version):
    h = (hashlib.sha256 if version == 1 else hashlib.sha1)(key_b(key)).digest()
    return struct.unpack("!I", h[:4])[0], struct.unpack("!Q", h[-8:])[0]


def mpc(version, flags, k1=None, k2=None, dlen=None):
    body = bytes([(0 << 4) | version, flags])
    if k1 is not None:
        body += key_b(k1)
    if k2 is not None:
        body += key_b(k2)
    if dlen is not None:
        body += struct.pack("!H", dlen)
    return bytes([30, 2 + len(body)]) + body


def join_syn(token, nonce, addr_id=0, backup=0):
    return bytes([30, 12, (1 << 4) | backup, addr_id]) + struct.pack("!II", token, nonce)


def join_synack(hmac64, nonce, addr_id=0, backup=0):
    return bytes([30, 16, (1 << 4) | backup, addr_id]) + hmac64 + struct.pack("!I", nonce)


def join_ack(hmac160):
    return bytes([30, 24, 1 << 4, 0]) + hmac160


def join_hmacs(key_a, key_b_, r_a, r_b, version):
    """A = joining host (client), B = listener (server). Returns (syn/ack 8 bytes, ack 20 bytes)."""
    dig = hashlib.sha256 if version == 1 else hashlib.sha1
    hb = hmac.new(key_b(key_b_) + key_b(key_a), struct.pack("!II", r_b, r_a), dig).digest()
    ha = hmac.new(key_b(key_a) + key_b(key_b_), struct.pack("!II", r_a, r_b), dig).digest()
    return hb[:8], ha[:20]


def dss(dack=None, dack8=True, dsn=None, dsn8=True, ssn=0, dlen=0, csum=None, fin=False):
    fl = 0
    body = b""
    if dack is not None:
        fl |= 0x01
        if dack8:
            fl |= 0x02
            body += struct.pack("!Q", dack & (2**64 - 1))
        else:
            body += struct.pack("!I", dack & 0xFFFFFFFF)
    if dsn is not None:
        fl |= 0x04
        if dsn8:
            fl |= 0x08
            body += struct.pack("!Q", dsn & (2**64 - 1))
        else:
            body += struct.pack("!I", dsn & 0xFFFFFFFF)
        body += struct.pack("!IH", ssn, dlen)
        if csum is not None:
            body += struct.pack("!H", csum)
    if fin:
        fl |= 0x10
    return bytes([30, 4 + len(body), 2 << 4, fl]) + body


def dss_csum(dsn64, ssn, dlen, payload):
    """RFC 6824 s3.3 / RFC 8684 s3.3.1 DSS checksum."""
    ph = struct.pack("!QIHH", dsn64, ssn, dlen, 0)
    return (~csum16(ph + payload)) & 0xFFFF


def mp_prio(backup, addr_id=None):
    if addr_id is None:
        return bytes([30, 3, (5 << 4) | backup])
    return bytes([30, 4, (5 << 4) | backup, addr_id])


def fastclose(key):
    return bytes([30, 12, 7 << 4, 0]) + key_b(key)


def payload(n, seed=0):
    return bytes((0x61 + (i + seed) % 26) for i in range(n))


# ---------------------------------------------------------------- expectations

class Exp:
    def __init__(self):
        self.rows = []

    def add(self, metric, d, value, why):
        assert d in ("c2s", "s2c", "-"), d
        assert "\t" not in why and "\n" not in why
        self.rows.append((metric, d, str(value), why))

    def write(self, path):
        with open(path, "w") as f:
            f.write("metric\tdir\tvalue\twhy\n")
            for r in self.rows:
                f.write("\t".join(r) + "\n")


TCP_ORDER = ["pkts", "data_pkts", "data_bytes", "unique_bytes", "rexmit_pkts", "rexmit_bytes",
             "ooo_pkts", "syn", "fin", "rst", "pure_ack"]
CLASSES = ["rexmit_rto", "rexmit_fr", "rexmit_reorder", "rexmit_netdup", "rexmit_flowctl",
           "rexmit_unknown", "rexmit_unnec_rto", "rexmit_unnec_fr"]


def fmt_ms(x):
    s = ("%.3f" % x).rstrip("0").rstrip(".")
    return s


def tcpdir(E, d, prefix="", nodata=False, **kw):
    """kw: metric=(value, why); rtt=(n, min, max, avg, why).  Every metric of
    TCP_ORDER must be given (nodata=True fills the five data metrics and
    ooo_pkts with 0); classes not given are 0."""
    if nodata:
        for m in ("data_pkts", "data_bytes", "unique_bytes", "rexmit_pkts", "rexmit_bytes", "ooo_pkts"):
            kw.setdefault(m, (0, "no payload sent in this direction"))
    kw.setdefault("ooo_pkts", (0, "every data segment starts at or below the highest expected seq"))
    kw.setdefault("rst", (0, "no RST in this direction"))
    for m in TCP_ORDER:
        v, why = kw.pop(m)
        E.add(prefix + m, d, v, why)
    n, mn, mx, avg, why = kw.pop("rtt")
    E.add(prefix + "rtt_n", d, n, why)
    for m, v in (("rtt_min_ms", mn), ("rtt_max_ms", mx), ("rtt_avg_ms", avg)):
        E.add(prefix + m, d, "-" if n == 0 else fmt_ms(v), "from the %d sample(s) above" % n if n else "no RTT sample")
    for c in CLASSES:
        v, why = kw.pop(c, (0, "no retransmission or hole fill of this class in this direction"))
        E.add(prefix + c, d, v, why)
    for m, (v, why) in kw.items():        # extra metrics (e.g. keepalive)
        E.add(prefix + m, d, v, why)


C4 = EP("10.0.0.1", 40000, MAC_C)
S4 = EP("10.0.0.2", 80, MAC_S)
C6 = EP("2001:db8::1", 40000, MAC_C)
S6 = EP("2001:db8::2", 80, MAC_S)
RTT_NOTE = "ACK seen 50 ms after the segment it acknowledges (capture point mid-path)"


def handshake(P, t, C=C4, S=S4, ci=1000, si=5000, copts=(b"", b"", b""), sipid=None):
    P.tcp(t, C, S, "S", ci, 0, opts=copts[0] or b"\x02\x04\x05\xb4")
    P.tcp(t + 0.05, S, C, "SA", si, ci + 1, opts=copts[1] or b"\x02\x04\x05\xb4", ipid=sipid)
    P.tcp(t + 0.1, C, S, "A", ci + 1, si + 1, opts=copts[2])


def close(P, t, cseq, sseq, C=C4, S=S4):
    P.tcp(t, C, S, "FA", cseq, sseq)
    P.tcp(t + 0.05, S, C, "FA", sseq, cseq + 1)
    P.tcp(t + 0.1, C, S, "A", cseq + 1, sseq + 1)


CASES = {}


def case(name):
    def deco(f):
        CASES[name] = f
        return f
    return deco


# ================================================================ TCP cases

def rto_case(C, S, v6):
    P, E = Cap(), Exp()
    handshake(P, 0.0, C, S)                               # SYN 0.000, SYN/ACK 0.050, ACK 0.100
    P.tcp(0.200, C, S, "PA", 1001, 5001, 100)             # A 1001-1101
    P.tcp(0.210, C, S, "PA", 1101, 5001, 100)             # B 1101-1201, lost after capture
    P.tcp(0.250, S, C, "A", 5001, 1101)                   # acks A
    P.tcp(0.510, C, S, "PA", 1101, 5001, 100)             # B again
    P.tcp(0.560, S, C, "A", 5001, 1201)
    close(P, 0.600, 1201, 5001, C, S)                     # FIN 0.6, FIN/ACK 0.65, ACK 0.7
    E.add("conns", "-", 1, "one 4-tuple, one SYN")
    ipid = "no IP ID in IPv6; " if v6 else "IP ID differs (103 vs 104); "
    tcpdir(E, "c2s",
           pkts=(7, "SYN, ACK, A(0.200), B(0.210), B'(0.510), FIN, ACK"),
           data_pkts=(3, "A, B, B'"), data_bytes=(300, "3 x 100 incl. the retransmission"),
           unique_bytes=(200, "seq 1001-1201"), rexmit_pkts=(1, "B' repeats seq 1101-1201"),
           rexmit_bytes=(100, "B' is 100 bytes"), syn=(1, "t=0"), fin=(1, "t=0.600"),
           pure_ack=(2, "ACKs at 0.100 and 0.700"),
           rtt=(3, 50, 50, 50, "SYN->0.050, A->0.250, FIN->0.650 all 50 ms; B not sampled (Karn: retransmitted)"),
           rexmit_rto=(1, ipid + "seen-not-acked; recovery 0.510-0.210=300 ms > RTO=max(100, 50+50+4*0)=100 ms; 0 dup ACKs -> RTO"))
    tcpdir(E, "s2c", nodata=True,
           pkts=(4, "SYN/ACK, ACK 0.250, ACK 0.560, FIN/ACK"), syn=(1, "SYN/ACK"), fin=(1, "0.650"),
           pure_ack=(2, "0.250 and 0.560"),
           rtt=(2, 50, 50, 50, "SYN/ACK->ACK 0.100, FIN/ACK->ACK 0.700"))
    return P, E


@case("tcp-rto")
def tcp_rto():
    return rto_case(C4, S4, False)


@case("tcp-ipv6-rto")
def tcp_ipv6_rto():
    return rto_case(C6, S6, True)


@case("tcp-fastrexmit")
def tcp_fastrexmit():
    P, E = Cap(), Exp()
    handshake(P, 0.0)
    for i, t in enumerate((0.200, 0.201, 0.202, 0.203, 0.204)):   # A B C D E, 100 B each
        P.tcp(t, C4, S4, "PA", 1001 + 100 * i, 5001, 100)          # B (0.201) lost after capture
    P.tcp(0.250, S4, C4, "A", 5001, 1101)                          # acks A
    P.tcp(0.252, S4, C4, "A", 5001, 1101)                          # dup 1 (C)
    P.tcp(0.253, S4, C4, "A", 5001, 1101)                          # dup 2 (D)
    P.tcp(0.254, S4, C4, "A", 5001, 1101)                          # dup 3 (E)
    P.tcp(0.260, C4, S4, "PA", 1101, 5001, 100)                    # B'
    P.tcp(0.310, S4, C4, "A", 5001, 1501)                          # cumulative
    close(P, 0.400, 1501, 5001)
    E.add("conns", "-", 1, "one SYN")
    tcpdir(E, "c2s",
           pkts=(10, "SYN, ACK, A-E (5), B'(0.260), FIN, ACK"), data_pkts=(6, "A-E and B'"),
           data_bytes=(600, "6 x 100"), unique_bytes=(500, "seq 1001-1501"),
           rexmit_pkts=(1, "B' repeats 1101-1201"), rexmit_bytes=(100, "B'"),
           syn=(1, "t=0"), fin=(1, "0.400"), pure_ack=(2, "0.100, 0.500"),
           rtt=(4, 50, 106, 64, "SYN 50, A 50 (ack 1101 at 0.250), E 106 (ack 1501 = end of E, E sent 0.204, never rexmitted), FIN 50; avg (50+50+106+50)/4=64; B' not sampled (Karn)"),
           rexmit_fr=(1, "seen-not-acked, IP ID differs; 3 dup ACKs (0.252/0.253/0.254) and recovery 0.260-0.201=59 ms < RTO 100 ms -> fast retransmit"))
    tcpdir(E, "s2c", nodata=True,
           pkts=(7, "SYN/ACK, 5 ACKs (0.250,0.252,0.253,0.254,0.310), FIN/ACK"), syn=(1, "SYN/ACK"),
           fin=(1, "0.450"), pure_ack=(5, "the 5 ACKs"),
           rtt=(2, 50, 50, 50, "SYN/ACK->0.100, FIN/ACK->0.500"),
           dupacks=(3, "ACK 1101 repeated at 0.252, 0.253, 0.254 (extra metric)"))
    E.add("rtt_n_strict", "c2s", 3, "if a cumulative ACK that also covers a retransmitted segment is ambiguous (tcptrace), E's 106 ms sample is dropped: SYN, A, FIN")
    return P, E


@case("tcp-reorder")
def tcp_reorder():
    P, E = Cap(), Exp()
    handshake(P, 0.0)
    P.tcp(0.200, C4, S4, "PA", 1001, 5001, 100)    # A 1001-1101
    P.tcp(0.210, C4, S4, "PA", 1201, 5001, 100)    # C 1201-1301 (above expected 1101)
    P.tcp(0.215, C4, S4, "PA", 1101, 5001, 100)    # B 1101-1201 fills the hole
    P.tcp(0.250, S4, C4, "A", 5001, 1101)          # acks A
    P.tcp(0.260, S4, C4, "A", 5001, 1101)          # dup (C arrived out of order)
    P.tcp(0.265, S4, C4, "A", 5001, 1301)          # acks all
    close(P, 0.400, 1301, 5001)
    E.add("conns", "-", 1, "one SYN")
    tcpdir(E, "c2s",
           pkts=(7, "SYN, ACK, A, C, B, FIN, ACK"), data_pkts=(3, "A, C, B"), data_bytes=(300, "3 x 100"),
           unique_bytes=(300, "no byte sent twice"), rexmit_pkts=(0, "B carries bytes never seen before (hole fill, not a retransmission)"),
           rexmit_bytes=(0, "none"), ooo_pkts=(1, "C (seq 1201) starts above the expected 1101"),
           syn=(1, "t=0"), fin=(1, "0.400"), pure_ack=(2, "0.100, 0.500"),
           rtt=(4, 50, 55, 51.25, "SYN 50, A 50, C 55 (ack 1301=end of C at 0.265, C sent 0.210), FIN 50; B's end 1201 is never acked exactly; avg 205/4"),
           rexmit_reorder=(1, "B fills hole: recovery 0.215-0.200=15 ms < RTO 100, 0 dup ACKs yet; 0.215-0.210 (seg after hole)=5 ms < RTTmin=50+50=100 ms -> reordering"))
    tcpdir(E, "s2c", nodata=True,
           pkts=(5, "SYN/ACK, ACKs 0.250, 0.260, 0.265, FIN/ACK"), syn=(1, "SYN/ACK"), fin=(1, "0.450"),
           pure_ack=(3, "0.250, 0.260, 0.265"), rtt=(2, 50, 50, 50, "SYN/ACK->0.100, FIN/ACK->0.500"))
    E.add("rtt_n_strict", "c2s", 3, "if a cumulative ACK that also covers a hole-filling segment is ambiguous (tcptrace), C's 55 ms sample is dropped: SYN, A, FIN")
    return P, E


@case("tcp-netdup")
def tcp_netdup():
    P, E = Cap(), Exp()
    handshake(P, 0.0)                                   # client IP IDs 100, 101
    P.tcp(0.200, C4, S4, "PA", 1001, 5001, 100, ipid=102)   # A
    P.tcp(0.201, C4, S4, "PA", 1001, 5001, 100, ipid=102)   # A duplicated by the network
    P.tcp(0.250, S4, C4, "A", 5001, 1101)
    P.tcp(0.251, S4, C4, "A", 5001, 1101)               # receiver's dup ACK for the copy
    P.tcp(0.300, C4, S4, "PA", 1101, 5001, 100, ipid=103)   # B
    P.tcp(0.350, S4, C4, "A", 5001, 1201)
    P.ipid[C4.ip] = 104
    close(P, 0.400, 1201, 5001)
    E.add("conns", "-", 1, "one SYN")
    tcpdir(E, "c2s",
           pkts=(7, "SYN, ACK, A, A-copy, B, FIN, ACK"), data_pkts=(3, "A, A-copy, B"),
           data_bytes=(300, "3 x 100"), unique_bytes=(200, "1001-1201"),
           rexmit_pkts=(1, "A-copy repeats 1001-1101"), rexmit_bytes=(100, "A-copy"),
           syn=(1, "t=0"), fin=(1, "0.400"), pure_ack=(2, "0.100, 0.500"),
           rtt=(3, 50, 50, 50, "SYN 50, B 50, FIN 50; A not sampled (seen twice, Karn)"),
           rexmit_netdup=(1, "A-copy: same IP ID 102 as A (1a false), not yet acked, 1 ms later -> network duplicate"))
    tcpdir(E, "s2c", nodata=True,
           pkts=(5, "SYN/ACK, ACKs 0.250, 0.251, 0.350, FIN/ACK"), syn=(1, "SYN/ACK"), fin=(1, "0.450"),
           pure_ack=(3, "0.250, 0.251, 0.350"), rtt=(2, 50, 50, 50, "SYN/ACK->0.100, FIN/ACK->0.500"))
    return P, E


@case("tcp-spurious")
def tcp_spurious():
    P, E = Cap(), Exp()
    handshake(P, 0.0)
    P.tcp(0.200, C4, S4, "PA", 1001, 5001, 100)     # A
    P.tcp(0.250, S4, C4, "A", 5001, 1101)           # acks A (lost after capture)
    P.tcp(0.500, C4, S4, "PA", 1001, 5001, 100)     # A again, already acked
    P.tcp(0.550, S4, C4, "A", 5001, 1101)           # dup ACK (D-SACK-less)
    close(P, 0.600, 1101, 5001)
    E.add("conns", "-", 1, "one SYN")
    tcpdir(E, "c2s",
           pkts=(6, "SYN, ACK, A, A', FIN, ACK"), data_pkts=(2, "A, A'"), data_bytes=(200, "2 x 100"),
           unique_bytes=(100, "1001-1101"), rexmit_pkts=(1, "A'"), rexmit_bytes=(100, "A'"),
           syn=(1, "t=0"), fin=(1, "0.600"), pure_ack=(2, "0.100, 0.700"),
           rtt=(3, 50, 50, 50, "SYN 50, A 50 (acked at 0.250 before the rexmit), FIN 50"),
           rexmit_unnec_rto=(1, "A' covers bytes acked at 0.250; IP ID differs; recovery 0.500-0.200=300 ms > RTO 100 ms -> unnecessary RTO"))
    tcpdir(E, "s2c", nodata=True,
           pkts=(4, "SYN/ACK, ACK 0.250, ACK 0.550, FIN/ACK"), syn=(1, "SYN/ACK"), fin=(1, "0.650"),
           pure_ack=(2, "0.250, 0.550"), rtt=(2, 50, 50, 50, "SYN/ACK->0.100, FIN/ACK->0.700"))
    return P, E


@case("tcp-zerowin")
def tcp_zerowin():
    P, E = Cap(), Exp()
    handshake(P, 0.0)
    P.tcp(0.200, C4, S4, "PA", 1001, 5001, 100)          # data 1001-1101
    P.tcp(0.250, S4, C4, "A", 5001, 1101, win=0)         # window closes
    P.tcp(0.450, C4, S4, "PA", 1101, 5001, 1)            # ZWP #1 (new byte 1101)
    P.tcp(0.500, S4, C4, "A", 5001, 1101, win=0)         # not accepted
    P.tcp(0.900, C4, S4, "PA", 1101, 5001, 1)            # ZWP #2 (same byte)
    P.tcp(0.950, S4, C4, "A", 5001, 1101, win=0)
    P.tcp(1.700, C4, S4, "PA", 1101, 5001, 1)            # ZWP #3
    P.tcp(1.750, S4, C4, "A", 5001, 1102, win=65535)     # byte accepted, window opens
    close(P, 1.800, 1102, 5001)
    E.add("conns", "-", 1, "one SYN")
    tcpdir(E, "c2s",
           pkts=(8, "SYN, ACK, data, 3 probes, FIN, ACK"),
           data_pkts=(4, "data + 3 one-byte probes"), data_bytes=(103, "100 + 3 x 1"),
           unique_bytes=(101, "1001-1102"), rexmit_pkts=(2, "probes #2 (0.900) and #3 (1.700) repeat byte 1101"),
           rexmit_bytes=(2, "2 x 1 byte"), syn=(1, "t=0"), fin=(1, "1.800"), pure_ack=(2, "0.100, 1.900"),
           rtt=(3, 50, 50, 50, "SYN 50, data 50, FIN 50; probe byte retransmitted -> no sample from ACK 1102 (Karn)"),
           rexmit_flowctl=(2, "probes #2/#3: 1 byte, peer's last window 0, both SYNs seen -> flow control (checked first)"))
    tcpdir(E, "s2c", nodata=True,
           pkts=(6, "SYN/ACK, ACKs 0.250, 0.500, 0.950, 1.750, FIN/ACK"), syn=(1, "SYN/ACK"), fin=(1, "1.850"),
           pure_ack=(4, "the 4 ACKs"), rtt=(2, 50, 50, 50, "SYN/ACK->0.100, FIN/ACK->1.900"),
           zero_win=(3, "ACKs at 0.250, 0.500, 0.950 advertise window 0 (extra metric)"))
    E.add("zwp", "c2s", 3, "extra: 1-byte segments at seq 1101 while the peer window is 0 (tshark: zero_window_probe)")
    return P, E


@case("tcp-keepalive")
def tcp_keepalive():
    P, E = Cap(), Exp()
    handshake(P, 0.0)
    P.tcp(0.200, C4, S4, "PA", 1001, 5001, 100)
    P.tcp(0.250, S4, C4, "A", 5001, 1101)
    P.tcp(10.250, C4, S4, "A", 1100, 5001)            # keep-alive, 0 bytes, seq = snd.nxt-1
    P.tcp(10.300, S4, C4, "A", 5001, 1101)
    P.tcp(20.250, C4, S4, "A", 1100, 5001, 1, payload=b"\0")   # keep-alive, 1 garbage byte
    P.tcp(20.300, S4, C4, "A", 5001, 1101)
    close(P, 20.400, 1101, 5001)
    E.add("conns", "-", 1, "one SYN")
    tcpdir(E, "c2s",
           pkts=(7, "SYN, ACK, data, KA0, KA1, FIN, ACK"),
           data_pkts=(2, "data + KA1 (1 byte on the wire; convention: counted as a data packet)"),
           data_bytes=(101, "100 + KA1's garbage byte"), unique_bytes=(100, "1001-1101"),
           rexmit_pkts=(0, "keep-alives are not retransmissions (as tshark and the Linux kernel)"),
           rexmit_bytes=(0, "none"), syn=(1, "t=0"), fin=(1, "20.400"),
           pure_ack=(3, "0.100, KA0 (ACK, no payload), 20.500"),
           rtt=(3, 50, 50, 50, "SYN 50, data 50, FIN 50; ACK 1101 after a keep-alive acks no unacked segment"),
           keepalive=(2, "extra: seq 1100 = snd.nxt-1 after idle 10 s, 0 and 1 byte"))
    tcpdir(E, "s2c", nodata=True,
           pkts=(5, "SYN/ACK, ACKs 0.250, 10.300, 20.300, FIN/ACK"), syn=(1, "SYN/ACK"), fin=(1, "20.450"),
           pure_ack=(3, "ACKs at 0.250, 10.300, 20.300; the FIN/ACK carries a FIN"), rtt=(2, 50, 50, 50, "SYN/ACK->0.100, FIN/ACK->20.500"))
    return P, E


@case("tcp-synrexmit")
def tcp_synrexmit():
    P, E = Cap(), Exp()
    mss = b"\x02\x04\x05\xb4"
    P.tcp(0.000, C4, S4, "S", 1000, 0, opts=mss)        # SYN (lost after capture)
    P.tcp(1.000, C4, S4, "S", 1000, 0, opts=mss)        # SYN again after 1 s
    P.tcp(1.050, S4, C4, "SA", 5000, 1001, opts=mss)    # SYN/ACK (client's ACK lost before capture)
    P.tcp(2.050, S4, C4, "SA", 5000, 1001, opts=mss)    # SYN/ACK again after 1 s
    P.tcp(2.100, C4, S4, "A", 1001, 5001)
    P.tcp(2.200, C4, S4, "PA", 1001, 5001, 100)
    P.tcp(2.250, S4, C4, "A", 5001, 1101)
    close(P, 2.300, 1101, 5001)
    E.add("conns", "-", 1, "both SYNs carry ISN 1000 -> same connection")
    tcpdir(E, "c2s",
           pkts=(6, "SYN, SYN', ACK 2.100, data, FIN, ACK 2.400"), data_pkts=(1, "2.200"),
           data_bytes=(100, "one segment"), unique_bytes=(100, "1001-1101"),
           rexmit_pkts=(1, "SYN' (1.000)"), rexmit_bytes=(0, "a SYN carries no payload (kernel counts 0; tcptrace counts 1)"),
           syn=(2, "0.000, 1.000"), fin=(1, "2.300"), pure_ack=(2, "2.100, 2.400"),
           rtt=(2, 50, 50, 50, "data 50, FIN 50; SYN retransmitted -> no sample (Karn)"),
           rexmit_rto=(1, "SYN' 1000 ms after SYN, no RTT sample yet so RTO=500 ms default; 1000 > 500 -> RTO (SYN retransmission)"))
    tcpdir(E, "s2c", nodata=True,
           pkts=(4, "SYN/ACK, SYN/ACK', ACK 2.250, FIN/ACK"), syn=(2, "1.050, 2.050"), fin=(1, "2.350"),
           rexmit_pkts=(1, "SYN/ACK' (2.050)"), rexmit_bytes=(0, "no payload"),
           pure_ack=(1, "2.250"), rtt=(1, 50, 50, 50, "FIN/ACK->2.400; SYN/ACK retransmitted -> no sample"),
           rexmit_rto=(1, "SYN/ACK' 1000 ms after SYN/ACK; no sample yet (default RTO 500 ms) -> RTO"))
    return P, E


@case("tcp-synack-ipid0")
def tcp_synack_ipid0():
    P, E = Cap(), Exp()
    mss = b"\x02\x04\x05\xb4"
    P.tcp(0.000, C4, S4, "S", 1000, 0, opts=mss)
    P.tcp(0.050, S4, C4, "SA", 5000, 1001, opts=mss, ipid=0)     # Linux: IP ID 0 + DF
    P.tcp(1.050, S4, C4, "SA", 5000, 1001, opts=mss, ipid=0)     # retransmitted, IP ID 0 again
    P.tcp(1.100, C4, S4, "A", 1001, 5001)                        # (first ACK lost before capture)
    P.tcp(1.200, C4, S4, "PA", 1001, 5001, 100)
    P.ipid[S4.ip] = 4321
    P.tcp(1.250, S4, C4, "A", 5001, 1101)
    close(P, 1.300, 1101, 5001)
    E.add("conns", "-", 1, "one SYN")
    tcpdir(E, "c2s", pkts=(5, "SYN, ACK 1.100, data, FIN, ACK"), data_pkts=(1, "1.200"),
           data_bytes=(100, "one segment"), unique_bytes=(100, "1001-1101"), rexmit_pkts=(0, "none"),
           rexmit_bytes=(0, "none"), syn=(1, "t=0"), fin=(1, "1.300"), pure_ack=(2, "1.100, 1.400"),
           rtt=(3, 50, 50, 50, "SYN->first SYN/ACK 0.050, data 50, FIN 50"))
    tcpdir(E, "s2c", nodata=True,
           pkts=(4, "SYN/ACK, SYN/ACK', ACK 1.250, FIN/ACK"), syn=(2, "0.050, 1.050"), fin=(1, "1.350"),
           rexmit_pkts=(1, "SYN/ACK' (1.050)"), rexmit_bytes=(0, "no payload"), pure_ack=(1, "1.250"),
           rtt=(1, 50, 50, 50, "FIN/ACK->1.400; SYN/ACK retransmitted -> no sample"),
           rexmit_rto=(1, "IP ID 0 with DF is Linux's 'no ID' (not evidence of a duplicate); 1000 ms after the SYN/ACK > RTO (<=500 ms) -> RTO, NOT network duplicate"),
           rexmit_netdup=(0, "IP ID 0 on both copies must not count as a duplicate (tstat bug)"))
    return P, E


@case("tcp-wrap")
def tcp_wrap():
    P, E = Cap(), Exp()
    ci = 2**32 - 150      # 4294967146: c2s data crosses 2^32
    si = 2**31 - 50       # 2147483598: s2c data crosses 2^31
    handshake(P, 0.0, ci=ci, si=si)
    P.tcp(0.200, C4, S4, "PA", ci + 1, si + 1, 100)        # 4294967147-4294967247
    P.tcp(0.210, C4, S4, "PA", ci + 101, si + 1, 100)      # 4294967247-51 (crosses 2^32)
    P.tcp(0.220, C4, S4, "PA", (ci + 201) % 2**32, si + 1, 100)   # 51-151
    P.tcp(0.250, S4, C4, "A", si + 1, ci + 101)
    P.tcp(0.260, S4, C4, "A", si + 1, (ci + 201) % 2**32)
    P.tcp(0.270, S4, C4, "PA", si + 1, (ci + 301) % 2**32, 100)   # 2147483599-2147483699, crosses 2^31, acks C
    P.tcp(0.320, C4, S4, "A", 151, si + 101)
    close(P, 0.400, 151, si + 101)
    E.add("conns", "-", 1, "one SYN")
    tcpdir(E, "c2s", pkts=(8, "SYN, ACK, 3 data, ACK 0.320, FIN, ACK"), data_pkts=(3, "0.200, 0.210, 0.220"),
           data_bytes=(300, "3 x 100"), unique_bytes=(300, "ISN 4294967146: bytes 4294967147..2^32-1 and 0..150 (300 bytes)"),
           rexmit_pkts=(0, "no byte sent twice; seg 2 crosses 2^32 (raw seq 4294967247 -> end 51)"),
           rexmit_bytes=(0, "tstat's quadrant bug would report phantom bytes here"),
           syn=(1, "t=0"), fin=(1, "0.400 seq 151"), pure_ack=(3, "0.100, 0.320, 0.500"),
           rtt=(5, 50, 50, 50, "SYN, 3 data segments (acks 4294967247, 51, 151), FIN: all 50 ms"))
    tcpdir(E, "s2c", pkts=(5, "SYN/ACK, ACKs 0.250/0.260, data 0.270, FIN/ACK"), data_pkts=(1, "0.270"),
           data_bytes=(100, "one segment"), unique_bytes=(100, "2147483599-2147483699 crosses 2^31=2147483648"),
           rexmit_pkts=(0, "none"), rexmit_bytes=(0, "none"), syn=(1, "SYN/ACK"), fin=(1, "0.450"),
           pure_ack=(2, "0.250, 0.260"), rtt=(3, 50, 50, 50, "SYN/ACK->0.100, data->0.320, FIN/ACK->0.500"))
    return P, E


@case("tcp-portreuse")
def tcp_portreuse():
    P, E = Cap(), Exp()
    handshake(P, 0.0)
    P.tcp(0.200, C4, S4, "PA", 1001, 5001, 100)
    P.tcp(0.250, S4, C4, "A", 5001, 1101)
    close(P, 0.300, 1101, 5001)                       # FIN/FIN-ACK/ACK, closed at 0.400
    handshake(P, 2.0, ci=900000, si=700000)           # same 4-tuple, new ISN
    P.tcp(2.200, C4, S4, "PA", 900001, 700001, 200)
    P.tcp(2.250, S4, C4, "A", 700001, 900201)
    close(P, 2.300, 900201, 700001)
    E.add("conns", "-", 2, "same 4-tuple: first closed by FIN both ways + last ACK at 0.400, new SYN ISN 900000 at 2.000")
    for n, (ts, nb) in enumerate(((0.0, 100), (2.0, 200)), 1):
        pre = "conn%d." % n
        tcpdir(E, "c2s", prefix=pre, pkts=(5, "SYN, ACK, data, FIN, ACK from t=%.1f" % ts),
               data_pkts=(1, "one segment"), data_bytes=(nb, "one %d-byte segment" % nb),
               unique_bytes=(nb, "no rexmit"), rexmit_pkts=(0, "none"), rexmit_bytes=(0, "none"),
               syn=(1, "own SYN"), fin=(1, "own FIN"), pure_ack=(2, "handshake ACK, last ACK"),
               rtt=(3, 50, 50, 50, "SYN, data, FIN each acked 50 ms later"))
        tcpdir(E, "s2c", prefix=pre, nodata=True, pkts=(3, "SYN/ACK, ACK, FIN/ACK"), syn=(1, "SYN/ACK"),
               fin=(1, "FIN/ACK"), pure_ack=(1, "ACK of the data"), rtt=(2, 50, 50, 50, "SYN/ACK and FIN/ACK"))
    return P, E


@case("tcp-midstream")
def tcp_midstream():
    P, E = Cap(), Exp()
    P.tcp(0.000, C4, S4, "PA", 20001, 70001, 100)
    P.tcp(0.050, S4, C4, "PA", 70001, 20101, 300)
    P.tcp(0.100, C4, S4, "A", 20101, 70301)
    P.tcp(0.200, C4, S4, "PA", 20101, 70301, 100)
    P.tcp(0.250, S4, C4, "A", 70301, 20201)
    close(P, 0.300, 20201, 70301)
    E.add("conns", "-", 1, "one 4-tuple, no SYN: capture starts mid-connection")
    E.add("handshake_seen", "-", 0, "no SYN in the capture (flowsplit hs=0)")
    E.add("client", "-", "10.0.0.1:40000", "sender of the first packet AND the ephemeral (non-well-known) port: any sane heuristic agrees")
    tcpdir(E, "c2s", pkts=(5, "0.000, 0.100, 0.200, FIN 0.300, ACK 0.400"), data_pkts=(2, "0.000, 0.200"),
           data_bytes=(200, "2 x 100"), unique_bytes=(200, "20001-20201"), rexmit_pkts=(0, "none"),
           rexmit_bytes=(0, "none"), ooo_pkts=(0, "first segment defines the expected seq"),
           syn=(0, "not captured"), fin=(1, "0.300"), pure_ack=(2, "0.100, 0.400"),
           rtt=(3, 50, 50, 50, "0.000->0.050 (ack 20101), 0.200->0.250, FIN->0.350"))
    tcpdir(E, "s2c", pkts=(3, "data 0.050, ACK 0.250, FIN/ACK 0.350"), data_pkts=(1, "0.050"),
           data_bytes=(300, "one 300-byte segment"), unique_bytes=(300, "70001-70301"), rexmit_pkts=(0, "none"),
           rexmit_bytes=(0, "none"), syn=(0, "not captured"), fin=(1, "0.350"), pure_ack=(1, "0.250"),
           rtt=(2, 50, 50, 50, "data->0.100, FIN/ACK->0.400"))
    return P, E


# ================================================================ MPTCP cases
# Client has Wi-Fi 192.168.1.10 and cellular 10.20.0.10; server 198.51.100.1:80.
CW = EP("192.168.1.10", 40000, MAC_C)
CC = EP("10.20.0.10", 40001, MAC_C)
CC2 = EP("10.20.0.10", 40002, MAC_C)
SM = EP("198.51.100.1", 80, MAC_S)
KC = 0x1122334455667788          # client key
KS = 0x99AABBCCDDEEFF00          # server key
RC, RS = 0x0A0B0C0D, 0x1A1B1C1D  # join nonces (client, server)
V1F = 0x01                       # MP_CAPABLE flags: H (HMAC-SHA256), no checksum


def mp_hs(P, t, C=CW, S=SM, kc=KC, ks=KS, ci=1000, si=5000, version=1, flags=V1F):
    """MP_CAPABLE handshake. v1: SYN no key, SYN/ACK server key, ACK both.
    v0: SYN client key, SYN/ACK server key, ACK both."""
    P.tcp(t, C, S, "S", ci, 0, opts=b"\x02\x04\x05\xb4" + mpc(version, flags, kc if version == 0 else None))
    P.tcp(t + 0.05, S, C, "SA", si, ci + 1, opts=b"\x02\x04\x05\xb4" + mpc(version, flags, ks))
    P.tcp(t + 0.1, C, S, "A", ci + 1, si + 1, opts=mpc(version, flags, kc, ks))


def join_hs(P, t, C, S, token, ci, si, backup=0, version=1, kc=KC, ks=KS, rc=RC, rs=RS):
    h64, h160 = join_hmacs(kc, ks, rc, rs, version)
    P.tcp(t, C, S, "S", ci, 0, opts=b"\x02\x04\x05\xb4" + join_syn(token, rc, addr_id=1, backup=backup))
    P.tcp(t + 0.05, S, C, "SA", si, ci + 1, opts=b"\x02\x04\x05\xb4" + join_synack(h64, rs, 0, backup))
    P.tcp(t + 0.1, C, S, "A", ci + 1, si + 1, opts=join_ack(h160))
    return h64, h160


TOK_C, IDSN_C = token_idsn(KC, 1)
TOK_S, IDSN_S = token_idsn(KS, 1)


def mp_ids(E, kc=KC, ks=KS, version=1):
    tc, ic = token_idsn(kc, version)
    ts, is_ = token_idsn(ks, version)
    h = "SHA-256" if version == 1 else "SHA-1"
    E.add("mp_version", "-", version, "MP_CAPABLE version field %d" % version)
    E.add("key_client", "-", kc, "key in %s" % ("third ACK (v1)" if version == 1 else "SYN and third ACK (v0)"))
    E.add("key_server", "-", ks, "key in SYN/ACK")
    E.add("token_client", "-", tc, "top 32 bits of %s(key_client as 8 bytes big-endian)" % h)
    E.add("token_server", "-", ts, "top 32 bits of %s(key_server); used in the MP_JOIN SYNs" % h)
    E.add("idsn_c2s", "-", ic, "low 64 bits of %s(key_client)" % h)
    E.add("idsn_s2c", "-", is_, "low 64 bits of %s(key_server)" % h)


@case("mp-unknown-token")
def mp_unknown_token():
    P, E = Cap(), Exp()
    mp_hs(P, 0.0)
    P.tcp(0.200, CW, SM, "PA", 1001, 5001, 100, opts=dss(IDSN_S + 1, True, IDSN_C + 1, True, 1, 100))
    P.tcp(0.250, SM, CW, "A", 5001, 1101, opts=dss(IDSN_C + 101))
    bad = 0xDEADBEEF
    assert bad not in (TOK_C, TOK_S)
    P.tcp(0.500, CC, SM, "S", 2000, 0, opts=b"\x02\x04\x05\xb4" + join_syn(bad, RC, 1, 0))
    P.tcp(0.550, SM, CC, "SA", 6000, 2001, opts=b"\x02\x04\x05\xb4" + join_synack(b"\x11" * 8, RS, 0, 0))
    P.tcp(0.600, CC, SM, "A", 2001, 6001, opts=join_ack(b"\x22" * 20))
    P.tcp(0.700, CC, SM, "PA", 2001, 6001, 100, opts=dss(777, True, 123456789, True, 1, 100))
    P.tcp(0.750, SM, CC, "A", 6001, 2101, opts=dss(123456889))
    E.add("conns", "-", 2, "Wi-Fi 4-tuple with MP_CAPABLE, cellular 4-tuple with MP_JOIN")
    mp_ids(E)
    E.add("mp_conns", "-", 1, "one MP_CAPABLE handshake captured")
    E.add("subflows", "-", 1, "only the MP_CAPABLE subflow belongs to it")
    E.add("join_token", "-", bad, "MP_JOIN SYN token 0xDEADBEEF")
    E.add("unknown_token_joins", "-", 1, "join token equals neither token_client nor token_server: its connection's handshake was not captured; the join is NOT attached to the captured MPTCP connection")
    E.add("sf2_status", "-", "unknown_token", "cellular join completed SYN/SYN-ACK/ACK but matches no captured key")
    E.add("unique_data_bytes", "c2s", 100, "captured MPTCP conn: DATA_ACK idsn_c2s+101 - (idsn_c2s+1)")
    return P, E


@case("mp-join-failed")
def mp_join_failed():
    P, E = Cap(), Exp()
    mp_hs(P, 0.0)
    P.tcp(0.200, CW, SM, "PA", 1001, 5001, 100, opts=dss(IDSN_S + 1, True, IDSN_C + 1, True, 1, 100))
    P.tcp(0.250, SM, CW, "A", 5001, 1101, opts=dss(IDSN_C + 101))
    P.tcp(0.500, CC, SM, "S", 2000, 0, opts=b"\x02\x04\x05\xb4" + join_syn(TOK_S, RC, 1, 0))   # never answered
    P.tcp(0.600, CC2, SM, "S", 3000, 0, opts=b"\x02\x04\x05\xb4" + join_syn(TOK_S, RC + 1, 2, 0))
    P.tcp(0.650, SM, CC2, "RA", 0, 3001)                                                     # refused
    E.add("conns", "-", 3, "Wi-Fi MP_CAPABLE subflow + 2 cellular join attempts (ports 40001, 40002)")
    mp_ids(E)
    E.add("mp_conns", "-", 1, "one MP_CAPABLE handshake")
    E.add("subflows", "-", 3, "both join SYNs carry token_server -> attached, though failed")
    E.add("subflows_established", "-", 1, "only the initial subflow completed a handshake")
    E.add("failed_subflows", "-", 2, "join 1 never answered, join 2 reset")
    E.add("sf1_status", "-", "established", "MP_CAPABLE SYN, SYN/ACK, ACK")
    E.add("sf2_status", "-", "no_synack", "10.20.0.10:40001 SYN at 0.500, nothing back")
    E.add("sf3_status", "-", "reset", "10.20.0.10:40002 SYN at 0.600 answered by RST/ACK at 0.650")
    E.add("sf2_join_delay_s", "-", "0.500000", "join SYN 0.500 - MP_CAPABLE SYN 0.000")
    E.add("sf3_join_delay_s", "-", "0.600000", "join SYN 0.600 - MP_CAPABLE SYN 0.000")
    E.add("unique_data_bytes", "c2s", 100, "DATA_ACK idsn_c2s+101")
    return P, E


@case("mp-fallback")
def mp_fallback():
    P, E = Cap(), Exp()
    P.tcp(0.000, CW, SM, "S", 1000, 0, opts=b"\x02\x04\x05\xb4" + mpc(1, V1F))
    P.tcp(0.050, SM, CW, "SA", 5000, 1001, opts=b"\x02\x04\x05\xb4")      # no MP_CAPABLE
    P.tcp(0.100, CW, SM, "A", 1001, 5001)
    P.tcp(0.200, CW, SM, "PA", 1001, 5001, 100)
    P.tcp(0.250, SM, CW, "A", 5001, 1101)
    close(P, 0.300, 1101, 5001, CW, SM)
    E.add("conns", "-", 1, "one TCP connection")
    E.add("mp_capable_syn", "-", 1, "SYN carries MP_CAPABLE v1")
    E.add("mp_conns", "-", 0, "SYN/ACK has no MP_CAPABLE -> plain TCP (RFC 8684 s3.7)")
    E.add("fallback", "-", 1, "fallback at handshake")
    E.add("subflows", "-", 0, "no MPTCP connection")
    E.add("unique_data_bytes", "c2s", "-", "no data level: no IDSN (no key), no mapping, no DATA_ACK")
    E.add("data_bytes", "c2s", 100, "one segment")
    E.add("unmapped_bytes", "c2s", 100, "its bytes have no data-level position (tcp-metrics has the connection)")
    return P, E


@case("mp-infinite")
def mp_infinite():
    P, E = Cap(), Exp()
    mp_hs(P, 0.0)
    P.tcp(0.200, CW, SM, "PA", 1001, 5001, 100, opts=dss(IDSN_S + 1, True, IDSN_C + 1, True, 1, 100))
    P.tcp(0.250, SM, CW, "A", 5001, 1101, opts=dss(IDSN_C + 101))
    P.tcp(0.300, CW, SM, "PA", 1101, 5001, 100, opts=dss(IDSN_S + 1, True, IDSN_C + 101, True, 101, 0))
    P.tcp(0.350, SM, CW, "A", 5001, 1201)
    P.tcp(0.400, CW, SM, "PA", 1201, 5001, 100)            # after fallback: no DSS
    P.tcp(0.450, SM, CW, "A", 5001, 1301)
    E.add("conns", "-", 1, "one subflow")
    mp_ids(E)
    E.add("mp_conns", "-", 1, "MP_CAPABLE handshake completed")
    E.add("infinite_mapping", "c2s", 1, "DSS at 0.300 has data-level length 0 (RFC 8684 s3.7 infinite mapping)")
    E.add("infinite_mapping", "s2c", 0, "server sends only DATA_ACKs / plain ACKs")
    E.add("infinite_mapping_dsn", "c2s", IDSN_C + 101, "DSN of that DSS = idsn_c2s + 101 (8-byte on the wire)")
    E.add("fallback", "-", 1, "fallback to TCP after establishment (infinite mapping)")
    E.add("mappings", "c2s", 2, "DSS mappings with M flag at 0.200 (len 100) and 0.300 (len 0)")
    E.add("unique_data_bytes_before_fallback", "c2s", 100, "highest DATA_ACK idsn_c2s+101 - (idsn_c2s+1); later data is acked only at TCP level")
    E.add("tcp_unique_bytes", "c2s", 300, "3 x 100 at subflow level")
    E.add("unmapped_bytes", "c2s", 200, "the payload under the infinite mapping (0.300) and after it (0.400): no data-level position")
    ident(E, "c2s", 300, 100, 0, 0, unmapped=200)
    return P, E


KC_WRAP = 0x5A17C0DE00028160     # found by search: low 32 bits of its v1 IDSN = 2^32 - 1139


@case("mp-dsnwrap")
def mp_dsnwrap():
    P, E = Cap(), Exp()
    tc, ic = token_idsn(KC_WRAP, 1)
    assert 2**32 - (ic & 0xFFFFFFFF) == 1139
    mp_hs(P, 0.0, kc=KC_WRAP)
    for k in range(4):
        dsn = ic + 1 + 500 * k
        P.tcp(0.200 + 0.01 * k, CW, SM, "PA", 1001 + 500 * k, 5001, 500,
              opts=dss(IDSN_S + 1, False, dsn, False, 1 + 500 * k, 500))
    for k in range(4):
        P.tcp(0.250 + 0.01 * k, SM, CW, "A", 5001, 1501 + 500 * k,
              opts=dss(ic + 501 + 500 * k, False))
    E.add("conns", "-", 1, "one subflow")
    mp_ids(E, kc=KC_WRAP)
    E.add("mp_conns", "-", 1, "one MP_CAPABLE handshake")
    hi = ic >> 32
    for k in range(4):
        d64 = ic + 1 + 500 * k
        E.add("map%d_dsn_wire" % (k + 1), "c2s", d64 & 0xFFFFFFFF, "4-byte DSN on the wire = low 32 bits")
        E.add("map%d_dsn64" % (k + 1), "c2s", d64,
              "idsn_c2s + 1 + %d; high 32 bits %s" % (500 * k, "%d (as IDSN)" % hi if (d64 >> 32) == hi else "%d = IDSN's + 1 (lower 32 bits wrapped)" % (d64 >> 32)))
    E.add("map3_crosses_2^32", "c2s", 1, "map3 covers low32 4294967158..4294967295 and 0..361: 138 + 362 = 500 bytes")
    E.add("last_dack64", "s2c", ic + 2001, "last DATA_ACK (4-byte wire %d) widened = idsn_c2s + 2001" % ((ic + 2001) & 0xFFFFFFFF))
    E.add("unique_data_bytes", "c2s", 2000, "4 x 500; no phantom 2^32 jump")
    E.add("reinj_bytes", "c2s", 0, "single subflow")
    return P, E


@case("mp-prio")
def mp_prio_case():
    P, E = Cap(), Exp()
    mp_hs(P, 0.0)
    join_hs(P, 0.300, CC, SM, TOK_S, 2000, 6000, backup=0)
    P.tcp(0.500, CC, SM, "PA", 2001, 6001, 100, opts=dss(IDSN_S + 1, True, IDSN_C + 1, True, 1, 100))
    P.tcp(0.550, SM, CC, "A", 6001, 2101, opts=dss(IDSN_C + 101))
    P.tcp(1.000, CC, SM, "A", 2101, 6001, opts=mp_prio(1))           # cellular becomes backup
    P.tcp(1.200, CW, SM, "PA", 1001, 5001, 100, opts=dss(IDSN_S + 1, True, IDSN_C + 101, True, 1, 100))
    P.tcp(1.250, SM, CW, "A", 5001, 1101, opts=dss(IDSN_C + 201))
    E.add("conns", "-", 2, "Wi-Fi MP_CAPABLE + cellular MP_JOIN")
    mp_ids(E)
    E.add("mp_conns", "-", 1, "one MP_CAPABLE")
    E.add("subflows", "-", 2, "join token = token_server")
    E.add("sf2_status", "-", "established", "join SYN, SYN/ACK, ACK with valid HMACs")
    E.add("sf2_hmac_ok", "-", 1, "HMAC-SHA256 computed per RFC 8684 s3.2 from both keys and nonces")
    E.add("sf2_backup_initial", "-", 0, "MP_JOIN SYN B flag 0")
    E.add("sf2_backup", "-", 1, "MP_PRIO (len 3, B=1) on the cellular subflow at 1.000")
    E.add("mp_prio", "c2s", 1, "one MP_PRIO option")
    E.add("sf2_join_delay_s", "-", "0.300000", "0.300 - 0.000")
    E.add("unique_data_bytes", "c2s", 200, "DATA_ACK reaches idsn_c2s+201")
    E.add("sf1_data_bytes", "c2s", 100, "Wi-Fi carries DSN +101..+201")
    E.add("sf2_data_bytes", "c2s", 100, "cellular carries DSN +1..+101")
    return P, E


@case("mp-datafin")
def mp_datafin():
    P, E = Cap(), Exp()
    mp_hs(P, 0.0)
    P.tcp(0.200, CW, SM, "PA", 1001, 5001, 100, opts=dss(IDSN_S + 1, True, IDSN_C + 1, True, 1, 100))
    P.tcp(0.250, SM, CW, "A", 5001, 1101, opts=dss(IDSN_C + 101))
    # DATA_FIN alone: subflow seq 0, data-level length 1 (RFC 8684 s3.3.3)
    P.tcp(0.300, CW, SM, "A", 1101, 5001, opts=dss(IDSN_S + 1, True, IDSN_C + 101, True, 0, 1, fin=True))
    P.tcp(0.350, SM, CW, "A", 5001, 1101, opts=dss(IDSN_C + 102, True, IDSN_S + 1, True, 0, 1, fin=True))
    P.tcp(0.400, CW, SM, "A", 1101, 5001, opts=dss(IDSN_S + 2))
    close(P, 0.500, 1101, 5001, CW, SM)
    E.add("conns", "-", 1, "one subflow")
    mp_ids(E)
    E.add("mp_conns", "-", 1, "one MP_CAPABLE")
    E.add("data_fin", "c2s", 1, "DSS F flag at 0.300, no payload")
    E.add("data_fin", "s2c", 1, "DSS F flag at 0.350, no payload")
    E.add("data_fin_dsn", "c2s", IDSN_C + 101, "DSN of the DATA_FIN = idsn_c2s + 101 (after 100 data bytes)")
    E.add("data_fin_dsn", "s2c", IDSN_S + 1, "server sent no data: idsn_s2c + 1")
    E.add("data_fin_acked", "c2s", 1, "DATA_ACK idsn_c2s+102 at 0.350 covers the DATA_FIN")
    E.add("data_fin_acked", "s2c", 1, "DATA_ACK idsn_s2c+2 at 0.400")
    E.add("unique_data_bytes", "c2s", 100, "highest DATA_ACK idsn_c2s+102 minus (idsn_c2s+1) minus 1 for the DATA_FIN, which occupies a DSN but is no data (mptcptrace seqAcked = lastack - IDSN = 102)")
    E.add("unique_data_bytes", "s2c", 0, "no data")
    E.add("tcp_data_bytes", "c2s", 100, "DATA_FIN-only segment has no payload")
    return P, E


@case("mp-fastclose")
def mp_fastclose():
    P, E = Cap(), Exp()
    mp_hs(P, 0.0)
    P.tcp(0.200, CW, SM, "PA", 1001, 5001, 100, opts=dss(IDSN_S + 1, True, IDSN_C + 1, True, 1, 100))
    P.tcp(0.250, SM, CW, "A", 5001, 1101, opts=dss(IDSN_C + 101))
    P.tcp(0.500, CW, SM, "R", 1101, 0, opts=fastclose(KS))       # RFC 8684 s3.5: RST + MP_FASTCLOSE
    E.add("conns", "-", 1, "one subflow")
    mp_ids(E)
    E.add("mp_conns", "-", 1, "one MP_CAPABLE")
    E.add("fastclose", "c2s", 1, "RST at 0.500 with MP_FASTCLOSE")
    E.add("fastclose", "s2c", 0, "none")
    E.add("fclose_key", "c2s", KS, "MP_FASTCLOSE carries the receiver's (server's) key")
    E.add("rst", "c2s", 1, "the same segment")
    E.add("unique_data_bytes", "c2s", 100, "DATA_ACK idsn_c2s+101")
    return P, E


@case("mp-reinject")
def mp_reinject():
    P, E = Cap(), Exp()
    mp_hs(P, 0.0)
    join_hs(P, 0.300, CC, SM, TOK_S, 2000, 6000)
    D0 = IDSN_C + 1
    P.tcp(0.500, CW, SM, "PA", 1001, 5001, 100, opts=dss(IDSN_S + 1, True, D0, True, 1, 100))        # M1
    P.tcp(0.510, CW, SM, "PA", 1101, 5001, 100, opts=dss(IDSN_S + 1, True, D0 + 100, True, 101, 100))  # M2
    P.tcp(0.800, CC, SM, "PA", 2001, 6001, 100, opts=dss(IDSN_S + 1, True, D0, True, 1, 100))        # R1 = M1
    P.tcp(0.810, CC, SM, "PA", 2101, 6001, 100, opts=dss(IDSN_S + 1, True, D0 + 150, True, 101, 100))  # R2
    P.tcp(0.860, SM, CC, "A", 6001, 2201, opts=dss(D0 + 250))
    P.tcp(0.870, SM, CW, "A", 5001, 1201, opts=dss(D0 + 250))     # late Wi-Fi ACK
    E.add("conns", "-", 2, "Wi-Fi MP_CAPABLE + cellular join")
    mp_ids(E)
    E.add("mp_conns", "-", 1, "one MP_CAPABLE")
    E.add("subflows", "-", 2, "join token = token_server")
    E.add("data_bytes", "c2s", 400, "4 mappings x 100 (incl. reinjections)")
    E.add("unique_data_bytes", "c2s", 250, "DSN D0..D0+250 (D0 = idsn_c2s+1), final DATA_ACK D0+250")
    E.add("reinj_bytes", "c2s", 150, "R1 repeats D0..D0+100 (100, first mapped on Wi-Fi by M1) + R2 overlaps D0+150..D0+200 of M2 (50); D0+200..D0+250 is new")
    E.add("reinj_segs", "c2s", 2, "R1 and R2 each overlap data first mapped on the other subflow")
    E.add("reinj_bytes_mptcptrace_rule", "c2s", 100, "identical-DSN-start rule only catches R1 (documented difference)")
    E.add("sf1_data_bytes", "c2s", 200, "M1 + M2")
    E.add("sf2_data_bytes", "c2s", 200, "R1 + R2")
    E.add("sf1_reinj_origin_bytes", "c2s", 150, "all reinjected bytes were first mapped on Wi-Fi")
    E.add("sf2_reinj_carried_bytes", "c2s", 150, "all reinjected bytes travelled on cellular")
    E.add("tcp_rexmit_pkts", "c2s", 0, "subflow sequence numbers never repeat on either subflow: reinjection is not TCP retransmission")
    return P, E


@case("mp-v0")
def mp_v0():
    P, E = Cap(), Exp()
    tc, ic = token_idsn(KC, 0)
    ts, is_ = token_idsn(KS, 0)
    mp_hs(P, 0.0, version=0, flags=0x81)      # A (checksum) + H (HMAC-SHA1)
    h64, h160 = join_hs(P, 0.300, CC, SM, ts, 2000, 6000, version=0)
    pl1, pl2 = payload(100, 0), payload(100, 7)
    c1 = dss_csum(ic + 1, 1, 100, pl1)
    c2 = dss_csum(ic + 101, 1, 100, pl2)
    P.tcp(0.500, CW, SM, "PA", 1001, 5001, 100, payload=pl1,
          opts=dss(is_ + 1, False, ic + 1, True, 1, 100, csum=c1))
    P.tcp(0.550, SM, CW, "A", 5001, 1101, opts=dss(ic + 101, False))
    P.tcp(0.600, CC, SM, "PA", 2001, 6001, 100, payload=pl2,
          opts=dss(is_ + 1, False, ic + 101, True, 1, 100, csum=c2))
    P.tcp(0.650, SM, CC, "A", 6001, 2101, opts=dss(ic + 201, False))
    E.add("conns", "-", 2, "Wi-Fi MP_CAPABLE + cellular MP_JOIN")
    mp_ids(E, version=0)
    E.add("mp_conns", "-", 1, "v0 handshake: client key in SYN (len 12) and ACK (len 20), server key in SYN/ACK")
    E.add("subflows", "-", 2, "join token = SHA-1 token_server")
    E.add("sf2_hmac_ok", "-", 1, "HMAC-SHA1 per RFC 6824 s3.2 (SYN/ACK 64 bits, ACK 160 bits)")
    E.add("sf2_synack_hmac", "-", h64.hex(), "HMAC-SHA1(KS||KC, RS||RC) truncated to 64 bits")
    E.add("map1_dsn64", "c2s", ic + 1, "8-byte DSN = idsn_c2s+1 on Wi-Fi")
    E.add("map2_dsn64", "c2s", ic + 101, "8-byte DSN on cellular")
    E.add("map1_dss_csum", "c2s", c1, "RFC 6824 s3.3 checksum over pseudo-header (DSN64, ssn 1, len 100, 0) + payload; valid")
    E.add("map2_dss_csum", "c2s", c2, "same for map2; valid")
    E.add("last_dack64", "s2c", ic + 201, "4-byte DATA_ACK widened with idsn_c2s's high bits")
    E.add("unique_data_bytes", "c2s", 200, "DATA_ACK idsn_c2s+201")
    E.add("reinj_bytes", "c2s", 0, "disjoint DSN ranges")
    return P, E


# ---------------------------------------------------------------- data-level accounting
# The rules of man/mptcp-metrics.1 ("Definitions"), one case each. In every
# case the accounting identity holds and is written out:
# data_bytes = unique + reinj + tcp_rexmit + unacked + unmapped + forgotten - acked_unseen.

def ident(E, d, data, unique, reinj, rexmit, unacked=0, unmapped=0, unseen=0, forgotten=0):
    assert data == unique + reinj + rexmit + unacked + unmapped + forgotten - unseen
    E.add("tcp_rexmit_bytes", d, rexmit, "payload bytes whose subflow sequence numbers an earlier captured segment carried")
    E.add("unacked_bytes", d, unacked, "first transmissions no DATA_ACK covered")
    E.add("acked_unseen_bytes", d, unseen, "data bytes DATA_ACKed whose transmission the capture lacks")
    E.add("unmapped_bytes", d, unmapped, "new payload bytes outside every mapping seen")
    E.add("origin_forgotten_bytes", d, forgotten, "no origin was dropped at the memory bound")


@case("mp-remap-offset")
def mp_remap_offset():
    """One subflow sends data again at new subflow sequence numbers (another
    DSN - SSN offset): a reinjection on the same subflow."""
    P, E = Cap(), Exp()
    mp_hs(P, 0.0)
    D0 = IDSN_C + 1
    P.tcp(0.200, CW, SM, "PA", 1001, 5001, 100, opts=dss(IDSN_S + 1, True, D0, True, 1, 100))        # M1
    P.tcp(0.250, SM, CW, "A", 5001, 1101, opts=dss(D0 + 100))
    P.tcp(0.300, CW, SM, "PA", 1101, 5001, 100, opts=dss(IDSN_S + 1, True, D0, True, 101, 100))      # M2 = D0.. at ssn 101
    P.tcp(0.350, SM, CW, "A", 5001, 1201, opts=dss(D0 + 100))
    P.tcp(0.400, CW, SM, "PA", 1201, 5001, 100, opts=dss(IDSN_S + 1, True, D0 + 100, True, 201, 100))  # M3
    P.tcp(0.450, SM, CW, "A", 5001, 1301, opts=dss(D0 + 200))
    close(P, 0.600, 1301, 5001, CW, SM)
    E.add("conns", "-", 1, "one subflow")
    mp_ids(E)
    E.add("mp_conns", "-", 1, "one MP_CAPABLE")
    E.add("data_bytes", "c2s", 300, "M1 + M2 + M3, 100 each")
    E.add("unique_data_bytes", "c2s", 200, "final DATA_ACK D0+200 (D0 = idsn_c2s+1)")
    E.add("reinj_bytes", "c2s", 100, "M2 carries D0..D0+100 at subflow seq 101..201 (dsn - ssn = D0-101), first sent at ssn 1..101 (D0-1) by M1: another mapping of the same subflow, DATA_ACKed or not")
    E.add("reinj_segs", "c2s", 1, "M2")
    E.add("mappings", "c2s", 3, "M1, M2, M3")
    E.add("sf1_reinj_origin_bytes", "c2s", 100, "M1 on Wi-Fi is the origin")
    E.add("sf1_reinj_carried_bytes", "c2s", 100, "M2 on Wi-Fi carried them")
    E.add("rtt_n", "c2s", 2, "M1 0.200->0.250 (DATA_ACK D0+100 before M2 went out), M3 0.400->0.450; M2 none (its bytes went out before)")
    ident(E, "c2s", 300, 200, 100, 0)
    return P, E


@case("mp-rexmit-acked")
def mp_rexmit_acked():
    """A subflow's own TCP retransmission of a mapping, after the data was
    DATA_ACKed through a reinjection on another subflow, is no reinjection."""
    P, E = Cap(), Exp()
    mp_hs(P, 0.0)
    join_hs(P, 0.300, CC, SM, TOK_S, 2000, 6000)
    D0 = IDSN_C + 1
    P.tcp(0.500, CW, SM, "PA", 1001, 5001, 100, opts=dss(IDSN_S + 1, True, D0, True, 1, 100))   # M1, never acked on Wi-Fi
    P.tcp(0.800, CC, SM, "PA", 2001, 6001, 100, opts=dss(IDSN_S + 1, True, D0, True, 1, 100))   # R1: reinjection
    P.tcp(0.850, SM, CC, "A", 6001, 2101, opts=dss(D0 + 100))
    P.tcp(1.100, CW, SM, "PA", 1001, 5001, 100, opts=dss(IDSN_S + 1, True, D0, True, 1, 100))   # M1 again (Wi-Fi RTO)
    P.tcp(1.150, SM, CW, "A", 5001, 1101, opts=dss(D0 + 100))
    E.add("conns", "-", 2, "Wi-Fi MP_CAPABLE + cellular join")
    mp_ids(E)
    E.add("mp_conns", "-", 1, "one MP_CAPABLE")
    E.add("data_bytes", "c2s", 300, "M1, R1, M1 again")
    E.add("unique_data_bytes", "c2s", 100, "DATA_ACK D0+100")
    E.add("reinj_bytes", "c2s", 100, "R1 on cellular sends D0..D0+100, first sent by M1 on Wi-Fi")
    E.add("reinj_segs", "c2s", 1, "R1 only: the second M1 repeats Wi-Fi subflow seq 1001..1101 under its own mapping")
    E.add("sf1_tcp_rexmit_bytes", "c2s", 100, "M1 at 1.100 repeats subflow seq 1001..1101")
    E.add("sf1_reinj_origin_bytes", "c2s", 100, "M1 is R1's origin")
    E.add("sf1_reinj_carried_bytes", "c2s", 0, "the repeat of M1 is a TCP retransmission")
    E.add("sf2_reinj_carried_bytes", "c2s", 100, "R1")
    E.add("rtt_n", "c2s", 0, "M1's bytes went out under R1 before the DATA_ACK; R1's had gone out before")
    ident(E, "c2s", 300, 100, 100, 100)
    return P, E


@case("mp-remap-acked")
def mp_remap_acked():
    """Late join, then a mapping on it covering data partly first sent on
    Wi-Fi and already DATA_ACKed: the part sent before is reinjected even
    though DATA_ACKed; the parts no one sent are new (no span with holes)."""
    P, E = Cap(), Exp()
    mp_hs(P, 0.0)
    D0 = IDSN_C + 1
    P.tcp(0.500, CW, SM, "PA", 1001, 5001, 100, opts=dss(IDSN_S + 1, True, D0, True, 1, 100))        # M1 [D0, D0+100)
    P.tcp(0.510, CW, SM, "PA", 1101, 5001, 100, opts=dss(IDSN_S + 1, True, D0 + 200, True, 101, 100))  # M3 [D0+200, D0+300)
    P.tcp(0.550, SM, CW, "A", 5001, 1101, opts=dss(D0 + 100))
    join_hs(P, 0.560, CC, SM, TOK_S, 2000, 6000)
    R = dss(IDSN_S + 1, True, D0 + 100, True, 1, 300)                                                 # R [D0+100, D0+400)
    P.tcp(0.700, CC, SM, "PA", 2001, 6001, 100, opts=R)      # D0+100..200: nobody sent it: new
    P.tcp(0.750, SM, CW, "A", 5001, 1201, opts=dss(D0 + 300))
    P.tcp(0.800, CC, SM, "PA", 2101, 6001, 100, opts=R)      # D0+200..300: M3's, DATA_ACKed: reinjected
    P.tcp(0.810, CC, SM, "PA", 2201, 6001, 100, opts=R)      # D0+300..400: new
    P.tcp(0.860, SM, CC, "A", 6001, 2301, opts=dss(D0 + 400))
    E.add("conns", "-", 2, "Wi-Fi MP_CAPABLE + cellular join at 0.560")
    mp_ids(E)
    E.add("mp_conns", "-", 1, "one MP_CAPABLE")
    E.add("data_bytes", "c2s", 500, "Wi-Fi 200 + cellular 300")
    E.add("unique_data_bytes", "c2s", 400, "DATA_ACK D0+400")
    E.add("reinj_bytes", "c2s", 100, "only D0+200..D0+300 (cellular 0.800) had gone out before (M3, Wi-Fi 0.510); DATA_ACKed at 0.750, still a reinjection")
    E.add("reinj_segs", "c2s", 1, "the cellular segment at 0.800")
    E.add("mappings", "c2s", 3, "M1, M3, R (its three segments repeat one DSS)")
    E.add("sf1_reinj_origin_bytes", "c2s", 100, "M3")
    E.add("sf2_reinj_carried_bytes", "c2s", 100, "cellular")
    E.add("rtt_n", "c2s", 2, "M1 0.500->0.550 (50 ms), M3 0.510->0.750 (240 ms, DATA_ACK D0+300 before the reinjection at 0.800); R none (D0+200.. had gone out before R)")
    ident(E, "c2s", 500, 400, 100, 0)
    return P, E


@case("mp-holefill")
def mp_holefill():
    """A segment lost before the capture point, retransmitted later: the
    retransmission fills a hole, so it is new at the TCP level, and goes
    through the reinjection check like any new byte."""
    P, E = Cap(), Exp()
    mp_hs(P, 0.0)
    join_hs(P, 0.300, CC, SM, TOK_S, 2000, 6000)
    D0 = IDSN_C + 1
    P.tcp(0.500, CW, SM, "PA", 1001, 5001, 100, opts=dss(IDSN_S + 1, True, D0, True, 1, 100))          # A
    # B (Wi-Fi seq 1101, D0+100) is lost before the capture point: not in the capture
    P.tcp(0.520, CW, SM, "PA", 1201, 5001, 100, opts=dss(IDSN_S + 1, True, D0 + 200, True, 201, 100))  # C
    P.tcp(0.550, SM, CW, "A", 5001, 1101, opts=dss(D0 + 100))
    P.tcp(0.600, CC, SM, "PA", 2001, 6001, 100, opts=dss(IDSN_S + 1, True, D0 + 100, True, 1, 100))    # R: B's data on cellular
    P.tcp(0.650, SM, CC, "A", 6001, 2101, opts=dss(D0 + 300))
    P.tcp(0.700, CW, SM, "PA", 1101, 5001, 100, opts=dss(IDSN_S + 1, True, D0 + 100, True, 101, 100))  # B retransmitted
    P.tcp(0.750, SM, CW, "A", 5001, 1301, opts=dss(D0 + 300))
    E.add("conns", "-", 2, "Wi-Fi MP_CAPABLE + cellular join")
    mp_ids(E)
    E.add("mp_conns", "-", 1, "one MP_CAPABLE")
    E.add("data_bytes", "c2s", 400, "A, C, R, B")
    E.add("unique_data_bytes", "c2s", 300, "DATA_ACK D0+300")
    E.add("reinj_bytes", "c2s", 100, "B at 0.700 is new on Wi-Fi (no captured segment carried seq 1101..1201) but D0+100..200 first went out on cellular (R, 0.600)")
    E.add("reinj_segs", "c2s", 1, "B")
    E.add("sf1_tcp_rexmit_bytes", "c2s", 0, "B fills a hole: below the highest sequence number sent, yet never carried")
    E.add("sf2_reinj_origin_bytes", "c2s", 100, "R is B's origin")
    E.add("sf1_reinj_carried_bytes", "c2s", 100, "B")
    E.add("rtt_n", "c2s", 3, "A 0.500->0.550 (50), C 0.520->0.650 (130), R 0.600->0.650 (50); B none")
    ident(E, "c2s", 400, 300, 100, 0)
    return P, E


@case("mp-ts-back")
def mp_ts_back():
    """Timestamps stepping backwards (as in a capture merged from several
    interfaces): counted, analysed in file order, no reinjection invented,
    no negative RTT sample."""
    P, E = Cap(), Exp()
    mp_hs(P, 0.0)
    join_hs(P, 0.300, CC, SM, TOK_S, 2000, 6000)
    D0 = IDSN_C + 1
    P.tcp(0.500, CW, SM, "PA", 1001, 5001, 100, opts=dss(IDSN_S + 1, True, D0, True, 1, 100))          # frame 7
    P.tcp(0.490, CC, SM, "PA", 2001, 6001, 100, opts=dss(IDSN_S + 1, True, D0 + 100, True, 1, 100))    # frame 8: 10 ms earlier
    P.tcp(0.560, SM, CW, "A", 5001, 1101, opts=dss(D0 + 200))
    P.tcp(0.600, CW, SM, "PA", 1101, 5001, 100, opts=dss(IDSN_S + 1, True, D0 + 200, True, 101, 100))  # frame 10
    P.tcp(0.590, SM, CW, "A", 5001, 1201, opts=dss(D0 + 300))                                          # frame 11: before frame 10
    P.tcp(0.620, SM, CC, "A", 6001, 2101, opts=dss(D0 + 300))
    E.add("conns", "-", 2, "Wi-Fi MP_CAPABLE + cellular join")
    mp_ids(E)
    E.add("mp_conns", "-", 1, "one MP_CAPABLE")
    E.add("ts_backwards", "-", 2, "frame 8 (0.490 after 0.500) and frame 11 (0.590 after 0.600)")
    E.add("ts_backwards_first_frame", "-", 8, "3 MP_CAPABLE + 3 MP_JOIN handshake frames, Wi-Fi data, then the cellular one")
    E.add("data_bytes", "c2s", 300, "3 x 100")
    E.add("unique_data_bytes", "c2s", 300, "DATA_ACK D0+300")
    E.add("reinj_bytes", "c2s", 0, "three disjoint DSN ranges: nothing sent twice, whatever the timestamps")
    E.add("rtt_n", "c2s", 2, "D0.. 0.500->0.560 (60 ms), D0+100.. 0.490->0.560 (70 ms); D0+200.. would be 0.600->0.590: no negative sample")
    ident(E, "c2s", 300, 300, 0, 0)
    return P, E


@case("mp-datafin2")
def mp_datafin2():
    """Two DATA_FINs at different data sequence numbers: each takes its
    octet, none is data."""
    P, E = Cap(), Exp()
    mp_hs(P, 0.0)
    D0 = IDSN_C + 1
    P.tcp(0.200, CW, SM, "PA", 1001, 5001, 100, opts=dss(IDSN_S + 1, True, D0, True, 1, 100))
    P.tcp(0.250, SM, CW, "A", 5001, 1101, opts=dss(D0 + 100))
    P.tcp(0.300, CW, SM, "A", 1101, 5001, opts=dss(IDSN_S + 1, True, D0 + 100, True, 0, 1, fin=True))
    P.tcp(0.400, CW, SM, "A", 1101, 5001, opts=dss(IDSN_S + 1, True, D0 + 101, True, 0, 1, fin=True))
    P.tcp(0.450, SM, CW, "A", 5001, 1101, opts=dss(D0 + 102))
    E.add("conns", "-", 1, "one subflow")
    mp_ids(E)
    E.add("mp_conns", "-", 1, "one MP_CAPABLE")
    E.add("data_bytes", "c2s", 100, "one data segment")
    E.add("data_fin", "c2s", 2, "DATA_FINs at D0+100 (0.300) and D0+101 (0.400), two octets")
    E.add("data_fin_acked", "c2s", 2, "DATA_ACK D0+102 covers both")
    E.add("unique_data_bytes", "c2s", 100, "D0+102 - D0 = 102 less the two DATA_FIN octets; never more than the data sent")
    ident(E, "c2s", 100, 100, 0, 0)
    return P, E


# ---------------------------------------------------------------- long cases
# Too large to ship: written only when named (`craft.py DIR mp-long`), as the
# tests do. Frames are packed by hand (scapy would take minutes).

BIG = {}


def big_case(name):
    def deco(f):
        BIG[name] = f
        return f
    return deco


def fast_tcp(P, t, a, b, flags, seq, ack, data=b"", opts=b""):
    """An Ethernet/IPv4 TCP frame like Cap.tcp's, without scapy."""
    import ipaddress
    seg = tcp_bytes(a, b, flags, seq, ack, data, 65535, opts)
    ipid = P.ipid.get(a.ip, 100 if a.mac == MAC_C else 200)
    P.ipid[a.ip] = (ipid + 1) & 0xFFFF
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(seg), ipid, 0x4000, 64, 6, 0,
                      ipaddress.IPv4Address(a.ip).packed, ipaddress.IPv4Address(b.ip).packed)
    hdr = hdr[:10] + struct.pack("!H", (~csum16(hdr)) & 0xFFFF) + hdr[12:]
    mac = lambda m: bytes(int(x, 16) for x in m.split(":"))
    P.raw(t, mac(b.mac) + mac(a.mac) + b"\x08\x00" + hdr + seg)


def long_rtt_us(k):
    """RTT of mapping k in the long case, in microseconds (1.000 to 90.757 ms)."""
    return 1000 + (k * 7919) % 9973 * 9


LONG_N = 16400     # mappings: 8200 per subflow, more than RTT_EXACT (8192) each


@big_case("mp-long")
def mp_long():
    """A long connection: LONG_N 10-byte mappings, two on Wi-Fi, two on
    cellular, and so on (the data level keeps LONG_N / 2 ranges, under
    its bound), each DATA_ACKed on its subflow after long_rtt_us(k); then
    data of early and late mappings sent again at other offsets."""
    P, E = Cap(), Exp()
    mp_hs(P, 0.0)
    join_hs(P, 0.300, CC, SM, TOK_S, 2000, 6000)
    D0, L = IDSN_C + 1, 10
    nxt = {CW: 1001, CC: 2001}
    data = payload(L)
    for k in range(LONG_N):
        c, srv_seq = (CW, 5001) if k // 2 % 2 == 0 else (CC, 6001)
        seq = nxt[c]
        t = 1.0 + 0.1 * k
        ssn = seq - (1000 if c is CW else 2000)
        fast_tcp(P, t, c, SM, "PA", seq, srv_seq, data, dss(IDSN_S + 1, True, D0 + L * k, True, ssn, L))
        fast_tcp(P, t + long_rtt_us(k) / 1e6, SM, c, "A", srv_seq, seq + L, opts=dss(D0 + L * (k + 1)))
        nxt[c] = seq + L
    t = 1.0 + 0.1 * LONG_N
    # sent again, already DATA_ACKed, each at new subflow sequence numbers
    again = [(CC, 0), (CC, 2), (CW, 8002), (CW, LONG_N - 4)]
    for i, (c, k) in enumerate(again):
        seq = nxt[c]
        ssn = seq - (1000 if c is CW else 2000)
        fast_tcp(P, t + 0.01 * i, c, SM, "PA", seq, 5001 if c is CW else 6001, data,
                 dss(IDSN_S + 1, True, D0 + L * k, True, ssn, L))
        nxt[c] = seq + L
    for c, srv_seq in ((CW, 5001), (CC, 6001)):
        fast_tcp(P, t + 0.1, SM, c, "A", srv_seq, nxt[c], opts=dss(D0 + L * LONG_N))
    E.add("conns", "-", 2, "Wi-Fi MP_CAPABLE + cellular join")
    mp_ids(E)
    E.add("mp_conns", "-", 1, "one MP_CAPABLE")
    E.add("data_bytes", "c2s", L * LONG_N + 4 * L, "LONG_N mappings of 10 bytes, then 4 sent again")
    E.add("unique_data_bytes", "c2s", L * LONG_N, "DATA_ACK D0 + 10 LONG_N")
    E.add("reinj_bytes", "c2s", 4 * L, "mappings 0 (Wi-Fi) and 2 (cellular) again on cellular, 8002 (cellular) and LONG_N-4 (Wi-Fi) again on Wi-Fi, each at another DSN - SSN offset")
    E.add("reinj_segs", "c2s", 4, "one segment each")
    E.add("mappings", "c2s", LONG_N + 4, "every mapping once")
    E.add("sf1_reinj_origin_bytes", "c2s", 2 * L, "mappings 0 and LONG_N-4 (k // 2 even: Wi-Fi)")
    E.add("sf2_reinj_origin_bytes", "c2s", 2 * L, "mappings 2 and 8002 (k // 2 odd: cellular)")
    E.add("sf1_reinj_carried_bytes", "c2s", 2 * L, "8002 and LONG_N-4 went again on Wi-Fi")
    E.add("sf2_reinj_carried_bytes", "c2s", 2 * L, "0 and 2 went again on cellular")
    E.add("rtt_n", "c2s", LONG_N, "every mapping, DATA_ACKed once, long_rtt_us(k) after it went out")
    ident(E, "c2s", L * LONG_N + 4 * L, L * LONG_N, 4 * L, 0)
    return P, E


BOUND_N = 20000    # mappings, more than ORIG_MAX (16000) origin ranges


@big_case("mp-bound")
def mp_bound():
    """BOUND_N 10-byte mappings alternating Wi-Fi and cellular with no
    DATA_ACK until the end: the data level reaches its bound (ORIG_MAX
    16000 ranges, man/mptcp-metrics.1) at the 16001st mapping. Nothing
    merges (alternating origins), so the lowest ranges are dropped until
    3/4 of the bound (12000) are left: mappings 0..4000, DSN D0..D0+40010,
    are forgotten; 3999 more ranges stay under the bound.
    Every mapping k = 500 mod 1000 is lost before the capture point and
    shows up after mapping k+7 (a hole fill, inserted among the others)."""
    P, E = Cap(), Exp()
    mp_hs(P, 0.0)
    join_hs(P, 0.300, CC, SM, TOK_S, 2000, 6000)
    D0, L = IDSN_C + 1, 10
    data = payload(L)

    def send(t, k):
        c = CW if k % 2 == 0 else CC
        ssn = 1 + L * (k // 2)
        fast_tcp(P, t, c, SM, "PA", ssn + (1000 if c is CW else 2000), 5001 if c is CW else 6001,
                 data, dss(None, True, D0 + L * k, True, ssn, L))
    late = {}
    for k in range(BOUND_N):
        t = 1.0 + 0.001 * k
        if k % 1000 == 500:
            late[k + 7] = k
        else:
            send(t, k)
        if k in late:
            send(t + 0.0005, late.pop(k))
    t = 1.0 + 0.001 * BOUND_N
    nxt = {CW: 1001 + L * (BOUND_N // 2), CC: 2001 + L * (BOUND_N // 2)}
    # mapping 0 again on cellular: its origin was forgotten
    fast_tcp(P, t, CC, SM, "PA", nxt[CC], 6001, data, dss(None, True, D0, True, nxt[CC] - 2000, L))
    nxt[CC] += L
    # mapping 10500 (Wi-Fi, a hole fill) again on cellular: a reinjection
    fast_tcp(P, t + 0.005, CC, SM, "PA", nxt[CC], 6001, data, dss(None, True, D0 + L * 10500, True, nxt[CC] - 2000, L))
    nxt[CC] += L
    # the last mapping (cellular) again on Wi-Fi: a reinjection
    k = BOUND_N - 1
    fast_tcp(P, t + 0.01, CW, SM, "PA", nxt[CW], 5001, data, dss(None, True, D0 + L * k, True, nxt[CW] - 1000, L))
    nxt[CW] += L
    fast_tcp(P, t + 0.1, SM, CW, "A", 5001, nxt[CW], opts=dss(D0 + L * BOUND_N))
    forgot = 4001 * L
    E.add("conns", "-", 2, "Wi-Fi MP_CAPABLE + cellular join")
    mp_ids(E)
    E.add("mp_conns", "-", 1, "one MP_CAPABLE")
    E.add("data_bytes", "c2s", L * BOUND_N + 3 * L, "BOUND_N mappings, then 3 sent again")
    E.add("unique_data_bytes", "c2s", L * BOUND_N, "the one DATA_ACK, D0 + 10 BOUND_N")
    E.add("reinj_bytes", "c2s", 2 * L, "mappings 10500 and BOUND_N-1 again on the other subflow; their ranges are remembered")
    E.add("reinj_segs", "c2s", 2, "those two segments")
    E.add("sf1_reinj_origin_bytes", "c2s", L, "mapping 10500 (even) went out on Wi-Fi first, as a hole fill")
    E.add("sf2_reinj_origin_bytes", "c2s", L, "the last mapping (odd) went out on cellular first")
    E.add("sf1_reinj_carried_bytes", "c2s", L, "the last mapping again")
    E.add("sf2_reinj_carried_bytes", "c2s", L, "mapping 10500 again")
    E.add("rtt_n", "c2s", 16382, "PEND_MAX (16384) mappings, 0..16383, wait for a sample, the others get none; those of mappings 0 and 10500 are spoilt by their second transmission under another mapping before the DATA_ACK")
    E.add("tcp_rexmit_bytes", "c2s", 0, "every subflow byte once: the late mappings fill holes")
    E.add("unacked_bytes", "c2s", forgot, "the forgotten ranges, DATA_ACKed at the end, count as unseen, so their first transmissions as never DATA_ACKed")
    E.add("acked_unseen_bytes", "c2s", forgot, "D0..D0+40010: forgotten when DATA_ACKed")
    E.add("unmapped_bytes", "c2s", 0, "every byte in a mapping")
    E.add("origin_forgotten_bytes", "c2s", L, "mapping 0 sent again: its origin had been dropped")
    assert L * BOUND_N + 3 * L == L * BOUND_N + 2 * L + 0 + forgot + 0 + L - forgot
    return P, E


# ================================================================ malformed cases
# Expectations for pcap2pkt: records emitted, packets skipped by reason.
REASONS = ["non_ip", "non_tcp", "ip_fragment", "truncated", "bad_ip_header", "bad_tcp_header",
           "bad_timestamp"]


def skipped(E, records, rwhy, **reasons):
    E.add("records", "-", records, rwhy)
    tot = sum(v for v, _ in reasons.values())
    E.add("skipped", "-", tot, "sum of the reasons below")
    for r in REASONS:
        v, why = reasons.get(r, (0, "none"))
        E.add("skipped_" + r, "-", v, why)


@case("bad-truncated-file")
def bad_truncated_file():
    P, _ = rto_case(C4, S4, False)
    path = "/dev/null"
    # build the full file in memory, cut 20 bytes into packet 6's data
    import io
    full = []
    off = 24
    for i, (t, data, cap) in enumerate(P.recs):
        if i == 5:
            cut = off + 16 + 20
        off += 16 + len(data)
    tmp = Cap()
    tmp.recs = P.recs
    E = Exp()
    E.add("valid_capture", "-", 1, "valid pcap header; the file ends inside record 6")
    skipped(E, 5, "records 1-5 (SYN, SYN/ACK, ACK, A, B) are complete",
            truncated=(1, "record 6 has its 16-byte header but only 20 of its 54 data bytes (server ACK at 0.250) before EOF (libpcap: truncated dump file)"))
    return ("cut", P, cut), E


@case("bad-tcp-cut")
def bad_tcp_cut():
    P, E = Cap(), Exp()
    P.tcp(0.000, C4, S4, "S", 1000, 0, opts=b"\x02\x04\x05\xb4")
    P.tcp(0.050, S4, C4, "SA", 5000, 1001, opts=b"\x02\x04\x05\xb4")
    P.tcp(0.100, C4, S4, "PA", 1001, 5001, 100, caplen=54)   # headers only (snaplen-style cut)
    P.tcp(0.150, S4, C4, "A", 5001, 1101, caplen=44)         # 10 of 20 TCP header bytes
    P.tcp(0.200, C4, S4, "PA", 1101, 5001, 100, caplen=24)   # 10 of 20 IPv4 header bytes
    P.tcp(0.250, S4, C4, "A", 5001, 1201)
    E.add("valid_capture", "-", 1, "well-formed pcap")
    skipped(E, 4, "frames 1, 2, 3, 6; frame 3 has full IP+TCP headers (caplen 54) -> record with len 100 from the IP header",
            truncated=(2, "frame 4 caplen 44 ends inside the TCP header; frame 5 caplen 24 ends inside the IPv4 header"))
    E.add("frame3_len", "-", 100, "TCP payload length from IP total length 140 - 20 - 20, not from the snap length")
    return P, E


@case("bad-opt-cut")
def bad_opt_cut():
    P, E = Cap(), Exp()
    mp_hs(P, 0.0)                                      # 3 records
    ts = b"\x01\x01\x08\x0a" + struct.pack("!II", 1000, 2000)
    d = dss(IDSN_S + 1, True, IDSN_C + 1, True, 1, 100)   # 26 bytes
    opts = ts + b"\x01\x01" + d                          # 12 + 28 = 40 bytes (max)
    P.tcp(0.200, CW, SM, "PA", 1001, 5001, 100, opts=opts, caplen=14 + 20 + 20 + 12 + 8)
    P.tcp(0.250, SM, CW, "A", 5001, 1101, opts=dss(IDSN_C + 101))
    E.add("valid_capture", "-", 1, "well-formed pcap")
    skipped(E, 5, "MP_CAPABLE SYN, SYN/ACK, ACK, the cut data packet, the final ACK: the fixed 20-byte TCP header of frame 4 is captured, so it still yields a record")
    E.add("frame4_mptcp", "-", "dss!", "DSS option (len 26) cut by the snap length after 8 of its bytes -> flagged malformed")
    E.add("frame4_tsval", "-", 1000, "timestamp option before the DSS is fully captured")
    E.add("frame4_len", "-", 100, "payload length from the IP header")
    return P, E


@case("bad-optlen0")
def bad_optlen0():
    P, E = Cap(), Exp()
    P.tcp(0.000, C4, S4, "S", 1000, 0, opts=b"\x02\x04\x05\xb4" + b"\x1e\x00\x01\x01", pad=False)
    P.tcp(0.050, S4, C4, "SA", 5000, 1001, opts=b"\x08\x00\x01\x01", pad=False)
    P.tcp(0.100, C4, S4, "A", 1001, 5001)
    E.add("valid_capture", "-", 1, "well-formed pcap")
    skipped(E, 3, "all 3 frames have intact 20-byte TCP headers; malformed options only flag the record")
    E.add("frame1_mss", "-", 1460, "MSS option precedes the bad one")
    E.add("frame1_option_error", "-", 1, "kind 30 with length 0: parsing must stop (no infinite loop); rendering of the flag is implementation-defined")
    E.add("frame2_option_error", "-", 1, "kind 8 (timestamps) with length 0")
    E.add("frame2_tsval", "-", "-", "the zero-length timestamp option yields no value")
    return P, E


@case("bad-optlen-past")
def bad_optlen_past():
    P, E = Cap(), Exp()
    P.tcp(0.000, C4, S4, "S", 1000, 0, opts=b"\x02\x04\x05\xb4")
    # 12-byte option area: NOP NOP then a DSS claiming 20 bytes (only 10 left)
    P.tcp(0.050, S4, C4, "A", 5000, 1001, opts=b"\x01\x01\x1e\x14\x20\x01" + b"\0" * 6, pad=False)
    # 4-byte option area: MSS claiming length 40
    P.tcp(0.100, C4, S4, "A", 1001, 5001, opts=b"\x02\x28\x05\xb4", pad=False)
    E.add("valid_capture", "-", 1, "well-formed pcap")
    skipped(E, 3, "TCP headers intact (data offset within captured bytes); options malformed only")
    E.add("frame2_mptcp", "-", "dss!", "DSS length 20 runs past the 12-byte option area -> malformed")
    E.add("frame3_mss", "-", "-", "MSS option length 40 runs past the 4-byte option area: not trusted")
    E.add("frame3_option_error", "-", 1, "flagged")
    return P, E


@case("bad-ipfrag")
def bad_ipfrag():
    P, E = Cap(), Exp()
    P.tcp(0.000, C4, S4, "S", 1000, 0, opts=b"\x02\x04\x05\xb4")
    P.tcp(0.050, S4, C4, "SA", 5000, 1001, opts=b"\x02\x04\x05\xb4")
    seg = tcp_bytes(C4, S4, "PA", 1001, 5001, payload(1000), 65535, b"")
    f1 = Ether(src=MAC_C, dst=MAC_S) / IP(src=C4.ip, dst=S4.ip, proto=6, id=777, flags="MF", frag=0) / Raw(seg[:512])
    f2 = Ether(src=MAC_C, dst=MAC_S) / IP(src=C4.ip, dst=S4.ip, proto=6, id=777, flags=0, frag=64) / Raw(seg[512:])
    P.raw(0.100, f1)
    P.raw(0.100001, f2)
    P.tcp(0.150, S4, C4, "A", 5001, 2001)
    E.add("valid_capture", "-", 1, "well-formed pcap")
    skipped(E, 3, "SYN, SYN/ACK, final ACK",
            ip_fragment=(2, "frame 3: MF=1 offset 0 (512 bytes incl. TCP header); frame 4: offset 64*8=512, 508 bytes; no reassembly"))
    return P, E


@case("bad-nontcp")
def bad_nontcp():
    P, E = Cap(), Exp()
    P.tcp(0.000, C4, S4, "S", 1000, 0, opts=b"\x02\x04\x05\xb4")
    P.raw(0.010, Ether(src=MAC_C, dst=MAC_S) / IP(src=C4.ip, dst="10.0.0.53", id=1) / UDP(sport=5353, dport=53) / DNS(id=1, qd=DNSQR(qname="example.org")))
    P.raw(0.020, Ether(src=MAC_C, dst=MAC_S) / IP(src=C4.ip, dst=S4.ip, id=2) / ICMP(id=1, seq=1) / Raw(b"ping"))
    P.raw(0.030, Ether(src=MAC_C, dst="ff:ff:ff:ff:ff:ff") / ARP(op=1, hwsrc=MAC_C, psrc=C4.ip, pdst=S4.ip))
    P.tcp(0.050, S4, C4, "SA", 5000, 1001, opts=b"\x02\x04\x05\xb4")
    P.raw(0.060, Ether(src=MAC_C, dst=MAC_S) / IPv6(src=C6.ip, dst=S6.ip) / ICMPv6EchoRequest(id=1, seq=1))
    P.tcp(0.100, C4, S4, "A", 1001, 5001)
    E.add("valid_capture", "-", 1, "well-formed pcap")
    skipped(E, 3, "SYN (frame 1), SYN/ACK (frame 5), ACK (frame 7)",
            non_ip=(1, "frame 4: ARP (ethertype 0x0806)"),
            non_tcp=(3, "frame 2 UDP/DNS, frame 3 ICMP echo, frame 6 ICMPv6 echo"))
    E.add("frame_numbers", "-", "1,5,7", "frame numbers count every packet, skipped ones included")
    return P, E


@case("bad-hdr")
def bad_hdr():
    P, E = Cap(), Exp()
    fr = bytearray(bytes(P.tcp(0.000, C4, S4, "S", 1000, 0)))
    P.recs.pop()
    fr[14] = 0x44                       # IPv4 IHL 4 (< 5)
    P.raw(0.000, fr)
    fr = bytearray(bytes(P.tcp(0.050, S4, C4, "SA", 5000, 1001)))
    P.recs.pop()
    fr[14 + 20 + 12] = 0x30             # TCP data offset 3 (< 5)
    P.raw(0.050, fr)
    P.tcp(0.100, C4, S4, "A", 1001, 5001)
    E.add("valid_capture", "-", 1, "well-formed pcap")
    skipped(E, 1, "only frame 3",
            bad_ip_header=(1, "frame 1: IPv4 IHL 4 (16 bytes) < minimum 5"),
            bad_tcp_header=(1, "frame 2: TCP data offset 3 (12 bytes) < minimum 5"))
    return P, E


@case("bad-iplen-beyond")
def bad_iplen_beyond():
    P, E = Cap(), Exp()
    P.tcp(0.000, C4, S4, "S", 1000, 0, opts=b"\x02\x04\x05\xb4")
    P.tcp(0.050, S4, C4, "SA", 5000, 1001, opts=b"\x02\x04\x05\xb4")
    fr = bytearray(bytes(P.tcp(0.100, C4, S4, "PA", 1001, 5001, 100)))
    P.recs.pop()
    fr[16:18] = struct.pack("!H", 1500)  # IPv4 total length 1500; the frame carries 140 bytes of IP
    P.raw(0.100, fr)                    # captured whole: caplen = frame length = 154
    P.tcp(0.150, S4, C4, "A", 5001, 1101)
    P.tcp(0.200, C6, S6, "S", 1000, 0, opts=b"\x02\x04\x05\xa0")
    P.tcp(0.250, S6, C6, "SA", 5000, 1001, opts=b"\x02\x04\x05\xa0")
    fr = bytearray(bytes(P.tcp(0.300, C6, S6, "PA", 1001, 5001, 50)))
    P.recs.pop()
    fr[18:20] = struct.pack("!H", 2000)  # IPv6 payload length 2000; 70 bytes follow the header
    P.raw(0.300, fr)
    E.add("valid_capture", "-", 1, "well-formed pcap")
    skipped(E, 7, "all 7 frames decode (IPv4: SYN, SYN/ACK, data, ACK; IPv6: SYN, SYN/ACK, data); two claim more IP bytes than they carry")
    E.add("frame3_len", "-", 100, "the 100 payload bytes the frame carries, not 1500 - 20 - 20 = 1460 claimed (nothing was cut by a snap length: caplen = frame length)")
    E.add("frame3_ip_len", "-", 140, "cut to the 140 IP bytes the frame carries")
    E.add("frame7_len", "-", 50, "not 2000 - 20 = 1980")
    E.add("frame7_ip_len", "-", 110, "40 + the 70 bytes after the IPv6 header")
    E.add("ip_len_beyond_frame", "-", 2, "frames 3 and 7")
    E.add("data_bytes", "c2s", 150, "tcp-metrics over both connections: 100 + 50, no phantom payload")
    return P, E


def write_pcapng(path, recs, linktype=1):
    """pcapng: SHB, one IDB (microsecond timestamps), one EPB per record;
    recs: (timestamp in microseconds since the epoch, frame bytes)."""
    def block(kind, body):
        body += b"\0" * (-len(body) % 4)
        n = 12 + len(body)
        return struct.pack("<II", kind, n) + body + struct.pack("<I", n)
    out = [block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1)),
           block(1, struct.pack("<HHI", linktype, 0, 65535))]
    for us, data in recs:
        out.append(block(6, struct.pack("<IIIII", 0, us >> 32, us & 0xFFFFFFFF, len(data), len(data)) + data))
    with open(path, "wb") as f:
        f.write(b"".join(out))


@case("bad-timestamp")
def bad_timestamp():
    P, E = Cap(), Exp()
    P.tcp(0.000, C4, S4, "S", 1000, 0, opts=b"\x02\x04\x05\xb4")
    P.tcp(0.050, S4, C4, "SA", 5000, 1001, opts=b"\x02\x04\x05\xb4")
    P.tcp(0.100, C4, S4, "A", 1001, 5001)
    us = [EPOCH * 1_000_000, EPOCH * 1_000_000 + 50_000, 2**64 - 1]
    E.add("valid_capture", "-", 1, "well-formed pcapng (microsecond timestamps)")
    skipped(E, 2, "frames 1 and 2",
            bad_timestamp=(1, "frame 3: timestamp 2^64-1 us = 18446744073709 s, beyond the 9223372035 s an int64 count of nanoseconds holds"))
    return ("pcapng", [(u, bytes(r[1])) for u, r in zip(us, P.recs)]), E


@case("empty")
def empty():
    E = Exp()
    E.add("valid_capture", "-", 0, "0-byte file: no pcap/pcapng magic; the tool reports an error and exits non-zero")
    E.add("records", "-", 0, "nothing to decode")
    return ("raw", b""), E


@case("notacapture")
def notacapture():
    E = Exp()
    E.add("valid_capture", "-", 0, "ASCII text: unknown magic; error, non-zero exit, no crash")
    E.add("records", "-", 0, "nothing to decode")
    return ("raw", b"This is not a packet capture.\nJust some text, 3 lines long.\nmptcp-tools test fixture\n"), E


# ================================================================ main

def main():
    out = sys.argv[1]
    names = sys.argv[2:] or list(CASES)
    os.makedirs(out, exist_ok=True)
    for name in names:
        obj, E = (CASES.get(name) or BIG[name])()
        path = os.path.join(out, name + ".pcap")
        if isinstance(obj, tuple) and obj[0] == "pcapng":
            write_pcapng(path, obj[1])
        elif isinstance(obj, tuple) and obj[0] == "raw":
            with open(path, "wb") as f:
                f.write(obj[1])
        elif isinstance(obj, tuple) and obj[0] == "cut":
            write_pcap(path, obj[1].recs)
            with open(path, "rb") as f:
                data = f.read()
            with open(path, "wb") as f:
                f.write(data[:obj[2]])
        else:
            write_pcap(path, obj.recs)
        E.write(os.path.join(out, name + ".expect.tsv"))
        print(name)


if __name__ == "__main__":
    main()
