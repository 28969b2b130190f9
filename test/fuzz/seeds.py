#!/usr/bin/python3
"""Writes every frame of the given classic pcap files as a libFuzzer seed:
one byte for the link type's index in decode_fuzz.c, then the frame."""
import gzip, os, struct, sys

LINKS = [0, 1, 9, 12, 101, 104, 108, 113, 228, 229, 276]
out = sys.argv[1]
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
    off = 24
    while off + 16 <= len(raw) and n < 20000:
        caplen = struct.unpack('<I', raw[off + 8:off + 12])[0]
        frame = raw[off + 16:off + 16 + caplen]
        off += 16 + caplen
        with open(os.path.join(out, 'seed%06d' % n), 'wb') as f:
            f.write(bytes([LINKS.index(link)]) + frame)
        n += 1
print('seeds:', n)
