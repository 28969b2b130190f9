/* Interface labels (ifmatch(1)): the phone interface (wifi, cellular,
 * ?) of each record and the rule that decided it. Evidence in order: the
 * address table, the capture's interface name (ifname column) by name
 * patterns, its index (ifindex column) by the user's map, the capture
 * file's name (the original scripts' _wlan0. / _rmnet0.), Wi-Fi then
 * cellular prefixes, then the original scripts' default (192.168. is
 * Wi-Fi; cellular unless a cellular list exists, then '?'). The proxy
 * address decides which side is the phone. Used by ifmatch and by
 * mptcp-tables -I. */
#include "iflabel.h"

#include <fnmatch.h>
#include <arpa/inet.h>
#include <csv.h>
#include <err.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "columns.h"
#include "hash.h"
#include "out.h"
#include "tsv.h"
#include "util.h"

enum iface { IF_NONE, IF_WIFI, IF_CELL, IF_UNKNOWN };
static const char *const iface_name[] = { "", "wifi", "cellular", "?" };

/* What decided, in rule order (the _rule column). */
enum rule { R_NONE, R_TABLE, R_IFNAME, R_IFINDEX, R_FILENAME, R_WIFI_PREFIX,
	R_CELL_PREFIX, R_DEFAULT };
static const char *const rule_name[] = { "none", "table", "ifname", "ifindex",
	"filename", "wifi_prefix", "cell_prefix", "default" };

/* An interface map entry: a name glob, or an index when is_index. */
struct ifmap {
	const char *pat;
	unsigned long index;
	int is_index, iface;
};

/* After the user's entries: the usual Linux and Android names. */
static const struct ifmap builtin_names[] = {
	{ "wlan*", 0, 0, IF_WIFI }, { "rmnet*", 0, 0, IF_CELL },
	{ "ccmni*", 0, 0, IF_CELL }, { "wwan*", 0, 0, IF_CELL },
};

/* A prefix: CIDR (fam 4 or 6, len bits) or the original scripts' text prefix
 * (fam 0: the address text starts with txt, e.g. "192.168."). */
struct pfx {
	uint8_t fam, len;
	uint8_t a[16];
	const char *txt;
	size_t tlen;
};

struct pfxlist {
	struct pfx *p;
	size_t n;
};

/* An address field: its text, and its bytes when it parses. */
struct addr {
	const char *txt;
	size_t n;
	int fam; /* 0 when not an address ("-", garbage) */
	uint8_t a[16];
};

/* Parses s as an address or CIDR prefix into p; 0 on success. Host bits
 * below the prefix length are cleared, as ip(8) does. */
static int parse_cidr(const char *s, struct pfx *p)
{
	char buf[INET6_ADDRSTRLEN + 8];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	if (n >= sizeof buf)
		return -1;
	memcpy(buf, s, n);
	buf[n] = 0;
	memset(p, 0, sizeof *p);
	if (inet_pton(AF_INET, buf, p->a) == 1)
		p->fam = 4, p->len = 32;
	else if (inet_pton(AF_INET6, buf, p->a) == 1)
		p->fam = 6, p->len = 128;
	else
		return -1;
	if (slash) {
		char *end;
		long len = strtol(slash + 1, &end, 10);
		if (slash[1] < '0' || slash[1] > '9' || *end || len > p->len)
			return -1;
		p->len = (uint8_t)len;
	}
	for (int i = p->len; i < (p->fam == 4 ? 32 : 128); i++)
		p->a[i / 8] &= (uint8_t)~(0x80 >> (i % 8));
	return 0;
}

/* Address or CIDR, else the original scripts' text prefix (address characters only,
 * so a typo like "192.168,1" is an error, not a prefix matching nothing). */
static int parse_prefix(const char *s, struct pfx *p)
{
	if (parse_cidr(s, p) == 0)
		return 0;
	if (!*s || strspn(s, "0123456789abcdefABCDEF.:") != strlen(s))
		return -1;
	memset(p, 0, sizeof *p);
	p->txt = s;
	p->tlen = strlen(s);
	return 0;
}

