#!/usr/bin/python3
"""Captures for the hardening tests: big, oddly ordered or cut ones, made
on the fly (they are large or parametrised, so they are not committed).

Usage: /usr/bin/python3 test/craft/hostile.py CASE OUT [N]

  jumbo OUT N        N TCP segments of 9,000 payload bytes (GRO-sized);
                     payload byte i is i % 251 (the test derives the hex)
  order-KIND OUT N   one connection carrying N data segments of 100 bytes,
                     KIND: bulk (in order, ACK every second segment),
                     descending (sequence order reversed, no ACKs until
                     the end), random (a fixed shuffle, same), oneway
                     (in order, the client side only: no ACK ever)
  cover OUT N        N one-byte segments, then N retransmissions of all
                     N bytes at once (each lies over N runs)
  joins OUT N        an MPTCP v1 connection (handshake, keys) that stays
                     open while N joins to it are opened and reset, one
                     every 50 ms, each from its own client port
  joins-collide OUT N   N join SYNs of unknown tokens, each on its own
  joins-random OUT N    TCP connection: tokens chosen to share one bucket
                     of the old token hash (bits 7-21 of token*2654435761
                     equal), or spread at random
  treap-KIND OUT N   N one-byte segments, a byte apart, then N
                     retransmissions of the lowest; KIND: spans (their
                     order makes the treap of common/stats/spans.c one path
                     under its old fixed seed) or random (a fixed shuffle)
  mpconn-KIND OUT N  N MPTCP connection ids, one a line (for records
                     made by the test): KIND collide (all in one bucket
                     of mptcp-metrics' old table hash, bits 20-34 of
                     id * 0x9E3779B97F4A7C15 equal) or random
  mp-nodack-KIND OUT N   an MPTCP v1 connection (handshake, keys), then
                     N client segments of 100 bytes, each its own DSS
                     mapping, and no DATA_ACK ever; KIND: bulk (in
                     order), descending (sequence order reversed) or
                     random (shuffled, seed 1)
  optlen01 OUT       one SYN with an MPTCP option of length 0, one with
                     length 1 (each ends the option list)
  pcapng-idb2 OUT    pcapng: section, interface 0, two packets, then a
                     second interface block cut in its middle

Every packet is written by hand with struct (no scapy: N runs to 10^5);
checksums are left zero, which none of the tools check. Classic pcap,
Ethernet, microsecond timestamps from epoch 1700000000.
"""
import random
import struct
import sys

EPOCH = 1700000000
C_IP, S_IP = bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])
C_PORT, S_PORT = 40000, 80
ISN_C, ISN_S = 1000, 5000
SYN, ACK, PSH, FIN = 0x02, 0x10, 0x08, 0x01


def ether(payload):
    return b"\x02\0\0\0\0\x02" + b"\x02\0\0\0\0\x01" + b"\x08\x00" + payload


def ipv4_tcp(src, dst, sport, dport, seq, ack, flags, payload=b"", opts=b"", ipid=1):
    opts += b"\0" * (-len(opts) % 4)
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xffffffff, ack & 0xffffffff,
                      (5 + len(opts) // 4) << 4, flags, 65535, 0, 0) + opts + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), ipid & 0xffff, 0, 64, 6, 0,
                     src, dst)
    return ether(ip + tcp)


def c2s(seq, ack, flags, payload=b"", opts=b"", ipid=1):
    return ipv4_tcp(C_IP, S_IP, C_PORT, S_PORT, seq, ack, flags, payload, opts, ipid)


def s2c(seq, ack, flags, payload=b"", opts=b"", ipid=1):
    return ipv4_tcp(S_IP, C_IP, S_PORT, C_PORT, seq, ack, flags, payload, opts, ipid)


