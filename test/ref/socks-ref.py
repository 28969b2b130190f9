#!/usr/bin/python3
"""Independent reference for socks-dest: the old Shadowsocks "table"
cipher and its request header, written from the description in
../shared/REFERENCES.md (SOCKS) with hashlib and Python's stable sort.
Shares no code with filters/socks-dest.c.

  socks-ref.py table PASSWORD                 encryption table, hex
  socks-ref.py request PASSWORD ATYP ADDR PORT [DATA]
                                              encrypted request header
                                              (ATYP ipv4|ipv6|domain) + DATA, hex
  socks-ref.py encrypt PASSWORD HEX           table-encrypt bytes, hex
  socks-ref.py decode PASSWORD HEX            "atyp addr port" or "fail"
  socks-ref.py vectors PASSWORD N SEED EXPECTED
                                              N flowsplit-like records (one
                                              connection each) on stdout, random
                                              requests and garbage; EXPECTED gets
                                              "conn atyp addr port" or "conn fail"
"""
import hashlib
import ipaddress
import random
import struct
import sys


def table(password):
    a = struct.unpack('<Q', hashlib.md5(password.encode()).digest()[:8])[0]
    t = list(range(256))
    for i in range(1, 1024):
        t.sort(key=lambda x: a % (x + i))  # list.sort is stable
    return bytes(t)


def encrypt(password, data):
    return data.translate(table(password))


def decrypt(password, data):
    enc = table(password)
    inv = bytearray(256)
    for plain, cipher in enumerate(enc):
        inv[cipher] = plain
    return data.translate(bytes(inv))


def header(atyp, addr, port):
    if atyp == 'ipv4':
        a = b'\x01' + ipaddress.IPv4Address(addr).packed
    elif atyp == 'ipv6':
        a = b'\x04' + ipaddress.IPv6Address(addr).packed
    elif atyp == 'domain':
        a = b'\x03' + bytes([len(addr)]) + addr.encode()
    else:
        raise SystemExit('atyp: ipv4, ipv6 or domain')
    return a + struct.pack('>H', int(port))


def decode(plain):
    """The header's destination, or None; same acceptance rules as the
    man page states (REFERENCES.md gives only the IPv4 case)."""
    if not plain:
        return None
    t = plain[0]
    if t == 1 and len(plain) >= 7:
        ip = ipaddress.IPv4Address(plain[1:5])
        if plain[1] == 0 or plain[1] >= 224:
            return None
        port = struct.unpack('>H', plain[5:7])[0]
        return ('ipv4', str(ip), port) if port else None
    if t == 4 and len(plain) >= 19:
        ip = ipaddress.IPv6Address(plain[1:17])
        if ip.is_multicast or ip.is_unspecified:
            return None
        port = struct.unpack('>H', plain[17:19])[0]
        return ('ipv6', str(ip), port) if port else None
    if t == 3 and len(plain) >= 2 and len(plain) >= 2 + plain[1] + 2:
        name = plain[2:2 + plain[1]]
        ok = set(b'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._')
        if not name or not set(name) <= ok or name.startswith(b'.') or b'..' in name:
            return None
        port = struct.unpack('>H', plain[2 + plain[1]:4 + plain[1]])[0]
        return ('domain', name.decode(), port) if port else None
    return None


def vectors(pw, n, seed, expected):
    rng = random.Random(seed)
    enc = table(pw)
    print('ts\tipv\tsrc\tdst\tsport\tdport\tlen\tpayload\tconn\tdir')
    with open(expected, 'w') as f:
        for conn in range(1, n + 1):
            kind = rng.randrange(5)
            if kind == 0:
                plain = header('ipv4', str(ipaddress.IPv4Address(rng.getrandbits(32))),
                               rng.randrange(65536))
            elif kind == 1:
                plain = header('ipv6', str(ipaddress.IPv6Address(rng.getrandbits(128))),
                               rng.randrange(65536))
            elif kind == 2:
                alphabet = 'abcxyz019-._' + ('' if rng.randrange(3) else '\t/ %')
                name = ''.join(rng.choice(alphabet) for _ in range(rng.randrange(0, 40)))
                plain = header('domain', name, rng.randrange(65536))
            elif kind == 3:  # a known atyp then random bytes, maybe cut short
                plain = bytes([rng.choice([1, 3, 4])]) + rng.randbytes(rng.randrange(0, 30))
            else:
                plain = rng.randbytes(rng.randrange(1, 40))
            plain += rng.randbytes(rng.randrange(0, 5))
            data = plain.translate(enc)
            print('%d.000000\t4\t192.168.0.2\t10.0.0.1\t%d\t8388\t%d\t%s\t%d\tc2s' %
                  (1700000000 + conn, 1024 + conn, len(data), data.hex(), conn))
            d = decode(plain)
            f.write('%d %s\n' % (conn, ' '.join(map(str, d)) if d else 'fail'))


def main(argv):
    if len(argv) < 3:
        raise SystemExit(__doc__)
    cmd, pw = argv[1], argv[2]
    if cmd == 'table':
        print(table(pw).hex())
    elif cmd == 'request':
        data = argv[6].encode() if len(argv) > 6 else b''
        print(encrypt(pw, header(argv[3], argv[4], argv[5]) + data).hex())
    elif cmd == 'encrypt':
        print(encrypt(pw, bytes.fromhex(argv[3])).hex())
    elif cmd == 'vectors':
        vectors(pw, int(argv[3]), int(argv[4]), argv[5])
    elif cmd == 'decode':
        d = decode(decrypt(pw, bytes.fromhex(argv[3])))
        print(' '.join(map(str, d)) if d else 'fail')
    else:
        raise SystemExit(__doc__)


if __name__ == '__main__':
    main(sys.argv)