static void load_prefixes(const struct config *c, enum cfg_key key, struct pfxlist *l)
{
	l->n = config_n(c, key);
	l->p = xcalloc(l->n, sizeof *l->p);
	for (size_t i = 0; i < l->n; i++)
		if (parse_prefix(config_at(c, key, i), &l->p[i]) < 0)
			config_bad(c, key, i, "not an address, CIDR prefix or address prefix:");
}

static int bits_match(const uint8_t *a, const uint8_t *b, int len)
{
	int whole = len / 8, rest = len % 8;
	if (memcmp(a, b, (size_t)whole))
		return 0;
	if (!rest)
		return 1;
	uint8_t m = (uint8_t)(0xff << (8 - rest));
	return (a[whole] & m) == (b[whole] & m);
}

static int pfx_match(const struct pfx *p, const struct addr *a)
{
	if (p->fam == 0)
		return a->n >= p->tlen && memcmp(a->txt, p->txt, p->tlen) == 0;
	return a->fam == p->fam && bits_match(a->a, p->a, p->len);
}

static int list_match(const struct pfxlist *l, const struct addr *a)
{
	for (size_t i = 0; i < l->n; i++)
		if (pfx_match(&l->p[i], a))
			return 1;
	return 0;
}

/* ---- The address table: longest-prefix match through one hash lookup
 * per prefix length present, so a big table costs little per record. */

struct tent {
	struct pfx k;
	uint8_t used, iface;
	unsigned line;
};

struct table {
	struct tent *slot;
	size_t cap, n;
	uint8_t lens[2][129]; /* [v4/v6][len]: some entry has this length */
	int has_cell;
	const char *path;
};

/* Keyed (common/base/hash.h): the table is the user's, but a keyed hash
 * keeps its chains short whatever its prefixes. */
static uint64_t pfx_hash(const struct pfx *p)
{
	uint8_t k[18];
	k[0] = p->fam;
	k[1] = p->len;
	memcpy(k + 2, p->a, 16);
	return hash_bytes(k, sizeof k);
}

static struct tent *tab_find(const struct table *t, const struct pfx *k)
{
	size_t i = (size_t)pfx_hash(k) & (t->cap - 1);
	for (;; i = (i + 1) & (t->cap - 1)) {
		struct tent *e = &t->slot[i];
		if (!e->used || (e->k.fam == k->fam && e->k.len == k->len &&
		    memcmp(e->k.a, k->a, 16) == 0))
			return e;
	}
}

static void tab_grow(struct table *t)
{
	struct tent *old = t->slot;
	size_t ocap = t->cap;
	t->cap = ocap ? 2 * ocap : 64;
	t->slot = xcalloc(t->cap, sizeof *t->slot);
	for (size_t i = 0; i < ocap; i++)
		if (old[i].used)
			*tab_find(t, &old[i].k) = old[i];
	free(old);
}

struct tabread {
	struct table *t;
	unsigned line;
	int nf, records;
	char *f[2];
};

static int parse_iface(const char *s)
{
	if (strcmp(s, "wifi") == 0)
		return IF_WIFI;
	if (strcmp(s, "cellular") == 0)
		return IF_CELL;
	if (strcmp(s, "?") == 0)
		return IF_UNKNOWN;
	return IF_NONE;
}

static void tab_field(void *s, size_t n, void *arg)
{
	struct tabread *r = arg;
	if (r->nf < 2)
		r->f[r->nf] = strndup(s ? s : "", n);
	r->nf++;
}

