/*
 * frame.c - a captured frame's way into the flow engine: decode it, let
 * outer reassembly (reasm.h) hold or complete it, then count it
 * (flow_proc_packet).  Also sets up what the decoder and the tunnel
 * layers take from the configuration.
 */
#include <stdint.h>

#include "flow_proc.h"
#include "log.h"

int
flow_frame_init(struct flow_proc *fp, const struct gf_config *cfg)
{
	struct gf_decode_cfg dc;
	int oom;

	dc.gtpu_port = (uint16_t)cfg->gtpu_port;
	dc.vxlan_port = (uint16_t)cfg->vxlan_port;
	dc.geneve_port = (uint16_t)cfg->geneve_port;
	dc.gre_udp_port = (uint16_t)cfg->gre_udp_port;
	dc.teredo_port = (uint16_t)cfg->teredo_port;
	dc.pbb = cfg->pbb != 0;
	dc.pppoe = cfg->pppoe != 0;
	gf_decode_configure(&dc);
	fp->reasm = reasm_new((uint32_t)cfg->reasm_slots, cfg->reasm_timeout,
	    &oom);
	if (oom || flow_tags_init(&fp->tags, fp->table.max) != 0 ||
	    (cfg->key_tunnel && flow_zones_init(&fp->zones) != 0)) {
		reasm_free(fp->reasm);
		fp->reasm = NULL;
		flow_tags_free(&fp->tags);
		return -1;
	}
	return 0;
}

void
flow_frame_free(struct flow_proc *fp)
{
	reasm_free(fp->reasm);
	fp->reasm = NULL;
	flow_tags_free(&fp->tags);
	flow_zones_free(&fp->zones);
}

enum gf_decode_rc
flow_proc_frame(struct flow_proc *fp, int dlt, const uint8_t *data,
    uint32_t kept, uint32_t caplen, uint32_t wire_len, uint64_t ts, int feed,
    uint8_t *bad)
{
	struct gf_packet pkt;
	enum gf_decode_rc rc;

	rc = gf_decode_clipped(dlt, data, kept, caplen, wire_len, &pkt);
	pkt.ts = ts;
	pkt.feed = (uint8_t)(feed < 255 ? feed : 255);
	if (pkt.reasm)
		rc = reasm_frame(fp->reasm, &fp->st, dlt, data,
		    kept < caplen ? kept : caplen, rc, &pkt);
	flow_proc_packet(fp, rc, &pkt);
	*bad = pkt.bad;
	return rc;
}
