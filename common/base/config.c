#include "config.h"

#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "out.h"

static const struct {
	const char *name;
	int list; /* several values: comma-separated and/or repeated lines */
} keys[CFG_NKEYS] = {
	[CFG_PROXY_IP] = { "proxy_ip", 1 },
	[CFG_WIFI_PREFIX] = { "wifi_prefix", 1 },
	[CFG_CELL_PREFIX] = { "cell_prefix", 1 },
	[CFG_SOCKS_PASSWORD] = { "socks_password", 0 },
	[CFG_ADDR_TABLE] = { "addr_table", 0 },
	[CFG_IFACE_MAP] = { "iface_map", 1 },
};

const char *config_key_name(enum cfg_key key)
{
	return keys[key].name;
}

static char *xstrndup(const char *s, size_t n)
{
	char *p = strndup(s, n);
	if (!p)
		err(1, "out of memory");
	return p;
}

static void push(struct cfg_list *l, const char *s, size_t n, unsigned line)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 4;
		l->v = realloc(l->v, l->cap * sizeof *l->v);
		if (!l->v)
			err(1, "out of memory");
	}
	l->v[l->n].s = xstrndup(s, n);
	l->v[l->n].line = line;
	l->n++;
}

static void clear(struct cfg_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].s);
	l->n = 0;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t';
}

/* Adds val to key; list keys split on commas (items trimmed, none empty).
 * Returns NULL or what is wrong. */
static const char *add(struct config *c, enum cfg_key key, const char *val, unsigned line)
{
	struct cfg_list *l = &c->key[key];
	if (!keys[key].list) {
		push(l, val, strlen(val), line);
		return NULL;
	}
	for (const char *p = val;;) {
		const char *e = strchr(p, ',');
		const char *end = e ? e : p + strlen(p);
		while (p < end && is_space(*p))
			p++;
		const char *q = end;
		while (q > p && is_space(q[-1]))
			q--;
		if (q == p)
			return "empty item in list";
		push(l, p, (size_t)(q - p), line);
		if (!e)
			return NULL;
		p = e + 1;
	}
}

/* Unquotes a "..." value in place (\" and \\ escapes); NULL or error. */
static const char *unquote(char *v)
{
	char *w = v;
	for (char *r = v + 1;; r++) {
		if (*r == 0)
			return "unterminated quoted value";
		if (*r == '"') {
			for (r++; *r; r++)
				if (!is_space(*r))
					return "text after the closing quote";
			*w = 0;
			return NULL;
		}
		if (*r == '\\' && (r[1] == '"' || r[1] == '\\'))
			r++;
		*w++ = *r;
	}
}

/* Parses one line; returns NULL or what is wrong. Why '#' only at the
 * start of a line: a password may contain '#'. */
static const char *parse_line(struct config *c, char *s, unsigned line, unsigned *first)
{
	while (is_space(*s))
		s++;
	if (*s == 0 || *s == '#')
		return NULL;
	char *eq = strchr(s, '=');
	if (!eq)
		return "expected key=value";
	char *k = eq;
	while (k > s && is_space(k[-1]))
		k--;
	*k = 0;
	char *v = eq + 1;
	while (is_space(*v))
		v++;
	char *e = v + strlen(v);
	while (e > v && is_space(e[-1]))
		e--;
	*e = 0;
	int key = -1;
	for (int i = 0; i < CFG_NKEYS; i++)
		if (strcmp(s, keys[i].name) == 0)
			key = i;
	if (key < 0)
		return "unknown key";
	if (*v == '"') {
		const char *why = unquote(v);
		if (why)
			return why;
	} else if (*v == 0) {
		return "empty value";
	}
	if (!keys[key].list && c->key[key].n) {
		*first = c->key[key].v[0].line;
		return "key set twice";
	}
	return add(c, (enum cfg_key)key, v, line);
}

/* Relative addr_table paths are relative to the config file, so a
 * config and its table can move together. */
static void resolve_paths(struct config *c)
{
	struct cfg_list *l = &c->key[CFG_ADDR_TABLE];
	const char *slash = strrchr(c->path, '/');
	if (!l->n || l->v[0].s[0] == '/' || !slash)
		return;
	size_t dn = (size_t)(slash - c->path) + 1;
	size_t n = strlen(l->v[0].s);
	char *p = malloc(dn + n + 1);
	if (!p)
		err(1, "out of memory");
	memcpy(p, c->path, dn);
	memcpy(p + dn, l->v[0].s, n + 1);
	free(l->v[0].s);
	l->v[0].s = p;
}

