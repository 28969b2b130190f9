/*
 * relay: a delay element for test/gen's "router" namespaces.
 *
 * netem is not compiled into the test kernel, so a path's one-way delay is
 * made here: frames read on one interface (AF_PACKET, every protocol) are
 * written to the other one a fixed time after the kernel received them, in
 * arrival order. The namespace's own forwarding is off; this program is the
 * only way between its two interfaces. Besides the delay it can drop a
 * random share of the TCP frames (loss between the two ends' capture
 * points), cut a direction (drop every frame) or hold it (deliver nothing,
 * then everything at once) for a while, on commands read from a FIFO. Every
 * change and every dropped frame is logged with its time (CLOCK_REALTIME,
 * the clock of the captures), so the generator's log is exact.
 *
 *   relay -a IF -b IF -n PATH -o LOG [-c FIFO] [-d US] [-D US] [-l PCT]
 *         [-L PCT] [-s SEED] [-r PRIO]
 *
 * "up" is a -> b (the phone side to the server side), "down" is b -> a.
 * FIFO commands, one per line: "cut DIR SECONDS", "hold DIR SECONDS",
 * "loss DIR PERCENT", "delay DIR MICROSECONDS"; DIR is up, down or both.
 * On SIGTERM the relay logs its statistics (frames, drops, and how late it
 * sent frames against their due time) and exits.
 *
 * Built by test/gen/make-fixtures at generation time (cc -O2); not part of
 * the toolkit.
 */
#include <errno.h>
#include <stdarg.h>
#include <err.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>

#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23
#endif

#define SLOT 1600		/* an Ethernet frame of MTU 1500, with room */
#define SLOTS 8192		/* per direction: 20 Mbit/s held for 5 s */
#define LATE_BUCKETS 100000	/* lateness histogram, 1 us buckets */

enum { UP, DOWN };
static const char *dir_name[] = { "up", "down" };

struct frame {
	int64_t due;		/* ns, CLOCK_REALTIME */
	uint16_t len;
	unsigned char data[SLOT];
};

struct dir {
	int in, out;		/* sockets: read from in, write to out */
	struct frame *ring;
	unsigned head, count;
	int64_t delay;		/* ns */
	unsigned loss;		/* drop probability, in 1/10000 */
	int64_t cut_until, hold_until;	/* ns, 0 = none */
	int64_t last_due;	/* keeps FIFO order when the delay shrinks */
	uint64_t frames, bytes, lost, cut, overflow;
	uint32_t *late;		/* histogram of send time - due, us */
	int64_t late_max;
};

static struct dir dirs[2];
static const char *path_name = "-";
static int log_fd = -1;
static uint64_t rng_state;
static volatile sig_atomic_t stop;

static int64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* xorshift64*: a reproducible loss pattern for a given seed. */
static uint64_t
rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

/* One log row: time, source, event, path, dir, params (one write, so
 * rows of several writers appending to the same file never interleave). */
static void
log_row(int64_t t, const char *event, const char *dir, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void
log_row(int64_t t, const char *event, const char *dir, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	n = snprintf(buf, sizeof buf, "%" PRId64 ".%09" PRId64 "\trelay\t%s\t%s\t%s\t",
	    t / 1000000000, t % 1000000000, event, path_name, dir);
	va_start(ap, fmt);
	n += vsnprintf(buf + n, sizeof buf - n, fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof buf - 1)
		n = sizeof buf - 2;
	buf[n++] = '\n';
	if (write(log_fd, buf, n) != n)
		warn("log");
}

/* What a dropped frame was, for the log: TCP 4-tuple, sequence number,
 * flags and payload length, or the EtherType of anything else. */
static int
describe(const unsigned char *f, unsigned len, char *out, size_t size,
    int *is_tcp)
{
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
	unsigned type, ihl, doff, plen;
	const unsigned char *t;

	*is_tcp = 0;
	if (len < 14)
		return snprintf(out, size, "proto=short len=%u", len);
	type = f[12] << 8 | f[13];
	if (type == ETH_P_IP && len >= 34 && f[23] == IPPROTO_TCP) {
		ihl = (f[14] & 15) * 4;
		if (len < 14 + ihl + 20)
			return snprintf(out, size, "proto=tcp len=%u", len);
		inet_ntop(AF_INET, f + 26, a, sizeof a);
		inet_ntop(AF_INET, f + 30, b, sizeof b);
		t = f + 14 + ihl;
		plen = (f[16] << 8 | f[17]) - ihl;
	} else if (type == ETH_P_IPV6 && len >= 74 && f[20] == IPPROTO_TCP) {
		inet_ntop(AF_INET6, f + 22, a, sizeof a);
		inet_ntop(AF_INET6, f + 38, b, sizeof b);
		t = f + 54;
		plen = f[18] << 8 | f[19];
	} else {
		return snprintf(out, size, "proto=0x%04x len=%u", type, len);
	}
	*is_tcp = 1;
	doff = (t[12] >> 4) * 4;
	return snprintf(out, size,
	    "proto=tcp src=%s sport=%u dst=%s dport=%u seq=%" PRIu32
	    " flags=0x%02x payload=%u frame=%u",
	    a, t[0] << 8 | t[1], b, t[2] << 8 | t[3],
	    (uint32_t)t[4] << 24 | (uint32_t)t[5] << 16 | t[6] << 8 | t[7],
	    t[13], plen > doff ? plen - doff : 0, len);
}

static int
open_if(const char *name)
{
	struct sockaddr_ll sll = { 0 };
	int fd, one = 1, big = 8 << 20;

	fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK, htons(ETH_P_ALL));
	if (fd < 0)
		err(1, "socket");
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = if_nametoindex(name);
	if (sll.sll_ifindex == 0)
		err(1, "%s", name);
	if (bind(fd, (struct sockaddr *)&sll, sizeof sll) < 0)
		err(1, "bind %s", name);
	/* our own transmissions on this interface are not input */
	if (setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one) < 0)
		err(1, "PACKET_IGNORE_OUTGOING");
	if (setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one) < 0)
		err(1, "SO_TIMESTAMPNS");
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof big) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof big) < 0)
		err(1, "buffer sizes");
	return fd;
}

