/* The packet record writer. This is pcap2pkt's hot path: a record is
 * written straight into the output buffer through a cursor, after one
 * check that the buffer has room for the longest possible record. */
#include "pktfmt.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "mptcp_opt.h"
#include "util.h"

/* The record's helpers, inlined whatever the compiler's size limits say:
 * a record is some fifty small fields, and the calls cost more than most. */
#define HOT static inline __attribute__((always_inline))

#define PKT_COL_NAME(id, name, type, unit, meaning) name,
const char *const pkt_col_name[PKT_NCOLS] = { PKT_COLUMNS(PKT_COL_NAME) };
#undef PKT_COL_NAME
#define PKT_COL_DEF(id, name, type, unit, meaning) { name, CT_##type, unit, meaning },
const struct column pkt_col_def[PKT_NCOLS] = { PKT_COLUMNS(PKT_COL_DEF) };
#undef PKT_COL_DEF

int pkt_col_lookup(const char *name, size_t len)
{
	for (int i = 0; i < PKT_NCOLS; i++)
		if (strlen(pkt_col_name[i]) == len && memcmp(pkt_col_name[i], name, len) == 0)
			return i;
	return -1;
}

HOT char *put_dash(char *w)
{
	*w = '-';
	return w + 1;
}

HOT char *put_u64_or_dash(char *w, int have, uint64_t v)
{
	return have ? put_u64(w, v) : put_dash(w);
}

/* Keys, tokens and nonces: fixed-width hex (out.h's hex_fixed). */
HOT char *put_id_or_dash(char *w, int have, uint64_t v, int ndig)
{
	return have ? hex_fixed(w, v, ndig) : put_dash(w);
}

static char *put_hex(char *w, const uint8_t *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		*w++ = hex[p[i] >> 4];
		*w++ = hex[p[i] & 15];
	}
	return w;
}

/* "0." to "255." with their lengths: an IPv4 address is four copies. */
static struct { char s[4]; uint8_t n; } octet[256];

static void init_octets(void)
{
	for (int i = 0; i < 256; i++) {
		char *e = put_u64(octet[i].s, (uint64_t)i);
		*e = '.';
		octet[i].n = (uint8_t)(e - octet[i].s + 1);
	}
}

static char *put_addr6(char *w, const uint8_t *a)
{
	char buf[INET6_ADDRSTRLEN];
	if (!inet_ntop(AF_INET6, a, buf, sizeof buf))
		buf[0] = '?', buf[1] = 0;
	size_t n = strlen(buf);
	memcpy(w, buf, n);
	return w + n;
}

HOT char *put_addr(char *w, int ipv, const uint8_t *a)
{
	if (ipv != 4)
		return put_addr6(w, a);
	memcpy(w, octet[a[0]].s, 4);
	w += octet[a[0]].n;
	memcpy(w, octet[a[1]].s, 4);
	w += octet[a[1]].n;
	memcpy(w, octet[a[2]].s, 4);
	w += octet[a[2]].n;
	memcpy(w, octet[a[3]].s, 4);
	return w + octet[a[3]].n - 1;
}

/* Whole seconds and a point, then `digits` (0, 6 or 9) fraction digits. */
static char *put_fixed(char *w, int64_t whole, uint32_t frac, int digits)
{
	uint64_t mag = (uint64_t)whole;
	if (whole < 0) {
		*w++ = '-';
		mag = (uint64_t)0 - mag;
	}
	w = put_u64(w, mag);
	*w++ = '.';
	if (digits == 6)
		return put6_fixed(w, frac);
	if (digits == 9) {
		*w = (char)('0' + frac / 100000000);
		return put8_fixed(w + 1, frac % 100000000);
	}
	return w;
}

/* The timestamp; its whole seconds change rarely from one segment to the
 * next, so their digits are kept from the last record (per thread: each
 * writer thread formats its own records). */
