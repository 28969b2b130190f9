#include "pktfmt.h"

#include <string.h>

#include "mptcp_opt.h"

#define PKT_COL_NAME(id, name) name,
const char *const pkt_col_name[PKT_NCOLS] = { PKT_COLUMNS(PKT_COL_NAME) };
#undef PKT_COL_NAME

int pkt_col_lookup(const char *name, size_t len)
{
	for (int i = 0; i < PKT_NCOLS; i++)
		if (strlen(pkt_col_name[i]) == len && memcmp(pkt_col_name[i], name, len) == 0)
			return i;
	return -1;
}

void pkt_format_flags(struct out *o, uint8_t flags)
{
	static const char letters[] = "FSRPAUEC";
	char buf[8];
	size_t n = 0;
	for (int i = 0; i < 8; i++)
		if (flags & (1u << i))
			buf[n++] = letters[i];
	if (!n)
		buf[n++] = '.';
	out_mem(o, buf, n);
}

static void format_mptcp_list(struct out *o, const struct pkt *p)
{
	if (!p->mp.n) {
		out_dash(o);
		return;
	}
	for (int i = 0; i < p->mp.n; i++) {
		uint8_t st = p->mp.subtype[i];
		if (i)
			out_chr(o, ',');
		if (st < MP_NSUBTYPES) {
			out_str(o, mp_subtype_name[st]);
		} else if (st == MP_NOSUBTYPE) {
			out_str(o, "short");
		} else {
			out_str(o, "sub");
			out_u64(o, st);
		}
		if (p->mp.bad[i])
			out_chr(o, '!');
	}
	if (p->mp.more) {
		out_str(o, ",more");
		out_u64(o, p->mp.more);
	}
}

static void u64_or_dash(struct out *o, int have, uint64_t v)
{
	if (have)
		out_u64(o, v);
	else
		out_dash(o);
}

static void format_sack(struct out *o, const struct pkt *p)
{
	if (!p->nsack) {
		out_dash(o);
		return;
	}
	for (int i = 0; i < p->nsack; i++) {
		if (i)
			out_chr(o, ',');
		out_u64(o, p->sack[i][0]);
		out_chr(o, '-');
		out_u64(o, p->sack[i][1]);
	}
}

/* One ADD_ADDR field of every ADD_ADDR option, joined by ','. */
static void format_add_addr(struct out *o, const struct pkt *p, enum pkt_col c)
{
	if (!p->n_add_addr) {
		out_dash(o);
		return;
	}
	for (int i = 0; i < p->n_add_addr; i++) {
		const struct mp_add_addr *a = &p->add_addr[i];
		if (i)
			out_chr(o, ',');
		switch (c) {
		case COL_AA_ID: out_u64(o, a->id); break;
		case COL_AA_ADDR: out_addr(o, a->ipv, a->addr); break;
		case COL_AA_PORT: u64_or_dash(o, a->has_port, a->port); break;
		case COL_AA_ECHO: u64_or_dash(o, !a->v0, a->echo); break;
		default:
			if (a->hmac_len)
				out_hex(o, a->hmac, a->hmac_len);
			else
				out_dash(o);
		}
	}
}

static void format_rm_ids(struct out *o, const struct pkt *p)
{
	if (!p->n_rm) {
		out_dash(o);
		return;
	}
	for (int i = 0; i < p->n_rm; i++) {
		if (i)
			out_chr(o, ',');
		out_u64(o, p->rm_ids[i]);
	}
}

static void format_payload(struct out *o, const struct pkt *p, unsigned max)
{
	uint32_t n = p->payload_caplen < max ? p->payload_caplen : max;
	if (!n)
		out_dash(o);
	else
		out_hex(o, p->payload, n);
}

