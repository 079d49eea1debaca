/*
 * config.h - the sensor's configuration: every option, its default, and
 * the YAML file (gapflow.yaml(5)) that sets them.
 *
 * Order of precedence: built-in defaults < the -c YAML file < command-line
 * flags.  The YAML loader is table-driven (one row per key in config.c);
 * unknown keys and bad values are errors naming the file, line and key.
 */
#ifndef GF_CONFIG_H
#define GF_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define GF_CFG_MAX_SOURCES 16            /* live interfaces */
#define GF_CFG_MAX_FILES   (1 << 20)    /* capture files (input.files) */
#define GF_CFG_MAX_ALLOW   32
#define GF_CFG_MAX_IPFIX   8       /* GF_IPFIX_MAX_DEST */

struct gf_netprefix {
	uint8_t family;                 /* 4 or 6 */
	uint8_t addr[16];
	int bits;
};

struct gf_config {
	/* sensor */
	uint32_t sensor_id;             /* sensor.id */
	char sensor_name[33];           /* sensor.name */

	/* input */
	char **files;                   /* input.files, -r; heap, grows */
	int nfiles;
	char *ifaces[GF_CFG_MAX_SOURCES];       /* input.interfaces, -i */
	int nifaces;
	char *filter;                   /* input.filter, trailing expression */
	int snaplen;                    /* input.snaplen */
	int promisc;                    /* input.promiscuous */
	uint64_t buffer_size;           /* input.buffer_size, bytes */
	uint64_t merge_skew;            /* input.merge_skew, ns */

	/* output */
	char *output;                   /* output.file, -w */
	int compression;                /* output.compression: -1 off, 0-9 */
	uint64_t rotate_interval;       /* output.rotate_interval, ns, 0 off */
	uint64_t rotate_size;           /* output.rotate_size, bytes, 0 off */
	char *metrics;                  /* output.metrics, --metrics: a
					   Prometheus textfile, NULL none */
	char *ipfix[GF_CFG_MAX_IPFIX];  /* output.ipfix, --ipfix DEST */
	int nipfix;
	uint32_t ipfix_pen;             /* output.ipfix_pen */
	uint32_t ipfix_mtu;             /* output.ipfix_mtu, bytes */
	uint64_t ipfix_refresh;         /* output.ipfix_template_refresh, ns */

	/* flows */
	uint64_t status_interval;       /* flows.status_interval, ns, -S */
	int align_intervals;            /* flows.align_intervals */
	int key_vlan;                   /* flows.key_vlan */
	int key_tunnel;                 /* flows.key_tunnel */
	uint64_t sensor_interval;       /* flows.sensor_interval, ns; 0 = status */
	uint64_t max_flows;             /* flows.max_flows */
	uint64_t timeout_tcp;           /* flows.timeouts.tcp, ns */
	uint64_t timeout_tcp_closed;    /* flows.timeouts.tcp_closed */
	uint64_t timeout_udp;           /* flows.timeouts.udp */
	uint64_t timeout_icmp;          /* flows.timeouts.icmp */
	uint64_t timeout_other;         /* flows.timeouts.other */
	uint64_t timeout_tcp_syn;       /* flows.timeouts.tcp_syn */
	uint64_t timeout_tcp_half_open; /* flows.timeouts.tcp_half_open */
	uint64_t emergency_high;        /* flows.emergency.high_water, % */
	uint64_t emergency_low;         /* flows.emergency.low_water, % */
	uint64_t emergency_timeout;     /* flows.emergency.timeout, ns */

	/* decode: UDP ports of tunnels (0 off), switches, reassembly */
	int gtpu_port;                  /* decode.gtpu_port */
	int vxlan_port;                 /* decode.vxlan_port */
	int geneve_port;                /* decode.geneve_port */
	int gre_udp_port;               /* decode.gre_udp_port */
	int teredo_port;                /* decode.teredo_port */
	int pbb;                        /* decode.pbb */
	int pppoe;                      /* decode.pppoe */
	uint64_t reasm_slots;           /* decode.reassembly.slots, 0 off */
	uint64_t reasm_timeout;         /* decode.reassembly.timeout, ns */

	/* tcp */
	uint64_t handshake_skew;        /* tcp.handshake_skew, ns */
	uint64_t reorder_window;        /* tcp.reorder_window, ns */
	uint64_t simplex_hole_timeout;  /* tcp.simplex_hole_timeout, ns */
	uint64_t max_holes;             /* tcp.max_holes, per direction */
	uint64_t hole_pool;             /* tcp.hole_pool, holes in all */
	uint64_t dup_window;            /* input.dup_window, ns, 0 off */

	/* service (continuous operation) */
	char *listen;                   /* service.listen, -P [ADDR:]PORT */
	struct gf_netprefix allow[GF_CFG_MAX_ALLOW];    /* service.allow */
	int nallow;
	char *user;                     /* service.user, --user */
	int use_syslog;                 /* service.syslog */
	int cpu;                        /* service.cpu, -1 none */
	int realtime;                   /* service.realtime_priority */
	uint64_t ring_size;             /* service.ring_size, packets */
};

/* Fill cfg with the built-in defaults (documented in gapflow.yaml(5)). */
void gf_config_defaults(struct gf_config *cfg);

/*
 * Load a YAML file over cfg.  Returns 0, or -1 with a message in err
 * ("FILE:LINE: key 'flows.timeouts.tcp': ...").  Keys absent from the
 * file keep their current values.
 */
int gf_config_load(const char *path, struct gf_config *cfg, char *err,
    size_t errlen);

/* Free the strings cfg owns. */
void gf_config_free(struct gf_config *cfg);

/*
 * Set one key from text, through the same parser as the file (for the
 * command-line flags).  A list key gets value appended; value NULL empties
 * a list or unsets a string.  Returns 0, or -1 with "key 'K': ..." in err;
 * on failure cfg is unchanged.
 */
int gf_config_set(struct gf_config *cfg, const char *keypath,
    const char *value, char *err, size_t errlen);

/* Print cfg as YAML that gf_config_load() reads back to the same values
 * (gapflow --print-config). */
void gf_config_print(const struct gf_config *cfg, FILE *out);

#endif
