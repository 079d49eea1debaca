/*
 * alerts.c - losses said on stderr while running (see alerts.h).
 */
#include <string.h>

#include "alerts.h"
#include "log.h"
#include "timefmt.h"

void
alerts_init(struct alerts *a, uint64_t max_flows)
{
	memset(a, 0, sizeof(*a));
	a->max_flows = max_flows;
}

void
alerts_sensor(struct alerts *a, const struct gf_sensor *s, uint64_t now)
{
	uint64_t ev = s->evicted, dr = s->recdrops;
	char when[64];

	if (ev + dr > 0 && (!a->evict_warned || !a->drop_warned))
		gf_time_format(s->ltime, when, sizeof(when));
	if (ev > 0 && !a->evict_warned) {
		gf_warn("flow table full (flows.max_flows %llu): %llu flows "
		    "evicted before their end in the interval to %s; further "
		    "evictions are summed up once a minute",
		    (unsigned long long)a->max_flows, (unsigned long long)ev,
		    when);
		a->evict_warned = 1;
		ev = 0;
	}
	if (dr > 0 && !a->drop_warned) {
		gf_warn("%llu records dropped in the interval to %s: the "
		    "output did not keep up with the flow engine (counted in "
		    "the SENSOR field recdrops); further drops are summed up "
		    "once a minute", (unsigned long long)dr, when);
		a->drop_warned = 1;
		dr = 0;
	}
	if (a->evicted + a->recdrops == 0 && ev + dr > 0)
		a->since = now;
	a->evicted += ev;
	a->recdrops += dr;
	if (a->evicted + a->recdrops == 0 ||
	    now < a->since + GF_ALERT_PERIOD_NS)
		return;
	gf_warn("in the last %llu s: %llu flows evicted (table full), %llu "
	    "records dropped", (unsigned long long)((now - a->since) /
	    1000000000ull), (unsigned long long)a->evicted,
	    (unsigned long long)a->recdrops);
	a->evicted = a->recdrops = 0;
}