static void
enqueue(struct dir *d, int di, const unsigned char *buf, unsigned len,
    int64_t rx)
{
	struct frame *fr;
	char what[512];
	int tcp;

	if (rx < d->cut_until) {
		d->cut++;
		describe(buf, len, what, sizeof what, &tcp);
		log_row(rx, "drop", dir_name[di], "reason=cut %s", what);
		return;
	}
	describe(buf, len, what, sizeof what, &tcp);
	if (tcp && d->loss && rng() % 10000 < d->loss) {
		d->lost++;
		log_row(rx, "drop", dir_name[di], "reason=loss %s", what);
		return;
	}
	if (d->count == SLOTS) {
		d->overflow++;
		log_row(rx, "drop", dir_name[di], "reason=overflow %s", what);
		return;
	}
	fr = &d->ring[(d->head + d->count++) % SLOTS];
	memcpy(fr->data, buf, len);
	fr->len = len;
	fr->due = rx + d->delay;
	if (fr->due < d->hold_until)
		fr->due = d->hold_until;
	if (fr->due < d->last_due)
		fr->due = d->last_due;
	d->last_due = fr->due;
}

/* Reads every frame waiting on the socket; the due time starts from the
 * kernel's receive timestamp, not from when this loop got to it. */
static void
drain(struct dir *d, int di)
{
	unsigned char buf[SLOT];
	char ctl[CMSG_SPACE(sizeof(struct timespec))];
	struct sockaddr_ll from;
	struct iovec iov = { buf, sizeof buf };
	struct msghdr mh;
	struct cmsghdr *c;
	struct timespec ts;
	int64_t rx;
	ssize_t n;

	for (;;) {
		memset(&mh, 0, sizeof mh);
		mh.msg_name = &from;
		mh.msg_namelen = sizeof from;
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = ctl;
		mh.msg_controllen = sizeof ctl;
		n = recvmsg(d->in, &mh, MSG_TRUNC);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			err(1, "recvmsg");
		}
		if (from.sll_pkttype == PACKET_OUTGOING)
			continue;
		if (n > SLOT)
			errx(1, "%s: %zd-byte frame (offloads on?)", path_name, n);
		rx = now_ns();
		for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
			if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
				memcpy(&ts, CMSG_DATA(c), sizeof ts);
				rx = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
			}
		d->frames++;
		d->bytes += n;
		enqueue(d, di, buf, n, rx);
	}
}

static void
send_due(struct dir *d)
{
	struct frame *fr;
	int64_t t, late;

	while (d->count) {
		fr = &d->ring[d->head];
		t = now_ns();
		if (fr->due > t)
			return;
		if (send(d->out, fr->data, fr->len, 0) != fr->len) {
			if (errno == EAGAIN || errno == ENOBUFS || errno == EINTR)
				return;	/* retried on the next round */
			err(1, "send");
		}
		late = (now_ns() - fr->due) / 1000;
		if (late > d->late_max)
			d->late_max = late;
		d->late[late < LATE_BUCKETS ? late : LATE_BUCKETS - 1]++;
		d->head = (d->head + 1) % SLOTS;
		d->count--;
	}
}

