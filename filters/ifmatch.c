/* ifmatch: add the phone interface (wifi, cellular, ?) of each record and
 * the rule that decided it. Evidence in order: the address table, the
 * capture's interface name (ifname column) by name patterns, its index
 * (ifindex column) by the user's map, the capture file's name (-f, the
 * original scripts' _wlan0. / _rmnet0.), Wi-Fi then cellular prefixes,
 * then the original scripts' default (192.168. is Wi-Fi; cellular unless
 * a cellular list exists, then '?'). The proxy address decides which side
 * is the phone. See ifmatch(1). */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>

#include "config.h"
#include "iflabel.h"
#include "out.h"
#include "util.h"

_Noreturn static void usage(int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: ifmatch [-hNP] [-a col[,col]] [-C config] [-c prefix] [-f capture]\n"
	    "               [-i map] [-o name] [-p proxy] [-t table] [-w prefix] [file]\n"
	    "       ifmatch [-o name] --schema\n");
	exit(status);
}

struct flagval {
	enum cfg_key key;
	const char *val;
};

int main(int argc, char *argv[])
{
	struct flagval fv[256];
	size_t nfv = 0;
	const char *cfile = NULL, *cols = NULL, *oname = "iface", *capture = NULL;
	int print = 0, schema = 0, ch;
	int seed_default = 1;

	tool_init(argv[0]);
	while ((ch = tool_getopt(argc, argv, "a:C:c:f:hi:No:Pp:t:w:", schema_longopts)) != -1) {
		enum cfg_key key;
		switch (ch) {
		case 'a': cols = optarg; continue;
		case 'C': cfile = optarg; continue;
		case 'f': capture = optarg; continue;
		case 'i': key = CFG_IFACE_MAP; break;
		case 'N': seed_default = 0; continue;
		case 'o': oname = optarg; continue;
		case 'P': print = 1; continue;
		case 'c': key = CFG_CELL_PREFIX; break;
		case 'p': key = CFG_PROXY_IP; break;
		case 't': key = CFG_ADDR_TABLE; break;
		case 'w': key = CFG_WIFI_PREFIX; break;
		case OPT_SCHEMA: schema = 1; continue;
		case 'h': usage(0);
		default: usage(2);
		}
		if (nfv == sizeof fv / sizeof fv[0])
			errx(2, "too many options");
		fv[nfv++] = (struct flagval){ key, optarg };
	}
	argc -= optind;
	argv += optind;
	if (argc > 1 || !*oname)
		usage(2);
	if (schema) {
		iflabel_schema(&out_stdout, oname);
		out_close(&out_stdout);
		return 0;
	}

	/* the file first, then the flags over it */
	struct config cfg;
	config_load(&cfg, cfile);
	for (size_t i = 0; i < nfv; i++)
		config_flag(&cfg, fv[i].key, fv[i].val);
	/* the rules checked with -P too; the address table read only to run */
	struct iflabel *r = iflabel_new(&cfg, capture, seed_default, !print);
	if (print)
		config_print_sh(&cfg);
	else
		iflabel_run(r, argc ? argv[0] : "-", cols, oname, &out_stdout);
	out_close(&out_stdout);
	iflabel_free(r);
	config_free(&cfg);
	return 0;
}