void config_read(struct config *c, const char *path)
{
	FILE *fp = fopen(path, "r");
	if (!fp)
		err(1, "%s", path);
	c->path = xstrndup(path, strlen(path));
	char *buf = NULL;
	size_t cap = 0;
	ssize_t n;
	unsigned line = 0;
	while ((n = getline(&buf, &cap, fp)) >= 0) {
		line++;
		if (n && buf[n - 1] == '\n')
			buf[--n] = 0;
		if (n && buf[n - 1] == '\r')
			buf[--n] = 0;
		if (memchr(buf, 0, (size_t)n))
			errx(1, "%s:%u: NUL byte in line", path, line);
		char *key = buf + strspn(buf, " \t");
		size_t klen = strcspn(key, " \t=");
		unsigned first = 0;
		const char *why = parse_line(c, buf, line, &first);
		if (why && first)
			errx(1, "%s:%u: %.*s: %s (first on line %u)", path, line,
			    (int)klen, key, why, first);
		if (why)
			errx(1, "%s:%u: %.*s: %s", path, line, (int)klen, key, why);
	}
	if (ferror(fp))
		err(1, "%s", path);
	free(buf);
	fclose(fp);
	resolve_paths(c);
}

void config_load(struct config *c, const char *cflag)
{
	memset(c, 0, sizeof *c);
	if (cflag) {
		config_read(c, cflag);
		return;
	}
	const char *env = getenv("MPTCP_TOOLS_CONF");
	if (env && *env) {
		config_read(c, env);
		return;
	}
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	char path[4096];
	if (xdg && *xdg)
		snprintf(path, sizeof path, "%s/mptcp-tools/config", xdg);
	else if (home && *home)
		snprintf(path, sizeof path, "%s/.config/mptcp-tools/config", home);
	else
		return;
	FILE *fp = fopen(path, "r");
	if (!fp) {
		if (errno != ENOENT)
			err(1, "%s", path);
		return; /* no per-user file: built-in defaults */
	}
	fclose(fp);
	config_read(c, path);
}

void config_flag(struct config *c, enum cfg_key key, const char *val)
{
	struct cfg_list *l = &c->key[key];
	if (!l->from_flag) {
		clear(l);
		l->from_flag = 1;
	}
	if (!keys[key].list)
		clear(l);
	const char *why = add(c, key, val, 0);
	if (why)
		errx(2, "%s '%s': %s", keys[key].name, val, why);
}

const char *config_str(const struct config *c, enum cfg_key key)
{
	const struct cfg_list *l = &c->key[key];
	return l->n ? l->v[l->n - 1].s : NULL;
}

void config_bad(const struct config *c, enum cfg_key key, size_t i, const char *what)
{
	const struct cfg_val *v = &c->key[key].v[i];
	if (v->line)
		errx(1, "%s:%u: %s: %s '%s'", c->path, v->line, keys[key].name, what, v->s);
	errx(2, "%s: %s '%s'", keys[key].name, what, v->s);
}

/* Single quotes keep everything literal in sh; a ' becomes '\''. */
static void put_sh_body(const char *s)
{
	for (; *s; s++) {
		if (*s == '\'')
			out_str(&out_stdout, "'\\''");
		else
			out_chr(&out_stdout, *s);
	}
}

void config_print_sh(const struct config *c)
{
	out_str(&out_stdout, "config_file='");
	put_sh_body(c->path ? c->path : "");
	out_str(&out_stdout, "'\n");
	for (int k = 0; k < CFG_NKEYS; k++) {
		const struct cfg_list *l = &c->key[k];
		out_str(&out_stdout, keys[k].name);
		out_str(&out_stdout, "='");
		for (size_t i = 0; i < l->n; i++) {
			if (i)
				out_chr(&out_stdout, ',');
			put_sh_body(l->v[i].s);
		}
		out_str(&out_stdout, "'\n");
	}
}

void config_free(struct config *c)
{
	for (int k = 0; k < CFG_NKEYS; k++) {
		clear(&c->key[k]);
		free(c->key[k].v);
	}
	free(c->path);
	memset(c, 0, sizeof *c);
}