def write_pcap(path, frames, step_us=100):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, data in enumerate(frames):
            us = i * step_us
            f.write(struct.pack("<IIII", EPOCH + us // 1000000, us % 1000000, len(data), len(data)))
            f.write(data)


def handshake():
    return [c2s(ISN_C, 0, SYN), s2c(ISN_S, ISN_C + 1, SYN | ACK), c2s(ISN_C + 1, ISN_S + 1, ACK)]


def jumbo(out, n):
    payload = bytes(i % 251 for i in range(9000))
    frames = handshake()
    seq = ISN_C + 1
    for i in range(n):
        frames.append(c2s(seq, ISN_S + 1, ACK | PSH, payload, ipid=2 + i))
        seq += len(payload)
    write_pcap(out, frames)


def order_starts(kind, n, size=100):
    starts = [ISN_C + 1 + k * size for k in range(n)]
    if kind == "descending":
        starts.reverse()
    elif kind == "random":
        random.Random(16).shuffle(starts)
    return starts


def order_ooo(kind, n, size=100):
    """Segments that start below the highest byte sent before them (the
    SYN's sequence number is the first): out of order, by definition."""
    high, ooo = ISN_C + 1, 0
    for s in order_starts(kind, n, size):
        ooo += s < high
        high = max(high, s + size)
    return ooo


def order(kind, out, n):
    size = 100
    frames = handshake()
    starts = order_starts(kind, n, size)
    end = ISN_C + 1 + n * size
    for i, s in enumerate(starts):
        frames.append(c2s(s, ISN_S + 1, ACK | PSH, b"x" * size, ipid=2 + i))
        if kind == "bulk" and i % 2 == 1:
            frames.append(s2c(ISN_S + 1, s + size, ACK, ipid=2 + i))
    if kind != "oneway":
        frames.append(s2c(ISN_S + 1, end, ACK, ipid=1))
    write_pcap(out, frames)


KEY_C, KEY_S = 0x1122334455667788, 0x99AABBCCDDEEFF00


def mp_capable(key_s=None, key_c=None):
    """MP_CAPABLE v1: no key in the SYN, the server's in the SYN/ACK, both
    (sender's first) in the third ACK; flags 0x01 (HMAC-SHA256)."""
    keys = b"".join(struct.pack("!Q", k) for k in (key_c, key_s) if k is not None)
    return bytes([30, 4 + len(keys), 0x01, 0x01]) + keys


def mp_join_syn(token, nonce, addr_id=1):
    return bytes([30, 12, 0x10, addr_id]) + struct.pack("!II", token, nonce)


def token_of(key):
    import hashlib
    return struct.unpack("!I", hashlib.sha256(struct.pack("!Q", key)).digest()[:4])[0]


def joins(out, n):
    frames = [c2s(ISN_C, 0, SYN, opts=mp_capable()),
              s2c(ISN_S, ISN_C + 1, SYN | ACK, opts=mp_capable(key_s=KEY_S)),
              c2s(ISN_C + 1, ISN_S + 1, ACK, opts=mp_capable(key_s=KEY_S, key_c=KEY_C))]
    tok = token_of(KEY_S)
    recs = [(0.0, f) for f in frames]
    for i in range(n):
        port = 10000 + i
        t = 0.01 + 0.05 * i
        syn = ipv4_tcp(C_IP, S_IP, port, S_PORT, 7000 + i, 0, SYN, opts=mp_join_syn(tok, i))
        rst = ipv4_tcp(S_IP, C_IP, S_PORT, port, 0, 7001 + i, 0x04 | ACK)
        recs += [(t, syn), (t + 0.001, rst)]
    # the first subflow goes on: one data-less ACK after the last join
    recs.append((0.05 * n + 1.0, c2s(ISN_C + 1, ISN_S + 1, ACK)))
    write_pcap_timed(out, recs)


def write_pcap_timed(path, recs):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for t, data in recs:
            us = int(round(t * 1000000))
            f.write(struct.pack("<IIII", EPOCH + us // 1000000, us % 1000000, len(data), len(data)))
            f.write(data)


def join_tokens(kind, n):
    if kind == "random":
        rnd = random.Random(16)
        return [rnd.getrandbits(32) for _ in range(n)]
    # t * 2654435761 mod 2^22 in one 128-value block: bits 7..21 agree for
    # every table of up to 2^15 buckets; bits 22..31 of t are free
    inv = pow(2654435761, -1, 1 << 22)
    out = []
    for hi in range(1 << 10):
        for r in range(128):
            out.append((hi << 22) | ((inv * (0x5a5a << 7 | r)) % (1 << 22)))
            if len(out) == n:
                return out
    return out


def joins_tokens(kind, out, n):
    frames = []
    for i, tok in enumerate(join_tokens(kind, n)):
        src = bytes([10, 1, i >> 16 & 255, i >> 8 & 255])
        frames.append(ipv4_tcp(src, S_IP, 10000 + (i & 0xff), S_PORT, 1000, 0, SYN,
                               opts=mp_join_syn(tok, i)))
    write_pcap(out, frames)


def cover(out, n):
    frames = handshake()
    for k in range(n):
        frames.append(c2s(ISN_C + 1 + k, ISN_S + 1, ACK | PSH, b"x", ipid=2 + k))
    for k in range(n):
        frames.append(c2s(ISN_C + 1, ISN_S + 1, ACK | PSH, b"y" * n, ipid=2 + n + k))
    write_pcap(out, frames)


def treap_prios(n):
    """The first n priorities common/stats/spans.c gave its spans before they
    were keyed: xorshift32 from 0x9E3779B9, one per span inserted."""
    x, out = 0x9E3779B9, []
    for _ in range(n):
        x ^= (x << 13) & 0xffffffff
        x ^= x >> 17
        x ^= (x << 5) & 0xffffffff
        out.append(x)
    return out


def treap_order(kind, n):
    """Slot (0..n-1) of the k-th segment sent. spans: the client's SYN is
    the first span of its direction, so segment k is span k + 1; sent in
    the order of their priorities, the spans' keys rise with them, and the
    treap is a path down to the lowest key."""
    if kind == "random":
        slots = list(range(n))
        random.Random(16).shuffle(slots)
        return slots
    prio = treap_prios(n + 1)[1:]
    by_prio = sorted(range(n), key=lambda k: prio[k])
    slot = [0] * n
    for r, k in enumerate(by_prio):
        slot[k] = r
    return slot


def treap_ooo(kind, n):
    """Segments starting below the highest byte sent before them."""
    high, ooo = ISN_C + 1, 0
    for r in treap_order(kind, n):
        s = ISN_C + 3 + 2 * r
        ooo += s < high
        high = max(high, s + 1)
    return ooo


def treap(kind, out, n):
    frames = handshake()
    for i, r in enumerate(treap_order(kind, n)):
        frames.append(c2s(ISN_C + 3 + 2 * r, ISN_S + 1, ACK | PSH, b"x", ipid=2 + i))
    for i in range(n):
        frames.append(c2s(ISN_C + 3, ISN_S + 1, ACK | PSH, b"x", ipid=2 + n + i))
    write_pcap(out, frames)


def mpconn_ids(kind, n):
    if kind == "random":
        rnd = random.Random(16)
        return [rnd.getrandbits(63) | 1 for _ in range(n)]
    golden = 0x9E3779B97F4A7C15
    inv = pow(golden, -1, 1 << 64)
    # products with bits 20..34 fixed, the others counting
    return [(inv * ((hi << 35) | (0x5a5a << 20) | lo)) % (1 << 64)
            for hi in range(1, n // 1024 + 2) for lo in range(1024)][:n]


def idsn_of(key):
    """RFC 8684: the least significant 64 bits of SHA-256(key)."""
    import hashlib
    return struct.unpack("!Q", hashlib.sha256(struct.pack("!Q", key)).digest()[-8:])[0]


def dss_map(dsn, ssn, dlen):
    """DSS with a mapping only: flags M (0x04) and m (0x08, 8-byte DSN);
    no checksum (MP_CAPABLE's A bit is clear)."""
    return bytes([30, 18, 0x20, 0x0c]) + struct.pack("!QIH", dsn & (2**64 - 1), ssn, dlen)


def mp_nodack(kind, out, n):
    size = 100
    frames = [c2s(ISN_C, 0, SYN, opts=mp_capable()),
              s2c(ISN_S, ISN_C + 1, SYN | ACK, opts=mp_capable(key_s=KEY_S)),
              c2s(ISN_C + 1, ISN_S + 1, ACK, opts=mp_capable(key_s=KEY_S, key_c=KEY_C))]
    ks = list(range(n))
    if kind == "descending":
        ks.reverse()
    elif kind == "random":
        random.Random(1).shuffle(ks)
    base = idsn_of(KEY_C) + 1
    for i, k in enumerate(ks):
        frames.append(c2s(ISN_C + 1 + k * size, ISN_S + 1, ACK | PSH, b"x" * size,
                          opts=dss_map(base + k * size, 1 + k * size, size), ipid=2 + i))
    write_pcap(out, frames)


def optlen01(out):
    # kind 30 with length 0, then kind 30 with length 1: a length below 2
    # cannot be stepped over, so each ends the TCP option list
    frames = [c2s(ISN_C, 0, SYN, opts=b"\x1e\x00\x00\x00"),
              c2s(ISN_C + 7, 0, SYN, opts=b"\x02\x04\x05\xb4\x1e\x01\x00\x00")]
    write_pcap(out, frames)


def pcapng_block(btype, body):
    body += b"\0" * (-len(body) % 4)
    n = 12 + len(body)
    return struct.pack("<II", btype, n) + body + struct.pack("<I", n)


def pcapng_idb2(out):
    shb = pcapng_block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    idb = pcapng_block(1, struct.pack("<HHI", 1, 0, 65535))
    frames = [c2s(ISN_C, 0, SYN), s2c(ISN_S, ISN_C + 1, SYN | ACK)]
    epbs = b""
    for i, data in enumerate(frames):
        us = (EPOCH * 1000000) + i * 100
        epbs += pcapng_block(6, struct.pack("<IIIII", 0, us >> 32, us & 0xffffffff,
                                            len(data), len(data)) + data)
    # the second interface block, with an if_name option, cut after 20 of
    # its 32 bytes
    idb2 = pcapng_block(1, struct.pack("<HHI", 1, 0, 65535) +
                        struct.pack("<HH", 2, 4) + b"eth1" + struct.pack("<HH", 0, 0))
    with open(out, "wb") as f:
        f.write(shb + idb + epbs + idb2[:20])


def main():
    case, out = sys.argv[1], sys.argv[2]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    if case == "jumbo":
        jumbo(out, n)
    elif case.startswith("order-"):
        order(case[6:], out, n)
    elif case == "cover":
        cover(out, n)
    elif case == "joins":
        joins(out, n)
    elif case in ("joins-collide", "joins-random"):
        joins_tokens(case[6:], out, n)
    elif case.startswith("treap-"):
        treap(case[6:], out, n)
    elif case.startswith("mpconn-"):
        with open(out, "w") as f:
            f.writelines("%d\n" % i for i in mpconn_ids(case[7:], n))
    elif case.startswith("mp-nodack-"):
        mp_nodack(case[10:], out, n)
    elif case == "optlen01":
        optlen01(out)
    elif case == "pcapng-idb2":
        pcapng_idb2(out)
    else:
        sys.exit("unknown case " + case)


if __name__ == "__main__":
    main()