static void tab_add(struct tabread *r)
{
	struct table *t = r->t;
	struct pfx k;
	int iface = parse_iface(r->f[1]);
	if (parse_cidr(r->f[0], &k) < 0)
		errx(1, "%s:%u: not an address or CIDR prefix: '%s'", t->path, r->line, r->f[0]);
	if (iface == IF_NONE)
		errx(1, "%s:%u: interface must be wifi, cellular or ?, not '%s'",
		    t->path, r->line, r->f[1]);
	if (2 * (t->n + 1) > t->cap)
		tab_grow(t);
	struct tent *e = tab_find(t, &k);
	if (e->used && e->iface != iface)
		errx(1, "%s:%u: %s is %s here but %s on line %u", t->path, r->line,
		    r->f[0], iface_name[iface], iface_name[e->iface], e->line);
	if (!e->used) {
		e->k = k;
		e->used = 1;
		e->iface = (uint8_t)iface;
		e->line = r->line;
		t->n++;
		t->lens[k.fam == 6][k.len] = 1;
		t->has_cell |= iface == IF_CELL;
	}
}

static void tab_record(int c, void *arg)
{
	struct tabread *r = arg;
	(void)c;
	if (r->nf < 2)
		errx(1, "%s:%u: expected address and interface, got %d field%s",
		    r->t->path, r->line, r->nf, r->nf == 1 ? "" : "s");
	/* an optional header line names the columns */
	int header = r->records++ == 0 && (strcasecmp(r->f[1], "iface") == 0 ||
	    strcasecmp(r->f[1], "interface") == 0);
	if (!header)
		tab_add(r);
	free(r->f[0]);
	free(r->f[1]);
	r->nf = 0;
}

/* With a tab delimiter a tab is no blank to trim around fields. */
static int only_space(unsigned char c)
{
	return c == ' ';
}

/* Reads "address<TAB or comma>iface" lines through libcsv so quoted
 * fields work; '#' lines and blank lines are skipped. */
static void table_read(struct table *t, const char *path)
{
	FILE *fp = fopen(path, "r");
	if (!fp)
		err(1, "%s", path);
	t->path = path;
	tab_grow(t);
	struct csv_parser p;
	struct tabread r = { .t = t };
	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
		errx(1, "out of memory");
	char *buf = NULL;
	size_t cap = 0;
	ssize_t n;
	int delim = 0;
	while ((n = getline(&buf, &cap, fp)) >= 0) {
		r.line++;
		const char *s = buf + strspn(buf, " \t\r\n");
		if (p.pstate == 0 && (*s == 0 || *s == '#'))
			continue; /* only between records: '#' may be quoted data */
		if (!delim) {
			delim = strchr(buf, '\t') ? '\t' : ',';
			csv_set_delim(&p, (unsigned char)delim);
			if (delim == '\t')
				csv_set_space_func(&p, only_space);
		}
		if (csv_parse(&p, buf, (size_t)n, tab_field, tab_record, &r) != (size_t)n)
			errx(1, "%s:%u: %s", path, r.line, csv_strerror(csv_error(&p)));
	}
	if (ferror(fp))
		err(1, "%s", path);
	if (csv_fini(&p, tab_field, tab_record, &r) != 0)
		errx(1, "%s:%u: %s", path, r.line, csv_strerror(csv_error(&p)));
	csv_free(&p);
	free(buf);
	fclose(fp);
}

static int table_lookup(const struct table *t, const struct addr *a)
{
	if (!t->n || !a->fam)
		return IF_NONE;
	int v6 = a->fam == 6;
	struct pfx k = { .fam = (uint8_t)a->fam };
	for (int len = v6 ? 128 : 32; len >= 0; len--) {
		if (!t->lens[v6][len])
			continue;
		memcpy(k.a, a->a, 16);
		k.len = (uint8_t)len;
		for (int i = len; i < (v6 ? 128 : 32); i++)
			k.a[i / 8] &= (uint8_t)~(0x80 >> (i % 8));
		const struct tent *e = tab_find(t, &k);
		if (e->used)
			return e->iface;
	}
	return IF_NONE;
}

/* ---- Classification */

