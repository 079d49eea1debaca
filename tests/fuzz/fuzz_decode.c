/*
 * fuzz_decode.c - libFuzzer harness for gf_decode().
 *
 * Input: one selector byte, then the frame.  The selector picks the link
 * type (sel % NDLT, including one the decoder must refuse) and how much
 * longer than the capture the wire length claims (sel / NDLT * 97 bytes,
 * so snaplen-cut frames are exercised; 255 claims one byte less than
 * captured, the impossible case).  The frame is the tail of libFuzzer's
 * exactly-sized buffer, so ASan catches any read past caplen.  Besides
 * not crashing, the decoder must keep the promises the flow table relies
 * on; a broken one aborts.  Outer fragments also go through tunnel
 * reassembly (reasm.h, a few slots kept across inputs), so that
 * reassembled datagrams are decoded (gf_decode_reasm) from fuzzed bytes
 * too.  The seeds include a capture of every tunnel (synth-*.pcap).
 *
 * Built with -DGF_FUZZ_SEED instead, this file is a seed generator, run
 * by tests/fuzz/run.sh as `prog CORPUSDIR FILE...`: it writes the first
 * frames of every pcap among FILE, prefixed with their selector byte.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "decode.h"
#include "reasm.h"

static const int dlts[] = {
	1,	/* EN10MB */
	113,	/* LINUX_SLL */
	276,	/* LINUX_SLL2 */
	0,	/* NULL */
	108,	/* LOOP */
	12,	/* RAW */
	101,	/* LINKTYPE_RAW */
	228,	/* IPV4 */
	229,	/* IPV6 */
	147,	/* USER0: unsupported */
};
#define NDLT ((int)(sizeof(dlts) / sizeof(dlts[0])))

#ifndef GF_FUZZ_SEED

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct reasm *ra;
	static struct gf_sensor st;
	static uint64_t now;
	struct gf_packet pkt;
	uint32_t caplen, wire, w;
	int rc, sel, oom;

	if (size < 1 || size > 1u << 20)
		return 0;
	sel = data[0];
	caplen = (uint32_t)(size - 1);
	if (sel == 255)
		wire = caplen - (caplen > 0);
	else
		wire = caplen + (uint32_t)(sel / NDLT) * 97;
	rc = gf_decode(dlts[sel % NDLT], data + 1, caplen, wire, &pkt);
	/* a lost wire length only when the frame claims to be whole, and
	 * then the wire length grows to cover the datagram */
	if (pkt.shortwire && (caplen != wire || pkt.wire_len <= wire))
		abort();
	w = pkt.wire_len;
	if (!pkt.shortwire && w != wire)
		abort();
	if (rc == GF_DECODE_OK && pkt.reasm) {
		if (ra == NULL && (ra = reasm_new(4, 1000, &oom)) == NULL)
			abort();
		pkt.ts = now++;
		rc = reasm_frame(ra, &st, dlts[sel % NDLT], data + 1, caplen,
		    rc, &pkt);
		if (rc == GF_DECODE_HELD)
			return 0;
		/* a whole datagram: its own wire length, not checked below */
		w = pkt.held_bytes ? UINT32_MAX : w;
		if (pkt.held_bytes > pkt.wire_len)
			abort();
	}

	switch (rc) {
	case GF_DECODE_OK:
		if (pkt.family != 4 && pkt.family != 6)
			abort();
		if (pkt.ip_len > w || pkt.payload > pkt.ip_len)
			abort();
		if (pkt.frag > GF_FRAG_LATER)
			abort();
		if (pkt.frag == GF_FRAG_LATER && (pkt.sport | pkt.dport))
			abort();
		if (pkt.quoted.family != 0 && pkt.quoted.family != 4 &&
		    pkt.quoted.family != 6)
			abort();
		break;
	case GF_DECODE_NONIP:
		break;
	case GF_DECODE_BAD:
		if (pkt.bad >= GF_BAD_COUNT)
			abort();
		break;
	default:
		abort();
	}
	return 0;
}

#else /* GF_FUZZ_SEED */

#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>

#define SEED_FRAMES	64	/* per capture: enough variety, small corpus */

int
main(int argc, char **argv)
{
	char errbuf[PCAP_ERRBUF_SIZE], path[4096];
	struct pcap_pkthdr *h;
	const u_char *data;
	unsigned n = 0, k;
	pcap_t *pc;
	FILE *fp;
	int i, sel, dlt;
	uint8_t b;

	if (argc < 2) {
		fprintf(stderr, "usage: %s corpusdir file...\n", argv[0]);
		return 2;
	}
	for (i = 2; i < argc; i++) {
		if ((pc = pcap_open_offline(argv[i], errbuf)) == NULL)
			continue;	/* not a capture: not ours */
		dlt = pcap_datalink(pc);
		for (sel = 0; sel < NDLT && dlts[sel] != dlt; sel++)
			;
		for (k = 0; sel < NDLT && k < SEED_FRAMES &&
		    pcap_next_ex(pc, &h, &data) == 1; k++) {
			snprintf(path, sizeof(path), "%s/seed-%05u", argv[1],
			    n++);
			if ((fp = fopen(path, "wb")) == NULL) {
				perror(path);
				return 1;
			}
			b = (uint8_t)sel;
			if (fwrite(&b, 1, 1, fp) != 1 ||
			    fwrite(data, 1, h->caplen, fp) != h->caplen ||
			    fclose(fp) != 0) {
				perror(path);
				return 1;
			}
		}
		pcap_close(pc);
	}
	printf("%u seed frames\n", n);
	return 0;
}

#endif /* GF_FUZZ_SEED */
