/* libFuzzer target: any bytes as packet records must be read or refused
 * with a message, never read out of bounds. The readers report bad input
 * with errx and exit; here errx and err return to the harness instead, so
 * one run can go on to the next input. */
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "pktread.h"
#include "tsv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static jmp_buf refused;

void errx(int status, const char *fmt, ...)
{
	(void)status, (void)fmt;
	longjmp(refused, 1);
}

void err(int status, const char *fmt, ...)
{
	(void)status, (void)fmt;
	longjmp(refused, 1);
}

/* The first line is a header of packet columns: a fixed one when the
 * input starts with a digit, so most inputs exercise the records. */
static const char header[] = "frame\tts\tipv\tsrc\tdst\tsport\tdport\tip_id\tttl\t"
    "ip_len\tlen\tflags\tseq\tack\twin\tmss\tsack\tmptcp\tmpc_skey\tdsn\tdsn_w\t"
    "aa_id\taa_addr\taa_port\trm_ids\tmpj_hmac\textra\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tsv t;
	static struct pkt_cols c;
	struct pkt p;
	char path[64];
	int fd = memfd_create("records", 0);
	if (fd < 0)
		return 0;
	if (size && data[0] >= '0' && data[0] <= '9' &&
	    write(fd, header, sizeof header - 1) < 0)
		goto done;
	if (write(fd, data, size) < 0)
		goto done;
	lseek(fd, 0, SEEK_SET);
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	memset(&t, 0, sizeof t);
	memset(&c, 0, sizeof c);
	if (setjmp(refused) == 0) {
		tsv_open(&t, path);
		if (t.ncols) {
			pkt_cols_bind(&c, &t, NULL);
			if (size > 1 && data[1] & 1)
				pkt_cols_want(&c, &t);
			while (tsv_next_line(&t))
				pkt_parse(&p, &c, &t);
		}
	}
	pkt_cols_free(&c);
	tsv_close(&t);
done:
	close(fd);
	return 0;
}
