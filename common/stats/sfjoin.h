/* analyze's subflow table: mptcp-metrics -s's records joined with the
 * columns of mptcp-join -s they lack, on (mpconn, subflow), and its
 * failed subflows (mptcp-tables -J). */
#ifndef SFJOIN_H
#define SFJOIN_H
#include <stdint.h>

struct out;

/* Each record of the subflow table, then the join table's columns that
 * it lacks ('-' for a subflow the join table does not have); then the
 * join table's subflows that the subflow table lacks, with their values
 * of the columns both have ('-' for the others). Returns the records
 * written. */
uint64_t sfjoin_write(const char *subflows, const char *join, struct out *o);
/* The records of the table whose status starts with "failed". */
void sfjoin_failed(const char *path, struct out *o);

#endif
