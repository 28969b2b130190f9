#!/usr/bin/python3
"""Path-manager times from tshark's dissection of a capture, for the
pm and pmevents records of mptcp-derive(1); shares nothing with the
tools (no table of theirs is read).

  pm-tshark.py addaddr CAPTURE
      one line per announcement, in time order: "ts addr port latency",
      an ADD_ADDR that is not an echo (v1's E flag) and not a repeat of
      one of the same MPTCP connection (tshark's mptcp.stream), address
      and port still without its join; its port the option's, else the
      sender's TCP port on the subflow that carried it (RFC 8684,
      3.4.1); its join the first MP_JOIN SYN (no ACK) of the connection
      towards that address and port at or after it; latency "-" when
      none. IPv4 announcements only (the fixtures').

  pm-tshark.py subflows CAPTURE
      one line per TCP connection (tcp.stream): "c_addr c_port first_data
      last_data c_last_ack s_last_ack", its client the sender of its
      first SYN: the first and last frame with payload (either way), the
      last frame with ACK from each end; "-" when none.

Times in seconds with 6 digits, or 9 when the capture has nanoseconds.
"""
import subprocess
import sys


def tshark(cap, fields, filt):
    cmd = ['tshark', '-r', cap, '-Y', filt, '-T', 'fields', '-E', 'occurrence=a']
    for f in fields:
        cmd += ['-e', f]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return [dict(zip(fields, line.split('\t'))) for line in out.splitlines()]


def ns(t):
    whole, _, frac = t.partition('.')
    return int(whole) * 10**9 + int((frac + '000000000')[:9])


class Fmt:
    digits = 6

    @classmethod
    def see(cls, rows):
        if any(not r['frame.time_epoch'].endswith('000') for r in rows):
            cls.digits = 9

    @classmethod
    def ts(cls, v):
        if v is None:
            return '-'
        return '%d.%0*d' % (v // 10**9, cls.digits, (v % 10**9) // 10 ** (9 - cls.digits))


def addaddr(cap):
    f = ['frame.time_epoch', 'mptcp.stream', 'ip.src', 'ip.dst', 'tcp.srcport', 'tcp.dstport',
         'tcp.flags.syn', 'tcp.flags.ack', 'tcp.options.mptcp.subtype', 'tcp.options.mptcp.echo',
         'tcp.options.mptcp.ipv4', 'tcp.options.mptcp.port']
    rows = tshark(cap, f, 'tcp.options.mptcp.subtype == 3 || '
                          '(tcp.options.mptcp.subtype == 1 && tcp.flags.syn == 1 && tcp.flags.ack == 0)')
    Fmt.see(tshark(cap, ['frame.time_epoch'], 'tcp'))
    anns = []   # [ts, stream, addr, port, join ts or None]
    for r in rows:
        t = ns(r['frame.time_epoch'])
        subs = r['tcp.options.mptcp.subtype'].split(',')
        if '1' in subs and r['tcp.flags.syn'] in ('1', 'True') and r['tcp.flags.ack'] in ('0', 'False'):
            for a in anns:
                if a[4] is None and a[1] == r['mptcp.stream'] and a[2] == r['ip.dst'] and a[3] == r['tcp.dstport']:
                    a[4] = t
        if '3' not in subs or not r['tcp.options.mptcp.ipv4']:
            continue
        if r['tcp.options.mptcp.echo'] in ('1', 'True'):
            continue
        port = r['tcp.options.mptcp.port'] or r['tcp.srcport']
        addr = r['tcp.options.mptcp.ipv4']
        if any(a[1] == r['mptcp.stream'] and a[2] == addr and a[3] == port and a[4] is None for a in anns):
            continue  # a repeat
        anns.append([t, r['mptcp.stream'], addr, port, None])
    for a in anns:
        print(Fmt.ts(a[0]), a[2], a[3], Fmt.ts(a[4] - a[0]) if a[4] is not None else '-')


def subflows(cap):
    f = ['frame.time_epoch', 'tcp.stream', 'ip.src', 'tcp.srcport', 'tcp.flags.syn', 'tcp.flags.ack',
         'tcp.len']
    rows = tshark(cap, f, 'tcp')
    Fmt.see(rows)
    conns = {}
    for r in rows:
        c = conns.setdefault(r['tcp.stream'], {'client': None, 'first': None, 'last': None, 'ack': {}})
        t = ns(r['frame.time_epoch'])
        end = (r['ip.src'], r['tcp.srcport'])
        if c['client'] is None and r['tcp.flags.syn'] in ('1', 'True') and r['tcp.flags.ack'] in ('0', 'False'):
            c['client'] = end
        if int(r['tcp.len'] or 0) > 0:
            c['first'] = t if c['first'] is None else c['first']
            c['last'] = t
        if r['tcp.flags.ack'] in ('1', 'True'):
            c['ack'][end] = t
    for c in conns.values():
        if c['client'] is None:
            continue
        other = [v for k, v in c['ack'].items() if k != c['client']]
        print(c['client'][0], c['client'][1], Fmt.ts(c['first']), Fmt.ts(c['last']),
              Fmt.ts(c['ack'].get(c['client'])), Fmt.ts(other[0] if other else None))


if __name__ == '__main__':
    {'addaddr': addaddr, 'subflows': subflows}[sys.argv[1]](sys.argv[2])