static int
parse_dir(const char *s, int *lo, int *hi)
{
	if (strcmp(s, "up") == 0)
		*lo = *hi = UP;
	else if (strcmp(s, "down") == 0)
		*lo = *hi = DOWN;
	else if (strcmp(s, "both") == 0)
		*lo = UP, *hi = DOWN;
	else
		return -1;
	return 0;
}

static void
command(char *line)
{
	char verb[16], dir[8];
	double v;
	int lo, hi, i;
	int64_t t = now_ns();

	if (sscanf(line, "%15s %7s %lf", verb, dir, &v) != 3 ||
	    parse_dir(dir, &lo, &hi) < 0 || v < 0) {
		warnx("bad command: %s", line);
		log_row(t, "bad-command", "-", "line=%s", line);
		return;
	}
	for (i = lo; i <= hi; i++) {
		struct dir *d = &dirs[i];

		if (strcmp(verb, "cut") == 0) {
			d->cut_until = t + (int64_t)(v * 1e9);
			log_row(t, "cut-start", dir_name[i], "seconds=%g", v);
		} else if (strcmp(verb, "hold") == 0) {
			d->hold_until = t + (int64_t)(v * 1e9);
			log_row(t, "hold-start", dir_name[i], "seconds=%g", v);
		} else if (strcmp(verb, "loss") == 0) {
			d->loss = (unsigned)(v * 100 + 0.5);
			log_row(t, "set", dir_name[i], "loss_pct=%g", v);
		} else if (strcmp(verb, "delay") == 0) {
			d->delay = (int64_t)(v * 1000);
			log_row(t, "set", dir_name[i], "delay_us=%g", v);
		} else {
			warnx("bad command: %s", line);
			log_row(t, "bad-command", "-", "line=%s", line);
			return;
		}
	}
}

static void
read_commands(int fd)
{
	static char buf[512];
	static size_t have;
	char *nl;
	ssize_t n;

	n = read(fd, buf + have, sizeof buf - 1 - have);
	if (n <= 0)
		return;
	have += n;
	buf[have] = '\0';
	while ((nl = strchr(buf, '\n'))) {
		*nl = '\0';
		command(buf);
		have -= nl + 1 - buf;
		memmove(buf, nl + 1, have + 1);
	}
	if (have == sizeof buf - 1)
		have = 0;	/* a line too long: forget it */
}

/* The end of a cut or a hold is an event of its own in the log. */
static void
expire(int64_t t)
{
	int i;

	for (i = 0; i < 2; i++) {
		if (dirs[i].cut_until && t >= dirs[i].cut_until) {
			log_row(dirs[i].cut_until, "cut-end", dir_name[i], "-");
			dirs[i].cut_until = 0;
		}
		if (dirs[i].hold_until && t >= dirs[i].hold_until) {
			log_row(dirs[i].hold_until, "hold-end", dir_name[i], "-");
			dirs[i].hold_until = 0;
		}
	}
}

static int64_t
next_wakeup(void)
{
	int64_t next = INT64_MAX;
	int i;

	for (i = 0; i < 2; i++) {
		if (dirs[i].count && dirs[i].ring[dirs[i].head].due < next)
			next = dirs[i].ring[dirs[i].head].due;
		if (dirs[i].cut_until && dirs[i].cut_until < next)
			next = dirs[i].cut_until;
		if (dirs[i].hold_until && dirs[i].hold_until < next)
			next = dirs[i].hold_until;
	}
	return next;
}

static int64_t
percentile(const struct dir *d, double q)
{
	uint64_t n = 0, want, sum = 0;
	int i;

	for (i = 0; i < LATE_BUCKETS; i++)
		n += d->late[i];
	if (n == 0)
		return 0;
	want = (uint64_t)(q * (n - 1)) + 1;
	for (i = 0; i < LATE_BUCKETS; i++) {
		sum += d->late[i];
		if (sum >= want)
			return i;
	}
	return LATE_BUCKETS - 1;
}

static void
report(void)
{
	struct tpacket_stats st;
	socklen_t len;
	int i;

	for (i = 0; i < 2; i++) {
		struct dir *d = &dirs[i];

		len = sizeof st;
		if (getsockopt(d->in, SOL_PACKET, PACKET_STATISTICS, &st, &len) < 0)
			err(1, "PACKET_STATISTICS");
		log_row(now_ns(), "relay-stats", dir_name[i],
		    "frames=%" PRIu64 " bytes=%" PRIu64 " lost=%" PRIu64
		    " cut=%" PRIu64 " overflow=%" PRIu64 " socket_drops=%u"
		    " late_p50_us=%" PRId64 " late_p99_us=%" PRId64
		    " late_max_us=%" PRId64,
		    d->frames, d->bytes, d->lost, d->cut, d->overflow,
		    st.tp_drops, percentile(d, 0.5), percentile(d, 0.99),
		    d->late_max);
	}
}