HOT char *put_ts(char *w, const struct pkt *p)
{
	static _Thread_local int64_t last_sec = -1;
	static _Thread_local char digits[24];
	static _Thread_local size_t ndigits;
	if (p->ts_sec != last_sec || p->ts_sec < 0) {
		ndigits = (size_t)(put_fixed(digits, p->ts_sec, 0, 0) - digits);
		last_sec = p->ts_sec;
	}
	memcpy(w, digits, 24);
	w += ndigits;
	if (p->ts_digits == 6)
		return put6_fixed(w, p->ts_frac);
	*w = (char)('0' + p->ts_frac / 100000000);
	return put8_fixed(w + 1, p->ts_frac % 100000000);
}

/* The letters of every flags byte, made once (init_flag_text). */
static struct { char s[8]; uint8_t n; } flag_text[256];

static void init_flag_text(void)
{
	static const char letters[] = "FSRPAUEC";
	for (int f = 0; f < 256; f++) {
		char *w = flag_text[f].s;
		for (int i = 0; i < 8; i++)
			if (f & (1 << i))
				*w++ = letters[i];
		if (w == flag_text[f].s)
			*w++ = '.';
		flag_text[f].n = (uint8_t)(w - flag_text[f].s);
	}
}

static inline char *put_flags(char *w, uint8_t flags)
{
	memcpy(w, flag_text[flags].s, 8);
	return w + flag_text[flags].n;
}

/* The writer's tables, made once, before any record. */
static void make_tables(void)
{
	init_octets();
	init_flag_text();
}

static void init_tables(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, make_tables);
}

void pkt_format_flags(struct out *o, uint8_t flags)
{
	init_tables();
	out_room(o, 8);
	o->len = (size_t)(put_flags(o->buf + o->len, flags) - o->buf);
}

static char *put_str(char *w, const char *s)
{
	size_t n = strlen(s);
	memcpy(w, s, n);
	return w + n;
}

/* Text from the capture (an interface name): the toolkit's escapes for
 * backslash, tab, newline and carriage return keep the record one line
 * of fields. */
static char *put_text(char *w, const char *s)
{
	if (!s)
		return put_dash(w);
	for (; *s; s++) {
		char e = *s == '\\' ? '\\' : *s == '\t' ? 't' : *s == '\n' ? 'n' : *s == '\r' ? 'r' : 0;
		if (e) {
			*w++ = '\\';
			*w++ = e;
		} else {
			*w++ = *s;
		}
	}
	return w;
}

static char *put_mptcp_options(char *w, const struct pkt *p)
{
	for (int i = 0; i < p->mp.n; i++) {
		uint8_t st = p->mp.subtype[i];
		if (i)
			*w++ = ',';
		if (st < MP_NSUBTYPES) {
			memcpy(w, mp_subtype_name[st], 16); /* names are padded */
			w += mp_subtype_len[st];
		} else if (st == MP_NOSUBTYPE) {
			w = put_str(w, "short");
		} else {
			w = put_str(w, "sub");
			w = put_u64(w, st);
		}
		if (p->mp.bad[i])
			*w++ = '!';
	}
	if (p->mp.more) {
		w = put_str(w, ",more");
		w = put_u64(w, p->mp.more);
	}
	return w;
}

/* The subtypes, "-" when none; the commonest list, one well-formed
 * option (a DSS), without the loop. */
HOT char *put_mptcp_list(char *w, const struct pkt *p)
{
	if (!p->mp.n)
		return put_dash(w);
	uint8_t st = p->mp.subtype[0];
	if (p->mp.n == 1 && st < MP_NSUBTYPES && !p->mp.bad[0] && !p->mp.more) {
		memcpy(w, mp_subtype_name[st], 16); /* names are padded */
		return w + mp_subtype_len[st];
	}
	return put_mptcp_options(w, p);
}

static char *put_sack_blocks(char *w, const struct pkt *p)
{
	for (int i = 0; i < p->nsack; i++) {
		if (i)
			*w++ = ',';
		w = put_u64(w, p->sack[i][0]);
		*w++ = '-';
		w = put_u64(w, p->sack[i][1]);
	}
	return w;
}

HOT char *put_sack(char *w, const struct pkt *p)
{
	return p->nsack ? put_sack_blocks(w, p) : put_dash(w);
}