struct iflabel {
	struct table tab;
	struct pfxlist wifi, cell, proxy;
	int seed_default; /* 192.168. is Wi-Fi (off with -N) */
	struct ifmap *map; /* -i / iface_map entries, the user's first */
	size_t nmap;
	int file_iface;    /* what the capture's file name says, or IF_NONE */
};

/* One map entry "KEY=IFACE": KEY all digits is an interface index, else
 * a glob over interface names. */
static void map_add(struct iflabel *r, const char *s)
{
	const char *eq = strrchr(s, '=');
	int f = eq ? parse_iface(eq + 1) : IF_NONE;
	if (!eq || eq == s || f == IF_NONE)
		errx(2, "iface_map: expected NAME=wifi|cellular|? or INDEX=..., got '%s'", s);
	struct ifmap m = { strndup(s, (size_t)(eq - s)), 0, 1, f };
	if (!m.pat)
		err(1, "out of memory");
	for (const char *c = m.pat; *c; c++)
		if (*c < '0' || *c > '9')
			m.is_index = 0;
	if (m.is_index)
		m.index = strtoul(m.pat, NULL, 10);
	r->map = xreallocarray(r->map, r->nmap + 1, sizeof *r->map);
	r->map[r->nmap++] = m;
}

static int map_name(const struct iflabel *r, const char *name)
{
	for (size_t i = 0; i < r->nmap; i++)
		if (!r->map[i].is_index && fnmatch(r->map[i].pat, name, 0) == 0)
			return r->map[i].iface;
	for (size_t i = 0; i < sizeof builtin_names / sizeof builtin_names[0]; i++)
		if (fnmatch(builtin_names[i].pat, name, 0) == 0)
			return builtin_names[i].iface;
	return IF_NONE;
}

static int map_index(const struct iflabel *r, unsigned long index)
{
	for (size_t i = 0; i < r->nmap; i++)
		if (r->map[i].is_index && r->map[i].index == index)
			return r->map[i].iface;
	return IF_NONE;
}

/* The original scripts captured one file per interface, named
 * ..._wlan0.pcap and ..._rmnet0.pcap: "_wlan" or "_rmnet", digits, ".". */
static int name_says(const char *path, const char *tag)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	size_t n = strlen(tag);
	for (const char *s = strstr(base, tag); s; s = strstr(s + 1, tag)) {
		const char *d = s + n;
		while (*d >= '0' && *d <= '9')
			d++;
		if (d > s + n && *d == '.')
			return 1;
	}
	return 0;
}

static int file_iface(const char *path)
{
	int w = name_says(path, "_wlan"), c = name_says(path, "_rmnet");
	return w == c ? IF_NONE : w ? IF_WIFI : IF_CELL;
}

/* The interface evidence of a record: its ifname and ifindex fields. */
struct ifev {
	const char *name;
	size_t nname;
	const char *index;
	size_t nindex;
};

static void parse_addr(struct addr *a, const char *p, size_t n)
{
	char buf[INET6_ADDRSTRLEN + 1];
	a->txt = p;
	a->n = n;
	a->fam = 0;
	if (n == 0 || n >= sizeof buf)
		return;
	memcpy(buf, p, n);
	buf[n] = 0;
	memset(a->a, 0, sizeof a->a);
	if (memchr(p, ':', n) ? inet_pton(AF_INET6, buf, a->a) == 1 :
	    inet_pton(AF_INET, buf, a->a) == 1)
		a->fam = memchr(p, ':', n) ? 6 : 4;
}

static int known(const struct addr *a)
{
	return a->n && !(a->n == 1 && a->txt[0] == '-');
}