static void
on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static void
usage(void)
{
	fprintf(stderr, "usage: relay -a IF -b IF -n PATH -o LOG [-c FIFO] "
	    "[-d US] [-D US] [-l PCT] [-L PCT] [-s SEED] [-r PRIO]\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	const char *ifa = NULL, *ifb = NULL, *fifo = NULL, *logp = NULL;
	struct pollfd pfd[3];
	struct sched_param sp = { 0 };
	struct sigaction sa = { 0 };
	struct timespec tmo;
	int64_t next, t;
	int c, i, nfds;

	rng_state = 88172645463325252ULL;
	while ((c = getopt(argc, argv, "a:b:c:d:D:l:L:n:o:r:s:")) != -1) {
		switch (c) {
		case 'a': ifa = optarg; break;
		case 'b': ifb = optarg; break;
		case 'c': fifo = optarg; break;
		case 'd': dirs[UP].delay = strtoll(optarg, NULL, 10) * 1000; break;
		case 'D': dirs[DOWN].delay = strtoll(optarg, NULL, 10) * 1000; break;
		case 'l': dirs[UP].loss = (unsigned)(strtod(optarg, NULL) * 100 + 0.5); break;
		case 'L': dirs[DOWN].loss = (unsigned)(strtod(optarg, NULL) * 100 + 0.5); break;
		case 'n': path_name = optarg; break;
		case 'o': logp = optarg; break;
		case 'r': sp.sched_priority = atoi(optarg); break;
		case 's': rng_state = strtoull(optarg, NULL, 10) | 1; break;
		default: usage();
		}
	}
	if (!ifa || !ifb || !logp || optind != argc)
		usage();
	log_fd = open(logp, O_WRONLY | O_APPEND | O_CREAT, 0644);
	if (log_fd < 0)
		err(1, "%s", logp);

	/* Precision: wake exactly when a frame is due, before other work. */
	if (prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0) < 0)
		warn("PR_SET_TIMERSLACK");
	if (sp.sched_priority && sched_setscheduler(0, SCHED_FIFO, &sp) < 0)
		warn("SCHED_FIFO");
	for (i = 0; i < 2; i++) {
		dirs[i].ring = calloc(SLOTS, sizeof *dirs[i].ring);
		dirs[i].late = calloc(LATE_BUCKETS, sizeof *dirs[i].late);
		if (!dirs[i].ring || !dirs[i].late)
			err(1, "calloc");
	}
	if (mlockall(MCL_CURRENT | MCL_FUTURE) < 0)
		warn("mlockall");

	dirs[UP].in = dirs[DOWN].out = open_if(ifa);
	dirs[DOWN].in = dirs[UP].out = open_if(ifb);
	pfd[0].fd = dirs[UP].in;
	pfd[1].fd = dirs[DOWN].in;
	pfd[0].events = pfd[1].events = POLLIN;
	nfds = 2;
	if (fifo) {
		/* O_RDWR: the FIFO never reports EOF between writers */
		pfd[2].fd = open(fifo, O_RDWR | O_NONBLOCK);
		if (pfd[2].fd < 0)
			err(1, "%s", fifo);
		pfd[2].events = POLLIN;
		nfds = 3;
	}
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	log_row(now_ns(), "relay-start", "-",
	    "a=%s b=%s delay_up_us=%" PRId64 " delay_down_us=%" PRId64
	    " loss_up_pct=%g loss_down_pct=%g seed=%" PRIu64 " rt_prio=%d",
	    ifa, ifb, dirs[UP].delay / 1000, dirs[DOWN].delay / 1000,
	    dirs[UP].loss / 100.0, dirs[DOWN].loss / 100.0, rng_state,
	    sp.sched_priority);

	while (!stop) {
		next = next_wakeup();
		t = now_ns();
		if (next == INT64_MAX) {
			tmo.tv_sec = 1, tmo.tv_nsec = 0;
		} else {
			next = next > t ? next - t : 0;
			tmo.tv_sec = next / 1000000000;
			tmo.tv_nsec = next % 1000000000;
		}
		if (ppoll(pfd, nfds, &tmo, NULL) < 0 && errno != EINTR)
			err(1, "ppoll");
		if (pfd[0].revents & POLLIN)
			drain(&dirs[UP], UP);
		if (pfd[1].revents & POLLIN)
			drain(&dirs[DOWN], DOWN);
		if (nfds == 3 && (pfd[2].revents & POLLIN))
			read_commands(pfd[2].fd);
		expire(now_ns());
		send_due(&dirs[UP]);
		send_due(&dirs[DOWN]);
	}
	report();
	return 0;
}