/* One ADD_ADDR field of every ADD_ADDR option, joined by ','. */
static char *put_add_addr(char *w, const struct pkt *p, enum pkt_col c)
{
	for (int i = 0; i < p->n_add_addr; i++) {
		const struct mp_add_addr *a = &p->add_addr[i];
		if (i)
			*w++ = ',';
		switch (c) {
		case COL_AA_ID: w = put_u64(w, a->id); break;
		case COL_AA_ADDR: w = put_addr(w, a->ipv, a->addr); break;
		case COL_AA_PORT: w = put_u64_or_dash(w, a->has_port, a->port); break;
		case COL_AA_ECHO: w = put_u64_or_dash(w, !a->v0, a->echo); break;
		default:
			w = a->hmac_len ? put_hex(w, a->hmac, a->hmac_len) : put_dash(w);
		}
	}
	return w;
}

static char *put_rm_ids(char *w, const struct pkt *p)
{
	if (!p->n_rm)
		return put_dash(w);
	for (int i = 0; i < p->n_rm; i++) {
		if (i)
			*w++ = ',';
		w = put_u64(w, p->rm_ids[i]);
	}
	return w;
}

/* A field of an MPTCP option the segment carries (its group is present). */
HOT char *put_mp_col(char *w, const struct pkt *p, enum pkt_col c)
{
	const struct mp_capable *m = &p->cap;
	const struct mp_join *j = &p->join;
	const struct mp_dss *d = &p->dss;

	switch (c) {
	case COL_MPC_VER: return put_u64(w, m->ver);
	case COL_MPC_FLAGS: return put_u64(w, m->flags);
	case COL_MPC_SKEY: return put_id_or_dash(w, m->has_skey, m->skey, 16);
	case COL_MPC_RKEY: return put_id_or_dash(w, m->has_rkey, m->rkey, 16);
	case COL_MPC_DLEN: return put_u64_or_dash(w, m->has_dlen, m->dlen);
	case COL_MPC_CSUM: return put_u64_or_dash(w, m->has_csum, m->csum);
	case COL_MPJ_TOKEN: return put_id_or_dash(w, j->has_token, j->token, 8);
	case COL_MPJ_NONCE: return put_id_or_dash(w, j->has_nonce, j->nonce, 8);
	case COL_MPJ_ID: return put_u64_or_dash(w, j->hmac_len != 20, j->addr_id);
	case COL_MPJ_BACKUP: return put_u64_or_dash(w, j->hmac_len != 20, j->backup);
	case COL_MPJ_HMAC:
		return j->hmac_len ? put_hex(w, j->hmac, j->hmac_len) : put_dash(w);
	case COL_DSS_FLAGS: return put_u64(w, d->flags);
	case COL_DACK: return put_u64_or_dash(w, d->dack_w, d->dack);
	case COL_DACK_W: return put_u64_or_dash(w, d->dack_w, d->dack_w);
	case COL_DSN: return put_u64_or_dash(w, d->dsn_w, d->dsn);
	case COL_DSN_W: return put_u64_or_dash(w, d->dsn_w, d->dsn_w);
	case COL_SSN: return put_u64_or_dash(w, d->dsn_w, d->ssn);
	case COL_DLEN: return put_u64_or_dash(w, d->dsn_w, d->dlen);
	case COL_DSS_CSUM: return put_u64_or_dash(w, d->has_csum, d->csum);
	case COL_DATA_FIN: return put_u64(w, d->fin);
	case COL_AA_ID: case COL_AA_ADDR: case COL_AA_PORT: case COL_AA_ECHO:
	case COL_AA_HMAC:
		return put_add_addr(w, p, c);
	case COL_RM_IDS: return put_rm_ids(w, p);
	case COL_PRIO_BACKUP: return put_u64(w, p->prio_backup);
	case COL_PRIO_ID: return put_u64_or_dash(w, p->prio_id >= 0, (uint64_t)p->prio_id);
	case COL_FAIL_DSN: return put_u64(w, p->fail_dsn);
	case COL_FCLOSE_KEY: return hex_fixed(w, p->fclose_key, 16);
	case COL_TCPRST_REASON: return put_u64(w, p->tcprst_reason);
	case COL_TCPRST_FLAGS: return put_u64(w, p->tcprst_flags);
	default: return put_dash(w);
	}
}

