/*
 * flow_tag.c - the per-slot tunnel id table (see flow_tag.h).
 */
#include <stdlib.h>

#include "flow_tag.h"

int
flow_tags_init(struct flow_tags *t, uint32_t max_flows)
{
	if (max_flows < 16)
		max_flows = 16;
	t->e = calloc(max_flows, sizeof(*t->e));
	return t->e == NULL ? -1 : 0;
}

void
flow_tags_free(struct flow_tags *t)
{
	free(t->e);
	t->e = NULL;
}
