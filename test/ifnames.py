#!/usr/bin/python3
"""ifnames.py: writes test/fixtures/link/ifnames.pcapng from a Linux cooked
v2 capture (test/fixtures/gen/mptcp-both.pcap): the same frames, in
pcapng, each in an enhanced packet block of the interface its SLL2 header
names (index 2 -> interface 0, 3 -> 1), the interfaces described by
interface blocks with if_name options, as dumpcap -i any writes them.

Names chosen to test the record rules: "wlan0", "rmnet_data0", and a third
interface (no packet) that no frame uses. A second section follows with the
last 20 frames under interfaces named differently ("ccmni1" for index 2,
a name with a tab, a backslash and 70 bytes for index 3): interface ids
count from 0 again in a new section.

Usage: ifnames.py IN.pcap OUT.pcapng
"""
import struct
import sys


def block(btype, body):
    body += b"\0" * (-len(body) % 4)
    n = 12 + len(body)
    return struct.pack("<II", btype, n) + body + struct.pack("<I", n)


def option(code, value):
    return struct.pack("<HH", code, len(value)) + value + b"\0" * (-len(value) % 4)


def shb():
    return block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))


def idb(linktype, name):
    opts = option(2, name) if name is not None else b""
    opts += option(9, b"\x06")  # if_tsresol: microseconds
    return block(1, struct.pack("<HHI", linktype, 0, 65535) + opts + option(0, b""))


def epb(ifid, ts_us, data, wirelen):
    return block(6, struct.pack("<IIIII", ifid, ts_us >> 32, ts_us & 0xFFFFFFFF,
                                len(data), wirelen) + data)


def frames(path):
    with open(path, "rb") as f:
        head = f.read(24)
        magic, = struct.unpack("<I", head[:4])
        assert magic == 0xA1B2C3D4, "microsecond little-endian pcap expected"
        linktype, = struct.unpack("<I", head[20:24])
        out = []
        while True:
            h = f.read(16)
            if len(h) < 16:
                break
            sec, usec, incl, orig = struct.unpack("<IIII", h)
            out.append((sec * 1000000 + usec, f.read(incl), orig))
    return linktype, out


def main():
    linktype, fr = frames(sys.argv[1])
    assert linktype == 276, "Linux cooked v2 expected"
    first, second = fr[:-20], fr[-20:]
    out = [shb(), idb(linktype, b"wlan0"), idb(linktype, b"rmnet_data0"), idb(linktype, b"eth9")]
    for ts, data, wire in first:
        ifindex, = struct.unpack(">I", data[4:8])
        out.append(epb({2: 0, 3: 1}[ifindex], ts, data, wire))
    long_name = b"odd\tname\\" + b"x" * 61
    out += [shb(), idb(linktype, long_name), idb(linktype, b"ccmni1")]
    for ts, data, wire in second:
        ifindex, = struct.unpack(">I", data[4:8])
        out.append(epb({2: 1, 3: 0}[ifindex], ts, data, wire))
    with open(sys.argv[2], "wb") as f:
        f.write(b"".join(out))


main()
