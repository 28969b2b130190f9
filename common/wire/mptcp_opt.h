/* MPTCP option (TCP option kind 30) parsing, RFC 6824 (v0) and RFC 8684
 * (v1): one small parser per subtype, dispatched by table. */
#ifndef MPTCP_OPT_H
#define MPTCP_OPT_H
#include <stdint.h>
#include "pkt.h"

/* Parses one whole option (o[0] == 30, o[1] == len). */
void mptcp_opt_parse(const uint8_t *o, uint32_t len, struct pkt *p);
/* Records an option cut short (n bytes available) as malformed. */
void mptcp_opt_bad(const uint8_t *o, uint32_t n, struct pkt *p);

/* Subtype names as printed in the mptcp column. */
extern const char mp_subtype_name[MP_NSUBTYPES][16];
extern const uint8_t mp_subtype_len[MP_NSUBTYPES];

#endif