static int by_interface(const struct iflabel *r, const struct ifev *e, int *rule)
{
	char buf[64];
	if (e->nname && !(e->nname == 1 && e->name[0] == '-') && e->nname < sizeof buf) {
		memcpy(buf, e->name, e->nname);
		buf[e->nname] = 0;
		int f = map_name(r, buf);
		if (f != IF_NONE) {
			*rule = R_IFNAME;
			return f;
		}
	}
	if (e->nindex && e->nindex < 11 && e->index[0] >= '0' && e->index[0] <= '9') {
		memcpy(buf, e->index, e->nindex);
		buf[e->nindex] = 0;
		int f = map_index(r, strtoul(buf, NULL, 10));
		if (f != IF_NONE) {
			*rule = R_IFINDEX;
			return f;
		}
	}
	if (r->file_iface != IF_NONE) {
		*rule = R_FILENAME;
		return r->file_iface;
	}
	return IF_NONE;
}

static int classify(const struct iflabel *r, struct addr *a, int na,
    const struct ifev *e, int *rule)
{
	/* The phone is the side that is not the proxy; if neither or both
	 * are, both sides are candidates, client first. */
	if (na == 2 && r->proxy.n) {
		int p0 = list_match(&r->proxy, &a[0]), p1 = list_match(&r->proxy, &a[1]);
		if (p0 && !p1)
			a++, na = 1;
		else if (p1 && !p0)
			na = 1;
	}
	int any = 0;
	for (int i = 0; i < na; i++)
		any |= known(&a[i]);
	*rule = R_NONE;
	if (!any)
		return IF_UNKNOWN;
	*rule = R_TABLE;
	for (int i = 0; i < na; i++) {
		int f = table_lookup(&r->tab, &a[i]);
		if (f != IF_NONE)
			return f;
	}
	int f = by_interface(r, e, rule);
	if (f != IF_NONE)
		return f;
	*rule = R_WIFI_PREFIX;
	for (int i = 0; i < na; i++)
		if (list_match(&r->wifi, &a[i]))
			return IF_WIFI;
	*rule = R_CELL_PREFIX;
	for (int i = 0; i < na; i++)
		if (list_match(&r->cell, &a[i]))
			return IF_CELL;
	*rule = R_DEFAULT;
	if (r->seed_default)
		for (int i = 0; i < na; i++)
			if (a[i].n >= 8 && memcmp(a[i].txt, "192.168.", 8) == 0)
				return IF_WIFI;
	/* the original scripts: cellular unless a cellular list exists that
	 * lacks it */
	if (r->cell.n || r->tab.has_cell) {
		*rule = R_NONE;
		return IF_UNKNOWN;
	}
	return IF_CELL;
}

/* Address columns: -a, else c_addr/s_addr (tcp-metrics, mptcp-join -s,
 * mptcp-metrics subflows), else src/dst (packet records). */
