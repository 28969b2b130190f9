/* The floor for `make bench`: libpcap's bare read loop over a capture,
 * touching each packet's length so the loop is not optimised away. */
#include <pcap/pcap.h>
#include <stdio.h>

int main(int argc, char *argv[])
{
	char ebuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	unsigned long long n = 0, bytes = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: pcapread file\n");
		return 2;
	}
	pcap_t *p = pcap_open_offline(argv[1], ebuf);
	if (!p) {
		fprintf(stderr, "pcapread: %s\n", ebuf);
		return 1;
	}
	while (pcap_next_ex(p, &h, &data) == 1) {
		n++;
		bytes += h->caplen + data[0];
	}
	printf("%llu packets %llu bytes\n", n, bytes);
	pcap_close(p);
	return 0;
}