static void format_mp_col(struct out *o, const struct pkt *p, enum pkt_col c)
{
	const struct mp_capable *m = &p->cap;
	const struct mp_join *j = &p->join;
	const struct mp_dss *d = &p->dss;
	int cap = PKT_HAS(p, MP_CAPABLE), join = PKT_HAS(p, MP_JOIN);
	int dss = PKT_HAS(p, MP_DSS);

	switch (c) {
	case COL_MPC_VER: u64_or_dash(o, cap, m->ver); break;
	case COL_MPC_FLAGS: u64_or_dash(o, cap, m->flags); break;
	case COL_MPC_SKEY: u64_or_dash(o, cap && m->has_skey, m->skey); break;
	case COL_MPC_RKEY: u64_or_dash(o, cap && m->has_rkey, m->rkey); break;
	case COL_MPC_DLEN: u64_or_dash(o, cap && m->has_dlen, m->dlen); break;
	case COL_MPC_CSUM: u64_or_dash(o, cap && m->has_csum, m->csum); break;
	case COL_MPJ_TOKEN: u64_or_dash(o, join && j->has_token, j->token); break;
	case COL_MPJ_NONCE: u64_or_dash(o, join && j->has_nonce, j->nonce); break;
	case COL_MPJ_ID: u64_or_dash(o, join && j->hmac_len != 20, j->addr_id); break;
	case COL_MPJ_BACKUP: u64_or_dash(o, join && j->hmac_len != 20, j->backup); break;
	case COL_MPJ_HMAC:
		if (join && j->hmac_len)
			out_hex(o, j->hmac, j->hmac_len);
		else
			out_dash(o);
		break;
	case COL_DSS_FLAGS: u64_or_dash(o, dss, d->flags); break;
	case COL_DACK: u64_or_dash(o, dss && d->dack_w, d->dack); break;
	case COL_DACK_W: u64_or_dash(o, dss && d->dack_w, d->dack_w); break;
	case COL_DSN: u64_or_dash(o, dss && d->dsn_w, d->dsn); break;
	case COL_DSN_W: u64_or_dash(o, dss && d->dsn_w, d->dsn_w); break;
	case COL_SSN: u64_or_dash(o, dss && d->dsn_w, d->ssn); break;
	case COL_DLEN: u64_or_dash(o, dss && d->dsn_w, d->dlen); break;
	case COL_DSS_CSUM: u64_or_dash(o, dss && d->has_csum, d->csum); break;
	case COL_DATA_FIN: u64_or_dash(o, dss, d->fin); break;
	case COL_AA_ID: case COL_AA_ADDR: case COL_AA_PORT: case COL_AA_ECHO:
	case COL_AA_HMAC:
		format_add_addr(o, p, c);
		break;
	case COL_RM_IDS: format_rm_ids(o, p); break;
	case COL_PRIO_BACKUP: u64_or_dash(o, PKT_HAS(p, MP_PRIO), p->prio_backup); break;
	case COL_PRIO_ID:
		u64_or_dash(o, PKT_HAS(p, MP_PRIO) && p->prio_id >= 0, (uint64_t)p->prio_id);
		break;
	case COL_FAIL_DSN: u64_or_dash(o, PKT_HAS(p, MP_FAIL), p->fail_dsn); break;
	case COL_FCLOSE_KEY: u64_or_dash(o, PKT_HAS(p, MP_FASTCLOSE), p->fclose_key); break;
	case COL_TCPRST_REASON: u64_or_dash(o, PKT_HAS(p, MP_TCPRST), p->tcprst_reason); break;
	case COL_TCPRST_FLAGS: u64_or_dash(o, PKT_HAS(p, MP_TCPRST), p->tcprst_flags); break;
	default: out_dash(o);
	}
}

void pkt_format_col(struct out *o, const struct pkt *p, enum pkt_col c,
    unsigned payload_max)
{
	switch (c) {
	case COL_FRAME: out_u64(o, p->frame); break;
	case COL_TS: out_fixed(o, p->ts_sec, p->ts_frac, p->ts_digits); break;
	case COL_IPV: out_u64(o, p->ipv); break;
	case COL_SRC: out_addr(o, p->ipv, p->src); break;
	case COL_DST: out_addr(o, p->ipv, p->dst); break;
	case COL_SPORT: out_u64(o, p->sport); break;
	case COL_DPORT: out_u64(o, p->dport); break;
	case COL_IP_ID: u64_or_dash(o, p->ip_id >= 0, (uint64_t)p->ip_id); break;
	case COL_TTL: out_u64(o, p->ttl); break;
	case COL_IP_LEN: out_u64(o, p->ip_len); break;
	case COL_LEN: out_u64(o, p->len); break;
	case COL_FLAGS: pkt_format_flags(o, p->flags); break;
	case COL_SEQ: out_u64(o, p->seq); break;
	case COL_ACK: out_u64(o, p->ack); break;
	case COL_WIN: out_u64(o, p->win); break;
	case COL_MSS: u64_or_dash(o, p->mss >= 0, (uint64_t)p->mss); break;
	case COL_WSCALE: u64_or_dash(o, p->wscale >= 0, (uint64_t)p->wscale); break;
	case COL_SACK_PERM: out_u64(o, p->sack_perm); break;
	case COL_SACK: format_sack(o, p); break;
	case COL_TSVAL: u64_or_dash(o, p->has_ts, p->tsval); break;
	case COL_TSECR: u64_or_dash(o, p->has_ts, p->tsecr); break;
	case COL_MPTCP: format_mptcp_list(o, p); break;
	case COL_PAYLOAD: format_payload(o, p, payload_max); break;
	default:
		if (!p->mp.n)
			out_dash(o);
		else
			format_mp_col(o, p, c);
	}
}

static void find_mp_run(struct pkt_writer *w)
{
	w->mp_run_start = -1;
	w->mp_run_len = 0;
	for (int i = 0; i < w->ncols; i++) {
		int mp = w->cols[i] >= PKT_FIRST_MP_FIELD && w->cols[i] <= PKT_LAST_MP_FIELD;
		if (mp && w->mp_run_start < 0)
			w->mp_run_start = i;
		if (mp && w->mp_run_start >= 0 && i == w->mp_run_start + w->mp_run_len)
			w->mp_run_len++;
	}
	for (int i = 0; i < w->mp_run_len; i++) {
		w->dashes[2 * i] = '-';
		w->dashes[2 * i + 1] = '\t';
	}
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
			if (c < 0 || w->ncols == PKT_NCOLS) {
				*bad = s;
				*badlen = n;
				return -1;
			}
			w->cols[w->ncols++] = (enum pkt_col)c;
			if (!s[n])
				break;
			s += n + 1;
		}
	}
	find_mp_run(w);
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

void pkt_writer_record(const struct pkt_writer *w, struct out *o, const struct pkt *p)
{
	for (int i = 0; i < w->ncols; i++) {
		if (i == w->mp_run_start && !p->mp.n) {
			out_mem(o, w->dashes, 2 * (size_t)w->mp_run_len);
			i += w->mp_run_len - 1;
			if (i == w->ncols - 1)
				o->buf[o->len - 1] = '\n';
			continue;
		}
		pkt_format_col(o, p, w->cols[i], w->payload_max);
		out_chr(o, i == w->ncols - 1 ? '\n' : '\t');
	}
}