HOT char *put_col(char *w, const struct pkt *p, enum pkt_col c, unsigned payload_max)
{
	switch (c) {
	case COL_FRAME: return put_u64(w, p->frame);
	case COL_TS: return put_ts(w, p);
	case COL_IFINDEX: return put_u64_or_dash(w, p->ifindex >= 0, (uint64_t)p->ifindex);
	case COL_IFNAME: return put_text(w, p->ifname);
	case COL_IPV: return put_u64(w, p->ipv);
	case COL_SRC: return put_addr(w, p->ipv, p->src);
	case COL_DST: return put_addr(w, p->ipv, p->dst);
	case COL_SPORT: return put_u64(w, p->sport);
	case COL_DPORT: return put_u64(w, p->dport);
	case COL_IP_ID: return put_u64_or_dash(w, p->ip_id >= 0, (uint64_t)p->ip_id);
	case COL_TTL: return put_u64(w, p->ttl);
	case COL_IP_LEN: return put_u64(w, p->ip_len);
	case COL_LEN: return put_u64(w, p->len);
	case COL_FLAGS: return put_flags(w, p->flags);
	case COL_SEQ: return put_u64(w, p->seq);
	case COL_ACK: return put_u64(w, p->ack);
	case COL_WIN: return put_u64(w, p->win);
	case COL_MSS: return put_u64_or_dash(w, p->mss >= 0, (uint64_t)p->mss);
	case COL_WSCALE: return put_u64_or_dash(w, p->wscale >= 0, (uint64_t)p->wscale);
	case COL_SACK_PERM: return put_u64(w, p->sack_perm);
	case COL_SACK: return put_sack(w, p);
	case COL_TSVAL: return put_u64_or_dash(w, p->has_ts, p->tsval);
	case COL_TSECR: return put_u64_or_dash(w, p->has_ts, p->tsecr);
	case COL_MPTCP: return put_mptcp_list(w, p);
	case COL_PAYLOAD: {
		uint32_t n = p->payload_caplen < payload_max ? p->payload_caplen : payload_max;
		return n ? put_hex(w, p->payload, n) : put_dash(w);
	}
	default: return put_mp_col(w, p, c);
	}
}

/* A chosen list is written through a plan made once (make_segments): one
 * call per column, to a function made from the column table that writes
 * that column and its tab (put_col with a constant column: its switch is
 * folded away), or one call per MPTCP option group. */
