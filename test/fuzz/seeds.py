#!/usr/bin/python3
"""Writes decode_fuzz seeds: of each classic pcap file given, its first
frames (at most 2), each as: the link type's index in decode_fuzz.c, a
byte of the -x choice (low two bits) and the bytes the frame had beyond
the capture (the others, in steps of 64, rounded up), a -c list (none, or
one with repeats), then the frame."""
import gzip, os, struct, sys

LINKS = [0, 1, 9, 12, 101, 104, 108, 113, 228, 229, 276]
out = sys.argv[1]
os.makedirs(out, exist_ok=True)
n = 0
for path in sys.argv[2:]:
    raw = open(path, 'rb').read()
    if raw[:2] == b'\x1f\x8b':
        raw = gzip.decompress(raw)
    if len(raw) < 24 or raw[:4] not in (b'\xd4\xc3\xb2\xa1', b'\x4d\x3c\xb2\xa1'):
        continue  # big-endian and pcapng files are left out of the seeds
    link = struct.unpack('<I', raw[20:24])[0]
    if link not in LINKS:
        continue
    off, k = 24, 0
    while off + 16 <= len(raw) and k < 2:
        caplen, wirelen = struct.unpack('<II', raw[off + 8:off + 16])
        cut = min(63, (max(wirelen - caplen, 0) + 63) // 64) << 2
        frame = raw[off + 16:off + 16 + caplen]
        off += 16 + caplen
        # -x 64 and all columns; or -x 4096 with payload, frame, mptcp, payload
        head = bytes([LINKS.index(link), cut | 2, 0]) if k % 2 == 0 else \
            bytes([LINKS.index(link), cut | 3, 4, 54, 0, 21, 54])
        with open(os.path.join(out, 'seed%04d' % n), 'wb') as f:
            f.write(head + frame)
        n += 1
        k += 1
print('decode seeds:', n)
