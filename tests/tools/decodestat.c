/*
 * decodestat.c - run gf_decode() over captures and count the outcomes.
 *
 *	decodestat [-v] FILE...
 *
 * One line per file: packets, OK (IPv4/IPv6), NONIP, and each bad reason
 * that occurred (by its SENSOR field name), then a TOTAL line.  With -v
 * it also prints one line per packet (number, outcome, encaps, family,
 * proto, ports, lengths), to compare with tshark when counts disagree.
 * Files libpcap cannot open, or whose link type the decoder does not
 * know, are reported and skipped.  Exit status 0, or 2 on bad usage.
 * Used to validate the decoder against the public captures; build it
 * under the sanitizers (make SANITIZE=1) for that.
 */
#include <arpa/inet.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "decode.h"

static const char *bad_names[] = {
#define GF_BAD_NAME(e, n, d) n,
	GF_BAD_REASONS(GF_BAD_NAME)
	GF_BAD_REASONS_TUNNEL(GF_BAD_NAME)
#undef GF_BAD_NAME
};

struct counts {
	unsigned long pkts, ok4, ok6, nonip, bad[GF_BAD_COUNT];
};

static void
print_counts(const char *name, const struct counts *c)
{
	int i;

	printf("%s: %lu pkts, ok %lu (v4 %lu, v6 %lu), nonip %lu", name,
	    c->pkts, c->ok4 + c->ok6, c->ok4, c->ok6, c->nonip);
	for (i = 0; i < GF_BAD_COUNT; i++)
		if (c->bad[i])
			printf(", %s %lu", bad_names[i], c->bad[i]);
	printf("\n");
}

static void
print_packet(unsigned long n, int rc, const struct gf_packet *p)
{
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];
	int af = p->family == 6 ? AF_INET6 : AF_INET;

	if (rc == GF_DECODE_NONIP) {
		printf("%lu nonip encaps 0x%x\n", n, p->encaps);
		return;
	}
	if (rc == GF_DECODE_BAD) {
		printf("%lu bad %s encaps 0x%x\n", n, bad_names[p->bad],
		    p->encaps);
		return;
	}
	inet_ntop(af, p->src, s, sizeof(s));
	inet_ntop(af, p->dst, d, sizeof(d));
	printf("%lu ok encaps 0x%x vlan %u %s:%u > %s:%u proto %u iplen %u "
	    "payload %u frag %u", n, p->encaps, p->vlan, s, p->sport, d,
	    p->dport, p->proto, p->ip_len, p->payload, p->frag);
	if (p->proto == 6 && p->frag != GF_FRAG_LATER)
		printf(" seq %u ack %u flags 0x%02x win %u mss %u ws %u "
		    "sackok %u", p->seq, p->ack, p->tcpflags, p->win, p->mss,
		    p->wscale, p->sackok);
	if (p->proto == 1 || p->proto == 58)
		printf(" icmp %u/%u id %u", p->icmp_type, p->icmp_code,
		    p->icmp_id);
	if (p->quoted.family != 0) {
		af = p->quoted.family == 6 ? AF_INET6 : AF_INET;
		inet_ntop(af, p->quoted.src, s, sizeof(s));
		inet_ntop(af, p->quoted.dst, d, sizeof(d));
		printf(" quoted %u %s:%u > %s:%u", p->quoted.proto, s,
		    p->quoted.sport, d, p->quoted.dport);
	}
	printf("\n");
}

int
main(int argc, char **argv)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	struct counts c, total;
	struct gf_packet pkt;
	const u_char *data;
	pcap_t *pc;
	int ch, verbose = 0, i, rc, nr, dlt;

	while ((ch = getopt(argc, argv, "v")) != -1) {
		switch (ch) {
		case 'v':
			verbose = 1;
			break;
		default:
			fprintf(stderr, "usage: decodestat [-v] file...\n");
			return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: decodestat [-v] file...\n");
		return 2;
	}
	memset(&total, 0, sizeof(total));
	for (i = optind; i < argc; i++) {
		if ((pc = pcap_open_offline(argv[i], errbuf)) == NULL) {
			printf("%s: skipped: %s\n", argv[i], errbuf);
			continue;
		}
		dlt = pcap_datalink(pc);
		if (!gf_decode_linktype_supported(dlt))
			printf("%s: link type %d unsupported\n", argv[i], dlt);
		memset(&c, 0, sizeof(c));
		while ((nr = pcap_next_ex(pc, &h, &data)) == 1) {
			c.pkts++;
			rc = gf_decode(dlt, data, h->caplen, h->len, &pkt);
			if (rc == GF_DECODE_OK && pkt.family == 4)
				c.ok4++;
			else if (rc == GF_DECODE_OK)
				c.ok6++;
			else if (rc == GF_DECODE_NONIP)
				c.nonip++;
			else
				c.bad[pkt.bad]++;
			if (verbose)
				print_packet(c.pkts, rc, &pkt);
		}
		if (nr == PCAP_ERROR)
			printf("%s: stopped after %lu packets: %s\n", argv[i],
			    c.pkts, pcap_geterr(pc));
		pcap_close(pc);
		print_counts(argv[i], &c);
		total.pkts += c.pkts;
		total.ok4 += c.ok4;
		total.ok6 += c.ok6;
		total.nonip += c.nonip;
		for (rc = 0; rc < GF_BAD_COUNT; rc++)
			total.bad[rc] += c.bad[rc];
	}
	print_counts("TOTAL", &total);
	return 0;
}
