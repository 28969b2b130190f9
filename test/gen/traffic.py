#!/usr/bin/python3
"""Traffic for test/gen: an MPTCP (or TCP) bulk client and server.

Protocol (one connection):
  client -> server: 16-byte header (u64 N, u64 M, big endian), then N bytes
  server -> client: M bytes, once all N bytes have been read
  client: waits until everything it sent is acknowledged, reads the kernel
          counters of its socket (MPTCP_INFO, MPTCP_TCPINFO, MPTCP_SUBFLOW_ADDRS
          or TCP_INFO) and appends them to the truth TSV, then closes.
  server: waits for the client's EOF, then closes.
So the counters cover everything except the FIN / DATA_FIN exchange.

Run with Debian's /usr/bin/python3 (ctypes is needed because the MPTCP
getsockopts read an input header from the buffer, which socket.getsockopt
cannot pass).
"""
import argparse
import ctypes
import errno
import os
import socket
import struct
import subprocess
import sys
import threading
import time

IPPROTO_MPTCP = 262
SOL_MPTCP = 284
MPTCP_INFO = 1
MPTCP_TCPINFO = 2
MPTCP_SUBFLOW_ADDRS = 3
TCP_INFO = 11

# struct mptcp_info (include/uapi/linux/mptcp.h, kernel >= 6.10). The Debian
# libc header is older, so the layout is spelled out here; its size (96) is
# checked against what the kernel returns.
MPTCP_INFO_FMT = '=6B2xII3Q3BxI4QB3x3I'
MPTCP_INFO_FIELDS = (
    'subflows add_addr_signal add_addr_accepted subflows_max '
    'add_addr_signal_max add_addr_accepted_max flags token write_seq snd_una '
    'rcv_nxt local_addr_used local_addr_max csum_enabled retransmits '
    'bytes_retrans bytes_sent bytes_received bytes_acked subflows_total '
    'last_data_sent last_data_recv last_ack_recv').split()
assert struct.calcsize(MPTCP_INFO_FMT) == 96

# struct tcp_info (include/uapi/linux/tcp.h) up to tcpi_snd_wnd (232 bytes),
# plus the 6.7+ tail (rcv_wnd, rehash, total_rto*) -> 248 bytes.
TCP_INFO_FMT = ('=8B' + '4I' + '5I' + '4I' + '8I' + '2I' + 'I' + '4Q' + '2I'
                + '4I' + 'Q' + '3Q' + '2I' + '2Q' + '2I' + 'I' + 'I'
                + '2I2HI')
TCP_INFO_FIELDS = (
    'state ca_state retransmits probes backoff options wscale app_limited '
    'rto ato snd_mss rcv_mss '
    'unacked sacked lost retrans fackets '
    'last_data_sent last_ack_sent last_data_recv last_ack_recv '
    'pmtu rcv_ssthresh rtt rttvar snd_ssthresh snd_cwnd advmss reordering '
    'rcv_rtt rcv_space total_retrans '
    'pacing_rate max_pacing_rate bytes_acked bytes_received segs_out segs_in '
    'notsent_bytes min_rtt data_segs_in data_segs_out delivery_rate '
    'busy_time rwnd_limited sndbuf_limited delivered delivered_ce '
    'bytes_sent bytes_retrans dsack_dups reord_seen rcv_ooopack snd_wnd '
    'rcv_wnd rehash total_rto total_rto_recoveries total_rto_time').split()
TCP_INFO_LEN = struct.calcsize(TCP_INFO_FMT)
assert TCP_INFO_LEN == 248 and len(TCP_INFO_FIELDS) == len(
    struct.unpack(TCP_INFO_FMT, bytes(TCP_INFO_LEN)))
# struct mptcp_subflow_addrs: two unions sized by __kernel_sockaddr_storage.
SF_ADDRS_LEN = 256
SF_DATA_FMT = '=4I'          # struct mptcp_subflow_data, 16 bytes