#define PKT_COL_PUT(id, name, type, unit, meaning) \
	static char *put_col_##id(char *w, const struct pkt *p, const struct pkt_writer *pw, \
	    const struct pkt_segment *seg) \
	{ \
		(void)seg; \
		w = put_col(w, p, COL_##id, pw->payload_max); \
		*w = '\t'; \
		return w + 1; \
	}
PKT_COLUMNS(PKT_COL_PUT)
#undef PKT_COL_PUT
#define PKT_COL_PUT_FN(id, name, type, unit, meaning) put_col_##id,
static pkt_put_fn *const put_col_fn[PKT_NCOLS] = { PKT_COLUMNS(PKT_COL_PUT_FN) };
#undef PKT_COL_PUT_FN

/* The columns of one MPTCP option group, or their dashes when the segment
 * does not carry that option. */
static char *put_seg_group(char *w, const struct pkt *p, const struct pkt_writer *pw,
    const struct pkt_segment *seg)
{
	if (!PKT_HAS(p, seg->group - 1)) {
		memcpy(w, pw->dashes, 32); /* most groups are shorter */
		if (seg->len > 16)
			memcpy(w, pw->dashes, 2 * (size_t)seg->len);
		return w + 2 * seg->len;
	}
	for (int i = seg->start; i < seg->start + seg->len; i++)
		w = put_col_fn[pw->cols[i]](w, p, pw, seg);
	return w;
}

/* The option group of a column: 0 for the always-written ones, else
 * 1 + the MPTCP subtype whose fields it shows. */
static uint8_t col_group(enum pkt_col c)
{
	if (c >= COL_MPC_VER && c <= COL_MPC_CSUM)
		return 1 + MP_CAPABLE;
	if (c >= COL_MPJ_TOKEN && c <= COL_MPJ_HMAC)
		return 1 + MP_JOIN;
	if (c >= COL_DSS_FLAGS && c <= COL_DATA_FIN)
		return 1 + MP_DSS;
	if (c >= COL_AA_ID && c <= COL_AA_HMAC)
		return 1 + MP_ADD_ADDR;
	if (c == COL_RM_IDS)
		return 1 + MP_RM_ADDR;
	if (c == COL_PRIO_BACKUP || c == COL_PRIO_ID)
		return 1 + MP_PRIO;
	if (c == COL_FAIL_DSN)
		return 1 + MP_FAIL;
	if (c == COL_FCLOSE_KEY)
		return 1 + MP_FASTCLOSE;
	if (c == COL_TCPRST_REASON || c == COL_TCPRST_FLAGS)
		return 1 + MP_TCPRST;
	return 0;
}

/* Bytes the puts may write beyond the cursor: the 16-byte subtype names,
 * the 24-byte timestamp digits, the 32-byte blocks of dashes. */
#define PKT_WRITE_SLACK 64

#define ADDR_MAX 45  /* INET6_ADDRSTRLEN - 1 */
#define U64_MAX_LEN 20
#define U32_MAX_LEN 10

/* The longest text column c can take, as its put writes it. */
static size_t col_max_len(enum pkt_col c, unsigned payload_max)
{
	switch (c) {
	case COL_TS: return 1 + U64_MAX_LEN + 1 + 9;
	case COL_SRC: case COL_DST: return ADDR_MAX;
	case COL_FLAGS: return 8;
	case COL_IFNAME: return 2 * PKT_IFNAME_MAX;
	case COL_SACK: return PKT_MAX_SACK * (2 * U32_MAX_LEN + 2);
	case COL_MPTCP: /* "fastclose!" at most per option, then ",more255" */
		return PKT_MAX_MPOPTS * (9 + 2) + 8;
	case COL_MPJ_HMAC: return 2 * sizeof ((struct mp_join *)0)->hmac;
	case COL_AA_ADDR: return PKT_MAX_ADD_ADDR * (ADDR_MAX + 1);
	case COL_AA_HMAC:
		return PKT_MAX_ADD_ADDR * (2 * sizeof ((struct mp_add_addr *)0)->hmac + 1);
	case COL_AA_ID: case COL_AA_PORT: case COL_AA_ECHO:
		return PKT_MAX_ADD_ADDR * (U64_MAX_LEN + 1);
	case COL_RM_IDS: return PKT_MAX_RM_IDS * 4;
	case COL_PAYLOAD: return payload_max ? 2 * (size_t)payload_max : 1;
	default: return U64_MAX_LEN; /* a number or "-" */
	}
}

static void make_segments(struct pkt_writer *w)
{
	init_tables();
	w->nseg = 0;
	for (int i = 0; i < w->ncols; i++) {
		uint8_t g = col_group(w->cols[i]);
		struct pkt_segment *last = w->nseg ? &w->seg[w->nseg - 1] : NULL;
		pkt_put_fn *put = g ? put_seg_group : put_col_fn[w->cols[i]];
		if (last && last->group == g && g != 0)
			last->len++;
		else
			w->seg[w->nseg++] = (struct pkt_segment){ put, g, (uint8_t)i, 1 };
	}
	for (int i = 0; i < PKT_MAX_CHOSEN; i++) {
		w->dashes[2 * i] = '-';
		w->dashes[2 * i + 1] = '\t';
	}
	/* every chosen column at its longest, with its tab, plus room for
	 * the fixed-size copies that write past a field's end */
	w->max_record = PKT_WRITE_SLACK;
	for (int i = 0; i < w->ncols; i++)
		w->max_record += col_max_len(w->cols[i], w->payload_max) + 1;
}

int pkt_writer_init(struct pkt_writer *w, const char *spec, unsigned payload_max,
    const char **bad, size_t *badlen)
{
	w->ncols = 0;
	w->payload_max = payload_max;
	if (!spec) {
		for (int c = 0; c < PKT_NCOLS; c++)
			if (c != COL_PAYLOAD || payload_max)
				w->cols[w->ncols++] = (enum pkt_col)c;
	} else {
		const char *s = spec;
		for (;;) {
			size_t n = strcspn(s, ",");
			int c = pkt_col_lookup(s, n);
			if (c < 0 || w->ncols == PKT_MAX_CHOSEN) {
				*bad = s;
				*badlen = n;
				return c < 0 ? -1 : -2;
			}
			w->cols[w->ncols++] = (enum pkt_col)c;
			if (!s[n])
				break;
			s += n + 1;
		}
	}
	make_segments(w);
	w->is_default = !spec;
	w->big = w->max_record > OUT_BUFSZ / 2 ? xcalloc(1, w->max_record) : NULL;
	return 0;
}

void pkt_writer_header(const struct pkt_writer *w, struct out *o)
{
	for (int i = 0; i < w->ncols; i++) {
		if (i)
			out_tab(o);
		out_str(o, pkt_col_name[w->cols[i]]);
	}
	out_nl(o);
}

void pkt_writer_schema(const struct pkt_writer *w, struct out *o)
{
	struct column chosen[PKT_MAX_CHOSEN];
	for (int i = 0; i < w->ncols; i++)
		chosen[i] = pkt_col_def[w->cols[i]];
	struct record_def r = { 1, { { chosen, (size_t)w->ncols, 0 } } };
	record_schema(o, &r);
}

_Static_assert(COL_PAYLOAD == PKT_NCOLS - 1, "payload is the last column, written only with -x");
const struct col_part pkt_default_part = { pkt_col_def, COL_PAYLOAD, 0 };

#define TAB(w) (*(w)++ = '\t')

/* The DSS fields, the option on nearly every MPTCP segment. */
HOT char *put_dss(char *w, const struct mp_dss *d)
{
	w = put_u64(w, d->flags); TAB(w);
	if (d->dack_w) {
		w = put_u64(w, d->dack); TAB(w);
		*w++ = (char)('0' + d->dack_w); TAB(w);
	} else {
		memcpy(w, "-\t-\t", 4);
		w += 4;
	}
	if (d->dsn_w) {
		w = put_u64(w, d->dsn); TAB(w);
		*w++ = (char)('0' + d->dsn_w); TAB(w);
		w = put_u64(w, d->ssn); TAB(w);
		w = put_u64(w, d->dlen); TAB(w);
	} else {
		memcpy(w, "-\t-\t-\t-\t", 8);
		w += 8;
	}
	w = put_u64_or_dash(w, d->has_csum, d->csum); TAB(w);
	*w++ = (char)('0' + d->fin); TAB(w);
	return w;
}

/* The fields of one option group, or its dashes when the segment does not
 * carry that option. */
HOT char *put_group(char *w, const struct pkt *p, int subtype, enum pkt_col first,
    enum pkt_col last)
{
	if (!PKT_HAS(p, subtype)) {
		static const char dashes[] = "-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t";
		memcpy(w, dashes, 32);
		return w + 2 * (last - first + 1);
	}
	if (subtype == MP_DSS)
		return put_dss(w, &p->dss);
	for (enum pkt_col c = first; c <= last; c++) {
		w = put_mp_col(w, p, c);
		TAB(w);
	}
	return w;
}

/* The default record, all columns in table order, as straight-line code:
 * the common case of pcap2pkt's hot path. */
static char *put_default(char *w, const struct pkt *p, unsigned payload_max)
{
	w = put_u64(w, p->frame); TAB(w);
	w = put_ts(w, p); TAB(w);
	w = put_u64_or_dash(w, p->ifindex >= 0, (uint64_t)p->ifindex); TAB(w);
	w = put_text(w, p->ifname); TAB(w);
	*w++ = (char)('0' + p->ipv); TAB(w);
	w = put_addr(w, p->ipv, p->src); TAB(w);
	w = put_addr(w, p->ipv, p->dst); TAB(w);
	w = put_u64(w, p->sport); TAB(w);
	w = put_u64(w, p->dport); TAB(w);
	w = put_u64_or_dash(w, p->ip_id >= 0, (uint64_t)p->ip_id); TAB(w);
	w = put_u64(w, p->ttl); TAB(w);
	w = put_u64(w, p->ip_len); TAB(w);
	w = put_u64(w, p->len); TAB(w);
	w = put_flags(w, p->flags); TAB(w);
	w = put_u64(w, p->seq); TAB(w);
	w = put_u64(w, p->ack); TAB(w);
	w = put_u64(w, p->win); TAB(w);
	w = put_u64_or_dash(w, p->mss >= 0, (uint64_t)p->mss); TAB(w);
	w = put_u64_or_dash(w, p->wscale >= 0, (uint64_t)p->wscale); TAB(w);
	*w++ = (char)('0' + p->sack_perm); TAB(w);
	w = put_sack(w, p); TAB(w);
	w = put_u64_or_dash(w, p->has_ts, p->tsval); TAB(w);
	w = put_u64_or_dash(w, p->has_ts, p->tsecr); TAB(w);
	static const char none[] =
	    "-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t"
	    "-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t";
	if (!p->mp.n) {
		size_t n = 2 * (PKT_LAST_MP_FIELD - COL_MPTCP + 1);
		memcpy(w, none, n);
		w += n;
	} else {
		w = put_mptcp_list(w, p); TAB(w);
		/* nearly every MPTCP segment carries a DSS and nothing else:
		 * the groups before it and those after it are one block of
		 * dashes each */
		_Static_assert(MP_CAPABLE == 0 && MP_JOIN == 1 && MP_DSS == 2 &&
		    COL_MPJ_TOKEN == COL_MPC_CSUM + 1 && COL_DSS_FLAGS == COL_MPJ_HMAC + 1 &&
		    COL_AA_ID == COL_DATA_FIN + 1, "the groups around the DSS, in table order");
		if (!(p->have & ((1u << MP_DSS) - 1))) {
			size_t n = 2 * (COL_MPJ_HMAC - COL_MPC_VER + 1);
			memcpy(w, none, n);
			w += n;
		} else {
			w = put_group(w, p, MP_CAPABLE, COL_MPC_VER, COL_MPC_CSUM);
			w = put_group(w, p, MP_JOIN, COL_MPJ_TOKEN, COL_MPJ_HMAC);
		}
		w = put_group(w, p, MP_DSS, COL_DSS_FLAGS, COL_DATA_FIN);
		if (!(p->have >> (MP_DSS + 1))) {
			size_t n = 2 * (PKT_LAST_MP_FIELD - COL_AA_ID + 1);
			memcpy(w, none, n);
			w += n;
		} else {
			w = put_group(w, p, MP_ADD_ADDR, COL_AA_ID, COL_AA_HMAC);
			w = put_group(w, p, MP_RM_ADDR, COL_RM_IDS, COL_RM_IDS);
			w = put_group(w, p, MP_PRIO, COL_PRIO_BACKUP, COL_PRIO_ID);
			w = put_group(w, p, MP_FAIL, COL_FAIL_DSN, COL_FAIL_DSN);
			w = put_group(w, p, MP_FASTCLOSE, COL_FCLOSE_KEY, COL_FCLOSE_KEY);
			w = put_group(w, p, MP_TCPRST, COL_TCPRST_REASON, COL_TCPRST_FLAGS);
		}
	}
	if (payload_max) {
		w = put_col(w, p, COL_PAYLOAD, payload_max);
		TAB(w);
	}
	return w;
}

char *pkt_writer_put(const struct pkt_writer *pw, char *w, const struct pkt *p)
{
	if (pw->is_default) {
		w = put_default(w, p, pw->payload_max);
		w[-1] = '\n';
		return w;
	}
	for (const struct pkt_segment *s = pw->seg, *e = s + pw->nseg; s < e; s++)
		w = s->put(w, p, pw, s);
	w[-1] = '\n';
	return w;
}

void pkt_writer_record(const struct pkt_writer *pw, struct out *o, const struct pkt *p)
{
	if (pw->big) {
		/* longer than the output buffer could take at once: formatted
		 * aside, then copied through in pieces */
		out_mem(o, pw->big, (size_t)(pkt_writer_put(pw, pw->big, p) - pw->big));
		return;
	}
	if (o->len + pw->max_record > OUT_BUFSZ)
		out_flush(o);
	o->len = (size_t)(pkt_writer_put(pw, o->buf + o->len, p) - o->buf);
}

void pkt_writer_free(struct pkt_writer *w)
{
	free(w->big);
	w->big = NULL;
}