static int bind_cols(const struct tsv *in, const char *spec, int col[2])
{
	if (spec) {
		char *s = strdup(spec), *save = NULL;
		int n = 0;
		for (char *tok = strtok_r(s, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			if (n == 2)
				errx(2, "-a: at most two address columns");
			if ((col[n++] = tsv_col(in, tok)) < 0)
				errx(1, "%s: input has no column '%s' (named by -a)", in->path, tok);
		}
		free(s);
		if (n == 0)
			errx(2, "-a: no column named");
		return n;
	}
	static const char *const pairs[][2] = { { "c_addr", "s_addr" }, { "src", "dst" } };
	for (size_t i = 0; i < 2; i++) {
		col[0] = tsv_col(in, pairs[i][0]);
		col[1] = tsv_col(in, pairs[i][1]);
		if (col[0] >= 0 && col[1] >= 0)
			return 2;
	}
	errx(1, "%s: input has no address columns c_addr/s_addr (tcp-metrics, "
	    "mptcp-join -s, mptcp-metrics) or src/dst (pcap2pkt); name them with -a",
	    in->path);
}


static void rule_column(char *rname, size_t n, const char *oname)
{
	if ((size_t)snprintf(rname, n, "%s_rule", oname) >= n)
		errx(2, "-o: name too long");
}

/* The two added columns, named after oname. */
static void added_columns(struct column cols[2], char *rname, size_t n, const char *oname)
{
	rule_column(rname, n, oname);
	cols[0] = (struct column){ oname, CT_TEXT, "-",
		"the phone's interface of the record: wifi, cellular or ? (unknown)" };
	cols[1] = (struct column){ rname, CT_TEXT, "-", "the evidence that decided it: table, ifname, ifindex, "
		"filename, wifi_prefix, cell_prefix, default (none: no address)" };
}

void iflabel_schema(struct out *o, const char *oname)
{
	char rname[256];
	struct column cols[2];
	added_columns(cols, rname, sizeof rname, oname);
	const struct record_def r = { 1, { COL_PART(cols, 0) } };
	record_schema(o, &r);
}

void iflabel_schema_rows(struct out *o, const char *oname, const char *table)
{
	char rname[256];
	struct column cols[2];
	added_columns(cols, rname, sizeof rname, oname);
	const struct record_def r = { 1, { COL_PART(cols, 0) } };
	record_schema_rows_except(o, &r, NULL, table);
}

struct iflabel *iflabel_new(const struct config *cfg, const char *capture,
    int seed_default, int read_table)
{
	struct iflabel *r = xcalloc(1, sizeof *r);
	r->seed_default = seed_default;
	load_prefixes(cfg, CFG_WIFI_PREFIX, &r->wifi);
	load_prefixes(cfg, CFG_CELL_PREFIX, &r->cell);
	load_prefixes(cfg, CFG_PROXY_IP, &r->proxy);
	for (size_t i = 0; i < config_n(cfg, CFG_IFACE_MAP); i++)
		map_add(r, config_at(cfg, CFG_IFACE_MAP, i));
	r->file_iface = capture ? file_iface(capture) : IF_NONE;
	if (read_table && config_str(cfg, CFG_ADDR_TABLE))
		table_read(&r->tab, config_str(cfg, CFG_ADDR_TABLE));
	return r;
}

void iflabel_free(struct iflabel *r)
{
	if (!r)
		return;
	free(r->tab.slot);
	free(r->wifi.p);
	free(r->cell.p);
	free(r->proxy.p);
	for (size_t i = 0; i < r->nmap; i++)
		free((char *)r->map[i].pat);
	free(r->map);
	free(r);
}

void iflabel_run(const struct iflabel *r, const char *path, const char *cols, const char *oname, struct out *o)
{
	struct tsv in;
	int col[2];
	struct addr a[2];
	tsv_open(&in, path);
	if (in.ncols == 0)
		errx(1, "%s: empty input: no header line", in.path);
	int na = bind_cols(&in, cols, col);
	int ci_name = tsv_col(&in, "ifname"), ci_index = tsv_col(&in, "ifindex");
	char rname[256];
	rule_column(rname, sizeof rname, oname);
	if (tsv_col(&in, oname) >= 0 || tsv_col(&in, rname) >= 0)
		errx(1, "%s: input already has a '%s' column (rename with -o)",
		    in.path, tsv_col(&in, oname) >= 0 ? oname : rname);
	out_mem(o, in.header, in.headerlen);
	out_tab(o);
	out_str(o, oname);
	out_tab(o);
	out_str(o, rname);
	out_nl(o);
	while (tsv_next(&in)) {
		for (int i = 0; i < na; i++)
			parse_addr(&a[i], in.f[col[i]].p, in.f[col[i]].n);
		struct ifev e = { 0 };
		if (ci_name >= 0)
			e.name = in.f[ci_name].p, e.nname = in.f[ci_name].n;
		if (ci_index >= 0)
			e.index = in.f[ci_index].p, e.nindex = in.f[ci_index].n;
		int rule;
		int f = classify(r, a, na, &e, &rule);
		size_t n = in.reclen;
		if (n && in.rec[n - 1] == '\r')
			n--;
		out_mem(o, in.rec, n);
		out_tab(o);
		out_str(o, iface_name[f]);
		out_tab(o);
		out_str(o, rule_name[rule]);
		out_nl(o);
	}
	tsv_close(&in);
}
