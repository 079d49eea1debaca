/*
 * record.h - records as programs hold them in memory.
 *
 * These structs are never written to disk as they are: the codec
 * (codec.c) walks the field registry (fields.c) and encodes each member
 * little-endian at its registered width.  A member's C type width equals
 * its wire width for every integer field (checked by the unit tests), so
 * the registry can address members by offset.
 */
#ifndef GF_RECORD_H
#define GF_RECORD_H

#include <stdint.h>
#include "gapflow.h"

/* An address: family 4 or 6 (0 none), IPv4 in the first 4 bytes. */
struct gf_addr {
	uint8_t family;
	uint8_t a[16];
};

/* Per-direction part of a FLOW record: counts for the record's interval. */
struct gf_dir {
	uint64_t pkts;
	uint64_t bytes;         /* wire bytes (pcap original length) */
	uint64_t appbytes;      /* transport payload from IP lengths */
	uint64_t stime;         /* first/last packet of this direction, ns */
	uint64_t ltime;
	uint64_t gap;           /* capture gap bytes (acked, never seen) */
	uint64_t lossbytes;     /* retransmitted payload bytes */
	uint64_t ackbytes;      /* bytes of this direction newly acknowledged */
	uint32_t gapev;         /* ACKs that revealed a gap */
	uint32_t loss;          /* retransmitted packets */
	uint32_t ooo;           /* out-of-order packets */
	uint32_t ackev;         /* ACKs that advanced this direction's data */
	uint32_t win;           /* last window advertised, scaled when known */
	uint16_t mss;
	uint8_t flags;          /* OR of TCP flags */
	uint8_t wscale;         /* 0xff: no window-scale option seen */
	uint32_t dups;          /* duplicate frames (SPAN copies), not counted
	                           in pkts or bytes */
	uint64_t ipbytes;       /* IP-layer bytes (IP total lengths) */
};

struct gf_flow {
	uint8_t kind;           /* enum gf_kind */
	uint8_t endreason;      /* enum gf_end */
	uint8_t orient;         /* enum gf_orient */
	uint8_t state;          /* enum gf_state */
	uint8_t proto;
	uint16_t vlan;          /* source's VLAN id (outermost), 0 none */
	uint16_t encaps;        /* GF_E_* bits seen */
	uint16_t sport;         /* ICMP: type of the first packet */
	uint16_t dport;         /* ICMP: echo identifier, else code */
	uint32_t seq;           /* record number within the flow, from 0 */
	uint32_t flgs;          /* GF_F_* indicator bits */
	uint32_t frags;         /* IP fragments counted to this flow */
	uint32_t icmperr;       /* ICMP errors that quoted this flow */
	uint32_t trans;         /* records merged into this one, 1 from sensor */
	uint32_t flows;         /* distinct flows merged (gapdump -m), 0 from
	                           the sensor: one flow */
	uint64_t flowid;        /* unique per sensor run */
	uint64_t fstime;        /* flow start: first packet of the flow */
	uint64_t stime;         /* first packet of this record's interval */
	uint64_t ltime;         /* last packet of this record's interval */
	uint64_t synack;        /* ns from SYN to SYN-ACK, 0 unknown */
	uint64_t ackdat;        /* ns from SYN-ACK to ACK, 0 unknown */
	struct gf_addr saddr;
	struct gf_addr daddr;
	struct gf_dir src;
	struct gf_dir dst;
	uint16_t dvlan;         /* destination's VLAN id (outermost), 0 none */
	uint32_t tunid;         /* outermost tunnel id (VNI, TEID, I-SID) */
};

/* Sensor statistics for one interval (deltas, except 'flows'). */
struct gf_sensor {
	uint64_t stime;         /* interval start, ns */
	uint64_t ltime;         /* interval end, ns */
	uint64_t pkts;          /* packets read from the sources */
	uint64_t bytes;         /* wire bytes of those packets */
	uint64_t kdrops;        /* pcap_stats ps_drop delta */
	uint64_t ifdrops;       /* pcap_stats ps_ifdrop delta */
	uint64_t nonip;         /* packets without IP (ARP, LLDP...) */
	uint64_t bad[GF_BAD_COUNT];
	uint64_t flows;         /* flows in the table at interval end */
	uint64_t newflows;      /* flows created */
	uint64_t evicted;       /* flows evicted because the table was full */
	uint64_t records;       /* records handed to the writer */
	uint64_t recdrops;      /* records lost to output back-pressure */
	uint64_t ringdrops;     /* packets lost to a full internal ring */
	uint64_t ackev;         /* ACK events that advanced a sequence */
	uint64_t gapev;         /* of those, ACKs that revealed a gap */
	uint64_t ackbytes;      /* bytes those ACKs acknowledged */
	uint64_t gapbytes;      /* bytes acknowledged but never seen */
	uint64_t gapflows;      /* flows with a gap in the interval */
	uint64_t simplexflows;  /* flow records with the simplex flag */
	uint32_t sensorid;
	uint32_t ifaces;        /* number of sources */
	uint64_t clientdrops;   /* live service clients cut off */
	uint64_t shortwire;     /* frames whose recorded wire length was
	                           shorter than their IP datagram, decoded
	                           with the IP length */
	uint64_t dups;          /* duplicate frames (SPAN copies), ignored */
	uint64_t holesfull;     /* TCP holes not tracked: a bound reached */
	uint64_t ackbad;        /* ACKs and RSTs TCP's rules reject */
	uint64_t feedoff;       /* largest clock offset measured between
	                           two inputs, ns */
	uint32_t feedlate;      /* the input (1-based) whose timestamps are
	                           later by feedoff, 0 none measured */
	uint32_t feedref;       /* the input it was measured against */
	uint64_t emergin;       /* flow table emergency mode entered */
	uint64_t emergout;      /* flow table emergency mode left */
	uint64_t reasm_held;    /* tunnel fragments held for reassembly */
	uint64_t reasm_done;    /* datagrams reassembled */
	uint64_t reasm_lost;    /* held fragments never completed */
	uint64_t reasm_full;    /* first fragments not held: slots busy */
	uint64_t ipfixnotsent;  /* FLOW records not exported over IPFIX */
};

/* A decoded record of any type. */
struct gf_record {
	uint16_t type;          /* enum gf_rtype */
	union {
		struct gf_flow flow;
		struct gf_sensor sensor;
	} u;
};

#endif /* GF_RECORD_H */
