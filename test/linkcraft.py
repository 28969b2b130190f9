#!/usr/bin/python3
"""Crafts one small capture per link layer and IP feature that the public
corpus lacks: BSD loopback (NULL, LOOP), 802.1Q and QinQ, raw IPv6 with
extension headers, PPP with HDLC framing, a nanosecond pcap, IPv4 and IPv6
fragments. Every packet carries the same TCP segment, so a test can check
the decoded fields against the values written here (the hand-derived
reference): see EXPECT below and test/pcap2pkt.bats."""
import struct
import sys

from scapy.all import (IP, IPv6, TCP, Ether, Dot1Q, Dot1AD, Raw,
                       IPv6ExtHdrHopByHop, IPv6ExtHdrRouting,
                       IPv6ExtHdrDestOpt, IPv6ExtHdrFragment, raw)

OUT = sys.argv[1] if len(sys.argv) > 1 else "test/fixtures/link"
TS = 1700000000  # 2023-11-14T22:13:20Z


def tcp():
    # seq/ack/window/options chosen to be recognisable in the records
    return TCP(sport=40000, dport=443, seq=1000, ack=2000, flags="PA",
               window=512, options=[("NOP", None), ("NOP", None),
                                    ("Timestamp", (11, 22))]) / Raw(b"hello")


def ip4():
    return IP(src="10.0.0.1", dst="10.0.0.2", id=77, ttl=63) / tcp()


def ip6(*ext):
    pkt = IPv6(src="2001:db8::1", dst="2001:db8::2", hlim=60)
    for e in ext:
        pkt = pkt / e
    return pkt / tcp()


def write(name, linktype, frames, nano=False):
    magic = 0xA1B23C4D if nano else 0xA1B2C3D4
    with open(f"{OUT}/{name}.pcap", "wb") as f:
        f.write(struct.pack("<IHHiIII", magic, 2, 4, 0, 0, 65535, linktype))
        for i, data in enumerate(frames):
            frac = 123456789 if nano else 123456
            f.write(struct.pack("<IIII", TS + i, frac, len(data), len(data)))
            f.write(data)


def main():
    v4, v6 = raw(ip4()), raw(ip6())
    write("null-v4v6", 0, [struct.pack("<I", 2) + v4,
                           struct.pack("<I", 30) + v6])
    write("loop-v4", 108, [struct.pack(">I", 2) + v4])
    write("vlan-qinq", 1, [
        raw(Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")
            / Dot1Q(vlan=10) / ip4()),
        raw(Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")
            / Dot1AD(vlan=20) / Dot1Q(vlan=10) / ip4())])
    write("raw-v6-ext", 101, [
        raw(ip6(IPv6ExtHdrHopByHop(), IPv6ExtHdrRouting(addresses=[]),
                IPv6ExtHdrDestOpt())),
        raw(ip6(IPv6ExtHdrFragment(offset=0, m=0, id=5)))])  # atomic fragment
    write("ppp-hdlc", 9, [b"\xff\x03\x00\x21" + v4, b"\xff\x03\x00\x57" + v6])
    write("nano-v4", 228, [v4], nano=True)
    # A TCP segment split in two IPv4 fragments and two IPv6 fragments:
    # all four frames are skipped as ip_fragment.
    whole4 = IP(src="10.0.0.1", dst="10.0.0.2", id=99) / tcp() / Raw(b"x" * 40)
    frags4 = [raw(f) for f in __import__("scapy.all").all.fragment(whole4, 24)]
    body6 = raw(tcp() / Raw(b"x" * 40))
    f6a = IPv6(src="2001:db8::1", dst="2001:db8::2", nh=44) / \
        IPv6ExtHdrFragment(nh=6, offset=0, m=1, id=7) / Raw(body6[:32])
    f6b = IPv6(src="2001:db8::1", dst="2001:db8::2", nh=44) / \
        IPv6ExtHdrFragment(nh=6, offset=4, m=0, id=7) / Raw(body6[32:])
    write("frag-v4v6", 101, frags4[:2] + [raw(f6a), raw(f6b)])


if __name__ == "__main__":
    main()
