#!/usr/bin/python3
"""Traffic for test/gen: an MPTCP (or TCP) bulk client and server.

Protocol (one connection):
  client -> server: 16-byte header (u64 N, u64 M, big endian), then N bytes
  server -> client: M bytes, once all N bytes have been read (--duplex:
          from the header on, while the N bytes arrive)
  client: waits until everything it sent is acknowledged, reads the kernel
          counters of its socket (MPTCP_INFO, MPTCP_TCPINFO, MPTCP_SUBFLOW_ADDRS
          or TCP_INFO) and appends them to the truth TSV, then closes
          (--sync DIR: once the server has read its own counters).
  server: with --truth, waits until its own data is acknowledged and reads
          its counters the same way (then marks DIR/ADDR_PORT for --sync);
          then waits for the client's EOF and closes.
So the counters cover everything except the FIN / DATA_FIN exchange.

`traffic.py merge PHONE SERVER OUT` joins the two sides' truth rows into
one file, numbering the server's connections as the phone's (by 4-tuple).

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

LOCK = threading.Lock()      # truth and log rows of concurrent connections

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
def log_row(path, source, event, where='-', direction='-', params='-'):
    """A row of the generator's log (time source event path dir params),
    appended in one write so that concurrent writers never interleave."""
    if not path:
        return
    params = ' '.join(str(params).split()) or '-'
    line = '%.6f\t%s\t%s\t%s\t%s\t%s\n' % (time.time(), source, event,
                                            where, direction, params)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line.encode())
    finally:
        os.close(fd)


def sync_name(sync, addr, port):
    return os.path.join(sync, '%s_%s' % (addr, port))


def wait_acked(sock, mptcp, timeout):
    deadline = time.time() + timeout
    while not all_acked(sock, mptcp) and time.time() < deadline:
        time.sleep(0.01)


def read_n(sock, n, pause, log, side):
    """Reads and discards n bytes; pause = (after, seconds): stop reading
    for that long once `after` bytes were read (a receive window that
    fills up)."""
    left, done, paused = n, 0, not pause
    while left:
        if not paused and done >= pause[0]:
            log_row(log, side, 'read-pause-start', params='after=%d seconds=%g'
                    % pause)
            time.sleep(pause[1])
            log_row(log, side, 'read-pause-end', params='read=%d' % done)
            paused = True
        want = min(65536, left)
        if not paused:
            want = min(want, max(1, pause[0] - done))
        chunk = sock.recv(want)
        if not chunk:
            raise EOFError('peer closed after %d of %d bytes' % (done, n))
        left -= len(chunk)
        done += len(chunk)


def send_n(sock, n):
    chunk = b's' * 65536
    while n:
        k = min(n, len(chunk))
        sock.sendall(chunk[:k])
        n -= k


def serve_one(args, c, conn):
    mptcp = not args.tcp
    n, m = struct.unpack('!QQ', recv_exact(c, 16))
    sender = None
    if args.duplex:
        sender = threading.Thread(target=send_n, args=(c, m))
        sender.start()
    read_n(c, n, args.read_pause, args.log, 'server')
    if sender:
        sender.join()
    else:
        send_n(c, m)
    if args.truth:
        wait_acked(c, mptcp, args.ack_timeout)
        rows = truth_rows(c, conn, mptcp, m, 16 + n, side='server')
        with LOCK:
            write_truth(args.truth, rows)
        peer = c.getpeername()
        log_row(args.log, 'server', 'counters', params='conn=%d peer=%s:%s' %
                (conn, peer[0], peer[1]))
        if args.sync:
            open(sync_name(args.sync, peer[0], peer[1]), 'w').close()
    # Wait for the client's EOF: it reads its counters before closing.
    while c.recv(65536):
        pass
    c.close()


def serve(args):
    fam = socket.AF_INET6 if ':' in args.bind else socket.AF_INET
    proto = socket.IPPROTO_TCP if args.tcp else IPPROTO_MPTCP
    ls = socket.socket(fam, socket.SOCK_STREAM, proto)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if args.rcvbuf:
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, args.rcvbuf)
    ls.bind((args.bind, args.port))
    ls.listen(max(16, args.conns))
    if args.ready:
        open(args.ready, 'w').close()
    threads = []
    for i in range(1, args.conns + 1):
        c, _ = ls.accept()
        if not args.concurrent:
            serve_one(args, c, i)
            continue
        t = threading.Thread(target=serve_one, args=(args, c, i))
        t.start()
        threads.append(t)
    for t in threads:
        t.join()
    ls.close()


# ---------------------------------------------------------------- client
COLUMNS = ('conn level token src sport dst dport app_bytes_sent '
           'app_bytes_received bytes_sent bytes_received bytes_retrans '
           'bytes_acked retransmits data_segs_out data_segs_in total_retrans '
           'segs_out segs_in subflows subflows_total fallback '
           'add_addr_accepted local_addr_used write_seq snd_una rcv_nxt '
           'state unacked lost rtt_us min_rtt_us snd_mss side read_time').split()


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


def truth_rows(sock, conn, mptcp, sent, received, side='phone'):
    """The rows of one connection, every one marked with the side that read
    them and when (epoch seconds, the clock of the captures: taken once the
    counters are read, so everything they count was sent before it)."""
    rows = counter_rows(sock, conn, mptcp, sent, received)
    t = '%.6f' % time.time()
    return [dict(r, side=side, read_time=t) for r in rows]


def counter_rows(sock, conn, mptcp, sent, received):
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


def parse_when(spec):
    """'acked>=N' (MPTCP or TCP bytes acked), 'received>=N' (bytes the
    application read), 'time>=S' (seconds since connect)."""
    what, _, value = spec.partition('>=')
    if what not in ('acked', 'received', 'time') or not value:
        raise SystemExit('bad --event condition: %s' % spec)
    return what, float(value)


def progress(sock, mptcp, what, state):
    if what == 'time':
        return time.time() - state['start']
    if what == 'received':
        return state['received']
    if mptcp and not fallen_back(sock):
        return mptcp_info(sock)['bytes_acked']
    ti = parse_tcp_info(sock.getsockopt(socket.IPPROTO_TCP, TCP_INFO,
                                        TCP_INFO_LEN))
    return ti['bytes_acked']


def event_thread(sock, mptcp, events, state, stop, log):
    """Runs each event's command once its condition holds, in order (e.g.
    a handover once 300 kB are DATA_ACKed)."""
    for when, name, where, cmd in events:
        what, value = parse_when(when)
        while not stop.is_set() and progress(sock, mptcp, what, state) < value:
            time.sleep(0.002)
        if stop.is_set():
            log_row(log, 'client', 'event-skipped', where, params='name=%s '
                    'when=%s' % (name, when))
            return
        log_row(log, 'client', name, where, params='when=%s cmd=%s' %
                (when, cmd))
        subprocess.run(cmd, shell=True, check=True)


def send_all(sock, n, header=True):
    if header:
        sock.sendall(struct.pack('!QQ', n[0], n[1]))
    chunk = b'p' * 65536
    left = n[0]
    while left:
        k = min(left, len(chunk))
        sock.sendall(chunk[:k])
        left -= k


def recv_counting(sock, n, state):
    while state['received'] < n:
        chunk = sock.recv(min(65536, n - state['received']))
        if not chunk:
            raise EOFError('peer closed after %d of %d bytes'
                           % (state['received'], n))
        state['received'] += len(chunk)


def client_once(args, conn):
    fam = socket.AF_INET6 if ':' in args.connect else socket.AF_INET
    mptcp = not args.tcp
    s = socket.socket(fam, socket.SOCK_STREAM,
                      IPPROTO_MPTCP if mptcp else socket.IPPROTO_TCP)
    if args.rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, args.rcvbuf)
    s.connect((args.connect, args.port))
    state = dict(start=time.time(), received=0)
    stop = threading.Event()
    events = list(args.event or [])
    if args.event_cmd:
        events.insert(0, ('acked>=%d' % args.event_after, 'event', '-',
                          args.event_cmd))
    ev = None
    if events:
        ev = threading.Thread(target=event_thread,
                              args=(s, mptcp, events, state, stop, args.log))
        ev.start()
    # Give the path manager time to join the extra subflows before the bulk
    # data starts (otherwise a short transfer finishes on the first subflow).
    # --header-first: the header goes before the wait; the client's first
    # data completes the MPTCP handshake, and only then the path manager
    # opens the joins.
    if args.header_first:
        s.sendall(struct.pack('!QQ', args.send, args.recv))
    time.sleep(args.join_wait)
    todo = (s, (args.send, args.recv), not args.header_first)
    if args.duplex:
        sender = threading.Thread(target=send_all, args=todo)
        sender.start()
        recv_counting(s, args.recv, state)
        sender.join()
    else:
        send_all(*todo)
        recv_counting(s, args.recv, state)
    sent = 16 + args.send
    # Counters are final (FIN aside) only once everything is acked.
    wait_acked(s, mptcp, args.ack_timeout)
    stop.set()
    if ev:
        ev.join()
    rows = truth_rows(s, conn, mptcp, sent, state['received'])
    with LOCK:
        write_truth(args.truth, rows)
    local = s.getsockname()
    log_row(args.log, 'client', 'counters', params='conn=%d local=%s:%s' %
            (conn, local[0], local[1]))
    if args.sync:
        # The server reads its counters before our FIN reaches it.
        marker = sync_name(args.sync, local[0], local[1])
        deadline = time.time() + args.ack_timeout + 5
        while not os.path.exists(marker) and time.time() < deadline:
            time.sleep(0.01)
        if not os.path.exists(marker):
            log_row(args.log, 'client', 'sync-timeout', params='conn=%d' % conn)
    s.close()


def client(args):
    if args.parallel > 1:
        threads = [threading.Thread(target=client_once, args=(args, i))
                   for i in range(1, args.parallel + 1)]
        for t in threads:
            t.start()
            time.sleep(args.gap)
        for t in threads:
            t.join()
        return
    for i in range(1, args.conns + 1):
        client_once(args, i)
        if i < args.conns:
            time.sleep(args.gap)


def read_rows(path):
    with open(path) as f:
        lines = [l.rstrip('\n').split('\t') for l in f if l.strip()]
    return [dict(zip(lines[0], l)) for l in lines[1:]]


def merge(args):
    """Phone rows, then the server's with the phone's connection numbers:
    a server connection is the phone connection whose first subflow has
    the same two endpoints (the truth's src/dst are each side's own view)."""
    phone = read_rows(args.phone)
    server = read_rows(args.server) if os.path.exists(args.server) else []
    conn_of = {}
    for r in phone:
        if r['level'] in ('mptcp', 'tcp'):
            conn_of[(r['dst'], r['dport'], r['src'], r['sport'])] = r['conn']
    renum = {}
    for r in server:
        if r['level'] in ('mptcp', 'tcp'):
            key = (r['src'], r['sport'], r['dst'], r['dport'])
            if key not in conn_of:
                raise SystemExit('merge: server connection %s %s:%s <- %s:%s '
                                 'not in the phone truth' % (r['conn'], *key))
            renum[r['conn']] = conn_of[key]
    rows = phone + sorted((dict(r, conn=renum[r['conn']]) for r in server),
                          key=lambda r: int(r['conn']))
    with open(args.out, 'w') as f:
        f.write('\t'.join(COLUMNS) + '\n')
        for r in rows:
            f.write('\t'.join(str(r.get(c, '-')) for c in COLUMNS) + '\n')


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest='mode', required=True)
    sv = sub.add_parser('server')
    sv.add_argument('--bind', required=True)
    sv.add_argument('--ready', help='file created once listening')
    sv.add_argument('--truth', help="the server's own counters (TSV)")
    sv.add_argument('--concurrent', action='store_true',
                    help='one thread per connection')
    sv.add_argument('--read-pause', nargs=2, type=float,
                    metavar=('AFTER', 'SECONDS'),
                    help='stop reading for SECONDS after AFTER bytes')
    cl = sub.add_parser('client')
    cl.add_argument('--connect', required=True)
    cl.add_argument('--send', type=int, default=600000)
    cl.add_argument('--recv', type=int, default=50000)
    cl.add_argument('--truth', required=True)
    cl.add_argument('--join-wait', type=float, default=0.2)
    cl.add_argument('--header-first', action='store_true',
                    help='send the header before the join wait')
    cl.add_argument('--gap', type=float, default=0.1)
    cl.add_argument('--parallel', type=int, default=1,
                    help='connections at the same time (threads)')
    cl.add_argument('--event-after', type=int, default=0)
    cl.add_argument('--event-cmd')
    cl.add_argument('--event', nargs=4, action='append',
                    metavar=('WHEN', 'NAME', 'PATH', 'CMD'),
                    help='run CMD once WHEN (acked>=N, received>=N, '
                    'time>=S) holds; logged as NAME on PATH')
    for x in (sv, cl):
        x.add_argument('--port', type=int, default=5201)
        x.add_argument('--tcp', action='store_true', help='plain TCP socket')
        x.add_argument('--conns', type=int, default=1)
        x.add_argument('--duplex', action='store_true',
                       help='both directions at the same time')
        x.add_argument('--rcvbuf', type=int, help='SO_RCVBUF')
        x.add_argument('--ack-timeout', type=float, default=5.0)
        x.add_argument('--sync', help='directory of "counters read" markers')
        x.add_argument('--log', help="the generator's event log (TSV)")
    mg = sub.add_parser('merge')
    mg.add_argument('phone')
    mg.add_argument('server')
    mg.add_argument('out')
    args = p.parse_args()
    if args.mode == 'server':
        if args.read_pause:
            args.read_pause = (int(args.read_pause[0]), args.read_pause[1])
        serve(args)
    elif args.mode == 'client':
        client(args)
    else:
        merge(args)


if __name__ == '__main__':
    sys.exit(main())
