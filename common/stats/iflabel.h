/* Interface labels: the classification of ifmatch(1), as a library for
 * ifmatch and mptcp-tables -I. */
#ifndef IFLABEL_H
#define IFLABEL_H
#include "config.h"

struct out;
struct iflabel;

/* The rules of a configuration (prefixes, proxy, interface map, address
 * table when read_table), with the capture's file name as evidence (or
 * NULL), and the original scripts' default 192.168. rule unless
 * !seed_default. Exits with a message on a bad entry. */
struct iflabel *iflabel_new(const struct config *cfg, const char *capture,
    int seed_default, int read_table);
void iflabel_free(struct iflabel *r);
/* Copies the TSV records of path ("-": stdin) to o, each with two more
 * columns: oname (wifi, cellular, ?) and oname_rule. cols: the address
 * columns (-a), or NULL for c_addr/s_addr, else src/dst. */
void iflabel_run(const struct iflabel *r, const char *path, const char *cols,
    const char *oname, struct out *o);
/* The schema of the two added columns (--schema), and its lines led by
 * table (mptcp-tables --schema -I). */
void iflabel_schema(struct out *o, const char *oname);
void iflabel_schema_rows(struct out *o, const char *oname, const char *table);

#endif