TCP_STATES = {1: 'ESTABLISHED', 2: 'SYN_SENT', 3: 'SYN_RECV', 4: 'FIN_WAIT1',
              5: 'FIN_WAIT2', 6: 'TIME_WAIT', 7: 'CLOSE', 8: 'CLOSE_WAIT',
              9: 'LAST_ACK', 10: 'LISTEN', 11: 'CLOSING'}

libc = ctypes.CDLL(None, use_errno=True)


def raw_getsockopt(fd, level, opt, buf):
    """getsockopt() with a caller-filled buffer; returns the bytes written."""
    cbuf = ctypes.create_string_buffer(bytes(buf), len(buf))
    optlen = ctypes.c_uint32(len(buf))
    if libc.getsockopt(fd, level, opt, cbuf, ctypes.byref(optlen)) < 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))
    return cbuf.raw[:optlen.value]


def mptcp_info(sock):
    raw = raw_getsockopt(sock.fileno(), SOL_MPTCP, MPTCP_INFO, bytes(96))
    if len(raw) < 96:      # older kernel: pad, missing fields read as 0
        raw = raw + bytes(96 - len(raw))
    return dict(zip(MPTCP_INFO_FIELDS, struct.unpack(MPTCP_INFO_FMT, raw)))


def subflow_array(sock, opt, elem_len, max_sf=8):
    """MPTCP_TCPINFO / MPTCP_SUBFLOW_ADDRS: header + array of elements."""
    hdr = struct.pack(SF_DATA_FMT, 16, 0, 0, elem_len)
    raw = raw_getsockopt(sock.fileno(), SOL_MPTCP, opt,
                         hdr + bytes(elem_len * max_sf))
    _, num, size_kernel, size_user = struct.unpack(SF_DATA_FMT, raw[:16])
    n = min(num, (len(raw) - 16) // size_user) if size_user else 0
    return num, size_kernel, [raw[16 + i * size_user:16 + (i + 1) * size_user]
                              for i in range(n)]


def parse_tcp_info(raw):
    raw = raw + bytes(TCP_INFO_LEN - len(raw))
    return dict(zip(TCP_INFO_FIELDS, struct.unpack(TCP_INFO_FMT, raw)))


def parse_sockaddr(raw):
    fam = struct.unpack('=H', raw[:2])[0]
    port = struct.unpack('!H', raw[2:4])[0]
    if fam == socket.AF_INET:
        return socket.inet_ntop(socket.AF_INET, raw[4:8]), port
    if fam == socket.AF_INET6:
        return socket.inet_ntop(socket.AF_INET6, raw[8:24]), port
    return '-', '-'


def subflows(sock):
    """[(tcp_info dict, (src, sport, dst, dport))] in the kernel's order."""
    _, ksz, infos = subflow_array(sock, MPTCP_TCPINFO, TCP_INFO_LEN)
    infos = [parse_tcp_info(r[:ksz]) for r in infos]
    _, _, addrs = subflow_array(sock, MPTCP_SUBFLOW_ADDRS, SF_ADDRS_LEN)
    tuples = [parse_sockaddr(a[:128]) + parse_sockaddr(a[128:]) for a in addrs]
    if len(tuples) != len(infos):   # subflow list changed between the calls
        return None
    return list(zip(infos, tuples))


def recv_exact(sock, n):
    got = bytearray()
    while len(got) < n:
        chunk = sock.recv(min(65536, n - len(got)))
        if not chunk:
            raise EOFError('peer closed after %d of %d bytes' % (len(got), n))
        got += chunk
    return bytes(got)


# ---------------------------------------------------------------- server
def serve(args):
    fam = socket.AF_INET6 if ':' in args.bind else socket.AF_INET
    proto = socket.IPPROTO_TCP if args.tcp else IPPROTO_MPTCP
    ls = socket.socket(fam, socket.SOCK_STREAM, proto)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((args.bind, args.port))
    ls.listen(16)
    if args.ready:
        open(args.ready, 'w').close()
    for _ in range(args.conns):
        c, _ = ls.accept()
        n, m = struct.unpack('!QQ', recv_exact(c, 16))
        left = n
        while left:
            chunk = c.recv(min(65536, left))
            if not chunk:
                raise EOFError('client closed early')
            left -= len(chunk)
        c.sendall(b's' * m)
        # Wait for the client's EOF: it reads its counters before closing.
        while c.recv(65536):
            pass
        c.close()
    ls.close()


# ---------------------------------------------------------------- client
COLUMNS = ('conn level token src sport dst dport app_bytes_sent '
           'app_bytes_received bytes_sent bytes_received bytes_retrans '
           'bytes_acked retransmits data_segs_out data_segs_in total_retrans '
           'segs_out segs_in subflows subflows_total fallback '
           'add_addr_accepted local_addr_used write_seq snd_una rcv_nxt '
           'state unacked lost rtt_us min_rtt_us snd_mss').split()


def fallen_back(sock):
    """An MPTCP socket that fell back to TCP hands every getsockopt to its
    TCP subflow, so SOL_MPTCP options fail with EOPNOTSUPP."""
    try:
        mptcp_info(sock)
        return False
    except OSError as e:
        if e.errno == errno.EOPNOTSUPP:
            return True
        raise


def all_acked(sock, mptcp):
    """True when the peer acknowledged everything the socket sent."""
    if not mptcp or fallen_back(sock):
        ti = parse_tcp_info(sock.getsockopt(socket.IPPROTO_TCP, TCP_INFO,
                                            TCP_INFO_LEN))
        return ti['unacked'] == 0
    mi = mptcp_info(sock)
    if mi['snd_una'] != mi['write_seq']:
        return False
    sfs = subflows(sock) or []
    # A subflow that is no longer usable (handover: blackholed) never gets
    # its copies acked; only live subflows are waited for.
    return all(ti['unacked'] == 0 for ti, _ in sfs
               if ti['state'] == 1 and ti['backoff'] == 0)


def tcp_row(conn, level, ti, tup, **extra):
    row = dict.fromkeys(COLUMNS, '-')
    row.update(conn=conn, level=level)
    row.update(zip(('src', 'sport', 'dst', 'dport'), tup))
    for k in ('bytes_sent', 'bytes_received', 'bytes_retrans', 'bytes_acked',
              'data_segs_out', 'data_segs_in', 'total_retrans', 'segs_out',
              'segs_in', 'unacked', 'lost', 'snd_mss'):
        row[k] = ti[k]
    row.update(state=TCP_STATES.get(ti['state'], ti['state']),
               rtt_us=ti['rtt'], min_rtt_us=ti['min_rtt'])
    row.update(extra)
    return row


def truth_rows(sock, conn, mptcp, sent, received):
    local, remote = sock.getsockname()[:2], sock.getpeername()[:2]
    tup = (local[0], local[1], remote[0], remote[1])
    app = dict(app_bytes_sent=sent, app_bytes_received=received)
    if not mptcp:
        ti = parse_tcp_info(sock.getsockopt(socket.IPPROTO_TCP, TCP_INFO,
                                            TCP_INFO_LEN))
        return [tcp_row(conn, 'tcp', ti, tup, **app)]
    if fallen_back(sock):
        # No MPTCP_INFO: an MPTCP row with only what is known (fallback,
        # app bytes, 1 subflow) and the subflow from TCP_INFO.
        ti = parse_tcp_info(sock.getsockopt(socket.IPPROTO_TCP, TCP_INFO,
                                            TCP_INFO_LEN))
        row = dict.fromkeys(COLUMNS, '-')
        row.update(conn=conn, level='mptcp', fallback=1, subflows=0, **app)
        row.update(zip(('src', 'sport', 'dst', 'dport'), tup))
        return [row, tcp_row(conn, 'subflow', ti, tup)]
    rows = []
    mi = mptcp_info(sock)
    row = dict.fromkeys(COLUMNS, '-')
    row.update(conn=conn, level='mptcp', **app)
    row.update(zip(('src', 'sport', 'dst', 'dport'), tup))
    for k in ('token', 'bytes_sent', 'bytes_received', 'bytes_retrans',
              'bytes_acked', 'retransmits', 'subflows', 'subflows_total',
              'add_addr_accepted', 'local_addr_used', 'write_seq', 'snd_una',
              'rcv_nxt'):
        row[k] = mi[k]
    row['fallback'] = mi['flags'] & 1
    rows.append(row)
    sfs = subflows(sock)
    if sfs is None:
        raise RuntimeError('subflow list changed while reading counters')
    for ti, stup in sfs:
        rows.append(tcp_row(conn, 'subflow', ti, stup, token=mi['token']))
    return rows


def write_truth(path, rows):
    new = not os.path.exists(path) or os.path.getsize(path) == 0
    with open(path, 'a') as f:
        if new:
            f.write('\t'.join(COLUMNS) + '\n')
        for r in rows:
            f.write('\t'.join(str(r[c]) for c in COLUMNS) + '\n')


def event_thread(sock, after, cmd, stop):
    """Run CMD once the MPTCP level has acked AFTER bytes (e.g. handover)."""
    while not stop.is_set():
        mi = mptcp_info(sock)
        if mi['bytes_acked'] >= after:
            subprocess.run(cmd, shell=True, check=True)
            return
        time.sleep(0.002)


def client_once(args, conn):
    fam = socket.AF_INET6 if ':' in args.connect else socket.AF_INET
    mptcp = not args.tcp
    s = socket.socket(fam, socket.SOCK_STREAM,
                      IPPROTO_MPTCP if mptcp else socket.IPPROTO_TCP)
    s.connect((args.connect, args.port))
    stop = threading.Event()
    ev = None
    if args.event_cmd and mptcp:
        ev = threading.Thread(target=event_thread,
                              args=(s, args.event_after, args.event_cmd, stop))
        ev.start()
    # Give the path manager time to join the extra subflows before the bulk
    # data starts (otherwise a short transfer finishes on the first subflow).
    time.sleep(args.join_wait)
    s.sendall(struct.pack('!QQ', args.send, args.recv))
    chunk = b'p' * 65536
    left = args.send
    while left:
        n = min(left, len(chunk))
        s.sendall(chunk[:n])
        left -= n
    sent = 16 + args.send
    got = len(recv_exact(s, args.recv))
    # Counters are final (FIN aside) only once everything is acked.
    deadline = time.time() + args.ack_timeout
    while not all_acked(s, mptcp) and time.time() < deadline:
        time.sleep(0.01)
    stop.set()
    if ev:
        ev.join()
    rows = truth_rows(s, conn, mptcp, sent, got)
    write_truth(args.truth, rows)
    s.close()


def client(args):
    for i in range(1, args.conns + 1):
        client_once(args, i)
        if i < args.conns:
            time.sleep(args.gap)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest='mode', required=True)
    sv = sub.add_parser('server')
    sv.add_argument('--bind', required=True)
    sv.add_argument('--ready', help='file created once listening')
    cl = sub.add_parser('client')
    cl.add_argument('--connect', required=True)
    cl.add_argument('--send', type=int, default=600000)
    cl.add_argument('--recv', type=int, default=50000)
    cl.add_argument('--truth', required=True)
    cl.add_argument('--join-wait', type=float, default=0.2)
    cl.add_argument('--ack-timeout', type=float, default=5.0)
    cl.add_argument('--gap', type=float, default=0.1)
    cl.add_argument('--event-after', type=int, default=0)
    cl.add_argument('--event-cmd')
    for x in (sv, cl):
        x.add_argument('--port', type=int, default=5201)
        x.add_argument('--tcp', action='store_true', help='plain TCP socket')
        x.add_argument('--conns', type=int, default=1)
    args = p.parse_args()
    serve(args) if args.mode == 'server' else client(args)


if __name__ == '__main__':
    sys.exit(main())
