/* Per-connection TCP statistics (tcp-metrics): counters, Karn RTT
 * samples, and the retransmission classes of Mellia et al. as tstat's
 * rexmit.c applies them, with modular sequence numbers throughout. The
 * definitions are the contract of man/tcp-metrics.1. */
#ifndef TCPSTAT_H
#define TCPSTAT_H
#include <stdint.h>
#include "out.h"
#include "pkt.h"

/* Retransmission / out-of-sequence classes; 0 is "in sequence". */
enum tcp_class {
	TC_NONE, TC_RTO, TC_FR, TC_REORDER, TC_NETDUP, TC_FLOWCTL, TC_UNKNOWN,
	TC_UNNEC_RTO, TC_UNNEC_FR, TC_NCLASS
};
extern const char *const tcp_class_name[TC_NCLASS];

enum tcp_event { TEV_NONE, TEV_RTT, TEV_REXMIT, TEV_ACK, TEV_INFLIGHT };

/* What a connection reports as it goes: the events of each type to
 * their own output (NULL: not reported). One engine feeds several event
 * tables this way (mptcp-tables), each byte for byte what a run with one
 * type alone writes. */
struct tcpstat_cfg {
	struct out *ev[TEV_INFLIGHT + 1];
};

struct tcpconn;

/* New state for connection id whose first packet is p, sent in dir
 * (DIR_C2S or DIR_S2C); hs: flowsplit saw the client's SYN. */
struct tcpconn *tcpconn_new(const struct tcpstat_cfg *cfg, uint64_t id,
    const struct pkt *p, int dir, int hs);
/* Accounts one packet. Never allocates except when a connection's
 * run list or sample array has to grow. */
void tcpconn_packet(struct tcpconn *c, const struct pkt *p, int dir);
void tcpconn_free(struct tcpconn *c);

/* The connection record: header line, then one line per connection. */
void tcpstat_header(struct out *o);
void tcpstat_record(struct out *o, struct tcpconn *c);
/* The header of the event records of type ev. */
void tcpstat_event_header(struct out *o, enum tcp_event ev);
/* The columns of the connection record (TEV_NONE) or of an event record. */
struct record_def;
const struct record_def *tcpstat_record_def(enum tcp_event ev);

#endif
