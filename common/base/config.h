/* The settings file shared by the tools and the pipelines: the seed's
 * config.py as plain key=value lines (see mptcp-tools.conf(5)).
 *
 * Lookup: the -C FILE argument, else $MPTCP_TOOLS_CONF, else
 * $XDG_CONFIG_HOME/mptcp-tools/config (~/.config/mptcp-tools/config).
 * Only the per-user default may be absent. A command-line flag replaces
 * the file's values of its key (config_flag), so flags always win. */
#ifndef CONFIG_H
#define CONFIG_H
#include <stddef.h>

enum cfg_key {
	CFG_PROXY_IP,       /* list: the proxy's/server's addresses */
	CFG_WIFI_PREFIX,    /* list: Wi-Fi address prefixes */
	CFG_CELL_PREFIX,    /* list: cellular address prefixes */
	CFG_SOCKS_PASSWORD, /* string: the Shadowsocks table password */
	CFG_ADDR_TABLE,     /* string: address table file (ifmatch -t) */
	CFG_IFACE_MAP,      /* list: NAME_GLOB=iface or INDEX=iface (ifmatch -i) */
	CFG_NKEYS
};

struct cfg_val {
	char *s;
	unsigned line; /* line in the file; 0 when set by a flag */
};

struct cfg_list {
	struct cfg_val *v;
	size_t n, cap;
	int from_flag; /* a flag replaced the file's values */
};

struct config {
	char *path; /* the file read, NULL when none */
	struct cfg_list key[CFG_NKEYS];
};

/* Reads the settings; cflag is the -C argument or NULL. Exits with
 * "FILE:LINE: ..." on a malformed line or an unknown key. */
void config_load(struct config *c, const char *cflag);
/* Reads exactly this file (no search); for tests and tools that take a
 * path some other way. */
void config_read(struct config *c, const char *path);

/* A flag's value for key: the first call per key drops the file's values.
 * List keys split val on commas. */
void config_flag(struct config *c, enum cfg_key key, const char *val);

/* The last value of a key, or NULL. */
const char *config_str(const struct config *c, enum cfg_key key);
static inline size_t config_n(const struct config *c, enum cfg_key key)
{
	return c->key[key].n;
}
static inline const char *config_at(const struct config *c, enum cfg_key key, size_t i)
{
	return c->key[key].v[i].s;
}

const char *config_key_name(enum cfg_key key);

/* Exits with the origin of value i of key ("FILE:LINE: key: " or
 * "-flag value: ") followed by the message. */
_Noreturn void config_bad(const struct config *c, enum cfg_key key, size_t i,
    const char *what);

/* Prints the effective settings as shell assignments, one per key, lists
 * joined by commas, single-quoted; plus config_file (empty when none):
 *   eval "$(ifmatch -P)"   sets proxy_ip, wifi_prefix, ... in a script. */
void config_print_sh(const struct config *c);

void config_free(struct config *c);

#endif
